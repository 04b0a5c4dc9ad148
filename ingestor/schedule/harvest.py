"""Walk a source's feeds, listings and sitemaps through the fetcher and gather candidates."""

from __future__ import annotations

from datetime import datetime

from ingestor import discover, store
from ingestor.classify import canonical_url
from ingestor.schedule.cadence import freshness
from ingestor.schedule.runstate import Run

__all__ = ["discover_all", "from_pending", "merge"]

_MAX_CHILD_SITEMAPS = 10


async def _from_feeds(run: Run) -> tuple[list[discover.Candidate], int, bool]:
    """RSS/Atom candidates, endpoints that answered, and whether the feeds cover the gap.

    The feeds cover it when each answered and either did not change (304) or still lists an
    article we already have: then nothing can have slipped past between two polls.
    """
    found: list[discover.Candidate] = []
    answered, covered = 0, bool(run.source.discovery.rss)
    for feed_url in run.source.discovery.rss:
        outcome = await run.fetch(feed_url, conditional=True)
        if not outcome.ok:
            covered = False
            run.problem(feed_url, outcome.error_kind or "fetch", outcome.error_message or "")
            continue
        answered += 1
        fresh = freshness(
            outcome.cache_control, outcome.expires, outcome.body, now=run.ctx.clock()
        ).seconds
        if fresh is not None:
            run.fresh_for = fresh if run.fresh_for is None else min(run.fresh_for, fresh)
        if outcome.not_modified:
            continue
        items = discover.from_feed(outcome.body, feed_url, run.source)
        run.empty_listings += not items
        found.extend(items)
        if not await store.known_urls(run.ctx.pool, [c.url for c in items]):
            covered = False
    return found, answered, covered


async def _from_listings(run: Run) -> tuple[list[discover.Candidate], int]:
    """Listing-page candidates, paging back (bounded) until a page holds a known article."""
    found: list[discover.Candidate] = []
    answered = 0
    for listing in run.source.discovery.listings:
        pages = [listing.url] + [
            listing.page_url.format(page=n) for n in range(2, listing.max_pages + 1)
            if listing.page_url
        ]  # fmt: skip
        for number, page_url in enumerate(pages, start=1):
            outcome = await run.fetch(page_url, conditional=False)
            if number > 1 and outcome.error_kind == "http_4xx":
                break  # paged past the last page: the end of the listing, not a fault
            if not outcome.ok or outcome.text is None:
                run.problem(page_url, outcome.error_kind or "fetch", outcome.error_message or "")
                break
            answered += 1
            page = discover.from_listing(outcome.text, page_url, run.source, listing.link_selector)
            run.empty_listings += number == 1 and not page.candidates
            found.extend(page.candidates)
            # Catch-up after downtime: keep paging only while the page is all news to us.
            if not page.candidates or await store.known_urls(
                run.ctx.pool, [c.url for c in page.candidates]
            ):
                break
    return found, answered


async def _from_sitemaps(run: Run) -> tuple[list[discover.Candidate], int]:
    """Sitemap candidates; an index is followed one level down, to a bounded number of children."""
    found: list[discover.Candidate] = []
    answered = 0
    top = set(run.source.discovery.sitemaps)
    queue = list(top)
    followed = 0
    while queue:
        sitemap_url = queue.pop(0)
        # The catalogue's own sitemaps are read whole every time: a 304 on an index says
        # nothing about its children (many indexes never change, or change by the second),
        # and without the body there are no children to follow, so new stories would be
        # missed for good. Children are small enough to ask for conditionally.
        outcome = await run.fetch(sitemap_url, conditional=sitemap_url not in top)
        if not outcome.ok:
            run.problem(sitemap_url, outcome.error_kind or "fetch", outcome.error_message or "")
            continue
        answered += 1
        if outcome.not_modified:
            continue
        try:
            sitemap = discover.from_sitemap(outcome.body, sitemap_url, run.source)
        except ValueError as exc:
            run.problem(sitemap_url, "sitemap", str(exc))
            continue
        found.extend(sitemap.candidates)
        children = list(sitemap.sitemaps[: max(0, _MAX_CHILD_SITEMAPS - followed)])
        followed += len(children)
        queue.extend(children)
    return found, answered


async def discover_all(run: Run) -> tuple[list[discover.Candidate], int]:
    """Candidates from the feeds, and from listings and sitemaps when the feeds leave a gap."""
    found, answered, covered = await _from_feeds(run)
    if not covered:
        for more in (await _from_listings(run), await _from_sitemaps(run)):
            found.extend(more[0])
            answered += more[1]
    return found, answered


def merge(candidates: list[discover.Candidate]) -> list[discover.Candidate]:
    """One candidate per canonical URL, preferring the one with most metadata (RSS first)."""
    best: dict[str, discover.Candidate] = {}
    for cand in candidates:
        key = canonical_url(cand.url)
        current = best.get(key)
        if current is None or (current.published is None and cand.published is not None):
            best[key] = cand
    return list(best.values())


def from_pending(item: store.Pending) -> discover.Candidate:
    hints = item.hints
    published = hints.get("published")
    return discover.Candidate(
        url=item.url, title=hints.get("title"), summary=hints.get("summary"),
        image=hints.get("image"), published_raw=hints.get("published_raw"),
        published=datetime.fromisoformat(published) if published else None, via=item.via,
    )  # fmt: skip

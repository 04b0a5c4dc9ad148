"""Read a publisher's signals (robots.txt, robots meta, X-Robots-Tag, notices) into a republish policy.

The policy is the most the signals allow, never more:
- `full` only with an open licence (Creative Commons BY/BY-SA/CC0, public domain) and no
  restriction anywhere;
- `summary` (title plus the publisher's own teaser) is the default: it is what the site's feed
  and search snippets already show;
- `title` when the site asks for no snippets (`nosnippet`, `max-snippet:0`) or no indexing
  (`noindex`, `none`);
- a robots.txt that disallows our crawler on the home page means the site is not onboarded.
AI signals (`noai`, AI crawlers disallowed in robots.txt, a "no crawling for AI" notice) and
reuse notices ("dilarang mengambil konten", "all rights reserved") cap the policy at summary
and are written into the entry's notes, so the operator sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from protego import Protego

from ingestor.sources import Republish

__all__ = ["AI_AGENTS", "Policy", "RobotsFacts", "Signals", "propose_policy", "read_robots"]

# Crawlers that collect text for AI models; a site that shuts them out has said what it wants.
AI_AGENTS = (
    "GPTBot", "ChatGPT-User", "OAI-SearchBot", "CCBot", "Google-Extended", "anthropic-ai",
    "ClaudeBot", "Claude-Web", "PerplexityBot", "Bytespider", "Applebot-Extended",
    "meta-externalagent", "cohere-ai", "Diffbot", "Amazonbot", "omgili",
)  # fmt: skip
_OPEN_LICENCE = re.compile(
    r"creativecommons\.org/(?:licenses/(?:by|by-sa)/|publicdomain/)", re.IGNORECASE
)
_AI_DIRECTIVES = frozenset({"noai", "noimageai"})
_RANK: dict[Republish, int] = {"title": 0, "summary": 1, "full": 2}


@dataclass(frozen=True, slots=True)
class RobotsFacts:
    """What robots.txt says: whether we may read the home page, sitemaps, AI crawlers shut out."""

    found: bool
    allows_home: bool
    sitemaps: tuple[str, ...]
    ai_blocked: tuple[str, ...]
    crawl_delay: float | None


@dataclass(frozen=True, slots=True)
class Signals:
    """Every reuse signal gathered while probing a site."""

    robots: RobotsFacts
    directives: tuple[str, ...] = ()  # robots meta and X-Robots-Tag directives, lower case
    ai_notices: tuple[str, ...] = ()
    content_notices: tuple[str, ...] = ()
    license: str | None = None
    copyright: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """The proposed `republish`, `rights` text, and the reasons, strongest first."""

    republish: Republish
    rights: str | None
    reasons: tuple[str, ...] = field(default=())
    blocked: str | None = None  # why the site must not be onboarded at all


def read_robots(text: str | None, agent: str, base_url: str) -> RobotsFacts:
    """robots.txt facts; `text` None means there is none (everything allowed, RFC 9309 §2.3.1.3)."""
    if text is None:
        return RobotsFacts(False, True, (), (), None)
    try:
        rules = Protego.parse(text)
        home = base_url.rstrip("/") + "/"
        allows = bool(rules.can_fetch(home, agent))
        blocked = tuple(a for a in AI_AGENTS if not rules.can_fetch(home, a))
        # A site that disallows everyone has not singled out AI crawlers.
        if blocked and not rules.can_fetch(home, "SomeUnknownCrawler"):
            blocked = ()
        delay = rules.crawl_delay(agent)
        sitemaps = tuple(dict.fromkeys(str(s) for s in rules.sitemaps))
    except Exception:  # a third-party parser on arbitrary text: unreadable rules are no rules
        return RobotsFacts(True, True, (), (), None)
    return RobotsFacts(True, allows, sitemaps, blocked, float(delay) if delay else None)


def directives(values: Iterable[str], agent: str) -> list[str]:
    """Directives of X-Robots-Tag / robots meta values, keeping the generic and ours.

    An X-Robots-Tag may name a crawler ("googlebot: noindex"); that one is not for us.
    """
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            item = part.strip().lower()
            if not item:
                continue
            head, sep, rest = item.partition(":")
            if sep and not head.startswith("max-") and head not in ("unavailable_after",):
                if head.strip() != agent.lower():
                    continue
                item = rest.strip()
            if item and item not in out:
                out.append(item)
    return out


def _cap(current: Republish, most: Republish) -> Republish:
    return current if _RANK[current] <= _RANK[most] else most


def propose_policy(signals: Signals, site_name: str) -> Policy:
    """The most reuse the signals allow, with a reason per signal that lowered it."""
    robots = signals.robots
    if not robots.allows_home:
        return Policy(
            "title", None, ("robots.txt disallows our crawler",), "robots.txt disallows Warta"
        )
    reasons: list[str] = []
    licence = signals.license if signals.license and _OPEN_LICENCE.search(signals.license) else None
    republish: Republish = "full" if licence else "summary"
    if licence:
        reasons.append(f"open licence {licence}")
    elif signals.license:
        reasons.append(f"licence {signals.license} is not an open one: summary at most")
    found = set(signals.directives)
    snippet_zero = any(d.replace(" ", "") == "max-snippet:0" for d in found)
    if found & {"noindex", "none"}:
        republish = _cap(republish, "title")
        reasons.append("robots directive noindex: titles only")
    if "nosnippet" in found or snippet_zero:
        republish = _cap(republish, "title")
        reasons.append("robots directive nosnippet / max-snippet:0: titles only")
    if "noarchive" in found and republish == "full":
        republish = "summary"
        reasons.append("robots directive noarchive: no full copies")
    ai = sorted(found & _AI_DIRECTIVES)
    if ai:
        republish = _cap(republish, "summary")
        reasons.append(f"robots directive {', '.join(ai)}: no AI use, summary at most")
    if robots.ai_blocked:
        republish = _cap(republish, "summary")
        reasons.append(f"robots.txt shuts out AI crawlers ({', '.join(robots.ai_blocked[:4])})")
    for notice in signals.ai_notices[:1]:
        republish = _cap(republish, "summary")
        reasons.append(f"notice against AI crawling: {notice!r}")
    for notice in signals.content_notices[:1]:
        republish = _cap(republish, "summary")
        reasons.append(f"notice against reuse: {notice!r}")
    owner = signals.copyright or f"© {site_name}"
    rights = {
        "title": f"{owner}. Title and link only; read the story at the source.",
        "summary": f"{owner}. Title and summary only; read the full story at the source.",
        "full": f"{owner}. Published under {licence}." if licence else None,
    }[republish]
    return Policy(republish, rights, tuple(reasons))

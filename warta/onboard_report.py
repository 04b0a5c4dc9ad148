"""Human-readable reports of `warta sources add` and `check`: what was found, samples, gates."""

from __future__ import annotations

from database.records import ArticleRecord
from ingestor.onboard import SampleReport, SurveyResult

__all__ = ["gate_lines", "survey_report"]

_WIDTH = 72


def _short(text: str | None, width: int = _WIDTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def gate_lines(report: SampleReport, records: list[ArticleRecord | tuple[str, str]]) -> list[str]:
    """One block per sampled page: its title, date, author, then each failed gate."""
    lines: list[str] = []
    for page, record in zip(report.pages, records, strict=False):
        mark = "ok  " if page.passed else "FAIL"
        lines.append(f"  {mark} {page.url}")
        if isinstance(record, ArticleRecord):
            when = record.published_at.isoformat() if record.published_at else "-"
            lines.append(f"       title: {_short(record.title, 64)}")
            lines.append(
                f"       date: {when} ({record.date_source})  authors: "
                f"{', '.join(record.authors) or '-'}  words: {len(record.text.split())}"
            )
        if page.error:
            lines.append(f"       error: {_short(page.error, 64)}")
        for result in page.results:
            if not result.passed:
                lines.append(f"       gate {result.gate} failed: {_short(result.detail, 56)}")
    lines.append(f"  quality gates: {report.summary()}")
    return lines


def survey_report(result: SurveyResult) -> str:
    """The stderr report of `warta sources add`."""
    lines = [f"Probed {result.base_url}"]
    for finding in result.findings:
        note = f" ({finding.note})" if finding.note else ""
        lines.append(f"  {finding.kind:<8} {finding.url}  {finding.articles} article links{note}")
    if not result.findings:
        lines.append("  no feed, sitemap or listing found")
    for skipped in result.skipped:
        lines.append(f"  skipped  {_short(skipped, 100)}")
    if result.pattern is not None:
        lines.append(
            f"Article URL pattern: {result.pattern.pattern}  ({result.pattern.support} URLs)"
        )
        lines.extend(f"  matches      {p}" for p in result.pattern.matching)
        lines.extend(f"  does not     {p}" for p in result.pattern.not_matching)
    if result.report is not None:
        lines.append(f"Sample of {len(result.records)} articles: {result.layout_note}")
        lines.extend(gate_lines(result.report, result.records))
    if result.region is not None:
        lines.append("Region: " + "; ".join(result.region.reasons))
    if result.policy is not None:
        lines.append(f"Republish: {result.policy.republish}")
        lines.extend(f"  because {_short(r, 100)}" for r in result.policy.reasons)
    if result.fatal:
        lines.append(f"Not onboarded: {result.fatal}")
    elif result.report is not None and not result.report.passed:
        lines.append(
            "Proposed with enabled = false: fix the failing gates, then `warta sources check`."
        )
    return "\n".join(lines)

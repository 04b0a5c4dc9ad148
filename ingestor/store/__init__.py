"""All SQL of the write side, one module per entity; the pipeline imports this package as `store`."""

from __future__ import annotations

from ingestor.store.articles import (
    Dedupe,
    Recheck,
    StoredArticle,
    delete_expired,
    due_rechecks,
    known_urls,
    mark_checked,
    recent_publications,
    save_articles,
    update_article,
)
from ingestor.store.checks import Verification, record_check, verifications
from ingestor.store.fetchlog import (
    FetchState,
    LogEvent,
    Pending,
    clear_pending,
    due_pending,
    load_validators,
    mark_pending,
    save_fetch_states,
    write_log,
)
from ingestor.store.sources import (
    SourceState,
    claim_due_sources,
    record_run,
    release_leases,
    release_source,
    renew_lease,
    set_circuit,
    source_state,
    sync_sources,
)

__all__ = [
    "Dedupe",
    "FetchState",
    "LogEvent",
    "Pending",
    "Recheck",
    "SourceState",
    "StoredArticle",
    "Verification",
    "claim_due_sources",
    "clear_pending",
    "delete_expired",
    "due_pending",
    "due_rechecks",
    "known_urls",
    "load_validators",
    "mark_checked",
    "mark_pending",
    "recent_publications",
    "record_check",
    "record_run",
    "release_leases",
    "release_source",
    "renew_lease",
    "save_articles",
    "save_fetch_states",
    "set_circuit",
    "source_state",
    "sync_sources",
    "update_article",
    "verifications",
    "write_log",
]

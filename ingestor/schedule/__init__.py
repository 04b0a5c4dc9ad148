"""Schedule: claim due sources, run each through the pipeline, judge health and plan the next poll.

`pipeline.refresh_source` is the one function that joins fetch, discover, extract, classify
and store for a source run; `workers` claim and run sources continuously, `scheduler` adds
the periodic jobs; `harvest` walks feeds, listings, sitemaps; `origins` is the politeness
ledger in PostgreSQL that the fetcher is given.
"""

from ingestor.schedule.origins import SharedOrigins
from ingestor.schedule.runstate import IngestContext, RunSummary
from ingestor.schedule.scheduler import Scheduler
from ingestor.schedule.workers import Workers, run_claimed, worker_id

__all__ = [
    "IngestContext",
    "RunSummary",
    "Scheduler",
    "SharedOrigins",
    "Workers",
    "run_claimed",
    "worker_id",
]

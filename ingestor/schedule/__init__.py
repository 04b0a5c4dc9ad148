"""Schedule: claim due sources, run each through the pipeline, judge health and plan the next poll.

`pipeline.refresh_source` is the one function that joins fetch, discover, extract, classify
and store for a source run; `scheduler` drives it; `harvest` walks feeds, listings, sitemaps.
"""

from ingestor.schedule.runstate import IngestContext, RunSummary
from ingestor.schedule.scheduler import Scheduler, run_claimed, worker_id

__all__ = ["IngestContext", "RunSummary", "Scheduler", "run_claimed", "worker_id"]

"""Onboarding: probe a newsroom into a proposed catalogue entry, and verify entries with quality gates.

Pure parts (URL pattern inference, page facts, publisher signals and policy, quality gates,
province and zone, the entry's TOML) and the two probes that fetch through the real Fetcher
(`survey_site` for a new site, `fetch_sample` for an existing entry). The commands are in
warta/sources_cmd.py; the stored verification is ingestor.store's.
"""

from ingestor.onboard.entry import entry_fields, entry_toml
from ingestor.onboard.gates import GATES, SampleReport, judge_sample
from ingestor.onboard.pattern import PatternGuess, infer_pattern
from ingestor.onboard.policy import Policy, Signals, propose_policy, read_robots
from ingestor.onboard.sample import Document, Sample, fetch_sample
from ingestor.onboard.survey import SurveyOptions, SurveyResult, survey_site

__all__ = [
    "GATES",
    "Document",
    "PatternGuess",
    "Policy",
    "Sample",
    "SampleReport",
    "Signals",
    "SurveyOptions",
    "SurveyResult",
    "entry_fields",
    "entry_toml",
    "fetch_sample",
    "infer_pattern",
    "judge_sample",
    "propose_policy",
    "read_robots",
    "survey_site",
]

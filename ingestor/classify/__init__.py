"""Classify: normalize a record (canonical URL, identity, hash), fingerprint it, tag regions and topics."""

from ingestor.classify.fingerprint import (
    CANDIDATE_DISTANCE,
    DEFAULT_WINDOW,
    ClusterMember,
    is_near_duplicate,
    pick_canonical,
    simhash,
)
from ingestor.classify.nearkeys import near_keys
from ingestor.classify.normalize import canonical_url, identity, normalize
from ingestor.classify.regions import Gazetteer, tag_regions
from ingestor.classify.topics import Taxonomy, build_taxonomy, classify_topics

__all__ = [
    "CANDIDATE_DISTANCE",
    "DEFAULT_WINDOW",
    "ClusterMember",
    "Gazetteer",
    "Taxonomy",
    "build_taxonomy",
    "canonical_url",
    "classify_topics",
    "identity",
    "is_near_duplicate",
    "near_keys",
    "normalize",
    "pick_canonical",
    "simhash",
    "tag_regions",
]

"""Reliability and security proofs: faults, load and fuzzing (`make reliability`)."""

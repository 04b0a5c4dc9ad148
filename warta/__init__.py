"""The `warta` command: the one place that wires the ingestor and the feed server together."""

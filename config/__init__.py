"""Warta's shared layer: settings, database access and migrations, and the records both sides agree on."""

__version__ = "0.1.0"

__all__ = ["__version__"]

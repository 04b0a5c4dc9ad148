"""Warta's write side, one subpackage per stage of the data path.

    schedule -> fetch -> discover -> extract -> classify -> store

A stage imports only the stages beneath it (`tests/test_layering.py` holds the rule):
`sources` (the catalogue) is the floor; `fetch`, `extract` and `discover` stand on it;
`classify` uses extract's public names; `store` uses classify; `schedule` joins them all.
Only `fetch` (HTTP) and `store` (SQL) do I/O, and `schedule.pipeline` is the one orchestrator.
"""

"""Warta's write side: schedule, fetch, discover, extract, normalize, classify, store."""

"""Warta's read side: query the database, render RSS/Atom/JSON feeds, serve them over HTTP."""

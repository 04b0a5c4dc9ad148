"""The shipped source catalogue as package data: the `*.toml` seed files and `layouts.toml` beside this file.

Used when WARTA_SEEDS is unset, so every command finds the catalogue from any directory and
from an installed wheel; nothing here is code.
"""

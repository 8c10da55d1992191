"""auditor.schemas: JSON Schemas and data files the rules read (a package so it ships in editable installs)."""

from __future__ import annotations

import os


def read_text(name: str) -> str:
    """A data file shipped in this package, read from beside this module.

    Not `importlib.resources`: for an installed folder it gives the same bytes,
    but importing it brings in zipfile and tempfile (about 10 ms) on every audit.
    """
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as handle:
        return handle.read()

"""Shared fixtures. Kept inside tests/ (never at the repo root, see style.md §3.2)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def app(tmp_path: Path):
    """Build a folder app: `app({"index.html": "..."})` returns its path."""
    from helpers import write_tree

    def build(files: dict) -> Path:
        return write_tree(tmp_path / "app", files)

    return build

"""Reporters turn a Report into text, JSON, SARIF or GitHub annotations. Only they (and the CLI) write output."""

from __future__ import annotations

import importlib
from collections.abc import Callable

FORMATS = ("text", "json", "sarif", "github")


def renderer(fmt: str) -> Callable[..., str]:
    """The render function of one output format, imported on demand."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return importlib.import_module(f"auditor.reporters.{fmt}").render

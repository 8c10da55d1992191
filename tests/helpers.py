"""Test helpers: audit an input and render findings as one-line strings users would recognise.

`audit_lines(path, select="MAN001")` returns e.g.
`["MAN001 error /index.html:2:1 inline script in `/index.html`"]`, so one
equality asserts rule id, level and location together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from auditor.engine.catalogue import all_rules
from auditor.engine.findings import Finding
from auditor.engine.pipeline import audit as run_audit
from auditor.engine.registry import RuleSet, select_rules
from auditor.engine.runner import Report
from auditor.engine.settings import Settings

DATA = Path(__file__).resolve().parent / "data"
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"  # the OASIS SARIF 2.1.0 schema, shipped so tests need nothing outside the repo


def where(finding: Finding) -> str:
    loc = finding.location
    text = loc.resource or "<input>"
    if loc.span is not None:
        text += f":{loc.span.start_line}:{loc.span.start_column}"
    elif loc.byte_range is not None:
        text += f"@{loc.byte_range[0]}"
    return text


def line(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.level.label} {where(finding)} {finding.message}"


def audit(path: Path, select: str | None = None, *, settings: Mapping[str, object] | None = None, options: Mapping[str, object] | None = None) -> Report:
    """The library pipeline (`auditor.audit`), as the CLI runs it: suppressions included.

    `settings` and `options` are keyword arguments of `Settings`, split only for
    the readability of older tests (reader inputs vs audit facts).
    """
    rules = select_rules(all_rules(), [s for s in (select or "").split(",") if s]) if select else all_rules()
    values = {**(options or {}), **(settings or {})}
    if isinstance(values.get("headers_file"), str):
        values["headers_file"] = Path(values["headers_file"])
    return run_audit(path, rules=RuleSet(rules), settings=Settings(**values))


def audit_lines(path: Path, select: str | None = None, **kwargs) -> list[str]:
    """Findings as one-line strings (engine findings included, so a crash fails the test)."""
    report = audit(path, select, **kwargs)
    return [line(f) for f in report.findings if not f.suppressed]


def write_tree(root: Path, files: Mapping[str, str | bytes | object]) -> Path:
    """Write a folder of files; dict/list values are written as JSON."""
    for name, content in files.items():
        target = root / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return root


def png(width: int, height: int) -> bytes:
    """A valid one-colour PNG of the given size (small: rows compress to almost nothing)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def position(text: str, needle: str, occurrence: int = 1) -> str:
    """`line:column` (1-based) of the n-th occurrence of `needle` in `text`."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return f"{line}:{column}"


def position_after(text: str, needle: str) -> str:
    """`line:column` of the character just after the first `needle` (a member's value after its key)."""
    start = text.index(needle) + len(needle)
    line = text.count("\n", 0, start) + 1
    return f"{line}:{start - (text.rfind(chr(10), 0, start) + 1) + 1}"

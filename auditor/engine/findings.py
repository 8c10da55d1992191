"""What rules yield (Hit) and what reporters see (Finding).

Rules say *what* is wrong and point at it; the runner stamps each hit with the
rule's metadata into an immutable Finding. Rules never build Findings.
"""

from __future__ import annotations

import enum

from auditor.engine.location import Location
from auditor.engine.record import FrozenRecord, store_fields


class Level(enum.IntEnum):
    """SARIF levels; the ordering is what `--fail-level` compares."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown level {text!r}: use error, warning or note") from None


class Precision(enum.StrEnum):
    """How sure a rule is; SARIF `precision`, which GitHub uses for ordering."""

    VERY_HIGH = "very-high"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Hit(FrozenRecord):
    """One problem as a rule sees it: no id, no default level."""

    __slots__ = ("anchor", "help", "level", "location", "message", "precision", "properties", "related")
    message: str
    location: Location
    related: tuple[Location, ...]
    help: str | None
    level: Level | None  # rare per-instance override
    precision: Precision | None  # lower it when a value is computed, not literal
    anchor: str | None  # content anchor for fingerprints (selector, snippet)
    properties: tuple[tuple[str, str], ...]

    def __init__(
        self,
        message: str,
        location: Location,
        related: tuple[Location, ...] = (),
        help: str | None = None,
        level: Level | None = None,
        precision: Precision | None = None,
        anchor: str | None = None,
        properties: tuple[tuple[str, str], ...] = (),
    ) -> None:
        store_fields(self, locals())


class Finding(FrozenRecord):
    """A hit stamped with its rule's identity; built only by the runner."""

    __slots__ = ("built", "fingerprint", "help", "level", "location", "message", "precision", "properties", "related", "rule_id", "rule_name", "snippet", "snippet_start", "suppressed", "tags")
    rule_id: str
    rule_name: str
    level: Level
    message: str
    location: Location
    related: tuple[Location, ...]
    help: str | None
    precision: Precision
    fingerprint: str
    suppressed: str | None  # justification when an inline or external suppression applies
    properties: tuple[tuple[str, str], ...]
    snippet: str | None  # the source line the finding starts on (a window of it, for long lines)
    snippet_start: int  # code points of the line before `snippet` (0 unless it is a window)
    built: Location | None  # where it is in the audited input, when `location` is the author's source (auditor/engine/relocation.py)
    tags: tuple[str, ...]  # e.g. "vendored": mapped to a source in its map's ignoreList

    def __init__(
        self,
        rule_id: str,
        rule_name: str,
        level: Level,
        message: str,
        location: Location,
        related: tuple[Location, ...] = (),
        help: str | None = None,
        precision: Precision = Precision.HIGH,
        fingerprint: str = "",
        suppressed: str | None = None,
        properties: tuple[tuple[str, str], ...] = (),
        snippet: str | None = None,
        snippet_start: int = 0,
        built: Location | None = None,
        tags: tuple[str, ...] = (),
    ) -> None:
        store_fields(self, locals())

    def sort_key(self) -> tuple:
        span = self.location.span
        return (
            self.location.file or self.location.resource or "",
            span.start_line if span else 0,
            span.start_column if span else 0,
            self.location.byte_range[0] if self.location.byte_range else 0,
            self.rule_id,
            self.message,
        )


def fingerprint(rule_id: str, artifact: str, anchor: str) -> str:
    """Stable identity of a finding: rule + artifact + content anchor, never a line number."""
    digest = _sha256()(f"{rule_id}\0{artifact}\0{anchor}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _sha256():
    """SHA-256 from CPython's own module, imported on first use: `hashlib` loads OpenSSL's bindings
    first (~3 ms at start-up, ten times as much) for digests of a few bytes. The same digest; `hashlib`
    where the interpreter was built without its own (3.11 names it `_sha256`, 3.12 `_sha2`)."""
    try:
        from _sha2 import sha256
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:
            from hashlib import sha256
    return sha256

"""What rules yield (Hit) and what reporters see (Finding).

Rules say *what* is wrong and point at it; the runner stamps each hit with the
rule's metadata into an immutable Finding. Rules never build Findings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from auditor.engine.location import Location


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


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem as a rule sees it: no id, no default level."""

    message: str
    location: Location
    related: tuple[Location, ...] = ()
    help: str | None = None
    level: Level | None = None          # rare per-instance override
    precision: Precision | None = None  # lower it when a value is computed, not literal
    anchor: str | None = None           # content anchor for fingerprints (selector, snippet)
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A hit stamped with its rule's identity; built only by the runner."""

    rule_id: str
    rule_name: str
    level: Level
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    help: str | None = None
    precision: Precision = Precision.HIGH
    fingerprint: str = ""
    suppressed: str | None = None  # justification when an inline or external suppression applies
    properties: tuple[tuple[str, str], ...] = field(default=())
    snippet: str | None = None  # the source line the finding starts on (a window of it, for long lines)
    snippet_start: int = 0      # code points of the line before `snippet` (0 unless it is a window)
    built: Location | None = None  # where it is in the audited input, when `location` is the author's source (auditor/engine/relocation.py)
    tags: tuple[str, ...] = ()     # e.g. "vendored": mapped to a source in its map's ignoreList

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
    import hashlib  # on first use: OpenSSL's bindings cost more at start-up than most audits hash

    digest = hashlib.sha256(f"{rule_id}\0{artifact}\0{anchor}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]

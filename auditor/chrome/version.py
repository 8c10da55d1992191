"""IWA versions exactly as Chrome parses and compares them.

Chromium `components/webapps/isolated_web_apps/types/iwa_version.cc`: split on
`.` keeping empty parts; 1 to 4 components; each non-empty, ASCII digits only,
no leading zero (except `0` itself), at most 4294967295. Nothing is trimmed.
Comparison is numeric per component with missing trailing components as 0, so
`1.0` and `1.0.0` are the same version.

The developer article's pattern `^(\\d+.?)*\\d$` is looser (its `.` is
unescaped): it accepts `1a2`, `01.2` and `1.2.3.4.5`, which Chrome rejects.
"""

from __future__ import annotations

from functools import total_ordering

from auditor.engine.record import FrozenRecord, store_fields

MAX_COMPONENTS = 4
MAX_COMPONENT = 4294967295


class VersionError(ValueError):
    """Why Chrome rejects a version string (one sentence, names the offending part)."""


@total_ordering
class IwaVersion(FrozenRecord):
    """A parsed version; equal and ordered the way Chrome compares versions."""

    __slots__ = ("components", "text")
    components: tuple[int, ...]
    text: str

    def __init__(self, components: tuple[int, ...], text: str) -> None:
        store_fields(self, locals())

    @property
    def normalized(self) -> tuple[int, ...]:
        """Components without trailing zeros: the key under which `1.0` equals `1.0.0`."""
        parts = list(self.components)
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IwaVersion) and self.normalized == other.normalized

    def __hash__(self) -> int:
        return hash(self.normalized)

    def __lt__(self, other: IwaVersion) -> bool:
        width = max(len(self.components), len(other.components))
        pad = lambda c: c + (0,) * (width - len(c))  # noqa: E731
        return pad(self.components) < pad(other.components)

    def __str__(self) -> str:
        return self.text


def parse_version(text: object) -> IwaVersion:
    """Parse like Chrome; raise VersionError saying what is wrong."""
    if not isinstance(text, str):
        raise VersionError(f"must be a string, not {type(text).__name__}")
    if text == "":
        raise VersionError("is empty")
    parts = text.split(".")
    if len(parts) > MAX_COMPONENTS:
        raise VersionError(f"has {len(parts)} components; Chrome accepts 1 to {MAX_COMPONENTS}")
    values = []
    for position, part in enumerate(parts, 1):
        if part == "":
            raise VersionError(f"component {position} is empty")
        if not (part.isascii() and part.isdigit()):
            raise VersionError(f"component {position} `{part}` is not made only of ASCII digits")
        if len(part) > 1 and part[0] == "0":
            raise VersionError(f"component {position} `{part}` has a leading zero")
        value = int(part)
        if value > MAX_COMPONENT:
            raise VersionError(f"component {position} `{part}` is larger than {MAX_COMPONENT}")
        values.append(value)
    return IwaVersion(tuple(values), text)


def version_problem(text: object) -> str | None:
    """None when Chrome accepts the version, else why not."""
    try:
        parse_version(text)
    except VersionError as exc:
        return str(exc)
    return None

"""Everything an audit is told from outside its input, as one typed, frozen object.

The CLI, `inspect`, `release`, the tests and editor integrations build a
`Settings` and hand it to `auditor.audit()`; readers and rules read its fields
(`ctx.settings.expect_id`), never a dictionary of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType


def _frozen(mapping: Mapping[str, tuple[str, ...]] | None) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(value) for key, value in (mapping or {}).items()})


@dataclass(frozen=True, slots=True)
class Settings:
    """Facts about the audited app and what the user has already judged."""

    expect_id: str | None = None            # the Web Bundle ID the app must have
    update_url: str | None = None           # where the update manifest is served from
    headers_file: Path | None = None        # a source folder's headers JSON (wbn --headerOverride shape)
    checksum: str | None = None             # OTA zip: the checksum the update server announces
    app_version: str | None = None          # OTA zip: the version it is uploaded as
    previous_version: str | None = None     # OTA zip or response: the version deployed now
    capacitor_config: object = None         # the parsed value of --capacitor-config, if given
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _frozen(None))
    baseline: Path | None = None            # hide findings recorded there
    apply_suppressions: bool = True         # False: show what inline comments, path ignores and the baseline hide
    jobs: int | None = None                 # worker processes for scripts: None = the CPUs available, 1 = serial

    def __post_init__(self) -> None:
        if not isinstance(self.per_path_ignores, MappingProxyType):
            object.__setattr__(self, "per_path_ignores", _frozen(self.per_path_ignores))

    def but(self, **changes: object) -> Settings:
        """A copy with some fields replaced (the object itself never changes)."""
        return replace(self, **changes)


DEFAULT_SETTINGS = Settings()

"""Everything an audit is told from outside its input, as one typed, frozen object.

The CLI, `inspect`, `release`, the tests and editor integrations build a
`Settings` and hand it to `auditor.audit()`; readers and rules read its fields
(`ctx.settings.expect_id`), never a dictionary of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from auditor.engine.record import FrozenRecord, replace


def _frozen(mapping: Mapping[str, tuple[str, ...]] | None) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(value) for key, value in (mapping or {}).items()})


class Settings(FrozenRecord):
    """Facts about the audited app and what the user has already judged."""

    __slots__ = (
        "app_version", "apply_suppressions", "baseline", "capacitor_config", "checksum", "expect_id", "headers_file", "ignore_vendored",
        "jobs", "map_sources", "per_path_ignores", "previous_version", "repository", "source_maps", "source_root", "update_url",
    )

    def __init__(
        self,
        expect_id: str | None = None,            # the Web Bundle ID the app must have
        update_url: str | None = None,           # where the update manifest is served from
        headers_file: Path | None = None,        # a source folder's headers JSON (wbn --headerOverride shape)
        checksum: str | None = None,             # OTA zip: the checksum the update server announces
        app_version: str | None = None,          # OTA zip: the version it is uploaded as
        previous_version: str | None = None,     # OTA zip or response: the version deployed now
        capacitor_config: object = None,         # the parsed value of --capacitor-config, if given
        per_path_ignores: Mapping[str, tuple[str, ...]] | None = None,  # glob -> rule selectors (frozen here)
        baseline: Path | None = None,            # hide findings recorded there
        apply_suppressions: bool = True,         # False: show what inline comments, path ignores and the baseline hide
        source_root: Path | None = None,         # a bundle's build folder: resources map to its identical files, then through their maps
        source_maps: Path | None = None,         # a folder of source maps the build did not ship
        map_sources: bool = True,                # False: report in the built files only (no source maps, no HTML copies)
        ignore_vendored: bool = False,           # drop findings mapped to a source in its map's ignoreList
        repository: Path | None = None,          # originals count only inside it (default: the input's git work tree, else the current folder)
        jobs: int | None = None,                 # worker processes for scripts: None = the CPUs available, 1 = serial
    ) -> None:
        given = locals()
        for name in self._fields:
            object.__setattr__(self, name, given[name])
        if not isinstance(per_path_ignores, MappingProxyType):
            object.__setattr__(self, "per_path_ignores", _frozen(per_path_ignores))

    def but(self, **changes: object) -> Settings:
        """A copy with some fields replaced (the object itself never changes)."""
        return replace(self, **changes)


DEFAULT_SETTINGS = Settings()

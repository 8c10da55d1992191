"""An IWA update manifest read the way Chrome reads it (shared by the UPD rules and the release gate).

Chromium `update_manifest/update_manifest.cc`: the root is an object with a
`versions` array whose every element is an object (else the whole manifest is
invalid); an entry with a bad `version`, `src` or `channels` is skipped
silently; `channels` defaults to `["default"]`; a later duplicate version
replaces an earlier one, and `1.0` equals `1.0.0`. Chrome picks the highest
version listed on the app's channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from auditor.chrome.version import IwaVersion, VersionError, parse_version
from auditor.parse.json_pos import pointer_join

DEFAULT_CHANNEL = "default"
LOCALHOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
ENTRY_MEMBERS = frozenset({"version", "src", "channels"})
ROOT_MEMBERS = frozenset({"versions", "channels"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One element of `versions`, with what Chrome would make of it."""

    index: int
    raw: dict
    version: IwaVersion | None
    version_problem: str | None
    src: str | None            # absolute when resolvable, else as written
    channels: tuple[str, ...] | None  # None when `channels` is invalid (entry skipped)

    @property
    def usable(self) -> bool:
        """Whether Chrome keeps the entry (valid version, a src, valid channels)."""
        return self.version is not None and self.src is not None and self.channels is not None

    @property
    def pointer(self) -> str:
        return f"/versions/{self.index}"


def is_localhost(host: str | None) -> bool:
    host = (host or "").lower()
    return host in LOCALHOSTS or host.endswith(".localhost")


def whole_manifest_problems(value: object) -> list[tuple[str, str]]:
    """(pointer, reason) for each problem that makes Chrome reject the whole manifest."""
    if not isinstance(value, dict):
        return [("", "the root must be an object")]
    problems = []
    versions = value.get("versions")
    if not isinstance(versions, list):
        problems.append(("/versions" if "versions" in value else "", "`versions` must be an array"))
    else:
        problems += [(f"/versions/{i}", f"`versions[{i}]` must be an object") for i, e in enumerate(versions) if not isinstance(e, dict)]
    if "channels" in value:
        channels = value["channels"]
        if not isinstance(channels, dict):
            problems.append(("/channels", "top-level `channels` must be an object"))
        else:
            for name, info in channels.items():
                pointer = pointer_join("/channels", name)
                if not isinstance(info, dict):
                    problems.append((pointer, f"channel `{name}` must be an object"))
                elif "name" in info and not isinstance(info["name"], str):
                    problems.append((pointer + "/name", f"channel `{name}`: `name` must be a string"))
    return problems


def read_entries(value: object, update_url: str | None = None) -> list[Entry]:
    """Each object in `versions`, interpreted; empty when the manifest is invalid as a whole."""
    if whole_manifest_problems(value):
        return []
    entries = []
    for index, raw in enumerate(value["versions"]):  # type: ignore[index]
        version, problem = None, None
        if "version" not in raw:
            problem = "has no `version`"
        else:
            try:
                version = parse_version(raw["version"])
            except VersionError as exc:
                problem = f"`version` {exc}"
        src = raw.get("src")
        src = (urljoin(update_url, src) if update_url else src) if isinstance(src, str) and src else None
        channels = raw.get("channels", [DEFAULT_CHANNEL])
        if not isinstance(channels, list) or not all(isinstance(c, str) and c for c in channels):
            channels = None
        entries.append(Entry(index, raw, version, problem, src, tuple(channels) if channels is not None else None))
    return entries


def effective_entries(entries: list[Entry]) -> dict[IwaVersion, Entry]:
    """Usable entries by version; a later duplicate replaces an earlier one, as in Chrome."""
    chosen: dict[IwaVersion, Entry] = {}
    for entry in entries:
        if entry.usable:
            chosen.pop(entry.version, None)  # type: ignore[arg-type]
            chosen[entry.version] = entry  # type: ignore[index]
    return chosen


def latest_on_channel(entries: list[Entry], channel: str = DEFAULT_CHANNEL) -> Entry | None:
    """The entry Chrome installs for a channel: the highest version listing it."""
    candidates = [e for e in effective_entries(entries).values() if channel in (e.channels or ())]
    return max(candidates, key=lambda e: e.version, default=None)  # type: ignore[arg-type, return-value]


def src_scheme_and_host(src: str) -> tuple[str, str | None]:
    parts = urlsplit(src)
    return parts.scheme.lower(), parts.hostname

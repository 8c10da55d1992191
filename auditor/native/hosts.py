"""Which hosts a Capacitor app talks to, and which config member brought each one in.

Updater endpoints (Capgo `@capgo/capacitor-updater`, `src/definitions.ts` and the
native plugins' `updateUrlDefault`/`statsUrlDefault`/`channelUrlDefault`):
`updateUrl`, `statsUrl` (`""` disables stats) and `channelUrl`, each with
Capgo's default when unset. They apply when the app uses the updater: the
config has `plugins.CapacitorUpdater` or package.json depends on the plugin.
The WebView's hosts: `server.allowNavigation` entries (remote pages the
WebView may open) and `server.hostname` with `androidScheme`/`iosScheme`
(the local origin Capacitor serves from the app itself, never fetched over the
network, so transport settings do not apply to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.engine.model import JsonDocument

UPDATER_POINTER = "/plugins/CapacitorUpdater"
UPDATER_PACKAGE = "@capgo/capacitor-updater"
UPDATER_DEFAULTS = {
    "updateUrl": "https://plugin.capgo.app/updates",
    "statsUrl": "https://plugin.capgo.app/stats",
    "channelUrl": "https://plugin.capgo.app/channel_self",
}
DEFAULT_HOSTNAME = "localhost"
DEFAULT_SCHEMES = {"androidScheme": "https", "iosScheme": "capacitor"}


@dataclass(frozen=True, slots=True)
class Host:
    """A host the app connects to; `member` is the config pointer (or default) that named it."""

    name: str           # lower-case host name; `*.x` patterns become their base `x` with `wildcard`
    member: str         # e.g. `plugins.CapacitorUpdater.updateUrl (default)`
    pointer: str        # JSON pointer in the config, for related locations ("" when defaulted)
    role: str           # "updater" | "navigation" | "local"
    url: str = ""
    wildcard: bool = False

    def probe(self) -> str:
        """A concrete host name to test coverage with (a subdomain for `*.x` patterns)."""
        return f"sub.{self.name}" if self.wildcard else self.name

    def describe(self) -> str:
        shown = f"*.{self.name}" if self.wildcard else self.name
        return f"`{shown}` (from `{self.member}`)"


def _member(document: JsonDocument | None, pointer: str) -> object:
    value: object = document.value if document is not None else None
    for token in pointer.strip("/").split("/"):
        if not isinstance(value, dict) or token not in value:
            return None
        value = value[token]
    return value


def uses_updater(document: JsonDocument | None, package_json: dict | None) -> bool:
    if isinstance(_member(document, UPDATER_POINTER), dict):
        return True
    if isinstance(package_json, dict):
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            deps = package_json.get(section)
            if isinstance(deps, dict) and UPDATER_PACKAGE in deps:
                return True
    return False


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def updater_hosts(document: JsonDocument | None, package_json: dict | None) -> list[Host]:
    if not uses_updater(document, package_json):
        return []
    out = []
    for key, default in UPDATER_DEFAULTS.items():
        pointer = f"{UPDATER_POINTER}/{key}"
        value = _member(document, pointer)
        if value is None:
            url, member, where = default, f"plugins.CapacitorUpdater.{key} (default)", ""
        elif isinstance(value, str):
            url, member, where = value, f"plugins.CapacitorUpdater.{key}", pointer
        else:
            continue  # computed or not a string: the OTA rules report it
        if not url.strip():
            continue  # `statsUrl: ""` disables the endpoint
        host = _host_of(url)
        if host and all(h.name != host or h.member != member for h in out):
            out.append(Host(host, member, where, "updater", url))
    return out


def navigation_hosts(document: JsonDocument | None) -> list[Host]:
    entries = _member(document, "/server/allowNavigation")
    out = []
    if not isinstance(entries, list):
        return out
    for i, entry in enumerate(entries):
        if not isinstance(entry, str):
            continue
        pattern = entry.strip().lower()
        if "://" in pattern:
            pattern = _host_of(pattern)
        pattern = pattern.split("/", 1)[0].split(":", 1)[0]
        wildcard = pattern.startswith("*.")
        name = pattern[2:] if wildcard else pattern
        if not name or "*" in name:
            continue  # `*` matches everything; OTA032 reports it
        out.append(Host(name, f"server.allowNavigation[{i}]", f"/server/allowNavigation/{i}", "navigation", wildcard=wildcard))
    return out


def local_host(document: JsonDocument | None) -> Host:
    value = _member(document, "/server/hostname")
    if isinstance(value, str) and value.strip():
        return Host(value.strip().lower(), "server.hostname", "/server/hostname", "local")
    return Host(DEFAULT_HOSTNAME, "server.hostname (default)", "", "local")


def schemes(document: JsonDocument | None) -> dict[str, str]:
    out = {}
    for key, default in DEFAULT_SCHEMES.items():
        value = _member(document, f"/server/{key}")
        out[key] = value if isinstance(value, str) and value else default
    return out


def app_hosts(document: JsonDocument | None, package_json: dict | None) -> list[Host]:
    """Every remote host a transport check applies to, once each: updater endpoints first, then navigation.

    One host named by several members (Capgo's three defaults share `plugin.capgo.app`)
    is one Host whose `member` lists them all and whose `pointer` is the first explicit one.
    """
    local = local_host(document).name
    merged: dict[tuple[str, str, bool], Host] = {}
    for host in updater_hosts(document, package_json) + navigation_hosts(document):
        if host.name == local:
            continue
        key = (host.name, host.role, host.wildcard)
        seen = merged.get(key)
        if seen is None:
            merged[key] = host
        else:
            merged[key] = Host(host.name, f"{seen.member}`, `{host.member}", seen.pointer or host.pointer, host.role, seen.url, host.wildcard)
    return list(merged.values())

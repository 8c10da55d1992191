"""Resolve URLs written in an app's manifest or pages against the app's own origin.

`urllib.parse.urljoin` resolves relative references only for schemes it knows,
and `isolated-app` is not one of them, so relative references are resolved
against a placeholder https origin and mapped back. An absolute
`isolated-app://` URL is same-origin when its host is the app's Web Bundle ID
(or, for a source folder whose ID is not known yet, any host).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
PLACEHOLDER = "iwa-audit-origin.invalid"
MANIFEST_PATH = "/.well-known/manifest.webmanifest"


@dataclass(frozen=True, slots=True)
class AppUrl:
    """Where a reference points: on the app's origin (with path, query, fragment) or elsewhere."""

    raw: str
    same_origin: bool
    scheme: str
    host: str
    path: str
    query: str
    fragment: str

    @property
    def has_query_or_fragment(self) -> bool:
        return bool(self.query or self.fragment)


def app_host(origin: str | None) -> str | None:
    """The Web Bundle ID in `isolated-app://<id>/`, or None when unknown (a source folder)."""
    if not origin:
        return None
    return urlsplit(origin).hostname


def resolve(ref: str, origin: str | None, base_path: str = MANIFEST_PATH) -> AppUrl | None:
    """Resolve `ref` as Chrome would against `base_path` on the app origin; None if unparseable."""
    ref = ref.strip(" \t\n\r\f")
    try:
        if SCHEME.match(ref):
            parts = urlsplit(ref)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            if scheme == "isolated-app":
                expected = app_host(origin)
                same = expected is None or host == expected.lower()
            else:
                same = False
            return AppUrl(ref, same, scheme, host, parts.path or "/", parts.query, parts.fragment)
        joined = urljoin(f"https://{PLACEHOLDER}{base_path}", ref.replace("\\", "/"))
        parts = urlsplit(joined)
        same = (parts.hostname or "") == PLACEHOLDER and parts.scheme == "https"
        host = (app_host(origin) or "") if same else (parts.hostname or "")
        return AppUrl(ref, same, "isolated-app" if same else parts.scheme, host, parts.path or "/", parts.query, parts.fragment)
    except ValueError:
        return None


def display(url: AppUrl) -> str:
    """A short form for messages: the path on the app, or the absolute URL elsewhere."""
    if url.same_origin:
        return url.path + (f"?{url.query}" if url.query else "") + (f"#{url.fragment}" if url.fragment else "")
    return url.raw


def url_kind(ref: str, origin: str | None, base_path: str = "/index.html") -> str:
    """What a URL in a page points at: `self` (the app), or the scheme elsewhere (`https`, `http`, `data`,
    `blob`, `javascript`, `ws`, `wss`, `isolated-app` for another app, ...)."""
    cleaned = ref.strip(" \t\n\r\f")
    if cleaned.startswith("//"):
        return "remote-host"  # protocol-relative: another host on the app's scheme
    resolved = resolve(cleaned, origin, base_path)
    if resolved is None:
        return "invalid"
    return "self" if resolved.same_origin else resolved.scheme or "invalid"


REMOTE_KINDS = frozenset({"https", "http", "remote-host", "isolated-app"})

"""URLs as Chrome canonicalises them for an Isolated Web App (`isolated-app://<id>/...`).

Chrome registers `isolated-app` as a standard scheme of type `SCHEME_WITH_HOST`
(a host, no port, no user info), so GURL resolves and canonicalises these URLs
with the rules of special URLs. We parse with `ada-url` (the WHATWG parser
Node.js uses) under a special stand-in scheme, and apply only what GURL does
differently for `SCHEME_WITH_HOST` (Chromium `url/url_canon_stdurl.cc`,
`url/url_parse.cc`, `url/url_canon_path.cc`):

* user info and port are not components of the URL: GURL parses the
  authority (user info up to the last `@`, port after the last `:` outside
  `[...]`) and drops both without validating them, so `:99999` or `:abc` are
  no error. We split the authority the same way before ada sees it.
* the path escapes `|` as well (`kPathCharLookup`), which WHATWG leaves as
  is, and decodes every `%2e`/`%2E` to `.` (`IsDot` in
  `DoPartialPathInternal`), where WHATWG decodes only whole dot segments: so
  `app%2ejs` is `/app.js` in Chrome. The segments both treat as `.`/`..` are
  the same, so decoding what ada left is exact.
* a key of a bundle index (`ParseExchangeURL`) must be UTF-8 without
  Unicode noncharacters (`base::IsStringUTF8`).

Everything else (trimming, tab/newline removal, `\\` as a separator, `%2e`
dot segments, dots above the root, host percent-decoding, IDNA mapping and
lower-casing, relative `isolated-app:x`, empty `?`/`#` kept) is ada's WHATWG
special-URL behaviour, which GURL matches for standard schemes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from ada_url import URL
from ada_url._ada_wrapper import lib as _ada

from auditor.engine.record import FrozenRecord, store_fields

ISOLATED_APP = "isolated-app"
PLACEHOLDER_HOST = "unknown-web-bundle-id"  # the origin's host while the app's ID is unknown
MANIFEST_PATH = "/.well-known/manifest.webmanifest"
STAND_IN = "https"  # a WHATWG special scheme; its default port never matters, ports never reach ada
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")  # url_canon_relative.cc IsValidScheme, WHATWG scheme state
TRIMMED = "".join(chr(c) for c in range(0x21))  # TrimURL / ShouldTrimFromURL: C0 controls and space
REMOVED = str.maketrans("", "", "\t\n\r")  # RemoveURLWhitespace: tab, LF, CR anywhere
SLASHES = "/\\"
AUTHORITY_END = "/\\?#"  # FindNextAuthorityTerminator for special URLs
CHROME_PATH_ESCAPES = {"|": "%7C"}  # escaped by GURL's path canonicaliser, not by WHATWG's
PATH_ESCAPES = str.maketrans(CHROME_PATH_ESCAPES)  # for str.translate: one pass in C, not a join per character
ESCAPED_DOT = re.compile(r"%2[eE]")  # decoded anywhere in a path by GURL, only as a dot segment by WHATWG


class ChromeUrl(FrozenRecord):
    """A URL as GURL holds it: `query`/`fragment` are None when absent and "" for a bare `?`/`#`."""

    __slots__ = ("credentials", "fragment", "host", "href", "path", "query", "scheme")
    href: str
    scheme: str
    host: str
    path: str
    query: str | None
    fragment: str | None
    credentials: bool  # user info present (only schemes that keep it: never isolated-app)

    def __init__(self, href: str, scheme: str, host: str, path: str, query: str | None = None, fragment: str | None = None, credentials: bool = False) -> None:
        store_fields(self, locals())

    @property
    def is_app(self) -> bool:
        return self.scheme == ISOLATED_APP

    @property
    def key(self) -> str:
        """What follows the origin (path, `?query`, `#fragment`) for an app URL; the whole URL otherwise."""
        return _tail(self.path, self.query, self.fragment) if self.is_app else self.href


def _tail(path: str, query: str | None, fragment: str | None) -> str:
    return path + ("" if query is None else "?" + query) + ("" if fragment is None else "#" + fragment)


def is_noncharacter(code_point: int) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane: `base::IsStringUTF8` refuses them."""
    return 0xFDD0 <= code_point <= 0xFDEF or (code_point & 0xFFFE) == 0xFFFE


def has_noncharacter(text: str) -> bool:
    return any(is_noncharacter(ord(c)) for c in text)


def _clean(ref: str) -> str:
    return ref.translate(REMOVED).strip(TRIMMED)


def _parse(text: str, base: str | None = None) -> URL | None:
    try:
        return URL(text, base)
    except (ValueError, UnicodeEncodeError):  # invalid, or lone surrogates from JSON text
        return None


def _from_ada(url: URL, scheme: str) -> ChromeUrl:
    query = url.search[1:] if _ada.ada_has_search(url.urlobj) else None
    fragment = url.hash[1:] if _ada.ada_has_hash(url.urlobj) else None
    if scheme != ISOLATED_APP:
        return ChromeUrl(url.href, scheme, url.hostname, url.pathname, query, fragment, bool(_ada.ada_has_credentials(url.urlobj)))
    path = ESCAPED_DOT.sub(".", url.pathname.translate(PATH_ESCAPES))
    return ChromeUrl(f"{ISOLATED_APP}://{url.hostname}{_tail(path, query, fragment)}", scheme, url.hostname, path, query, fragment)


def _host_of(authority: str) -> str:
    """The host part of an authority as `url_parse.cc` splits it (DoParseAuthority, ParseServerInfo)."""
    server = authority[authority.rfind("@") + 1 :]  # user info ends at the last `@`
    ipv6_end = len(server) if server.startswith("[") else -1
    colon = -1
    for i, c in enumerate(server):
        if c == "]":
            ipv6_end = i
        elif c == ":":
            colon = i
    return server[:colon] if colon > ipv6_end else server


def _with_authority(rest: str) -> ChromeUrl | None:
    """`rest` starts with the slashes before an authority: skip them all, drop user info and port."""
    after = rest.lstrip(SLASHES)
    end = next((i for i, c in enumerate(after) if c in AUTHORITY_END), len(after))
    host = _host_of(after[:end])
    if not host:
        return None  # "Host must not be empty for standard URLs"
    parsed = _parse(f"{STAND_IN}://{host}{after[end:]}")
    return None if parsed is None else _from_ada(parsed, ISOLATED_APP)


def _leading_slashes(text: str) -> int:
    return len(text) - len(text.lstrip(SLASHES))


def canonicalize(ref: str, base: ChromeUrl | None = None) -> ChromeUrl | None:
    """`GURL(base).Resolve(ref)` (or `GURL(ref)` without a base) for an `isolated-app:` base; None when invalid."""
    if base is not None and not base.is_app:
        raise ValueError("the base must be an isolated-app URL")
    text = _clean(ref)
    scheme = SCHEME.match(text)
    if scheme is not None and scheme.group()[:-1].lower() != ISOLATED_APP:
        other = _parse(text)  # another scheme: GURL and WHATWG agree closely enough, and it is off-origin
        return None if other is None else _from_ada(other, other.protocol[:-1])
    rest = text[scheme.end() :] if scheme is not None else text
    if _leading_slashes(rest) >= 2 or (scheme is not None and base is None):
        return _with_authority(rest)  # `isolated-app://…`, `//…` or `\\…`: an authority follows
    if base is None:
        return None  # a relative reference needs a base
    relative = f"{STAND_IN}:{rest}" if scheme is not None else text  # `isolated-app:x` is a relative path
    parsed = _parse(relative, f"{STAND_IN}://{base.host}{_tail(base.path, base.query, None)}")
    return None if parsed is None else _from_ada(parsed, ISOLATED_APP)


def origin_url(host: str | None) -> ChromeUrl:
    """`isolated-app://<host>/`, the base every index key resolves against."""
    return ChromeUrl(f"{ISOLATED_APP}://{host or PLACEHOLDER_HOST}/", ISOLATED_APP, host or PLACEHOLDER_HOST, "/")


def exchange_url(raw: str, host: str | None) -> ChromeUrl | str:
    """An index key resolved as `ParseExchangeURL` does against the app origin, or why Chrome refuses it.

    Query, fragment and (for other schemes) credentials are left to the caller:
    BND004 reports them.
    """
    if has_noncharacter(raw):
        return "holds a Unicode noncharacter (Chrome requires base::IsStringUTF8)"
    url = canonicalize(raw, origin_url(host))
    if url is None:
        return "is not a valid URL once resolved against the app origin"
    return url


def request_path(path: str) -> str | None:
    """The key Chrome looks a request up by: the canonical path, query and fragment removed; None when invalid.

    Chrome's IWA reader clears the query and the bundle reader the fragment
    before the lookup (`isolated_web_app_response_reader_impl.cc`).
    """
    url = canonicalize(path, origin_url(None))
    return url.path if url is not None and url.is_app else None


T = TypeVar("T")


def alias_groups(items: Iterable[T], url_of: Callable[[T], str | None]) -> dict[str, list[T]]:
    """Items grouped by canonical URL, each group in index order; a group's first item is the one Chrome serves.

    Chrome builds `base::flat_map<GURL, …>` from the entries in index order:
    a stable sort then unique, so the first of equal URLs is kept. Items whose
    URL is None (refused) are left out.
    """
    groups: dict[str, list[T]] = {}
    for item in items:
        url = url_of(item)
        if url is not None:
            groups.setdefault(url, []).append(item)
    return groups


def served(items: Iterable[T], url_of: Callable[[T], str | None]) -> list[T]:
    """The items Chrome keeps: the first of each canonical URL, in index order."""
    return [group[0] for group in alias_groups(items, url_of).values()]


# --- references written in an app's manifest and pages ---------------------------------------------


class AppUrl(FrozenRecord):
    """Where a reference points: on the app's origin (with path, query, fragment) or elsewhere."""

    __slots__ = ("fragment", "host", "path", "query", "raw", "same_origin", "scheme")
    raw: str
    same_origin: bool
    scheme: str
    host: str
    path: str
    query: str | None  # None when absent, "" for a bare `?`
    fragment: str | None  # None when absent, "" for a bare `#`

    def __init__(self, raw: str, same_origin: bool, scheme: str, host: str, path: str, query: str | None = None, fragment: str | None = None) -> None:
        store_fields(self, locals())

    @property
    def has_query_or_fragment(self) -> bool:
        return self.query is not None or self.fragment is not None


@lru_cache(maxsize=64)  # one origin per audit; asked for every URL a rule resolves
def app_host(origin: str | None) -> str | None:
    """The Web Bundle ID in `isolated-app://<id>/`, or None when unknown (a source folder)."""
    if not origin:
        return None
    url = canonicalize(origin)
    return url.host if url is not None and url.is_app else None


def resolve(ref: str, origin: str | None, base_path: str = MANIFEST_PATH) -> AppUrl | None:
    """Resolve `ref` as Chrome would against `base_path` on the app origin; None if GURL would be invalid.

    An absolute `isolated-app://` URL is same-origin when its host is the app's
    Web Bundle ID (or, for a source folder whose ID is not known yet, any host).
    """
    host = app_host(origin)
    base = _base(base_path, host)
    if base is None:
        return None
    url = canonicalize(ref, base)
    if url is None:
        return None
    same = url.is_app and (host is None or url.host == host)
    shown_host = (host or "") if same else url.host
    return AppUrl(ref, same, url.scheme, shown_host, url.path, url.query, url.fragment)


@lru_cache(maxsize=1024)  # a page's or script's own URL, the base of every URL it holds (ChromeUrl is frozen)
def _base(base_path: str, host: str | None) -> ChromeUrl | None:
    return canonicalize(base_path, origin_url(host))


def display(url: AppUrl) -> str:
    """A short form for messages: the path on the app, or the absolute URL elsewhere."""
    return _tail(url.path, url.query, url.fragment) if url.same_origin else url.raw


def url_kind(ref: str, origin: str | None, base_path: str = "/index.html") -> str:
    """What a URL in a page points at: `self` (the app), or the scheme elsewhere (`https`, `http`, `data`,
    `blob`, `javascript`, `ws`, `wss`, `isolated-app` for another app, ...)."""
    resolved = resolve(ref, origin, base_path)
    network_path = SCHEME.match(_clean(ref)) is None and _leading_slashes(_clean(ref)) >= 2
    if network_path and (resolved is None or not resolved.same_origin or origin is None):
        return "remote-host"  # protocol-relative: another host on the app's scheme
    if resolved is None:
        return "invalid"
    return "self" if resolved.same_origin else resolved.scheme or "invalid"


REMOTE_KINDS = frozenset({"https", "http", "remote-host", "isolated-app"})

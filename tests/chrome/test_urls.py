"""The URL canonicaliser against Chromium's results (GURL with `isolated-app` as SCHEME_WITH_HOST).

Each row: an index key, the URL Chrome resolves it to against
`isolated-app://<id>/` (None: `ParseExchangeURL` refuses it), and its class.
Path rows follow Chromium's `url/url_canon_unittest.cc` (Path cases, with the
current rule that percent-encoded characters other than `%2e` are kept as
written); the rest follow swbn-format §6.2 and `url_canon_stdurl.cc` (no port,
no user info for SCHEME_WITH_HOST).
"""

from __future__ import annotations

import pytest
from builders import ed25519_key, fullwidth, web_bundle_id

from auditor.chrome.urls import (
    MANIFEST_PATH,
    AppUrl,
    alias_groups,
    app_host,
    canonicalize,
    display,
    exchange_url,
    request_path,
    resolve,
    served,
    url_kind,
)

APP = web_bundle_id(ed25519_key(1))
OTHER = web_bundle_id(ed25519_key(2))
ORIGIN = f"isolated-app://{APP}"
M = MANIFEST_PATH

TABLE: list[tuple[str, str | None, str]] = [
    # plain relative keys, as wbn writes them
    ("", f"{ORIGIN}/", "plain"),
    ("./", f"{ORIGIN}/", "plain"),
    ("index.html", f"{ORIGIN}/index.html", "plain"),
    ("/index.html", f"{ORIGIN}/index.html", "plain"),
    ("./index.html", f"{ORIGIN}/index.html", "plain"),
    (".well-known/manifest.webmanifest", f"{ORIGIN}{M}", "plain"),
    # dot segments (url_canon_unittest Path cases)
    ("/././foo", f"{ORIGIN}/foo", "dot"),
    ("/./.foo", f"{ORIGIN}/.foo", "dot"),
    ("/foo/.", f"{ORIGIN}/foo/", "dot"),
    ("/foo/./", f"{ORIGIN}/foo/", "dot"),
    ("/foo/bar/..", f"{ORIGIN}/foo/", "dot"),
    ("/foo/bar/../", f"{ORIGIN}/foo/", "dot"),
    ("/foo/..bar", f"{ORIGIN}/foo/..bar", "dot"),
    ("/foo/bar/../ton", f"{ORIGIN}/foo/ton", "dot"),
    ("/foo/bar/../ton/../../a", f"{ORIGIN}/a", "dot"),
    ("/foo/../../..", f"{ORIGIN}/", "dot above root"),
    ("/foo/../../../ton", f"{ORIGIN}/ton", "dot above root"),
    ("../../app.js", f"{ORIGIN}/app.js", "dot above root"),
    # %2e dot segments, and %2e anywhere in a path (GURL's IsDot)
    ("/foo/%2e", f"{ORIGIN}/foo/", "%2e"),
    ("/foo/%2e%2", f"{ORIGIN}/foo/.%2", "%2e"),
    ("/foo/%2e./%2e%2e/.%2e/%2e.bar", f"{ORIGIN}/..bar", "%2e"),
    ("%2e/.well-known/manifest.webmanifest", f"{ORIGIN}{M}", "%2e"),
    ("/%2E/.well-known/manifest.webmanifest", f"{ORIGIN}{M}", "%2e"),
    ("%2e%2e/app.js", f"{ORIGIN}/app.js", "%2e"),
    ("a/%2E%2e/app.js", f"{ORIGIN}/app.js", "%2e"),
    ("app%2ejs", f"{ORIGIN}/app.js", "%2e"),
    (".well-known%2Fmanifest.webmanifest", f"{ORIGIN}/.well-known%2Fmanifest.webmanifest", "%2e near-miss: %2F is no separator"),
    # escapes kept as written, other characters escaped
    ("/%20foo", f"{ORIGIN}/%20foo", "escape"),
    ("/foo%", f"{ORIGIN}/foo%", "escape"),
    ("/foo%2zbar", f"{ORIGIN}/foo%2zbar", "escape"),
    ("/foo%41%7a", f"{ORIGIN}/foo%41%7a", "escape"),
    ("/(%28:%3A%29)", f"{ORIGIN}/(%28:%3A%29)", "escape"),
    ("/%3A%3a%3C%3c", f"{ORIGIN}/%3A%3a%3C%3c", "escape"),
    ("/%7Ffp3%3Eju%3Dduvgw%3Dd", f"{ORIGIN}/%7Ffp3%3Eju%3Dduvgw%3Dd", "escape"),
    ("/@asdf%40", f"{ORIGIN}/@asdf%40", "escape"),
    ("a b", f"{ORIGIN}/a%20b", "escape"),
    ('a"b', f"{ORIGIN}/a%22b", "escape"),
    ("a<b>", f"{ORIGIN}/a%3Cb%3E", "escape"),
    ("a{b}", f"{ORIGIN}/a%7Bb%7D", "escape"),
    ("a|b", f"{ORIGIN}/a%7Cb", "escape (GURL only)"),
    ("a^b", f"{ORIGIN}/a%5Eb", "escape"),
    ("a`b", f"{ORIGIN}/a%60b", "escape"),
    ("a'b", f"{ORIGIN}/a'b", "escape"),
    ("/\u4f60\u597d", f"{ORIGIN}/%E4%BD%A0%E5%A5%BD", "escape"),
    ("a\x7fb", f"{ORIGIN}/a%7Fb", "escape"),
    # backslashes are separators
    ("\\foo\\bar", f"{ORIGIN}/foo/bar", "backslash"),
    ("\\.well-known\\manifest.webmanifest", f"{ORIGIN}{M}", "backslash"),
    ("a\\..\\app.js", f"{ORIGIN}/app.js", "backslash"),
    # spaces and controls trimmed, tab/CR/LF removed
    (" app.js", f"{ORIGIN}/app.js", "trailing space"),
    ("app.js ", f"{ORIGIN}/app.js", "trailing space"),
    ("\x00app.js\x1f", f"{ORIGIN}/app.js", "trailing space"),
    ("ap\tp.js", f"{ORIGIN}/app.js", "tab/newline"),
    ("app\n.js\r", f"{ORIGIN}/app.js", "tab/newline"),
    # isolated-app:x is a relative reference
    ("isolated-app:app.js", f"{ORIGIN}/app.js", "isolated-app:x"),
    ("ISOLATED-APP:/app.js", f"{ORIGIN}/app.js", "isolated-app:x"),
    ("isolated-app:", f"{ORIGIN}/", "isolated-app:x"),
    ("isolated-app:\\app.js", f"{ORIGIN}/app.js", "isolated-app:x"),
    ("isolated-app:foo:bar", f"{ORIGIN}/foo:bar", "isolated-app:x"),
    ("isolat\ted-app:app.js", f"{ORIGIN}/app.js", "isolated-app:x"),
    # absolute, on the origin
    (f"isolated-app://{APP}/app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"isolated-app://{APP}", f"{ORIGIN}/", "absolute"),
    (f"ISOLATED-APP://{APP.upper()}/app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"isolated-app:\\\\{APP}\\app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"isolated-app:/\\{APP}/app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"isolated-app:///{APP}/app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"//{APP}/app.js", f"{ORIGIN}/app.js", "absolute"),
    (f"\\\\{APP}\\app.js", f"{ORIGIN}/app.js", "absolute"),
    # the host: percent-decoded, IDNA-mapped, lower-cased
    (f"isolated-app://{fullwidth(APP)}/app.js", f"{ORIGIN}/app.js", "fullwidth host"),
    (f"isolated-app://%{ord(APP[0]):02x}{APP[1:]}/app.js", f"{ORIGIN}/app.js", "percent-encoded host"),
    (f"isolated-app://%{ord(APP[0].upper()):02X}{APP[1:]}/app.js", f"{ORIGIN}/app.js", "percent-encoded host"),
    (f"isolated-app://{APP}./app.js", f"isolated-app://{APP}./app.js", "host near-miss: trailing dot"),
    (f"isolated-app://{OTHER}/app.js", f"isolated-app://{OTHER}/app.js", "other app"),
    # user info: dropped
    (f"isolated-app://user:pass@{APP}/app.js", f"{ORIGIN}/app.js", "user info"),
    (f"isolated-app://user@{APP}/app.js", f"{ORIGIN}/app.js", "user info"),
    (f"isolated-app://a@b@{APP}/app.js", f"{ORIGIN}/app.js", "user info"),
    (f"//user@{APP}/app.js", f"{ORIGIN}/app.js", "user info"),
    # port: dropped, whatever its text
    (f"isolated-app://{APP}:443/app.js", f"{ORIGIN}/app.js", "port"),
    (f"isolated-app://{APP}:1/app.js", f"{ORIGIN}/app.js", "port"),
    (f"isolated-app://{APP}:/app.js", f"{ORIGIN}/app.js", "port"),
    (f"isolated-app://{APP}:99999/app.js", f"{ORIGIN}/app.js", "port out of range"),
    (f"isolated-app://u:p@{APP}:99999999999999999999/app.js", f"{ORIGIN}/app.js", "port out of range"),
    (f"isolated-app://{APP}:abc/app.js", f"{ORIGIN}/app.js", "port out of range"),
    # empty ? and # still count
    ("app.js?", f"{ORIGIN}/app.js?", "empty ?"),
    ("app.js#", f"{ORIGIN}/app.js#", "empty #"),
    ("?", f"{ORIGIN}/?", "empty ?"),
    ("#", f"{ORIGIN}/#", "empty #"),
    ("app.js?v=1", f"{ORIGIN}/app.js?v=1", "query"),
    # other schemes stay what they are (off-origin)
    ("https://example.com/app.js", "https://example.com/app.js", "other scheme"),
    ("HTTPS://EXAMPLE.com:443/a", "https://example.com/a", "other scheme"),
    ("javascript:alert(1)", "javascript:alert(1)", "other scheme"),
    # refused by ParseExchangeURL
    ("isolated-app://:1/app.js", None, "empty host"),
    ("isolated-app://user@/app.js", None, "empty host"),
    ("isolated-app://exa mple/app.js", None, "bad host"),
    ("isolated-app://[::1/app.js", None, "bad host"),
    ("app\ufdd0.js", None, "noncharacter"),
    ("app\ufdef.js", None, "noncharacter"),
    ("app\U0001fffe.js", None, "noncharacter"),
    ("app\U0010ffff.js", None, "noncharacter"),
]


def test_table_is_large_and_covers_every_alias_class():
    classes = {c for _, _, c in TABLE}
    assert len(TABLE) >= 60
    for needed in ("%2e", "backslash", "fullwidth host", "percent-encoded host", "user info", "port", "port out of range", "isolated-app:x", "trailing space", "empty ?", "empty #", "noncharacter"):
        assert needed in classes


@pytest.mark.parametrize(("raw", "expected", "klass"), TABLE, ids=[f"{c}:{r!r}" for r, _, c in TABLE])
def test_index_key_canonicalises_as_chrome(raw, expected, klass):
    url = exchange_url(raw, APP)
    assert (None if isinstance(url, str) else url.href) == expected


def test_canonical_urls_are_fixed_points():
    for _raw, expected, _ in TABLE:
        if expected is not None and expected.startswith("isolated-app:"):
            again = canonicalize(expected)
            assert again is not None and again.href == expected


def test_empty_query_and_fragment_are_kept_apart_from_none():
    bare = exchange_url("app.js", APP)
    empty = exchange_url("app.js?#", APP)
    assert not isinstance(bare, str) and not isinstance(empty, str)
    assert (bare.query, bare.fragment, bare.key) == (None, None, "/app.js")
    assert (empty.query, empty.fragment, empty.key) == ("", "", "/app.js?#")


def test_noncharacters_are_refused_only_in_index_keys():
    assert exchange_url("a\ufdd0", APP) == "holds a Unicode noncharacter (Chrome requires base::IsStringUTF8)"
    assert exchange_url("a\ufdcf", APP) != exchange_url("a\ufdd0", APP)  # U+FDCF is a character
    url = resolve("a\ufdd0.png", f"isolated-app://{APP}/")  # a manifest member is just escaped
    assert url is not None and url.path == "/.well-known/a%EF%B7%90.png"


def test_nothing_crashes_on_hostile_text():
    for raw in ("\ud800", "isolated-app://\ud800/", "//" + "@" * 1000, "isolated-app://[", ":" * 500, "isolated-app://a:" + "9" * 5000 + "/x"):
        exchange_url(raw, APP)
        resolve(raw, f"isolated-app://{APP}/")
        url_kind(raw, None)


def test_request_path_drops_query_and_fragment():
    assert request_path("/%2e/app.js?v=1#x") == "/app.js"
    assert request_path("\\icons\\a.png") == "/icons/a.png"
    assert request_path("isolated-app://:1/") is None


def test_resolve_against_manifest_and_pages():
    origin = f"isolated-app://{APP}/"
    assert resolve("icons/a.png", origin) == AppUrl("icons/a.png", True, "isolated-app", APP, "/.well-known/icons/a.png")
    assert resolve("/", origin).path == "/"
    assert resolve(f"isolated-app://{OTHER}/", origin).same_origin is False
    assert resolve(f"isolated-app://{OTHER}/", None).same_origin is True  # a folder: the ID is not known yet
    start = resolve("/?a", origin)
    assert start.has_query_or_fragment and display(start) == "/?a"
    assert resolve("/", origin).has_query_or_fragment is False
    assert resolve("/?", origin).has_query_or_fragment is True
    assert app_host(origin) == APP and app_host(None) is None


def test_url_kind():
    origin = f"isolated-app://{APP}/"
    assert url_kind("app.js", origin) == "self"
    assert url_kind(f"//{APP}/app.js", origin) == "self"
    assert url_kind("//cdn.example/x.js", origin) == "remote-host"
    assert url_kind("\\\\cdn.example\\x.js", origin) == "remote-host"
    assert url_kind("//cdn.example/x.js", None) == "remote-host"
    assert url_kind("https://cdn.example/x.js", origin) == "https"
    assert url_kind(f"isolated-app://{OTHER}/", origin) == "isolated-app"
    assert url_kind("isolated-app://:1/", origin) == "invalid"


# --- alias detection: first in index order wins ------------------------------------------------


def test_alias_groups_keep_index_order_and_first_wins():
    keys = [".well-known/manifest.webmanifest", "a.js", "%2e/.well-known/manifest.webmanifest", "\\a.js", "b.js", "isolated-app://:1/"]
    url = lambda k: None if isinstance(exchange_url(k, APP), str) else exchange_url(k, APP).key  # noqa: E731
    groups = alias_groups(keys, url)
    assert list(groups) == [M, "/a.js", "/b.js"]
    assert groups[M] == [".well-known/manifest.webmanifest", "%2e/.well-known/manifest.webmanifest"]
    assert groups["/a.js"] == ["a.js", "\\a.js"]
    assert groups["/b.js"] == ["b.js"]
    assert served(keys, url) == [".well-known/manifest.webmanifest", "a.js", "b.js"]
    assert served(list(reversed(keys)), url) == ["b.js", "\\a.js", "%2e/.well-known/manifest.webmanifest"]


def test_distinct_urls_never_alias():
    for a, b in (("a.js", "a.js?"), ("a.js", "A.js"), ("a.js", "a%2Ejs/"), ("a", "a/"), ("a%7cb", "a%7Cb"), ("a%41", "aA")):
        assert exchange_url(a, APP).key != exchange_url(b, APP).key

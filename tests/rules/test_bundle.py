"""BND rules: each flagged on a bundle built to break one thing, and allowed on its neighbour."""

from __future__ import annotations

from pathlib import Path

from builders import Response, build_wbn, ed25519_key, sign, simple_app, web_bundle_id
from helpers import audit_lines

from auditor.readers import open_input

KEY = ed25519_key(1)
APP_ID = web_bundle_id(KEY)


def write(tmp_path: Path, data: bytes, name: str = "app.swbn") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def signed(tmp_path: Path, files: dict, **kwargs) -> tuple[Path, bytes]:
    data = sign(build_wbn(files, **kwargs), [KEY])
    return write(tmp_path, data), data


def test_bnd001_flags_b1_bundle(tmp_path):
    wbn = b"\x86" + build_wbn(simple_app(), version=b"b1\x00\x00")[1:]
    data = sign(wbn, [KEY])
    block_size = len(data) - len(wbn)
    assert audit_lines(write(tmp_path, data), "BND001") == [
        f"BND001 error <input>@{block_size} web bundle format version is `b1`; Chromium reads only `b2` (the responses were not audited)"
    ]


def test_bnd001_allows_b2_bundle(tmp_path):
    path, _ = signed(tmp_path, simple_app())
    assert audit_lines(path, "BND001") == []


def test_bnd002_flags_primary_url(tmp_path):
    path, data = signed(tmp_path, simple_app(), primary_url=f"isolated-app://{APP_ID}/")
    offset = data.index(f"isolated-app://{APP_ID}/".encode()) - 2  # the primary section's tstr head
    assert audit_lines(path, "BND002") == [
        f"BND002 error <input>@{offset} the bundle has a primary URL (`isolated-app://{APP_ID}/`); Chrome rejects IWA bundles that have one"
    ]


def test_bnd002_allows_bundle_without_primary_section(tmp_path):
    path, _ = signed(tmp_path, simple_app())
    assert audit_lines(path, "BND002") == []


def test_bnd003_flags_url_on_another_origin(tmp_path):
    path, data = signed(tmp_path, simple_app(**{"https://cdn.example/lib.js": "x"}))
    offset = data.index(b"https://cdn.example/lib.js") - 2  # a 2-byte tstr head
    assert audit_lines(path, "BND003") == [
        f"BND003 error https://cdn.example/lib.js@{offset} bundle URL `https://cdn.example/lib.js` is not on the app's origin; Chrome accepts only `isolated-app://<this id>/` URLs"
    ]


def test_bnd003_flags_isolated_app_url_of_another_app(tmp_path):
    other = web_bundle_id(ed25519_key(2))
    path, _ = signed(tmp_path, simple_app(**{f"isolated-app://{other}/x.js": "x"}))
    assert [line.split(" ")[0:2] for line in audit_lines(path, "BND003")] == [["BND003", "error"]]


def test_bnd003_allows_absolute_url_on_own_origin(tmp_path):
    path, _ = signed(tmp_path, simple_app(**{f"isolated-app://{APP_ID}/x.js": "x"}))
    assert audit_lines(path, "BND003") == []


def test_bnd003_allows_unsigned_bundle_built_with_isolated_app_base_url(tmp_path):
    files = {f"isolated-app://{APP_ID}/{k}": v for k, v in simple_app().items()}
    path = write(tmp_path, build_wbn(files), "app.wbn")
    assert audit_lines(path, "BND003") == []


def test_bnd004_flags_query(tmp_path):
    path, data = signed(tmp_path, simple_app(**{"app.js?v=3": "x"}))
    offset = data.index(b"app.js?v=3") - 1
    assert audit_lines(path, "BND004") == [
        f"BND004 error /app.js?v=3@{offset} bundle URL `app.js?v=3` has a query; Chrome rejects such IWA entries"
    ]


def test_bnd004_flags_fragment(tmp_path):
    path, _ = signed(tmp_path, simple_app(**{"page.html#top": "<p>"}))
    assert [line.split(" ", 2)[:2] for line in audit_lines(path, "BND004")] == [["BND004", "error"]]
    assert "has a fragment" in audit_lines(path, "BND004")[0]


def test_bnd004_allows_plain_path(tmp_path):
    path, _ = signed(tmp_path, simple_app(**{"app.3f2a.js": "x"}))
    assert audit_lines(path, "BND004") == []


def test_bnd005_flags_two_keys_for_one_url(tmp_path):
    files = simple_app()
    files["./"] = "<p>second</p>"
    path, data = signed(tmp_path, files)
    offset = data.index(b"\x62./")
    first = data.index(b"\x60\x82")  # the empty key, then its [offset, length]
    response = next(e.offset for e in open_input(path).index if e.raw_url == "")
    assert audit_lines(path, "BND005") == [
        f"BND005 error /@{first} 2 index keys name a page `/`: `` (key @{first}), `./` (key @{offset}); Chrome installs the first, `` (response @{response}), and never serves the others"
    ]


def test_bnd005_allows_distinct_urls(tmp_path):
    files = simple_app()
    files["./other/"] = "<p>other</p>"
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "BND005") == []


def test_bnd006_flags_wbn_style_redirect(tmp_path):
    files = simple_app(**{"index.html": Response(b"", {"location": "./"}, status="301")})
    path, _ = signed(tmp_path, files)
    (line,) = audit_lines(path, "BND006")
    assert line.startswith("BND006 warning /index.html@") and line.endswith("`/index.html` has status 301; Chrome will not load it in the app")


def test_bnd006_allows_200(tmp_path):
    path, _ = signed(tmp_path, simple_app())
    assert audit_lines(path, "BND006") == []


def test_bnd007_flags_upper_case_header_name(tmp_path):
    files = simple_app(**{"x.js": Response(b"1", {"content-type": "text/javascript", "X-Frame-Options": "DENY"})})
    path, _data = signed(tmp_path, files)
    (line,) = audit_lines(path, "BND007")
    assert line.startswith("BND007 error /x.js@")
    assert line.endswith("`/x.js`: header name `X-Frame-Options` is not a lower-case HTTP token")


def test_bnd007_flags_second_pseudo_header(tmp_path):
    files = simple_app(**{"x.js": Response(b"1", {"content-type": "text/javascript", ":path": "/x.js"})})
    path, _ = signed(tmp_path, files)
    (line,) = audit_lines(path, "BND007")
    assert "pseudo-header `:path`" in line


def test_bnd007_allows_lower_case_headers(tmp_path):
    files = simple_app(**{"x.js": Response(b"1", {"content-type": "text/javascript", "x-frame-options": "DENY"})})
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "BND007") == []


def test_bnd008_flags_payload_without_content_type(tmp_path):
    files = simple_app(**{"data.bin": Response(b"\x00\x01", {})})
    path, _ = signed(tmp_path, files)
    (line,) = audit_lines(path, "BND008")
    assert line.startswith("BND008 error /data.bin@") and line.endswith("`/data.bin` has a 2-byte payload and no content-type")


def test_bnd008_allows_empty_payload_without_content_type(tmp_path):
    files = simple_app(**{"empty": Response(b"", {})})
    path, _ = signed(tmp_path, files)
    assert audit_lines(path, "BND008") == []


def test_bnd009_flags_bytes_after_the_bundle(tmp_path):
    _, data = signed(tmp_path, simple_app())
    path = write(tmp_path, data + b"\x00" * 7)
    assert audit_lines(path, "BND009") == [f"BND009 note <input>@{len(data)} 7 bytes follow the web bundle"]


def test_bnd009_allows_exact_length(tmp_path):
    path, _ = signed(tmp_path, simple_app())
    assert audit_lines(path, "BND009") == []

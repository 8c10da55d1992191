"""Swbn-format §6.3 as Chrome reads a bundle: lazy responses, header values, the trailer, no count limits, v1 origins."""

from __future__ import annotations

from pathlib import Path

import cbor2
import pytest
from builders import Response, build_wbn, sign, simple_app
from helpers import audit_lines
from test_bundle import APP_ID, KEY, write

from auditor.cli import main
from auditor.engine.errors import InputError
from auditor.engine.limits import DEFAULT_LIMITS
from auditor.readers import open_input


def header_bundle(tmp_path: Path, value: str) -> tuple[Path, bytes]:
    files = simple_app(**{"x.txt": Response(b"x", {"content-type": "text/plain", "x-test": value})})
    data = sign(build_wbn(files), [KEY])
    return write(tmp_path, data), data


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("a\x01b", "the value holds the control character 0x01"),
        ("a\x7fb", "the value holds the control character 0x7f"),
        ("a\rb", "the value holds the control character 0x0d"),
        ("a\x00", "the value holds the control character 0x00"),
        (" a", "the value has leading or trailing whitespace"),
        ("a\t", "the value has leading or trailing whitespace"),
        ("\t", "the value has leading or trailing whitespace"),
    ],
)
def test_bnd007_flags_header_values_the_rust_parser_refuses(tmp_path, value, problem):
    path, _ = header_bundle(tmp_path, value)
    (line,) = audit_lines(path, "BND007")
    assert line.startswith("BND007 error /x.txt@") and line.endswith(f"`/x.txt`: header `x-test`: {problem}")


@pytest.mark.parametrize("value", ["a b", "a\tb", "", "caf\xe9", "~!"])
def test_bnd007_allows_interior_space_tab_obs_text_and_empty_values(tmp_path, value):
    path, _ = header_bundle(tmp_path, value)
    assert audit_lines(path, "BND007") == []


def test_bnd007_bad_header_value_does_not_stop_the_audit(tmp_path, capsys):
    path, _ = header_bundle(tmp_path, "a\x01")
    assert main([str(path), "--select", "BND"]) == 1


def broken(url: str, files: dict, raw: bytes) -> bytes:
    return sign(build_wbn(files, raw_responses={url: raw}), [KEY])


def test_bnd010_flags_a_malformed_response_and_the_audit_goes_on(tmp_path, capsys):
    files = simple_app(**{"bad.js": "x"})
    bad = cbor2.dumps([b"\xa0"])  # an array of 1, not 2
    data = broken("bad.js", files, bad)
    path = write(tmp_path, data)
    lines = audit_lines(path, "BND010")
    assert lines == [f"BND010 error /bad.js@{data.rindex(bad)} the response for `bad.js` cannot be read: response for `bad.js` must be an array of 2"]
    bundle = open_input(path)
    assert "/bad.js" not in bundle.resources and "/app.js" in bundle.resources
    assert main([str(path), "--select", "BND,SIG"]) == 1
    assert "BND010" in capsys.readouterr().out


def test_bnd010_flags_a_response_whose_length_disagrees_with_the_index(tmp_path):
    files = simple_app(**{"bad.js": "x"})
    encoded = cbor2.dumps([cbor2.dumps({b":status": b"200"}), b"x"])
    data = broken("bad.js", files, encoded + b"\x00")  # the index says one byte more
    (line,) = audit_lines(write(tmp_path, data), "BND010")
    assert f"is {len(encoded)} bytes but the index says {len(encoded) + 1}" in line and line.startswith("BND010 error /bad.js@")


def test_bnd010_allows_well_formed_responses(tmp_path):
    path = write(tmp_path, sign(build_wbn(simple_app()), [KEY]))
    assert audit_lines(path, "BND010") == []


def test_a_broken_first_alias_is_not_replaced_by_the_second(tmp_path):
    files = {**simple_app(), "a.js": "1", "./a.js": "2"}
    data = broken("a.js", files, cbor2.dumps(["x", "y"]))
    bundle = open_input(write(tmp_path, data))
    assert "/a.js" not in bundle.resources  # Chrome serves the first key's response, which fails
    assert [p.code for p in bundle.problems if p.resource == "/a.js"] == ["response-malformed"]
    assert [(e.raw_url, e.key) for e in bundle.index if e.key == "/a.js"] == [("a.js", "/a.js"), ("./a.js", "/a.js")]  # BND005 reports the group


def test_bnd009_notes_a_signed_bundle_without_trailing_length(tmp_path):
    wbn = build_wbn(simple_app(), trailer=False)
    data = sign(wbn, [KEY])
    path = write(tmp_path, data)
    (line,) = audit_lines(path, "BND009")
    assert line.startswith(f"BND009 note <input>@{len(data)} no trailing length after the sections")
    assert audit_lines(path, "SIG005,SIG006,BND010") == []
    assert main([str(path), "--select", "BND009", "--fail-level", "warning"]) == 0


def test_a_wbn_still_needs_its_trailing_length(tmp_path):
    path = write(tmp_path, build_wbn(simple_app(), trailer=False), "app.wbn")
    with pytest.raises(InputError, match="bundle length"):
        open_input(path)


def test_bnd009_signed_bundle_with_trailer_has_no_note(tmp_path):
    path = write(tmp_path, sign(build_wbn(simple_app()), [KEY]))
    assert audit_lines(path, "BND009") == []


def test_bnd008_warns_on_an_empty_content_type(tmp_path):
    files = simple_app(**{"blank.js": Response(b"1", {"content-type": ""})})
    (line,) = audit_lines(write(tmp_path, sign(build_wbn(files), [KEY])), "BND007,BND008")
    assert line.startswith("BND008 warning /blank.js@") and line.endswith("`/blank.js` has an empty content-type; Chrome serves it, but without a MIME type scripts, styles and module workers are refused")


def test_bnd008_missing_content_type_stays_an_error(tmp_path):
    files = simple_app(**{"none.js": Response(b"1", {})})
    (line,) = audit_lines(write(tmp_path, sign(build_wbn(files), [KEY])), "BND008")
    assert line.startswith("BND008 error /none.js@")


def test_bundles_are_not_limited_by_max_resources(tmp_path):
    files = simple_app(**{f"f{i}.js": str(i) for i in range(40)})
    path = write(tmp_path, sign(build_wbn(files), [KEY], attributes={f"a{i}": i for i in range(40)}))
    limits = DEFAULT_LIMITS.with_overrides({"max_resources": 3})
    bundle = open_input(path, limits=limits)
    assert len(bundle.resources) == 43 and bundle.integrity.rejection() is None


def test_folders_keep_max_resources(tmp_path, app):
    root = app({"a.html": "a", "b.html": "b", "c.html": "c"})
    from auditor.engine.errors import LimitExceeded

    with pytest.raises(LimitExceeded, match="max_resources"):
        open_input(root, limits=DEFAULT_LIMITS.with_overrides({"max_resources": 2}))


def test_cbor_depth_limit_is_reached_in_a_signature_attribute(tmp_path):
    deep = b"\x81" * 40 + b"\x00"
    data = sign(build_wbn(simple_app()), [KEY], entry_extra_raw=((cbor2.dumps("x"), deep),))
    from auditor.engine.errors import LimitExceeded

    with pytest.raises(LimitExceeded, match="max_cbor_depth"):
        open_input(write(tmp_path, data))


def test_v1_block_takes_the_origin_from_the_signer_key(tmp_path):
    data = sign(build_wbn(simple_app()), [KEY], version=b"1b\x00\x00")
    path = write(tmp_path, data)
    assert open_input(path).origin == f"isolated-app://{APP_ID}/"
    lines = audit_lines(path, "SIG002,BND003")
    assert [line.split(" ")[0] for line in lines] == ["SIG002"]


def test_v1_block_still_reports_a_foreign_url(tmp_path):
    files = simple_app(**{"https://example.com/x.js": "1"})
    lines = audit_lines(write(tmp_path, sign(build_wbn(files), [KEY], version=b"1b\x00\x00")), "BND003")
    assert len(lines) == 1 and "`https://example.com/x.js` is not on the app's origin" in lines[0]

"""Chromium's web bundle format limits, each reached at its boundary and one byte below.

Chromium (components/web_package/web_bundle_parser.cc): section-lengths
must be smaller than 8 KiB, the index/critical/primary sections at most
1 MiB, a response's header map smaller than 512 KiB.
"""

from __future__ import annotations

from pathlib import Path

import cbor2
import pytest
from builders import WBN_MAGIC, Response, build_wbn, ed25519_key, sign, simple_app
from helpers import audit_lines

from auditor.engine.errors import Malformed
from auditor.readers import open_input
from auditor.readers.web_bundle import MAX_METADATA_SECTION, MAX_RESPONSE_HEADERS, MAX_SECTION_LENGTHS

KEY = ed25519_key(1)


def write(tmp_path: Path, wbn: bytes) -> Path:
    path = tmp_path / "app.swbn"
    path.write_bytes(sign(wbn, [KEY]))
    return path


def lengths_of(size: int) -> bytes:
    """A bundle start whose section-lengths byte string is exactly `size` bytes (a padding name, then `responses`)."""
    pairs = ["p" * (size - 16), 0, "responses", 1]
    assert len(cbor2.dumps(pairs)) == size
    return b"\x85\x48" + WBN_MAGIC + cbor2.dumps(b"b2\x00\x00") + cbor2.dumps(cbor2.dumps(pairs)) + b"\x81\x80"


def test_section_lengths_of_8_kib_is_refused(tmp_path):
    with pytest.raises(Malformed, match=f"section-lengths is {MAX_SECTION_LENGTHS} bytes; Chromium requires fewer than {MAX_SECTION_LENGTHS}"):
        open_input(write(tmp_path, lengths_of(MAX_SECTION_LENGTHS)))


def test_section_lengths_one_byte_under_8_kib_is_read_on(tmp_path):
    with pytest.raises(Malformed, match="1 sections but 2 section-lengths entries"):
        open_input(write(tmp_path, lengths_of(MAX_SECTION_LENGTHS - 1)))


def primary_of(size: int) -> bytes:
    """A bundle whose `primary` section (a CBOR text string) is exactly `size` bytes."""
    url = "/" + "a" * (size - 6)
    assert len(cbor2.dumps(url)) == size
    return build_wbn(simple_app(), primary_url=url)


def test_a_metadata_section_over_1_mib_is_refused(tmp_path):
    with pytest.raises(Malformed, match=f"section `primary` is {MAX_METADATA_SECTION + 1} bytes; Chromium allows at most {MAX_METADATA_SECTION}"):
        open_input(write(tmp_path, primary_of(MAX_METADATA_SECTION + 1)))


def test_a_metadata_section_of_1_mib_is_read(tmp_path):
    assert "/" in open_input(write(tmp_path, primary_of(MAX_METADATA_SECTION))).resources


def headers_of(size: int) -> dict:
    """Files whose /x.js response has a header map of exactly `size` bytes."""
    def headers(pad: int) -> dict[str, str]:
        return {"content-type": "text/javascript", "x-pad": "a" * pad}

    def encoded(pad: int) -> int:
        return len(cbor2.dumps({b":status": b"200", **{k.encode(): v.encode() for k, v in headers(pad).items()}}))

    pad = size - (encoded(70_000) - 70_000)
    assert encoded(pad) == size
    return simple_app(**{"x.js": Response(b"1", headers(pad))})


def test_response_headers_of_512_kib_are_bnd007(tmp_path):
    path = write(tmp_path, build_wbn(headers_of(MAX_RESPONSE_HEADERS)))
    (line,) = audit_lines(path, "BND007")
    assert line.startswith("BND007 error /x.js@")
    assert line.endswith(f"`/x.js`: response headers are {MAX_RESPONSE_HEADERS} bytes; Chromium requires fewer than {MAX_RESPONSE_HEADERS}")


def test_response_headers_one_byte_under_512_kib_are_read(tmp_path):
    path = write(tmp_path, build_wbn(headers_of(MAX_RESPONSE_HEADERS - 1)))
    assert audit_lines(path, "BND007") == []
    assert len(open_input(path).resources["/x.js"].headers["x-pad"]) > 500_000

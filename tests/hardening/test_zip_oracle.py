"""The OTA zip views against Python's `zipfile`, the reader most tools and reviewers use.

Two properties, on zips that Python's `zipfile` writes (random names, UTF-8
ones too, stored and deflated members at any level, empty files, folders,
comments, extra fields, zip64 local headers, data descriptors from an
unseekable stream):

* well-formed: the Android view, the iOS view and `zipfile` list the same
  names, sizes, bytes and file types, and the audit reports nothing about
  the archive (where zipfile writes what Android refuses, a stored member or
  a small zip64 member with a data descriptor, the audit says so: OTA017);
* one mutation (a bit flip, an overwritten run, a truncation, an inserted
  or deleted run, anywhere): when `zipfile`, extracting every member with its
  CRC checked, fails or extracts other names or bytes, the audit of the
  mutated zip reports an archive error or an input error. Never a crash.

IWA_FUZZ_EXAMPLES raises the example counts for a longer hunt
(`IWA_FUZZ_EXAMPLES=3000 pytest tests/hardening/test_zip_oracle.py`).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.capgo.zip_views import android_kind, android_name, android_size, served_path
from auditor.engine.catalogue import all_rules
from auditor.engine.findings import Level
from auditor.engine.pipeline import audit
from auditor.engine.registry import RuleSet
from auditor.engine.runner import Report

RULES = RuleSet(all_rules())
EXAMPLES = int(os.environ.get("IWA_FUZZ_EXAMPLES", "0"))  # 0: the CI budget below; raise it for a longer hunt
WELL_FORMED = settings(max_examples=EXAMPLES or 40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MUTATED = settings(max_examples=EXAMPLES or 120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# What says "this archive is not what it seems" (OTA007 and OTA010 judge content, OTA001/OTA002 the app).
ARCHIVE_RULES = frozenset({"OTA003", "OTA004", "OTA005", "OTA006", "OTA008", "OTA009", "OTA017", "AUD001", "AUD003"})


# --- zips written by Python's zipfile ----------------------------------------------------------

segments = st.text(st.characters(codec="utf-8", exclude_characters="/\\\0"), min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
paths = st.lists(segments, min_size=1, max_size=3).map(tuple)
EXTRAS = [b"", b"UT\x05\x00\x03\x00\x00\x00\x00", b"\xfe\xca\x00\x00", b"\x0a\x00\x04\x00abcd", b"\x99\x99\x02\x00\x01\x02"]


@dataclass(frozen=True)
class Written:
    """A zip `zipfile` wrote, and what it should extract to."""

    data: bytes
    content: tuple[tuple[str, bytes], ...]   # (name, bytes) in directory order; folders end with `/`
    unseekable: bool
    zip64: bool                              # some member was written with force_zip64


class Unseekable(io.RawIOBase):
    """A write-only stream `zipfile` cannot seek back into: it then writes data descriptors."""

    def __init__(self) -> None:
        self.written = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.written += b
        return len(b)


@st.composite
def written_zips(draw, max_members: int = 6, max_body: int = 300, android_safe: bool = False) -> Written:
    """A zip from `zipfile`; `android_safe` leaves out what Android refuses (descriptors on stored or zip64 members)."""
    files = draw(st.lists(paths, min_size=1, max_size=max_members, unique=True))
    files = [f for f in files if not any(other[: len(f)] == f and other != f for other in files)]  # no file where a folder is
    folders = sorted({f[:i] for f in files for i in range(1, len(f))})
    listed = [("dir", f) for f in folders if draw(st.booleans())] + [("dir", f) for f in draw(st.lists(paths, max_size=2)) if f not in files and f not in folders and not any(x[: len(f)] == f for x in files)]
    listed = list(dict.fromkeys(listed)) + [("file", f) for f in files]
    order = draw(st.permutations(listed))
    unseekable = draw(st.booleans())
    stream = Unseekable() if unseekable else io.BytesIO()
    content: list[tuple[str, bytes]] = []
    zip64 = False
    with zipfile.ZipFile(stream, "w") as archive:
        for kind, parts in order:
            name = "/".join(parts) + ("/" if kind == "dir" else "")
            if kind == "dir":
                if draw(st.booleans()) or (android_safe and unseekable):
                    archive.mkdir(name)  # no data descriptor, even on an unseekable stream
                else:
                    archive.writestr(name, b"")  # writestr of a `/` name: a stored, empty folder entry
                content.append((name, b""))
                continue
            body = draw(st.one_of(st.just(b""), st.binary(max_size=max_body), st.text(max_size=max_body).map(str.encode)))
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if android_safe and unseekable else draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            info.create_system = draw(st.sampled_from([0, 3]))
            info.external_attr = draw(st.sampled_from([0, 0o100644 << 16, 0o100755 << 16, 0x20]))
            info.comment = draw(st.sampled_from([b"", b"note", "\u00e9".encode()]))
            info.extra = draw(st.sampled_from(EXTRAS))
            setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", draw(st.integers(0, 9)))  # public from 3.13
            force = draw(st.integers(0, 7)) == 0 and not (android_safe and unseekable)
            zip64 |= force
            with archive.open(info, "w", force_zip64=force) as target:
                target.write(body)
            content.append((name, body))
        archive.comment = draw(st.sampled_from([b"", b"built by a test", b"\x00" * 30]))
    data = bytes(stream.written if unseekable else stream.getvalue())
    return Written(data, tuple(content), unseekable, zip64)


def zipfile_content(data: bytes) -> list[tuple[str, bytes]] | None:
    """What `zipfile.extractall` writes, every file read with its CRC checked; None when anything fails.

    A folder entry is made, never read (`_extract_member`), as on both devices: its declared sizes do not matter.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, b"" if info.is_dir() else archive.read(info)) for info in archive.infolist()]
    except Exception:  # the oracle: any failure of zipfile counts
        return None


def inflated(data: bytes, method: int, offset: int, length: int) -> bytes:
    raw = data[offset : offset + length]
    return raw if method == zipfile.ZIP_STORED else zlib.decompressobj(-15).decompress(raw)


def audited(data: bytes) -> Report:
    """The real pipeline on the bytes, as `iwa-audit bundle.zip` runs it: never a traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.zip"
        path.write_bytes(data)
        report = audit(path, rules=RULES)
        if report.bundle is not None and report.bundle.archive is not None:
            for resource in report.bundle.resources.values():  # every body reads within its size, and not past it
                assert len(resource.body.read(1 << 20)) <= resource.size
        return report


def crashed(report: Report) -> list[str]:
    return [f.message for f in report.findings if f.rule_id == "AUD002"]


def archive_errors(report: Report) -> list[str]:
    return [f"{f.rule_id} {f.message}" for f in report.active() if f.rule_id in ARCHIVE_RULES and f.level >= Level.ERROR]


# --- (a) well-formed zips: identical views -----------------------------------------------------


@WELL_FORMED
@given(written_zips())
def test_zips_written_by_zipfile_give_views_identical_to_zipfile(written):
    data = written.data
    reference = zipfile.ZipFile(io.BytesIO(data))
    expected = [(i.filename, i.file_size, reference.read(i), "directory" if i.is_dir() else "file") for i in reference.infolist()]
    assert [(name, body) for name, _, body, _ in expected] == list(written.content)
    report = audited(data)
    assert not crashed(report), crashed(report)
    views = report.bundle.archive.views
    ios = [(e.name, e.size, inflated(data, e.method, e.data_offset, e.data_length), e.kind) for e in views.ios.entries]
    assert views.ios.failure is None and views.ios.stopped is None
    assert ios == expected
    assert [(e.name, e.size) for e in views.python.entries] == [(name, size) for name, size, _, _ in expected]
    android = [(android_name(e), android_size(e), inflated(data, e.method, e.data_offset, e.data_length), android_kind(e)) for e in views.android.entries]
    if written.unseekable and any(e.flags & 0x8 and (e.method == zipfile.ZIP_STORED or written.zip64) for e in views.ios.entries):
        # zipfile writes a descriptor on stored members, and a 24-byte one on small zip64 members:
        # ZipInputStream refuses the first and reads 16 bytes of the second (an empty last member is still right)
        assert android == expected or archive_errors(report)
        return
    assert views.android.failure is None, views.android.failure
    assert android == expected
    assert archive_errors(report) == [] and [f.message for f in report.active() if f.rule_id in ARCHIVE_RULES] == []
    for name, _, body, kind in expected:  # every file is served with the bytes zipfile extracts
        if kind == "file":
            (resource,) = [r for r in report.bundle.resources.values() if r.source_path == name]
            assert resource.body.read(1 << 20) == body and resource.path == served_path(name, report.bundle.archive.flattened_root)


# --- (b) one mutation: zipfile's verdict is the oracle -----------------------------------------

SIGNATURES = (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08")
FIELDS = {  # field offsets after each signature: where a mutation changes what a reader decides
    b"PK\x03\x04": (4, 6, 8, 10, 14, 18, 22, 26, 28, 30),
    b"PK\x01\x02": (4, 6, 8, 10, 12, 16, 20, 24, 28, 30, 32, 34, 36, 38, 42, 46),
    b"PK\x05\x06": (4, 6, 8, 10, 12, 16, 20, 22),
    b"PK\x07\x08": (4, 8, 12, 16),
}
RUNS = st.one_of(
    st.binary(min_size=1, max_size=8),
    st.sampled_from([b"\x00", b"\xff", b"\x00\x00", b"\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x08\x00", b"\x01\x00", b"/", b"\x80", *SIGNATURES]),
)


def landmarks(data: bytes) -> list[int]:
    """Offsets of every signature and of the header fields after it."""
    found = []
    for signature, fields in FIELDS.items():
        at = data.find(signature)
        while at >= 0:
            found += [at, *(at + f for f in fields)]
            at = data.find(signature, at + 1)
    return sorted({a for a in found if a < len(data)}) or [0]


@st.composite
def mutations(draw, data: bytes) -> tuple[str, bytes]:
    """One contiguous change: (what it was, the mutated bytes)."""
    kind = draw(st.sampled_from(["flip", "overwrite", "truncate", "insert", "delete"]))
    near = draw(st.sampled_from(landmarks(data))) + draw(st.integers(-2, 2))  # a header field, or anywhere:
    at = min(max(near, 0), len(data) - 1) if draw(st.booleans()) else draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        bit = draw(st.integers(0, 7))
        return f"flip bit {bit} at {at}", data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    if kind == "overwrite":
        run = draw(RUNS)
        return f"overwrite {run!r} at {at}", data[:at] + run + data[at + len(run) :]
    if kind == "truncate":
        return f"truncate to {at} bytes", data[:at]
    if kind == "insert":
        run = draw(RUNS)
        return f"insert {run!r} at {at}", data[:at] + run + data[at:]
    length = draw(st.integers(1, 16))
    return f"delete {length} bytes at {at}", data[:at] + data[at + length :]


@MUTATED
@given(st.data())
def test_a_mutation_zipfile_notices_is_an_archive_error_or_an_input_error(draw):
    written = draw.draw(written_zips(max_members=4, max_body=120, android_safe=True), label="zip")  # audits clean: the test above
    original = zipfile_content(written.data)
    what, data = draw.draw(mutations(written.data), label="mutation")
    report = audited(data)
    assert not crashed(report), (what, crashed(report))
    seen = zipfile_content(data)
    if seen is not None and sorted(seen) == sorted(original):
        return  # zipfile extracts the same files: nothing is required
    assert archive_errors(report), (
        f"{what}: zipfile {'fails' if seen is None else 'extracts other content'}, the audit reports no archive error "
        f"({[f.rule_id + ' ' + f.message for f in report.active()]})"
    )

"""The one in-memory model of an audited input.

Every reader (folder, .wbn, .swbn, OTA zip, JSON documents) produces a
`Bundle`. Bodies are views or lazily opened files, never copies of the whole
input. Only readers construct these objects; rules read them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from auditor.engine.problems import ProblemCode
from auditor.engine.record import FrozenRecord, store_fields


class InputKind(enum.StrEnum):
    """What the audited input is; rules declare which kinds they apply to."""

    FOLDER = "folder"                      # an IWA's built source folder
    WBN = "wbn"                            # unsigned Web Bundle
    SWBN = "swbn"                          # Signed Web Bundle
    OTA_ZIP = "ota-zip"                    # Capacitor OTA update bundle
    UPDATE_MANIFEST = "update-manifest"    # IWA update manifest JSON
    CAPACITOR_CONFIG = "capacitor-config"  # capacitor.config.{json,ts,js}
    UPDATE_RESPONSE = "update-response"    # Capgo self-hosted update response JSON
    CAPACITOR_PROJECT = "capacitor-project"  # a capacitor.config.* beside android/ and/or ios/


IWA_KINDS = frozenset({InputKind.FOLDER, InputKind.WBN, InputKind.SWBN})
BUNDLE_KINDS = frozenset({InputKind.WBN, InputKind.SWBN})
WEB_CONTENT_KINDS = frozenset({InputKind.FOLDER, InputKind.WBN, InputKind.SWBN, InputKind.OTA_ZIP})


MAPPED_SEARCH_BYTES = 1024 * 1024  # a file searched beyond this is memory-mapped; up to it, read (one call, no mmap import)


class Body:
    """A resource payload: its size plus a way to read it, bounded by the caller.

    Backed by a memoryview over a memory map (bundles), a file path (folders)
    or a callable (zip members). `read()` returns bytes only up to `limit`.
    """

    __slots__ = ("_opener", "_path", "_release", "_view", "size", "withheld")

    def __init__(
        self,
        size: int,
        *,
        view: memoryview | bytes | None = None,
        path: Path | None = None,
        opener: Callable[[int], bytes] | None = None,
        withheld: bool = False,
        release: Callable[[], None] | None = None,
    ) -> None:
        self.size = size
        self._release = release  # drops a memory-mapped view's pages from the resident set after each use
        self.withheld = withheld  # the reader refused to read it and reports why itself
        self._view = view
        self._path = path
        self._opener = opener

    def read(self, limit: int | None = None) -> bytes:
        """The first `limit` bytes (all when None) as a bytes copy of just this body."""
        n = self.size if limit is None else min(limit, self.size)
        if self._view is not None:
            data = bytes(self._view[:n])
            if self._release is not None:
                self._release()
            return data
        if self._path is not None:
            with open(self._path, "rb") as handle:
                return handle.read(n)
        if self._opener is not None:
            return self._opener(n)
        return b""

    def search(self, pattern: re.Pattern[bytes], limit: int) -> tuple[int, int, int, int] | None:
        """(start, end, line, column) of the first match of a bytes pattern, or None.

        Searched in place, never decoded: a view as it is, a file through a
        read-only memory map (read whole up to `MAPPED_SEARCH_BYTES`: for a
        small file one read costs less than a mapping, and mmap's import), a
        zip member by one bounded read that is not kept.
        Line and column (1-based, code points) are worked out only on a match.
        """
        if self.size == 0:
            return None
        if self._view is not None:
            found = _located(pattern.search(self._view, 0, min(limit, self.size)), self._view)
            if self._release is not None:
                self._release()  # a scan touches every page of the body: none stays resident
            return found
        if self._path is not None and min(limit, self.size) > MAPPED_SEARCH_BYTES:
            import mmap

            with open(self._path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                return _located(pattern.search(mapped, 0, min(limit, self.size)), mapped)
        chunks = getattr(self._opener, "chunks", None)
        if chunks is not None:
            return _search_chunks(pattern, chunks(min(limit, self.size)))
        data = self.read(limit)
        return _located(pattern.search(data), data)

    def view(self) -> memoryview | None:
        """Zero-copy view when the body lives in a memory map, else None."""
        if self._view is None:
            return None
        return memoryview(self._view)


def _located(match: re.Match[bytes] | None, data) -> tuple[int, int, int, int] | None:
    if match is None:
        return None
    start = match.start()
    line_start = data.rfind(b"\n", 0, start) + 1 if hasattr(data, "rfind") else bytes(data[:start]).rfind(b"\n") + 1
    line = (data.count(b"\n", 0, start) if hasattr(data, "count") else bytes(data[:start]).count(b"\n")) + 1
    column = len(bytes(data[line_start:start]).decode("utf-8", "replace")) + 1
    return start, match.end(), line, column


def _search_chunks(pattern: re.Pattern[bytes], chunks) -> tuple[int, int, int, int] | None:
    """`Body.search` over pieces, keeping only a 4 KiB overlap between them (matches are short).

    The column is in code points when the line starts inside the kept window,
    else in bytes from the line start.
    """
    overlap = 4096
    carry, base, newlines, last_newline = b"", 0, 0, -1
    for chunk in chunks:
        buffer = carry + chunk
        match = pattern.search(buffer)
        if match is not None:
            start = match.start()
            line = newlines + buffer.count(b"\n", 0, start) + 1
            at = buffer.rfind(b"\n", 0, start)
            if at >= 0 or last_newline + 1 == base:
                line_start = at + 1
                column = len(buffer[line_start:start].decode("utf-8", "replace")) + 1
            else:
                column = base + start - last_newline
            return base + start, base + match.end(), line, column
        keep = max(0, len(buffer) - overlap)
        newlines += buffer.count(b"\n", 0, keep)
        at = buffer.rfind(b"\n", 0, keep)
        if at >= 0:
            last_newline = base + at
        base += keep
        carry = buffer[keep:]
    return None


EMPTY_BODY = Body(0, view=b"")


class Resource(FrozenRecord):
    """One response (bundle) or file (folder, archive), addressed by its path on the app origin."""

    __slots__ = ("body", "byte_range", "header_names_raw", "headers", "path", "raw_url", "source_path", "status")
    path: str                          # "/index.html", "/" for the root document
    status: int
    headers: Mapping[str, str]         # lower-case names
    body: Body
    raw_url: str | None                # the key as written in the bundle index
    source_path: str | None            # file path relative to the input root (folders, zips)
    byte_range: tuple[int, int] | None  # (offset, length) of the response in the container
    header_names_raw: tuple[str, ...]  # header names exactly as stored (case preserved)

    def __init__(
        self,
        path: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        body: Body = EMPTY_BODY,
        raw_url: str | None = None,
        source_path: str | None = None,
        byte_range: tuple[int, int] | None = None,
        header_names_raw: tuple[str, ...] = (),
    ) -> None:
        headers = {} if headers is None else headers
        store_fields(self, locals())

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def mime_type(self) -> str:
        """The essence of the content type (no parameters), lower case."""
        value = self.content_type or ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def size(self) -> int:
        return self.body.size


class IndexEntry(FrozenRecord):
    """One key of a Web Bundle index exactly as written, with where it points."""

    __slots__ = ("key", "key_offset", "length", "offset", "raw_url", "resolved_url")
    raw_url: str
    resolved_url: str | None  # the URL Chrome canonicalises it to (GURL spec); None when Chrome refuses it
    offset: int               # absolute offset of the response in the file
    length: int
    key_offset: int | None    # where the key sits in the file
    key: str | None           # the resource key it names: the path (with any ?query/#fragment) on the app origin, else the URL

    def __init__(self, raw_url: str, resolved_url: str | None, offset: int, length: int, key_offset: int | None = None, key: str | None = None) -> None:
        store_fields(self, locals())


class SignatureType(enum.StrEnum):
    ED25519 = "ed25519"
    ECDSA_P256 = "ecdsa-p256"
    UNKNOWN = "unknown"


class Signature(FrozenRecord):
    """One signature-stack entry, with the verification result."""

    __slots__ = ("attributes", "byte_range", "index", "problem", "public_key", "signature", "type", "valid")
    index: int
    type: SignatureType
    public_key: bytes
    signature: bytes
    valid: bool | None  # None: not checked (unknown type)
    problem: str | None  # why it is invalid or malformed
    byte_range: tuple[int, int] | None
    attributes: Mapping[str, object]

    def __init__(
        self,
        index: int,
        type: SignatureType,
        public_key: bytes,
        signature: bytes,
        valid: bool | None,
        problem: str | None = None,
        byte_range: tuple[int, int] | None = None,
        attributes: Mapping[str, object] | None = None,
    ) -> None:
        attributes = {} if attributes is None else attributes
        store_fields(self, locals())


class IntegrityBlock(FrozenRecord):
    """A Signed Web Bundle integrity block as read, and what it proves."""

    __slots__ = ("attributes", "derived_ids", "problems", "signatures", "size", "version", "web_bundle_id")
    version: str                       # "2b" or "1b" (rejected by Chromium)
    size: int                          # bytes, i.e. where the web bundle starts
    web_bundle_id: str | None
    attributes: Mapping[str, object]
    signatures: tuple[Signature, ...]
    derived_ids: tuple[str, ...]       # IDs derived from each known-type key
    problems: tuple[Problem, ...]

    def __init__(
        self,
        version: str,
        size: int,
        web_bundle_id: str | None,
        attributes: Mapping[str, object] | None = None,
        signatures: tuple[Signature, ...] = (),
        derived_ids: tuple[str, ...] = (),
        problems: tuple[Problem, ...] = (),
    ) -> None:
        attributes = {} if attributes is None else attributes
        store_fields(self, locals())

    def rejection(self) -> str | None:
        """Why Chrome would refuse this block (first reason), or None when it would accept it.

        The whole verdict in one place: v2, no structural problem, a known first
        signature, every known signature valid, the ID owned by a signer.
        """
        if self.version != "2b":
            return f"integrity block version {self.version} is not accepted"
        if self.problems:
            return self.problems[0].message
        if not self.signatures or self.signatures[0].type is SignatureType.UNKNOWN:
            return "the first signature is not of a known type"
        failed = next((s for s in self.signatures if s.valid is False), None)
        if failed is not None:
            return f"signature {failed.index}: {failed.problem}"
        if self.web_bundle_id not in self.derived_ids:
            return "the Web Bundle ID does not derive from any signer"
        return None


class Problem(FrozenRecord):
    """A recoverable read problem that a rule turns into a finding.

    `code` says what it is (one consumer rule per code); readers never decide
    severity. `pointer` locates problems inside a JSON document.
    """

    __slots__ = ("code", "length", "message", "offset", "pointer", "resource")
    code: ProblemCode
    message: str
    offset: int | None
    length: int | None
    resource: str | None
    pointer: str | None

    def __init__(self, code: ProblemCode | str, message: str, offset: int | None = None, length: int | None = None, resource: str | None = None, pointer: str | None = None) -> None:
        code = ProblemCode(code)
        store_fields(self, locals())


class JsonDocument(FrozenRecord):
    """A JSON (or literal-evaluated JS/TS) document with positions for its members."""

    __slots__ = ("pointers", "resource", "text", "value")
    value: object
    text: str
    pointers: Mapping[str, tuple[int, int]]  # pointer -> (start, end) char offsets
    resource: str | None  # where it lives inside the input, None for the input itself

    def __init__(self, value: object, text: str, pointers: Mapping[str, tuple[int, int]] | None = None, resource: str | None = None) -> None:
        pointers = {} if pointers is None else pointers
        store_fields(self, locals())


class Bundle(FrozenRecord):
    """The audited input, whatever its kind."""

    __slots__ = ("archive", "directory_index", "document", "format_version", "index", "integrity", "kind", "native", "origin", "parts", "primary_url", "problems", "resources", "size", "source")
    kind: InputKind
    source: Path                       # the input path as given
    resources: Mapping[str, Resource]  # path -> resource, in input order
    origin: str | None                 # "isolated-app://<id>/" when the identity is known
    format_version: str | None         # "b2", "b1", ...
    primary_url: str | None
    index: tuple[IndexEntry, ...]
    integrity: IntegrityBlock | None
    document: JsonDocument | None      # for JSON-document inputs (update manifest, config, response)
    problems: tuple[Problem, ...]
    size: int
    archive: Archive | None            # a zip's declared directory (OTA zips)
    directory_index: bool              # `/dir/` serves `/dir/index.html` (source folders, as `wbn` bundles them)
    parts: tuple[tuple[str, str, Bundle], ...]  # composite inputs: (mount, root resource, part), see engine/parts.py
    native: object | None              # a Capacitor project's parsed native files (auditor.native.model.NativeFacts)

    def __init__(
        self,
        kind: InputKind,
        source: Path,
        resources: Mapping[str, Resource] | None = None,
        origin: str | None = None,
        format_version: str | None = None,
        primary_url: str | None = None,
        index: tuple[IndexEntry, ...] = (),
        integrity: IntegrityBlock | None = None,
        document: JsonDocument | None = None,
        problems: tuple[Problem, ...] = (),
        size: int = 0,
        archive: Archive | None = None,
        directory_index: bool = False,
        parts: tuple[tuple[str, str, Bundle], ...] = (),
        native: object | None = None,
    ) -> None:
        resources = {} if resources is None else resources
        store_fields(self, locals())

    @property
    def is_bundle(self) -> bool:
        return self.kind in BUNDLE_KINDS


class ArchiveEntry(NamedTuple):
    """One central-directory record of a zip archive, as declared (nothing extracted).

    A named tuple (immutable, five times cheaper to build than a frozen dataclass):
    rules build one per entry of each view, 100 000 of them in a large bundle.
    """

    name: str                 # decoded name exactly as stored (may hold `..`, `\\`, `C:`)
    size: int                 # declared uncompressed size
    compressed_size: int      # declared compressed size
    method: int               # 0 stored, 8 deflated, anything else unsupported
    flags: int                # general purpose bit flags (bit 0: encrypted)
    external_attr: int        # high 16 bits: Unix mode when `create_system` is 3
    create_system: int        # 0 MS-DOS, 3 Unix, ...
    header_offset: int        # where the local file header starts
    crc: int

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")

    @property
    def is_encrypted(self) -> bool:
        return bool(self.flags & 0x1)

    @property
    def is_symlink(self) -> bool:
        return self.create_system in (3, 19) and (self.external_attr >> 16) & 0o170000 == 0o120000  # Unix or OS X, as ZIPFoundation


class Archive(FrozenRecord):
    """What a zip's central directory declares (`Bundle.archive`)."""

    __slots__ = ("central_directory_offset", "declared_total", "entries", "flattened_root", "views")
    entries: Sequence[ArchiveEntry]  # a tuple, or a view built entry by entry from the reader's records
    declared_total: int       # sum of declared uncompressed sizes
    central_directory_offset: int
    views: object             # auditor.capgo.zip_views.ZipViews: the Android, iOS and Python views
    flattened_root: str | None  # the single top-level folder both updaters serve from `/`

    def __init__(self, entries: Sequence[ArchiveEntry], declared_total: int, central_directory_offset: int, views: object = None, flattened_root: str | None = None) -> None:
        store_fields(self, locals())


class Computed(FrozenRecord):
    """A config value that is computed (an expression, not a literal): present but not evaluated."""

    __slots__ = ("source",)
    source: str  # the expression's text, shortened

    def __init__(self, source: str) -> None:
        object.__setattr__(self, "source", source)

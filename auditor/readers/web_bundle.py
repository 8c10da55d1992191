"""Web Bundle (b2) reader: structure checked like Chromium's web_bundle_parser.cc.

Structural failures Chromium treats as "cannot parse the bundle" raise an
InputError naming the offset. Problems Chromium only hits when one URL is
loaded (bad header names, a missing content-type, a non-200 status) are kept
as `Problem`s on the model so rules report them. Payloads are never decoded or
copied: each body is a memoryview over the file's memory map.
"""

from __future__ import annotations

import contextlib
import mmap
import re
from pathlib import Path

from auditor.chrome.urls import PLACEHOLDER_HOST, exchange_url, served
from auditor.engine.errors import InputError, Malformed, Unsupported
from auditor.engine.limits import Limits
from auditor.engine.model import Body, Bundle, IndexEntry, InputKind, Problem, Resource
from auditor.engine.settings import Settings
from auditor.readers.cbor import MAJOR_ARRAY, MAJOR_BSTR, MAJOR_MAP, MAJOR_TSTR, CborReader

WBN_MAGIC = bytes.fromhex("f09f8c90f09f93a6")
VERSION_B2 = b"b2\x00\x00"
VERSION_B1 = b"b1\x00\x00"
MAX_SECTION_LENGTHS = 8192          # Chromium: section-lengths must be smaller
MAX_METADATA_SECTION = 1024 * 1024  # index, critical, primary
MAX_RESPONSE_HEADERS = 512 * 1024   # header map bytes must be smaller
KNOWN_SECTIONS = frozenset({"index", "critical", "primary", "responses"})
TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def open_map(path: Path) -> mmap.mmap:
    """Read-only memory map of the whole file (the file handle is not kept).

    Advised random access: parsing touches only each response's head, and
    without the advice the kernel maps whole read-ahead windows (or large
    folios) around each touch, so resident memory would approach the file size.
    """
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)
    return mapped


def release_pages(mapped: mmap.mmap) -> None:
    """Drop the parsed pages from the resident set (they stay in the page cache; rules re-fault what they read)."""
    if hasattr(mmap, "MADV_DONTNEED") and len(mapped):
        mapped.madvise(mmap.MADV_DONTNEED)


FOLIO_MARGIN = 2 * 1024 * 1024


def page_release(data: memoryview, start: int, end: int):
    """For a body inside the memory map: drop its pages after each read or scan. The kernel maps
    whole large folios around a touched byte, so reading one PNG header or scanning one body would
    otherwise leave the asset (and its neighbours) resident until the end of the audit."""
    mapped = data.obj
    if not isinstance(mapped, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or end <= start:
        return None
    # Folios reach past the body into its neighbours: release up to 2 MiB around it too (a
    # neighbour's page released early is only faulted in again from the page cache).
    low = max(0, start - FOLIO_MARGIN)
    low -= low % mmap.PAGESIZE
    high = min(len(mapped), end + FOLIO_MARGIN)

    def release() -> None:
        with contextlib.suppress(ValueError, OSError):  # the map is closed (audit over): nothing to release
            mapped.madvise(mmap.MADV_DONTNEED, low, high - low)

    return release


def resolve_key(raw: str, host: str) -> tuple[str | None, str | None, str | None]:
    """(canonical URL, resource key, why Chrome refuses it) for an index key against isolated-app://host/.

    The resource key is the path (with any query or fragment) for a URL on the
    app origin, else the whole URL; both are None when Chrome refuses the key.
    """
    url = exchange_url(raw, host)
    if isinstance(url, str):
        return None, None, url
    return url.href, url.key if url.is_app and url.host == host else url.href, None


def read_version(data: memoryview | bytes, base: int, where: str) -> tuple[CborReader, int, str]:
    """Check the top-level array and magic; return the reader, the position after the version, and the version."""
    reader = CborReader(data, base=base, where=where)
    top = reader.expect(base, MAJOR_ARRAY, "web bundle")
    magic = reader.expect(top.content, MAJOR_BSTR, "web bundle magic")
    if reader.raw(magic.content, reader.string_end(magic, "web bundle magic")) != WBN_MAGIC:
        raise Malformed("web bundle magic is not F0 9F 8C 90 F0 9F 93 A6", offset=magic.content, where=where)
    version_head = reader.expect(magic.content + magic.arg, MAJOR_BSTR, "web bundle version")
    end = reader.string_end(version_head, "web bundle version")
    version = reader.raw(version_head.content, end)
    if version == VERSION_B2 and top.arg != 5:
        raise Malformed(f"a b2 web bundle is an array of 5 items, not {top.arg}", offset=base, where=where)
    label = version.rstrip(b"\x00").decode("ascii", "replace") or version.hex()
    return reader, end, label


RELEASE_EVERY = 16 * 1024 * 1024


def read_web_bundle(data: memoryview, base: int, *, path: Path, host: str | None, limits: Limits, mapped: mmap.mmap | None = None, signed: bool = False) -> dict:
    """Parse a b2 web bundle starting at absolute offset `base` of `data` (a view of the whole file).

    `signed`: the bundle follows an integrity block, so (as for an IWA in
    Chrome) the trailing length is never read and may be absent.
    No count limit applies to the index: Chrome bounds it by size (1 MiB) only.
    The steps follow the format's order: section lengths, the sections'
    places, the trailer, the metadata sections, the index, the responses.
    """
    where = str(path)
    view = data[base:]
    reader, pos, version = read_version(view, base, where)
    reader.max_depth = limits.max_cbor_depth
    if version != "b2":
        return {"format_version": version, "resources": {}, "index": (), "problems": (), "primary_url": None}
    names, lengths, lengths_end = read_section_lengths(reader, view, pos, base, where)
    offsets, sections_content, sections_end = locate_sections(reader, names, lengths, lengths_end, where)
    problems: list[Problem] = list(read_trailer(reader, sections_end, base, base + len(view), signed=signed))
    primary_url = read_metadata(reader, offsets, problems, where)
    if "index" not in offsets:
        raise Malformed("the bundle has no `index` section", offset=sections_content, where=where)
    index_start, index_length = offsets["index"]
    index = read_index(reader, index_start, index_length, where)
    if not index:
        raise Malformed("the index has no entries", offset=index_start, where=where)
    bundle_host = host or claimed_host(index) or PLACEHOLDER_HOST
    entries = index_entries(index, offsets["responses"], bundle_host, problems, where)
    resources = read_responses(reader, data, entries, problems, mapped, where)
    return {"format_version": "b2", "resources": resources, "index": tuple(entries), "problems": tuple(problems), "primary_url": primary_url, "host": None if bundle_host == PLACEHOLDER_HOST else bundle_host}


def read_section_lengths(reader: CborReader, view: memoryview, pos: int, base: int, where: str) -> tuple[list[str], list[int], int]:
    """The section names and lengths, and where the section-lengths string ends: checked as Chromium's parser does."""
    lengths_head = reader.expect(pos, MAJOR_BSTR, "section-lengths")
    if lengths_head.arg >= MAX_SECTION_LENGTHS:
        raise Malformed(f"section-lengths is {lengths_head.arg} bytes; Chromium requires fewer than {MAX_SECTION_LENGTHS}", offset=pos, where=where)
    lengths_end = reader.string_end(lengths_head, "section-lengths")
    inner = CborReader(view[lengths_head.content - base : lengths_end - base], base=lengths_head.content, where=where)
    pairs, inner_end = inner.decode(lengths_head.content, what="section-lengths")
    if inner_end != lengths_end:
        raise Malformed("extra bytes after the section-lengths array", offset=inner_end, where=where)
    if not isinstance(pairs, list) or len(pairs) % 2:
        raise Malformed("section-lengths must be an array of name/length pairs", offset=lengths_head.content, where=where)
    names = pairs[0::2]
    lengths = pairs[1::2]
    if not all(isinstance(n, str) for n in names) or not all(isinstance(n, int) and n >= 0 for n in lengths):
        raise Malformed("section-lengths pairs must be (text name, unsigned length)", offset=lengths_head.content, where=where)
    if len(set(names)) != len(names):
        raise Malformed("a section name appears twice in section-lengths", offset=lengths_head.content, where=where)
    if not names or names[-1] != "responses":
        raise Malformed("`responses` must be the last section", offset=lengths_head.content, where=where)
    return names, lengths, lengths_end


def locate_sections(reader: CborReader, names: list[str], lengths: list[int], pos: int, where: str) -> tuple[dict[str, tuple[int, int]], int, int]:
    """(start, length) of each section, where their array's content starts, and where the last one ends."""
    sections_head = reader.expect(pos, MAJOR_ARRAY, "sections")
    if sections_head.arg != len(names):
        raise Malformed(f"{sections_head.arg} sections but {len(names)} section-lengths entries", offset=pos, where=where)
    offsets: dict[str, tuple[int, int]] = {}
    p = sections_head.content
    for name, length in zip(names, lengths, strict=True):
        reader.need(p, length, f"section `{name}`")
        if name in ("index", "critical", "primary") and length > MAX_METADATA_SECTION:
            raise Malformed(f"section `{name}` is {length} bytes; Chromium allows at most {MAX_METADATA_SECTION}", offset=p, where=where)
        offsets[name] = (p, length)
        p += length
    return offsets, sections_head.content, p


def read_section(reader: CborReader, offsets: dict[str, tuple[int, int]], name: str, where: str) -> tuple[object, int]:
    """The decoded value of one section and its start; its length must be the declared one."""
    start, length = offsets[name]
    value, end = reader.decode(start, what=f"section `{name}`")
    if end != start + length:
        raise Malformed(f"section `{name}` is {end - start} bytes but section-lengths says {length}", offset=start, where=where)
    return value, start


def read_metadata(reader: CborReader, offsets: dict[str, tuple[int, int]], problems: list[Problem], where: str) -> str | None:
    """Check `critical` (an unknown critical section makes Chromium refuse) and return the `primary` URL, if any."""
    if "critical" in offsets:
        critical, start = read_section(reader, offsets, "critical", where)
        if not isinstance(critical, list) or not all(isinstance(c, str) for c in critical):
            raise Malformed("`critical` must be an array of section names", offset=start, where=where)
        unknown = [c for c in critical if c not in KNOWN_SECTIONS]
        if unknown:
            raise Unsupported(f"critical section(s) {unknown} not understood (Chromium refuses the bundle)", offset=start, where=where)
    if "primary" not in offsets:
        return None
    primary_url, start = read_section(reader, offsets, "primary", where)
    if not isinstance(primary_url, str):
        raise Malformed("`primary` must be a text URL", offset=start, where=where)
    problems.append(Problem("primary-url", f"primary URL `{primary_url}`", offset=start, length=offsets["primary"][1]))
    return primary_url


def index_entries(index: list[tuple[str, int, int, int]], responses: tuple[int, int], bundle_host: str, problems: list[Problem], where: str) -> list[IndexEntry]:
    """Each index entry with its URL canonicalised as Chrome does; a refused key is a problem, not an abort."""
    responses_start, responses_length = responses
    entries: list[IndexEntry] = []
    for raw_url, rel_offset, length, key_offset in index:
        if rel_offset + length > responses_length:
            raise Malformed(f"index entry `{raw_url}` points outside the responses section", offset=key_offset, where=where)
        resolved, key, refused = resolve_key(raw_url, bundle_host)
        if refused is not None:
            problems.append(Problem("invalid-url", f"index key `{raw_url}` {refused}; Chrome refuses the bundle", offset=key_offset))
        entries.append(IndexEntry(raw_url, resolved, responses_start + rel_offset, length, key_offset, key))
    return entries


def read_responses(reader: CborReader, data: memoryview, entries: list[IndexEntry], problems: list[Problem], mapped: mmap.mmap | None, where: str) -> dict[str, Resource]:
    """The resource each served URL loads; a response that cannot be read fails only its URL, as in Chrome's lazy reader."""
    resources: dict[str, Resource] = {}
    released = 0
    for entry in served(entries, lambda e: e.key):  # equal URLs: Chrome keeps the first in index order
        key = entry.key
        assert key is not None
        resource: Resource | None
        try:
            resource, response_problems = read_response(reader, data, entry.offset, entry.length, key, entry.raw_url, where)
        except InputError as error:
            resource = None
            at = error.offset if error.offset is not None else entry.offset
            response_problems = [Problem("response-malformed", f"the response for `{entry.raw_url}` cannot be read: {error.reason}", offset=at, length=0, resource=key)]
        released += entry.length  # bytes walked since the last release: index order is not file order
        if mapped is not None and released > RELEASE_EVERY:
            release_pages(mapped)  # keep peak RSS flat while walking a large bundle
            released = 0
        problems.extend(response_problems)
        if resource is not None:
            resources[key] = resource
    return resources


def read_trailer(reader: CborReader, pos: int, base: int, end: int, *, signed: bool) -> list[Problem]:
    """Problems with the trailing length at `pos` (the web bundle starts at `base`, the file ends at `end`).

    A `.wbn` must end with it (`wbn-sign` and Chrome's random-access reader
    locate the bundle from it). Behind an integrity block Chrome never reads
    it (the reader passes the block's size as the offset), so there anything
    after the sections is only a note (`trailer-not-read`).
    """
    try:
        trailer = reader.expect(pos, MAJOR_BSTR, "bundle length")
        if trailer.arg != 8:
            raise Malformed("the trailing length must be an 8-byte string", offset=pos, where=reader.where or None)
        trailer_end = reader.string_end(trailer, "bundle length")
    except InputError as error:
        if not signed:
            raise
        return [Problem("trailer-not-read", f"no trailing length after the sections ({error.reason}); Chrome does not read it for a signed bundle, but tools that locate the bundle from the end cannot", offset=pos, length=end - pos)]
    problems = []
    declared = int.from_bytes(reader.raw(trailer.content, trailer_end), "big")
    if declared != trailer_end - base:
        problems.append(Problem("bundle-length-mismatch", f"trailing length says {declared} bytes; the web bundle is {trailer_end - base}", offset=trailer.content, length=8))
    if trailer_end != end:
        problems.append(Problem("trailing-bytes", f"{end - trailer_end} bytes follow the web bundle", offset=trailer_end))
    return problems


def claimed_host(index: list[tuple[str, int, int, int]]) -> str | None:
    """For an unsigned bundle: the Web Bundle ID its first absolute `isolated-app://` key names, if any.

    `wbn --baseURL isolated-app://<id>/` writes absolute keys; taking their host
    as the origin keeps those resources addressable by path.
    """
    from auditor.chrome.signatures import parse_web_bundle_id

    for raw_url, *_ in index:
        url = exchange_url(raw_url, None)
        if isinstance(url, str) or not url.is_app or url.host == PLACEHOLDER_HOST:
            continue  # relative (or refused) keys claim nothing
        return url.host if not isinstance(parse_web_bundle_id(url.host), str) else None
    return None


def read_index(reader: CborReader, start: int, length: int, where: str) -> list[tuple[str, int, int, int]]:
    """(raw URL, offset, length, key offset) for each index entry, validated strictly."""
    end = reader.skip(start, what="section `index`")
    if end != start + length:
        raise Malformed(f"section `index` is {end - start} bytes but section-lengths says {length}", offset=start, where=where)
    h = reader.expect(start, MAJOR_MAP, "index")
    p = h.content
    out = []
    for _ in range(h.arg):
        key_offset = p
        key_head = reader.head(p, "index key")
        if key_head.major != MAJOR_TSTR:
            raise Malformed("index keys must be text URLs", offset=p, where=where)
        key_end = reader.string_end(key_head, "index key")
        try:
            url = reader.raw(key_head.content, key_end).decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("index key is not valid UTF-8", offset=p, where=where) from None
        value, p = reader.decode(key_end, what="index value")
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and v >= 0 for v in value)):
            raise Malformed(f"index value for `{url}` must be [offset, length]", offset=key_end, where=where)
        out.append((url, value[0], value[1], key_offset))
    return out


def header_value_problem(value: bytes) -> str | None:
    """Why Chromium's bundle parser refuses a header value, or None.

    components/web_package/rust/parser.rs (2026 tip): a value is field-vchar
    or obs-text (0x21-0x7E, 0x80-0xFF) with SP/HTAB allowed only inside it.
    The empty value is allowed.
    """
    for byte in value:
        if (byte < 0x20 and byte != 0x09) or byte == 0x7F:
            return f"the value holds the control character 0x{byte:02x}"
    if value[:1] in (b" ", b"\t") or value[-1:] in (b" ", b"\t"):
        return "the value has leading or trailing whitespace"
    return None


def read_response(reader: CborReader, data: memoryview, offset: int, length: int, key: str, raw_url: str, where: str) -> tuple[Resource, list[Problem]]:
    """One response: [headers bstr(map), payload bstr], checked like Chromium's lazy reader."""
    problems: list[Problem] = []
    h = reader.expect(offset, MAJOR_ARRAY, f"response for `{raw_url}`")
    if h.arg != 2:
        raise Malformed(f"response for `{raw_url}` must be an array of 2", offset=offset, where=where)
    headers_head = reader.expect(h.content, MAJOR_BSTR, f"headers of `{raw_url}`")
    headers_end = reader.string_end(headers_head, f"headers of `{raw_url}`")
    payload_head = reader.expect(headers_end, MAJOR_BSTR, f"payload of `{raw_url}`")
    payload_end = reader.string_end(payload_head, f"payload of `{raw_url}`")
    if payload_end - offset != length:
        raise Malformed(f"response for `{raw_url}` is {payload_end - offset} bytes but the index says {length} (Chromium: unexpected payload length)", offset=offset, where=where)
    headers: dict[str, str] = {}
    raw_names: list[str] = []
    status = 0
    if headers_head.arg >= MAX_RESPONSE_HEADERS:
        problems.append(Problem("headers-too-large", f"response headers are {headers_head.arg} bytes; Chromium requires fewer than {MAX_RESPONSE_HEADERS}", offset=headers_head.offset, length=headers_end - headers_head.offset, resource=key))
    else:
        header_reader = CborReader(data[headers_head.content:headers_end], base=headers_head.content, where=where)
        try:
            value, end = header_reader.decode(headers_head.content, what=f"header map of `{raw_url}`")
            if end != headers_end or not isinstance(value, dict) or not all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in value.items()):
                raise Malformed("the header map must be a map of byte strings to byte strings filling the header bytes", offset=headers_head.content)
        except Malformed as exc:
            problems.append(Problem("headers-malformed", f"response headers cannot be parsed: {exc.reason}", offset=exc.offset, resource=key))
            value = {}
        for name_bytes, value_bytes in value.items():
            name = name_bytes.decode("latin-1")
            text = value_bytes.decode("latin-1")
            raw_names.append(name)
            if name == ":status":
                status = int(text) if len(text) == 3 and text.isascii() and text.isdigit() else 0
                if not status:
                    problems.append(Problem("bad-status", f"`:status` is `{text}`; it must be 3 ASCII digits", offset=headers_head.content, resource=key))
                continue
            if name.startswith(":"):
                problems.append(Problem("bad-header-name", f"pseudo-header `{name}`: `:status` is the only one allowed", offset=headers_head.content, resource=key))
            elif not name.isascii() or not TOKEN.match(name) or name != name.lower():
                problems.append(Problem("bad-header-name", f"header name `{name}` is not a lower-case HTTP token", offset=headers_head.content, resource=key))
            value_problem = header_value_problem(value_bytes)
            if value_problem is not None:
                problems.append(Problem("bad-header-value", f"header `{name}`: {value_problem}", offset=headers_head.content, resource=key))
            headers[name.lower()] = text
        if value and b":status" not in value:
            problems.append(Problem("bad-status", "the response has no `:status` pseudo-header", offset=headers_head.content, resource=key))
    body = Body(payload_head.arg, view=data[payload_head.content:payload_end], release=page_release(data, payload_head.content, payload_end))
    resource = Resource(
        path=key,
        status=status,
        headers=headers,
        body=body,
        raw_url=raw_url,
        byte_range=(offset, length),
        header_names_raw=tuple(raw_names),
    )
    return resource, problems


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """A `.wbn`: an unsigned web bundle."""
    mapped = open_map(path)
    data = memoryview(mapped)
    host = settings.expect_id or None
    parsed = read_web_bundle(data, 0, path=path, host=host, limits=limits, mapped=mapped)
    release_pages(mapped)
    return Bundle(
        kind=InputKind.WBN,
        source=path,
        resources=parsed["resources"],
        origin=f"isolated-app://{parsed['host']}/" if parsed.get("host") else None,
        format_version=parsed["format_version"],
        primary_url=parsed["primary_url"],
        index=parsed["index"],
        problems=parsed["problems"],
        size=len(data),
    )

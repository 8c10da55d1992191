"""Signed Web Bundle reader: the integrity block (v2, or v1 to report it), then the web bundle.

Parse order follows Chromium's integrity_block_parser.cc (spec §2.1). The
signed payload is built from the attribute bytes exactly as they appear in the
file, and the web bundle's SHA-512 is streamed over the memory map. Semantic
problems Chromium rejects (bad key sizes, a malformed ID, unknown first
signature) are kept as `Problem`s so SIG rules report them with locations; only
bytes that cannot be parsed at all raise an InputError.
"""

from __future__ import annotations

import mmap
from pathlib import Path

from auditor.chrome import signatures as crypto
from auditor.engine.errors import Malformed
from auditor.engine.limits import Limits
from auditor.engine.model import Bundle, InputKind, IntegrityBlock, Problem, Signature, SignatureType
from auditor.engine.settings import Settings
from auditor.readers.cbor import MAJOR_ARRAY, MAJOR_BSTR, CborReader
from auditor.readers.integrity_attributes import read_attribute_map
from auditor.readers.web_bundle import open_map, read_web_bundle, release_pages

IB_MAGIC = crypto.IB_MAGIC
VERSIONS = {b"2b\x00\x00": "2b", b"1b\x00\x00": "1b"}
ED25519_KEY = "ed25519PublicKey"
ECDSA_KEY = "ecdsaP256SHA256PublicKey"
HASH_CHUNK = 8 * 1024 * 1024


def signature_type(attributes: dict) -> tuple[SignatureType, bytes]:
    """The entry's type by Chromium's rule: both keys -> unknown; ECDSA first, then Ed25519."""
    ed, ec = attributes.get(ED25519_KEY), attributes.get(ECDSA_KEY)
    if ed is not None and ec is not None:
        return SignatureType.UNKNOWN, b""
    if isinstance(ec, bytes):
        return SignatureType.ECDSA_P256, ec
    if isinstance(ed, bytes):
        return SignatureType.ED25519, ed
    return SignatureType.UNKNOWN, b""


def read_block(reader: CborReader, where: str) -> tuple[dict, int]:
    """Parse the integrity block at offset 0 into raw parts; returns (parts, block size)."""
    top = reader.expect(0, MAJOR_ARRAY, "integrity block")
    magic = reader.expect(top.content, MAJOR_BSTR, "integrity block magic")
    magic_end = reader.string_end(magic, "integrity block magic")
    if reader.raw(magic.content, magic_end) != IB_MAGIC:
        raise Malformed("integrity block magic is not F0 9F 96 8B F0 9F 93 A6", offset=magic.content, where=where)
    version_head = reader.expect(magic_end, MAJOR_BSTR, "integrity block version")
    version_end = reader.string_end(version_head, "integrity block version")
    raw_version = reader.raw(version_head.content, version_end)
    version = VERSIONS.get(raw_version)
    if version is None:
        raise Malformed(f"integrity block version {raw_version.hex(' ')} is neither 2b (v2) nor 1b (v1)", offset=version_head.content, where=where)
    expected_items = 4 if version == "2b" else 3
    if top.arg != expected_items:
        raise Malformed(f"a v{version[0]} integrity block is an array of {expected_items}, not {top.arg}", offset=0, where=where)
    problems: list[Problem] = []
    pos = version_end
    attributes: dict = {}
    attributes_raw = b""
    if version == "2b":
        attributes, attributes_end = read_attribute_map(reader, pos, "integrity block attributes", problems)
        attributes_raw = reader.raw(pos, attributes_end)
        attributes_span = (pos, attributes_end - pos)
        pos = attributes_end
    else:
        attributes_span = (pos, 0)
    stack = reader.expect(pos, MAJOR_ARRAY, "signature stack")
    reader.need(stack.content, stack.arg, "signature stack")
    entries = []
    p = stack.content
    for i in range(stack.arg):
        entry_start = p
        entry = reader.expect(p, MAJOR_ARRAY, f"signature {i}")
        if entry.arg != 2:
            raise Malformed(f"signature {i} must be an array of 2 (attributes, signature)", offset=p, where=where)
        entry_attributes, attributes_end = read_attribute_map(reader, entry.content, f"signature {i} attributes", problems)
        entry_raw = reader.raw(entry.content, attributes_end)
        sig_head = reader.expect(attributes_end, MAJOR_BSTR, f"signature {i} bytes")
        p = reader.string_end(sig_head, f"signature {i} bytes")
        entries.append((i, entry_attributes, entry_raw, reader.raw(sig_head.content, p), (entry_start, p - entry_start)))
    return {"version": version, "attributes": attributes, "attributes_raw": attributes_raw, "attributes_span": attributes_span, "entries": entries, "problems": problems, "stack_offset": stack.offset}, p


def hash_web_bundle(mapped: mmap.mmap, start: int) -> bytes:
    """SHA-512 of everything after the integrity block, streamed over the memory map.

    Each hashed chunk's pages are dropped from this process's resident set
    (they stay in the page cache), so peak RSS does not grow with the file.
    """
    view = memoryview(mapped)
    release = getattr(mmap, "MADV_DONTNEED", None)

    def chunks():
        for begin in range(start, len(view), HASH_CHUNK):
            end = min(begin + HASH_CHUNK, len(view))
            yield view[begin:end]
            low, high = begin - begin % mmap.PAGESIZE, end - end % mmap.PAGESIZE
            if release is not None and high > low:
                mapped.madvise(release, low, high - low)

    return crypto.sha512_stream(chunks())


def verify_block(parts: dict, size: int, bundle_hash: bytes) -> IntegrityBlock:
    """Signatures checked over SHA-512 of the web bundle; IDs derived; Chromium's rejections recorded."""
    problems: list[Problem] = list(parts["problems"])
    attributes = parts["attributes"]
    offset, length = parts["attributes_span"]
    web_bundle_id = attributes.get("webBundleId") if parts["version"] == "2b" else None
    if parts["version"] == "2b":
        if "webBundleId" not in attributes:
            problems.append(Problem("missing-id", "the integrity block has no `webBundleId` attribute", offset=offset, length=length))
        elif not isinstance(web_bundle_id, str) or not web_bundle_id:
            problems.append(Problem("bad-id", "`webBundleId` must be a non-empty text string", offset=offset, length=length))
            web_bundle_id = None
        else:
            parsed = crypto.parse_web_bundle_id(web_bundle_id)
            if isinstance(parsed, str):
                problems.append(Problem("bad-id", f"`webBundleId` `{web_bundle_id}` is not a Web Bundle ID: {parsed}", offset=offset, length=length))
            elif parsed[0] == "proxy":
                problems.append(Problem("proxy-id", f"`webBundleId` `{web_bundle_id}` is a dev-mode proxy ID, never valid for a bundle", offset=offset, length=length))
    if not parts["entries"]:
        problems.append(Problem("empty-stack", "the signature stack is empty", offset=parts["stack_offset"], length=1))
    signatures: list[Signature] = []
    derived: list[str] = []
    for index, entry_attributes, entry_raw, signature_bytes, span in parts["entries"]:
        kind, key = signature_type(entry_attributes)
        if kind is SignatureType.UNKNOWN:
            signatures.append(Signature(index, kind, b"", signature_bytes, None, "unknown signature type", span, entry_attributes))
            continue
        problem = crypto.key_problem(kind, key, signature_bytes)
        if problem is None:
            derived.append(crypto.derive_web_bundle_id(kind, key))
            if parts["version"] == "2b":
                payload = crypto.signing_payload(bundle_hash, parts["attributes_raw"], entry_raw)
                problem = crypto.verify(kind, key, signature_bytes, payload)
            else:
                problem = "integrity block v1 signatures are not verified (Chromium rejects v1)"
        signatures.append(Signature(index, kind, key, signature_bytes, problem is None, problem, span, entry_attributes))
    return IntegrityBlock(
        version=parts["version"],
        size=size,
        web_bundle_id=web_bundle_id if isinstance(web_bundle_id, str) else None,
        attributes=attributes,
        signatures=tuple(signatures),
        derived_ids=tuple(derived),
        problems=tuple(problems),
    )


def origin_host(block: IntegrityBlock) -> str | None:
    """The host the bundle's URLs resolve against: the v2 block's ID, or for a v1 block the first signer's key.

    A v1 block has no `webBundleId`; Chrome refuses it (SIG002), but the app
    it carries was built for the ID its signer's key derives, so its URLs are
    judged on that origin instead of all being reported off-origin.
    """
    if block.version != "2b":
        return block.derived_ids[0] if block.derived_ids else None
    if block.web_bundle_id and not any(p.code == "bad-id" for p in block.problems):
        return block.web_bundle_id
    return None


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """A `.swbn`: integrity block, then a web bundle starting where the block ends."""
    mapped = open_map(path)
    data = memoryview(mapped)
    where = str(path)
    # No item limit: Chrome reads any number of signatures and attributes (spec §6.1); the block is walked once.
    reader = CborReader(data, base=0, where=where, max_depth=limits.max_cbor_depth)
    parts, size = read_block(reader, where)
    integrity = verify_block(parts, size, hash_web_bundle(mapped, size))
    host = origin_host(integrity)
    parsed = read_web_bundle(data, size, path=path, host=host, limits=limits, mapped=mapped, signed=True)
    release_pages(mapped)
    return Bundle(
        kind=InputKind.SWBN,
        source=path,
        resources=parsed["resources"],
        origin=f"isolated-app://{host}/" if host else None,
        format_version=parsed["format_version"],
        primary_url=parsed["primary_url"],
        index=parsed["index"],
        integrity=integrity,
        problems=parsed["problems"],
        size=len(data),
    )

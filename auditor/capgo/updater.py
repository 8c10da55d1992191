"""Shared knowledge for the OTA rules: Capgo updater config, archive names, checksums, versions.

Facts come from Cap-go/capacitor-updater 8.51.23 (`CapgoUpdater`, `CryptoCipher`
on Android and iOS) and Cap-go/CLI 8.68.1. Rules stay thin: they ask these helpers and report.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.engine.context import Context
from auditor.engine.lazy import LazyPattern
from auditor.engine.model import Archive, Computed, JsonDocument, Resource
from auditor.parse.json_pos import pointer_join

UPDATER = "/plugins/CapacitorUpdater"
CAPGO_HOSTS = frozenset({"plugin.capgo.app", "api.capgo.app"})
SHA256_HEX = LazyPattern(r"^[0-9a-fA-F]{64}$")
CRC32_HEX = LazyPattern(r"^[0-9a-fA-F]{8}$")
HEX = LazyPattern(r"^(?:[0-9a-fA-F]{2})+$")
SEMVER = LazyPattern(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    re.ASCII,  # \d must not match other scripts' digits
)
PRIVATE_KEY_PEM = LazyPattern(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
PRIVATE_KEY_PEM_BYTES = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
ARCHIVE_SUFFIXES = (".zip", ".jar", ".apk", ".aab", ".ipa", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst")
ARCHIVE_MAGICS = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")


def archive(ctx: Context) -> Archive | None:
    """The zip directory facts of an OTA bundle, if the input is one."""
    found = ctx.bundle.archive
    return found if isinstance(found, Archive) else None


def member(document: JsonDocument, pointer: str) -> object:
    """The value at a JSON pointer of plain keys (no escapes needed for config keys), or None."""
    value: object = document.value
    for token in pointer.strip("/").split("/") if pointer.strip("/") else ():
        if not isinstance(value, dict) or token not in value:
            return None
        value = value[token]
    return value


def updater(document: JsonDocument | None) -> dict | None:
    """`plugins.CapacitorUpdater`, when the config has it as a literal object."""
    if document is None:
        return None
    value = member(document, UPDATER)
    return value if isinstance(value, dict) else None


def url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_https(url: str) -> bool:
    return url.strip().lower().startswith("https://") and bool(url_host(url))


def is_local_host(host: str) -> bool:
    """Loopback, private, link-local addresses and localhost names: dev servers, not releases."""
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


def unsafe_name_reason(name: str) -> str | None:
    """Why both updaters refuse an entry name (`resolvePathInsideDirectory`), or None.

    A backslash is refused outright; an absolute path too; a path whose `..`
    segments climb above the bundle folder fails the canonical-path check. A
    `..` that stays inside, or `C:/x.js` (a folder named `C:`), is accepted.
    """
    if not name:
        return "is empty"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/"):
        return "is an absolute path"
    if ".." in name and escapes(name.split("/")):  # no `..` segment, nothing to climb with
        return "climbs out of the bundle folder with `..`"
    return None


def escapes(parts: list[str]) -> bool:
    """Whether lexical normalisation of these path segments goes above their start."""
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def lexical_segments(path: str) -> list[str]:
    """The path's segments after lexical normalisation, as both updaters resolve a name before
    touching the file system: `.` and empty segments dropped, `..` removing the one before (none
    above the start: a name that climbs out is refused first, see `unsafe_name_reason`)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return parts


def link_stays_inside(name: str, target: str) -> bool:
    """ZIPFoundation/Capgo's lexical check: the target resolves inside the link's own folder."""
    if not target or target.startswith("/"):
        return False
    return not escapes(target.split("/"))


def link_resolves_into(name: str, target: str, other: str) -> bool:
    """Whether the link `name -> target` points at (or through) the entry `other`."""
    parent = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    resolved = "/".join(lexical_segments(parent + target))
    return resolved == other or resolved.startswith(other + "/")


def looks_like_archive(resource: Resource) -> bool:
    """By name, or by its first bytes (a bounded read)."""
    if resource.path.lower().endswith(ARCHIVE_SUFFIXES):
        return True
    return resource.size >= 4 and resource.body.read(6).startswith(ARCHIVE_MAGICS)


def file_digests(ctx: Context) -> tuple[str, str]:
    """SHA-256 and CRC32 (hex) of the input file, streamed, computed once per audit."""

    def compute() -> tuple[str, str]:
        import hashlib
        import zlib

        sha, crc = hashlib.sha256(), 0
        with open(ctx.bundle.source, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
                crc = zlib.crc32(chunk, crc)
        return sha.hexdigest(), f"{crc:08x}"

    return ctx.memo(("ota-digests",), compute)


def member_sha256(resource: Resource, limit: int) -> str | None:
    """SHA-256 of a member's bytes, or None when it is larger than `limit`."""
    if resource.size > limit:
        return None
    import hashlib  # digests only for OTA inputs: a folder audit (which imports this module for OTA010) hashes nothing

    return hashlib.sha256(resource.body.read(limit)).hexdigest()


def semver_key(version: str) -> tuple | None:
    """A sort key following semver precedence (build metadata ignored), or None if not semver."""
    match = SEMVER.match(version)
    if match is None:
        return None
    major, minor, patch, pre, _ = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, ids)


def leaves(value: object, pointer: str = "") -> Iterator[tuple[str, object]]:
    """Every non-container value of a document with its JSON pointer."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, pointer_join(pointer, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from leaves(child, f"{pointer}/{i}")
    else:
        yield pointer, value


def computed_values(value: object) -> Iterator[tuple[str, Computed]]:
    """Every Computed marker in a literal-evaluated document, with its pointer."""
    return ((p, v) for p, v in leaves(value) if isinstance(v, Computed))


PKCS1_HEADER = "-----BEGIN RSA PUBLIC KEY-----"
SHA256_LOWER = LazyPattern(r"^[0-9a-f]{64}$")


def rsa_public_key_problem(pem: str) -> str | None:
    """Why a Capgo `publicKey` would not work as the device reads it, or None.

    Both platforms decrypt only when the raw string starts with the PKCS#1
    header (no strip first); Android's `stringToPublicKey` removes whitespace
    and the header, so a literal `\\n` escape corrupts the base64 and throws at
    plugin load; iOS `fatalError`s unless the key is RSA-2048.
    """
    if not pem.startswith(PKCS1_HEADER):
        if pem.strip().startswith(PKCS1_HEADER):
            return "starts with whitespace before `-----BEGIN RSA PUBLIC KEY-----`: both platforms then silently skip decryption"
        first = pem.strip().splitlines()[0] if pem.strip() else "an empty string"
        return f"does not start with `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) but with `{first[:40]}`"
    if "\\n" in pem:
        return "holds literal `\\n` escapes instead of newlines: Android fails to load it and the app crashes at start"
    key = load_public_key(pem)
    if isinstance(key, str):
        return key
    if key.key_size != 2048:
        return f"is a {key.key_size}-bit RSA key; iOS stops the app (`fatalError`) unless it is 2048 bits"
    return None


def load_public_key(pem: str):
    """The RSA public key as Android decodes it (whitespace and header removed, base64), or why not."""
    import base64
    import binascii

    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

    body = re.sub(r"\s+", "", pem).replace("-----BEGINRSAPUBLICKEY-----", "").replace("-----ENDRSAPUBLICKEY-----", "")
    wrapped = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    try:
        key = load_pem_public_key(f"{PKCS1_HEADER}\n{wrapped}\n-----END RSA PUBLIC KEY-----\n".encode("ascii", "replace"))
    except (ValueError, TypeError):
        try:
            key = load_der_public_key(base64.b64decode(body, validate=False))
        except (ValueError, TypeError, binascii.Error) as exc:
            return f"is not a parseable PKCS#1 RSA public key ({str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__})"
    if not isinstance(key, rsa.RSAPublicKey):
        return "is not an RSA key"
    return key


def checksum_bytes(value: str) -> bytes | None:
    """The encrypted checksum as `decryptChecksum` decodes it: hex when it is all hex digits, else base64."""
    import base64
    import binascii

    try:
        if re.fullmatch(r"[0-9a-fA-F]+", value):
            return bytes.fromhex(value) if len(value) % 2 == 0 else None
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None


def decrypt_checksum(value: str, public_key: str) -> str:
    """What the device compares: hex of the checksum RSA-"decrypted" with the public key, or why it fails."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    key = load_public_key(public_key)
    if isinstance(key, str):
        raise ValueError(f"the app's `publicKey` {key}")
    data = checksum_bytes(value)
    if data is None:
        raise ValueError("it is neither hex nor base64")
    try:
        return key.recover_data_from_signature(data, padding.PKCS1v15(), None).hex()
    except (InvalidSignature, ValueError) as exc:
        raise ValueError(f"it does not decrypt under the app's `publicKey` ({type(exc).__name__})") from None


def checksum_problem(value: str, sha256: str | None, public_key: str | None) -> str | None:
    """Why the device would refuse this announced checksum for a zip of this SHA-256, or None.

    8.x computes only lower-case SHA-256 hex and compares case-sensitively; a
    256-byte value is the encrypted checksum `bundle encrypt` prints, checked
    here when the app's public key is known.
    """
    if SHA256_LOWER.match(value):
        if sha256 is not None and value != sha256:
            return f"SHA-256 of the zip is `{sha256}`, not `{value}`"
        return None
    if SHA256_HEX.match(value):
        return "is upper-case hex: the device computes lower-case SHA-256 hex and compares case-sensitively, so every device refuses it"
    if CRC32_HEX.match(value):
        return None  # OTA013
    data = checksum_bytes(value)
    if data is not None and len(data) == 256:
        if public_key is None or sha256 is None:
            return None
        try:
            decrypted = decrypt_checksum(value, public_key)
        except ValueError as exc:
            return f"the encrypted checksum fails on the device: {exc}"
        import base64

        if len(decrypted) == 96 and base64.b64encode(bytes.fromhex(decrypted)).decode() == sha256:
            return "is the V2 encrypted checksum (the hex digest read as base64); 8.x devices compare it as hex and refuse it: encrypt with a CLI that sees updater 8.x"
        if decrypted != sha256:
            return f"decrypts to `{decrypted}`, but the zip's SHA-256 is `{sha256}`"
        return None
    return "is neither a lower-case SHA-256 (64 hex digits) nor a 256-byte encrypted checksum"


def calls_named(ctx: Context, resource: Resource, name: str) -> list[tuple[int, int]]:
    """Byte ranges of calls `name()`, `x.name()` or `x["name"]()` in a JS resource (tree-sitter).

    Comments and strings do not count. A minimal local query until the shared
    JS parse module lands; results are memoised per resource and name.
    """

    def find() -> list[tuple[int, int]]:
        text = ctx.text(resource)
        if text is None or name not in text:
            return []
        import tree_sitter_javascript
        from tree_sitter import Language, Parser

        data = text.encode("utf-8", "surrogatepass")
        tree = Parser(Language(tree_sitter_javascript.language())).parse(data)
        found, stack = [], [tree.root_node]
        while stack:
            node = stack.pop()
            if node.type == "call_expression":
                callee = node.child_by_field_name("function")
                if callee is not None and callee_name(callee) == name:
                    found.append((callee.start_byte, callee.end_byte))
            stack.extend(reversed(node.children))
        return found

    return ctx.memo(("ota-calls", resource.path, name), find)


def callee_name(node) -> str | None:
    if node.type == "identifier":
        return node.text.decode("utf-8", "replace")
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return prop.text.decode("utf-8", "replace") if prop is not None else None
    if node.type == "subscript_expression":
        index = node.child_by_field_name("index")
        if index is not None and index.type == "string":
            return index.text.decode("utf-8", "replace")[1:-1]
    return None

"""Shared knowledge for the OTA rules: Capgo updater config, archive names, checksums, versions.

Facts come from ../shared/spec/ota-capgo.md (Capgo capacitor-updater v8.51.14,
Capgo CLI v7.93.4). Rules stay thin: they ask these helpers and report.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.engine.context import Context
from auditor.engine.model import Archive, Computed, JsonDocument, Resource
from auditor.parse.json_pos import pointer_join

UPDATER = "/plugins/CapacitorUpdater"
CAPGO_HOSTS = frozenset({"plugin.capgo.app", "api.capgo.app"})
SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
CRC32_HEX = re.compile(r"^[0-9a-fA-F]{8}$")
HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    re.ASCII,  # \d must not match other scripts' digits
)
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
    """Why an entry name could escape the extraction folder, or None."""
    if "\\" in name:
        return "contains a backslash"
    if re.match(r"^[A-Za-z]:", name):
        return "starts with a drive letter"
    if name.startswith("/"):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "contains a `..` segment"
    return None


def looks_like_archive(resource: Resource) -> bool:
    """By name, or by its first bytes (a bounded read)."""
    if resource.path.lower().endswith(ARCHIVE_SUFFIXES):
        return True
    return resource.size >= 4 and resource.body.read(6).startswith(ARCHIVE_MAGICS)


def file_digests(ctx: Context) -> tuple[str, str]:
    """SHA-256 and CRC32 (hex) of the input file, streamed, computed once per audit."""

    def compute() -> tuple[str, str]:
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


def rsa_public_key_problem(pem: str) -> str | None:
    """Why a Capgo `publicKey` would not work (PKCS#1 PEM of an RSA-2048 key), or None."""
    text = pem.strip()
    if not text.startswith("-----BEGIN RSA PUBLIC KEY-----"):
        first = text.splitlines()[0] if text else "an empty string"
        return f"does not start with `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) but with `{first[:40]}`"
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(text.replace("\\n", "\n").encode("ascii", "replace"))
    except (ValueError, TypeError) as exc:
        return f"is not a parseable PEM public key ({str(exc).splitlines()[0][:80]})"
    if not isinstance(key, rsa.RSAPublicKey):
        return "is not an RSA key"
    if key.key_size != 2048:
        return f"is a {key.key_size}-bit RSA key; the updater needs 2048 bits (one 256-byte block)"
    return None


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

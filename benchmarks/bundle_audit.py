"""A large asset-heavy Signed Web Bundle: audit time next to `sha512sum`, and peak RSS.

    python benchmarks/bundle_audit.py [--size-mb 1024] [--assets 4000] [--repeat 5]

Targets (issue 2 and 7): audit wall time <= 1.3 x `sha512sum` of the same file,
peak RSS <= 200 MB whatever the size. The bundle is written in a streaming
way (this script never holds it in memory either): a web bundle is written to
a temporary file while its SHA-512 is computed, signed with an Ed25519 key,
then the integrity block and the web bundle are concatenated.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from builders import IB_MAGIC, WBN_MAGIC, entry_attributes, signing_payload_from_hash, web_bundle_id
from measure import machine, measure

BLOCK = hashlib.shake_256(b"iwa-audit benchmark asset").digest(1 << 20)  # 1 MiB of incompressible bytes


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError(value)


def asset(i: int, size: int) -> bytes:
    """Deterministic bytes for asset i (a rotation of the block, so assets differ)."""
    start = (i * 7919) % len(BLOCK)
    data = (BLOCK[start:] + BLOCK[:start]) * (size // len(BLOCK) + 1)
    return data[:size]


def write_web_bundle(target: Path, assets: int, asset_size: int) -> bytes:
    """Write a b2 web bundle (manifest, page, N PNG-typed assets) and return its SHA-512."""
    manifest = b'{"name":"bench","id":"/","scope":"/","start_url":"/","version":"1.0.0","icons":[{"src":"/a/0.png","sizes":"256x256","type":"image/png"}]}'
    entries = [("", "text/html", b"<!doctype html><title>bench</title><img src=/a/0.png alt=>", None), (".well-known/manifest.webmanifest", "application/manifest+json", manifest, None)]
    entries += [(f"a/{i}.png", "image/png", None, i) for i in range(assets)]

    def encoded_headers(mime: str) -> bytes:
        return cbor2.dumps({b":status": b"200", b"content-type": mime.encode()}, canonical=True)

    sizes = []
    for _, mime, body, _i in entries:
        headers = encoded_headers(mime)
        length = len(body) if body is not None else asset_size
        sizes.append(1 + len(_head(2, len(headers))) + len(headers) + len(_head(2, length)) + length)
    responses_head = _head(4, len(entries))
    index, offset = {}, len(responses_head)
    for (url, *_), size in zip(entries, sizes, strict=False):
        index[url] = [offset, size]
        offset += size
    index_section = cbor2.dumps(index, canonical=True)
    responses_length = offset
    lengths = cbor2.dumps(["index", len(index_section), "responses", responses_length])
    head = b"\x85\x48" + WBN_MAGIC + cbor2.dumps(b"b2\x00\x00") + cbor2.dumps(lengths) + b"\x82" + index_section
    total = len(head) + responses_length + 9
    digest = hashlib.sha512()
    with open(target, "wb") as out:
        def emit(chunk: bytes) -> None:
            digest.update(chunk)
            out.write(chunk)

        emit(head + responses_head)
        for _url, mime, body, i in entries:
            headers = encoded_headers(mime)
            payload = body if body is not None else asset(i, asset_size)
            emit(b"\x82" + _head(2, len(headers)) + headers + _head(2, len(payload)))
            emit(payload)
        emit(b"\x48" + total.to_bytes(8, "big"))
    return digest.digest()


def build(target: Path, size_mb: int, assets: int) -> str:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"benchmark key").digest())
    app_id = web_bundle_id(key)
    wbn = target.with_suffix(".wbn")
    bundle_hash = write_web_bundle(wbn, assets, max(1, size_mb * 1024 * 1024 // assets))
    attributes_raw = cbor2.dumps({"webBundleId": app_id}, canonical=True)
    entry_raw = cbor2.dumps(entry_attributes(key), canonical=True)
    signature = key.sign(signing_payload_from_hash(bundle_hash, attributes_raw, entry_raw))
    block = b"\x84\x48" + IB_MAGIC + b"\x44" + b"2b\x00\x00" + attributes_raw + b"\x81\x82" + entry_raw + cbor2.dumps(signature)
    with open(target, "wb") as out, open(wbn, "rb") as src:
        out.write(block)
        shutil.copyfileobj(src, out, 8 << 20)
    wbn.unlink()
    return app_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--assets", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="iwa-bundle-bench-"))
    try:
        target = tmp / "big.swbn"
        app_id = build(target, args.size_mb, args.assets)
        exe = shutil.which("iwa-audit") or sys.executable
        base = [exe] if exe.endswith("iwa-audit") else [exe, "-m", "auditor"]
        audit = measure([*base, str(target), "--format", "json", "--expect-id", app_id, "--fail-level", "error"], repeat=args.repeat)
        reference = measure(["sha512sum", str(target)], repeat=args.repeat)
        size = target.stat().st_size
        print(f"machine: {machine()}")
        print(f"bundle: {size / 1e6:.0f} MB, {args.assets + 2} resources, Ed25519-signed")
        print(f"sha512sum: median {reference.median_s:.3f} s")
        print(f"iwa-audit: median {audit.median_s:.3f} s, exit {audit.exit_code}, peak RSS {audit.peak_rss_mb:.0f} MB")
        print(f"ratio iwa-audit / sha512sum: {audit.median_s / reference.median_s:.2f} (target <= 1.3); peak RSS target <= 200 MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A large Signed Web Bundle of chosen content types: audit time next to `sha512sum`, and peak RSS.

    python benchmarks/bundle_audit.py [--size-mb 400] [--types mix] [--asset-kb 200] [--repeat 3]

`--types` is a comma-separated list of content types among octet-stream, png,
html, js, json, css, `mix` (all six, assets taking turns) or `each` (the mix,
then one bundle per type). Every asset is --asset-kb: binary ones incompressible
bytes (a PNG header first for png), text ones realistic code or markup repeated
to size. The bundle is written in a streaming way (this script never holds it
in memory either), signed with an Ed25519 key. For each bundle, `iwa-audit
BUNDLE` and `sha512sum BUNDLE` run in paired rounds (taking turns); medians and
the median per-round ratio are printed, with peak RSS. Runs are capped at
measure.MEMORY_CAP_BYTES of address space, so a balloon fails instead of taking
the shared machine's memory.

Targets (issue 16): peak RSS <= 200 MB and time <= 1.3 x sha512sum, on 400 MB
and 1 GB bundles of any mix.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from builders import IB_MAGIC, WBN_MAGIC, entry_attributes, signing_payload_from_hash, web_bundle_id
from measure import header, paired, ratio

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


TYPES = {
    "octet-stream": ("application/octet-stream", ".bin"),
    "png": ("image/png", ".png"),
    "html": ("text/html", ".html"),
    "js": ("application/javascript", ".js"),
    "json": ("application/json", ".json"),
    "css": ("text/css", ".css"),
}
TEXT_UNITS = {
    "html": '<section class="card c{i}"><h2>Item {i}</h2><p>Some text about item {i}, with <a href="/p{i}.html">a link</a> and <img src="/a/{i}.png" alt="item {i}" width="64" height="64"></p><ul><li>one</li><li>two</li></ul></section>\n',
    "js": 'export function render{i}(el, items) {{ const ul = document.createElement("ul"); for (const item of items) {{ const li = document.createElement("li"); li.textContent = item.label + " {i}"; ul.append(li); }} el.replaceChildren(ul); fetch("/api/{i}.json").then((r) => r.json()).then((d) => render{i}(el, d.items)); return ul; }}\n',
    "json": '{{"id": {i}, "name": "item {i}", "tags": ["a", "b", "c"], "price": {i}.5, "active": true, "nested": {{"x": {i}, "y": [1, 2, 3]}}}},\n',
    "css": '.card.c{i} {{ color: #{i:06x}; margin: 0 auto; padding: 1rem 2rem; }} @media (min-width: 40em) {{ .card.c{i} {{ display: grid; grid-template-columns: 1fr 2fr; }} }}\n',
}


def text_asset(kind: str, i: int, size: int) -> bytes:
    unit, parts, total, k = TEXT_UNITS[kind], [], 0, i * 1000
    head, tail = {"html": ("<!doctype html><meta charset=utf-8><title>p</title><main>", "</main>"), "json": ("[", '{"end": true}]'), "js": ("", ""), "css": ("", "")}[kind]
    parts.append(head)
    total = len(head) + len(tail)
    while True:
        piece = unit.format(i=k)
        if total + len(piece) > size:
            break
        parts.append(piece)
        total += len(piece)
        k += 1
    parts.append(" " * (size - total) + tail)  # every asset exactly `size` bytes (ASCII text)
    return "".join(parts).encode()


def typed_asset(kind: str, i: int, size: int) -> bytes:
    if kind in TEXT_UNITS:
        return text_asset(kind, i, size)
    data = asset(i, size)
    if kind == "png":
        ihdr = b"IHDR" + (256).to_bytes(4, "big") * 2 + b"\x08\x06\x00\x00\x00"
        head = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
        return head + data[len(head):]
    return data


def write_web_bundle(target: Path, assets: int, asset_size: int, kinds: list[str]) -> bytes:
    """Write a b2 web bundle (manifest, page, N assets whose types take turns) and return its SHA-512."""
    manifest = b'{"name":"bench","id":"/","scope":"/","start_url":"/","version":"1.0.0","icons":[{"src":"/a/0.png","sizes":"256x256","type":"image/png"}]}'
    entries = [("", "text/html", b"<!doctype html><title>bench</title><img src=/a/0.png alt=>", None), (".well-known/manifest.webmanifest", "application/manifest+json", manifest, None)]
    entries += [(f"a/{i}{TYPES[kinds[i % len(kinds)]][1]}", TYPES[kinds[i % len(kinds)]][0], None, i) for i in range(assets)]

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
            payload = body if body is not None else typed_asset(kinds[i % len(kinds)], i, asset_size)
            emit(b"\x82" + _head(2, len(headers)) + headers + _head(2, len(payload)))
            emit(payload)
        emit(b"\x48" + total.to_bytes(8, "big"))
    return digest.digest()


def build(target: Path, size_mb: int, asset_size: int, kinds: list[str], assets: int | None = None) -> tuple[str, int]:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"benchmark key").digest())
    app_id = web_bundle_id(key)
    wbn = target.with_suffix(".wbn")
    assets = assets or max(1, size_mb * 1024 * 1024 // asset_size)
    bundle_hash = write_web_bundle(wbn, assets, asset_size, kinds)
    attributes_raw = cbor2.dumps({"webBundleId": app_id}, canonical=True)
    entry_raw = cbor2.dumps(entry_attributes(key), canonical=True)
    signature = key.sign(signing_payload_from_hash(bundle_hash, attributes_raw, entry_raw))
    block = b"\x84\x48" + IB_MAGIC + b"\x44" + b"2b\x00\x00" + attributes_raw + b"\x81\x82" + entry_raw + cbor2.dumps(signature)
    with open(target, "wb") as out, open(wbn, "rb") as src:
        out.write(block)
        shutil.copyfileobj(src, out, 8 << 20)
    wbn.unlink()
    return app_id, assets


def bench(tmp: Path, kinds: list[str], args: argparse.Namespace) -> None:
    target = tmp / "big.swbn"
    app_id, assets = build(target, args.size_mb, args.asset_kb * 1024, kinds)
    exe = shutil.which("iwa-audit", path=str(Path(sys.executable).parent))
    base = [exe] if exe else [sys.executable, "-m", "auditor"]
    got = paired({"audit": [*base, str(target), "--format", "json", "--expect-id", app_id, "--fail-level", "error"], "sha512sum": ["sha512sum", str(target)]}, repeat=args.repeat)
    audit, reference = got["audit"], got["sha512sum"]
    size = target.stat().st_size
    label = "+".join(kinds)
    print(f"[{label}] bundle {size / 1e6:.0f} MB, {assets} assets of {args.asset_kb} KB + page + manifest, Ed25519-signed")
    print(f"[{label}] sha512sum median {reference.median_s:.2f} s | iwa-audit median {audit.median_s:.2f} s, exit {audit.exit_code}, peak RSS {audit.peak_rss_mb:.0f} MB")
    print(f"[{label}] ratio iwa-audit / sha512sum {ratio(audit, reference):.2f} (target <= 1.3); peak RSS {audit.peak_rss_mb:.0f} MB (target <= 200)", flush=True)
    target.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=400)
    parser.add_argument("--asset-kb", type=int, default=200)
    parser.add_argument("--types", default="mix", help="comma-separated among " + ", ".join(TYPES) + "; or mix (all) or each (mix, then each alone)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.types == "each":
        plans = [list(TYPES), *([kind] for kind in TYPES)]
    elif args.types == "mix":
        plans = [list(TYPES)]
    else:
        plans = [[kind.strip() for kind in args.types.split(",")]]
        unknown = [kind for plan in plans for kind in plan if kind not in TYPES]
        if unknown:
            parser.error(f"unknown type(s): {', '.join(unknown)}")
    print(header(f"python benchmarks/bundle_audit.py --size-mb {args.size_mb} --asset-kb {args.asset_kb} --types {args.types} --repeat {args.repeat}"), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="iwa-bundle-bench-"))
    try:
        for kinds in plans:
            bench(tmp, kinds, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

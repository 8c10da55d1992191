"""Rebuild `examples/app.swbn` from `examples/app/` with our test builder and the TEST-ONLY key.

    python examples/build_example.py          # writes examples/app.swbn, prints its Web Bundle ID

The output is deterministic (canonical CBOR, Ed25519), so the committed bundle
can be checked against a rebuild (tests/test_examples.py does).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from builders import build_wbn, sign, web_bundle_id  # noqa: E402

KEY_FILE = HERE / "keys" / "TEST-ONLY-DO-NOT-SHIP.ed25519.pem"


def app_files(root: Path) -> dict[str, bytes]:
    """Index URL -> body, as the webbundle plugins write them: `dir/index.html` served at `dir/`."""
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        url = path.relative_to(root).as_posix()
        if url == "index.html" or url.endswith("/index.html"):
            url = url[: -len("index.html")]
        files[url] = path.read_bytes()
    return files


def build(root: Path = HERE / "app") -> tuple[bytes, str]:
    key = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    return sign(build_wbn(app_files(root)), [key]), web_bundle_id(key)


if __name__ == "__main__":
    data, app_id = build()
    (HERE / "app.swbn").write_bytes(data)
    print(app_id)

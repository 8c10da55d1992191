"""Soundness: no single-bit change anywhere in a signed bundle may leave it accepted.

For a small Ed25519 bundle and a small ECDSA P-256 bundle, every bit of every
byte is flipped in turn (integrity block and web bundle alike). Each mutant
must be unreadable (our InputError) or have an integrity block Chrome would
reject; none may verify. This is the verdict `iwa-audit inspect` and the SIG
rules rest on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from builders import build_wbn, ecdsa_key, ed25519_key, sign

from auditor.engine.errors import InputError
from auditor.readers import open_input

TINY_APP = {"": "<p>hi</p>"}


def verdict(path: Path) -> str | None:
    """None when the bundle would be accepted, else why not."""
    try:
        bundle = open_input(path)
    except InputError as error:
        return f"unreadable: {error.reason}"
    if bundle.integrity is None:
        return "no integrity block"
    return bundle.integrity.rejection()


@pytest.mark.parametrize("key", [ed25519_key(5), ecdsa_key(5)], ids=["ed25519", "ecdsa-p256"])
def test_every_single_bit_flip_is_rejected(key):
    original = sign(build_wbn(TINY_APP), [key])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.swbn"
        path.write_bytes(original)
        assert verdict(path) is None, "the unmodified bundle must verify"
        accepted = []
        for position in range(len(original)):
            for bit in range(8):
                mutant = bytearray(original)
                mutant[position] ^= 1 << bit
                path.write_bytes(mutant)
                if verdict(path) is None:
                    accepted.append((position, bit))
    assert accepted == [], f"{len(accepted)} of {len(original) * 8} single-bit mutants still verify, first at {accepted[:5]}"

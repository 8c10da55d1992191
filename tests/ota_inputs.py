"""Inputs for the OTA rule tests: zips, Capacitor configs, update responses, RSA keys (PKCS#1 PEM)."""

from __future__ import annotations

import json
from pathlib import Path

from zipcraft import write_zip


def bundle(tmp_path: Path, files, **kwargs) -> Path:
    return write_zip(tmp_path / "bundle.zip", files, **kwargs)


def updater_config(tmp_path: Path, **keys) -> Path:
    """A capacitor.config.json whose first updater key sits at line 4, column 7."""
    path = tmp_path / "capacitor.config.json"
    path.write_text(json.dumps({"plugins": {"CapacitorUpdater": keys}}, indent=2), encoding="utf-8")
    return path


def core_config(tmp_path: Path, value: dict) -> Path:
    path = tmp_path / "capacitor.config.json"
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def response(tmp_path: Path, **members) -> Path:
    """An update response; members appear one per line from line 2, keys at column 3."""
    path = tmp_path / "response.json"
    path.write_text(json.dumps(members, indent=2), encoding="utf-8")
    return path


def make_rsa_keys() -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def pkcs1(bits: int) -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()

    return {1024: pkcs1(1024), 2048: pkcs1(2048)}




def private_encrypt(private_key, data: bytes) -> bytes:
    """Node's `crypto.privateEncrypt` with PKCS#1 v1.5 padding (what `bundle encrypt` does): raw RSA on type-1 padded data."""
    numbers = private_key.private_numbers()
    size = (private_key.key_size + 7) // 8
    block = b"\x00\x01" + b"\xff" * (size - 3 - len(data)) + b"\x00" + data
    return pow(int.from_bytes(block, "big"), numbers.d, numbers.public_numbers.n).to_bytes(size, "big")


def capgo_key_pair() -> tuple[object, str]:
    """An RSA-2048 private key and its PKCS#1 PEM public key, as `key create` makes them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()

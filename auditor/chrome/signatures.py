"""Signature verification and Web Bundle ID derivation for Signed Web Bundles.

Facts from Chromium's components/web_package/signed_web_bundles/
signed_web_bundle_id.cc and signed_web_bundle_signature_verifier.cc:
Ed25519 keys are 32 raw bytes with 64-byte signatures; ECDSA P-256 keys are
33-byte compressed points with DER signatures of 64..72 bytes, verified over
SHA-256 of the payload. `cryptography` is imported lazily to keep start-up light.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.engine.context import Context
from auditor.engine.model import IntegrityBlock, SignatureType
from auditor.engine.needs import provides
from auditor.engine.registry import Need

ID_SUFFIX = {
    SignatureType.ED25519: bytes.fromhex("000102"),
    SignatureType.ECDSA_P256: bytes.fromhex("000202"),
}
PROXY_SUFFIX = bytes.fromhex("000002")
KEY_LENGTH = {SignatureType.ED25519: 32, SignatureType.ECDSA_P256: 33}
IB_MAGIC = bytes.fromhex("f09f968bf09f93a6")
IB_VERSION_2 = b"2b\x00\x00"


def derive_web_bundle_id(kind: SignatureType, public_key: bytes) -> str:
    """The ID Chromium derives from a key: base32(key || suffix), lower case, unpadded."""
    import base64  # base64 and hashlib only for signed bundles: rules import this module for every input

    return base64.b32encode(public_key + ID_SUFFIX[kind]).decode("ascii").rstrip("=").lower()


def parse_web_bundle_id(text: str) -> tuple[str, bytes] | str:
    """(kind, key) for a well-formed ID — kind is "ed25519", "ecdsa-p256" or "proxy" — else the reason it is not."""
    if len(text) not in (56, 58):
        return f"length is {len(text)}; a Web Bundle ID has 56 (Ed25519) or 58 (ECDSA P-256) characters"
    if any(c not in "abcdefghijklmnopqrstuvwxyz234567" for c in text):
        return "only lower-case base32 characters a-z and 2-7 are allowed (no padding)"
    padded = text.upper() + "=" * (-len(text) % 8)
    import base64

    try:
        decoded = base64.b32decode(padded)
    except ValueError:
        return "not valid base32"
    suffix = decoded[-3:]
    if suffix == ID_SUFFIX[SignatureType.ED25519] and len(decoded) == 35:
        return "ed25519", decoded[:-3]
    if suffix == ID_SUFFIX[SignatureType.ECDSA_P256] and len(decoded) == 36:
        return "ecdsa-p256", decoded[:-3]
    if suffix == PROXY_SUFFIX and len(decoded) == 35:
        return "proxy", decoded[:-3]
    return f"unknown type suffix {suffix.hex()}"


def sha512_stream(chunks: Iterable[memoryview | bytes]) -> bytes:
    """SHA-512 over a sequence of views, never joining them into one copy."""
    import hashlib

    digest = hashlib.sha512()
    for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


def signing_payload(bundle_hash: bytes, attributes_raw: bytes, entry_attributes_raw: bytes) -> bytes:
    """The exact bytes each signature covers (spec §2.4): lengths are u64 big-endian."""
    minimal_block = b"\x84\x48" + IB_MAGIC + b"\x44" + IB_VERSION_2 + attributes_raw + b"\x80"
    parts = (bundle_hash, minimal_block, entry_attributes_raw)
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


def key_problem(kind: SignatureType, public_key: bytes, signature: bytes) -> str | None:
    """Why Chromium would reject this key or signature before verifying, or None."""
    if len(public_key) != KEY_LENGTH[kind]:
        return f"{kind.value} public key is {len(public_key)} bytes; expected {KEY_LENGTH[kind]}"
    if kind is SignatureType.ED25519 and len(signature) != 64:
        return f"Ed25519 signature is {len(signature)} bytes; expected 64"
    if kind is SignatureType.ECDSA_P256:
        if public_key[0] not in (2, 3):
            return "ECDSA P-256 public key is not a compressed point (must start with 02 or 03)"
        if not 64 <= len(signature) <= 72:
            return f"ECDSA signature is {len(signature)} bytes; Chromium accepts DER signatures of 64 to 72 bytes"
    return None


def verify(kind: SignatureType, public_key: bytes, signature: bytes, payload: bytes) -> str | None:
    """None when the signature verifies; otherwise why it does not."""
    problem = key_problem(kind, public_key, signature)
    if problem:
        return problem
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    try:
        if kind is SignatureType.ED25519:
            ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
        else:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
            key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "signature does not verify"
    except ValueError as exc:
        return f"invalid key or signature encoding: {exc}"
    return None


# edwards25519 (RFC 8032 §5.1): -x^2 + y^2 = 1 + d x^2 y^2 over GF(p).
ED25519_P = 2**255 - 19
ED25519_D = (-121665 * pow(121666, -1, ED25519_P)) % ED25519_P


def _ed25519_point(encoded: bytes) -> tuple[int, int] | None:
    """The affine point a 32-byte key encodes, as BoringSSL decodes it (y taken mod p), or None off the curve."""
    value = int.from_bytes(encoded, "little")
    sign, y = value >> 255, (value & ((1 << 255) - 1)) % ED25519_P
    u, v = (y * y - 1) % ED25519_P, (ED25519_D * y * y + 1) % ED25519_P
    x = (u * pow(v, 3, ED25519_P) * pow(u * pow(v, 7, ED25519_P), (ED25519_P - 5) // 8, ED25519_P)) % ED25519_P
    if (v * x * x - u) % ED25519_P != 0:
        x = (x * pow(2, (ED25519_P - 1) // 4, ED25519_P)) % ED25519_P
        if (v * x * x - u) % ED25519_P != 0:
            return None
    if x & 1 != sign:
        x = (-x) % ED25519_P
    return x, y


def _ed25519_double(point: tuple[int, int]) -> tuple[int, int]:
    """2P in affine coordinates (the complete twisted Edwards addition law, P + P)."""
    x, y = point
    t = ED25519_D * x * x * y * y % ED25519_P
    return (2 * x * y * pow(1 + t, -1, ED25519_P) % ED25519_P, (y * y + x * x) * pow(1 - t, -1, ED25519_P) % ED25519_P)


def is_small_order(kind: SignatureType, public_key: bytes) -> bool:
    """True when the key is a point of order 1, 2, 4 or 8 (the identity and the 7 other torsion points).

    Neither BoringSSL's `ED25519_verify` nor `cryptography` refuses such a key,
    and with it a signature can be made for any content without a private
    key (with the identity point, R = identity and S = 0 verify everything).
    P-256 has a prime order: no ECDSA key is small-order.
    """
    if kind is not SignatureType.ED25519 or len(public_key) != KEY_LENGTH[kind]:
        return False
    point = _ed25519_point(public_key)
    if point is None:
        return False
    for _ in range(3):
        point = _ed25519_double(point)
    return point == (0, 1)


@provides(Need.V2_BLOCK)
def v2_block(ctx: Context) -> IntegrityBlock | None:
    """The integrity block when it is v2 (Chrome reads no other version for IWAs)."""
    block = ctx.bundle.integrity
    return block if block is not None and block.version == "2b" else None


def required_v2_block(ctx: Context) -> IntegrityBlock:
    """The v2 block, for a rule that declares `Need.V2_BLOCK` (the runner skipped it otherwise)."""
    block = v2_block(ctx)
    if block is None:
        raise LookupError("the rule reads the v2 block but does not declare needs=Need.V2_BLOCK")
    return block

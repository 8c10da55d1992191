"""SIG: the integrity block, its signatures and the Web Bundle ID they prove.

The integrity reader verifies every signature and derives an ID from every
known key; these rules judge the results the way Chrome does at install time.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.chrome.install_verdict import INSTALL
from auditor.chrome.signatures import is_small_order, required_v2_block, v2_block
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.model import BUNDLE_KINDS, InputKind, SignatureType
from auditor.engine.registry import Need, rule

SIGNED = frozenset({InputKind.SWBN})
BLOCK_PROBLEMS = ("attribute-name", "attribute-value", "duplicate-attribute", "nested-attribute", "missing-id", "bad-id", "proxy-id", "empty-stack")


@rule(id="SIG001", name="unsigned-bundle", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("signature", INSTALL), security_severity=7.0)
def unsigned_bundle(ctx: Context) -> Iterator[Hit]:
    """The bundle has no integrity block: it is a plain `.wbn`, not a Signed Web Bundle.

    ## What it checks
    Whether a bundle input starts with an integrity block.

    ## Why it matters
    Chrome installs and updates Isolated Web Apps only from Signed Web Bundles;
    the signing key is the app's identity. An unsigned `.wbn` is a build
    intermediate. Ignore this rule when you audit the `.wbn` on purpose before
    signing (`--ignore SIG001`).

    ## Example
    ```
    wbn --dir dist -o app.wbn       # and app.wbn is what gets shipped
    ```

    ## Fix
    Sign it: `wbn-sign -i app.wbn -o app.swbn -k key.pem`, or use the
    webbundle plugin's `integrityBlockSign` option.

    ## References
    Chromium `components/web_package/signed_web_bundles/integrity_block_parser.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`; the integrity-block explainer (WICG/webpackage `explainers/integrity-signature.md`).
    """
    if ctx.bundle.kind is InputKind.WBN:
        yield Hit("the bundle is not signed (no integrity block); Chrome installs IWAs only from Signed Web Bundles", ctx.bundle_location(0, 0), help="sign it with wbn-sign or the webbundle plugin's integrityBlockSign")


@rule(id="SIG002", name="integrity-block-v1", level=Level.ERROR, inputs=SIGNED, needs=Need.SIGNATURES, tags=("signature", INSTALL), security_severity=7.0)
def integrity_block_v1(ctx: Context) -> Iterator[Hit]:
    """The integrity block is version 1, which Chrome no longer accepts.

    ## What it checks
    The integrity block's version bytes: `1b\\0\\0` (v1) instead of `2b\\0\\0`.

    ## Why it matters
    Chromium refuses v1 blocks ("Integrity Block V1 has been deprecated since
    M129. Please re-sign your app."); v1 also lacks the `webBundleId`
    attribute that names the app. Its signatures are not verified here.

    ## Example
    ```
    [magic, "1b\\0\\0", [signatures]]    # e.g. written by the Go tools in go/integrityblock
    ```

    ## Fix
    Re-sign with a current `wbn-sign` (0.2.2 and later write only v2) or webbundle plugin.

    ## References
    Chromium `components/web_package/signed_web_bundles/integrity_block_parser.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`, `components/web_package/signed_web_bundles/ecdsa_p256_utils.cc`; the integrity-block explainer (WICG/webpackage `explainers/integrity-signature.md`).
    """
    block = ctx.bundle.integrity
    if block is not None and block.version == "1b":
        yield Hit("integrity block v1: Chrome rejects it (deprecated since M129); re-sign the app", ctx.bundle_location(11, 4), help="re-sign with a current wbn-sign (0.2.2+ writes v2)")


@rule(id="SIG003", name="malformed-integrity-block", level=Level.ERROR, inputs=SIGNED, needs=Need.V2_BLOCK, tags=("signature", INSTALL), security_severity=7.0)
def malformed_integrity_block(ctx: Context) -> Iterator[Hit]:
    """The integrity block parses but Chrome rejects it: bad or missing `webBundleId`, odd attributes, no signature.

    ## What it checks
    The v2 block's attributes and every signature entry's attributes as
    Chromium's attribute parser reads them: names are unique UTF-8 text;
    values are integers within int64, byte strings, UTF-8 text or
    `true`/`false` (never `null`, `undefined`, floats, tags, arrays or maps);
    text and names hold no Unicode noncharacter (U+FDD0-U+FDEF, U+xxFFFE,
    U+xxFFFF). The `webBundleId` is a well-formed, non-proxy Web Bundle ID in
    lower-case base32, and the signature stack is not empty.

    ## Why it matters
    Each of these makes Chrome refuse the bundle before any signature is read.

    ## Example
    ```
    attributes: {"webBundleId": "AERUGQZTIJ5..."}    # upper case: not an ID
    ```

    ## Fix
    Sign with `wbn-sign` (it writes the ID from the key), never edit the
    block by hand.

    ## References
    Chromium `components/web_package/signed_web_bundles/attribute_map_parser.cc`
    and `input_reader.cc`; Chromium `components/web_package/signed_web_bundles/attribute_map_parser.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_id.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`, `components/web_package/signed_web_bundles/ecdsa_p256_utils.cc`.
    """
    block = required_v2_block(ctx)
    for problem in block.problems:
        if problem.code in BLOCK_PROBLEMS:
            yield Hit(problem.message, ctx.bundle_location(problem.offset, problem.length or 0), help="re-sign the bundle with wbn-sign")


@rule(id="SIG004", name="unknown-first-signature-type", level=Level.ERROR, inputs=SIGNED, needs=Need.V2_BLOCK, tags=("signature", INSTALL), security_severity=7.0)
def unknown_first_signature_type(ctx: Context) -> Iterator[Hit]:
    """The first signature is of a type Chrome does not know.

    ## What it checks
    The first entry of the signature stack must carry exactly one of
    `ed25519PublicKey` or `ecdsaP256SHA256PublicKey`. Later unknown entries are
    allowed (Chrome skips them) and reported only as a note.

    ## Why it matters
    Chrome requires the first signature to be of a known type and refuses the
    bundle otherwise.

    ## Example
    ```
    [[{"rsaPublicKey": h'…'}, h'…'], …]
    ```

    ## Fix
    Put an Ed25519 or ECDSA P-256 signature first.

    ## References
    Chromium `components/web_package/signed_web_bundles/signature_entry_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`.
    """
    block = required_v2_block(ctx)
    for signature in block.signatures:
        if signature.type is not SignatureType.UNKNOWN:
            continue
        offset, length = signature.byte_range or (None, 0)
        if signature.index == 0:
            yield Hit("the first signature has no known type (exactly one of ed25519PublicKey or ecdsaP256SHA256PublicKey); Chrome rejects the bundle", ctx.bundle_location(offset, length))
        else:
            yield Hit(f"signature {signature.index} has an unknown type; Chrome skips it", ctx.bundle_location(offset, length), level=Level.NOTE)


@rule(id="SIG005", name="invalid-signature", level=Level.ERROR, inputs=SIGNED, needs=Need.V2_BLOCK, tags=("signature", "security", INSTALL), security_severity=9.0)
def invalid_signature(ctx: Context) -> Iterator[Hit]:
    """A signature does not verify, or its key or signature bytes are malformed.

    ## What it checks
    Every known-type signature over the exact signed payload (SHA-512 of the
    web bundle, the integrity block's attributes as written, the entry's
    attributes), with key and signature lengths as Chrome requires: Ed25519 a
    32-byte key and 64-byte signature; ECDSA P-256 a 33-byte compressed point
    and a DER signature of 64 to 72 bytes.

    ## Why it matters
    Chrome requires every known signature to verify. A failure means the
    bundle was changed after signing (or signed wrongly): it will not install,
    and if you did not change it, someone else did.

    ## Example
    ```
    printf 'x' | dd of=app.swbn bs=1 seek=4000 conv=notrunc   # one byte changed
    ```

    ## Fix
    Rebuild and re-sign the bundle from source; never edit a signed bundle.

    ## References
    Chromium `components/web_package/signed_web_bundles/signature_entry_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`, `components/web_package/signed_web_bundles/ecdsa_p256_utils.cc`; the integrity-block explainer (WICG/webpackage `explainers/integrity-signature.md`).
    """
    block = required_v2_block(ctx)
    for signature in block.signatures:
        if signature.valid is False:
            offset, length = signature.byte_range or (None, 0)
            yield Hit(f"signature {signature.index} ({signature.type.value}, key {signature.public_key.hex()[:16]}…): {signature.problem}", ctx.bundle_location(offset, length), help="rebuild and re-sign the bundle; do not edit signed bundles")


@rule(id="SIG006", name="id-not-derived-from-signer", level=Level.ERROR, inputs=SIGNED, needs=Need.SIGNATURES, tags=("signature", "security", INSTALL), security_severity=9.0)
def id_not_derived_from_signer(ctx: Context) -> Iterator[Hit]:
    """The `webBundleId` does not derive from any signer's public key.

    ## What it checks
    That the ID in the integrity block equals the ID derived (base32 of the
    key and its type suffix) from at least one known-type signature.

    ## Why it matters
    The ID is the app's origin and identity. Chrome accepts a bundle only when
    a signer owns that ID; otherwise anyone could sign a bundle that claims to
    be your app.

    Key rotation: when Chrome holds key-rotation data for an ID (delivered as
    component data, `iwa_identity_validator.cc`), it requires a signer to
    hold the rotated key instead of the key the ID derives from. A static
    audit cannot see that data, so the finding says so: a bundle signed only
    by a rotated key is reported here although Chrome may install it, and a
    bundle whose ID derives from its signer is refused once the ID's key has
    been rotated away from that signer.

    ## Example
    ```
    wbn-sign … --web-bundle-id <an ID of another key>
    ```

    ## Fix
    Sign with the app's key, or omit the explicit ID so it is derived.

    ## References
    Chromium `components/web_package/signed_web_bundles/signed_web_bundle_id.cc`,
    `components/webapps/isolated_web_apps/iwa_identity_validator.cc`;
    Chromium `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc`, `components/web_package/signed_web_bundles/signed_web_bundle_id.cc`.
    """
    block = v2_block(ctx)
    if block is None or not block.web_bundle_id or any(p.code in ("bad-id", "proxy-id") for p in block.problems):
        return
    if block.derived_ids and block.web_bundle_id not in block.derived_ids:
        derived = ", ".join(f"`{i}`" for i in block.derived_ids)
        yield Hit(
            f"`webBundleId` `{block.web_bundle_id}` does not derive from any signer's key (signers give {derived}); "
            "Chrome refuses it unless its key-rotation data (component data, not visible to a static audit) names a signer's key for this ID",
            ctx.bundle_location(0, block.size),
            help="sign with the app's key (or, after a key rotation, with the rotated key Chrome was given)",
        )


@rule(id="SIG009", name="small-order-key", level=Level.NOTE, inputs=SIGNED, needs=Need.SIGNATURES, tags=("signature", "security"), security_severity=7.0)
def small_order_key(ctx: Context) -> Iterator[Hit]:
    """A signer's Ed25519 key is a small-order point: its "signature" verifies for any content.

    ## What it checks
    Every Ed25519 public key in the signature stack, for the identity point and
    the 7 other points of order 2, 4 or 8 (in any encoding of them).

    ## Why it matters
    Chrome (BoringSSL `ED25519_verify`) does not refuse such keys, and neither
    does any other common verifier. With the identity key, the signature
    R = identity, S = 0 verifies every message; with the other torsion points
    a forgery takes a few tries. Nobody holds a private key for them: an app
    whose ID derives from one can be "updated" by anyone, and a second signer
    with such a key proves nothing.

    ## Example
    ```
    [{"ed25519PublicKey": h'0100000000000000000000000000000000000000000000000000000000000000'}, h'01…00']
    ```

    ## Fix
    Generate a real key (`openssl genpkey -algorithm ed25519`) and sign with it.

    ## References
    Chromium `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`;
    RFC 8032 §5.1; .
    """
    block = ctx.bundle.integrity
    if block is None:
        return
    for signature in block.signatures:
        if is_small_order(signature.type, signature.public_key):
            offset, length = signature.byte_range or (None, 0)
            yield Hit(
                f"signature {signature.index} uses the small-order Ed25519 key {signature.public_key.hex()[:16]}…: a signature by it verifies for any content, so it proves nothing",
                ctx.bundle_location(offset, length),
                help="sign with a key generated for this app",
            )


@rule(id="SIG007", name="unexpected-web-bundle-id", level=Level.ERROR, inputs=BUNDLE_KINDS, tags=("signature", "security"), security_severity=8.0)
def unexpected_web_bundle_id(ctx: Context) -> Iterator[Hit]:
    """The bundle's Web Bundle ID is not the one pinned with `--expect-id`.

    ## What it checks
    With `--expect-id ID` (or `expect_id` in the config), that the integrity
    block's `webBundleId` equals it.

    ## Why it matters
    A new ID is a new app: users of the old one get no update, and a bundle
    signed with a stray or attacker's key would install beside yours. Pinning
    the ID in CI catches a wrong signing key before release.

    ## Example
    ```
    iwa-audit app.swbn --expect-id amfcf7c4bmpbjbmq4h4yptcobves56hfdyr7tm3doxqvfmsk5ss6maacai
    ```

    ## Fix
    Sign with the app's own key (check the key path in the release job).

    ## References
    Chromium `components/web_package/signed_web_bundles/signed_web_bundle_signature_verifier.cc`, `components/web_package/signed_web_bundles/ecdsa_p256_utils.cc` ("the ID equals the expected app ID").
    """
    expected = ctx.settings.expect_id
    if not expected:
        return
    block = ctx.bundle.integrity
    actual = block.web_bundle_id if block is not None else None
    if block is None:
        return  # an unsigned bundle has no ID; SIG001 reports it
    if actual != expected:
        yield Hit(f"Web Bundle ID is `{actual}`, expected `{expected}`", ctx.bundle_location(0, block.size), help="sign with the key that belongs to the expected ID")


@rule(id="SIG008", name="signature-compatibility", level=Level.NOTE, inputs=SIGNED, needs=Need.V2_BLOCK, tags=("signature", "compatibility"), security_severity=3.0)
def signature_compatibility(ctx: Context) -> Iterator[Hit]:
    """The bundle uses ECDSA P-256 or several signatures, which older Chrome versions refuse.

    ## What it checks
    Whether the ID is an ECDSA ID or the stack holds more than one signature.

    ## Why it matters
    Older Chrome releases accepted only Ed25519 IDs and exactly one signature
    (the IWA validator at 0c2a6b0e); current Chrome accepts both. Devices on
    an old ChromeOS release will refuse the bundle.

    ## Example
    ```
    wbn-sign -i app.wbn -o app.swbn -k ecdsa.pem
    ```

    ## Fix
    Nothing, if your fleet runs current Chrome. Otherwise sign with a single
    Ed25519 key.

    ## References
    Chromium `components/web_package/signed_web_bundles/signature_entry_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_validator.cc` ("Older Chromium").
    """
    block = required_v2_block(ctx)
    reasons = []
    if any(s.type is SignatureType.ECDSA_P256 for s in block.signatures):
        reasons.append("an ECDSA P-256 signature")
    if len(block.signatures) > 1:
        reasons.append(f"{len(block.signatures)} signatures")
    if reasons:
        yield Hit(f"the bundle has {' and '.join(reasons)}; older Chrome releases accepted only one Ed25519 signature", ctx.bundle_location(0, block.size))


RULES = (
    unsigned_bundle,
    integrity_block_v1,
    malformed_integrity_block,
    unknown_first_signature_type,
    invalid_signature,
    id_not_derived_from_signer,
    unexpected_web_bundle_id,
    signature_compatibility,
    small_order_key,
)

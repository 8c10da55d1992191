"""Mutation check of the verifier's safety nets: prints every mutant the test suite lets survive.

    python benchmarks/mutation.py [--module auditor/readers/cbor.py ...] [--max-children 2]

Mutated (issue 12 item 7, issue 13): the CBOR reader's strictness checks
(`auditor/readers/cbor.py`), the integrity block's attribute-value reader
(`auditor/readers/integrity_attributes.py`), the ECDSA/Ed25519 key and
signature checks (`auditor/chrome/signatures.py`), the version parser's
ordering (`auditor/chrome/version.py`) and `IntegrityBlock.rejection()`
(`auditor/engine/model.py`). The tests run against each mutant are the ones
that exercise these modules (TESTS below), so a run fits on a 2-core machine;
`--tests` narrows them further and `--mutants PATTERN` runs named mutants only
(a narrower test set can only add survivors, never hide one).

The project is copied to a temporary folder and `mutmut` (3.x) runs there,
so nothing in the work tree changes. Exit 0 when no mutant survives beyond
the ones judged equivalent, 1 when some do, 2 when mutmut itself fails.

Survivors judged equivalent (they cannot change a verdict), from the one run
so far (auditor/readers/integrity_attributes.py, 229 mutants, 32 survivors):
- every mutant of a `what` label argument (`what` → None or dropped) in
  `read_text`, `read_value` and `read_attribute_map`: it only words the
  message of an error that is raised anyway (16 of the 32);
- `.decode("utf-8")` → `.decode("UTF-8")`: the same codec.
The other survivors of that run (`canonical=False` → True/None/dropped when
a nested value, a tagged item or a non-text name is skipped) were real: a
non-canonical inner map made the block unreadable instead of a SIG003
finding. test_nested_values_and_names_are_skipped_without_the_canonical_order_check
kills them; the run has not been repeated since.

`auditor/readers/integrity_attributes.py` re-run (2026-12-02, after the nested-order
fix): 24 survivors. Most are `what`-label mutants of the kind judged equivalent above;
`continue` → `break` after a duplicate attribute name was real (the rest of the map went
unread); test_reads_on_after_a_duplicate_name kills it. The other 23 are judged
equivalent one by one in EQUIVALENT below: `what` labels, `canonical=None` (falsy like
False), the "UTF-8" codec spelling.

`IntegrityBlock.rejection()` (hand-made mutants, 2026-12-02): every single-check
drop or comparison flip of its five conditions (11 mutants) is killed, four of them
only by tests/engine/test_block_rejection.py, which sets one fact at a time.

`auditor/chrome/version.py` (run 2026-12-02): one survivor, `__hash__` returning
`hash(None)`: equivalent (equal versions still hash equal; ordering and
equality, which decide downgrades, are untouched).

`auditor/chrome/signatures.py` (run 2026-12-02, `--module auditor/chrome/signatures.py`,
TESTS as below): 271 mutants, 214 killed, 14 timed out (hangs: a modular `pow` made plain),
43 survived. 7 of the 43 could change a verdict: an upper-case X passed the
base32 letter check (parse_6), a 58-character ID with the Ed25519 suffix was taken
for ECDSA (parse_33), a proxy ID was not recognised as one (parse_43..46: the
proxy-id problem lost), and `verify()` skipped its own key pre-check (verify_1;
the reader calls `key_problem` first, so only a direct caller was exposed).
21 more could not change a verdict today but broke a function's contract and are
killed anyway: the kind labels and key slices `parse_web_bundle_id` returns
(10), the Ed25519 sign bit and the float-divided square-root check in
`_ed25519_point` (8; P and -P have the same order) and the doubling's y
formula (3). Killing tests, all in tests/chrome/test_signature_checks.py:
test_parse_returns_the_kind_and_key_of_each_id, test_an_upper_case_x_is_not_a_base32_letter,
test_the_ecdsa_length_does_not_make_any_suffix_ecdsa, test_a_proxy_suffix_at_the_ecdsa_length_is_no_proxy_id,
test_sig003_flags_a_proxy_id, test_verify_refuses_a_malformed_key_before_the_library_sees_it,
test_a_real_key_decodes_to_the_point_it_encodes, test_both_square_root_branches_are_exercised,
test_doubling_stays_on_the_curve. Re-run after them: 271 mutants, 242 killed, 14 timed
out, 15 survived, all 15 in EQUIVALENT with their reasons (codec spelling, an X
that a fixed suffix never ends in, wording of an unreachable or programming-error
message, `to_bytes`' big-endian default, `pow` with an unreduced base or no modulus,
(p+1)//4 == (p-1)//4, 16P = O iff 8P = O).

`auditor/readers/cbor.py` (run 2026-12-02): the strictness checks were run first,
`--mutants` for `need`, `head`, `expect`, `string_end` and `skip` (329 of the
module's 374 mutants), with `--tests` tests/readers/test_cbor_strictness.py,
test_format_limits.py, test_integrity_attributes.py and tests/rules/test_bundle_lazy.py
(the full TESTS set took ~20 s a survivor); the other 45 (`__init__`,
`_byte`, `_slice`, `decode`, `raw`) after, below. First run: 232 killed, 2 timed out, 95
survived. 89 were real: the offset or file of every refusal (a finding pointing
at the wrong byte or at no file; most of them), the caller's label lost through
nested items, `canonical` not passed down (None or dropped) into array items,
map keys and map values (a nested map out of order accepted, or refused when the
caller asked for no order check), the depth of map keys and values mis-counted
(dropped, -1, +2: nesting through keys evaded `max_cbor_depth`), `Head.offset`
lost, and "only 1 remain" where none did. Killing tests, in
tests/readers/test_cbor_strictness.py: test_a_refusal_names_the_file_and_the_absolute_offset,
test_the_item_limit_names_the_file_and_offset, test_expect_names_the_file_and_offset,
test_a_head_records_where_it_starts_and_its_big_endian_argument,
test_truncation_at_the_very_end_says_none_remain, test_a_refusal_carries_the_callers_label,
test_nested_maps_follow_the_callers_canonical_choice,
test_the_depth_limit_counts_nesting_through_map_keys_and_values,
test_map_keys_and_values_carry_the_callers_label. Re-run: 320 killed, 9 survived;
6 equivalent (in EQUIVALENT: head()'s default label that no caller uses, the
from_bytes default, the "UTF-8" spelling, `<=` on key order where equality is
already a duplicate); the other 3 (a truncated text string's label, `canonical`
into map keys) are killed by the last two rows added (re-run of those 3 named mutants: 3 killed).
The 45 remaining mutants (`__init__`, `_byte`, `_slice`, `decode`, `raw`; same `--tests`)
were run next: 29 killed, 16 survived. Real: `decode`'s `canonical` default flipped, not
passed to `skip` or passed as None (a section with an out-of-order map accepted), and its
label not passed on; test_decode_checks_key_order_by_default_and_only_then and
test_decode_passes_the_callers_label_to_its_refusal kill those 5 (re-run: 11 left). The 11
left are in EQUIVALENT: default labels no production caller uses, and the belt-and-braces
refusal after `cbor2.loads`, which `skip()`'s validation makes unreachable.

Web bundle format limits (section-lengths < 8 KiB, metadata sections <= 1 MiB,
response headers < 512 KiB) are each reached at the boundary and one byte
under in tests/readers/test_format_limits.py; the CBOR depth limit in
tests/readers/test_cbor_strictness.py (arrays, map keys, map values) and
tests/rules/test_bundle_lazy.py (a signature attribute, through open_input);
the item limit (`max_items`) only in tests/readers/test_cbor_strictness.py,
because no reader sets it; the crash handlers in tests/engine/test_pipeline.py
(a crashing rule is AUD002; an error outside the rules is one stderr line, exit 2).
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = (
    "auditor/readers/cbor.py",
    "auditor/readers/integrity_attributes.py",
    "auditor/chrome/signatures.py",
    "auditor/chrome/version.py",
    "auditor/engine/model.py",
)
TESTS = (
    "tests/readers/test_integrity_attributes.py",
    "tests/readers/test_cbor_strictness.py",
    "tests/rules/test_signatures.py",
    "tests/rules/test_bundle_lazy.py",
    "tests/test_install_verdict.py",
    "tests/hardening/test_signature_soundness.py",
    "tests/test_version_order.py",
    "tests/engine/test_block_rejection.py",
    "tests/chrome/test_signature_checks.py",
    "tests/readers/test_format_limits.py",
)
EQUIVALENT: dict[str, str] = {
    # filled from runs: "module.function__mutmut_N": "why it cannot change a verdict"
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_10": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_22": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_24": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_28": "canonical=None is falsy like False: the same call",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_29": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_32": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_4": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_48": "canonical=None is falsy like False: the same call",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_49": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_52": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_attribute_map__mutmut_84": "only the wording of the label when a name was refused (already a problem)",
    "auditor.readers.integrity_attributes.x_read_text__mutmut_10": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_text__mutmut_20": "the same codec",
    "auditor.readers.integrity_attributes.x_read_text__mutmut_4": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_23": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_3": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_46": "canonical=None is falsy like False: the same call",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_47": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_5": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_50": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_57": "canonical=None is falsy like False: the same call",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_58": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.integrity_attributes.x_read_value__mutmut_61": "only the `what` label of an error that is raised anyway: message wording, same verdict",
    "auditor.readers.cbor.xǁCborReaderǁ__init____mutmut_2": "the default `where` label: every reader passes the file it reads; message wording only",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_2": "decode()'s default label: every production caller passes its own `what`; message wording only",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_3": "decode()'s default label: every production caller passes its own `what`; message wording only",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_4": "decode()'s default label: every production caller passes its own `what`; message wording only",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_19": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_20": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_21": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_22": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_23": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_24": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁdecode__mutmut_25": "the belt-and-braces refusal after cbor2.loads: skip() has validated the item first, so cbor2 does not fail on it; unreachable",
    "auditor.readers.cbor.xǁCborReaderǁhead__mutmut_1": "head()'s default label: every caller passes its own `what`",
    "auditor.readers.cbor.xǁCborReaderǁhead__mutmut_2": "head()'s default label: every caller passes its own `what`",
    "auditor.readers.cbor.xǁCborReaderǁhead__mutmut_3": "head()'s default label: every caller passes its own `what`",
    "auditor.readers.cbor.xǁCborReaderǁhead__mutmut_76": "int.from_bytes defaults to big-endian since Python 3.11 (requires-python >= 3.11)",
    "auditor.readers.cbor.xǁCborReaderǁskip__mutmut_51": "the same codec (the 'UTF-8' spelling)",
    "auditor.readers.cbor.xǁCborReaderǁskip__mutmut_129": "equal (major, length, bytes) means equal keys, refused as a duplicate just before",
    "auditor.chrome.version.xǁIwaVersionǁ__hash____mutmut_1": "hash(None) for every version keeps hash consistent with ==; only dict speed changes",
    "auditor.chrome.signatures.x_derive_web_bundle_id__mutmut_8": "the same codec (the 'ASCII' spelling)",
    "auditor.chrome.signatures.x_derive_web_bundle_id__mutmut_9": "an ID ends in 'c' (Ed25519) or 'i' (ECDSA) from its fixed suffix, never X: stripping X too strips nothing more",
    "auditor.chrome.signatures.x_parse_web_bundle_id__mutmut_20": "wording of a refusal that cannot be reached (56/58 checked base32 letters always decode): same verdict",
    "auditor.chrome.signatures.x_parse_web_bundle_id__mutmut_21": "wording of a refusal that cannot be reached (56/58 checked base32 letters always decode): same verdict",
    "auditor.chrome.signatures.x_signing_payload__mutmut_17": "int.to_bytes defaults to big-endian since Python 3.11 (requires-python >= 3.11): the same bytes",
    "auditor.chrome.signatures.x__ed25519_point__mutmut_34": "pow without the modulus: the product is reduced mod p anyway, same x (only slower)",
    "auditor.chrome.signatures.x__ed25519_point__mutmut_37": "pow without the modulus: the product is reduced mod p anyway, same x (only slower)",
    "auditor.chrome.signatures.x__ed25519_point__mutmut_48": "an unreduced base of a modular pow: the same power mod p",
    "auditor.chrome.signatures.x__ed25519_point__mutmut_51": "an unreduced base of a modular pow: the same power mod p",
    "auditor.chrome.signatures.x__ed25519_point__mutmut_74": "p = 2^255-19 is 1 mod 4, so (p+1)//4 == (p-1)//4: the same sqrt(-1)",
    "auditor.chrome.signatures.x_is_small_order__mutmut_10": "16P = O exactly when 8P = O: the group order is 8 times an odd prime, no point has order 16",
    "auditor.chrome.signatures.x_required_v2_block__mutmut_4": "wording of a programming error's message (a rule without needs=V2_BLOCK), no verdict",
    "auditor.chrome.signatures.x_required_v2_block__mutmut_5": "wording of a programming error's message (a rule without needs=V2_BLOCK), no verdict",
    "auditor.chrome.signatures.x_required_v2_block__mutmut_6": "wording of a programming error's message (a rule without needs=V2_BLOCK), no verdict",
    "auditor.chrome.signatures.x_required_v2_block__mutmut_7": "wording of a programming error's message (a rule without needs=V2_BLOCK), no verdict",
}
COPIED = ("auditor", "rules", "schemas", "tests", "pyproject.toml", "README.md")


def configure(work: Path, modules: list[str], selection: tuple[str, ...] = TESTS) -> None:
    """Append a [tool.mutmut] table to the copy's pyproject (mutmut 3 reads it)."""
    tests = [t for t in selection if (work / t).exists()]
    table = (
        "\n[tool.mutmut]\n"
        f"source_paths = {modules!r}\n"
        f"pytest_add_cli_args_test_selection = {tests!r}\n"
        'also_copy = ["auditor", "rules", "schemas", "tests"]\n'
        # A mutant that hangs (a modular pow made plain) is killed as a timeout after
        # 4x (its tests' time + 1 s) of CPU, not mutmut's default 30x.
        "timeout_multiplier = 2.0\n"
    ).replace("'", '"')
    with open(work / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", help="mutate only this module (repeatable)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2: the machine has 2 cores)")
    parser.add_argument("--mutants", action="append", default=[], help="run only the mutants matching this mutmut name pattern (repeatable), e.g. 'auditor.readers.cbor.x*skip__mutmut_*'")
    parser.add_argument("--tests", action="append", help="test files to run instead of TESTS (repeatable); fewer tests can only add survivors, never hide one")
    args = parser.parse_args(argv)
    modules = args.module or list(MODULES)
    mutmut = shutil.which("mutmut") or str(Path(sys.executable).with_name("mutmut"))
    with tempfile.TemporaryDirectory(prefix="iwa-mutation-") as tmp:
        work = Path(tmp)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
            elif source.exists():
                shutil.copy2(source, work / name)
        configure(work, modules, tuple(args.tests or TESTS))
        run = subprocess.run([mutmut, "run", "--max-children", str(args.max_children), *args.mutants], cwd=work, check=False)
        if run.returncode != 0:
            print(f"mutmut run failed (exit {run.returncode}): no verdict", file=sys.stderr)
            return 2
        results = subprocess.run([mutmut, "results"], cwd=work, capture_output=True, text=True, check=False)
        survivors = [
            line.strip()
            for line in results.stdout.splitlines()
            if ("survived" in line or "no tests" in line) and line.split(":")[0].strip() not in EQUIVALENT
            and (not args.mutants or any(fnmatch.fnmatch(line.split(":")[0].strip(), pattern) for pattern in args.mutants))
        ]
        print(f"{len(survivors)} surviving mutant(s):")
        for line in survivors:
            print(" ", line)
            shown = subprocess.run([mutmut, "show", line.split(":")[0]], cwd=work, capture_output=True, text=True, check=False)
            print("    " + shown.stdout.strip().replace("\n", "\n    "))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())

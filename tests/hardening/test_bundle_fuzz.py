"""Property tests: whatever the bytes, readers end in a Bundle or our InputError, and no rule crashes.

Inputs are arbitrary bytes behind a bundle magic, and structured mutations of
valid bundles: truncation, overwritten bytes, lying CBOR length heads (up to
2^64-1), deep nesting spliced in, and bit flips. `fuzz/fuzz_readers.py` runs
the same idea for hours; this is the short budget for CI.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from builders import fuzz_seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine.catalogue import all_rules
from auditor.engine.errors import InputError
from auditor.engine.registry import RuleSet
from auditor.engine.runner import run_rules
from auditor.readers import open_input

SEEDS = fuzz_seeds()
SWBN_HEAD = SEEDS[1][:10]
WBN_HEAD = SEEDS[0][:10]
RULES = RuleSet(all_rules())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def audit_bytes(data: bytes) -> None:
    """Read and audit; only our InputError may escape, and no rule may crash (AUD002)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.swbn"
        path.write_bytes(data)
        try:
            bundle = open_input(path)
        except InputError as error:
            assert error.describe()  # a one-line message exists
            return
        report = run_rules(bundle, RULES)
        crashed = [f for f in report.findings if f.rule_id == "AUD002"]
        assert not crashed, crashed[0].message


@SETTINGS
@given(head=st.sampled_from([SWBN_HEAD, WBN_HEAD]), tail=st.binary(max_size=400))
def test_any_bytes_after_a_magic(head, tail):
    audit_bytes(head + tail)


@SETTINGS
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_truncation_anywhere(seed, data):
    audit_bytes(seed[: data.draw(st.integers(0, len(seed) - 1))])


@SETTINGS
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_overwritten_bytes_and_bit_flips(seed, data):
    mutant = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(mutant) - 1))
        if data.draw(st.booleans()):
            mutant[at] ^= 1 << data.draw(st.integers(0, 7))
        else:
            mutant[at] = data.draw(st.integers(0, 255))
    audit_bytes(bytes(mutant))


@SETTINGS
@given(seed=st.sampled_from(SEEDS), major=st.integers(0, 7), length=st.sampled_from([23, 0xFF, 0xFFFF, 0xFFFFFFFF, 2**63, 2**64 - 1]), data=st.data())
def test_lying_length_heads(seed, major, length, data):
    """Replace one byte with a CBOR head declaring a huge length: never trusted before checking what remains."""
    head = bytes([major << 5 | 27]) + length.to_bytes(8, "big") if length > 0xFFFFFFFF else bytes([major << 5 | 26]) + length.to_bytes(4, "big")
    at = data.draw(st.integers(0, len(seed) - 1))
    audit_bytes(seed[:at] + head + seed[at + 1 :])


@SETTINGS
@given(seed=st.sampled_from(SEEDS), depth=st.integers(10, 5000), data=st.data())
def test_deep_nesting_spliced_in(seed, depth, data):
    at = data.draw(st.integers(0, len(seed) - 1))
    nest = data.draw(st.sampled_from([b"\x81", b"\xa1\x40", b"\x9f"]))
    audit_bytes(seed[:at] + nest * depth + seed[at:])

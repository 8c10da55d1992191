"""IntegrityBlock.rejection(), the block's own verdict, one condition at a time.

Each test changes exactly one fact of an accepted block, so dropping or flipping any single
check in `rejection()` fails one of them (checked by hand-made mutants; see benchmarks/mutation.py).
"""

from __future__ import annotations

from auditor.engine.model import IntegrityBlock, Problem, Signature, SignatureType
from auditor.engine.problems import ProblemCode
from auditor.engine.record import replace

ID = "4dv2emngol267loci3yd6ketvm4bjdyjwuvywgjb4rxeci55ritaaaic"
GOOD_SIG = Signature(index=0, type=SignatureType.ED25519, public_key=b"k" * 32, signature=b"s" * 64, valid=True)
ACCEPTED = IntegrityBlock(version="2b", size=100, web_bundle_id=ID, signatures=(GOOD_SIG,), derived_ids=(ID,))


def test_an_accepted_block_has_no_rejection():
    assert ACCEPTED.rejection() is None


def test_a_v1_block_is_rejected_even_when_everything_else_holds():
    assert replace(ACCEPTED, version="1b").rejection() == "integrity block version 1b is not accepted"


def test_a_structural_problem_is_the_rejection():
    problem = Problem(ProblemCode.EMPTY_STACK, "the signature stack is empty")
    assert replace(ACCEPTED, problems=(problem,)).rejection() == "the signature stack is empty"


def test_no_signature_is_rejected():
    assert replace(ACCEPTED, signatures=()).rejection() == "the first signature is not of a known type"


def test_an_unknown_first_signature_is_rejected():
    unknown = replace(GOOD_SIG, type=SignatureType.UNKNOWN, valid=None)
    assert replace(ACCEPTED, signatures=(unknown,)).rejection() == "the first signature is not of a known type"


def test_an_unknown_later_signature_is_not_a_rejection():
    unknown = replace(GOOD_SIG, index=1, type=SignatureType.UNKNOWN, valid=None)
    assert replace(ACCEPTED, signatures=(GOOD_SIG, unknown)).rejection() is None


def test_any_invalid_known_signature_is_rejected():
    bad = replace(GOOD_SIG, index=1, valid=False, problem="does not verify")
    assert replace(ACCEPTED, signatures=(GOOD_SIG, bad)).rejection() == "signature 1: does not verify"


def test_an_id_no_signer_owns_is_rejected():
    assert replace(ACCEPTED, derived_ids=("someoneelse",)).rejection() == "the Web Bundle ID does not derive from any signer"

"""Meta tests over the registry: ids, names, docs and packaging stay honest."""

from __future__ import annotations

import pathlib
import re

import pytest
from auditor.rules import FAMILIES

from auditor.engine.catalogue import all_rules
from auditor.engine.registry import ID_PATTERN, NAME_PATTERN, Rule

RULES = all_rules()
REQUIRED_SECTIONS = ("## What it checks", "## Why it matters", "## Example", "## Fix")


def test_ids_and_names_are_unique_and_well_formed():
    ids = [r.id for r in RULES]
    names = [r.name for r in RULES]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))
    for r in RULES:
        assert ID_PATTERN.match(r.id), r.id
        assert NAME_PATTERN.match(r.name), r.name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_docs_have_the_fixed_sections(rule: Rule):
    assert rule.summary, f"{rule.id} has no summary line"
    positions = [rule.docs.find(h) for h in REQUIRED_SECTIONS]
    assert all(p >= 0 for p in positions), f"{rule.id} docs miss a section: {REQUIRED_SECTIONS}"
    assert positions == sorted(positions), f"{rule.id} docs sections out of order"
    example = rule.docs[positions[2] : positions[3]]
    assert "```" in example, f"{rule.id} example has no fenced block"


def test_every_rule_in_a_family_module_is_listed_in_its_rules_tuple():
    for family in FAMILIES:
        defined = {v.id for v in vars(family).values() if isinstance(v, Rule)}
        listed = {r.id for r in family.RULES}
        assert defined == listed, family.__name__


def test_family_prefix_matches_module():
    prefixes = {
        "bundle": "BND", "signatures": "SIG", "manifest": "MAN", "update": "UPD", "permissions": "PRM",
        "headers": "HDR", "content": "SCR", "entry_points": "LNK", "ota_archive": "OTA", "ota_config": "OTA", "ota_response": "OTA",
    }
    for family in FAMILIES:
        short = family.__name__.rsplit(".", 1)[1]
        for r in family.RULES:
            assert r.id.startswith(prefixes[short]), (short, r.id)


def test_no_top_level_rules_module_is_importable():
    """From the repo root the `rules/` folder is on sys.path; importing it must fail loudly
    rather than register every rule twice. Run in a fresh interpreter so how pytest was
    started (rootdir insertion, `python -m`) cannot change the answer."""
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[1]
    probe = subprocess.run([sys.executable, "-c", "import rules"], cwd=root, capture_output=True, text=True)
    assert probe.returncode != 0
    assert "import this package as auditor.rules" in probe.stderr


def test_every_rule_has_a_flag_and_an_allow_test():
    """Each rule id appears in a test named test_<id>_flags_* and one named test_<id>_allows_*."""
    import pathlib

    text = "\n".join(p.read_text(encoding="utf-8") for p in pathlib.Path(__file__).parent.rglob("test_*.py"))
    missing = []
    for r in RULES:
        if r.family == "AUD":
            continue
        low = r.id.lower()
        if not re.search(rf"def test_{low}_flags_\w+", text) or not re.search(rf"def test_{low}_allows_\w+", text):
            missing.append(r.id)
    assert not missing, f"rules without a flags/allows test pair: {missing}"


def test_every_reader_problem_has_a_consumer_rule():
    """A problem code no rule reads would be dropped silently: each is named in some rule module."""
    from auditor.engine.problems import ProblemCode

    root = pathlib.Path(__file__).resolve().parents[1] / "rules"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("*.py"))
    orphans = [c for c in ProblemCode if f"ProblemCode.{c.name}" not in source and f'"{c.value}"' not in source]
    assert orphans == []

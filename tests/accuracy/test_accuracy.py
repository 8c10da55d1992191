"""Precision and recall of the content rules on labelled pages (target: both >= 0.95).

Each page holds one construct Chromium blocks or its allowed neighbour (cases.py). The figures are
printed on every run. A headless-browser check of the labels is not run in CI: no Chromium is
installed on the CI image; the labels come from the spec's recorded Chromium 156 run (§9).
"""

from __future__ import annotations

import json

from cases import CASES
from helpers import audit_lines, write_tree

MANIFEST = {"name": "A", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0"}


def found_rules(tmp_path, index: int, file: str, content: str) -> set[str]:
    files = {"index.html": "<p>ok</p>", ".well-known/manifest.webmanifest": json.dumps(MANIFEST), file: content}
    root = write_tree(tmp_path / f"case{index}", files)
    return {line.split(" ", 1)[0] for line in audit_lines(root, "SCR")}


def test_precision_and_recall(tmp_path, capsys):
    true_positives = false_positives = false_negatives = 0
    mistakes = []
    for index, (name, file, content, label) in enumerate(CASES):
        found = found_rules(tmp_path, index, file, content)
        expected = {label} if label else set()
        true_positives += len(found & expected)
        false_positives += len(found - expected)
        false_negatives += len(expected - found)
        if found != expected:
            mistakes.append(f"{name}: expected {sorted(expected)}, found {sorted(found)}")
    precision = true_positives / max(true_positives + false_positives, 1)
    recall = true_positives / max(true_positives + false_negatives, 1)
    with capsys.disabled():
        print(f"\ncontent rules on {len(CASES)} labelled pages: precision {precision:.3f}, recall {recall:.3f}")
    with capsys.disabled():
        print("\n".join(mistakes))
    assert precision >= 0.95 and recall >= 0.95, "\n".join(mistakes)
    assert len({label for *_, label in CASES if label}) == 15, "every SCR rule has labelled pages"

"""Fingerprints are baselines' keys: the digest must not change with how SHA-256 is imported."""

from __future__ import annotations

import hashlib

from auditor.engine.findings import fingerprint


def test_a_fingerprint_is_the_first_half_of_sha256_of_rule_artifact_and_anchor():
    assert fingerprint("MAN010", "/.well-known/manifest.webmanifest", "icons") == "2ec62204c8b561a876278e7403db05a8"
    assert fingerprint("SCR001", "/a.js", "\udcff") == hashlib.sha256("SCR001\0/a.js\0\udcff".encode("utf-8", "surrogatepass")).hexdigest()[:32]

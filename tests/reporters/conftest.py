"""Fixtures shared by the reporter tests."""

from __future__ import annotations

import json

import jsonschema
import pytest
from helpers import SARIF_SCHEMA


@pytest.fixture(scope="session")
def sarif_validator():
    """The official OASIS SARIF 2.1.0 schema (stricter than GitHub's own copy)."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)

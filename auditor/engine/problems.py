"""The recoverable read problems readers report, one typed code each.

A reader never decides severity: it records what it saw as a `Problem` with
one of these codes, and exactly one rule family consumes each code (a test
checks that every code has a consumer, so a problem can never be dropped
silently). Codes are strings too (StrEnum), so reports and old comparisons
read the same.
"""

from __future__ import annotations

import enum


class ProblemCode(enum.StrEnum):
    # Web Bundle structure (BND)
    ALIAS_URL = "alias-url"
    BUNDLE_LENGTH_MISMATCH = "bundle-length-mismatch"
    TRAILING_BYTES = "trailing-bytes"
    PRIMARY_URL = "primary-url"
    HEADERS_TOO_LARGE = "headers-too-large"
    HEADERS_MALFORMED = "headers-malformed"
    BAD_STATUS = "bad-status"
    BAD_HEADER_NAME = "bad-header-name"
    BAD_HEADER_VALUE = "bad-header-value"
    # Integrity block (SIG)
    ATTRIBUTE_NAME = "attribute-name"
    NESTED_ATTRIBUTE = "nested-attribute"
    MISSING_ID = "missing-id"
    BAD_ID = "bad-id"
    PROXY_ID = "proxy-id"
    EMPTY_STACK = "empty-stack"
    # Zip archives (OTA)
    ZIP_HEADER_MISMATCH = "zip-header-mismatch"
    # JSON documents (UPD, OTA)
    DUPLICATE_KEY = "duplicate-key"

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
    INVALID_URL = "invalid-url"                # an index key Chrome refuses (BND004); aliases are read from the index (BND005)
    BUNDLE_LENGTH_MISMATCH = "bundle-length-mismatch"
    TRAILING_BYTES = "trailing-bytes"
    PRIMARY_URL = "primary-url"
    HEADERS_TOO_LARGE = "headers-too-large"
    HEADERS_MALFORMED = "headers-malformed"
    BAD_STATUS = "bad-status"
    BAD_HEADER_NAME = "bad-header-name"
    BAD_HEADER_VALUE = "bad-header-value"
    RESPONSE_MALFORMED = "response-malformed"  # read lazily by Chrome: only that URL fails (BND010)
    TRAILER_NOT_READ = "trailer-not-read"      # no trailing length behind an integrity block (BND009 note)
    # Integrity block (SIG)
    ATTRIBUTE_NAME = "attribute-name"
    NESTED_ATTRIBUTE = "nested-attribute"
    ATTRIBUTE_VALUE = "attribute-value"          # null/undefined, outside int64, noncharacters, tags
    DUPLICATE_ATTRIBUTE = "duplicate-attribute"
    MISSING_ID = "missing-id"
    BAD_ID = "bad-id"
    PROXY_ID = "proxy-id"
    EMPTY_STACK = "empty-stack"
    # JSON documents (UPD, OTA)
    DUPLICATE_KEY = "duplicate-key"

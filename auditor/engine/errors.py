"""The one exception hierarchy readers may raise.

Anything else escaping a reader is a bug: fuzz tests assert it never happens.
Each error names *where* (a byte offset or a path) and *what was expected*, so
the CLI can print one clear line and exit 2.
"""

from __future__ import annotations


class InputError(Exception):
    """The input cannot be read as the format it claims to be."""

    def __init__(self, reason: str, *, offset: int | None = None, where: str | None = None) -> None:
        self.reason = reason
        self.offset = offset
        self.where = where
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        if self.where:
            parts.append(self.where)
        if self.offset is not None:
            parts.append(f"at byte {self.offset}")
        prefix = " ".join(parts)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class Truncated(InputError):
    """The input ends before a structure it declares."""


class Malformed(InputError):
    """The bytes are present but do not have the expected shape."""


class LimitExceeded(InputError):
    """A declared or actual size passes one of our resource limits."""


class Unsupported(InputError):
    """A recognised but unsupported format or version."""

"""GitHub code scanning's `primaryLocationLineHash`, computed the way upload-sarif does.

The algorithm is the one in github/codeql-action `src/fingerprints.ts`: a
rolling polynomial hash (base 37, wrapping at 64 bits) over the 100 characters
that follow each line's start, counting UTF-16 code units, skipping spaces and
tabs, folding CR and CRLF into LF, with an end-of-file marker (0xFFFF) and zero
padding; the hex value gets `:n`, the how-many-th time that value occurred so
far. Emitting the same value the Action would compute means no "inconsistent
fingerprint" warning on upload, and raw API uploads (where nothing is computed)
get fingerprints too.
"""

from __future__ import annotations

from collections.abc import Iterable

BLOCK_SIZE = 100
BASE = 37
MASK = (1 << 64) - 1
FIRST_POWER = pow(BASE, BLOCK_SIZE, 1 << 64)
SPACE, TAB, LF, CR, EOF = 0x20, 0x09, 0x0A, 0x0D, 0xFFFF


def utf16_units(text: str) -> memoryview:
    """The UTF-16 code units JavaScript's charCodeAt walks over."""
    return memoryview(text.encode("utf-16-le", "surrogatepass")).cast("H")


def line_hashes(text: str, lines: Iterable[int]) -> dict[int, str]:
    """`primaryLocationLineHash` of each wanted 1-based line (lines past the end are left out)."""
    wanted = {n for n in lines if n >= 1}
    if not wanted:
        return {}
    last = max(wanted)
    window = [0] * BLOCK_SIZE
    line_at = [-1] * BLOCK_SIZE  # the line that starts at this window slot, else -1
    value = index = line = 0
    at_line_start, after_cr = True, False
    seen: dict[str, int] = {}
    found: dict[int, str] = {}

    def emit() -> int:
        digest = format(value, "x")
        seen[digest] = seen.get(digest, 0) + 1
        number = line_at[index]
        if number in wanted:
            found[number] = f"{digest}:{seen[digest]}"
        line_at[index] = -1
        return number

    def push(unit: int) -> None:
        nonlocal value, index
        oldest = window[index]
        window[index] = unit
        value = (BASE * value + unit - FIRST_POWER * oldest) & MASK
        index = (index + 1) % BLOCK_SIZE

    for unit in (*utf16_units(text), EOF):
        if unit in (SPACE, TAB) or (after_cr and unit == LF):
            after_cr = False
            continue
        after_cr = unit == CR
        if after_cr:
            unit = LF
        if line_at[index] != -1 and emit() >= last:
            return found
        if at_line_start:
            at_line_start = False
            line += 1
            line_at[index] = line
        if unit == LF:
            at_line_start = True
        push(unit)
    for _ in range(BLOCK_SIZE):
        if line_at[index] != -1:
            emit()
        push(0)
    return found

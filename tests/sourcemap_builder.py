"""Hand-made source maps for tests: a Base64 VLQ encoder and a map writer.

`mappings([[(0, 0, 3, 4), (7, 0, 3, 10, 1)], []])` encodes absolute fields per
generated line (generated column, source, original line, original column,
name), so a test states positions as a person reads them (0-based here, as
the format has them).
"""

from __future__ import annotations

import json

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int) -> str:
    bits = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit, bits = bits & 31, bits >> 5
        out += BASE64[digit | (32 if bits else 0)]
        if not bits:
            return out


def mappings(lines: list[list[tuple[int, ...]]]) -> str:
    """Encode absolute segments per generated line into a `mappings` string."""
    previous = [0, 0, 0, 0]  # source, original line, original column, name: relative across lines
    encoded = []
    for segments in lines:
        column = 0
        parts = []
        for segment in segments:
            fields = [segment[0] - column]
            column = segment[0]
            for i, value in enumerate(segment[1:]):
                fields.append(value - previous[i])
                previous[i] = value
            parts.append("".join(vlq(v) for v in fields))
        encoded.append(",".join(parts))
    return ";".join(encoded)


def source_map(lines, sources, *, contents=None, names=(), root=None, ignore=None, file=None) -> dict:
    data: dict = {"version": 3, "sources": list(sources), "names": list(names), "mappings": mappings(lines)}
    if contents is not None:
        data["sourcesContent"] = list(contents)
    if root is not None:
        data["sourceRoot"] = root
    if ignore is not None:
        data["ignoreList"] = list(ignore)
    if file is not None:
        data["file"] = file
    return data


def dumps(data: dict) -> str:
    return json.dumps(data)

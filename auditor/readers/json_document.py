"""JSON documents audited on their own: an IWA update manifest or a Capgo update response.

The kind is decided by content, not by file name: an object with `versions` is
an update manifest; an object with any of `url`, `checksum`, `session_key`
(and no `versions`) is an update response. Positions of every member are kept
so findings land on the exact key.
"""

from __future__ import annotations

from pathlib import Path

from auditor.engine.errors import LimitExceeded, Malformed, Unsupported
from auditor.engine.limits import Limits
from auditor.engine.model import Body, Bundle, InputKind, Problem, Resource
from auditor.engine.problems import ProblemCode
from auditor.engine.settings import Settings
from auditor.parse.json_pos import JsonPositionError, parse_json

UPDATE_RESPONSE_KEYS = frozenset({"url", "checksum", "session_key", "manifest"})
NO_UPDATE_KINDS = frozenset({"up_to_date", "blocked", "failed"})


def classify(value: object) -> InputKind:
    """Which JSON document this is, from its members."""
    if isinstance(value, dict):
        if "versions" in value:
            return InputKind.UPDATE_MANIFEST
        if UPDATE_RESPONSE_KEYS & value.keys():
            return InputKind.UPDATE_RESPONSE
        if value.get("kind") in NO_UPDATE_KINDS or (isinstance(value.get("error"), str) and "message" in value):
            return InputKind.UPDATE_RESPONSE  # the backend's "no new version" (or error) answer
    raise Unsupported(
        "JSON document is neither an update manifest (an object with `versions`) nor an "
        "update response (an object with `url`/`checksum`)"
    )


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Parse the document strictly, with positions, and classify it."""
    size = path.stat().st_size
    cap = max(limits.max_update_manifest_bytes, 1)
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    problems: list[Problem] = []
    if len(data) > cap:
        # Chrome stops fetching an update manifest at 5 MiB; past that nothing else is read.
        raise LimitExceeded(f"document is {size} bytes; Chrome reads at most {cap} (max_update_manifest_bytes)", where=str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"not UTF-8 text: {exc.reason}", offset=exc.start, where=str(path)) from None
    try:
        parsed = parse_json(text, max_depth=limits.max_json_depth)
    except JsonPositionError as exc:
        raise Malformed(f"not strict JSON: {exc} (character {exc.offset})", where=str(path)) from None
    kind = classify(parsed.document.value)
    problems.extend(Problem(ProblemCode.DUPLICATE_KEY, f"key `{p}` appears more than once", pointer=p) for p in parsed.duplicates)
    resource = Resource(path="/" + path.name, headers={"content-type": "application/json"}, body=Body(size, path=path), source_path=path.name)
    return Bundle(
        kind=kind,
        source=path,
        resources={resource.path: resource},
        document=parsed.document,
        problems=tuple(problems),
        size=size,
    )

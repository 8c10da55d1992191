"""`capacitor.config.json` / `.ts` / `.js`: the app's Capacitor and updater configuration.

JSON is parsed strictly with positions; TS/JS with tree-sitter, evaluating only
literals (see `parse/ts_literal.py`): the config is never executed. Either way
the result is a `JsonDocument` whose pointers let findings land on the key.
"""

from __future__ import annotations

from pathlib import Path

from auditor.engine.errors import LimitExceeded, Malformed, Unsupported
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.model import Body, Bundle, Computed, InputKind, JsonDocument, Problem, Resource
from auditor.engine.problems import ProblemCode
from auditor.engine.settings import Settings

JSON_SUFFIXES = frozenset({".json"})
CODE_SUFFIXES = frozenset({".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"})


def is_json(text: str, path: Path) -> bool:
    """JSON or TS/JS by content, whatever the name (`capacitor.config.ts.prod`, `app.capacitor.config.ts`)."""
    if path.suffix.lower() in JSON_SUFFIXES:
        return True
    if path.suffix.lower() in CODE_SUFFIXES:
        return False
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def load_document(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[JsonDocument, tuple[str, ...]]:
    """The config as a document, plus pointers of duplicate keys; raises InputError."""
    where = str(path)
    with open(path, "rb") as handle:
        data = handle.read(limits.max_config_bytes + 1)
    if len(data) > limits.max_config_bytes:
        raise LimitExceeded(f"config is larger than {limits.max_config_bytes} bytes (max_config_bytes)", where=where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"not UTF-8 text: {exc.reason}", offset=exc.start, where=where) from None
    if is_json(text, path):
        from auditor.parse.json_pos import JsonPositionError, parse_json

        try:
            parsed = parse_json(text, max_depth=limits.max_json_depth)
        except JsonPositionError as exc:
            raise Malformed(f"not strict JSON: {exc} (character {exc.offset})", where=where) from None
        document, duplicates = parsed.document, parsed.duplicates
    else:
        from auditor.parse.ts_literal import TsLiteralError, parse_ts_config

        try:
            document, duplicates = parse_ts_config(text.removeprefix("\ufeff"), max_depth=limits.max_json_depth), ()
        except TsLiteralError as exc:
            raise Malformed(f"{exc} (character {exc.offset})", where=where) from None
    if isinstance(document.value, Computed):
        raise Unsupported(f"the exported config is computed (`{document.value.source}`); only literal configs can be audited", where=where)
    if not isinstance(document.value, dict):
        raise Malformed("the config is not an object", where=where)
    return document, duplicates


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Read a Capacitor config into a Bundle of kind CAPACITOR_CONFIG."""
    document, duplicates = load_document(path, limits)
    size = path.stat().st_size
    resource = Resource(path="/" + path.name, body=Body(size, path=path), source_path=path.name)
    return Bundle(
        kind=InputKind.CAPACITOR_CONFIG,
        source=path,
        resources={resource.path: resource},
        document=document,
        problems=tuple(Problem(ProblemCode.DUPLICATE_KEY, f"key `{p}` appears more than once", pointer=p) for p in duplicates),
        size=size,
    )

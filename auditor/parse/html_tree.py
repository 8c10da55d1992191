"""The HTML5 tree of a text from justhtml's tree builder alone, without its sanitizer transforms.

`import justhtml` runs the package's `__init__`, which imports its transform
and linkify machinery (about 60 ms, more than the rest of a small audit) only
to offer sanitising, which an auditor never asks for. The tree builder lives
in `justhtml.parser.engine`, imported here with `auditor.engine.lazy.submodule`
(the `justhtml` and `justhtml.parser` packages complete themselves when first
asked for anything else, so `from justhtml import JustHTML` still works).

`parse` builds what `JustHTML(text, sanitize=False, track_node_locations=True,
scripting_enabled=True).root` builds (tests/test_html_tree.py compares them
over tricky pages); if justhtml's internals ever move, it falls back to
`JustHTML` itself.
"""

from __future__ import annotations

from auditor.engine.lazy import submodule


def _engine():
    """justhtml's ParseEngine and raw-plan compiler, importing as little of justhtml as they need."""
    engine = submodule("justhtml.parser.engine")
    return engine.ParseEngine, engine.compile_raw_engine_plan


def _public(text: str):
    from justhtml import JustHTML

    return JustHTML(text, track_node_locations=True, sanitize=False, scripting_enabled=True).root


def parse(text: str):
    """The document root (a justhtml Document) of `text`, parsed with scripting enabled and no sanitising."""
    try:
        engine_class, raw_plan = _engine()
    except (ImportError, AttributeError):
        return _public(text)
    if text.startswith("\ufeff"):  # JustHTML drops a leading byte order mark
        text = text[1:]
    try:
        engine = engine_class(text, fragment=False, scripting_enabled=True, plan=raw_plan(False, True), track_node_locations=True, track_tag_spans=True)
    except TypeError:  # the internal signature changed: the public class still parses
        return _public(text)
    return engine.parse()

"""The HTML5 tree of a text from justhtml's tree builder alone, without its sanitizer transforms.

`import justhtml` runs the package's `__init__`, which imports its transform
and linkify machinery (about 60 ms, more than the rest of a small audit) only
to offer sanitising, which an auditor never asks for. The tree builder lives
in `justhtml.parser.engine`; this module imports it with the `justhtml` and
`justhtml.parser` package modules registered but not yet run: each completes
itself (runs its real `__init__` in place) the first time anything asks it for
a name that is not a submodule, so `from justhtml import JustHTML` elsewhere
still gets the whole package. justhtml is neither copied nor changed.

`parse` builds what `JustHTML(text, sanitize=False, track_node_locations=True,
scripting_enabled=True).root` builds (tests/test_html_tree.py compares them
over a corpus of tricky pages); if justhtml's internals ever move, it falls back
to `JustHTML` itself.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec, module_from_spec
from types import ModuleType

PACKAGES = ("justhtml", "justhtml.parser")


def _deferred_package(name: str) -> ModuleType | None:
    """`name` registered as a package whose `__init__` runs on the first request for a non-submodule name."""
    spec = find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return None
    module = module_from_spec(spec)

    def complete(attribute: str) -> object:
        if find_spec(f"{name}.{attribute}") is not None:  # `from . import scanner`: a submodule, no need to run __init__
            __import__(f"{name}.{attribute}")
            if attribute in module.__dict__:
                return module.__dict__[attribute]
        del module.__dict__["__getattr__"]
        spec.loader.exec_module(module)  # the real __init__, in this very module object
        try:
            return module.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    module.__dict__["__getattr__"] = complete
    sys.modules[name] = module
    return module


def _engine():
    """justhtml's ParseEngine and raw-plan compiler, importing as little of justhtml as they need."""
    if "justhtml.parser.engine" not in sys.modules:
        for name in PACKAGES:
            if name not in sys.modules and _deferred_package(name) is None:
                return None
    from justhtml.parser.engine import ParseEngine, compile_raw_engine_plan

    return ParseEngine, compile_raw_engine_plan


def parse(text: str):
    """The document root (a justhtml Document) of `text`, parsed with scripting enabled and no sanitising."""
    try:
        found = _engine()
    except (ImportError, AttributeError):
        found = None
    if found is None:
        from justhtml import JustHTML

        return JustHTML(text, track_node_locations=True, sanitize=False, scripting_enabled=True).root
    engine_class, raw_plan = found
    if text.startswith("\ufeff"):  # JustHTML drops a leading byte order mark
        text = text[1:]
    try:
        engine = engine_class(text, fragment=False, scripting_enabled=True, plan=raw_plan(False, True), track_node_locations=True, track_tag_spans=True)
    except TypeError:  # the internal signature changed: the public class still parses
        from justhtml import JustHTML

        return JustHTML(text, track_node_locations=True, sanitize=False, scripting_enabled=True).root
    return engine.parse()

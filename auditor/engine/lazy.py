"""Imports deferred until used: modules only some inputs need, and submodules without their package.

Every audit imports every rule family (the catalogue lists them all), but the
helpers of the Capacitor-project rules, say, matter only for a Capacitor
project. `android = LazyModule("auditor.native.android")` costs nothing at
import; the first `android.application(...)` imports the module, and every
read after that goes to the real module (so a test that patches the module
patches what the rules see).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType


class LazyModule:
    """Stands for the module `name`, imported when one of its attributes is first read."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: object | None = None

    def __getattr__(self, attribute: str) -> object:
        module = self._module
        if module is None:
            __import__(self._name)
            module = self._module = sys.modules[self._name]
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<LazyModule {self._name} ({'imported' if self._module is not None else 'not imported yet'})>"


PATTERN_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """A regular expression compiled when first used, for patterns only some inputs need.

    `re.compile` costs 0.1-0.5 ms a pattern, paid at import by every audit for
    the OTA, Capacitor or Trusted Types patterns that a plain app never runs.
    The first call of a method compiles it and puts the compiled pattern's
    methods on the instance, where every later `PATTERN.search(...)` finds them
    first: it costs what it costs on a compiled pattern (no `__getattr__`,
    which would slow every attribute read of the class).
    """

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self):
        """The compiled pattern (compiled now if it was not)."""
        import re

        compiled = re.compile(self.pattern, self.flags)
        for name in PATTERN_METHODS:
            setattr(self, name, getattr(compiled, name))
        self.compiled = lambda: compiled
        return compiled

    def __repr__(self) -> str:
        return f"<LazyPattern {self.pattern!r} ({'compiled' if 'search' in self.__dict__ else 'not compiled yet'})>"


def _compiling(name: str) -> Callable[..., object]:
    """The `LazyPattern` method `name`: compile, then call the compiled pattern's own (which replaces it)."""

    def method(self: LazyPattern, *args: object) -> object:
        return getattr(self.compiled(), name)(*args)

    method.__name__ = method.__qualname__ = name
    return method


for _name in PATTERN_METHODS:
    setattr(LazyPattern, _name, _compiling(_name))


def submodule(name: str) -> ModuleType:
    """Import module `name` without first running the `__init__` of the packages it sits in.

    Some libraries' package `__init__` imports far more than the one submodule
    we use (justhtml's pulls in its sanitizer transforms; tree-sitter grammars'
    import `importlib.resources`, hence tempfile and zipfile, for query files
    we never read). Each package not imported yet is registered as it would be,
    its `__init__` not yet run: it runs, in place, the first time anything asks
    the package for a name that is not a submodule, so `from package import X`
    elsewhere still gets the whole package. The library is neither copied nor
    changed. Raises ImportError when a module cannot be found.
    """
    parts = name.split(".")
    for end in range(1, len(parts)):
        package = ".".join(parts[:end])
        if package not in sys.modules:
            _deferred_package(package)
    __import__(name)
    return sys.modules[name]


def _deferred_package(name: str) -> None:
    from importlib.util import find_spec, module_from_spec

    spec = find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"no package {name!r}", name=name)
    module = module_from_spec(spec)
    loader = spec.loader

    def complete(attribute: str) -> object:
        if find_spec(f"{name}.{attribute}") is not None:  # `from . import scanner`: a submodule, no need to run __init__
            __import__(f"{name}.{attribute}")
            if attribute in module.__dict__:
                return module.__dict__[attribute]
        del module.__dict__["__getattr__"]
        loader.exec_module(module)  # the real __init__, in this very module object
        try:
            return module.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    module.__dict__["__getattr__"] = complete
    sys.modules[name] = module

"""auditor.engine.lazy: modules imported on first use, submodules imported without their package's __init__."""

from __future__ import annotations

import sys

import pytest

from auditor.engine.lazy import LazyModule, submodule


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `lazypkg` whose __init__ imports a heavy module; its submodule `engine` does not."""
    root = tmp_path / "lazypkg"
    (root / "inner").mkdir(parents=True)
    (tmp_path / "lazyheavy.py").write_text("LOADED = True\n")
    (root / "__init__.py").write_text("import lazyheavy\nfrom lazypkg.inner.engine import build\nPUBLIC = 'whole package'\n")
    (root / "inner" / "__init__.py").write_text("import lazyheavy\nINNER = 'inner package'\n")
    (root / "inner" / "engine.py").write_text("from . import helper\n\ndef build():\n    return helper.VALUE\n")
    (root / "inner" / "helper.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [m for m in sys.modules if m.split(".")[0] in ("lazypkg", "lazyheavy")]:
        del sys.modules[name]


def test_lazy_module_imports_on_first_attribute_read(package):
    lazy = LazyModule("lazyheavy")
    assert "lazyheavy" not in sys.modules
    assert lazy.LOADED is True
    assert "lazyheavy" in sys.modules


def test_lazy_module_reads_the_real_module_each_time(package, monkeypatch):
    """A test that patches the module patches what the users of the proxy see."""
    lazy = LazyModule("lazyheavy")
    assert lazy.LOADED is True
    monkeypatch.setattr(sys.modules["lazyheavy"], "LOADED", "patched")
    assert lazy.LOADED == "patched"


def test_lazy_module_of_a_missing_attribute_raises_attribute_error(package):
    with pytest.raises(AttributeError):
        _ = LazyModule("lazyheavy").missing


def test_submodule_skips_the_package_init_even_for_relative_imports(package):
    engine = submodule("lazypkg.inner.engine")
    assert engine.build() == 42  # `from . import helper` resolved without running lazypkg.inner's __init__
    assert "lazyheavy" not in sys.modules


def test_a_deferred_package_completes_itself_on_first_use(package):
    submodule("lazypkg.inner.engine")
    import lazypkg
    from lazypkg.inner import INNER

    assert INNER == "inner package"
    assert "lazyheavy" in sys.modules
    assert lazypkg.PUBLIC == "whole package"
    assert lazypkg.build is sys.modules["lazypkg.inner.engine"].build  # the same module objects, not a second copy
    with pytest.raises(AttributeError):
        _ = lazypkg.nothing_here


def test_submodule_of_a_missing_package_raises_import_error():
    with pytest.raises(ImportError):
        submodule("no_such_package_here.engine")


def test_lazy_pattern_compiles_on_first_use_and_then_is_the_compiled_pattern():
    import re

    from auditor.engine.lazy import LazyPattern

    pattern = LazyPattern(rb"k(e+)y", re.IGNORECASE)
    assert "not compiled" in repr(pattern) and pattern.pattern == rb"k(e+)y"
    assert pattern.search(b"a KEEy").group(1) == b"EE"
    compiled = re.compile(rb"k(e+)y", re.IGNORECASE)
    assert pattern.compiled() is pattern.compiled() and pattern.compiled().groups == 1
    assert pattern.search == pattern.compiled().search  # the compiled pattern's own method, found on the instance

    def plain(found):
        return found.span() if isinstance(found, re.Match) else found

    for method, args in (("match", (b"key",)), ("fullmatch", (b"kEy",)), ("findall", (b"key key",)), ("sub", (b"-", b"a key")), ("subn", (b"-", b"key")), ("split", (b"akeyb",))):
        assert plain(getattr(LazyPattern(rb"k(e+)y", re.IGNORECASE), method)(*args)) == plain(getattr(compiled, method)(*args)), method
    assert [m.span() for m in LazyPattern(rb"k(e+)y", re.IGNORECASE).finditer(b"key key")] == [(0, 3), (4, 7)]

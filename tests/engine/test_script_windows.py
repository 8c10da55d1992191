"""Script files are queried and released window by window: their sources and snapshots never pile up.

Structural, not timed: a probe rule, run in each script's scope after the real
rules, counts the `JsTree`s still holding a source or snapshots (by the garbage
collector's own list), and the report must not depend on the window's size.
"""

from __future__ import annotations

import gc

import pytest
from builders import build_wbn, simple_app

from auditor.engine.catalogue import all_rules
from auditor.engine.findings import Level
from auditor.engine.pipeline import read
from auditor.engine.registry import Need, RuleSet, rule
from auditor.engine.runner import run_rules
from auditor.engine.settings import Settings
from auditor.parse import js, js_pool
from auditor.reporters import renderer

COUNT = 12
SCRIPT = 'el{i}.innerHTML = "<b>" + name{i}; fetch("http://api{i}.example/"); navigator.usb.requestDevice({{}}); // {pad}\n'
MANIFEST = {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "permissions_policy": {"usb": ["self"], "serial": ["self"]}}


def holding() -> list[str]:
    """Paths of the script files whose source or snapshots are still alive."""
    gc.collect()
    return sorted(o.resource.path for o in gc.get_objects() if isinstance(o, js.JsTree) and not o.inline and (o.source or o._matches is not None))


def bundle(tmp_path):
    files = simple_app(MANIFEST, **{f"js/s{i:02}.js": SCRIPT.format(i=i, pad="x" * 1000) for i in range(COUNT)})
    path = tmp_path / "app.wbn"
    path.write_bytes(build_wbn(files))
    return read(path)


def audit(tmp_path, extra=(), jobs=2):
    return run_rules(bundle(tmp_path), RuleSet((*all_rules(), *extra)), settings=Settings(jobs=jobs))


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of 3 scripts, each window's queries run at once (in workers, with jobs=2)."""
    monkeypatch.setattr(js, "WINDOW_BYTES", 3 * 1000)
    monkeypatch.setattr(js_pool, "PARALLEL_MIN_BYTES", 0)


def test_a_window_holds_its_scripts_only_and_nothing_outlives_its_rules(tmp_path, small_windows):
    seen: list[tuple[str, list[str], list[str]]] = []

    @rule(id="TST911", name="window-probe", level=Level.NOTE, needs=Need.JS, per_resource=True)
    def probe(ctx):
        """Records which script files hold a source or snapshots while it runs."""
        if js.is_script(ctx.session.scope):
            windows = js.windows(ctx)
            following = windows.members[windows.current + 1] if windows.current + 1 < len(windows.members) else []
            seen.append((ctx.session.scope.path, [r.path for r in windows.members[windows.current]], [r.path for r in following], holding()))
        return iter(())

    report = audit(tmp_path, (probe,))
    assert [scope for scope, *_ in seen] == ["/app.js", *(f"/js/s{i:02}.js" for i in range(COUNT))]
    assert len({tuple(window) for _, window, _, _ in seen}) >= 4  # several windows, each of a few scripts
    for scope, window, following, held in seen:
        assert scope in window and len(window) <= 4, (scope, window)
        # earlier windows' scripts are released; the next window is read ahead (its queries run in workers)
        assert scope in held and set(held) <= {*window, *following}, (scope, held)
        assert set(following) <= set(held), (scope, following, held)
    assert max(len(set(held) & set(window)) for _, window, _, held in seen) >= 3  # a window's queries ran at once
    assert {"SCR013", "SCR010", "PRM012"} <= {f.rule_id for f in report.findings}
    del report
    assert holding() == []  # nothing kept for the whole audit


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_report_does_not_depend_on_the_window(tmp_path, monkeypatch, jobs):
    whole = renderer("json")(audit(tmp_path, jobs=jobs), base=tmp_path)
    monkeypatch.setattr(js, "WINDOW_BYTES", 1)  # one script a window
    monkeypatch.setattr(js_pool, "PARALLEL_MIN_BYTES", 0)
    assert renderer("json")(audit(tmp_path, jobs=jobs), base=tmp_path) == whole
    assert '"PRM012"' in whole and '"SCR010"' in whole

"""Parse results live only while the rules that read them run: one resource's at a time, none after.

Structural, not timed: the probes count the parsed pages and stylesheets alive
(by the garbage collector's own list) while each rule runs and after the audit.
"""

from __future__ import annotations

import gc

from builders import build_wbn, simple_app

from auditor.engine.catalogue import all_rules
from auditor.engine.findings import Level
from auditor.engine.pipeline import read
from auditor.engine.registry import Need, RuleSet, rule
from auditor.engine.runner import run_rules
from auditor.parse.css import Sheet, sheets
from auditor.parse.html import Document, documents

PAGES = {f"p{i}.html": f"<p onclick='go()'>{i}</p><style>@import 'http://x.test/{i}.css';</style><script>eval(s{i})</script>" for i in range(3)}


def alive(kind: type) -> list[str]:
    """Resource paths of the parsed objects of `kind` still reachable."""
    gc.collect()
    return sorted(o.resource.path for o in gc.get_objects() if isinstance(o, kind))


def bundle(tmp_path):
    path = tmp_path / "app.wbn"
    path.write_bytes(build_wbn(simple_app(**PAGES, **{"s.css": "a { color: red }", "e.js": "eval(s);"})))
    return read(path)


def test_a_per_resource_rule_sees_only_its_resource_and_nothing_outlives_the_audit(tmp_path):
    seen: list[tuple[str, list[str], list[str], list[str]]] = []

    @rule(id="TST901", name="scope-probe", level=Level.NOTE, needs=Need.HTML, per_resource=True)
    def probe(ctx):
        """Records what is parsed while it runs."""
        mine = [d.resource.path for d in documents(ctx)] + [s.resource.path for s in sheets(ctx)]
        seen.append((ctx.session.scope.path, mine, alive(Document), alive(Sheet)))
        return iter(())

    report = run_rules(bundle(tmp_path), RuleSet((*all_rules(), probe)))
    pages = {f"/{name}" for name in PAGES}
    assert pages <= {scope for scope, *_ in seen}
    for scope, mine, documents_alive, sheets_alive in seen:
        assert set(mine) <= {scope}, scope  # the helpers give this resource's results only
        assert set(documents_alive) <= {scope} and set(sheets_alive) <= {scope}, scope  # and no earlier page's stay
    assert report.session.scope is None and report.session.scope_cache == {}
    assert alive(Document) == [] and alive(Sheet) == []  # nothing kept for the whole audit
    assert {f.rule_id for f in report.findings} >= {"SCR001", "SCR002", "SCR004", "SCR007"}  # the real rules ran in scopes


def test_a_rule_over_the_whole_app_sees_every_page_one_at_a_time(tmp_path):
    seen: list[tuple[str, list[str]]] = []

    @rule(id="TST902", name="app-probe", level=Level.NOTE, needs=Need.HTML)
    def probe(ctx):
        """Walks every page, as an aggregating rule does."""
        for document in documents(ctx):
            seen.append((document.resource.path, alive(Document)))
        return iter(())

    rules = (*(r for r in all_rules() if r.id.startswith("AUD")), probe)
    report = run_rules(bundle(tmp_path), RuleSet(rules))
    assert {path for path, _ in seen} == {"/", *(f"/{name}" for name in PAGES)}
    assert all(set(documents_alive) == {path} for path, documents_alive in seen)
    assert report.session.cache.get("html-documents") is None and alive(Document) == []


def test_each_page_is_parsed_once_although_rules_aggregate_over_pages(tmp_path, monkeypatch):
    """The bundle-CSP, redirect and least-privilege rules read summaries collected in the resource pass."""
    from builders import Response

    import auditor.parse.html as html

    parsed: list[str] = []
    real = html.build_document
    monkeypatch.setattr(html, "build_document", lambda resource, *a, **k: parsed.append(resource.path) or real(resource, *a, **k))
    manifest = {"name": "App", "id": "/", "scope": "/", "start_url": "/", "version": "1.0.0", "permissions_policy": {"usb": ["self"]}}
    files = simple_app(manifest, **PAGES, **{"old.html": Response(b"", {"location": "/p0.html"}, "301")})
    files["p1.html"] += '<meta http-equiv="Content-Security-Policy" content="img-src none"><a href="/old.html">old</a>'
    path = tmp_path / "app.wbn"
    path.write_bytes(build_wbn(files, headers={"content-security-policy": "script-src 'self'"}))
    report = run_rules(read(path), RuleSet(all_rules()))
    assert sorted(parsed) == sorted({"/", *(f"/{name}" for name in PAGES)})  # once each
    ids = {f.rule_id for f in report.findings}
    assert {"HDR001", "PRM012", "BND006"} <= ids, ids  # and the aggregating rules still saw the pages
    assert not any(f.rule_id == "BND006" and "nothing in the app links to" in f.message for f in report.findings)  # the link was collected

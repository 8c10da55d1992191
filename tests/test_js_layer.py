"""The shared JS layer: ranged queries find exactly what whole-tree queries find; positions are code points."""

from __future__ import annotations

import pytest
from auditor.rules import content_js as content

from auditor.engine.model import Resource
from auditor.parse.js import REGISTERED, JsTree, check_queries, matches, query_matches

SCRIPT = """
import x from "https://esm.sh/lit"; export * from "./b.js";
const é = "ü"; el.innerHTML = "<b>" + é; document.write(m); el.insertAdjacentHTML("afterend", s);
eval(code); new Function("a"); setTimeout("go()", 1); setInterval(f, 2);
new Worker("./w.js"); importScripts("/a.js"); navigator.serviceWorker.register("/sw.js");
fetch("http://a.example/"); xhr.open("GET", "http://b.example/"); new WebSocket("ws://c.example/");
btn.setAttribute("onclick", "x()"); location.href = "JavaScript:void(0)";
navigator.serial.requestPort(); new TCPSocket("h", 1); navigator.clipboard.readText();
trustedTypes.createPolicy("default", {createHTML: (s) => s}); const h = p.createHTML(s);
const sc = document.createElement("script"); sc.src = "/x.js"; sc.text = "go()";
"""

HANDLES = list(range(len(REGISTERED)))  # every query any rule registered


def spans(found):
    return [(index, sorted((name, nodes[0].start_byte) for name, nodes in captures.items())) for index, captures in found]


def test_every_registered_query_compiles():
    assert check_queries() == len(REGISTERED) >= 11


@pytest.mark.parametrize("copies", [1, 150])  # 150 copies: thousands of occurrences of each word, one line
@pytest.mark.parametrize("handle", HANDLES)
def test_queries_around_occurrences_find_what_whole_tree_queries_find(handle, copies):
    text, words = REGISTERED[handle]
    source = SCRIPT * copies
    tree = JsTree(Resource(path="/a.js"), (source.replace("\n", " ") if copies > 1 else source).encode())
    whole = spans(matches(tree, text))
    assert whole, "the script must exercise the query"
    assert spans(matches(tree, text, words)) == whole
    assert spans(query_matches(tree, handle)) == whole


def test_queries_are_compiled_only_when_a_script_holds_their_words():
    from auditor.parse.js import COMPILED

    COMPILED.clear()
    tree = JsTree(Resource(path="/a.js"), b"el.innerHTML = s;")
    assert query_matches(tree, content.HTML_SINK_QUERY)
    assert len(COMPILED) == 1


def test_script_without_the_words_is_never_parsed():
    tree = JsTree(Resource(path="/a.js"), b"const a = 1;" * 1000)
    assert query_matches(tree, content.HTML_SINK_QUERY) == []
    assert tree._tree is None


def test_char_offsets_cross_checkpoints_on_non_ascii_text():
    source = ("é" * 70000 + "x").encode()
    tree = JsTree(Resource(path="/a.js"), source)
    assert tree.char_offset(len(source) - 1) == 70000
    assert tree.char_offset(len(source)) == 70001


def test_parse_budget_keeps_memory_bounded_and_reparses_on_demand():
    from auditor.parse.js import ParseBudget

    budget = ParseBudget(limit=120)  # two 59-byte scripts fit
    trees = [JsTree(Resource(path=f"/{i}.js"), b"el.innerHTML = 'x';" + b" " * 40, budget=budget) for i in range(4)]
    for tree in trees:
        assert tree.root.type == "program"
    assert budget.total <= 120 and [t._tree is not None for t in trees] == [False, False, True, True]
    assert trees[0].root.type == "program"  # parsed again on demand
    assert budget.parses == 5


def test_queries_parse_each_script_once_and_keep_no_tree():
    from auditor.parse.js import ParseBudget

    budget = ParseBudget(limit=10**9)
    trees = [JsTree(Resource(path=f"/{i}.js"), b"el.innerHTML = 'x'; fetch('http://a/');", budget=budget) for i in range(3)]
    for handle in (content.HTML_SINK_QUERY, content.CONNECTION_QUERY, content.HTML_SINK_QUERY):
        for tree in trees:
            assert query_matches(tree, handle)
    assert budget.parses == 3 and all(t._tree is None for t in trees)


def test_script_over_max_script_bytes_is_reported_not_parsed(app, capsys):
    from auditor.cli import main

    root = app({"index.html": "<p>", "big.js": "el.innerHTML = 'x';" * 100, ".well-known/manifest.webmanifest": {"name": "a"}})
    assert main([str(root), "--select", "SCR013,AUD", "--limit", "max_script_bytes=1K"]) == 2
    out = capsys.readouterr().out
    assert "scripts over 1024 bytes (max_script_bytes) are not parsed" in out and "SCR013" not in out


def test_queries_leave_out_what_their_rules_never_report():
    # a timer given a function, a fetch of a relative URL: no snapshot (SCR004 and SCR010 skip them anyway)
    tree = JsTree(Resource(path="/a.js"), b'setTimeout(() => go(), 5); setInterval(function () {}, 9); fetch("/api/x.json");')
    assert query_matches(tree, content.EVAL_QUERY) == []
    assert query_matches(tree, content.CONNECTION_QUERY) == []
    near = JsTree(Resource(path="/b.js"), b'setTimeout(code, 5); setTimeout("go()" + x, 5); fetch(`HTTP://a/${p}`); new WebSocket("ws://b/");')
    assert len(query_matches(near, content.EVAL_QUERY)) == 2
    assert len(query_matches(near, content.CONNECTION_QUERY)) == 2


def test_a_query_that_needs_another_runs_only_where_that_one_matched():
    # SCR013's script-element sinks: `x.src = …` matters only on a createElement("script") variable
    plain = JsTree(Resource(path="/a.js"), b'li.textContent = s; img.src = u; const d = document.createElement("div");')
    assert query_matches(plain, content.SCRIPT_SINK_QUERY) == []
    assert [c["sink"][0].type for _, c in matches(plain, REGISTERED[content.SCRIPT_SINK_QUERY][0])] == ["property_identifier"] * 2
    made = JsTree(Resource(path="/b.js"), b'const sc = document.createElement("script"); sc.src = u; li.textContent = s;')
    assert len(query_matches(made, content.SCRIPT_SINK_QUERY)) == 2


def test_words_found_from_a_shared_part_are_every_occurrence_of_each():
    from auditor.parse.js import current_plan, positions

    plan = current_plan()
    assert plan[b"innerHTML"][0] == plan[b"outerHTML"][0] and plan[b"srcdoc"] == (b"src", 0)
    source = b'HTML innerHTMLinnerHTML outerHTML.insertAdjacentHTML srcdocsrc "srcdoc" createElementcreateHTML'
    for word in (b"innerHTML", b"outerHTML", b"insertAdjacentHTML", b"HTMLUnsafe", b"srcdoc", b"createElement", b"createHTML"):
        naive = [i for i in range(len(source)) if source.startswith(word, i)]
        seen: dict = {}
        assert positions(source, word, seen) == naive == positions(source, word), word


def test_a_small_search_builds_neither_the_scan_plan_nor_a_query_bound(monkeypatch):
    """Start-up: a few small scripts are searched word by word (the plan pays past ~12 MB of passes), and
    a query none of whose words occur is not parsed for its bounds; a large search builds the plan, same spots."""
    from auditor.parse import js, js_reach

    monkeypatch.setattr(js, "_PLAN", (-1, {}))
    monkeypatch.setattr(js, "_UNPLANNED", [0])
    js_reach.heights.cache_clear()
    text, words = REGISTERED[content.EVAL_QUERY]
    assert js.word_spots(b'document.getElementById("out").textContent = "ready";', text, words) == []
    assert js_reach.heights.cache_info().currsize == 0
    source = b"x.innerHTML = a; eval(b); y.outerHTML = c;"
    unplanned = js.word_spots(source, text, words)
    assert unplanned and js._PLAN[0] == -1 and js_reach.heights.cache_info().currsize == 1
    js._UNPLANNED[0] = js.PLAN_AFTER_BYTES
    assert js.word_spots(source, text, words) == unplanned and js._PLAN[0] == len(REGISTERED)

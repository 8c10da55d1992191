"""auditor.parse.html_tree: justhtml's tree builder without its transforms, the same tree as `JustHTML`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from justhtml import JustHTML

from auditor.parse.html_tree import parse

PAGES = [
    "",
    "\ufeff<!doctype html><title>bom</title>",
    "<!doctype html><meta charset=utf-8><title>Notes</title><script type=module src=/app.js></script><p id=out></p>",
    "<!--><script>a()</script>-->",
    "<script>1</script data-end><button onclick=go()>x</button>",
    "<noscript><p title=\"</noscript><img src=x onerror=go()>\"></noscript>",
    "<textarea><script>a()</script></textarea><title><b>t</b></title><xmp><b onclick=go()>x</b></xmp>",
    "<template><script>a()</script><b onclick=go()>x</b><template><i>deep</i></template></template>",
    "<svg><style><img src=x onerror=go()></style><foreignObject><p>in</p></foreignObject></svg>",
    "<math><mi><style>x</style></mi><annotation-xml encoding=text/html><div>h</div></annotation-xml></math>",
    "<table><tr><td>1<td>2</table><b><i>mis</b>nested</i><a href=x><a href=y>aa</a>",
    "<iframe srcdoc=\"<script>x()</script>\"></iframe><frameset><frame></frameset>",
    "<p>caf\u00e9 \u0130\u212a &amp;&notanentity; &#x1F600;\r\n<br/><select><option>o<selectedcontent></select>",
    "<plaintext><script>a()</script>",
    "<html><body><body onload=x()><head><base href=/></head>",
    "<div\x00 a\x00=b>\x00</div><img src=\"a\"b c=d/><input value='v'>",
]


def dump(node) -> object:
    """Every property an audit reads from a node (and its template content), recursively."""
    name = getattr(node, "name", "")
    content = getattr(node, "template_content", None)
    return (
        name,
        getattr(node, "namespace", None),
        dict(getattr(node, "attrs", None) or {}),
        getattr(node, "origin_offset", None),
        node.data if name in ("#text", "#comment") else None,
        [dump(child) for child in (node.children or [])],
        dump(content) if content is not None else None,
    )


@pytest.mark.parametrize("page", PAGES, ids=range(len(PAGES)))
def test_the_tree_is_the_one_justhtml_builds(page):
    expected = JustHTML(page, track_node_locations=True, sanitize=False, scripting_enabled=True).root
    assert dump(parse(page)) == dump(expected)


def test_parsing_imports_no_sanitizer_transforms_and_the_package_still_completes():
    """A page is parsed without justhtml's transforms; `from justhtml import ...` afterwards still gets everything."""
    probe = (
        "import sys\n"
        "from auditor.parse.html_tree import parse\n"
        "root = parse('<p onclick=x()>hi')\n"
        "print(sorted(m for m in sys.modules if m.startswith('justhtml.transforms')))\n"
        "print(root.children[0].name)\n"
        "from justhtml import JustHTML, sanitize_dom\n"
        "from justhtml.parser import StrictModeError\n"
        "print(JustHTML('<b>x</b>').to_html(pretty=False), 'justhtml.transforms' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "[]"
    assert out[1] == "html"
    assert out[2].endswith("True") and "<b>x</b>" in out[2]


def test_without_the_internal_engine_the_public_class_parses(monkeypatch):
    """If justhtml's internals move, pages are still read (through `JustHTML`), not skipped."""
    import auditor.parse.html_tree as html_tree

    def moved():
        raise ImportError("no justhtml.parser.engine")

    monkeypatch.setattr(html_tree, "_engine", moved)
    page = PAGES[2]
    assert dump(parse(page)) == dump(JustHTML(page, track_node_locations=True, sanitize=False, scripting_enabled=True).root)

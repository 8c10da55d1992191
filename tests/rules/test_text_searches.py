"""The text searches SCR004 and SCR013 run over a whole script: found from the name, same answers as the regexes they replace."""

from __future__ import annotations

import re

import pytest
from auditor.rules.content_js import string_variable

from auditor.chrome.trusted_types import assigned_from_policy
from auditor.engine.model import Resource
from auditor.parse.js import JsTree


class Identifier:
    """The name at the start of the script (`code;` is put before each source)."""

    type = "identifier"
    start_byte, end_byte = 0, 4


@pytest.mark.parametrize(("source", "bound"), [
    (b'const code = "tick()";', True),
    (b"let\n\t code\n=\n`x`", True),
    (b'xvar code = "a"', True),  # the regex had no boundary before the keyword: neither does the search
    (b'var codes = "a"; var code = 1', False),
    (b'var xcode = "a"', False),
    (b'code = "a"; const  code=1', False),
    (b'vars code = "a"', False),
])
def test_a_string_variable_is_a_declaration_of_the_name_with_a_string(source, bound):
    source = b"code;" + source
    expected = re.search(rb"(?:const|let|var)\s+code\s*=\s*[\"'`]", source) is not None
    assert string_variable(JsTree(Resource(path="/a.js"), source), Identifier()) is bound is expected


@pytest.mark.parametrize(("source", "made"), [
    (b"html = policy.createHTML(s)", True),
    (b"x; html = p ? p.createHTML(s) : s", True),
    (b"a.html = p.createHTML(s)", False),  # a property of something else
    (b"$html = p.createHTML(s); xhtml = p.createScript(s)", False),
    (b"html == p.createHTML(s)", False),
    (b"html = p.create(s); html = 1;\n p.createHTML(x)", False),
])
def test_a_name_assigned_from_a_policy_is_found_from_the_name(source, made):
    expected = re.search(rb"(?<![\w$.])html\s*=(?!=)[^;,\n]{0,200}?\.create(?:HTML|Script|ScriptURL)\s*\(", source) is not None
    assert assigned_from_policy(JsTree(Resource(path="/a.js"), source), "html") is made is expected


@pytest.mark.parametrize("source", [
    b"const w = document.write.bind(document);",
    b"let a=x.y.insertAdjacentHTML,b=1;\nvar  s = el.setHTMLUnsafe ;",
    b"var w = a.write.write;var v = d.writeln\n",
    b"xvar w = d.write;",  # no boundary before the keyword in the pattern either
    b"const w == d.write; const = d.write; constw = d.write; const w = d.writer;",
    b"var w = (d.write);",
])
def test_alias_declarations_are_the_patterns_matches_found_from_the_sinks(source):
    from auditor.chrome.trusted_types import ALIAS_DECLARATION, alias_declarations

    def spans(found):
        return [(m.start(), m.groups()) for m in found]

    assert spans(alias_declarations(source)) == spans(ALIAS_DECLARATION.finditer(source))

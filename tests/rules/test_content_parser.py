"""Differential pages: where Python's `html.parser` and the HTML5 algorithm disagree, we follow HTML5.

Chromium parses pages with the HTML5 tree-construction algorithm, scripting enabled
(iwa-policy §9.1). Each page below is one class of disagreement. For each, the test
shows what `html.parser` sees (so the page really is a differential one), then asserts
that our SCR001 (inline script) and SCR002 (inline handler) findings are the ones
an HTML5 parser leads to.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from helpers import audit_lines, position
from test_content import page


class StdlibView(HTMLParser):
    """What a linter built on `html.parser` would see: inline script bodies and handler attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._body: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.handlers += [name for name, _ in attrs if name in ("onclick", "onerror", "onload")]
        if tag == "script":
            self._body = []

    def handle_data(self, data):
        if self._body is not None:
            self._body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._body is not None:
            if "".join(self._body):
                self.scripts.append("".join(self._body))
            self._body = None


def stdlib_view(html: str) -> tuple[int, int]:
    view = StdlibView()
    view.feed(html)
    view.close()
    return len(view.scripts), len(view.handlers)


# (class, page, (inline scripts, inline handlers) as HTML5 parses it, needle of each SCR001/SCR002 finding)
DIFFERENTIAL = [
    ("comment closed by <!-->", "<!--><script>a()</script>-->", (1, 0), ["<script>"]),
    ("comment closed by --!>", "<!-- note --!><script>a()</script> -->", (1, 0), ["<script>"]),
    ("end tag with attributes ends the script", "<script>1</script data-end><button onclick=go()>x</button>", (1, 1), ["<script>", "onclick"]),
    ("noscript is raw text with scripting on", "<noscript><script>a()</script></noscript>", (0, 0), []),
    ("markup breaks out of an attribute in noscript", '<noscript><p title="</noscript><img src=x onerror=go()>"></noscript>', (0, 1), ["onerror"]),
    ("textarea is raw text", "<textarea><script>a()</script></textarea>", (0, 0), []),
    ("title is raw text", "<title><script>a()</script></title>", (0, 0), []),
    ("xmp is raw text", "<xmp><b onclick=go()>x</b></xmp>", (0, 0), []),
    ("plaintext swallows the rest", "<plaintext><script>a()</script>", (0, 0), []),
    ("template content is inert, its handlers still count", "<template><script>a()</script><b onclick=go()>x</b></template>", (0, 1), ["onclick"]),
    ("svg style holds markup that breaks out", "<svg><style><img src=x onerror=go()></style></svg>", (0, 1), ["onerror"]),
    ("math style breaks out into HTML", "<math><style><img src=x onerror=go()></style></math>", (0, 1), ["onerror"]),
]


@pytest.mark.parametrize(("name", "html", "html5", "needles"), DIFFERENTIAL, ids=[d[0] for d in DIFFERENTIAL])
def test_findings_follow_html5_where_html_parser_differs(app, name, html, html5, needles):
    assert stdlib_view(html) != html5, f"{name}: not a differential page"
    found = audit_lines(page(app, html=html), "SCR001,SCR002")
    assert [line.split(" ", 1)[0] for line in found].count("SCR001") == html5[0]
    assert [line.split(" ", 1)[0] for line in found].count("SCR002") == html5[1]
    expected_positions = sorted(position(html, needle) for needle in needles)
    assert sorted(line.split(" ")[2].split(":", 1)[1] for line in found) == expected_positions


def test_attribute_positions_stay_exact_after_multibyte_text_and_crlf(app):
    html = "<p>é€😀</p>\r\n<div>\r\n  <a  title='x>y'   onclick=\"go()\">x</a>"
    assert audit_lines(page(app, html=html), "SCR002") == [
        f"SCR002 error /index.html:{position(html, 'onclick')} inline event handler `onclick` on `<a>` is blocked by `script-src 'self'`"
    ]

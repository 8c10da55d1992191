"""Helpers shared by the SCR rule modules (content_html, content_remote, content_js): no rules here.

What the modules share: how a URL is classed against the app origin, which
scripts can run, how a value is quoted in a message, which attributes are event
handlers (from `schemas/event-handlers.txt`), and which `<meta>` CSPs narrow a page.
"""

from __future__ import annotations

from functools import lru_cache

from auditor.schemas import read_text

from auditor.chrome.csp import Policy, parse_header
from auditor.chrome.urls import REMOTE_KINDS, url_kind
from auditor.engine.context import Context
from auditor.engine.model import WEB_CONTENT_KINDS, InputKind
from auditor.parse.html import Document, Tag, documents
from auditor.parse.js import JsTree, all_scripts, scripts

OFF_BUNDLE = REMOTE_KINDS | {"data", "blob"}
JS_PROFILE = WEB_CONTENT_KINDS  # remote code, eval and http: matter for Capacitor bundles too
QUOTE_LIMIT = 120
EVENT_HANDLERS_FILE = "event-handlers.txt"


def quote(value: str, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message shows it: at most `limit` characters (a 12 KB `data:` URL is not a message)."""
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


@lru_cache(maxsize=1)
def event_handler_names() -> frozenset[str]:
    """Event names whose `on…` attribute is an event handler (HTML, SVG and Blink's own)."""
    text = read_text(EVENT_HANDLERS_FILE)
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_event_handler(name: str) -> bool:
    name = name.lower()
    return name.startswith("on") and name[2:] in event_handler_names()


def rel_tokens(tag: Tag) -> set[str]:
    value = tag.get("rel")
    return {token.lower() for token in value.split()} if isinstance(value, str) else set()


def base_path(document_path: str) -> str:
    return document_path if document_path.startswith("/") else "/" + document_path


def kind_of(ctx: Context, url: str, from_path: str = "/index.html") -> str:
    return url_kind(url, ctx.bundle.origin, base_path(from_path))


def remote_reason(kind: str) -> str:
    return {"data": "a `data:` URL", "blob": "a `blob:` URL", "http": "an `http:` URL", "isolated-app": "another app's URL"}.get(kind, "a remote URL")


def checked_scripts(ctx: Context) -> list[JsTree]:
    """Scripts whose code can run: script files, plus inline scripts where no CSP blocks them
    (Capacitor bundles). In an IWA an inline script never runs (SCR001), so its contents are moot."""
    return all_scripts(ctx) if ctx.bundle.kind is InputKind.OTA_ZIP else scripts(ctx)


def meta_policies(document: Document) -> list[tuple[Tag, Policy]]:
    """CSPs a page's `<meta http-equiv>` tags add: only those in `<head>` count (in `<body>`
    Chromium ignores them). A nested document inherits its parent's as well."""
    found = []
    for tag in document.elements("meta"):
        if str(tag.get("http-equiv", "")).strip().lower() == "content-security-policy" and tag.in_head:
            content = tag.get("content")
            if isinstance(content, str):
                found.extend((tag, policy) for policy in parse_header(content))
    return found


def page_policies(ctx: Context, document: Document) -> list[tuple[Tag, Policy]]:
    """The `<meta>` CSPs in force for a document, its ancestors' included."""
    found = meta_policies(document)
    if document.parent is not None:
        for other in documents(ctx):
            if document.parent in other.tags:
                found = page_policies(ctx, other) + found
                break
    return found

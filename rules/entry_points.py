"""LNK: entry points and deep links: protocol handlers, share target, file handlers, shortcuts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from auditor.chrome.manifest import Manifest, member_target, required_manifest
from auditor.chrome.manifest import member_location as at
from auditor.chrome.urls import app_host, resolve
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.lazy import LazyPattern
from auditor.engine.location import Location
from auditor.engine.registry import Need, rule
from auditor.parse.json_pos import pointer_join

# blink/public/common/custom_handlers/protocol_handler_utils.cc (kStrict safelist)
SAFELISTED_SCHEMES = frozenset(
    ["bitcoin", "cabal", "dat", "did", "doi", "dweb", "ethereum", "geo", "hyper", "im", "ipfs", "ipns", "irc", "ircs", "magnet", "mailto", "matrix", "mms", "news", "nntp", "openpgp4fpr", "sip", "sms", "smsto", "ssb", "ssh", "tel", "urn", "webcal", "wtai", "xmpp", "ftp", "ftps", "sftp"]
)
WEB_PLUS = LazyPattern(r"^web\+[A-Za-z]+$", re.IGNORECASE | re.ASCII)
IWA_LEVEL_SCHEME = LazyPattern(r"^[A-Za-z]+(-[A-Za-z]+)*$", re.ASCII)
CLIENT_MODES = frozenset({"auto", "navigate-new", "navigate-existing", "focus-existing"})
OTHER_APP_URL = LazyPattern(r"isolated-app://([A-Za-z0-9]+)", re.ASCII)
LINK_ATTRIBUTES = (("a", "href"), ("area", "href"), ("form", "action"), ("iframe", "src"), ("link", "href"))
MIME_TYPE = LazyPattern(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+$", re.ASCII)


def handlers(manifest: Manifest) -> Iterator[tuple[int, dict]]:
    value = manifest.data.get("protocol_handlers")
    for index, handler in enumerate(value if isinstance(value, list) else ()):
        if isinstance(handler, dict):
            yield index, handler


def entry_urls(manifest: Manifest) -> Iterator[tuple[str, str, str]]:
    """(pointer, label, url) of every manifest URL that opens the app from outside."""
    data = manifest.data
    share = data.get("share_target")
    if isinstance(share, dict) and isinstance(share.get("action"), str):
        yield "/share_target/action", "share_target.action", share["action"]
    for key, label in (("file_handlers", "action"), ("shortcuts", "url")):
        items = data.get(key)
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and isinstance(item.get(label), str):
                yield f"/{key}/{index}/{label}", f"{key}[{index}].{label}", item[label]
    note = data.get("note_taking")
    if isinstance(note, dict) and isinstance(note.get("new_note_url"), str):
        yield "/note_taking/new_note_url", "note_taking.new_note_url", note["new_note_url"]


@rule(id="LNK001", name="protocol-handler-url", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=3.0)
def protocol_handler_url(ctx: Context) -> Iterator[Hit]:
    """A protocol handler `url` Chrome drops, or one that breaks at the IWA level.

    ## What it checks
    Each `protocol_handlers[].url`: it must resolve to the app's own origin and
    contain `%s` (errors: Chrome drops the handler). It should contain `%s`
    exactly once and in the query (warning: the newer IWA protocol-handler
    level requires both).

    ## Why it matters
    Protocol handlers are the way other apps and the OS launch an IWA with
    data (a web page cannot navigate into one). A dropped handler means the
    deep link silently opens nothing.

    ## Example
    ```json
    {"protocol_handlers": [{"protocol": "web+chat", "url": "/open/%s"}]}
    ```

    ## Fix
    Put `%s` once, in the query: `"url": "/open?target=%s"`.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `third_party/blink/public/common/custom_handlers/protocol_handler_utils.cc`, `content/browser/renderer_host/isolated_web_app_throttle.cc`,
    `protocol_handler_utils.cc`.
    """
    manifest = required_manifest(ctx)
    for index, handler in handlers(manifest):
        url = handler.get("url")
        if not isinstance(url, str):
            continue
        location = at(ctx, manifest, f"/protocol_handlers/{index}/url")
        resolved = resolve(url.replace("%s", "x"), ctx.bundle.origin)
        if resolved is None or not resolved.same_origin:
            yield Hit(f"handler url {json.dumps(url)} is not on the app origin; Chrome drops the handler", location)
        elif "%s" not in url:
            yield Hit(f"handler url {json.dumps(url)} has no `%s`; Chrome drops the handler", location)
        elif url.count("%s") > 1 or "%s" not in url.partition("?")[2].partition("#")[0]:
            where = f"{url.count('%s')} times" if url.count("%s") > 1 else "outside the query"
            yield Hit(f"handler url {json.dumps(url)} has `%s` {where}; the IWA handler level needs it once, in the query", location, level=Level.WARNING)


@rule(id="LNK002", name="protocol-handler-scheme", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=3.0)
def protocol_handler_scheme(ctx: Context) -> Iterator[Hit]:
    """A protocol handler scheme Chrome will not register.

    ## What it checks
    Each `protocol_handlers[].protocol` against Chrome's rules: `web+` followed
    by ASCII letters only, or a safelisted scheme (`mailto`, `tel`, `xmpp`,
    ...). A scheme made of letter chunks joined by single dashes (at least 2
    characters, such as `cf` or `iwa-scheme`) is accepted only by the newer IWA
    handler level (Chrome 140 or later): a note. Digits, dots, empty chunks or
    `web+` with anything but letters: an error.

    ## Why it matters
    Chrome drops a handler with an invalid scheme: the deep link opens nothing.

    ## Example
    ```json
    {"protocol_handlers": [{"protocol": "myproto3", "url": "/open?u=%s"}]}
    ```

    ## Fix
    Use `web+myproto` (letters only after `web+`).

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `third_party/blink/public/common/custom_handlers/protocol_handler_utils.cc`.
    """
    manifest = required_manifest(ctx)
    for index, handler in handlers(manifest):
        scheme = handler.get("protocol")
        if not isinstance(scheme, str):
            continue
        location = at(ctx, manifest, f"/protocol_handlers/{index}/protocol")
        if WEB_PLUS.match(scheme) or scheme.lower() in SAFELISTED_SCHEMES:
            continue
        if scheme[:4].lower() != "web+" and IWA_LEVEL_SCHEME.match(scheme) and len(scheme) >= 2:
            yield Hit(f"scheme `{scheme}` is neither `web+…` nor safelisted: only Chrome's newer IWA handler level (Chrome 140+) accepts it", location, level=Level.NOTE)
        else:
            yield Hit(f"scheme `{scheme}` is invalid: use `web+` and letters, a safelisted scheme, or letters joined by single dashes", location)


@rule(id="LNK003", name="entry-point-url", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=3.0)
def entry_point_url(ctx: Context) -> Iterator[Hit]:
    """A share target, file handler, shortcut or note-taking URL off the app, or not in it.

    ## What it checks
    `share_target.action`, `file_handlers[].action`, `shortcuts[].url` and
    `note_taking.new_note_url` resolve to the app's origin (error otherwise: the
    parser drops URLs out of scope) and name a resource the app contains
    (warning otherwise: the launch lands on a missing page), and error when
    that resource's status is not 200 (a redirect such as the 301 `wbn` writes
    for `/index.html`: Chrome will not load it, so the entry point cannot open).

    ## Why it matters
    These are the app's entry points from the OS. Out of scope, Chrome drops
    them; pointing at a missing file, they open an error page.

    ## Example
    ```json
    {"shortcuts": [{"name": "New chat", "url": "https://chat.example.com/new"}]}
    ```

    ## Fix
    Use paths inside the app: `"url": "/new.html"`.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`.
    """
    manifest = required_manifest(ctx)
    for pointer, label, url in entry_urls(manifest):
        resolved, resource = member_target(ctx, url)
        if resolved is None or not resolved.same_origin:
            yield Hit(f"`{label}` {json.dumps(url)} is not on the app origin; Chrome drops it", at(ctx, manifest, pointer))
        elif resource is None:
            yield Hit(f"`{label}` {json.dumps(url)} names `{resolved.path}`, which the app does not contain", at(ctx, manifest, pointer), level=Level.WARNING)
        elif resource.status != 200:
            yield Hit(
                f"`{label}` {json.dumps(url)} names `{resolved.path}`, whose response has status {resource.status}: Chrome loads only 200 responses from a bundle, so this entry point cannot open",
                at(ctx, manifest, pointer),
            )


@rule(id="LNK004", name="share-target-method", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=2.0)
def share_target_method(ctx: Context) -> Iterator[Hit]:
    """`share_target` method and enctype do not fit together or with its params.

    ## What it checks
    `method` is `GET` or `POST` (any case); `enctype` is
    `application/x-www-form-urlencoded` or `multipart/form-data`; `GET` uses
    only the former; `params.files` needs `POST` with `multipart/form-data`.

    ## Why it matters
    Chrome ignores an invalid `share_target`: the app never appears in the
    share sheet, or receives shares without the files.

    ## Example
    ```json
    {"share_target": {"action": "/share", "method": "GET", "params": {"files": [{"name": "f", "accept": ["image/*"]}]}}}
    ```

    ## Fix
    `"method": "POST", "enctype": "multipart/form-data"` when sharing files.

    ## References
    W3C Web Share Target §2; Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`.
    """
    manifest = required_manifest(ctx)
    share = manifest.data.get("share_target")
    if not isinstance(share, dict):
        return
    method = share.get("method", "GET")
    enctype = share.get("enctype", "application/x-www-form-urlencoded")
    if not isinstance(method, str) or method.upper() not in ("GET", "POST"):
        yield Hit(f"`share_target.method` {json.dumps(method)} must be GET or POST", at(ctx, manifest, "/share_target/method"))
        return
    if not isinstance(enctype, str) or enctype.lower() not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield Hit(f"`share_target.enctype` {json.dumps(enctype)} must be application/x-www-form-urlencoded or multipart/form-data", at(ctx, manifest, "/share_target/enctype"))
        return
    params = share.get("params")
    files = isinstance(params, dict) and params.get("files")
    if method.upper() == "GET" and enctype.lower() != "application/x-www-form-urlencoded":
        yield Hit("`share_target` with GET must use application/x-www-form-urlencoded", at(ctx, manifest, "/share_target/enctype"))
    elif files and (method.upper() != "POST" or enctype.lower() != "multipart/form-data"):
        yield Hit("`share_target.params.files` needs method POST and enctype multipart/form-data", at(ctx, manifest, "/share_target/params/files"))


@rule(id="LNK005", name="file-handler-accept", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=2.0)
def file_handler_accept(ctx: Context) -> Iterator[Hit]:
    """A `file_handlers[].accept` map that is not MIME type to file extensions.

    ## What it checks
    Each `accept` is an object whose keys are MIME types (`text/csv`,
    `image/*`) and whose values are a `.ext` string or an array of them.

    ## Why it matters
    Chrome drops a file handler with a malformed `accept`: the app is never
    offered to open those files.

    ## Example
    ```json
    {"file_handlers": [{"action": "/open", "accept": {"csv": ["csv"]}}]}
    ```

    ## Fix
    `"accept": {"text/csv": [".csv"]}`.

    ## References
    WICG File Handling explainer; Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`.
    """
    manifest = required_manifest(ctx)
    items = manifest.data.get("file_handlers")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        accept = item.get("accept") if isinstance(item, dict) else None
        if not isinstance(accept, dict):
            continue
        for mime, extensions in accept.items():
            pointer = pointer_join(f"/file_handlers/{index}/accept", mime)
            if not MIME_TYPE.match(mime):
                yield Hit(f"`accept` key `{mime}` is not a MIME type", at(ctx, manifest, pointer, key=True))
                continue
            values = [extensions] if isinstance(extensions, str) else extensions
            if not isinstance(values, list) or not all(isinstance(v, str) and v.startswith(".") and len(v) > 1 for v in values):
                yield Hit(f"`accept[\"{mime}\"]` must be file extensions starting with `.`", at(ctx, manifest, pointer))


@rule(id="LNK006", name="launch-handler-client-mode", level=Level.WARNING, needs=Need.MANIFEST_OBJECT, tags=("entry-point",), security_severity=1.0)
def launch_handler_client_mode(ctx: Context) -> Iterator[Hit]:
    """`launch_handler.client_mode` has a value Chrome does not know.

    ## What it checks
    Each `client_mode` value is `auto`, `navigate-new`, `navigate-existing` or
    `focus-existing`.

    ## Why it matters
    Unknown values are skipped; with none left Chrome uses `auto`, so a
    protocol-handler launch may open a second window instead of reusing the
    running one.

    ## Example
    ```json
    {"launch_handler": {"client_mode": "reuse-existing"}}
    ```

    ## Fix
    `"client_mode": "navigate-existing"` (or `focus-existing` with `launchQueue`).

    ## References
    WICG Launch Handler §2; Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`.
    """
    manifest = required_manifest(ctx)
    handler = manifest.data.get("launch_handler")
    mode = handler.get("client_mode") if isinstance(handler, dict) else None
    values = [(None, mode)] if isinstance(mode, str) else list(enumerate(mode)) if isinstance(mode, list) else []
    for index, value in values:
        if isinstance(value, str) and value not in CLIENT_MODES:
            pointer = "/launch_handler/client_mode" + (f"/{index}" if index is not None else "")
            yield Hit(f"`client_mode` {json.dumps(value)} is not one of {', '.join(sorted(CLIENT_MODES))}", at(ctx, manifest, pointer))


def own_app_id(ctx: Context) -> str | None:
    expected = ctx.settings.expect_id
    return (app_host(ctx.bundle.origin) or (expected if isinstance(expected, str) else None) or "").lower() or None


def other_app_hosts(text: str, own: str | None) -> list[str]:
    return [m.group(1) for m in OTHER_APP_URL.finditer(text) if own is None or m.group(1).lower() != own]


def cross_app_message(host: str, own: str | None) -> str:
    who = "another IWA" if own else "an IWA (another one, unless it is this app's own ID: pass --expect-id)"
    return f"`isolated-app://{host}/…` links to {who}: Chrome silently drops navigations between IWAs and from the web into one"


@rule(id="LNK007", per_resource=True, name="cross-app-link", level=Level.WARNING, needs=Need.HTML | Need.JS, tags=("entry-point",), precision=Precision.MEDIUM, security_severity=3.0)
def cross_app_link(ctx: Context) -> Iterator[Hit]:
    """A link or script tries to open another Isolated Web App by its `isolated-app://` URL.

    ## What it checks
    HTML links, forms, frames (`<a href>`, `<area href>`, `<form action>`,
    `<iframe src>`, `<link href>`) and script string literals that hold an
    `isolated-app://<id>` URL for an ID other than this app's (the bundle's
    own ID, or `--expect-id` for a source folder).

    ## Why it matters
    Chrome's IWA navigation throttle drops a navigation from one IWA window to
    another without an error, and never lets an ordinary web page navigate
    into an IWA. The link does nothing. The supported way in is a protocol
    handler the other app registers (`web+name:` URLs).

    ## Example
    ```html
    <a href="isolated-app://aerugqztij5biqquuk3mfwpsaibuegaqcitgfchwuosuofdjabzqaaic/">Open Notes</a>
    ```

    ## Fix
    Link to a protocol the other app handles (`<a href="web+notes:open">`), or
    open a web URL in the browser.

    ## References
    Chromium `content/browser/renderer_host/isolated_web_app_throttle.cc`.
    """
    from auditor.parse.html import documents, tag_span
    from auditor.parse.js import all_scripts

    own = own_app_id(ctx)
    for document in documents(ctx):
        for name, attribute in LINK_ATTRIBUTES:
            for tag in document.elements(name):
                value = tag.get(attribute)
                if isinstance(value, str) and value.strip().lower().startswith("isolated-app:"):
                    for host in other_app_hosts(value, own)[:1]:
                        yield Hit(cross_app_message(host, own), Location(resource=document.resource.path, span=tag_span(tag)))
    for tree in all_scripts(ctx):
        if b"isolated-app:" not in tree.source:
            continue
        stack = [tree.root]
        while stack:
            node = stack.pop()
            if node.type in ("string", "template_string"):
                text = node.text.decode("utf-8", "replace")
                for host in other_app_hosts(text, own)[:1]:
                    yield Hit(cross_app_message(host, own), tree.location(ctx, node))
            elif node.child_count and b"isolated-app:" in tree.source[node.start_byte:node.end_byte]:
                stack.extend(reversed(node.children))


RULES = (
    protocol_handler_url,
    protocol_handler_scheme,
    entry_point_url,
    share_target_method,
    file_handler_accept,
    launch_handler_client_mode,
    cross_app_link,
)

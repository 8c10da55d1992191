"""SCR rules on script: code from strings, worker URLs, cleartext connections, Trusted Types sinks.

Chromium checks Trusted Types (`require-trusted-types-for 'script'`) before
`script-src`: string `eval` and timers, plain-string worker URLs and HTML sinks
all fail there first. Which values a policy made, and whether a `default`
policy exists by the time a sink runs, is worked out in auditor.chrome.trusted_types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.rules.content_common import JS_PROFILE, OFF_BUNDLE, base_path, checked_scripts, kind_of, quote, remote_reason

from auditor.chrome.trusted_types import alias_calls, default_coverage, feature_checked, sink_aliases, value_trust
from auditor.chrome.urls import resolve
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.lazy import LazyPattern
from auditor.engine.registry import Need, rule
from auditor.parse.js import JsTree, is_stringy, literal_text, query_matches, register_query

GLOBALS = ("window", "globalThis", "self", "top", "parent", "frames")
SCRIPT_ELEMENT_QUERY = register_query("""
    (variable_declarator name: (identifier) @element
      value: (call_expression function: (member_expression property: (property_identifier) @create)
                              arguments: (arguments . (string (string_fragment) @tag)))
      (#eq? @create "createElement") (#match? @tag "^[sS][cC][rR][iI][pP][tT]$"))
    """, (b"createElement",))
# Assignments that load or run code when made on a script element: read only where the script made one
# (`only_if`), so the `el.textContent = …` of ordinary DOM code costs no snapshot.
SCRIPT_SINK_QUERY = register_query("""
    (assignment_expression left: (member_expression object: (identifier) @object property: (property_identifier) @sink)
      right: (_) @value (#any-of? @sink "src" "text" "textContent" "innerText")) @use
    """, (b"src", b"text", b"innerText"), only_if=SCRIPT_ELEMENT_QUERY)
EVAL_QUERY = register_query(f"""
    (call_expression function: (identifier) @fn (#eq? @fn "eval")) @eval
    (call_expression function: (member_expression object: (identifier) @g property: (property_identifier) @fn)
      (#eq? @fn "eval") (#any-of? @g {" ".join(f'"{g}"' for g in GLOBALS)})) @eval
    (call_expression function: (parenthesized_expression (sequence_expression) @seq)) @indirect
    (new_expression constructor: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: (member_expression
        object: (member_expression object: (identifier) @fn property: (property_identifier) @proto)
        property: (property_identifier) @ctor)
      (#eq? @fn "Function") (#eq? @proto "prototype") (#eq? @ctor "constructor")) @function
    (call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
      arguments: (arguments . [(string) (template_string) (binary_expression) (parenthesized_expression) (identifier)] @arg)
      (#any-of? @fn "setTimeout" "setInterval")) @timer
    """, (b"eval", b"Function", b"setTimeout", b"setInterval"))
# A timer's first argument can be code only if it is string-ish (`is_stringy`) or a variable (`string_variable`):
# the query leaves out the rest (functions, arrows), so a bundle's thousands of `setTimeout(() => …)` cost no snapshot.
INDIRECT_EVAL = LazyPattern(r"^\(\s*[^()]*,\s*(?:(?:window|globalThis|self)\s*\.\s*)?eval\s*\)$")
# SCR010 reports a URL whose literal text starts `http:` (or `ws:`), in any case: an argument whose text holds
# neither cannot be one, so the query leaves it out (most `fetch` calls of a bundle cost no snapshot).
CLEARTEXT = '(#match? @arg "[hH][tT][tT][pP]:|[wW][sS]:")'
CONNECTION_QUERY = register_query(f"""
    (call_expression function: [(identifier) @api (member_expression property: (property_identifier) @api)]
      arguments: (arguments . (_) @arg) (#any-of? @api "fetch" "sendBeacon") {CLEARTEXT}) @use
    (call_expression function: (member_expression property: (property_identifier) @api)
      arguments: (arguments . (string) @method . (_) @arg) (#eq? @api "open") {CLEARTEXT}) @use
    (new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "EventSource" "WebSocket") {CLEARTEXT}) @use
    """, (b"fetch", b"sendBeacon", b"open", b"EventSource", b"WebSocket"))
WORKER_QUERY = register_query("""
(new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "Worker" "SharedWorker")) @use
(call_expression function: (identifier) @api arguments: (arguments . (_) @arg) (#eq? @api "importScripts")) @use
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @sw) property: (property_identifier) @api)
  arguments: (arguments . (_) @arg)
  (#eq? @sw "serviceWorker") (#eq? @api "register")) @use
""", (b"Worker", b"importScripts", b"register"))
HTML_SINK_WORDS = (b"innerHTML", b"outerHTML", b"srcdoc", b"insertAdjacentHTML", b"write", b"parseFromString", b"createContextualFragment", b"HTMLUnsafe")
HTML_SINK_QUERY = register_query("""
(assignment_expression left: (member_expression property: (property_identifier) @sink) right: (_) @value
  (#any-of? @sink "innerHTML" "outerHTML" "srcdoc")) @use
(augmented_assignment_expression left: (member_expression property: (property_identifier) @sink) right: (_) @value
  (#any-of? @sink "innerHTML" "outerHTML" "srcdoc")) @use
(call_expression function: (member_expression object: (_) @object property: (property_identifier) @sink)
  arguments: (arguments) @args
  (#any-of? @sink "insertAdjacentHTML" "write" "writeln" "parseFromString" "createContextualFragment" "setHTMLUnsafe" "parseHTMLUnsafe")) @use
""", HTML_SINK_WORDS)
SET_ATTRIBUTE_SINK_QUERY = register_query("""(call_expression
  function: (member_expression object: (_) @object property: (property_identifier) @m (#eq? @m "setAttribute"))
  arguments: (arguments . (string (string_fragment) @attr) . (_) @value)) @use""", (b"setAttribute",))
TT_NOTE = "whether it is TrustedHTML cannot be told statically"


def string_variable(tree: JsTree, node) -> bool:
    """An identifier the script binds to a string literal (`const code = "tick()"`)."""
    if node.type != "identifier":
        return False
    name = re.escape(tree.text(node).encode())
    # `(?:const|let|var)\s+NAME\s*=\s*["'`]`, searched from the name (a literal, which `re` finds fast), the
    # keyword checked behind it: the same answer at a fraction of the cost on a large bundle
    binding = re.compile(name + rb"\s*=\s*[\"'`]")
    source = tree.source
    found = binding.search(source)
    while found is not None:
        start = keyword = found.start()
        while keyword > 0 and source[keyword - 1] in SPACES:
            keyword -= 1
        if keyword < start and source.endswith((b"const", b"let", b"var"), 0, keyword):
            return True
        found = binding.search(source, start + 1)
    return False


SPACES = frozenset(b" \t\n\r\f\v")  # what `\s` matches in a bytes pattern


@rule(id="SCR004", per_resource=True, name="eval-like", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("trusted-types", "script-src"), security_severity=6.0)
def eval_like(ctx: Context) -> Iterator[Hit]:
    """`eval`, `new Function`, or `setTimeout`/`setInterval` with a string: code from strings.

    ## What it checks
    Calls of `eval` (and `window.eval`), `Function(...)`/`new Function(...)`, and
    `setTimeout`/`setInterval` whose first argument is a string, a template or a
    concatenation with one.

    ## Why it matters
    In an IWA, Chromium stops these at the Trusted Types `TrustedScript` sink
    (`require-trusted-types-for 'script'`) before `script-src` (which lacks
    `'unsafe-eval'` anyway): they always throw. In a Capacitor OTA bundle they
    run, turning any injected string into code. Libraries that compile schemas
    or templates at run time (Ajv, some template engines) hit this.

    ## Example
    ```js
    setTimeout("refresh()", 1000);
    const check = new Function("x", "return x > 1");
    ```

    ## Fix
    Pass functions (`setTimeout(refresh, 1000)`); precompile schemas and
    templates at build time (Ajv standalone code).

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, EVAL_QUERY):
            if "indirect" in captures:
                if not INDIRECT_EVAL.match(tree.text(captures["indirect"][0].child_by_field_name("function") or captures["indirect"][0]).split("(", 2)[0] + "(" + tree.text(captures["seq"][0]) + ")"):
                    continue
                node, what = captures["indirect"][0], "indirect `eval`"
            elif "eval" in captures:
                node, what = captures["eval"][0], "`eval`"
            elif "function" in captures:
                node, what = captures["function"][0], "`Function` constructor"
            else:
                arg = captures["arg"][0]
                if not is_stringy(arg) and not string_variable(tree, arg):
                    continue
                node, what = captures["timer"][0], f"`{tree.text(captures['fn'][0])}` with a string"
            guard = feature_checked(ctx, tree, node)
            message = f"{what} compiles {'it' if 'with a string' in what else 'a string'} into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)"
            if guard:
                yield Hit(f"{message}; it sits {guard}, so the app may cope without it", tree.location(ctx, node), precision=Precision.LOW)
            else:
                yield Hit(message, tree.location(ctx, node), help="pass a function" if "with a string" in what else None)


POLICY_MADE = ("createScriptURL", "createHTML", "createScript")


def policy_made(tree: JsTree, node) -> bool:
    """A value written as `policy.createScriptURL(...)` (or createHTML/createScript): trusted."""
    return node.type == "call_expression" and tree.text(node.child_by_field_name("function") or node).rsplit(".", 1)[-1] in POLICY_MADE


def first_argument(node):
    args = node.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    return named[0] if named else None


def worker_target(tree: JsTree, arg) -> tuple[str | None, bool, bool]:
    """(literal URL or None, made by a policy, resolved against the script itself) for a worker argument."""
    wrapped = policy_made(tree, arg)
    inner = first_argument(arg) if wrapped else arg
    if inner is None:
        return None, wrapped, False
    if inner.type == "call_expression" and "createObjectURL" in tree.text(inner.child_by_field_name("function") or inner):
        return "blob:", wrapped, False
    own = False
    if inner.type == "new_expression" and tree.text(inner.child_by_field_name("constructor") or inner) == "URL":
        own = "import.meta.url" in tree.text(inner)
        inner = first_argument(inner)
        if inner is None:
            return None, wrapped, own
    text, exact = literal_text(tree, inner)
    return (text if exact or (text and ":" in text) else None), wrapped, own


@rule(id="SCR006", per_resource=True, name="worker-script-url", level=Level.ERROR, needs=Need.JS, tags=("trusted-types", "script-src"), security_severity=3.0)
def worker_script_url(ctx: Context) -> Iterator[Hit]:
    """A worker, service worker or `importScripts` URL Chrome will not load.

    ## What it checks
    The first argument of `new Worker`, `new SharedWorker`,
    `navigator.serviceWorker.register` and `importScripts`:
    - a remote, `blob:` or `data:` URL: blocked (`script-src 'self'` is the
      fallback for workers);
    - a plain string or `new URL(...)`, even same-origin: Chromium requires a
      `TrustedScriptURL` here (Trusted Types) and blocks it, unless the app
      creates a `default` Trusted Types policy;
    - a value made by `policy.createScriptURL(...)`: allowed.

    ## Why it matters
    The worker never starts. Libraries that build workers from blobs, and
    service-worker registration in PWA plugins, break this way.

    ## Example
    ```js
    const worker = new Worker(URL.createObjectURL(new Blob([code])));
    navigator.serviceWorker.register("/sw.js");
    ```

    ## Fix
    Ship the worker as a bundled file and pass a TrustedScriptURL:
    `const p = trustedTypes.createPolicy("app", {createScriptURL: (u) => u});
    new Worker(p.createScriptURL("/worker.js"))`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, WORKER_QUERY):
            arg, api, use = captures["arg"][0], tree.text(captures["api"][0]), captures["use"][0]
            label = {"register": "serviceWorker.register", "importScripts": "importScripts"}.get(api, f"new {api}")
            text, wrapped, own = worker_target(tree, arg)
            base = tree.resource.path if own or api == "importScripts" else "/index.html"
            kind = kind_of(ctx, text, base) if text is not None else None
            if kind in ("blob", "data"):
                how = "a TrustedScriptURL of " if wrapped else ""
                yield Hit(f"`{label}` of {how}{remote_reason(kind)} is blocked (`script-src 'self'` is the workers' fallback)", tree.location(ctx, use))
            elif kind in OFF_BUNDLE:
                reason = "throws `SecurityError` (a worker must be same-origin)" if api != "importScripts" else "is blocked (`script-src 'self'`)"
                yield Hit(f"`{label}` of {remote_reason(kind)} {reason}: `{quote(text)}`", tree.location(ctx, use))
            elif kind == "self" and (url := resolve(text, ctx.bundle.origin, base_path(base))) is not None and ctx.resource(url.path) is None:
                yield Hit(f"`{label}` loads `{url.path}`, which the app does not contain: the worker never starts", tree.location(ctx, use), help="ship the worker script in the bundle, or fix the path")
            elif not wrapped and (text is not None or arg.type == "new_expression"):
                coverage = default_coverage(ctx, tree, use)
                if coverage.state == "covered":
                    continue
                if coverage.state == "elsewhere":
                    yield Hit(f"`{label}` with a plain string is blocked by Trusted Types unless the `default` policy in {coverage.where} is created first", tree.location(ctx, use), level=Level.NOTE, precision=Precision.LOW)
                    continue
                before = f" (it runs before the `default` policy created at {coverage.where})" if coverage.state == "before" else ""
                yield Hit(
                    f"`{label}` with a plain string is blocked by Trusted Types: it needs a TrustedScriptURL{before}",
                    tree.location(ctx, use),
                    help="pass policy.createScriptURL(url) from a trustedTypes policy",
                )


def connection_target(tree: JsTree, arg) -> tuple[str | None, bool]:
    """The URL literal of a connection argument, looking inside `new Request(url, …)`."""
    if arg.type == "new_expression" and tree.text(arg.child_by_field_name("constructor") or arg) == "Request":
        inner = first_argument(arg)
        return literal_text(tree, inner) if inner is not None else (None, False)
    return literal_text(tree, arg)


@rule(id="SCR010", per_resource=True, name="insecure-connection", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("csp", "connect-src", "mixed-content"), security_severity=5.0)
def insecure_connection(ctx: Context) -> Iterator[Hit]:
    """`fetch`, XHR, `EventSource` or `sendBeacon` to `http:`, or a `WebSocket` to `ws:`.

    ## What it checks
    URL arguments written as literals (or templates whose literal start fixes
    the scheme) of `fetch`, `XMLHttpRequest.open`, `new EventSource`,
    `navigator.sendBeacon` and `new WebSocket`.

    ## Why it matters
    IWA: `connect-src 'self' https: wss: blob: data:` blocks cleartext, so the
    request fails. Capacitor: cleartext traffic can be read and changed by
    anyone on the network.

    ## Example
    ```js
    const socket = new WebSocket("ws://chat.example.com/live");
    ```

    ## Fix
    `wss://` and `https://`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, CONNECTION_QUERY):
            api = tree.text(captures["api"][0])
            if api == "open" and tree.text(captures["method"][0])[1:-1].upper() not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                continue
            text, exact = connection_target(tree, captures["arg"][0])
            scheme = (text or "").split(":", 1)[0].lower() if ":" in (text or "") else ""
            insecure = scheme == "http" or (api == "WebSocket" and scheme == "ws")
            if insecure:
                label = "XMLHttpRequest.open" if api == "open" else api
                yield Hit(
                    f"`{label}` to `{scheme}:` is blocked by `connect-src` (cleartext): `{quote(text)}`",
                    tree.location(ctx, captures["use"][0]),
                    help="use https: / wss:",
                    precision=None if exact else Precision.MEDIUM,
                )


def sink_hit(ctx: Context, tree: JsTree, sink: str, value, use, wanted: str = "TrustedHTML") -> Hit | None:
    """The finding for one value reaching one sink, or None when Chromium lets it through."""
    trust = value_trust(ctx, tree, value) if value is not None else "string"
    if trust == "trusted":
        return None
    coverage = default_coverage(ctx, tree, use)
    if coverage.state == "covered":
        return None
    if trust == "unknown":
        if coverage.state == "elsewhere":
            return None
        return Hit(f"`{sink}` is given a computed value: {TT_NOTE.replace('TrustedHTML', wanted)}; a plain string is blocked by Trusted Types", tree.location(ctx, use), level=Level.NOTE, precision=Precision.LOW)
    if coverage.state == "elsewhere":
        return Hit(f"`{sink}` is given a string: blocked by Trusted Types unless the `default` policy in {coverage.where} is created first", tree.location(ctx, use), level=Level.NOTE, precision=Precision.LOW)
    before = f" (it runs before the `default` policy created at {coverage.where})" if coverage.state == "before" else ""
    return Hit(
        f"`{sink}` is given a string: blocked by Trusted Types (`require-trusted-types-for 'script'`){before}",
        tree.location(ctx, use),
        help="use textContent/DOM APIs, or policy.createHTML(...)" if wanted == "TrustedHTML" else f"pass a {wanted} from a policy",
    )


@rule(id="SCR013", per_resource=True, name="trusted-types-sink", level=Level.ERROR, needs=Need.JS, tags=("trusted-types",), security_severity=4.0)
def trusted_types_sink(ctx: Context) -> Iterator[Hit]:
    """A plain string given to an HTML sink (`innerHTML`, `insertAdjacentHTML`, ...): Trusted Types blocks it.

    ## What it checks
    Assignments to `innerHTML`, `outerHTML`, `srcdoc`, and calls of
    `insertAdjacentHTML`, `document.write`/`writeln`, `parseFromString`,
    `createContextualFragment`, `setHTMLUnsafe`, `parseHTMLUnsafe`, when the
    value is not made by a Trusted Types policy (`policy.createHTML(...)`);
    and `src`, `text`, `textContent` or `innerText` set on a variable made by
    `document.createElement("script")` (TrustedScriptURL / TrustedScript).
    Literal strings are certain; computed values are reported with lower
    precision (they may hold TrustedHTML). Nothing is reported when the app
    creates a `default` policy, which converts plain strings.

    ## Why it matters
    Chrome's IWA policy has `require-trusted-types-for 'script'`: every one of
    these throws a TypeError, even `el.innerHTML = ""`. Vite starters and many
    UI libraries break here.

    ## Example
    ```js
    list.innerHTML = "<li>" + name + "</li>";
    ```

    ## Fix
    Build DOM nodes (`textContent`, `append`), or sanitise through a policy:
    `const p = trustedTypes.createPolicy("app", {createHTML: (s) => DOMPurify.sanitize(s)});
    list.innerHTML = p.createHTML(markup)`.

    ## References
    the Content-Security-Policy Chrome sets on every IWA response (Chromium `components/webapps/isolated_web_apps/public/header_utils.cc`); the Isolated Web Apps explainer (WICG/isolated-web-apps `README.md`).
    """
    for tree in checked_scripts(ctx):
        found: list[Hit | None] = []
        found.extend(script_element_sinks(ctx, tree))
        for _, captures in query_matches(tree, HTML_SINK_QUERY):
            sink = tree.text(captures["sink"][0])
            if "value" in captures:
                value = captures["value"][0]
            else:
                if sink in ("write", "writeln") and not tree.text(captures["object"][0]).endswith("document"):
                    continue
                args = captures["args"][0].named_children
                position = 1 if sink == "insertAdjacentHTML" else 0
                if len(args) <= position:
                    continue
                value = args[position]
            found.append(sink_hit(ctx, tree, sink, value, captures["use"][0]))
        for _, captures in query_matches(tree, SET_ATTRIBUTE_SINK_QUERY):
            if tree.text(captures["attr"][0]).lower() == "srcdoc":
                found.append(sink_hit(ctx, tree, 'setAttribute("srcdoc")', captures["value"][0], captures["use"][0]))
        aliases = sink_aliases(tree)
        if aliases:
            for call, sink, value in alias_calls(ctx, tree, aliases):
                if value is not None:
                    found.append(sink_hit(ctx, tree, f"{sink} (through an alias)", value, call))
        yield from (hit for hit in found if hit is not None)


def script_element_sinks(ctx: Context, tree: JsTree) -> Iterator[Hit | None]:
    """`src`/`text`/`textContent`/`innerText` (or `setAttribute("src")`) on a `createElement("script")` variable."""
    elements = {tree.text(c["element"][0]) for _, c in query_matches(tree, SCRIPT_ELEMENT_QUERY)}
    if not elements:
        return
    for _, captures in query_matches(tree, SCRIPT_SINK_QUERY):
        if tree.text(captures["object"][0]) not in elements:
            continue
        sink = tree.text(captures["sink"][0])
        wanted = "TrustedScriptURL" if sink == "src" else "TrustedScript"
        yield sink_hit(ctx, tree, f"script.{sink}", captures["value"][0], captures["use"][0], wanted)
    for _, captures in query_matches(tree, SET_ATTRIBUTE_SINK_QUERY):
        attribute = tree.text(captures["attr"][0]).lower()
        if attribute in ("src", "href", "xlink:href") and tree.text(captures["object"][0]) in elements:
            yield sink_hit(ctx, tree, f'script.setAttribute("{attribute}")', captures["value"][0], captures["use"][0], "TrustedScriptURL")


RULES = (eval_like, worker_script_url, insecure_connection, trusted_types_sink)

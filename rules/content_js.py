"""SCR rules on script: code from strings, worker URLs, cleartext connections, Trusted Types sinks.

Chromium checks Trusted Types (`require-trusted-types-for 'script'`) before
`script-src`: string `eval` and timers, plain-string worker URLs and HTML sinks
all fail there first. Which values a policy made is worked out in
auditor.chrome.trusted_types.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.rules.content_common import JS_PROFILE, OFF_BUNDLE, checked_scripts, kind_of, quote, remote_reason

from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.registry import Need, rule
from auditor.parse.js import JsTree, is_stringy, literal_text, query_matches, register_query, scripts

SCRIPT_ELEMENT_QUERY = register_query("""
    (variable_declarator name: (identifier) @element
      value: (call_expression function: (member_expression property: (property_identifier) @create)
                              arguments: (arguments . (string (string_fragment) @tag)))
      (#eq? @create "createElement") (#eq? @tag "script"))
    (assignment_expression left: (member_expression object: (identifier) @object property: (property_identifier) @sink)
      right: (_) @value (#any-of? @sink "src" "text" "textContent" "innerText")) @use
    """, (b"createElement", b"src", b"text", b"innerText"))
DEFAULT_POLICY_QUERY = register_query("""(call_expression
      function: (member_expression object: [(identifier) @tt (member_expression property: (property_identifier) @tt)]
                                   property: (property_identifier) @m)
      arguments: (arguments . (string (string_fragment) @name))
      (#eq? @tt "trustedTypes") (#eq? @m "createPolicy") (#eq? @name "default")) @call""", (b"createPolicy",))
EVAL_QUERY = register_query("""
    (call_expression function: [(identifier) @fn (member_expression object: (identifier) @g property: (property_identifier) @fn)]
      (#eq? @fn "eval")) @eval
    (new_expression constructor: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: (identifier) @fn (#eq? @fn "Function")) @function
    (call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
      arguments: (arguments . (_) @arg)
      (#any-of? @fn "setTimeout" "setInterval")) @timer
    """, (b"eval", b"Function", b"setTimeout", b"setInterval"))
CONNECTION_QUERY = register_query("""
    (call_expression function: [(identifier) @api (member_expression property: (property_identifier) @api)]
      arguments: (arguments . (_) @arg) (#any-of? @api "fetch" "sendBeacon")) @use
    (call_expression function: (member_expression property: (property_identifier) @api)
      arguments: (arguments . (string) @method . (_) @arg) (#eq? @api "open")) @use
    (new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "EventSource" "WebSocket")) @use
    """, (b"fetch", b"sendBeacon", b"open", b"EventSource", b"WebSocket"))
POLICY_RESULT_QUERY = register_query("""(variable_declarator name: (identifier) @name
      value: (call_expression function: (member_expression property: (property_identifier) @m))
      (#any-of? @m "createHTML" "createScript" "createScriptURL"))""", (b"createHTML", b"createScript"))


def default_policy(ctx: Context) -> bool:
    """Whether the app creates a Trusted Types `default` policy (then plain strings pass its sinks)."""
    return ctx.memo("tt-default-policy", lambda: any(query_matches(tree, DEFAULT_POLICY_QUERY) for tree in scripts(ctx)))


@rule(id="SCR004", name="eval-like", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("trusted-types", "script-src"), security_severity=6.0)
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
    ../shared/spec/iwa-policy.md §5 (Scripts, Trusted Types), §9.
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, EVAL_QUERY):
            if "eval" in captures:
                yield Hit("`eval` compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["eval"][0]))
            elif "function" in captures:
                yield Hit("`Function` constructor compiles a string into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["function"][0]))
            elif is_stringy(captures["arg"][0]):
                name = tree.text(captures["fn"][0])
                yield Hit(f"`{name}` with a string compiles it into code: blocked by Trusted Types (`require-trusted-types-for 'script'`)", tree.location(ctx, captures["timer"][0]), help="pass a function")


WORKER_QUERY = register_query("""
(new_expression constructor: (identifier) @api arguments: (arguments . (_) @arg) (#any-of? @api "Worker" "SharedWorker")) @use
(call_expression function: (identifier) @api arguments: (arguments . (_) @arg) (#eq? @api "importScripts")) @use
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @sw) property: (property_identifier) @api)
  arguments: (arguments . (_) @arg)
  (#eq? @sw "serviceWorker") (#eq? @api "register")) @use
""", (b"Worker", b"importScripts", b"register"))
POLICY_MADE = ("createScriptURL", "createHTML", "createScript")


def policy_made(tree: JsTree, node) -> bool:
    """A value written as `policy.createScriptURL(...)` (or createHTML/createScript): trusted."""
    return node.type == "call_expression" and tree.text(node.child_by_field_name("function") or node).rsplit(".", 1)[-1] in POLICY_MADE


@rule(id="SCR006", name="worker-script-url", level=Level.ERROR, needs=Need.JS, tags=("trusted-types", "script-src"))
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
    ../shared/spec/iwa-policy.md §5 (Workers, Trusted Types), §9.
    """
    has_default = default_policy(ctx)
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, WORKER_QUERY):
            arg, api = captures["arg"][0], tree.text(captures["api"][0])
            label = {"register": "serviceWorker.register", "importScripts": "importScripts"}.get(api, f"new {api}")
            text, _ = literal_text(tree, arg)
            kind = kind_of(ctx, text, tree.resource.path) if text is not None else None
            if arg.type == "call_expression" and "createObjectURL" in tree.text(arg.child_by_field_name("function") or arg):
                yield Hit(f"`{label}` with a `blob:` URL is blocked (`script-src 'self'`)", tree.location(ctx, captures["use"][0]))
            elif kind in OFF_BUNDLE:
                yield Hit(f"`{label}` of {remote_reason(kind)} is blocked (`script-src 'self'`)", tree.location(ctx, captures["use"][0]))
            elif not has_default and (text is not None or arg.type == "new_expression"):
                yield Hit(
                    f"`{label}` with a plain string is blocked by Trusted Types: it needs a TrustedScriptURL",
                    tree.location(ctx, captures["use"][0]),
                    help="pass policy.createScriptURL(url) from a trustedTypes policy",
                )


@rule(id="SCR010", name="insecure-connection", level=Level.ERROR, inputs=JS_PROFILE, needs=Need.JS, tags=("csp", "connect-src", "mixed-content"), security_severity=5.0)
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
    ../shared/spec/iwa-policy.md §5 (Network).
    """
    for tree in checked_scripts(ctx):
        for _, captures in query_matches(tree, CONNECTION_QUERY):
            api = tree.text(captures["api"][0])
            if api == "open" and tree.text(captures["method"][0])[1:-1].upper() not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                continue
            text, exact = literal_text(tree, captures["arg"][0])
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
@rule(id="SCR013", name="trusted-types-sink", level=Level.ERROR, needs=Need.JS, tags=("trusted-types",))
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
    ../shared/spec/iwa-policy.md §5 (Trusted Types), §9.
    """
    if default_policy(ctx):
        return
    for tree in checked_scripts(ctx):
        yield from script_element_sinks(ctx, tree)
        trusted_names = policy_results(tree)
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
            if policy_made(tree, value) or (value.type == "identifier" and tree.text(value) in trusted_names):
                continue
            certain = is_stringy(value)
            what = "a string" if certain else "a value that is not TrustedHTML (unless it was made by a policy elsewhere)"
            yield Hit(
                f"`{sink}` is given {what}: blocked by Trusted Types (`require-trusted-types-for 'script'`)",
                tree.location(ctx, captures["use"][0]),
                help="use textContent/DOM APIs, or policy.createHTML(...)",
                precision=None if certain else Precision.LOW,
            )


def script_element_sinks(ctx: Context, tree: JsTree) -> Iterator[Hit]:
    """`src`/`text`/`textContent`/`innerText` set on a variable made by `createElement("script")`."""
    found = query_matches(tree, SCRIPT_ELEMENT_QUERY)
    elements = {tree.text(c["element"][0]) for _, c in found if "element" in c}
    for _, captures in found:
        if "use" not in captures or tree.text(captures["object"][0]) not in elements:
            continue
        value, sink = captures["value"][0], tree.text(captures["sink"][0])
        if policy_made(tree, value):
            continue
        wanted = "TrustedScriptURL" if sink == "src" else "TrustedScript"
        yield Hit(
            f"script element `{sink}` is given a plain value: blocked by Trusted Types (it needs a {wanted})",
            tree.location(ctx, captures["use"][0]),
            precision=None if is_stringy(value) else Precision.LOW,
        )


def policy_results(tree: JsTree) -> frozenset[str]:
    """Names bound directly to a policy's output: `const html = policy.createHTML(s)`."""
    return frozenset(tree.text(c["name"][0]) for _, c in query_matches(tree, POLICY_RESULT_QUERY))


RULES = (eval_like, worker_script_url, insecure_connection, trusted_types_sink)

"""Which policy-controlled features a script uses, found with tree-sitter queries (no regexes).

The table maps a syntactic use to the permissions-policy feature that gates it
in an IWA (where every feature is off unless the manifest grants it). Only
unambiguous shapes are matched: `navigator.serial`, `new TCPSocket(...)`,
`getScreenDetails(...)`, `createElement("controlledframe")`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.parse.js import query_matches, register_query

NAVIGATOR_MEMBERS = {
    "serial": "serial",
    "usb": "usb",
    "hid": "hid",
    "bluetooth": "bluetooth",
    "geolocation": "geolocation",
    "xr": "xr-spatial-tracking",
    "smartCard": "smart-card",
    "subApps": "sub-apps",
    "wakeLock": "screen-wake-lock",
    "requestMIDIAccess": "midi",
    "getGamepads": "gamepad",
    "share": "web-share",
}
CLIPBOARD_METHODS = {"read": "clipboard-read", "readText": "clipboard-read", "write": "clipboard-write", "writeText": "clipboard-write"}
CONSTRUCTORS = {
    "TCPSocket": "direct-sockets",
    "TCPServerSocket": "direct-sockets",
    "UDPSocket": "direct-sockets",
    "IdleDetector": "idle-detection",
    "PaymentRequest": "payment",
}
CALLS = {
    "getScreenDetails": "window-management",
    "getDisplayMedia": "display-capture",
    "getAllScreensMedia": "all-screens-capture",
    "requestFullscreen": "fullscreen",
}
ELEMENTS = {"controlledframe": "controlled-frame"}
DETECTABLE_FEATURES = frozenset(
    [*NAVIGATOR_MEMBERS.values(), *CLIPBOARD_METHODS.values(), *CONSTRUCTORS.values(), *CALLS.values(), *ELEMENTS.values()]
)


WORDS = tuple(w.encode() for w in ("navigator", "clipboard", *CONSTRUCTORS, *CALLS, "createElement"))


def any_of(names) -> str:
    return " ".join(f'"{n}"' for n in names)


QUERY_TEXT = f"""
(member_expression
  object: [(identifier) @nav (member_expression property: (property_identifier) @nav)]
  property: (property_identifier) @name
  (#eq? @nav "navigator") (#any-of? @name {any_of(NAVIGATOR_MEMBERS)})) @navigator
(member_expression
  object: (member_expression property: (property_identifier) @clip (#eq? @clip "clipboard"))
  property: (property_identifier) @name (#any-of? @name {any_of(CLIPBOARD_METHODS)})) @clipboard
(new_expression constructor: (identifier) @name (#any-of? @name {any_of(CONSTRUCTORS)})) @constructor
(call_expression
  function: [(identifier) @name (member_expression property: (property_identifier) @name)]
  (#any-of? @name {any_of(CALLS)})) @call
(call_expression
  function: (member_expression property: (property_identifier) @create (#eq? @create "createElement"))
  arguments: (arguments . (string (string_fragment) @name (#any-of? @name {any_of(ELEMENTS)})))) @element
"""
QUERY = register_query(QUERY_TEXT, WORDS)
TABLES = {"navigator": NAVIGATOR_MEMBERS, "clipboard": CLIPBOARD_METHODS, "constructor": CONSTRUCTORS, "call": CALLS, "element": ELEMENTS}


@dataclass(frozen=True, slots=True)
class ApiUse:
    feature: str
    api: str      # what the code wrote, shortened: `navigator.serial`, `new TCPSocket`
    node: object  # the tree-sitter node, for its position


def api_uses(tree) -> Iterator[ApiUse]:
    """Every use of a policy-controlled API in one parsed script, in source order."""
    found = []
    for _, captures in query_matches(tree, QUERY):
        kind = next(k for k in TABLES if k in captures)
        node = captures[kind][0]
        name = tree.text(captures["name"][0])
        label = {"navigator": f"navigator.{name}", "clipboard": f"clipboard.{name}", "constructor": f"new {name}", "call": f"{name}()", "element": f'createElement("{name}")'}[kind]
        found.append(ApiUse(TABLES[kind][name], label, node))
    found.sort(key=lambda use: use.node.start_byte)
    return iter(found)


def uses_by_script(ctx):
    """(tree, uses) for every parsed script, memoised for the two least-privilege rules."""
    from auditor.parse.js import scripts

    return ctx.memo("api-uses", lambda: [(tree, list(api_uses(tree))) for tree in scripts(ctx)])

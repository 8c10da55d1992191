"""Which policy-controlled features a script uses, found with tree-sitter queries (no regexes).

The table maps a syntactic use to the permissions-policy feature that gates it
in an IWA (where every feature is off unless the manifest grants it). Only
unambiguous shapes are matched: `navigator.serial`, `new TCPSocket(...)`,
`getScreenDetails(...)`, `createElement("controlledframe")`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.lazy import LazyPattern
from auditor.engine.record import FrozenRecord, store_fields
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
# createElement lower-cases its argument in HTML documents: "ControlledFrame" makes a <controlledframe>
ELEMENT_PATTERN = "^(" + "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in name) for name in ELEMENTS) + ")$"


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
  arguments: (arguments . (string (string_fragment) @name (#match? @name "{ELEMENT_PATTERN}")))) @element
"""
QUERY = register_query(QUERY_TEXT, WORDS)
TABLES = {"navigator": NAVIGATOR_MEMBERS, "clipboard": CLIPBOARD_METHODS, "constructor": CONSTRUCTORS, "call": CALLS, "element": ELEMENTS}


PRIVATE_FEATURES = ("direct-sockets-private", "local-network", "loopback-network")
SOCKET_TARGET = LazyPattern(r"""^new\s+(?:TCPSocket|UDPSocket)\s*\(\s*(?:(["'`])([^"'`]*)\1|\{[^}]*?remoteAddress\s*:\s*(["'`])([^"'`]*)\3)""")


def private_address(host: str) -> str | None:
    """"loopback" or "private" for a literal address Direct Sockets treats as non-public, else None."""
    import ipaddress

    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "private" if name.endswith((".local", ".internal", ".lan", ".home.arpa")) else None
    if address.is_loopback:
        return "loopback"
    if address.is_private or address.is_link_local:
        return "private"
    return None


def socket_target(tree, node) -> tuple[str, str] | None:
    """(address, "private"|"loopback") of `new TCPSocket("10.0.0.2", 23)` / `new UDPSocket({remoteAddress: …})`."""
    match = SOCKET_TARGET.match(tree.text(node))
    if match is None:
        return None
    host = match.group(2) if match.group(2) is not None else match.group(4)
    kind = private_address(host or "")
    return (host, kind) if kind else None


class ApiUse(FrozenRecord):
    __slots__ = ("api", "feature", "node")
    feature: str
    api: str  # what the code wrote, shortened: `navigator.serial`, `new TCPSocket`
    node: object  # the tree-sitter node, for its position

    def __init__(self, feature: str, api: str, node: object) -> None:
        store_fields(self, locals())


def api_uses(tree) -> Iterator[ApiUse]:
    """Every use of a policy-controlled API in one parsed script, in source order."""
    found = []
    for _, captures in query_matches(tree, QUERY):
        kind = next(k for k in TABLES if k in captures)
        node = captures[kind][0]
        name = tree.text(captures["name"][0])
        if kind == "element":
            name = name.lower()
        label = {"navigator": f"navigator.{name}", "clipboard": f"clipboard.{name}", "constructor": f"new {name}", "call": f"{name}()", "element": f'createElement("{name}")'}[kind]
        found.append(ApiUse(TABLES[kind][name], label, node))
    found.sort(key=lambda use: use.node.start_byte)
    return iter(found)


def uses_by_script(ctx):
    """(tree, uses) for every parsed script, memoised for the two least-privilege rules."""
    from auditor.parse.js import scripts

    return ctx.local("api-uses", lambda: [(tree, list(api_uses(tree))) for tree in scripts(ctx)])

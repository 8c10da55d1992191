"""Trusted Types as Chromium applies them to an IWA (`require-trusted-types-for 'script'`), read statically.

Three questions the SCR rules ask of a value reaching a sink:
- was it made by a policy (`policy.createHTML(...)`), directly, through a
  variable, or through a parameter every caller in the module fills from a
  policy (`value_trust`)?
- does a `default` policy exist by the time the sink runs (`default_coverage`)?
  Chromium applies a default policy only to sinks reached after
  `trustedTypes.createPolicy("default", ...)` returns; code that runs earlier
  is still blocked, so one default policy somewhere must not silence the app;
- which names are aliases of a sink (`const w = document.write.bind(document)`)?

Where the shared tree-sitter snapshots (auditor.parse.js) are not enough (which
function holds a node, who calls it), the script is parsed again here, only for
the few scripts that need it, and the tree is dropped after use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.lazy import LazyPattern
from auditor.engine.record import FrozenRecord, store_fields
from auditor.parse.js import REGISTERED, JsTree, is_script, is_stringy, matches, parser, query_matches, register_query

POLICY_CALL = LazyPattern(r"\.create(?:HTML|Script|ScriptURL)\s*\(")
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition", "generator_function_declaration", "generator_function", "function"})
MAX_CALLERS = 64

DEFAULT_POLICY_QUERY = register_query("""(call_expression
      function: (member_expression object: [(identifier) @tt (member_expression property: (property_identifier) @tt)]
                                   property: (property_identifier) @m)
      arguments: (arguments . (string (string_fragment) @name))
      (#eq? @tt "trustedTypes") (#eq? @m "createPolicy") (#eq? @name "default")) @call""", (b"createPolicy",))
POLICY_RESULT_QUERY = register_query("""(variable_declarator name: (identifier) @name
      value: (call_expression function: (member_expression property: (property_identifier) @m))
      (#any-of? @m "createHTML" "createScript" "createScriptURL"))""", (b"createHTML", b"createScript"))
ALIAS_VALUE = LazyPattern(r"^[\w$.]*\.(write|writeln|insertAdjacentHTML|setHTMLUnsafe)(?:\.bind\([^)]*\))?$")
# where the HTML argument sits for each aliased sink (a `.call(el, …)` shifts it by one)
ALIAS_ARGUMENT = {"write": 0, "writeln": 0, "insertAdjacentHTML": 1, "setHTMLUnsafe": 0}


def policy_text(text: str) -> bool:
    return POLICY_CALL.search(text) is not None


def reparsed(ctx, tree: JsTree):
    """A fresh tree-sitter tree of a script that needs one, kept while its resource's rules run."""
    return ctx.local(("tt-reparsed", tree.resource.path, tree.char_base), lambda: parser().parse(tree.source))


def node_at(ctx, tree: JsTree, snap):
    """The live node with the snapshot's range and type (or the smallest one around it)."""
    node = reparsed(ctx, tree).root_node.descendant_for_byte_range(snap.start_byte, snap.end_byte)
    while node is not None and node.parent is not None and (node.start_byte, node.end_byte, node.type) != (snap.start_byte, snap.end_byte, snap.type):
        if node.start_byte < snap.start_byte or node.end_byte > snap.end_byte:
            break
        node = node.parent
    return node


def enclosing_function(node):
    node = node.parent if node is not None else None
    while node is not None and node.type not in FUNCTION_TYPES:
        node = node.parent
    return node


def policy_results(tree: JsTree) -> frozenset[str]:
    """Names bound directly to a policy's output: `const html = policy.createHTML(s)`."""
    return frozenset(tree.text(c["name"][0]) for _, c in query_matches(tree, POLICY_RESULT_QUERY))


def assigned_from_policy(tree: JsTree, name: str) -> bool:
    """`name = policy.createHTML(...)` (or `cond ? p.createHTML(x) : x`) somewhere in the script."""
    # `(?<![\w$.])NAME\s*=…`, searched from the name (a literal, which `re` finds fast) and the look-behind
    # checked at each place found: a leading look-behind would make `re` try every byte of a large bundle
    pattern = re.compile(re.escape(name.encode()) + rb"\s*=(?!=)[^;,\n]{0,200}?\.create(?:HTML|Script|ScriptURL)\s*\(")
    source = tree.source
    found = pattern.search(source)
    while found is not None:
        start = found.start()
        if start == 0 or source[start - 1] not in NAME_BYTES:
            return True
        found = pattern.search(source, start + 1)
    return False


NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.")  # `[\w$.]` in a bytes pattern


def value_trust(ctx, tree: JsTree, value) -> str:
    """"string" (a plain string for sure), "trusted" (made by a policy) or "unknown"."""
    if is_stringy(value):
        return "string"
    text = tree.text(value)
    if policy_text(text):
        return "trusted"  # `p.createHTML(x)`, `p ? p.createHTML(x) : x` (Lit's shape)
    if value.type != "identifier":
        return "unknown"
    if text in policy_results(tree) or assigned_from_policy(tree, text):
        return "trusted"
    if b"createHTML" in tree.source or b"createScript" in tree.source:
        return parameter_trust(ctx, tree, value, text)
    return "unknown"


def parameter_trust(ctx, tree: JsTree, value, name: str) -> str:
    """A parameter every caller in the module fills with a policy's output is trusted."""
    node = node_at(ctx, tree, value)
    function = enclosing_function(node)
    if function is None:
        return "unknown"
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    names = [tree.text(p) for p in (parameters.named_children if parameters is not None and parameters.type == "formal_parameters" else [parameters] if parameters is not None else [])]
    if name not in names:
        return "unknown"
    index = names.index(name)
    callee = function_name(tree, function)
    if callee is None:
        return "unknown"
    calls = callers(reparsed(ctx, tree).root_node, tree, callee)
    if not calls:
        return "unknown"
    for call in calls:
        args = call.child_by_field_name("arguments")
        given = args.named_children if args is not None else []
        if len(given) <= index:
            return "unknown"
        argument = given[index]
        text = tree.text(argument)
        if not (policy_text(text) or (argument.type == "identifier" and (text in policy_results(tree) or assigned_from_policy(tree, text)))):
            return "unknown"
    return "trusted"


def function_name(tree: JsTree, function) -> str | None:
    name = function.child_by_field_name("name")
    if name is not None:
        return tree.text(name)
    parent = function.parent
    if parent is not None and parent.type == "variable_declarator":
        declared = parent.child_by_field_name("name")
        return tree.text(declared) if declared is not None else None
    if parent is not None and parent.type in ("assignment_expression", "pair"):
        target = parent.child_by_field_name("left") or parent.child_by_field_name("key")
        return tree.text(target).rsplit(".", 1)[-1] if target is not None else None
    return None


def callers(root, tree: JsTree, name: str) -> list:
    """Calls of `name(...)` or `x.name(...)` in the script (bounded)."""
    found = []
    needle = name.encode()
    stack = [root]
    while stack and len(found) <= MAX_CALLERS:
        node = stack.pop()
        if needle not in tree.source[node.start_byte:node.end_byte]:
            continue
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            text = tree.text(function) if function is not None else ""
            if text.rsplit(".", 1)[-1] == name or text in (f"{name}.call", f"{name}.apply"):
                found.append(node)
        stack.extend(node.children)
    return found


# --- default policy -----------------------------------------------------------------------------------


class Coverage(FrozenRecord):
    """Whether a `default` policy converts plain strings at a sink: "covered", "before" (the sink runs
    before the policy exists), "elsewhere" (only another script makes one), or "none"."""

    __slots__ = ("state", "where")
    state: str
    where: str

    def __init__(self, state: str, where: str = "") -> None:
        store_fields(self, locals())


def default_policies(ctx) -> dict[str, list[int]]:
    """Script path -> byte offsets of its `trustedTypes.createPolicy("default", …)` calls.

    A default policy in any script file counts, whatever the scope, and script
    files are released window by window (`auditor.parse.js.Windows`): so this
    reads each script file once more, alone, and parses only those holding the
    query's words (a default policy is rare), keeping nothing but the offsets.
    """

    def build() -> dict[str, list[int]]:
        text, words = REGISTERED[DEFAULT_POLICY_QUERY]
        found: dict[str, list[int]] = {}
        for resource in ctx.bundle.resources.values():
            if not is_script(resource) or resource.size > ctx.limits.max_script_bytes:
                continue
            decoded = ctx.text(resource)
            if decoded is None or not all(w in decoded for w in (*(w.decode() for w in words), "default")):
                continue
            tree = JsTree(resource, decoded.encode("utf-8"))
            offsets = [c["call"][0].start_byte for _, c in matches(tree, text, words)]
            if offsets:
                found.setdefault(resource.path, []).extend(offsets)
        return found

    return ctx.memo("tt-default-policies", build)


def default_coverage(ctx, tree: JsTree, node) -> Coverage:
    policies = default_policies(ctx)
    mine = policies.get(tree.resource.path) if not tree.inline else None
    if mine:
        first = min(mine)
        if node.start_byte > first:
            return Coverage("covered")
        if enclosing_function(node_at(ctx, tree, node)) is not None:
            return Coverage("covered")  # a function may well be called after the policy exists
        line = tree.source[:first].count(b"\n") + 1
        return Coverage("before", f"line {line}")
    if policies:
        return Coverage("elsewhere", sorted(policies)[0])
    return Coverage("none")


ALIAS_DECLARATION = LazyPattern(rb"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([\w$.]*\.(?:write|writeln|insertAdjacentHTML|setHTMLUnsafe)(?:\s*\.\s*bind\s*\([^)]*\))?)\s*[;,\n]")


SINK_DOTS = (b".write", b".insertAdjacentHTML", b".setHTMLUnsafe")  # one of them is in every declaration (`writeln` too)
SPACE_BYTES = frozenset(b" \t\n\r\f\v")  # `\s` in a bytes pattern
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")  # `[\w$]`


def alias_declarations(source: bytes) -> Iterator[re.Match]:
    """`ALIAS_DECLARATION.finditer(source)`, found from the sinks: the pattern starts with an
    alternation, so `re` would try it at every byte of a large bundle. A declaration's start is
    fixed by the text before its `.write` (path, `=`, name, keyword, each a maximal run), so the
    pattern is tried only there, left to right, skipping starts inside a declaration found."""
    starts = set()
    for dot in SINK_DOTS:
        position = source.find(dot)
        while position != -1:
            start = declaration_start(source, position)
            if start is not None:
                starts.add(start)
            position = source.find(dot, position + 1)
    end = 0
    for start in sorted(starts):
        if start >= end and (declared := ALIAS_DECLARATION.match(source, start)) is not None:
            end = declared.end()
            yield declared


def declaration_start(source: bytes, dot: int) -> int | None:
    r"""Where `(?:const|let|var)\s+NAME\s*=\s*PATH` ends at `dot` would start, or None."""
    i = dot
    while i > 0 and (source[i - 1] in WORD_BYTES or source[i - 1] == 0x2E):  # the path, `[\w$.]*`
        i -= 1
    while i > 0 and source[i - 1] in SPACE_BYTES:
        i -= 1
    if i == 0 or source[i - 1] != 0x3D:  # `=`
        return None
    i -= 1
    while i > 0 and source[i - 1] in SPACE_BYTES:
        i -= 1
    name_end = i
    while i > 0 and source[i - 1] in WORD_BYTES:
        i -= 1
    spaces_end = i
    while i > 0 and source[i - 1] in SPACE_BYTES:
        i -= 1
    if spaces_end == name_end or i == spaces_end:  # a name, and space before it
        return None
    for keyword in (b"const", b"let", b"var"):
        if source.endswith(keyword, 0, i):
            return i - len(keyword)
    return None


def sink_aliases(tree: JsTree) -> dict[str, str]:
    """Alias name -> sink name, for `const w = document.write.bind(document)` and the like."""
    found: dict[str, str] = {}
    for declared in alias_declarations(tree.source):  # a declaration's shape, read from the text
        match = ALIAS_VALUE.match(declared.group(2).decode("utf-8", "replace").replace(" ", ""))
        if match is not None:
            found.setdefault(declared.group(1).decode(), match.group(1))
    return found


def alias_calls(ctx, tree: JsTree, aliases: dict[str, str]):
    """(call node, sink, HTML argument node or None) for each call of an alias (`w(s)`, `w.call(el, s)`)."""
    root = reparsed(ctx, tree).root_node
    for name, sink in aliases.items():
        for call in callers(root, tree, name):
            function = call.child_by_field_name("function")
            text = tree.text(function)
            shift = 1 if text in (f"{name}.call", f"{name}.apply") else 0 if text == name else None
            if shift is None:
                continue
            args = call.child_by_field_name("arguments")
            given = args.named_children if args is not None else []
            position = ALIAS_ARGUMENT[sink] + shift
            yield call, sink, given[position] if len(given) > position else None


def feature_checked(ctx, tree: JsTree, node) -> str | None:
    """Why a call may never run: inside `try {}` with a `catch`, or behind a `typeof` check."""
    live = node_at(ctx, tree, node)
    child, parent = live, live.parent if live is not None else None
    while parent is not None:
        if parent.type == "try_statement" and parent.child_by_field_name("body") == child and parent.child_by_field_name("handler") is not None:
            return "inside `try {}` with a fallback"
        if parent.type in ("if_statement", "ternary_expression") and child != parent.child_by_field_name("condition"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and b"typeof" in tree.source[condition.start_byte:condition.end_byte]:
                return "behind a `typeof` feature check"
        child, parent = parent, parent.parent
    return None

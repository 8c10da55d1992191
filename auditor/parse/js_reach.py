"""How far above an occurrence of a query word a match's root can sit, read from the query's text.

`auditor.parse.js` runs a query only around each occurrence of its words,
starting that many levels above the occurrence. The fewer levels, the smaller
the subtree tree-sitter walks: on dense minified code the walk, not the parse,
is what a query costs. Two bounds, the tighter used where it is sound:

- the query's nesting depth (+1 for the leaf under the deepest named node): a
  pattern's root is never further from any node inside the match;
- for a pattern with an exact-text predicate (`#eq?`, `#any-of?`) whose every
  literal contains one of the words, every match holds a word inside that
  capture, so the capture's own depth in the pattern bounds the climb (+1 for a
  leaf under it). A word that only such patterns name needs no deeper start.

A pattern with neither (no covering predicate, or a quantifier that can leave
a capture empty) keeps its nesting bound for every word of its query: its
matches may hold any of them.

When every pattern of a query is covered, an occurrence can only matter if it
sits inside a node whose text is one of the literals (`fits`): "text" inside
`textContent` or "open" inside the string `"open"` cannot be a property named
`text` or `open`, so the query is not run there at all (`candidates`).
"""

from __future__ import annotations

from functools import cache


def nesting(query_text: str) -> int:
    """How deep the query's patterns nest (parentheses and brackets): an upper bound on how far
    a pattern's root sits above any node it names."""
    depth = deepest = 0
    quoted = False
    previous = ""
    for char in query_text:
        if char == '"' and previous != "\\":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char in ")]":
            depth -= 1
        previous = char
    return deepest


class Pattern:
    """What the bound needs of one top-level pattern (a plain class: rule modules import this at start-up)."""

    __slots__ = ("captures", "deepest", "kinds", "predicates", "quantified")

    def __init__(self) -> None:
        self.captures: dict[str, int] = {}  # name -> deepest level it names (the root is level 1)
        self.kinds: dict[str, set[str] | None] = {}  # name -> node kinds it captures (None: any kind)
        self.predicates: list[tuple[str, str | None, list[str]]] = []  # (name, first capture, literals)
        self.quantified = False
        self.deepest = 0  # its nesting depth, as `nesting` counts it


def patterns(query_text: str) -> list[Pattern]:
    """The query's top-level patterns: capture depths, predicates, whether any step is quantified."""
    found: list[Pattern] = []
    stack: list[str] = []  # "(" a node or group, "#" a predicate, "[" an alternation
    current = Pattern()
    predicate: tuple[str, list, list] | None = None
    kinds: list[str | None] = []  # the kind of each open "(" of `stack` (None: a group, a wildcard)
    closed: str | None = None  # the kind of the node expression that just ended (what a capture names)
    i, end = 0, len(query_text)
    while i < end:
        char = query_text[i]
        if char == ";":  # a comment, to the end of the line
            i = query_text.find("\n", i)
            i = end if i == -1 else i
            continue
        if char == '"':
            j = i + 1
            while j < end and query_text[j] != '"':
                j += 2 if query_text[j] == "\\" else 1
            if stack and stack[-1] == "#" and predicate is not None:
                predicate[2].append(query_text[i + 1 : j])
            closed = None  # an anonymous node ("open"): not a kind `fits` checks
            i = j + 1
            continue
        if char in "([":
            if not stack:
                current = Pattern()
                found.append(current)
            if query_text.startswith("(#", i):
                j = i + 2
                while j < end and not query_text[j].isspace() and query_text[j] not in "()":
                    j += 1
                predicate = (query_text[i + 2 : j], [], [])
                current.predicates.append((predicate[0], None, predicate[2]))
                stack.append("#")
                current.deepest = max(current.deepest, len(stack))
                i = j
                continue
            stack.append(char)
            current.deepest = max(current.deepest, len(stack))
            if char == "(":
                j = i + 1
                while j < end and (query_text[j].isalnum() or query_text[j] == "_"):
                    j += 1
                kind = query_text[i + 1 : j]
                kinds.append(kind if kind and kind != "_" else None)
        elif char in ")]":
            opened = stack.pop() if stack else ""
            if opened == "#" and predicate is not None:
                name, names, literals = predicate
                current.predicates[-1] = (name, names[0] if names else None, literals)
                predicate = None
            closed = kinds.pop() if opened == "(" and kinds else None
        elif char == "@":
            j = i + 1
            while j < end and (query_text[j].isalnum() or query_text[j] in "_.-"):
                j += 1
            name = query_text[i + 1 : j]
            if stack and stack[-1] == "#" and predicate is not None:
                predicate[1].append(name)
            else:
                level = sum(1 for kind in stack if kind == "(") + 1
                current.captures[name] = max(current.captures.get(name, 0), level)
                known = current.kinds.get(name, set())
                current.kinds[name] = None if known is None or closed is None else {*known, closed}
            i = j
            continue
        elif char in "?*+" and not (stack and stack[-1] == "#"):
            current.quantified = True
        i += 1
    return found


@cache
def heights(query_text: str, words: tuple[bytes, ...]) -> tuple[int, ...]:
    """For each word, how many levels above its occurrence a query run must start (0: its
    occurrences need no run, every match holds another word)."""
    texts = [word.decode() for word in words]
    need = [0] * len(words)
    floor = 0
    for pattern in patterns(query_text):
        covering = [
            (pattern.captures[capture], literals)
            for name, capture, literals in pattern.predicates
            if name in ("eq?", "any-of?") and capture in pattern.captures and literals
            and all(any(text in literal for text in texts) for literal in literals)
        ]
        if pattern.quantified or not covering:
            floor = max(floor, pattern.deepest + 1)
            continue
        for level, literals in covering:
            for index, text in enumerate(texts):
                if any(text in literal for literal in literals):
                    need[index] = max(need[index], level)  # level - 1 above the capture's node, +1 for a leaf
    return tuple(max(floor, n) for n in need)


# Node kinds that are tokens (no children): a node of one of these kinds holding exactly a
# literal's bytes is the deepest node there, so `fits` needs no climb to check its kind.
LEAF_KINDS = frozenset({"identifier", "property_identifier", "shorthand_property_identifier", "private_property_identifier", "statement_identifier", "string_fragment"})


@cache
def candidates(query_text: str, words: tuple[bytes, ...]) -> tuple[tuple[tuple[bytes, int, frozenset[str] | None], ...] | None, ...]:
    """For each word, where a match's node can sit around one of its occurrences: (literal, offset of
    the word in it, node kinds or None) for every covering literal holding the word; None when an
    occurrence can matter anywhere (some pattern is not covered, so any of its nodes may hold it).

    Sound because every match of a covered query has a capture whose text is one
    of its literals: the node of that capture spans exactly the literal's bytes.
    """
    texts = [word.decode() for word in words]
    found: list[list[tuple[bytes, int, frozenset[str] | None]]] = [[] for _ in words]
    for pattern in patterns(query_text):
        covering = [
            (capture, literals)
            for name, capture, literals in pattern.predicates
            if name in ("eq?", "any-of?") and capture in pattern.captures and literals
            and all(any(text in literal for text in texts) for literal in literals)
        ]
        if pattern.quantified or not covering:
            return tuple(None for _ in words)
        for capture, literals in covering:
            kinds = pattern.kinds.get(capture)
            checked = frozenset(kinds) if kinds and kinds <= LEAF_KINDS else None
            for index, text in enumerate(texts):
                for literal in literals:
                    offset = literal.find(text)
                    while offset != -1:
                        found[index].append((literal.encode(), offset, checked))
                        offset = literal.find(text, offset + 1)
    return tuple(tuple(dict.fromkeys(places)) for places in found)


def fits(root, node, source: bytes, start: int, end: int, places) -> bool:
    """Whether some node around the occurrence [start, end) can be a covered capture: it spans
    exactly one of the literals holding the word, and is of the capture's kind when that is a token.
    `node` is the deepest node holding the occurrence."""
    for literal, offset, kinds in places:
        first = start - offset
        last = first + len(literal)
        if first != start or last != end:
            if first < 0 or source[first:last] != literal:
                continue
            spot = root.descendant_for_byte_range(first, last)
        else:
            spot = node
        if spot.start_byte == first and spot.end_byte == last and (kinds is None or spot.type in kinds):
            return True
    return False

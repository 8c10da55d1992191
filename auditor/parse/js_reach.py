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

    __slots__ = ("captures", "deepest", "predicates", "quantified")

    def __init__(self) -> None:
        self.captures: dict[str, int] = {}  # name -> deepest level it names (the root is level 1)
        self.predicates: list[tuple[str, str | None, list[str]]] = []  # (name, first capture, literals)
        self.quantified = False
        self.deepest = 0  # its nesting depth, as `nesting` counts it


def patterns(query_text: str) -> list[Pattern]:
    """The query's top-level patterns: capture depths, predicates, whether any step is quantified."""
    found: list[Pattern] = []
    stack: list[str] = []  # "(" a node or group, "#" a predicate, "[" an alternation
    current = Pattern()
    predicate: tuple[str, list, list] | None = None
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
        elif char in ")]":
            if stack and stack.pop() == "#" and predicate is not None:
                name, names, literals = predicate
                current.predicates[-1] = (name, names[0] if names else None, literals)
                predicate = None
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

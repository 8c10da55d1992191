"""JavaScript parsed once per audit with tree-sitter, shared by every rule that reads scripts.

Script files and inline `<script>` bodies become `JsTree`s. tree-sitter
reports byte offsets; findings need code-point positions in the resource's
text, so `location` converts only the nodes that become findings: directly
for ASCII sources, through checkpoints every 64 KiB otherwise (exact on
minified one-line files and non-ASCII text alike).
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

from auditor.engine.location import Location
from auditor.engine.model import Resource
from auditor.engine.needs import provides
from auditor.engine.registry import Need
from auditor.parse.js_reach import candidates, fits, heights

JS_MIME_TYPES = frozenset({"application/javascript", "text/javascript", "application/ecmascript", "text/ecmascript", "application/x-javascript"})
JS_SUFFIXES = (".js", ".mjs", ".cjs")
CHECKPOINT_BYTES = 64 * 1024


class JsTree:
    """A script: its UTF-8 bytes, where they sit in the resource, and its tree (parsed on first use,
    so a file that holds none of the words any rule looks for is never parsed)."""

    __slots__ = ("_ascii", "_batch", "_budget", "_bytes_at", "_chars_at", "_matches", "_tree", "char_base", "inline", "resource", "source")

    def __init__(self, resource: Resource | None, source: bytes, tree=None, *, char_base: int = 0, inline: bool = False, budget: ParseBudget | None = None) -> None:
        self.resource = resource
        self.source = source
        self._tree = tree
        self._matches: dict[int, list] | None = None
        self._batch = None  # set by auditor.parse.js_pool: fills every script's matches at once, in workers
        self._budget = budget
        self.char_base = char_base  # character offset of the script in the resource's text
        self.inline = inline
        self._ascii = source.isascii()
        self._bytes_at: list[int] = []
        self._chars_at: list[int] = []

    @property
    def tree(self):
        if self._tree is None:
            self._tree = parser().parse(self.source)
            if self._budget is not None:
                self._budget.parsed(self)
        elif self._budget is not None:
            self._budget.used(self)
        return self._tree

    def drop_tree(self) -> None:
        if self._tree is not None and self._budget is not None:
            self._budget.forget(self)  # the budget must not keep the script (source, snapshots) alive
        self._tree = None

    def release(self) -> None:
        """Drop the source, tree and snapshots: the script's rules have run (see `Windows`)."""
        self.source, self._tree, self._matches, self._batch = b"", None, None, None
        self._bytes_at, self._chars_at = [], []

    @property
    def root(self):
        return self.tree.root_node

    def char_offset(self, byte_offset: int) -> int:
        """Code points before `byte_offset` in the script."""
        if self._ascii:
            return byte_offset
        if not self._bytes_at:
            self._build_checkpoints()
        i = bisect.bisect_right(self._bytes_at, byte_offset) - 1
        base = self._bytes_at[i]
        return self._chars_at[i] + len(self.source[base:byte_offset].decode("utf-8", "replace"))

    def _build_checkpoints(self) -> None:
        source, chars, previous = self.source, 0, 0
        self._bytes_at, self._chars_at = [0], [0]
        position = CHECKPOINT_BYTES
        while position < len(source):
            while position < len(source) and source[position] & 0xC0 == 0x80:
                position += 1  # never split a UTF-8 sequence
            chars += len(source[previous:position].decode("utf-8", "replace"))
            self._bytes_at.append(position)
            self._chars_at.append(chars)
            previous = position
            position += CHECKPOINT_BYTES

    def location(self, ctx, node) -> Location:
        """The node's range as a location in the resource (HTML for inline scripts)."""
        start = self.char_base + self.char_offset(node.start_byte)
        end = self.char_base + self.char_offset(node.end_byte)
        return ctx.text_location(self.resource, start, end)

    def text(self, node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")


class ParseBudget:
    """Keeps the trees of at most `limit` bytes of script source alive; the least recently used go.

    A tree-sitter tree takes about 55 times its source in memory, so holding every
    script's tree for the whole audit would grow with the app. An evicted tree is
    parsed again if a later rule needs it: time traded for a memory ceiling.
    """

    def __init__(self, limit: int) -> None:
        from collections import OrderedDict

        self.limit = limit
        self.alive: OrderedDict[int, JsTree] = OrderedDict()
        self.total = 0
        self.parses = 0

    def parsed(self, tree: JsTree) -> None:
        self.parses += 1
        self.alive[id(tree)] = tree
        self.total += len(tree.source)
        while self.total > self.limit and len(self.alive) > 1:
            _, oldest = self.alive.popitem(last=False)
            self.total -= len(oldest.source)
            oldest.drop_tree()

    def forget(self, tree: JsTree) -> None:
        if self.alive.pop(id(tree), None) is not None:
            self.total -= len(tree.source)

    def used(self, tree: JsTree) -> None:
        if id(tree) in self.alive:
            self.alive.move_to_end(id(tree))


@lru_cache(maxsize=1)
def language():
    """The JavaScript grammar, from its binding alone: the package's `__init__` imports importlib.resources
    (and with it tempfile and zipfile, ~10 ms) for query files never read here."""
    from tree_sitter import Language

    from auditor.engine.lazy import submodule

    try:
        binding = submodule("tree_sitter_javascript._binding")
    except ImportError:  # the wheel's layout changed: the package itself still has it
        import tree_sitter_javascript as binding
    return Language(binding.language())


@lru_cache(maxsize=1)
def parser():
    from tree_sitter import Parser

    return Parser(language())


def is_script(resource: Resource) -> bool:
    return resource.mime_type in JS_MIME_TYPES or (not resource.mime_type and resource.path.endswith(JS_SUFFIXES))


def budget(ctx) -> ParseBudget:
    return ctx.memo("js-parse-budget", lambda: ParseBudget(ctx.limits.max_parsed_script_bytes))


# Script files are read, queried and released in windows of about this many bytes of source, in
# input order: enough for the workers of `auditor.parse.js_pool` to share, bounded whatever the app.
# 20 MB of dense JS (benchmarks/bundle_audit.py, 2026-12-02): 327 MB peak RSS at 12 MB, 140 MB at 4 MB, same time.
WINDOW_BYTES = 4 * 1024**2


class Windows:
    """The script files of the input, in windows of consecutive files of about `WINDOW_BYTES`.

    The first script of a window asked for opens the window: its scripts are
    read and queried at once (in workers when it pays, see
    `auditor.parse.js_pool`); each script's trees are handed to its resource's
    scope and go when that scope closes, and the rest of a window goes when the
    next one opens. With workers, the next window is read as a window opens and
    its queries start in forked workers at once, so they run while the main
    process runs the rules of this one. So at most two windows' sources (and
    one window's snapshots) are alive in the main process, whatever the app.
    """

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.window_of: dict[int, int] = {}  # id(resource) -> window number
        self.members: list[list[Resource]] = []
        filled = WINDOW_BYTES
        for resource in ctx.bundle.resources.values():
            if not is_script(resource) or resource.size > ctx.limits.max_script_bytes:
                continue
            if filled >= WINDOW_BYTES:
                self.members.append([])
                filled = 0
            self.members[-1].append(resource)
            self.window_of[id(resource)] = len(self.members) - 1
            filled += resource.size
        self.current = -1
        self.pending: dict[int, list[JsTree]] = {}  # id(resource) -> trees of the open window not taken yet
        self.opened: list[JsTree] = []  # every tree of the open window
        self.ahead: tuple[int, list[list[JsTree]]] | None = None  # the next window, read and being queried in workers
        self.primed = False  # the first window was started ahead (or need not be)

    def take(self, resource: Resource) -> list[JsTree]:
        """The trees of one script file (none for what is not one, or too large)."""
        number = self.window_of.get(id(resource))
        if number is None:
            return []
        if number > self.current:
            self.open(number)
        elif id(resource) not in self.pending:  # read again out of order (a nested scope): alone, off the window
            return self.build([resource])
        return self.pending.pop(id(resource))

    def open(self, number: int) -> None:
        from auditor.parse.js_pool import Batch, jobs_wanted

        self.primed = True
        for tree in self.opened:
            if tree._batch is not None:
                tree._batch.close()  # never queried: no batch keeps the previous window (or its workers) alive
            tree._batch = None
        for trees in self.pending.values():
            for tree in trees:
                tree.release()
        self.current = number
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead[0] == number:
            built = ahead[1]  # its queries are running in workers (`Batch.ahead`), collected at the first one
        else:
            if ahead is not None:
                for tree in (tree for trees in ahead[1] for tree in trees if tree._batch is not None):
                    tree._batch.close()  # read ahead for a window not opened next (an out-of-order reader)
            built = [self.build([resource]) for resource in self.members[number]]
            Batch.attach([tree for trees in built for tree in trees], self.ctx.settings.jobs)
        if number + 1 < len(self.members) and jobs_wanted(self.ctx.settings.jobs) > 1:
            self.read_ahead(number + 1)
        self.pending = {}
        self.opened = []
        for resource, trees in zip(self.members[number], built, strict=True):
            self.pending[id(resource)] = trees
            self.opened += trees

    def read_ahead(self, number: int) -> None:
        """Read a window and start its queries in workers (`Batch.ahead`): they run while the main
        process runs the rules before it, collected at the first query on one of its scripts."""
        from auditor.parse.js_pool import Batch

        following = [self.build([resource], ahead=True) for resource in self.members[number]]
        Batch.ahead([tree for trees in following for tree in trees], self.ctx.settings.jobs)
        self.ahead = (number, following)

    def prime(self) -> None:
        """Start the first window in workers before any rule asks for a script (once, and only if
        no window was opened yet)."""
        from auditor.parse.js_pool import jobs_wanted

        if not self.primed and self.members and jobs_wanted(self.ctx.settings.jobs) > 1:
            self.read_ahead(0)
        self.primed = True

    def build(self, resources: list[Resource], *, ahead: bool = False) -> list[JsTree]:
        trees = []
        texts = self.ctx.session.texts
        for resource in resources:
            cached = texts.get(resource.path) is not None
            text = self.ctx.text(resource)
            if ahead and not cached:
                texts.drop(resource.path)  # the text cache serves the open window's rules: decoded again if one asks
            if text is not None:
                source = text.encode("utf-8")  # the decoded text, so offsets match the resource's positions
                trees.append(JsTree(resource, source, budget=budget(self.ctx)))
        return trees


def windows(ctx) -> Windows:
    return ctx.memo("js-windows", lambda: Windows(ctx))


@provides(Need.JS)
def _scripts_wanted(ctx) -> Windows:
    """A rule that reads scripts will run (the runner asks before any rule runs): with workers, the
    first window's queries start now, while the rules before the first script (pages, manifest) run."""
    found = windows(ctx)
    found.prime()
    return found


def script_files(ctx) -> Iterator[JsTree]:
    """Every script file of the input the limits allow (too large ones are AUD003's), each in its
    resource's scope while the caller reads it: nothing is kept once the iteration moves on."""
    for resource in list(ctx.bundle.resources.values()):
        if id(resource) in windows(ctx).window_of:
            with ctx.within(resource):
                yield from scripts(ctx)


def scripts(ctx) -> list[JsTree]:
    """The script files in scope (every one, one at a time, outside the engine's per-resource scope)."""
    scope = ctx.session.scope
    if scope is None:
        return list(script_files(ctx))
    if not is_script(scope):
        return []
    return ctx.local("js-trees", lambda: windows(ctx).take(scope))


def inline_scripts(ctx) -> Iterable[JsTree]:
    """Inline `<script>` bodies that are JavaScript (classic or module), positioned in their HTML."""

    def build() -> list[JsTree]:
        from auditor.parse.html import JS_SCRIPT_TYPES, inline_blocks, script_type

        trees = []
        for block in inline_blocks(ctx, "script"):
            if script_type(block.tag) not in JS_SCRIPT_TYPES or not block.text.strip():
                continue
            source = block.text.encode("utf-8")
            trees.append(JsTree(block.document.resource, source, char_base=block.offset, inline=True, budget=budget(ctx)))
        return batched(ctx, trees)

    return ctx.per_resource("js-inline-trees", build)


def batched(ctx, trees: list[JsTree]) -> list[JsTree]:
    """Let the first query on any of these scripts run the queries of all of them, in worker
    processes when the audit's `jobs` setting and the volume of script make it pay."""
    from auditor.parse.js_pool import Batch

    Batch.attach(trees, ctx.settings.jobs)
    return trees


def all_scripts(ctx) -> list[JsTree]:
    return [*scripts(ctx), *inline_scripts(ctx)]


def skipped_scripts(ctx) -> list[Resource]:
    """Script resources too large to parse: a rule claiming "no code does X" must say so."""
    cap = min(ctx.limits.max_text_resource_bytes, ctx.limits.max_script_bytes)
    return [r for r in ctx.resources() if is_script(r) and r.size > cap]


COMPILED: dict[str, object] = {}  # query text -> its compiled Query


def compiled(query_text: str):
    """A query compiled on first use and kept: compiling all of them costs more than a small audit."""
    query = COMPILED.get(query_text)
    if query is None:
        from tree_sitter import Query

        query = COMPILED[query_text] = Query(language(), query_text)
    return query


def matches(tree: JsTree, query_text: str, words: tuple[bytes, ...] | None = None):
    """(pattern index, captures) for each match of a tree-sitter query, in source order.

    `words` are byte strings every match must contain (an API or property name).
    A script holding none of them is not parsed at all; otherwise the query runs
    only around each occurrence (`around`) instead of over the whole tree: the
    same matches, found by the same parser, at a cost that follows the number of
    occurrences, not the size of the script.
    """
    from tree_sitter import QueryCursor

    query = compiled(query_text)
    if words is None:
        found = QueryCursor(query).matches(tree.root)
    else:
        spots = word_spots(tree.source, query_text, words)
        if not spots:
            return []
        found = around(tree.root, query, spots, tree.source)
    return sorted(found, key=match_start)


def match_start(match) -> int:
    return min(n.start_byte for nodes in match[1].values() for n in nodes)


def around(root, query, spots: list[tuple], source: bytes) -> list:
    """Matches of `query` that contain one of the byte ranges of `spots` (start, end, height,
    places), each found from the node `height` levels above the occurrence, limited to its bytes.

    A pattern's root is at most that far above the node holding the word
    (`auditor.parse.js_reach`), so this finds exactly the matches a whole-tree
    run finds that hold a word, while visiting a few nodes per occurrence: a
    whole-tree traversal of a 7 MB minified bundle costs about as much as its
    parse, whatever the query. An occurrence no covered capture can hold
    (`js_reach.fits`, when `places` is not None) is skipped before any climb.
    """
    from tree_sitter import QueryCursor

    unique: dict[tuple, tuple] = {}
    cursor = QueryCursor(query)
    for start, end, height, places in spots:
        node = root.descendant_for_byte_range(start, end)
        if places is not None and not fits(root, node, source, start, end, places):
            continue
        for _ in range(height):
            parent = node.parent
            if parent is None:
                break
            node = parent
        cursor.set_byte_range(start, end)
        for match in cursor.matches(node):
            key = (match[0], *((n.start_byte, n.end_byte) for nodes in match[1].values() for n in nodes))
            unique.setdefault(key, match)
    return list(unique.values())


def word_spots(source: bytes, query_text: str, words: tuple[bytes, ...], seen: dict[bytes, list[int]] | None = None) -> list[tuple]:
    """(start, end, height, places) of each occurrence of the query's words that can hold a match
    (`seen`: occurrences already found in this source, by word, shared by the queries of one script)."""
    spots: list[tuple] = []
    if seen is None:
        seen = {}
    if not any(positions(source, word, seen) for word in words):
        return spots  # the query's bounds (parsed from its text, ~1 ms a query) are read only where a word occurs
    for word, height, places in zip(words, heights(query_text, words), candidates(query_text, words), strict=True):
        if height:
            size = len(word)
            spots += [(start, start + size, height, places) for start in positions(source, word, seen)]
    return spots


def positions(source: bytes, word: bytes, seen: dict[bytes, list[int]] | None = None) -> list[int]:
    """Start of every occurrence of the word, in order (kept in `seen` when given: each word is
    searched once per script). A word holding another registered word, or sharing a longer
    part with others (`scan_plan`), is found from that one's occurrences: fewer passes over the source."""
    if seen is not None and word in seen:
        return seen[word]
    via = search_plan().get(word)
    if via is None:
        _UNPLANNED[0] += len(source)
        found = []
        position = source.find(word)
        while position != -1:
            found.append(position)
            position = source.find(word, position + 1)
    else:
        part, offset = via
        found = [p - offset for p in positions(source, part, seen) if p >= offset and source.startswith(word, p - offset)]
    if seen is not None:
        seen[word] = found
    return found


_PLAN: tuple[int, dict[bytes, tuple[bytes, int]]] = (-1, {})

# Bytes searched word by word before the plan is made (the occurrences are the same either way):
# building it costs ~4 ms, a pass ~1 us per KB, and it saves about a third of the passes, so it pays
# only past ~12 MB of passes. A small audit never builds it; a large one once its passes reach this,
# having lost at most ~3 ms of passes (a 3-file audit: 5 ms saved).
PLAN_AFTER_BYTES = 8 * 1024 * 1024
_UNPLANNED = [0]


def search_plan() -> dict[bytes, tuple[bytes, int]]:
    """The scan plan once the passes made without it reach `PLAN_AFTER_BYTES` (or it is built already); until then none."""
    if _PLAN[0] == len(REGISTERED) or _UNPLANNED[0] >= PLAN_AFTER_BYTES:
        return current_plan()
    return {}


def current_plan() -> dict[bytes, tuple[bytes, int]]:
    """The scan plan of every registered word (made again only when a query was registered since)."""
    global _PLAN
    if _PLAN[0] != len(REGISTERED):
        _PLAN = (len(REGISTERED), scan_plan(tuple(dict.fromkeys(word for _, words in REGISTERED for word in words))))
    return _PLAN[1]


@cache
def scan_plan(words: tuple[bytes, ...]) -> dict[bytes, tuple[bytes, int]]:
    """word -> (part, offset of the part in it) for words found from another's occurrences: three
    or more words sharing a part of 4+ bytes (`innerHTML`, `outerHTML`, `insertAdjacentHTML` from
    `HTML`), or a word holding a shorter registered one (`srcdoc` from `src`). Every occurrence of
    the word holds the part at that offset, so filtering the part's occurrences finds them all;
    a search costs about the same whatever the word, so fewer searches cost less (the 660-file
    app: 28 searches instead of 41, 0.30 s instead of 0.40 s)."""
    plan: dict[bytes, tuple[bytes, int]] = {}
    holding: dict[bytes, set[bytes]] = {}  # part -> the words holding it (not as the whole word)
    for word in words:
        for i in range(len(word)):
            for j in range(i + 4, len(word) + 1):
                if j - i < len(word):
                    holding.setdefault(word[i:j], set()).add(word)
    left = set(words)
    while True:
        best: tuple[bytes, set[bytes]] | None = None
        for part in sorted(holding):
            group = holding[part] & left
            if len(group) >= 3 and (best is None or (len(group), len(part)) > (len(best[1]), len(best[0]))):
                best = (part, group)
        if best is None:
            break
        part, group = best
        for word in group:
            plan[word] = (part, word.find(part))
        left -= group
    left = [word for word in words if word in left]
    for word in left:
        inner = [other for other in left if other != word and len(other) >= 3 and other in word and other not in plan]
        if inner:
            part = max(inner, key=len)
            plan[word] = (part, word.find(part))
    return plan


def literal_text(tree: JsTree, node) -> tuple[str | None, bool]:
    """(text, exact) of a string-ish node: a string literal exactly; a template or `+` chain by its
    literal prefix (enough to know the scheme); None for anything computed."""
    if node.type == "string":
        return tree.text(node)[1:-1], True
    if node.type == "template_string":
        text = tree.text(node)[1:-1]
        if not any(child.type == "template_substitution" for child in node.children):
            return text, True
        return text.split("${", 1)[0], False
    if node.type == "binary_expression" and node.child_count == 3 and tree.text(node.children[1]) == "+":
        left, _ = literal_text(tree, node.children[0])
        return (left, False) if left is not None else (None, False)
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return literal_text(tree, node.named_children[0])
    return None, False


def is_stringy(node) -> bool:
    """A string, a template, or a concatenation involving one: a plain string at run time."""
    if node.type in ("string", "template_string"):
        return True
    if node.type == "binary_expression" and node.child_count == 3 and node.children[1].type == "+":
        return is_stringy(node.children[0]) or is_stringy(node.children[2])
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return is_stringy(node.named_children[0])
    return False


# --- one pass for every registered query --------------------------------------------------------------

REGISTERED: list[tuple[str, tuple[bytes, ...]]] = []


ONLY_IF: dict[int, int] = {}  # handle -> the handle whose matches in the same script it needs to be run


def register_query(text: str, words: tuple[bytes, ...], *, only_if: int | None = None) -> int:
    """Declare a query (and the words each of its matches contains) at import time; returns its handle.

    Nothing is compiled here: a query is compiled the first time a script holds
    one of its words (`compiled`), so an audit pays only for the queries its
    scripts can match. `check_queries` compiles them all (the tests call it, so a
    syntax error never waits for a script to show). `only_if`: a query registered
    before, without whose matches in a script the rule ignores this one's, so it
    is not run there (assignments to `src` matter only on a script element).
    """
    REGISTERED.append((text, words))
    if only_if is not None:
        ONLY_IF[len(REGISTERED) - 1] = only_if
    return len(REGISTERED) - 1


def check_queries() -> int:
    """Compile every registered query (a syntax error raises); returns how many."""
    for text, _ in REGISTERED:
        compiled(text)
    return len(REGISTERED)


# A script of this size whose searches and queries after the parse are estimated at `SPLIT_MIN_SPOTS`
# occurrences' worth (~25 us each, so 0.1 s, ten times a fork's cost) is searched and queried by two
# processes once parsed (`snapshot_matches(split=True)`, in workers). The estimate, in occurrences: the
# occurrences found in a few samples, scaled; a search pass costs ~1 us per KB (`SEARCH_BYTES_PER_SPOT`
# bytes per occurrence), compiling a query ~15 ms (`COMPILE_SPOTS`); timed in-process on the 7 MB
# minified benchmark script.
SPLIT_MIN_BYTES = 1024**2
SPLIT_MIN_SPOTS = 4000
SAMPLES, SAMPLE_BYTES = 4, 64 * 1024
SEARCH_BYTES_PER_SPOT = 25_000
COMPILE_SPOTS = 600


def snapshot_matches(tree: JsTree, *, split: bool = False) -> dict[int, list]:
    """Every registered query's matches in one script, as snapshots, grouped by handle.

    Only queries whose words occur in the script run; a script holding none of
    them is never parsed. The result holds no tree-sitter object, so it can cross
    a process boundary (`auditor.parse.js_pool`) and outlive the tree. With
    `split` (the audit has workers), a large script dense in occurrences has half
    of its queries searched and run by a forked child once parsed, the tree
    shared: a large minified bundle's queries take half the time after its parse.
    """
    handles = list(range(len(REGISTERED)))
    groups = halves(tree.source) if split and len(tree.source) >= SPLIT_MIN_BYTES else None
    if groups is not None:
        _ = tree.root  # parsed before the fork: both processes read the same tree
        done = in_two(lambda: queried(tree, groups[0]), lambda: queried(tree, groups[1]))
        if done is not None:
            merged = {**done[0], **done[1]}
            return {handle: merged[handle] for handle in handles if handle in merged}  # the serial order
    return queried(tree, handles)


def queried(tree: JsTree, handles: list[int]) -> dict[int, list]:
    """The snapshots of these queries' matches (the script is parsed only if one of their words occurs)."""
    source = tree.source
    seen: dict[bytes, list[int]] = {}
    grouped: dict[int, list] = {}
    with collection_paused():
        for handle in handles:
            if handle in ONLY_IF and ONLY_IF[handle] not in grouped:
                continue  # what it needs did not match here (`halves` keeps the two in one process)
            text, words = REGISTERED[handle]
            spots = word_spots(source, text, words, seen)
            if not spots:
                continue
            found = sorted(around(tree.root, compiled(text), spots, source), key=match_start)
            if found:
                grouped[handle] = [
                    (pattern, {name: [Snap.of(n, Snap.DEPTH if name in INSPECTED else 0) for n in nodes] for name, nodes in captures.items()})
                    for pattern, captures in found
                ]
    return grouped


def halves(source: bytes) -> tuple[list[int], list[int]] | None:
    """The query handles in two groups of about the same work (largest first, each to the lighter
    group), estimated from their occurrences in a few samples of the script, their searches and
    their compiling; None when the estimate is below `SPLIT_MIN_SPOTS` (one process does it sooner)."""
    step = max(1, len(source) // SAMPLES)
    samples = [source[start : start + SAMPLE_BYTES] for start in range(0, len(source), step)][:SAMPLES]
    scale = len(source) / max(1, sum(len(sample) for sample in samples))
    plan = current_plan()
    loads: list[float] = []
    found: list[float] = []
    for handle, (text, words) in enumerate(REGISTERED):
        if handle in ONLY_IF and not found[ONLY_IF[handle]]:
            loads.append(0.0)  # what it needs has no occurrence in the samples: most likely not run
            found.append(0.0)
            continue
        spots = sum(len(word_spots(sample, text, words)) for sample in samples) * scale
        searches = len({plan.get(word, (word, 0))[0] for word in words}) * len(source) / SEARCH_BYTES_PER_SPOT
        loads.append(spots + searches + (COMPILE_SPOTS if spots and text not in COMPILED else 0))
        found.append(spots)
    if sum(loads) < SPLIT_MIN_SPOTS:
        return None
    units: dict[int, list[int]] = {}  # a query with the ones that need its matches (`only_if`): one process
    for handle in range(len(loads)):
        root = handle
        while root in ONLY_IF:
            root = ONLY_IF[root]
        units.setdefault(root, []).append(handle)
    groups: tuple[list[int], list[int]] = ([], [])
    totals = [0.0, 0.0]
    for unit in sorted(units.values(), key=lambda unit: -sum(loads[h] for h in unit)):
        lighter = 0 if totals[0] <= totals[1] else 1
        groups[lighter].extend(unit)
        totals[lighter] += sum(loads[h] for h in unit)
    return sorted(groups[0]), sorted(groups[1])


def in_two(first, second) -> tuple[dict, dict] | None:
    """(first(), second()): `first` in a forked child, `second` here at the same time; None when no
    child can be had or it fails (the caller then runs everything itself)."""
    import os
    import pickle

    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: its result down the pipe, then gone without any clean-up (os._exit)
        try:
            os.close(read_end)
            data = memoryview(pickle.dumps(first(), protocol=pickle.HIGHEST_PROTOCOL))
            while data:
                data = data[os.write(write_end, data):]
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        mine = second()
        parts = []
        while part := os.read(read_end, 1 << 20):
            parts.append(part)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(parts)), mine
    except Exception:  # the child died before sending all (killed, out of memory)
        return None


@contextmanager
def collection_paused():
    """The cyclic garbage collector off while snapshots are made (back on after, as it was).

    A dense minified script yields tens of thousands of snapshots, none in a cycle;
    every few hundred new objects the collector would otherwise scan all the
    objects that survived so far (40% of the snapshot time on the 7 MB benchmark).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def query_matches(tree: JsTree, handle: int) -> list:
    """Matches of one registered query in a script, in source order (all queries run on first use).

    Captured nodes are kept as `Snap`s (plain copies of the node and its near
    subtree), and the tree is dropped at once: every rule reads the same
    snapshots, so each script is parsed once per audit and at most one tree is
    in memory at a time, whatever the size of the app. Pattern indexes are the
    query's own (0 for its first pattern).
    """
    if tree._matches is None:
        batch = tree._batch
        if batch is not None:
            batch(tree)
        if tree._matches is None:
            tree._matches = snapshot_matches(tree)
            tree.drop_tree()
    return tree._matches.get(handle, [])


# Node kinds whose insides a rule may look at (string-ness, a policy call's callee, argument lists).
DESCEND = frozenset({"template_string", "binary_expression", "parenthesized_expression", "call_expression", "member_expression", "arguments", "new_expression"})
# Captures whose inside rules inspect (is it a string? made by a policy?); others only give a position.
INSPECTED = frozenset({"arg", "value", "url", "args", "method"})


class Snap:
    """A copy of a tree-sitter node (type, byte range, children to a bounded depth), free of its tree."""

    __slots__ = ("_fields", "children", "end_byte", "is_named", "start_byte", "type")
    DEPTH = 4   # enough for a literal, a short `+` chain, a policy call's callee
    WIDTH = 16

    def __init__(self, type_: str, start: int, end: int, is_named: bool, children: tuple, fields: dict) -> None:
        self.type, self.start_byte, self.end_byte, self.is_named = type_, start, end, is_named
        self.children, self._fields = children, fields

    @classmethod
    def of(cls, node, depth: int = DEPTH) -> Snap:
        children: tuple = ()
        fields: dict = {}
        if depth > 0 and node.child_count and node.type in DESCEND:
            kept = node.children[: cls.WIDTH]
            children = tuple(cls.of(child, depth - 1) for child in kept)
            for index in range(len(kept)):
                name = node.field_name_for_child(index)
                if name is not None and name not in fields:
                    fields[name] = children[index]
        return cls(node.type, node.start_byte, node.end_byte, node.is_named, children, fields)

    def __reduce__(self):
        # positional, not the default slots state: results of worker processes unpickle 3x faster
        return (Snap, (self.type, self.start_byte, self.end_byte, self.is_named, self.children, self._fields))

    @property
    def child_count(self) -> int:
        return len(self.children)

    @property
    def named_children(self) -> list:
        return [c for c in self.children if c.is_named]

    @property
    def named_child_count(self) -> int:
        return len(self.named_children)

    def child_by_field_name(self, name: str):
        return self._fields.get(name)

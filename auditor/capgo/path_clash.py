"""Where a file and a folder claim one path, as each updater writes the entries in turn.

Both updaters extract entry by entry into a fresh folder, in their view's order
(Android: the local-header stream; iOS: the central directory), and neither
checks what is already at a path before using it as the other kind:

* Android (`CapgoUpdater.unzip`, android/.../CapgoUpdater.java) resolves the
  name (`getCanonicalFile`), then ensures the folder (the entry itself for a
  name ending in `/`, else its parent) with `!dir.isDirectory() && !dir.mkdirs()`:
  `mkdirs` is false when a file is at that path or above it, so the update
  fails (`Failed to ensure directory`); a file entry then opens
  `FileOutputStream(file)`, which throws `FileNotFoundException` on a folder.
  Either is an `IOException`: `unzip_fail`, the whole update is dropped.
* iOS (`saveDownloaded` / `extractZipEntry`, ios/.../CapgoUpdater.swift)
  creates folders with `createDirectory(withIntermediateDirectories: true)`,
  which throws when the path or a parent of it is a file; a file or symlink
  entry first *removes* whatever is at its path (`removeItem`, a whole folder
  too), so a file after a folder of its name replaces that folder silently.

Both file systems are case-sensitive (Android's internal storage; APFS on iOS
since 10.3), so names are compared exactly, after resolving `.`, `..` and empty
segments as the updaters do. A symlink above an entry (iOS), or the root
itself, get no verdict.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from auditor.capgo.updater import lexical_segments

FOLDER, FILE, LINK = 0, 1, 2


class Clash(NamedTuple):
    """One entry that meets an earlier one of the other kind at `path`."""

    record: object       # the view's record of the entry (a `StreamEntry` or a `DirectoryEntry`)
    name: str
    earlier: str         # the entry that made `path` what it is
    path: str
    under_file: bool     # True: it needs a folder where a file is; False: it is a file where a folder is
    fails: bool          # False: iOS replaced the folder (and what the zip put in it) with the file


class Tree:
    """The extracted folder so far: nodes by (parent node, segment), each a plain tuple (kind, the
    entry that made it, parent node, segment), a third of a named tuple's cost. A replaced folder
    gets a new node: its old subtree just becomes unreachable (nothing is deleted, nothing is walked)."""

    __slots__ = ("children", "folders", "nodes")

    def __init__(self) -> None:
        self.nodes: list[tuple[int, str, int, str]] = [(FOLDER, "", 0, "")]
        self.children: dict[tuple[int, str], int] = {}
        self.folders: dict[str, int] = {"": 0}  # plain parent path -> its folder node (cleared when a folder is replaced)

    def add(self, parent: int, segment: str, kind: int, maker: str) -> int:
        node = len(self.nodes)
        self.nodes.append((kind, maker, parent, segment))
        self.children[parent, segment] = node
        return node

    def path(self, node: int) -> str:
        parts = []
        while node:
            _, _, node, segment = self.nodes[node]
            parts.append(segment)
        return "/".join(reversed(parts))

    def folder(self, raw: str, maker: str) -> int:
        """The folder node at the path `raw` (the cache key, as written in the zip), made as `maker`
        needs it; a negative value is `-1 - node` of what is in the way (a file or a symlink)."""
        node = self.folders.get(raw)
        if node is not None:
            return node
        node = 0
        for segment in segments_of(raw):
            child = self.children.get((node, segment))
            if child is None:
                child = self.add(node, segment, FOLDER, maker)
            elif self.nodes[child][0] != FOLDER:
                return -1 - child
            node = child
        self.folders[raw] = node
        return node


def segments_of(path: str) -> list[str]:
    """The path's segments as both updaters resolve them before touching the file system
    (`getCanonicalFile`, `standardizedFileURL`: `.` and empty segments dropped, `..` lexically;
    a name that climbs out is refused before this, OTA003)."""
    if not path:
        return []
    if path[0] != "." and "/." not in path and "//" not in path:
        return path.split("/")
    return lexical_segments(path)


def place(tree: Tree, record: object, name: str, kind: int, *, ios: bool) -> Clash | bool | None:
    """Write one entry into `tree` as that updater would: a `Clash`, None, or False for no verdict."""
    target = name.rstrip("/")
    raw, _, leaf = target.rpartition("/")
    if leaf in ("", ".", ".."):  # the leaf itself resolves elsewhere: the whole name, resolved
        segments = segments_of(target)
        if not segments:
            return False  # the root itself
        raw, leaf = "/".join(segments[:-1]), segments[-1]
    parent = tree.folder(raw, name)
    if parent < 0:
        kind_found, maker = tree.nodes[-1 - parent][:2]
        if kind_found == LINK:
            return False
        return Clash(record, name, maker, tree.path(-1 - parent), True, True)
    child = tree.children.get((parent, leaf))
    if child is None:
        tree.add(parent, leaf, kind, name)
        return None
    found, maker = tree.nodes[child][:2]
    if kind == FOLDER:
        if found == FILE:
            return Clash(record, name, maker, tree.path(child), True, True)
        return None if found == FOLDER else False
    if found == FOLDER:
        clash = Clash(record, name, maker, tree.path(child), False, not ios)
        if ios:  # `removeItem`, then the file (or link): a new node, the old subtree unreachable
            tree.add(parent, leaf, kind, name)
            tree.folders.clear()
            tree.folders[""] = 0
        return clash
    if ios and kind != found:
        tree.add(parent, leaf, kind, name)
    return None


def may_clash(names: Collection[str]) -> bool:
    """Whether some path could be both a file and a folder, from the names alone (False: no walk
    is needed). Conservative: any name with a `.`-led or empty segment says True, and so does a
    tree whose folders would cost more than a few times the names' bytes to list (very deep
    names: the ordered walk is linear, this listing is not). Names only: the caller says True
    itself for an entry whose type is not what its trailing `/` says."""
    text = "\n".join(names)
    if "//" in text or "/." in text or "\n." in text or text[:1] == ".":
        return True
    budget = 4 * len(text) + 4096
    folders: set[str] = set()
    for path in {name.rpartition("/")[0] for name in names}:  # a name ending in `/` gives itself
        while path and path not in folders:
            budget -= len(path)
            if budget < 0:
                return True
            folders.add(path)
            path = path.rpartition("/")[0]
    return not folders.isdisjoint(names)


def first_failure(entries: Iterable[tuple[object, str, int]], *, ios: bool) -> tuple[Clash | None, list[Clash]]:
    """The clash that stops the unzip (or None) and, before it, the folders iOS replaced with a file.

    `entries` are (record, name, FOLDER / FILE / LINK) in the updater's order, ending where the
    updater stops for another reason."""
    tree = Tree()
    replaced: list[Clash] = []
    folders, children, nodes = tree.folders, tree.children, tree.nodes
    for record, name, kind in entries:
        # the common entry, inline: a new leaf in a folder already met under the same plain name
        # (a leaf of `.` or `..`, or a name ending in `/`, takes `place`, which resolves it)
        raw, _, leaf = name.rpartition("/")
        parent = folders.get(raw)
        if parent is not None and leaf and leaf != "." and leaf != "..":
            node = len(nodes)
            if children.setdefault((parent, leaf), node) == node:
                nodes.append((kind, name, parent, leaf))
                continue
        clash = place(tree, record, name, kind, ios=ios)
        if clash:
            if clash.fails:
                return clash, replaced
            replaced.append(clash)
    return None, replaced

"""Whether git would ignore a path, from the project's `.gitignore` files (no git needed).

Follows gitignore(5): blank lines and `#` comments skipped, `\\` escapes, `!`
re-includes, a trailing `/` matches directories only, a pattern with a `/`
other than at its end is anchored to the file's folder, `*` and `?` stay
within a segment, `**` spans segments, `[...]` classes; the last matching
pattern wins, deeper `.gitignore` files win over shallower ones, and a file
inside an ignored directory stays ignored (git does not look inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MAX_GITIGNORE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: re.Pattern
    negated: bool
    directory_only: bool
    base: str  # folder of the .gitignore, relative to the project ("" for the root)
    text: str
    line: int
    source: str


def _translate(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif ch == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def parse(text: str, base: str, source: str) -> list[Pattern]:
    patterns = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        # trailing spaces are ignored unless escaped
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated or line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        body = _translate(line)
        regex = re.compile(("^" if anchored else "^(?:.*/)?") + body + "$", re.DOTALL)
        patterns.append(Pattern(regex, negated, directory_only, base, raw, number, source))
    return patterns


class Ignores:
    """Every `.gitignore` under a project root, asked one path at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[Pattern]] = {}

    def _patterns(self, folder: str) -> list[Pattern]:
        if folder not in self._cache:
            path = self.root / folder / ".gitignore" if folder else self.root / ".gitignore"
            patterns: list[Pattern] = []
            try:
                if path.is_file() and not path.is_symlink():
                    with open(path, "rb") as handle:
                        text = handle.read(MAX_GITIGNORE_BYTES).decode("utf-8", "replace")
                    patterns = parse(text, folder, (f"{folder}/" if folder else "") + ".gitignore")
            except OSError:
                patterns = []
            self._cache[folder] = patterns
        return self._cache[folder]

    def _match(self, rel: str, is_dir: bool) -> Pattern | None:
        """The last pattern that decides `rel` (None: no pattern mentions it)."""
        parts = rel.split("/")
        decided = None
        for depth in range(len(parts)):
            folder = "/".join(parts[:depth])
            inside = "/".join(parts[depth:])
            for pattern in self._patterns(folder):
                if pattern.directory_only and not is_dir:
                    continue
                if pattern.regex.match(inside):
                    decided = pattern
        return decided

    def ignored_by(self, rel: str) -> Pattern | None:
        """The pattern that makes git ignore this file (or one of its folders), or None."""
        parts = rel.split("/")
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            found = self._match(folder, True)
            if found is not None and not found.negated:
                return found
        found = self._match(rel, False)
        return found if found is not None and not found.negated else None

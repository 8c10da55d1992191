"""`iwa-audit-pre-commit [FILES...]`: the pre-commit hook's entry point.

pre-commit passes the changed files; auditing file by file would miss cross-file
rules, so each file is mapped to what to audit once: the configured `paths`
(those that exist yet; a fresh clone has no `dist/`), else the app folder that
holds the file (the nearest folder with `.well-known/manifest.webmanifest` or a
`capacitor.config.*`), else the file itself when it is a bundle or zip. With
nothing to audit it prints a hint to set `paths` and passes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.engine.config import ConfigError, find_config, load_config

APP_MARKERS = (".well-known/manifest.webmanifest", "capacitor.config.json", "capacitor.config.ts", "capacitor.config.js")
BUNDLE_SUFFIXES = (".swbn", ".wbn", ".zip")


def app_root(file: Path) -> Path | None:
    for folder in file.resolve().parents:
        if any((folder / marker).is_file() for marker in APP_MARKERS):
            return folder
    return None


def targets(files: Sequence[str], configured: Sequence[Path]) -> list[Path]:
    out = sys.stderr
    if configured:
        present = [p for p in configured if p.exists()]
        for missing in (p for p in configured if not p.exists()):
            out.write(f"iwa-audit: skipping {missing}: it does not exist yet (build it first to audit it)\n")
        return present
    found: dict[Path, None] = {}
    for name in files:
        path = Path(name)
        root = app_root(path)
        if root is not None:
            found[root] = None
        elif path.suffix.lower() in BUNDLE_SUFFIXES and path.is_file():
            found[path.resolve()] = None
    return list(found)


def main(argv: Sequence[str] | None = None) -> int:
    from auditor.cli import main as audit

    args = list(sys.argv[1:] if argv is None else argv)
    files = [a for a in args if not a.startswith("-") and Path(a).is_file()]  # pre-commit appends the changed files
    options = [a for a in args if a not in files]
    try:
        configured = load_config(find_config(Path.cwd())).paths()
    except ConfigError as error:
        sys.stderr.write(f"iwa-audit: configuration: {error}\n")
        return 2
    paths = targets(files, configured)
    if not paths and configured:
        return 0  # every configured path was skipped, with a note each
    if not paths:
        sys.stderr.write("iwa-audit: no app to audit among the changed files; set `paths` in [tool.iwa-audit] (pyproject.toml) or .iwa-audit.toml\n")
        return 0
    return max(audit([*options, str(path)]) for path in paths)


if __name__ == "__main__":
    sys.exit(main())

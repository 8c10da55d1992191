"""`python -m auditor.commands.docs [--check] [DIR]`: write or check the rule pages (docs/rules)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.engine.catalogue import all_rules
from auditor.rule_docs import DOCS_FOLDER, pages, stale_pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="iwa-audit docs", description="Write one Markdown page per rule (and an index) into DIR.")
    parser.add_argument("folder", nargs="?", type=Path, default=Path(DOCS_FOLDER), help=f"target folder (default: {DOCS_FOLDER})")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is missing or out of date")
    args = parser.parse_args(argv)
    rules = all_rules()
    if args.check:
        stale = stale_pages(args.folder, rules)
        for name in stale:
            sys.stderr.write(f"iwa-audit docs: {args.folder / name} is out of date\n")
        return 1 if stale else 0
    args.folder.mkdir(parents=True, exist_ok=True)
    for old in args.folder.glob("*.md"):
        old.unlink()
    for name, text in pages(rules).items():
        (args.folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

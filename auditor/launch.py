"""The console script's entry: answers `--version` before importing anything else.

A pre-commit hook or an editor may ask for the version on every run; argparse,
pathlib and the CLI module cost more than Python's own start-up, so the one
question that needs none of them is answered here.
"""

import sys  # and nothing else, not even `from __future__ import annotations` (a module to import)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from auditor import __version__

        sys.stdout.write(f"iwa-audit {__version__}\n")
        return 0
    from auditor.cli import main as cli_main

    return cli_main(args)

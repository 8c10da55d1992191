"""The `iwa-audit` command line.

`iwa-audit [PATH ...]` audits inputs into one report; `iwa-audit inspect FILE` prints the
verified facts of a bundle; `iwa-audit release ...` gates a release; `iwa-audit server`
is a language server for editors. Exit codes:
0 clean, 1 findings at or above --fail-level, 2 the input could not be audited
(or a usage error). Heavy modules are imported only after argument parsing so
`--version` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace

from auditor import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (as in auditor/__init__.py)
if TYPE_CHECKING:
    import argparse

SUBCOMMANDS = ("inspect", "release", "server")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE = 0, 1, 2
SUPPRESS = "==SUPPRESS=="  # argparse.SUPPRESS, without importing argparse (a test compares them)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        import argparse

        raise argparse.ArgumentTypeError(f"{value}: must be 1 or more")
    return number


def help_formatter() -> type:
    """argparse's own formatter, sized as it sizes itself but without importing shutil.

    argparse builds a formatter for every `add_argument` and each asks
    `shutil.get_terminal_size()`; importing shutil (and the bz2, lzma and zlib
    modules it imports) costs a pre-commit run a few ms for help it never shows.
    """
    import argparse

    class HelpFormatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
            super().__init__(prog, indent_increment, max_help_position, terminal_columns() - 2 if width is None else width)

    return HelpFormatter


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`: $COLUMNS, else the terminal on stdout, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="iwa-audit",
        formatter_class=help_formatter(),
        description=(
            "Audit an Isolated Web App (source folder, .wbn, .swbn, update manifest) or a "
            "Capacitor OTA update (zip, capacitor config, update response) against Chrome's "
            "IWA policy and OTA hygiene rules."
        ),
        epilog=(
            "subcommands: `iwa-audit inspect FILE` prints a bundle's verified facts; "
            "`iwa-audit release UPDATE_MANIFEST --bundles DIR` gates a release; "
            "`iwa-audit server` is a language server on stdio for editors. "
            "Exit codes: 0 clean, 1 findings at or above --fail-level, 2 input not auditable."
        ),
    )
    add_arguments(parser)
    return parser


def add_arguments(parser) -> None:
    """Every argument of the audit command (`parser`: an argparse parser, or `Defaults`)."""
    parser.add_argument("path", nargs="*", type=Path, help="inputs to audit, one merged report (default: the configuration's `paths`, else the current folder); `-` reads a bundle, zip or JSON from standard input")
    parser.add_argument("--version", action="version", version=f"iwa-audit {__version__}")
    parser.add_argument("-f", "--format", default="text", choices=("text", "json", "sarif", "github", "markdown"), help="report format (default: text); with --output it goes to the file; markdown only with --list-rules, which also takes json")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the --format report to FILE; the terminal shows text")
    parser.add_argument("--output-format", choices=("text", "json", "sarif", "github"), help=SUPPRESS)  # the old name of --format, kept for compatibility
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: the first .iwa-audit.toml, or pyproject.toml with [tool.iwa-audit], from the audited path up)")
    parser.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument("--select", action="append", metavar="RULES", help="only these rules: ids, id prefixes (SCR) or names, comma-separated")
    parser.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules: ids, prefixes or names")
    parser.add_argument("--fail-level", choices=("error", "warning", "note"), help="lowest level that makes the exit code 1 (default: warning)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings reach the fail level (report-only pipelines); unreadable input still exits 2")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="hide findings recorded in this baseline (matched by fingerprint, not line)")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="record the current findings as the baseline and exit 0")
    parser.add_argument("--no-ignores", action="store_true", help="show findings hidden by inline suppressions, per-path ignores and the baseline")
    parser.add_argument("--source-root", type=Path, metavar="DIR", help="map resources inside a .wbn/.swbn to the files they were built from (SARIF lands on repo files), and on through those files' source maps")
    parser.add_argument("--source-maps", type=Path, metavar="DIR", help="a folder of source maps the build did not ship (DIR/assets/index.js.map or DIR/index.js.map for /assets/index.js)")
    parser.add_argument("--no-source-maps", action="store_true", help="report findings in the built files only: no source maps, no HTML copies")
    parser.add_argument("--ignore-vendored", action="store_true", help="drop findings that a source map places in its ignoreList sources (vendored libraries)")
    parser.add_argument("--sarif-include-suppressed", action="store_true", help="keep suppressed findings in SARIF, with their justification")
    parser.add_argument("--sarif-category", metavar="NAME", help="SARIF automationDetails.id `NAME/` (one per audited app in a matrix); default: none, so upload-sarif's category applies")
    parser.add_argument("--sarif-omit-base", action="store_true", help="leave the absolute %%SRCROOT%% path out of SARIF (URIs stay repo-relative)")
    parser.add_argument("--max-results", type=int, metavar="N", help="report at most N findings (most severe first); the rest are counted in a notification")
    parser.add_argument("--expect-id", metavar="ID", help="the Web Bundle ID the app must have")
    parser.add_argument("--headers", type=Path, metavar="FILE", help="for a source folder: headers JSON (wbn --headerOverride shape) added to every response")
    parser.add_argument("--update-url", metavar="URL", help="URL the update manifest is served from (resolves relative `src`)")
    parser.add_argument("--checksum", metavar="HEX", help="OTA zip: the checksum the update server announces (SHA-256 hex; CRC32 is flagged)")
    parser.add_argument("--app-version", metavar="VERSION", help="OTA zip: the version this bundle is uploaded as")
    parser.add_argument("--previous-version", metavar="VERSION", help="OTA zip or update response: the version deployed now (lower is a downgrade)")
    parser.add_argument("--capacitor-config", type=Path, metavar="FILE", help="update response: the app's capacitor.config.{json,ts,js} (its publicKey decides what the response must carry)")
    parser.add_argument("--jobs", "-j", type=positive_int, metavar="N", help="worker processes for parsing scripts (default: the CPUs available; 1: serial; output is the same either way)")
    parser.add_argument("--limit", action="append", metavar="NAME=VALUE", help="raise or lower a resource limit, e.g. max_text_resource_bytes=128M (names: auditor/engine/limits.py, README)")
    parser.add_argument("--min-level", choices=("note", "warning", "error"), help="leave findings below this level out of every report (the exit code follows --fail-level over what is reported)")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead of the findings (with --format json/sarif/github: on stderr)")
    parser.add_argument("-q", "--quiet", action="store_true", help="text: only each input's summary line, nothing when clean")
    parser.add_argument("--no-progress", action="store_true", help="no progress line on the terminal for large inputs")
    parser.add_argument("--color", default="auto", choices=("auto", "always", "never"), help="colour in text output (default: auto: a terminal, unless NO_COLOR is set or TERM=dumb; FORCE_COLOR forces it)")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--explain", metavar="RULE", help="print a rule's documentation and exit")
    parser.add_argument("--debug", action="store_true", help="log tracebacks of crashed rules to stderr")


class Defaults:
    """What `add_arguments` declares, read the way argparse reads it: each option's destination and default.

    `iwa-audit PATH...` (what a pre-commit hook runs) needs no parsing: its
    namespace is these defaults and the paths. argparse's import, with gettext
    and locale, and the building of 40 arguments cost ~5 ms, more than a small
    audit's rules; `plain_paths` builds the same namespace without them (a test
    compares the two).
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.positional: tuple[str, Callable[[str], object]] | None = None
        self.understood = True  # False once an argument is declared in a way this reading does not know

    def add_argument(self, *flags: str, **options) -> None:
        action = options.get("action", "store")
        if not flags[0].startswith("-"):
            self.understood &= self.positional is None and options.get("nargs") == "*" and action == "store" and "default" not in options
            self.positional = (flags[0], options.get("type", str))
        elif action != "version":  # argparse gives --version no destination
            dest = options.get("dest") or next((f for f in flags if f.startswith("--")), flags[0]).lstrip("-").replace("-", "_")
            self.understood &= action in ("store", "store_true", "append") and not (isinstance(options.get("default"), str) and "type" in options)
            self.values[dest] = options.get("default", False if action == "store_true" else None)


def plain_paths(argv: Sequence[str]) -> SimpleNamespace | None:
    """The namespace `build_parser().parse_args(argv)` gives when every argument is a path (none
    starts with `-`, so none is an option, `--` or standard input), else None (argparse parses)."""
    if any(arg.startswith("-") for arg in argv):
        return None
    defaults = Defaults()
    add_arguments(defaults)
    if not defaults.understood or defaults.positional is None:
        return None
    name, convert = defaults.positional
    return SimpleNamespace(**{name: [convert(arg) for arg in argv]}, **defaults.values)


def list_rules_text() -> str:
    from auditor.engine.catalogue import all_rules

    return "".join(f"{r.id}  {r.level.label:<7}  {r.name:<40}  {r.summary}\n" for r in all_rules())


def list_rules_markdown() -> str:
    """The README's rule table (a test keeps README and this output identical)."""
    from auditor.engine.catalogue import all_rules

    rows = ["| id | name | level | what it reports |", "| --- | --- | --- | --- |"]
    escaped_bar = "\\|"
    rows += [f"| {r.id} | `{r.name}` | {r.level.label} | {r.summary.replace('|', escaped_bar)} |" for r in all_rules()]
    return "\n".join(rows) + "\n"


def list_rules_json() -> str:
    """Every rule as data: id, name, level, severity, tags, inputs, summary and docs page."""
    import json

    from auditor.engine.catalogue import all_rules
    from auditor.rule_docs import help_uri, security_severity

    rules = [
        {
            "id": r.id,
            "name": r.name,
            "level": r.level.label,
            "security_severity": security_severity(r),
            "precision": r.precision.value,
            "tags": list(r.tags),
            "inputs": sorted(k.value for k in r.inputs),
            "summary": r.summary,
            "help_uri": help_uri(r),
        }
        for r in all_rules()
    ]
    return json.dumps({"rules": rules}, indent=2, ensure_ascii=False) + "\n"


def explain(rule_ref: str) -> tuple[int, str]:
    from auditor.engine.catalogue import all_rules
    from auditor.engine.registry import matches

    found = [r for r in all_rules() if r.id == rule_ref.upper() or r.name == rule_ref] or [r for r in all_rules() if matches(r, rule_ref)]
    if len(found) != 1:
        return EXIT_INCOMPLETE, f"iwa-audit: no single rule matches {rule_ref!r}\n"
    r = found[0]
    return EXIT_CLEAN, f"{r.id} {r.name} (default level: {r.level.label})\n\n{r.summary}\n\n{r.docs}\n"


def subcommand(name: str) -> Callable[[Sequence[str]], int]:
    """The `main` of a subcommand, imported only when it runs."""
    if name == "inspect":
        from auditor.commands.inspect import main as command
    elif name == "server":
        from auditor.commands.server import main as command
    else:
        from auditor.commands.release import main as command
    return command


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return subcommand(argv[0])(argv[1:])
        args = plain_paths(argv)
        if args is None:
            args = build_parser().parse_args(argv)
        if args.list_rules:
            listing = {"markdown": list_rules_markdown, "json": list_rules_json}.get(args.format, list_rules_text)
            sys.stdout.write(listing())
            return EXIT_CLEAN
        if args.format == "markdown":
            sys.stderr.write("iwa-audit: --format markdown is for --list-rules\n")
            return EXIT_INCOMPLETE
        if args.explain:
            code, text = explain(args.explain)
            (sys.stdout if code == EXIT_CLEAN else sys.stderr).write(text)
            return code
        from auditor.commands.audit import run

        return run(args)
    except KeyboardInterrupt:
        sys.stderr.write("iwa-audit: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_INCOMPLETE
    except SystemExit as exc:  # argparse usage errors exit 2, --help/--version exit 0
        return int(exc.code or 0)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        sys.stderr.write(f"iwa-audit: internal error: {type(exc).__name__}: {exc} (please report; rerun with --debug)\n")
        return EXIT_INCOMPLETE

"""The `iwa-audit` command line.

`iwa-audit [PATH]` audits one input; `iwa-audit inspect FILE` prints the
verified facts of a bundle; `iwa-audit release ...` gates a release. Exit codes:
0 clean, 1 findings at or above --fail-level, 2 the input could not be audited
(or a usage error). Heavy modules are imported only after argument parsing so
`--version` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor import __version__

SUBCOMMANDS = {"inspect": "auditor.inspect", "release": "auditor.release"}
EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE = 0, 1, 2


def split_list(values: Sequence[str] | None) -> list[str]:
    """Accept both `--select A,B` and `--select A --select B`."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iwa-audit",
        description=(
            "Audit an Isolated Web App (source folder, .wbn, .swbn, update manifest) or a "
            "Capacitor OTA update (zip, capacitor config, update response) against Chrome's "
            "IWA policy and OTA hygiene rules."
        ),
        epilog=(
            "subcommands: `iwa-audit inspect FILE` prints a bundle's verified facts; "
            "`iwa-audit release UPDATE_MANIFEST --bundles DIR` gates a release. "
            "Exit codes: 0 clean, 1 findings at or above --fail-level, 2 input not auditable."
        ),
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), help="input to audit (default: current folder)")
    parser.add_argument("--version", action="version", version=f"iwa-audit {__version__}")
    parser.add_argument("-f", "--format", default="text", choices=("text", "json", "sarif"), help="output format (default: text)")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file instead of stdout")
    parser.add_argument("--select", action="append", metavar="RULES", help="only these rules: ids, id prefixes (SCR) or names, comma-separated")
    parser.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules: ids, prefixes or names")
    parser.add_argument("--fail-level", default="warning", choices=("error", "warning", "note"), help="lowest level that makes the exit code 1 (default: warning)")
    parser.add_argument("--expect-id", metavar="ID", help="the Web Bundle ID the app must have")
    parser.add_argument("--headers", type=Path, metavar="FILE", help="for a source folder: headers JSON (wbn --headerOverride shape) added to every response")
    parser.add_argument("--update-url", metavar="URL", help="URL the update manifest is served from (resolves relative `src`)")
    parser.add_argument("--checksum", metavar="HEX", help="OTA zip: the checksum the update server announces (SHA-256 hex; CRC32 is flagged)")
    parser.add_argument("--app-version", metavar="VERSION", help="OTA zip: the version this bundle is uploaded as")
    parser.add_argument("--previous-version", metavar="VERSION", help="OTA zip or update response: the version deployed now (lower is a downgrade)")
    parser.add_argument("--capacitor-config", type=Path, metavar="FILE", help="update response: the app's capacitor.config.{json,ts,js} (its publicKey decides what the response must carry)")
    parser.add_argument("--limit", action="append", metavar="NAME=VALUE", help="raise or lower a resource limit, e.g. max_text_resource_bytes=128M (names: auditor/limits.py, README)")
    parser.add_argument("--color", default="auto", choices=("auto", "always", "never"), help="colour in text output (default: auto; honours NO_COLOR)")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--explain", metavar="RULE", help="print a rule's documentation and exit")
    parser.add_argument("--debug", action="store_true", help="log tracebacks of crashed rules to stderr")
    return parser


def list_rules_text() -> str:
    from auditor.registry import all_rules

    return "".join(f"{r.id}  {r.level.label:<7}  {r.name:<40}  {r.summary}\n" for r in all_rules())


def explain(rule_ref: str) -> tuple[int, str]:
    from auditor.registry import all_rules, matches

    found = [r for r in all_rules() if r.id == rule_ref.upper() or r.name == rule_ref] or [r for r in all_rules() if matches(r, rule_ref)]
    if len(found) != 1:
        return EXIT_INCOMPLETE, f"iwa-audit: no single rule matches {rule_ref!r}\n"
    r = found[0]
    return EXIT_CLEAN, f"{r.id} {r.name} (default level: {r.level.label})\n\n{r.summary}\n\n{r.docs}\n"


def audit(args: argparse.Namespace) -> int:
    import logging

    from auditor.errors import InputError
    from auditor.findings import Level
    from auditor.limits import DEFAULT_LIMITS, parse_limit
    from auditor.readers import open_input
    from auditor.registry import RuleSet, all_rules, select_rules, unknown_selectors
    from auditor.reporters import renderer
    from auditor.reporters.text import use_color
    from auditor.runner import exit_code, input_error_report, run_rules

    if args.debug:
        logging.basicConfig(level=logging.DEBUG)
    rules = all_rules()
    select, ignore = split_list(args.select), split_list(args.ignore)
    unknown = unknown_selectors(rules, select + ignore)
    if unknown:
        sys.stderr.write(f"iwa-audit: unknown rule selector(s): {', '.join(unknown)} (see --list-rules)\n")
        return EXIT_INCOMPLETE
    ruleset = RuleSet(select_rules(rules, select, ignore))
    try:
        limits = DEFAULT_LIMITS.with_overrides(dict(parse_limit(item) for item in args.limit or ()))
    except ValueError as error:
        sys.stderr.write(f"iwa-audit: --limit: {error}\n")
        return EXIT_INCOMPLETE
    settings = {"expect_id": args.expect_id, "update_url": args.update_url}
    settings.update(checksum=args.checksum, app_version=args.app_version, previous_version=args.previous_version)
    if args.capacitor_config:
        from auditor.readers.capacitor import load_document

        try:
            settings["capacitor_config"] = load_document(args.capacitor_config)[0].value
        except (InputError, OSError) as error:
            reason = error.describe() if isinstance(error, InputError) else f"{args.capacitor_config}: {error.strerror or error}"
            sys.stderr.write(f"iwa-audit: --capacitor-config: {reason}\n")
            return EXIT_INCOMPLETE
    try:
        bundle = open_input(args.path, limits=limits, options={"headers_file": args.headers, "expect_id": args.expect_id})
    except InputError as error:
        report = input_error_report(args.path, error, ruleset)
    else:
        report = run_rules(bundle, ruleset, settings=settings, limits=limits)
    stream = sys.stdout
    text = renderer(args.format)(report, base=Path.cwd(), color=args.format == "text" and not args.output and use_color(args.color, stream))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        stream.write(text)
    if report.bundle is None:
        for note in report.notifications:
            sys.stderr.write(f"iwa-audit: {note.message}\n")
    return exit_code(report, Level.parse(args.fail_level))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            command = importlib.import_module(SUBCOMMANDS[argv[0]])
            return int(command.main(argv[1:]))
        args = build_parser().parse_args(argv)
        if args.list_rules:
            sys.stdout.write(list_rules_text())
            return EXIT_CLEAN
        if args.explain:
            code, text = explain(args.explain)
            (sys.stdout if code == EXIT_CLEAN else sys.stderr).write(text)
            return code
        return audit(args)
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

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
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor import __version__

SUBCOMMANDS = {"inspect": "auditor.commands.inspect", "release": "auditor.commands.release"}
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
    parser.add_argument("path", nargs="?", type=Path, help="input to audit (default: the configuration's `paths`, else the current folder)")
    parser.add_argument("--version", action="version", version=f"iwa-audit {__version__}")
    parser.add_argument("-f", "--format", default="text", choices=("text", "json", "sarif", "github", "markdown"), help="output format (default: text); markdown only with --list-rules")
    parser.add_argument("-o", "--output", type=Path, help="also write the report in --output-format to this file (text stays on the terminal)")
    parser.add_argument("--output-format", choices=("text", "json", "sarif", "github"), help="format of --output (default: --format)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: .iwa-audit.toml, else [tool.iwa-audit] in pyproject.toml, in the current folder)")
    parser.add_argument("--select", action="append", metavar="RULES", help="only these rules: ids, id prefixes (SCR) or names, comma-separated")
    parser.add_argument("--ignore", action="append", metavar="RULES", help="skip these rules: ids, prefixes or names")
    parser.add_argument("--fail-level", choices=("error", "warning", "note"), help="lowest level that makes the exit code 1 (default: warning)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings reach the fail level (report-only pipelines); unreadable input still exits 2")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="hide findings recorded in this baseline (matched by fingerprint, not line)")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="record the current findings as the baseline and exit 0")
    parser.add_argument("--no-ignores", action="store_true", help="show findings hidden by inline suppressions, per-path ignores and the baseline")
    parser.add_argument("--source-root", type=Path, metavar="DIR", help="map resources inside a .wbn/.swbn to the files they were built from (SARIF lands on repo files)")
    parser.add_argument("--sarif-include-suppressed", action="store_true", help="keep suppressed findings in SARIF, with their justification")
    parser.add_argument("--sarif-omit-base", action="store_true", help="leave the absolute %%SRCROOT%% path out of SARIF (URIs stay repo-relative)")
    parser.add_argument("--max-results", type=int, metavar="N", help="report at most N findings (most severe first); the rest are counted in a notification")
    parser.add_argument("--expect-id", metavar="ID", help="the Web Bundle ID the app must have")
    parser.add_argument("--headers", type=Path, metavar="FILE", help="for a source folder: headers JSON (wbn --headerOverride shape) added to every response")
    parser.add_argument("--update-url", metavar="URL", help="URL the update manifest is served from (resolves relative `src`)")
    parser.add_argument("--checksum", metavar="HEX", help="OTA zip: the checksum the update server announces (SHA-256 hex; CRC32 is flagged)")
    parser.add_argument("--app-version", metavar="VERSION", help="OTA zip: the version this bundle is uploaded as")
    parser.add_argument("--previous-version", metavar="VERSION", help="OTA zip or update response: the version deployed now (lower is a downgrade)")
    parser.add_argument("--capacitor-config", type=Path, metavar="FILE", help="update response: the app's capacitor.config.{json,ts,js} (its publicKey decides what the response must carry)")
    parser.add_argument("--limit", action="append", metavar="NAME=VALUE", help="raise or lower a resource limit, e.g. max_text_resource_bytes=128M (names: auditor/engine/limits.py, README)")
    parser.add_argument("--color", default="auto", choices=("auto", "always", "never"), help="colour in text output (default: auto; honours NO_COLOR)")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--explain", metavar="RULE", help="print a rule's documentation and exit")
    parser.add_argument("--debug", action="store_true", help="log tracebacks of crashed rules to stderr")
    return parser


def list_rules_text() -> str:
    from auditor.engine.registry import all_rules

    return "".join(f"{r.id}  {r.level.label:<7}  {r.name:<40}  {r.summary}\n" for r in all_rules())


def list_rules_markdown() -> str:
    """The README's rule table (a test keeps README and this output identical)."""
    from auditor.engine.registry import all_rules

    rows = ["| id | name | level | what it reports |", "| --- | --- | --- | --- |"]
    escaped_bar = "\\|"
    rows += [f"| {r.id} | `{r.name}` | {r.level.label} | {r.summary.replace('|', escaped_bar)} |" for r in all_rules()]
    return "\n".join(rows) + "\n"


def explain(rule_ref: str) -> tuple[int, str]:
    from auditor.engine.registry import all_rules, matches

    found = [r for r in all_rules() if r.id == rule_ref.upper() or r.name == rule_ref] or [r for r in all_rules() if matches(r, rule_ref)]
    if len(found) != 1:
        return EXIT_INCOMPLETE, f"iwa-audit: no single rule matches {rule_ref!r}\n"
    r = found[0]
    return EXIT_CLEAN, f"{r.id} {r.name} (default level: {r.level.label})\n\n{r.summary}\n\n{r.docs}\n"


def resolve_levels(rules, levels: dict) -> dict:
    """Configuration `levels` (by id or name) as {rule id: Level}."""
    from auditor.engine.findings import Level
    from auditor.engine.registry import matches

    out = {}
    for selector, level in levels.items():
        for r in rules:
            if matches(r, selector) or r.id == selector.upper():
                out[r.id] = Level.parse(level)
    return out


def audit(args: argparse.Namespace) -> int:
    import logging

    from auditor.engine.config import ConfigError, find_config, load_config
    from auditor.engine.errors import InputError
    from auditor.engine.findings import Level
    from auditor.engine.limits import DEFAULT_LIMITS, parse_limit
    from auditor.engine.registry import RuleSet, all_rules, select_rules, unknown_selectors
    from auditor.engine.runner import exit_code

    if args.debug:
        logging.basicConfig(level=logging.DEBUG)
    try:
        config = load_config(args.config if args.config else find_config(Path.cwd()))
    except ConfigError as error:
        sys.stderr.write(f"iwa-audit: configuration: {error}\n")
        return EXIT_INCOMPLETE
    rules = all_rules()
    select = split_list(args.select) or list(config.get("select", []))
    ignore = split_list(args.ignore) + list(config.get("ignore", []))
    unknown = unknown_selectors(rules, select + ignore + list(config.get("levels", {})) + [s for v in config.get("per-path-ignores", {}).values() for s in v])
    if unknown:
        sys.stderr.write(f"iwa-audit: unknown rule selector(s): {', '.join(unknown)} (see --list-rules)\n")
        return EXIT_INCOMPLETE
    ruleset = RuleSet(select_rules(rules, select, ignore), resolve_levels(rules, config.get("levels", {})))
    try:
        limits = DEFAULT_LIMITS.with_overrides(dict(parse_limit(item) for item in args.limit or ()))
    except ValueError as error:
        sys.stderr.write(f"iwa-audit: --limit: {error}\n")
        return EXIT_INCOMPLETE
    expect_id = args.expect_id or config.get("expect-id")
    settings = {"expect_id": expect_id, "update_url": args.update_url or config.get("update-url")}
    settings.update(checksum=args.checksum, app_version=args.app_version, previous_version=args.previous_version)
    if args.capacitor_config:
        from auditor.readers.capacitor_config import load_document

        try:
            settings["capacitor_config"] = load_document(args.capacitor_config)[0].value
        except (InputError, OSError) as error:
            reason = error.describe() if isinstance(error, InputError) else f"{args.capacitor_config}: {error.strerror or error}"
            sys.stderr.write(f"iwa-audit: --capacitor-config: {reason}\n")
            return EXIT_INCOMPLETE
    paths = [args.path] if args.path is not None else (config.paths() or [Path(".")])
    if len(paths) > 1 and (args.format in ("json", "sarif") or args.output):
        sys.stderr.write("iwa-audit: the configuration names several paths; JSON, SARIF and --output take one input: pass the path\n")
        return EXIT_INCOMPLETE
    fail_level = Level.parse(args.fail_level or config.get("fail-level", "warning"))
    headers = args.headers or config.path("headers")
    source_root = args.source_root or config.path("source-root")
    baseline = args.baseline or config.path("baseline")
    codes = []
    for path in paths:
        report = audit_one(path, ruleset, limits, settings, {"headers_file": headers, "expect_id": expect_id})
        try:
            judge(report, args, config, baseline)
        except ValueError as error:
            sys.stderr.write(f"iwa-audit: {error}\n")
            return EXIT_INCOMPLETE
        if args.write_baseline:
            from auditor.engine.suppressions import write_baseline

            count = write_baseline(report.findings, args.write_baseline)
            sys.stderr.write(f"iwa-audit: wrote {count} finding(s) to the baseline {args.write_baseline}\n")
            codes.append(EXIT_INCOMPLETE if report.incomplete else EXIT_CLEAN)
            continue
        cap(report, args.max_results)
        emit(report, args, source_root)
        code = exit_code(report, fail_level)
        codes.append(EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code)
    return max(codes)


def audit_one(path: Path, ruleset, limits, settings: dict, options: dict):
    from auditor.engine.errors import InputError
    from auditor.engine.runner import input_error_report, run_rules
    from auditor.readers import open_input

    try:
        bundle = open_input(path, limits=limits, options=options)
    except InputError as error:
        return input_error_report(path, error, ruleset)
    progress = Progress() if Progress.wanted(bundle) else None
    report = run_rules(bundle, ruleset, settings=settings, limits=limits, progress=progress)
    if progress is not None:
        progress.done()
    return report


def judge(report, args: argparse.Namespace, config, baseline: Path | None) -> None:
    """Apply what users already decided: per-path ignores, inline suppressions, the baseline."""
    from auditor.engine.findings import Finding
    from auditor.engine.suppressions import apply_baseline, apply_inline, apply_path_ignores

    if args.no_ignores or report.session is None:
        return
    findings = apply_path_ignores(report.findings, config.get("per-path-ignores", {}), report.rules)
    findings = apply_inline(findings, report.session)
    if baseline is not None and not args.write_baseline:
        findings = apply_baseline(findings, baseline)
    report.findings = sorted(findings, key=Finding.sort_key)


def cap(report, max_results: int | None) -> None:
    """Keep the N most severe findings; say how many were dropped (SARIF: a notification)."""
    from auditor.engine.findings import Level
    from auditor.engine.runner import Notification

    active = report.active()
    if max_results is None or len(active) <= max_results:
        return
    kept = set(map(id, sorted(active, key=lambda f: (-int(f.level), f.sort_key()))[: max(max_results, 0)]))
    dropped = len(active) - len(kept)
    report.findings = [f for f in report.findings if f.suppressed or id(f) in kept]
    message = f"{dropped} more finding(s) not reported (--max-results {max_results})"
    report.notifications.append(Notification(Level.WARNING, message))
    sys.stderr.write(f"iwa-audit: {message}\n")


def emit(report, args: argparse.Namespace, source_root: Path | None) -> None:
    from auditor.reporters import renderer
    from auditor.reporters.text import use_color

    stream = sys.stdout
    options = {"base": Path.cwd(), "source_root": source_root, "include_suppressed": args.sarif_include_suppressed, "absolute_root": not args.sarif_omit_base}
    if args.output:
        fmt = args.output_format or args.format
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(renderer(fmt)(report, color=False, **options), encoding="utf-8")
        if args.output_format and args.format != args.output_format:
            stream.write(renderer(args.format)(report, color=args.format == "text" and use_color(args.color, stream), **options))
    else:
        stream.write(renderer(args.format)(report, color=args.format == "text" and use_color(args.color, stream), **options))
    if report.bundle is None:
        for note in report.notifications:
            sys.stderr.write(f"iwa-audit: {note.message}\n")


class Progress:
    """A one-line rule counter on stderr for large bundles, on a terminal only."""

    THRESHOLD = 64 * 1024 * 1024

    @classmethod
    def wanted(cls, bundle) -> bool:
        return sys.stderr.isatty() and bundle.size >= cls.THRESHOLD and not os.environ.get("CI")

    def __call__(self, done: int, total: int, rule_id: str) -> None:
        sys.stderr.write(f"\riwa-audit: [{done}/{total}] {rule_id}   ")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 40 + "\r")
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            command = importlib.import_module(SUBCOMMANDS[argv[0]])
            return int(command.main(argv[1:]))
        args = build_parser().parse_args(argv)
        if args.list_rules:
            sys.stdout.write(list_rules_markdown() if args.format == "markdown" else list_rules_text())
            return EXIT_CLEAN
        if args.format == "markdown":
            sys.stderr.write("iwa-audit: --format markdown is for --list-rules\n")
            return EXIT_INCOMPLETE
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

"""`iwa-audit [PATH]`: build the settings and rule set from flags and configuration, run the
pipeline, and render the report.

Everything an audit does lives in `auditor.engine.pipeline.audit`; this module
only translates the command line into its arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from auditor.engine.catalogue import SelectionError, select
from auditor.engine.config import Config, ConfigError, find_config, load_config
from auditor.engine.errors import InputError
from auditor.engine.findings import Level
from auditor.engine.limits import DEFAULT_LIMITS, Limits, parse_limit
from auditor.engine.pipeline import audit
from auditor.engine.registry import RuleSet
from auditor.engine.runner import Notification, Report, exit_code
from auditor.engine.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE = 0, 1, 2


class UsageError(ValueError):
    """Flags or configuration that cannot be used; the message says which."""


def split_list(values: list[str] | None) -> list[str]:
    """Accept both `--select A,B` and `--select A --select B`."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def ruleset_from(args: argparse.Namespace, config: Config) -> RuleSet:
    selectors = split_list(args.select) or list(config.get("select", []))
    ignore = split_list(args.ignore) + list(config.get("ignore", []))
    per_path = [s for v in config.get("per-path-ignores", {}).values() for s in v]
    try:
        return select(selectors, ignore, config.get("levels", {}), extra_selectors=per_path)
    except SelectionError as error:
        raise UsageError(str(error)) from None


def limits_from(args: argparse.Namespace) -> Limits:
    try:
        return DEFAULT_LIMITS.with_overrides(dict(parse_limit(item) for item in args.limit or ()))
    except ValueError as error:
        raise UsageError(f"--limit: {error}") from None


def capacitor_config_from(path: Path | None) -> object:
    if path is None:
        return None
    from auditor.readers.capacitor_config import load_document

    try:
        return load_document(path)[0].value
    except (InputError, OSError) as error:
        reason = error.describe() if isinstance(error, InputError) else f"{path}: {error.strerror or error}"
        raise UsageError(f"--capacitor-config: {reason}") from None


def settings_from(args: argparse.Namespace, config: Config) -> Settings:
    return Settings(
        expect_id=args.expect_id or config.get("expect-id"),
        update_url=args.update_url or config.get("update-url"),
        headers_file=args.headers or config.path("headers"),
        checksum=args.checksum,
        app_version=args.app_version,
        previous_version=args.previous_version,
        capacitor_config=capacitor_config_from(args.capacitor_config),
        per_path_ignores=config.get("per-path-ignores", {}),
        baseline=None if args.write_baseline else (args.baseline or config.path("baseline")),
        apply_suppressions=not args.no_ignores,
        source_root=args.source_root or config.path("source-root"),
        source_maps=args.source_maps or config.path("source-maps"),
        map_sources=not args.no_source_maps,
        ignore_vendored=args.ignore_vendored or bool(config.get("ignore-vendored", False)),
        jobs=args.jobs,
    )


def discovery_start(args: argparse.Namespace) -> Path:
    """Where configuration discovery starts: the audited path when one is given, else the current folder."""
    if args.path is not None and str(args.path) != "-":
        return Path(args.path)
    return Path.cwd()


def run(args: argparse.Namespace) -> int:
    """The audit command: exit 0 clean, 1 findings at or above the fail level, 2 not auditable."""
    if args.debug:
        logging.basicConfig(level=logging.DEBUG)
    try:
        config = Config() if args.isolated else load_config(args.config if args.config else find_config(discovery_start(args)))
        ruleset = ruleset_from(args, config)
        limits = limits_from(args)
        settings = settings_from(args, config)
        fail_level = Level.parse(args.fail_level or config.get("fail-level", "warning"))
    except (ConfigError, UsageError) as error:
        prefix = "configuration: " if isinstance(error, ConfigError) else ""
        sys.stderr.write(f"iwa-audit: {prefix}{error}\n")
        return EXIT_INCOMPLETE
    paths = [args.path] if args.path is not None else (config.paths() or [Path(".")])
    if len(paths) > 1 and (args.format in ("json", "sarif") or args.output):
        sys.stderr.write("iwa-audit: the configuration names several paths; JSON, SARIF and --output take one input: pass the path\n")
        return EXIT_INCOMPLETE
    source_root = args.source_root or config.path("source-root")
    codes = []
    for path in paths:
        try:
            report = audit_with_progress(path, ruleset, settings, limits)
        except ValueError as error:  # an unreadable baseline
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


def audit_with_progress(path: Path, ruleset: RuleSet, settings: Settings, limits: Limits) -> Report:
    """Run the pipeline, with a progress line on a terminal for large inputs."""
    progress = Progress() if Progress.wanted(path) else None
    try:
        return audit(path, rules=ruleset, settings=settings, limits=limits, progress=progress)
    finally:
        if progress is not None:
            progress.done()


def cap(report: Report, max_results: int | None) -> None:
    """Keep the N most severe findings; say how many were dropped (SARIF: a notification)."""
    active = report.active()
    if max_results is None or len(active) <= max_results:
        return
    kept = set(map(id, sorted(active, key=lambda f: (-int(f.level), f.sort_key()))[: max(max_results, 0)]))
    dropped = len(active) - len(kept)
    report.findings = [f for f in report.findings if f.suppressed or id(f) in kept]
    message = f"{dropped} more finding(s) not reported (--max-results {max_results})"
    report.notifications.append(Notification(Level.WARNING, message))
    sys.stderr.write(f"iwa-audit: {message}\n")


def emit(report: Report, args: argparse.Namespace, source_root: Path | None) -> None:
    from auditor.reporters import renderer
    from auditor.reporters.text import use_color

    stream = sys.stdout
    options = {"base": Path.cwd(), "source_root": source_root, "include_suppressed": args.sarif_include_suppressed, "absolute_root": not args.sarif_omit_base, "sarif_category": args.sarif_category}
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
    """A one-line rule counter on stderr for large inputs, on a terminal only."""

    THRESHOLD = 64 * 1024 * 1024

    @classmethod
    def wanted(cls, path: Path) -> bool:
        if not sys.stderr.isatty() or os.environ.get("CI"):
            return False
        try:
            return path.is_file() and path.stat().st_size >= cls.THRESHOLD
        except OSError:
            return False

    def __call__(self, done: int, total: int, rule_id: str) -> None:
        sys.stderr.write(f"\riwa-audit: [{done}/{total}] {rule_id}   ")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 40 + "\r")
        sys.stderr.flush()

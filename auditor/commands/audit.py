"""`iwa-audit [PATH ...]`: build the settings and rule set from flags and configuration, run the
pipeline, and render the report.

Everything an audit does lives in `auditor.engine.pipeline.audit`; this module
only translates the command line into its arguments.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

from auditor.engine.catalogue import SelectionError, select
from auditor.engine.config import Config, ConfigError, find_config, load_config
from auditor.engine.errors import InputError
from auditor.engine.findings import Level
from auditor.engine.limits import DEFAULT_LIMITS, Limits, parse_limit
from auditor.engine.pipeline import audit
from auditor.engine.record import replace
from auditor.engine.registry import RuleSet
from auditor.engine.runner import Notification, Report, exit_code
from auditor.engine.settings import Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (as in auditor/__init__.py)
if TYPE_CHECKING:
    import argparse  # only annotations: `iwa-audit PATH...` gets its namespace without argparse (auditor.cli.plain_paths)

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
    """Where configuration discovery starts: the first audited path when one is given, else the current folder."""
    paths = [p for p in args.path or () if str(p) != STDIN]
    return Path(paths[0]) if paths else Path.cwd()


STDIN = "-"


def run(args: argparse.Namespace) -> int:
    """The audit command: exit 0 clean, 1 findings at or above the fail level, 2 not auditable."""
    if args.debug:
        import logging  # only for --debug: ~10 ms otherwise paid by every pre-commit run

        logging.basicConfig(level=logging.DEBUG)
    try:
        config = Config() if args.isolated else load_config(args.config if args.config else find_config(discovery_start(args)))
        ruleset = ruleset_from(args, config)
        limits = limits_from(args)
        settings = settings_from(args, config)
        fail_level = Level.parse(args.fail_level or config.get("fail-level", "warning"))
        min_level = Level.parse(args.min_level) if args.min_level else None
    except (ConfigError, UsageError) as error:
        prefix = "configuration: " if isinstance(error, ConfigError) else ""
        sys.stderr.write(f"iwa-audit: {prefix}{error}\n")
        return EXIT_INCOMPLETE
    paths = list(args.path) if args.path else (config.paths() or [Path(".")])
    if sum(1 for p in paths if str(p) == STDIN) > 1:
        sys.stderr.write("iwa-audit: `-` (standard input) can be given once\n")
        return EXIT_INCOMPLETE
    source_root = args.source_root or config.path("source-root")
    with contextlib.ExitStack() as cleanup:  # a scratch folder only for `-`: an audit writes nothing otherwise
        scratch = None
        if STDIN in map(str, paths):
            import tempfile  # imported only when standard input needs the scratch folder

            scratch = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="iwa-audit-")))
        reports = []
        for path in paths:
            try:
                reports.append(audit_one(path, ruleset, settings, limits, scratch, progress=not args.no_progress))
            except ValueError as error:  # an unreadable baseline, or standard input over the limit
                sys.stderr.write(f"iwa-audit: {error}\n")
                return EXIT_INCOMPLETE
        if args.write_baseline:
            from auditor.engine.suppressions import write_baseline

            count = write_baseline([f for r in reports for f in r.findings], args.write_baseline)
            sys.stderr.write(f"iwa-audit: wrote {count} finding(s) to the baseline {args.write_baseline}\n")
            return EXIT_INCOMPLETE if any(r.incomplete for r in reports) else EXIT_CLEAN
        if min_level is not None:
            for report in reports:
                keep_from(report, min_level)
        cap(reports, args.max_results)
        emit(reports, args, source_root)
    codes = [exit_code(report, fail_level) for report in reports]
    return max(EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code for code in codes)


def audit_one(path: Path, ruleset: RuleSet, settings: Settings, limits: Limits, scratch: Path | None, *, progress: bool) -> Report:
    """Audit one path; `-` is standard input, copied to a scratch file and reported as `-`."""
    if str(path) != STDIN:
        report = audit_with_progress(path, ruleset, settings, limits, progress=progress)
        hint_bundle_in_folder(path, report)
        return report
    assert scratch is not None
    copy = scratch / "stdin"
    read_stdin(copy, limits.max_input_bytes)
    report = audit(copy, rules=ruleset, settings=settings, limits=limits)
    report.source = Path(STDIN)
    scrub = str(copy)  # messages name the scratch copy; the user gave `-`
    report.findings = [replace(f, message=f.message.replace(scrub, STDIN)) for f in report.findings]
    report.notifications = [replace(n, message=n.message.replace(scrub, STDIN)) for n in report.notifications]
    return report


def read_stdin(target: Path, limit: int) -> None:
    """Copy standard input to `target`, refusing more than `limit` bytes (the whole-input limit)."""
    stream = sys.stdin.buffer
    written = 0
    with open(target, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                raise ValueError(f"-: standard input is larger than max_input_bytes ({limit} bytes)")
            out.write(chunk)


NO_APP_RULES = ("AUD001", "MAN001")


def hint_bundle_in_folder(path: Path, report: Report) -> None:
    """A folder with no manifest that holds a built bundle (a Vite `dist/` after the webbundle plugin ran): name it."""
    if not any(f.rule_id in NO_APP_RULES for f in report.findings) or not path.is_dir():
        return
    try:
        bundles = sorted(p for p in path.iterdir() if p.suffix in (".swbn", ".wbn") and p.is_file())
    except OSError:
        return
    if bundles:
        sys.stderr.write(f"iwa-audit: hint: {path} holds no app manifest; did you mean {bundles[0]}?\n")


def keep_from(report: Report, min_level: Level) -> None:
    """--min-level: leave findings below it out of the report (incomplete-audit diagnostics always stay)."""
    from auditor.engine.diagnostics import INCOMPLETE_RULE_IDS

    report.findings = [f for f in report.findings if f.level >= min_level or f.rule_id in INCOMPLETE_RULE_IDS]


def audit_with_progress(path: Path, ruleset: RuleSet, settings: Settings, limits: Limits, *, progress: bool = True) -> Report:
    """Run the pipeline, with a progress line on a terminal for large inputs."""
    line = Progress(path) if progress and Progress.wanted(path) else None
    try:
        return audit(path, rules=ruleset, settings=settings, limits=limits, progress=line)
    finally:
        if line is not None:
            line.done()


def cap(reports: list[Report], max_results: int | None) -> None:
    """Keep the N most severe findings over every input; say how many were dropped (SARIF: a notification)."""
    active = [(f, r) for r in reports for f in r.active()]
    if max_results is None or len(active) <= max_results:
        return
    ranked = sorted(active, key=lambda pair: (-int(pair[0].level), pair[0].sort_key()))
    kept = {id(f) for f, _ in ranked[: max(max_results, 0)]}
    dropped = len(active) - len(kept)
    for report in reports:
        report.findings = [f for f in report.findings if f.suppressed or id(f) in kept]
    message = f"{dropped} more finding(s) not reported (--max-results {max_results})"
    reports[0].notifications.append(Notification(Level.WARNING, message))
    sys.stderr.write(f"iwa-audit: {message}\n")


def statistics(reports: list[Report]) -> str:
    """--statistics: findings per rule id, most frequent first (like ruff), then the total."""
    counts: Counter[tuple[str, str]] = Counter((f.rule_id, f.rule_name) for r in reports for f in r.active())
    width = len(str(max(counts.values(), default=0)))
    lines = [f"{n:>{width}}  {rule_id}  {name}" for (rule_id, name), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    total = sum(counts.values())
    lines.append(f"{total} finding{'s' if total != 1 else ''}" if total else "no findings")
    return "\n".join(lines) + "\n"


def emit(reports: list[Report], args: argparse.Namespace, source_root: Path | None) -> None:
    """--format on stdout; with --output, that format in the file and text on the terminal."""
    from auditor.reporters import renderer
    from auditor.reporters.text import use_color

    stream = sys.stdout
    options = {"base": Path.cwd(), "source_root": source_root, "include_suppressed": args.sarif_include_suppressed, "absolute_root": not args.sarif_omit_base, "sarif_category": args.sarif_category, "quiet": args.quiet}
    fmt = args.output_format or args.format  # --output-format: the old name of --format
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(renderer(fmt)(reports, color=False, **options), encoding="utf-8")
        fmt = args.format if args.output_format and args.format != args.output_format else "text"
    if args.statistics and fmt == "text":
        stream.write(statistics(reports))
    else:
        shown = [r for r in reports if r.bundle is not None] if fmt == "text" else reports  # text: errors go to stderr only
        stream.write(renderer(fmt)(shown, color=fmt == "text" and use_color(args.color, stream), **options))
        if args.statistics:
            sys.stderr.write(statistics(reports))
    for report in reports:
        if report.bundle is None:
            for message in input_errors(report):
                sys.stderr.write(f"iwa-audit: {message}\n")


def input_errors(report: Report) -> list[str]:
    """One `PATH: reason` line per input that could not be read (the reason may already name the path)."""
    source = str(report.source)
    lines = []
    for note in report.notifications:
        message = note.message
        doubled = f"{source}: {source}"
        lines.append(message[len(source) + 2 :] if message.startswith(doubled) else message)
    return lines


class Progress:
    """A one-line counter on stderr for large inputs, on a terminal only: the input and the rule at work."""

    THRESHOLD = 64 * 1024 * 1024

    def __init__(self, path: Path | None = None) -> None:
        self.name = path.name if path is not None else ""
        self.width = 0
        self.rule = ""
        self.shown = 0.0
        self.named = False

    @classmethod
    def wanted(cls, path: Path) -> bool:
        if not sys.stderr.isatty() or os.environ.get("CI"):
            return False
        try:
            return path.is_file() and path.stat().st_size >= cls.THRESHOLD
        except OSError:
            return False

    def __call__(self, done: int, total: int, rule_id: str) -> None:
        self.rule = f"[{done}/{total}] {rule_id}"
        self.named = False  # the first resource this rule reads is always shown
        self.show("")

    def reading(self, resource: str) -> None:
        """The runner names each resource as a rule reads its text: say which, at most 10 times a second."""
        if not self.named or time.monotonic() - self.shown >= 0.1:
            self.named = True
            self.show(resource)

    def show(self, resource: str) -> None:
        self.shown = time.monotonic()
        line = f"iwa-audit: {self.name} {self.rule} {resource}".rstrip()[:200]
        self.width = max(self.width, len(line))
        sys.stderr.write("\r" + line.ljust(self.width))
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * max(self.width, 40) + "\r")
        sys.stderr.flush()

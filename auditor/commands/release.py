"""`iwa-audit release`: the release gate across an update manifest and the bundles it lists.

What Chrome checks one update at a time, on users' machines, checked here for
every version at once before publishing: each `src` has a local bundle (its URL
path relative to the update manifest, under `--bundles DIR`), Chrome would
install every bundle (`auditor.chrome.install_verdict`, the verdict the audit
and `inspect` use) and the BND and SIG rules find no error in it, every bundle
carries the same Web Bundle ID (key continuity: an update signed for another ID
is refused), each bundle's manifest `version` equals its entry, and no channel
offers less than `--previous-version` (Chrome never downgrades, so those users
would simply stop getting updates).

Exit codes follow the README: 0 every check passes, 1 a check fails, 2 an
input (the update manifest or a bundle) cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from auditor.chrome.version import IwaVersion, VersionError, parse_version


@dataclass
class Check:
    """One version's result: the bundle it maps to and what is wrong with it."""

    version: str
    src: str | None
    bundle: str | None = None
    web_bundle_id: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # BND/SIG warnings and notes: shown, never failing
    unreadable: bool = False


@dataclass
class BundleFacts:
    """What the gate needs from one bundle, read and judged once."""

    web_bundle_id: str | None
    version: str | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: bool = False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iwa-audit release",
        description="Gate a release: map an update manifest's versions to local .swbn files and check signatures, "
        "Web Bundle ID continuity, manifest versions and downgrades. Or check one bundle against --previous-version.",
        epilog="Exit codes: 0 every check passes, 1 a check fails, 2 an input could not be read.",
    )
    parser.add_argument("input", type=Path, help="update manifest JSON (with --bundles), or a single .swbn")
    parser.add_argument("--bundles", type=Path, metavar="DIR", help="folder holding the bundles: each `src` maps to DIR/<its URL path relative to the update manifest>")
    parser.add_argument("--update-url", metavar="URL", help="where the update manifest is served (resolves relative `src`)")
    parser.add_argument("--previous-version", metavar="V", help="the version users have now: nothing may offer less")
    parser.add_argument("--expect-id", metavar="ID", help="the Web Bundle ID every bundle must carry")
    parser.add_argument("-f", "--format", default="text", choices=("text", "json"))
    return parser


def bundle_facts(path: Path) -> BundleFacts:
    """One bundle: Chrome's install verdict, the BND and SIG findings, its ID and manifest version."""
    from auditor.chrome.install_verdict import install_verdict
    from auditor.chrome.manifest import load_manifest
    from auditor.engine.catalogue import select
    from auditor.engine.context import AuditSession, Context
    from auditor.engine.errors import InputError
    from auditor.engine.findings import Level
    from auditor.engine.pipeline import audit, read

    try:
        bundle = read(path)
    except InputError as error:
        return BundleFacts(None, None, [f"unreadable: {error.describe()}"], unreadable=True)
    if not bundle.is_bundle:
        raise InputError(f"{path} is a {bundle.kind.value}, not a bundle (an update manifest needs --bundles DIR)")
    verdict = install_verdict(bundle)
    facts = BundleFacts(bundle.integrity.web_bundle_id if bundle.integrity else None, None)
    facts.problems += [f"Chrome refuses to install it: {r}" for r in verdict.refusals]
    refused = {(r.rule_id, r.message) for r in verdict.refusals}
    report = audit(path, rules=select(["BND", "SIG"]), bundle=bundle)
    for finding in report.active():
        if (finding.rule_id, finding.message) in refused:
            continue
        target = facts.problems if finding.level is Level.ERROR else facts.notes
        target.append(f"{finding.rule_id} {finding.level.label}: {finding.message}")
    manifest = load_manifest(Context(AuditSession(bundle)))
    version = manifest.data.get("version") if manifest is not None and manifest.document is not None else None
    facts.version = version if isinstance(version, str) else None
    return facts


def local_bundle(src: str, update_url: str | None, folder: Path) -> Path | str:
    """The file under `folder` at `src`'s URL path relative to the update manifest, or why there is none.

    `https://u.example/app/v1.2.0/app.swbn` with the manifest at
    `https://u.example/app/update.json` is `folder/v1.2.0/app.swbn`. Without
    `--update-url` only relative `src` values can be placed. Never a path
    outside `folder` (dot segments, encoded or not, and symlinks out are refused).
    """
    parts = urlsplit(src)
    if update_url is not None:
        base = urlsplit(urljoin(update_url, "./"))
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(base.path):
            return f"`src` {src} is not under the update manifest's folder {urlunsplit((*base[:3], '', ''))}"
        relative = parts.path[len(base.path):]
    elif parts.scheme or parts.netloc or parts.path.startswith("/"):
        return f"`src` {src} is absolute: pass --update-url (where the update manifest is served) to map it to a file under {folder}"
    else:
        relative = parts.path
    segments = [s for s in unquote(relative).split("/") if s != "."]  # `./app.swbn` is `app.swbn`
    if not segments or any(s in ("", "..") or "\\" in s or "\0" in s for s in segments):
        return f"`src` {src} does not name a file under {folder} (path `{unquote(relative)}`)"
    candidate = folder.joinpath(*segments)
    try:
        inside = candidate.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside or not candidate.is_file():
        return f"no bundle {candidate} for `src` {src}"
    return candidate


def check_manifest(args: argparse.Namespace) -> tuple[list[Check], list[str]]:
    from auditor.chrome.update_manifest import read_entries, whole_manifest_problems
    from auditor.engine.errors import InputError
    from auditor.engine.limits import DEFAULT_LIMITS
    from auditor.engine.settings import Settings
    from auditor.readers import json_document as documents

    bundle = documents.read(args.input, limits=DEFAULT_LIMITS, settings=Settings())
    value = bundle.document.value  # type: ignore[union-attr]
    general = [reason for _, reason in whole_manifest_problems(value)]
    if general:
        raise InputError("; ".join(general), where=str(args.input))
    checks, ids = [], {}
    mapped: dict[Path, Check] = {}
    entries = read_entries(value, args.update_url)
    for entry in entries:
        check = Check(str(entry.raw.get("version")), entry.src)
        checks.append(check)
        if entry.version is None:
            check.problems.append(f"Chrome skips this entry: {entry.version_problem}")
            continue
        if entry.src is None:
            check.problems.append("Chrome skips this entry: no `src`")
            continue
        path = local_bundle(entry.src, args.update_url, args.bundles)
        if isinstance(path, str):
            check.problems.append(path)
            continue
        key = path.resolve()
        if key in mapped:
            first = mapped[key]
            message = f"versions {first.version} and {check.version} both map to {path} (`src` {first.src} and {entry.src})"
            first.problems.append(message)
            check.problems.append(message)
            continue
        mapped[key] = check
        check.bundle = str(path)
        facts = bundle_facts(path)
        wbid, version = facts.web_bundle_id, facts.version
        check.web_bundle_id = wbid
        check.problems += facts.problems
        check.notes += facts.notes
        check.unreadable = facts.unreadable
        if wbid is not None:
            ids.setdefault(wbid, []).append(check.version)
        if version is None and wbid is not None:
            check.problems.append("the bundle's manifest has no `version`")
        elif version is not None and not same_version(version, entry.version):
            check.problems.append(f"the bundle's manifest says version `{version}`, the update manifest `{entry.raw.get('version')}`: Chrome refuses the update")
    general += id_continuity(ids, args.expect_id)
    general += downgrades(entries, args.previous_version)
    return checks, general


def same_version(text: str, expected: IwaVersion) -> bool:
    try:
        return parse_version(text) == expected
    except VersionError:
        return False


def id_continuity(ids: dict[str, list[str]], expect_id: str | None) -> list[str]:
    problems = []
    if len(ids) > 1:
        listing = "; ".join(f"{wbid}: {', '.join(versions)}" for wbid, versions in ids.items())
        problems.append(f"bundles carry {len(ids)} different Web Bundle IDs ({listing}); Chrome refuses an update signed for another ID")
    if expect_id and any(wbid != expect_id for wbid in ids):
        problems.append(f"expected every bundle to carry {expect_id}")
    return problems


def downgrades(entries, previous: str | None) -> list[str]:
    """Channels whose newest version is below what users have now."""
    if previous is None:
        return []
    from auditor.chrome.update_manifest import latest_on_channel

    floor = parse_version(previous)
    channels = sorted({c for e in entries if e.usable for c in (e.channels or ())})
    problems = []
    for channel in channels:
        latest = latest_on_channel(entries, channel)
        if latest is not None and latest.version < floor:  # type: ignore[operator]
            problems.append(f"channel `{channel}` offers at most {latest.version}, below the previous version {previous}: Chrome never downgrades, those users stop updating")
    return problems


def check_single(args: argparse.Namespace) -> tuple[list[Check], list[str]]:
    facts = bundle_facts(args.input)
    wbid, version = facts.web_bundle_id, facts.version
    check = Check(version or "?", None, str(args.input), wbid, facts.problems, facts.notes, facts.unreadable)
    general = id_continuity({wbid: [check.version]} if wbid else {}, args.expect_id)
    if args.previous_version and version is not None:
        try:
            if not parse_version(version) > parse_version(args.previous_version):
                check.problems.append(f"version {version} is not above the previous version {args.previous_version}: Chrome will not install it as an update")
        except VersionError as error:
            check.problems.append(f"version not comparable: {error}")
    return [check], general


def render_text(checks: list[Check], general: list[str]) -> str:
    lines = []
    for check in checks:
        status = "ok" if not check.problems else "FAIL"
        lines.append(f"{status:4} {check.version}  {check.bundle or check.src or ''}  {check.web_bundle_id or ''}".rstrip())
        lines += [f"     - {p}" for p in check.problems]
        lines += [f"     ~ {n}" for n in check.notes]
    lines += [f"FAIL {p}" for p in general]
    failed = sum(1 for c in checks if c.problems) + len(general)
    lines.append(f"release gate: {'passed' if not failed else f'{failed} problem(s)'} ({len(checks)} version(s))")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    from auditor.engine.errors import InputError

    args = build_parser().parse_args(list(argv))
    try:
        if args.previous_version:
            parse_version(args.previous_version)
        if args.bundles is not None:
            checks, general = check_manifest(args)
        else:
            checks, general = check_single(args)
    except VersionError as error:
        sys.stderr.write(f"iwa-audit release: --previous-version {error}\n")
        return 2
    except InputError as error:
        sys.stderr.write(f"iwa-audit release: {error.describe()}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"iwa-audit release: {error}\n")
        return 2
    if args.format == "json":
        data = {"passed": not general and not any(c.problems for c in checks), "versions": [vars(c) for c in checks], "problems": general}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(checks, general))
    if any(c.unreadable for c in checks):
        return 2
    return 1 if general or any(c.problems for c in checks) else 0

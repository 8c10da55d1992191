"""`iwa-audit inspect FILE`: the verified facts of a bundle (what `wbn-dump-id` and a dump give, but checked).

Prints the kind, Web Bundle ID, origin, each signature with its verification
result, every resource, the manifest `version`, the effective permissions
policy, and whether Chrome would install the bundle: the one verdict the audit
and `release` use too (`auditor.chrome.install_verdict`).

Exit codes: 0 Chrome would install the bundle (or the input is a folder, which
is never installed as such), 1 Chrome would refuse it (an unsigned `.wbn`
included), 2 the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.chrome.install_verdict import Verdict, install_verdict
from auditor.chrome.permissions_policy import effective_policy_table
from auditor.engine.context import AuditSession, Context
from auditor.engine.model import Bundle


@dataclass(frozen=True)
class Section:
    """An extra block of facts: a table for text output, `data` for JSON."""

    key: str                                  # JSON member name, e.g. "effective_policy"
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data: object = field(default=None)


def manifest_version(ctx: Context) -> str | None:
    """The manifest's `version` when the manifest parses and has a text one."""
    from auditor.chrome.manifest import load_manifest

    manifest = load_manifest(ctx)
    value = manifest.data.get("version") if manifest is not None else None
    return value if isinstance(value, str) else None


def facts(bundle: Bundle, ctx: Context) -> dict:
    """The bundle's facts as a JSON-able dict (the `--format json` output)."""
    block = bundle.integrity
    return {
        "input": str(bundle.source),
        "kind": bundle.kind.value,
        "format_version": bundle.format_version,
        "web_bundle_id": block.web_bundle_id if block else None,
        "origin": bundle.origin,
        "integrity_block_version": block.version if block else None,
        "id_derived_from_signer": (block.web_bundle_id in block.derived_ids) if block and block.web_bundle_id else None,
        "signatures": [
            {"index": s.index, "type": s.type.value, "public_key": s.public_key.hex(), "valid": s.valid, "problem": s.problem}
            for s in (block.signatures if block else ())
        ],
        "resources": [
            {"url": r.path, "status": r.status, "content_type": r.content_type, "size": r.size}
            for r in bundle.resources.values()
        ],
        "manifest_version": manifest_version(ctx),
        "chrome_installs": verdict_facts(install_verdict(bundle)),
    }


def sections(ctx: Context) -> list[Section]:
    """Extra sections that can say something about this bundle (the effective permissions policy)."""
    policy = effective_policy_table(ctx)
    if policy is None:
        return []
    return [Section("effective_policy", policy.title, policy.columns, policy.rows, policy.data)]


def verdict_facts(verdict: Verdict) -> dict:
    """The verdict as JSON: `installs` is None for inputs Chrome never installs (folders)."""
    return {
        "installs": verdict.installs if verdict.applies else None,
        "refusals": [{"rule": r.rule_id, "message": r.message} for r in verdict.refusals],
    }


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(str(c)) for i, c in enumerate(columns)]
    lines = [indent + "  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += [indent + "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def render_text(data: dict, extra: list[Section]) -> str:
    out = []
    for key in ("input", "kind", "format_version", "web_bundle_id", "origin", "integrity_block_version", "manifest_version"):
        value = data[key]
        out.append(f"{key.replace('_', ' '):<24}{'-' if value is None else value}\n")
    if data["id_derived_from_signer"] is not None:
        out.append(f"{'id derived from signer':<24}{'yes' if data['id_derived_from_signer'] else 'NO'}\n")
    verdict = data["chrome_installs"]
    if verdict["installs"] is None:
        out.append(f"{'chrome installs':<24}- (not a bundle)\n")
    else:
        out.append(f"{'chrome installs':<24}{'yes' if verdict['installs'] else 'NO'}\n")
        out += [f"  - {r['rule']}: {r['message']}\n" for r in verdict["refusals"]]
    if data["signatures"]:
        out.append(f"\nsignatures ({len(data['signatures'])})\n")
        rows = [
            (str(s["index"]), s["type"], s["public_key"] or "-", "valid" if s["valid"] else ("not checked" if s["valid"] is None else f"INVALID: {s['problem']}"))
            for s in data["signatures"]
        ]
        out.append(table(("#", "type", "public key", "result"), rows))
    rows = [(str(r["status"]), r["content_type"] or "-", str(r["size"]), r["url"]) for r in data["resources"]]
    out.append(f"\nresources ({len(rows)})\n")
    out.append(table(("status", "content-type", "size", "url"), rows))
    for section in extra:
        out.append(f"\n{section.title}\n")
        out.append(table(section.columns, section.rows))
    return "".join(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iwa-audit inspect",
        description="Print the verified facts of a .swbn, .wbn or app folder: ID, origin, signatures, resources, manifest version, effective permissions policy, and whether Chrome would install it.",
        epilog="Exit codes: 0 Chrome would install it (or a folder), 1 Chrome would refuse it, 2 unreadable.",
    )
    parser.add_argument("path", type=Path, help="the bundle (or folder) to inspect")
    parser.add_argument("-f", "--format", default="text", choices=("text", "json"), help="output format (default: text)")
    parser.add_argument("--expect-id", metavar="ID", help="for a .wbn: the Web Bundle ID its relative URLs resolve against")
    parser.add_argument("--headers", metavar="FILE", help="for a folder: JSON of headers added to every response (as `wbn --headerOverride`)")
    return parser


def main(argv: Sequence[str]) -> int:
    from auditor.engine.errors import InputError
    from auditor.engine.settings import Settings
    from auditor.readers import open_input

    args = build_parser().parse_args(list(argv))
    try:
        bundle = open_input(args.path, settings=Settings(expect_id=args.expect_id, headers_file=args.headers))
    except InputError as error:
        sys.stderr.write(f"iwa-audit: {error.describe()}\n")
        return 2
    ctx = Context(AuditSession(bundle))
    data = facts(bundle, ctx)
    extra = sections(ctx)
    if args.format == "json":
        for section in extra:
            data[section.key] = section.data
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(data, extra))
    return 1 if data["chrome_installs"]["installs"] is False else 0

"""`iwa-audit inspect FILE`: the verified facts of a bundle (what `wbn-dump-id` and a dump give, but checked).

Prints the kind, Web Bundle ID, origin, each signature with its verification
result, every resource, and the manifest `version`. Further sections (the
effective permissions policy, ...) come from `SECTION_PROVIDERS`: dotted names
of functions `(Context) -> Section | None`, imported only when inspecting.

Exit codes: 0 the facts were read and every signature verifies (or the input is
unsigned), 1 a signature fails or the ID does not derive from a signer, 2 the
input cannot be read.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.engine.context import AuditSession, Context
from auditor.engine.model import Bundle

SECTION_PROVIDERS: tuple[str, ...] = ("auditor.chrome.permissions_policy:inspect_section",)


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
    }


def sections(ctx: Context) -> list[Section]:
    """Extra sections from every provider that can say something about this bundle."""
    found = []
    for dotted in SECTION_PROVIDERS:
        module_name, _, function = dotted.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue  # that part of the tool is not in this build
        provider = getattr(module, function, None)
        if provider is None:
            continue
        section = provider(ctx)
        if section is not None:
            found.append(section)
    return found


def verified(data: dict) -> bool:
    """No signature failed and, when signed, the ID belongs to a signer."""
    if any(s["valid"] is False for s in data["signatures"]):
        return False
    return data["id_derived_from_signer"] is not False


def table(columns: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(str(c)) for i, c in enumerate(columns)]
    lines = [indent + "  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=False)).rstrip()]
    lines += [indent + "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def render_text(data: dict, extra: list[Section]) -> str:
    out = []
    for key in ("input", "kind", "format_version", "web_bundle_id", "origin", "integrity_block_version", "manifest_version"):
        value = data[key]
        out.append(f"{key.replace('_', ' '):<24}{'-' if value is None else value}\n")
    if data["id_derived_from_signer"] is not None:
        out.append(f"{'id derived from signer':<24}{'yes' if data['id_derived_from_signer'] else 'NO'}\n")
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
        description="Print the verified facts of a .swbn, .wbn or app folder: ID, origin, signatures, resources, manifest version, effective permissions policy.",
        epilog="Exit codes: 0 read and verified (or unsigned), 1 a signature fails or the ID is not the signer's, 2 unreadable.",
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
    return 0 if verified(data) else 1

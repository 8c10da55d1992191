"""`iwa-audit server`: a Language Server Protocol server on stdio (like `ruff server`).

On open and save of an app file (the manifest, HTML, JS, CSS, a
`capacitor.config.*`) it audits the app folder that file belongs to with the
same pipeline as the command line (`auditor.engine.pipeline.audit`, the
configuration found from that folder up) and publishes diagnostics for every
file of the folder with findings, and an empty list for files whose findings
are gone. pygls is imported here only, so `iwa-audit --version` stays fast.

The audit reads the files on disk, so positions refer to the saved text.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor import __version__
from auditor.engine.findings import Finding, Level
from auditor.engine.location import Span
from auditor.engine.runner import Report

MANIFEST = Path(".well-known") / "manifest.webmanifest"
CAPACITOR_CONFIGS = ("capacitor.config.json", "capacitor.config.ts", "capacitor.config.js")
AUDITED_SUFFIXES = frozenset({".html", ".htm", ".js", ".mjs", ".cjs", ".ts", ".css", ".webmanifest"})
SOURCE = "iwa-audit"
log = logging.getLogger(__name__)


def is_audited_file(path: Path) -> bool:
    """The files whose open or save triggers an audit."""
    return path.suffix.lower() in AUDITED_SUFFIXES or path.name.startswith("capacitor.config.")


def app_folder(file: Path) -> Path:
    """The folder to audit: the nearest holding `.well-known/manifest.webmanifest` or a capacitor config, else the file's own."""
    start = file.parent
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file() or any((folder / name).is_file() for name in CAPACITOR_CONFIGS):
            return folder
    return start


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding placed in one file, in LSP terms (0-based lines, UTF-16 columns)."""

    file: Path
    start: tuple[int, int]
    end: tuple[int, int]
    level: Level
    rule_id: str
    message: str


def utf16_column(line: str, column: int) -> int:
    """A 1-based code-point column as LSP's 0-based UTF-16 offset in `line`."""
    prefix = line[: max(column - 1, 0)]
    extra = max(column - 1 - len(line), 0)  # a column past the line end (an end at the newline)
    return len(prefix.encode("utf-16-le")) // 2 + extra


def lsp_range(text: str, span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
    """Our span (1-based lines, code-point columns) as LSP positions in `text`."""
    lines = text.split("\n")

    def position(line: int, column: int) -> tuple[int, int]:
        index = min(max(line - 1, 0), max(len(lines) - 1, 0))
        return index, utf16_column(lines[index] if lines else "", column)

    return position(span.start_line, span.start_column), position(span.end_line, span.end_column)


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError:
        return ""


def diagnostics_of(report: Report, folder: Path) -> list[Diagnostic]:
    """Every active finding with a file in `folder`; folder-level findings land on the manifest's first line."""
    from auditor.reporters.places import place

    texts: dict[Path, str] = {}
    out: list[Diagnostic] = []
    for finding in report.active():
        where = place(report.bundle, folder, finding.location, folder)
        file = where.file if where.file is not None else None
        if file is None or file.is_dir():
            file = folder / MANIFEST if (folder / MANIFEST).is_file() else None
            span = None
        else:
            span = where.span if where.text_in_file else None
        if file is None:
            continue
        if span is None:
            start = end = (0, 0)
        else:
            if file not in texts:
                texts[file] = read_text(file)
            start, end = lsp_range(texts[file], span)
        out.append(Diagnostic(file, start, end, finding.level, finding.rule_id, message_of(finding)))
    return out


def message_of(finding: Finding) -> str:
    return finding.message + (f"\n{finding.help}" if finding.help else "")


def audit_folder(folder: Path) -> Report:
    """The command line's audit of `folder`: its configuration, rules and settings (one worker: stdout is the protocol)."""
    from auditor.cli import build_parser
    from auditor.commands.audit import limits_from, ruleset_from, settings_from
    from auditor.engine.config import find_config, load_config
    from auditor.engine.pipeline import audit

    args = build_parser().parse_args(["--jobs", "1", str(folder)])
    config = load_config(find_config(folder))
    return audit(folder, rules=ruleset_from(args, config), settings=settings_from(args, config), limits=limits_from(args))


def build_server():  # -> pygls LanguageServer (pygls is imported here only)
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    from auditor.engine.catalogue import all_rules
    from auditor.rule_docs import help_uri

    server = LanguageServer("iwa-audit", __version__)
    docs = {rule.id: help_uri(rule) for rule in all_rules()}
    severity = {Level.ERROR: types.DiagnosticSeverity.Error, Level.WARNING: types.DiagnosticSeverity.Warning, Level.NOTE: types.DiagnosticSeverity.Information}
    published: dict[Path, set[str]] = {}
    locks: dict[Path, asyncio.Lock] = {}

    def to_lsp(d: Diagnostic) -> types.Diagnostic:
        href = docs.get(d.rule_id)
        return types.Diagnostic(
            range=types.Range(types.Position(*d.start), types.Position(*d.end)),
            message=d.message,
            severity=severity.get(d.level, types.DiagnosticSeverity.Information),
            code=d.rule_id,
            code_description=types.CodeDescription(href=href) if href else None,
            source=SOURCE,
        )

    async def refresh(uri: str) -> None:
        fs_path = to_fs_path(uri)
        if fs_path is None or not is_audited_file(Path(fs_path)):
            return
        folder = app_folder(Path(fs_path).resolve())
        async with locks.setdefault(folder, asyncio.Lock()):
            try:
                report = await asyncio.to_thread(audit_folder, folder)
            except Exception as error:  # a broken config or an engine defect: say so, never crash the editor's server
                server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"iwa-audit: {folder}: {error}"))
                return
            if report.bundle is None:
                for note in report.notifications:
                    server.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"iwa-audit: {note.message}"))
            by_uri: dict[str, list[types.Diagnostic]] = {}
            for diagnostic in diagnostics_of(report, folder):
                by_uri.setdefault(from_fs_path(str(diagnostic.file)) or "", []).append(to_lsp(diagnostic))
            by_uri.pop("", None)
            stale = published.get(folder, set()) - by_uri.keys()
            for gone in sorted(stale | ({uri} - by_uri.keys())):
                by_uri[gone] = []
            for target, items in by_uri.items():
                server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=target, diagnostics=items))
            published[folder] = {u for u, items in by_uri.items() if items}

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(params: types.DidOpenTextDocumentParams) -> None:
        await refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        await refresh(params.text_document.uri)

    return server


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="iwa-audit server", description="Language Server Protocol server on stdio: diagnostics on open and save.")
    parser.add_argument("--stdio", action="store_true", help="accepted for editor clients that pass it; stdio is the only transport")
    parser.parse_args(list(argv))
    build_server().start_io()
    return 0

"""A source folder (the app's built files) as a bundle model.

Paths become resource paths on the app origin (`dist/app.js` -> `/app.js`),
content types are guessed the way `wbn` does it, and an optional headers file
of the same shape as `wbn --headerOverride` adds headers to every response.
Symlinks are never followed out of the folder, and nothing is read eagerly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from auditor.engine.errors import LimitExceeded, Malformed
from auditor.engine.limits import Limits
from auditor.engine.model import Body, Bundle, InputKind, Resource
from auditor.engine.settings import Settings

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__"})

# `wbn` uses mime v2's table; these are the entries where Python's guesses differ or are missing.
MIME_OVERRIDES = {
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".cjs": "application/javascript",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ico": "image/vnd.microsoft.icon",
    ".map": "application/json",
    ".txt": "text/plain",
    ".css": "text/css",
    ".html": "text/html",
    ".htm": "text/html",
}


def guess_content_type(name: str) -> str:
    """The content type `wbn` would write for this file name."""
    dot, slash = name.rfind("."), name.rfind("/")
    plain = dot > slash + 1 and name[slash + 1] != "." and "\\" not in name and ":" not in name
    suffix = (name[dot:] if plain else os.path.splitext(name)[1]).lower()  # a plain name's suffix is what splitext gives, at a third of its time
    if suffix in MIME_OVERRIDES:
        return MIME_OVERRIDES[suffix]
    import mimetypes  # only for suffixes outside the table: its first guess reads the system's type files

    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def load_headers_file(path: Path) -> dict[str, str]:
    """Headers for every response, from a `wbn --headerOverride` style JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"headers file is not readable JSON: {exc}", where=str(path)) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise Malformed("headers file must be a JSON object of header name to string value", where=str(path))
    return {k.lower(): v for k, v in data.items()}


def iter_files(root: Path):
    """Regular files under root, sorted, skipping VCS and dependency folders and any symlink."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            full = Path(dirpath, name)
            if full.is_symlink() or not full.is_file():
                continue
            yield full


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Read a folder into a Bundle of kind FOLDER."""
    headers_file = settings.headers_file
    extra_headers = load_headers_file(Path(headers_file)) if headers_file else {}
    skip = {Path(headers_file).resolve()} if headers_file else set()
    resources: dict[str, Resource] = {}
    total = 0
    for file in iter_files(path):
        if file.resolve() in skip:
            continue
        rel = file.relative_to(path).as_posix()
        size = file.stat().st_size
        total += size
        if len(resources) >= limits.max_resources:
            raise LimitExceeded(f"more than {limits.max_resources} files (max_resources)", where=str(path))
        if total > limits.max_input_bytes:
            raise LimitExceeded(f"folder holds more than {limits.max_input_bytes} bytes (max_input_bytes)", where=str(path))
        headers = {"content-type": guess_content_type(file.name)} if size else {}
        headers.update(extra_headers)
        resource_path = "/" + rel
        resources[resource_path] = Resource(
            path=resource_path,
            status=200,
            headers=headers,
            body=Body(size, path=file),
            source_path=rel,
            header_names_raw=tuple(headers),
        )
    return Bundle(
        kind=InputKind.FOLDER,
        source=path,
        resources=resources,
        size=total,
        directory_index=True,
    )

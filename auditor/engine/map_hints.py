"""Whether a finding's file can have an original at all, asked before the mapping modules are imported.

`auditor.engine.mapping` and the source-map parser cost ~3 ms to import, and
most findings of a small app sit in files no map or copy can lead back from
(the manifest, a script with no `sourceMappingURL`). `may_have_original` is a
cheap superset of what `Mapper` can find: never False where it would find an
original, so a finding it rules out keeps its built place as `Mapper` would.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from auditor.engine.model import Bundle, InputKind, Resource

SCRIPT_TYPES = frozenset({"application/javascript", "text/javascript", "application/ecmascript", "application/x-javascript", "text/css"})
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".css")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAP_HEADERS = ("sourcemap", "x-sourcemap")


def is_script(resource: Resource) -> bool:
    return resource.mime_type in SCRIPT_TYPES or resource.path.lower().endswith(SCRIPT_SUFFIXES)


def may_have_original(resource: Resource, bundle: Bundle, settings, text_of: Callable[[Resource], str | None]) -> bool:
    """A script or style sheet with a map to find (a map header, a `sourceMappingURL` comment, a sibling
    `.map` in the input or beside its file, `--source-maps`), a page whose copy the build may have made
    (a file of its name beside the input folder, as Vite builds `index.html` into `dist/`); anything
    when `--source-root` names a build folder (its files are found by content)."""
    script = is_script(resource)
    if not script and resource.mime_type not in HTML_TYPES:
        return False
    if settings.source_root is not None:
        return True
    folder = bundle.kind is InputKind.FOLDER
    if not script:
        name = resource.path.lstrip("/")
        if not name or name.endswith("/"):
            name += "index.html"
        return folder and os.path.isfile(os.path.join(os.path.dirname(os.path.realpath(bundle.source)), name))
    if settings.source_maps is not None or any(resource.headers.get(h) for h in MAP_HEADERS) or resource.path + ".map" in bundle.resources:
        return True
    if folder and resource.source_path and os.path.exists(os.path.join(bundle.source, resource.source_path) + ".map"):
        return True
    text = text_of(resource)
    return text is not None and "sourceMappingURL" in text

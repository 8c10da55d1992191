"""The app's web app manifest, loaded once per audit for every rule family that reads it."""

from __future__ import annotations

from auditor.chrome.urls import MANIFEST_PATH, AppUrl, resolve
from auditor.engine.context import Context
from auditor.engine.location import Location
from auditor.engine.model import JsonDocument, Resource
from auditor.engine.needs import provides
from auditor.engine.record import FrozenRecord, store_fields
from auditor.engine.registry import Need
from auditor.parse.json_pos import JsonPositionError, parse_json


class Manifest(FrozenRecord):
    """The manifest resource and, when it parsed, its document; else the parse error and where."""

    __slots__ = ("document", "duplicates", "error", "error_location", "resource")
    resource: Resource
    document: JsonDocument | None
    error: str | None
    error_location: Location | None
    duplicates: tuple[str, ...]

    def __init__(self, resource: Resource, document: JsonDocument | None, error: str | None = None, error_location: Location | None = None, duplicates: tuple[str, ...] = ()) -> None:
        store_fields(self, locals())

    @property
    def data(self) -> dict:
        """The top-level object, or {} when it is missing or not an object."""
        value = self.document.value if self.document else None
        return value if isinstance(value, dict) else {}


@provides(Need.MANIFEST)
def load_manifest(ctx: Context) -> Manifest | None:
    """The manifest at /.well-known/manifest.webmanifest, or None when the app has none."""

    def load() -> Manifest | None:
        resource = ctx.resource(MANIFEST_PATH)
        if resource is None:
            return None
        text = ctx.text(resource)
        if text is None:
            return Manifest(resource, None, f"larger than {ctx.limits.max_text_resource_bytes} bytes (max_text_resource_bytes), so it was not read", ctx.bundle_location(resource=resource.path))
        try:
            parsed = parse_json(text, resource=resource.path, max_depth=ctx.limits.max_json_depth)
        except JsonPositionError as exc:
            return Manifest(resource, None, f"not strict JSON: {exc}", ctx.text_location(resource, exc.offset, exc.offset + 1))
        return Manifest(resource, parsed.document, duplicates=parsed.duplicates)

    return ctx.memo("manifest", load)


@provides(Need.MANIFEST_OBJECT)
def parsed_manifest(ctx: Context) -> Manifest | None:
    """The manifest when it exists and parsed to an object; MAN001/MAN002 report the other cases."""
    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None or not isinstance(manifest.document.value, dict):
        return None
    return manifest


def required_manifest(ctx: Context) -> Manifest:
    """The parsed manifest, for a rule that declares `Need.MANIFEST_OBJECT`.

    The runner skips such a rule when the manifest is missing or not an
    object, so the rule body needs no guard; a rule that forgot the
    declaration fails loudly (AUD002) instead of silently doing nothing.
    """
    manifest = ctx.need(Need.MANIFEST_OBJECT)
    if not isinstance(manifest, Manifest):
        raise LookupError("the rule reads the manifest but does not declare needs=Need.MANIFEST_OBJECT")
    return manifest


def member_location(ctx: Context, manifest: Manifest, pointer: str, *, key: bool = False) -> Location:
    """Where a manifest member (its value, or its key with `key=True`) is written."""
    return ctx.document_location(manifest.document, pointer, key=key)  # type: ignore[arg-type]


def member_target(ctx: Context, ref: str) -> tuple[AppUrl | None, Resource | None]:
    """Where a URL written in the manifest points (resolved against it) and the app resource there, if any."""
    url = resolve(ref, ctx.bundle.origin)
    resource = ctx.resource(url.path) if url is not None and url.same_origin else None
    return url, resource

"""What the NAT rules ask of a Capacitor project: its hosts, parsed native files, and places in them.

Kept out of the rules so they stay data plus a short function; everything
here is read from `Bundle.native`, which the project reader fills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.engine.location import Location
from auditor.engine.needs import provides
from auditor.engine.registry import Need

if TYPE_CHECKING:  # the native readers are imported only when a Capacitor project is audited
    from auditor.engine.context import Context
    from auditor.native import hosts as hosts_mod
    from auditor.native.android import NetworkSecurityConfig
    from auditor.native.ios import Plist
    from auditor.native.model import NativeFacts
    from auditor.native.xml_tree import Element, XmlDocument


def native(ctx: Context) -> NativeFacts:
    from auditor.native.model import NativeFacts

    found = ctx.bundle.native
    return found if isinstance(found, NativeFacts) else NativeFacts()


def app_hosts(ctx: Context) -> list[hosts_mod.Host]:
    from auditor.native import hosts as hosts_mod

    return ctx.memo(("native", "hosts"), lambda: hosts_mod.app_hosts(ctx.bundle.document, native(ctx).package_json))


def updater_hosts(ctx: Context) -> list[hosts_mod.Host]:
    return [h for h in app_hosts(ctx) if h.role == "updater"]


@provides(Need.ANDROID_MANIFEST)
def manifest(ctx: Context) -> tuple[str, XmlDocument] | None:
    return native(ctx).android_manifest


def network_config(ctx: Context) -> tuple[str, NetworkSecurityConfig] | None:
    return native(ctx).network_security_config


@provides(Need.INFO_PLIST)
def info_plist(ctx: Context) -> tuple[str, Plist] | None:
    return native(ctx).info_plist


def required(ctx: Context, need: Need) -> tuple:
    """(resource path, parsed file) for a rule that declares `need` (the runner skipped it otherwise)."""
    found = ctx.need(need)
    if not isinstance(found, tuple):
        raise LookupError(f"the rule reads a native file but does not declare needs={need}")
    return found


def element_location(ctx: Context, resource_path: str, document: XmlDocument, element: Element, attribute: tuple[str, str] | None = None) -> Location:
    """The attribute `name="value"` (or the start tag) of an element, at line and column."""
    resource = ctx.bundle.resources[resource_path]
    start, end = document.attribute_span(element, *attribute) if attribute else document.element_span(element)
    return ctx.text_location(resource, start, end)


def plist_location(ctx: Context, resource_path: str, plist: Plist, key_path: tuple[str, ...]) -> Location:
    """The `<key>` of a plist member (XML), or the member's path in a binary plist."""
    pointer = "/" + "/".join(key_path)
    span = plist.key_span(key_path)
    if span is None:
        return Location(resource=resource_path, pointer=pointer)
    location = ctx.text_location(ctx.bundle.resources[resource_path], *span)
    return Location(resource=location.resource, span=location.span, pointer=pointer)


def host_origin(ctx: Context, host: hosts_mod.Host) -> tuple[Location, ...]:
    """The config member that brought the host in, as a related location (none for a default)."""
    if not host.pointer or ctx.bundle.document is None:
        return ()
    return (ctx.document_location(ctx.bundle.document, host.pointer, key=True),)


def registrable(name: str) -> str:
    """The last two labels: enough to tell a near-miss pin (`capgo.app` vs `plugin.capgo.app`)."""
    return ".".join(name.lower().rstrip(".").split(".")[-2:])

"""App Transport Security as iOS applies it, read from a Capacitor app's Info.plist.

Facts from Apple's Information Property List reference (`NSAppTransportSecurity`
and its keys): `NSAllowsArbitraryLoads` disables ATS for every domain not in
`NSExceptionDomains`, but from iOS 10 on it is *ignored* when
`NSAllowsArbitraryLoadsForMedia`, `NSAllowsArbitraryLoadsInWebContent` or
`NSAllowsLocalNetworking` is present (with any value); an exception domain
covers its subdomains only with `NSIncludesSubdomains`; `NSPinnedDomains`
entries pin SPKI SHA-256 hashes (`NSPinnedCAIdentities`, `NSPinnedLeafIdentities`).

Values come from the standard library's `plistlib` (XML or binary). For XML
plists the key positions come from a defusedxml parse of the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from auditor.native.xml_tree import Element, XmlDocument, XmlProblem, parse_xml

INFO_PLIST = "ios/App/App/Info.plist"
APP_BUNDLE_DIRS = ("ios/App/App",)  # the app target's folder: its resources are copied into the .app
ATS = "NSAppTransportSecurity"
IGNORING_ARBITRARY_LOADS = ("NSAllowsArbitraryLoadsForMedia", "NSAllowsArbitraryLoadsInWebContent", "NSAllowsLocalNetworking")
TLS_VERSIONS = {"tlsv1.0": (1, 0), "tlsv1.1": (1, 1), "tlsv1.2": (1, 2), "tlsv1.3": (1, 3)}
BINARY_MAGIC = b"bplist00"


class PlistProblem(ValueError):
    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True)
class Plist:
    value: object
    binary: bool
    document: XmlDocument | None = None                       # the XML, for positions
    keys: dict[tuple[str, ...], Element] = field(default_factory=dict)  # key path -> its <key> element

    def key_span(self, path: tuple[str, ...]) -> tuple[int, int] | None:
        """Character range of the deepest `<key>` of this path that exists (XML plists only)."""
        if self.document is None:
            return None
        for n in range(len(path), 0, -1):
            element = self.keys.get(path[:n])
            if element is not None:
                return self.document.element_span(element)[0], _element_end(self.document.text, element)
        return None


def _element_end(text: str, element: Element) -> int:
    end = text.find("</key>", element.start)
    return end + len("</key>") if end != -1 else element.start + 1


def load_plist(data: bytes) -> Plist:
    """Parse an Info.plist; raises PlistProblem for anything the device would not read either."""
    import plistlib  # here, not at import: it pulls in xml.parsers.expat and datetime for every audit

    binary = data.startswith(BINARY_MAGIC)
    document = None
    if not binary:
        try:
            document = parse_xml(data)
        except XmlProblem as exc:
            raise PlistProblem(str(exc), exc.offset) from None
    try:
        value = plistlib.loads(data, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
    except (plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError, OverflowError, struct.error, UnicodeError, RecursionError) as exc:
        kind = "binary" if binary else "XML"
        raise PlistProblem(f"not a readable {kind} property list: {type(exc).__name__}: {str(exc)[:200]}") from None
    except MemoryError:
        raise PlistProblem("the property list declares more objects than can be read") from None
    plist = Plist(value=value, binary=binary, document=document)
    if document is not None:
        top = next((c for c in document.root.children if c.local == "dict"), None)
        if top is not None:
            _index_keys(top, (), plist.keys, 0)
    return plist


def _index_keys(dict_element: Element, prefix: tuple[str, ...], out: dict, depth: int) -> None:
    if depth > 32:
        return
    children = dict_element.children
    for i, child in enumerate(children):
        if child.local != "key":
            continue
        path = (*prefix, child.text)
        out.setdefault(path, child)
        if i + 1 < len(children) and children[i + 1].local == "dict":
            _index_keys(children[i + 1], path, out, depth + 1)


@dataclass(frozen=True, slots=True)
class DomainEntry:
    """One `NSExceptionDomains` or `NSPinnedDomains` entry."""

    name: str
    settings: dict
    path: tuple[str, ...]

    def covers(self, host: str) -> int | None:
        name = self.name.lower().rstrip(".")
        if host == name:
            return 2
        if self.settings.get("NSIncludesSubdomains") is True and host.endswith("." + name):
            return 1
        return None


def ats(plist: Plist) -> dict:
    top = plist.value if isinstance(plist.value, dict) else {}
    value = top.get(ATS)
    return value if isinstance(value, dict) else {}


def entries(plist: Plist, member: str) -> list[DomainEntry]:
    found = ats(plist).get(member)
    if not isinstance(found, dict):
        return []
    return [DomainEntry(str(k), v, (ATS, member, str(k))) for k, v in found.items() if isinstance(v, dict)]


def entry_for(candidates: list[DomainEntry], host: str) -> DomainEntry | None:
    """The most specific entry covering a host (exact name first, then the longest suffix)."""
    best, chosen = None, None
    for entry in candidates:
        strength = entry.covers(host)
        if strength is not None and (best is None or (strength, len(entry.name)) > best):
            best, chosen = (strength, len(entry.name)), entry
    return chosen


def arbitrary_loads_ignored(plist: Plist) -> str | None:
    """The key that makes iOS 10+ ignore `NSAllowsArbitraryLoads`, if any."""
    settings = ats(plist)
    return next((k for k in IGNORING_ARBITRARY_LOADS if k in settings), None)


def tls_below_1_2(value: object) -> bool:
    version = TLS_VERSIONS.get(str(value).strip().lower()) if isinstance(value, str) else None
    return version is not None and version < (1, 2)


def spki_hashes(settings: dict) -> list[str]:
    out = []
    for member in ("NSPinnedCAIdentities", "NSPinnedLeafIdentities"):
        identities = settings.get(member)
        if isinstance(identities, list):
            out += [str(i.get("SPKI-SHA256-BASE64")) for i in identities if isinstance(i, dict) and i.get("SPKI-SHA256-BASE64")]
    return out

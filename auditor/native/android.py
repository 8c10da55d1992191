"""How Android applies a Capacitor app's manifest flags and network security config.

Facts from developer.android.com "Network security configuration" and the
`<application>` element reference, and AOSP `android.security.net.config`
(`XmlConfigSource`, `ApplicationConfig`):

* `<domain-config>` applies to its `<domain>`s (with `includeSubdomains`, to
  their subdomains too); the most specific match wins: an exact domain first,
  then the longest matching `includeSubdomains` domain. A nested domain-config
  inherits every setting it leaves unset (cleartext, trust anchors, pin-set)
  from its parent, a top-level one from `<base-config>`, that from the
  platform defaults.
* `<debug-overrides>` applies only when the app is debuggable.
* A `<pin-set>` past its `expiration` date is not enforced at all.
* `android:usesCleartextTraffic` is ignored on Android 7.0 (API 24) and above
  when a network security config is present.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from auditor.native.xml_tree import Element, XmlDocument

ANDROID_NS = "http://schemas.android.com/apk/res/android"
MANIFEST_PATH = "android/app/src/main/AndroidManifest.xml"
RES_XML = "android/app/src/main/res/xml"
ASSETS_PATH = "android/app/src/main/assets"
VARIABLES_GRADLE = "android/variables.gradle"
MIN_SDK_IGNORING_MANIFEST_FLAG = 24


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    include_subdomains: bool
    element: Element

    def covers(self, host: str) -> int | None:
        """Match strength for a host: 2 exact, 1 subdomain (longer names win ties), None no match."""
        name = self.name.lower().rstrip(".")
        if host == name:
            return 2
        if self.include_subdomains and host.endswith("." + name):
            return 1
        return None


@dataclass(slots=True, eq=False)
class DomainConfig:
    """A `<base-config>`, `<domain-config>` or `<debug-overrides>`, with what it sets itself."""

    element: Element
    domains: list[Domain] = field(default_factory=list)
    cleartext: bool | None = None
    certificates: list[Element] = field(default_factory=list)  # <certificates> inside <trust-anchors>
    pin_set: Element | None = None
    parent: DomainConfig | None = None

    def inherited(self, attribute: str) -> tuple[object, DomainConfig | None]:
        """The value in effect here for `cleartext` / `pin_set` and the config that set it."""
        node: DomainConfig | None = self
        while node is not None:
            value = getattr(node, attribute)
            if value is not None:
                return value, node
            node = node.parent
        return None, None


@dataclass(slots=True)
class Pin:
    digest: str
    value: str
    element: Element


@dataclass(slots=True)
class NetworkSecurityConfig:
    document: XmlDocument
    base: DomainConfig | None
    domain_configs: list[DomainConfig]
    debug_overrides: DomainConfig | None

    def config_for(self, host: str) -> DomainConfig | None:
        """The domain-config Android applies to a host, or None (base-config applies)."""
        best: tuple[int, int] | None = None
        chosen = None
        for config in self.domain_configs:
            for domain in config.domains:
                strength = domain.covers(host)
                if strength is None:
                    continue
                rank = (strength, len(domain.name))
                if best is None or rank > best:
                    best, chosen = rank, config
        return chosen


def bool_attr(value: str | None) -> bool | None:
    """Android's boolean resource values as written (`true`/`false`); anything else is unset."""
    if value is None:
        return None
    text = value.strip().lower()
    return True if text == "true" else False if text == "false" else None


def read_network_security_config(document: XmlDocument) -> NetworkSecurityConfig:
    root = document.root
    base = None
    debug = None
    configs: list[DomainConfig] = []

    def build(element: Element, parent: DomainConfig | None) -> DomainConfig:
        config = DomainConfig(element=element, parent=parent, cleartext=bool_attr(element.get("", "cleartextTrafficPermitted")))
        for child in element.children:
            if child.local == "domain":
                config.domains.append(Domain(child.text.strip(), bool_attr(child.get("", "includeSubdomains")) is True, child))
            elif child.local == "trust-anchors":
                config.certificates.extend(child.find_all("certificates"))
            elif child.local == "pin-set" and element.local == "domain-config":
                config.pin_set = child
        return config

    def walk(element: Element, parent: DomainConfig) -> None:
        for child in element.find_all("domain-config"):
            config = build(child, parent)
            configs.append(config)
            walk(child, config)

    for child in root.children:
        if child.local == "base-config" and base is None:
            base = build(child, None)
        elif child.local == "debug-overrides" and debug is None:
            debug = build(child, None)
    top = base or DomainConfig(element=root)
    walk(root, top)
    return NetworkSecurityConfig(document=document, base=base, domain_configs=configs, debug_overrides=debug)


def pins(pin_set: Element) -> list[Pin]:
    return [Pin((p.get("", "digest") or "").strip(), p.text.strip(), p) for p in pin_set.find_all("pin")]


def pin_set_expired(pin_set: Element, today: datetime.date) -> datetime.date | None:
    """The expiration date when it is in the past (pins are then not enforced), else None."""
    value = (pin_set.get("", "expiration") or "").strip()
    if not value:
        return None
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return date if date < today else None


def application(manifest: XmlDocument) -> Element | None:
    return next((c for c in manifest.root.children if c.local == "application"), None)


def network_security_config_name(app: Element) -> str | None:
    """`@xml/name` from `android:networkSecurityConfig`, as the file name under res/xml."""
    value = (app.get(ANDROID_NS, "networkSecurityConfig") or "").strip()
    match = re.fullmatch(r"@xml/([A-Za-z0-9_.]+)", value)
    return match.group(1) if match else None


def min_sdk(variables_gradle: str | None) -> int | None:
    """`minSdkVersion = N` from Capacitor's android/variables.gradle."""
    if not variables_gradle:
        return None
    match = re.search(r"^\s*minSdkVersion\s*=\s*(\d+)", variables_gradle, re.MULTILINE)
    return int(match.group(1)) if match else None

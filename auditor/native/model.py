"""The parsed native side of a Capacitor project, as the project reader leaves it in `Bundle.native`."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.native.android import NetworkSecurityConfig
from auditor.native.gitignore import Pattern
from auditor.native.ios import Plist
from auditor.native.keys import KeyFile
from auditor.native.xml_tree import XmlDocument


@dataclass(frozen=True, slots=True)
class NativeFacts:
    """Each parsed file with the resource path it was read from; None when absent or unreadable (NAT001)."""

    android_manifest: tuple[str, XmlDocument] | None = None
    android_debug_manifest: tuple[str, XmlDocument] | None = None
    network_security_config: tuple[str, NetworkSecurityConfig] | None = None
    android_min_sdk: int | None = None
    info_plist: tuple[str, Plist] | None = None
    package_json: dict | None = None
    keys: tuple[tuple[KeyFile, Pattern | None], ...] = ()
    ios_project_text: str | None = None

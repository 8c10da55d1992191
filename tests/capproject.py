"""Capacitor project folders for tests: a config, Android and iOS native files from small templates."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

MANIFEST_PATH = "android/app/src/main/AndroidManifest.xml"
NSC_PATH = "android/app/src/main/res/xml/network_security_config.xml"
PLIST_PATH = "ios/App/App/Info.plist"
UPDATER = {"CapacitorUpdater": {}}


def manifest(attrs: str = "", nsc: bool = False) -> str:
    extra = ' android:networkSecurityConfig="@xml/network_security_config"' if nsc else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android">\n'
        f'    <application android:label="App"{extra}{attrs}>\n'
        "    </application>\n"
        "</manifest>\n"
    )


def nsc(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<network-security-config>\n{body}\n</network-security-config>\n'


def plist(ats: dict | None = None) -> bytes:
    value = {"CFBundleIdentifier": "com.example.app"}
    if ats is not None:
        value["NSAppTransportSecurity"] = ats
    return plistlib.dumps(value)


def project(tmp_path: Path, *, config: dict | None = None, plugins: dict | None = UPDATER, files: dict | None = None, android: str | None = None, network: str | None = None, info: bytes | None = None) -> Path:
    """A Capacitor project: config, android/ and ios/ (templates unless given), extra files."""
    root = tmp_path / "app"
    value = {"appId": "com.example.app", "appName": "App", "webDir": "www", **(config or {})}
    if plugins is not None:
        value["plugins"] = plugins
    tree: dict[str, str | bytes] = {
        "capacitor.config.json": json.dumps(value, indent=2),
        MANIFEST_PATH: android if android is not None else manifest(nsc=network is not None),
        PLIST_PATH: info if info is not None else plist(),
        ".gitignore": "node_modules/\n",
    }
    if network is not None:
        tree[NSC_PATH] = network
    tree.update(files or {})
    for name, content in tree.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root

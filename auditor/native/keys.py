"""Private keys inside a Capacitor project: found by name and by PEM header, never decoded.

`.capgo_key_v2` (and the legacy `.capgo_key`) is the bundle-signing key
`npx @capgo/cli key create` writes to the project root (`.capgo_key_v2.pub`
is its public half); keystores (`.jks`, `.keystore`, `.p12`, `.pfx`) hold an
app's signing key; any small file with a `-----BEGIN ... PRIVATE KEY-----`
header is one too. Where a key ships: Android packs everything under
`app/src/main/assets` into the APK; on iOS the `public` folder of the app
target (`ios/App/App/public`) is copied whole into the .app, and other files
of `ios/App/App` are copied when the Xcode project lists them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PEM_PRIVATE = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
KEY_BY_NAME = re.compile(r"^\.capgo_key(?:_v2)?$|\.(?:jks|keystore|p12|pfx)$", re.IGNORECASE)
KEY_BY_CONTENT = re.compile(r"\.(?:pem|key|p8|der)$|^\.capgo_key|^id_(?:rsa|ecdsa|ed25519)$", re.IGNORECASE)
PUBLIC_HALF = re.compile(r"\.pub$", re.IGNORECASE)
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "Pods", ".gradle", "DerivedData", ".idea", ".vscode"})
GENERATED_DIRS = frozenset({"android/build", "android/app/build", "ios/App/build", "ios/build"})
MAX_SCAN_BYTES = 256 * 1024
ANDROID_SHIPPED = "android/app/src/main/assets/"
IOS_PUBLIC = "ios/App/App/public/"
IOS_TARGET = "ios/App/App/"
IOS_PROJECT = "ios/App/App.xcodeproj/project.pbxproj"


@dataclass(frozen=True, slots=True)
class KeyFile:
    path: str               # relative to the project, posix
    why: str                # what makes it a private key
    pem_offset: int | None  # byte offset of the PEM header, when found by content


def find_keys(root: Path, max_files: int) -> Iterator[KeyFile]:
    """Private-key files under the project root, in path order; symlinks and dependency folders skipped."""
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIPPED_DIRS and f"{here}/{d}".removeprefix("./") not in GENERATED_DIRS and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            seen += 1
            if seen > max_files:
                return
            full = os.path.join(dirpath, name)
            if PUBLIC_HALF.search(name) or os.path.islink(full):
                continue
            by_name = bool(KEY_BY_NAME.search(name))
            if not by_name and not KEY_BY_CONTENT.search(name):
                continue
            rel = Path(full).relative_to(root).as_posix()
            offset = _pem_offset(full)
            capgo = name.lower().startswith(".capgo_key")
            if offset is not None:
                yield KeyFile(rel, "is Capgo's bundle-signing private key" if capgo else "holds a PEM private key", offset)
            elif by_name:
                yield KeyFile(rel, "is Capgo's bundle-signing private key" if capgo else "is a key store", None)


def _pem_offset(path: str) -> int | None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(MAX_SCAN_BYTES)
    except OSError:
        return None
    match = PEM_PRIVATE.search(head)
    return match.start() if match else None


def shipped_by(rel: str, ios_project_text: str | None) -> str | None:
    """Which app package the file ends up in, or None."""
    if rel.startswith(ANDROID_SHIPPED):
        return "the Android APK/AAB (everything under app/src/main/assets is packed)"
    if rel.startswith(IOS_PUBLIC):
        return "the iOS app bundle (the app target's public folder is copied whole)"
    if rel.startswith(IOS_TARGET) and ios_project_text and _listed(ios_project_text, rel.rsplit("/", 1)[-1]):
        return "the iOS app bundle (the Xcode project lists it)"
    return None


def _listed(project_text: str, name: str) -> bool:
    return re.search(r"(?:path|name) = \"?" + re.escape(name) + r"\"?;", project_text) is not None

"""open_input(path): sniff the input by its bytes (never its name alone) and read it.

Each reader returns a `Bundle` or raises an `InputError`; nothing else may escape.
Reader modules are imported only when their format is seen, to keep start-up light.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from auditor.engine.errors import InputError, LimitExceeded, Unsupported
from auditor.engine.lazy import LazyPattern
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.model import Bundle
from auditor.engine.settings import DEFAULT_SETTINGS, Settings

SWBN_MAGIC = bytes.fromhex("48f09f968bf09f93a6")  # bstr(8) "🖋📦" after the array head
WBN_MAGIC = bytes.fromhex("48f09f8c90f09f93a6")   # bstr(8) "🌐📦"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
TEXT_SNIFF_BYTES = 64 * 1024
ZIP_TAIL_BYTES = 22 + 0xFFFF
CONFIG_KEYS = frozenset({"appId", "plugins", "webDir", "appName"})
UPDATE_DOCUMENT_KEYS = frozenset({"versions", "url", "checksum", "session_key", "manifest"})
TOP_LEVEL_KEY = LazyPattern(r'"(appId|plugins|webDir|appName|versions|url|checksum|session_key|manifest)"\s*:')
TS_CONFIG = LazyPattern(r"\bCapacitorConfig\b|@capacitor/cli|export\s+default\s*\{[^}]*\bappId\s*:", re.S)


def sniff(path: Path) -> str:
    """Name of the reader module for this input, decided by its content (a name only breaks ties)."""
    if path.is_dir():
        from auditor.readers.capacitor_project import is_project

        return "capacitor_project" if is_project(path) else "folder"
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(TEXT_SNIFF_BYTES)
        tail = read_tail(handle, size) if not head.startswith(ZIP_MAGICS) else b""
    if not head:
        raise Unsupported("the file is empty", where=str(path))
    if len(head) >= 10 and head[1:10] == SWBN_MAGIC:
        return "signed_web_bundle"
    if len(head) >= 10 and head[1:10] == WBN_MAGIC:
        return "web_bundle"
    if head.startswith(ZIP_MAGICS) or b"PK\x05\x06" in tail:
        return "ota_zip"  # a zip, perhaps behind prepended data: the end record says so
    if looks_encrypted(head, size):
        raise Unsupported(
            "this looks like an encrypted Capgo bundle (the AES-128-CBC output of `bundle encrypt`: no zip signature, "
            "random bytes, a size that is a multiple of 16); audit the zip before encryption, with `--checksum` set to "
            "the encrypted checksum and `--capacitor-config` naming the app's config to check it",
            where=str(path),
        )
    if is_capacitor_config(head, path.name):
        return "capacitor_config"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json_document"
    raise Unsupported(
        "not a Signed Web Bundle, Web Bundle, OTA zip, Capacitor config, JSON document or folder "
        f"(first bytes {head[:8].hex(' ')})",
        where=str(path),
    )


def read_tail(handle, size: int) -> bytes:
    """The last bytes where a zip's end record must be (22 bytes plus a comment of at most 64 KiB)."""
    handle.seek(max(0, size - ZIP_TAIL_BYTES))
    return handle.read(ZIP_TAIL_BYTES)


def is_capacitor_config(head: bytes, name: str) -> bool:
    """A Capacitor config by content: a JSON object with `appId` or `plugins` (and no update-document
    keys), or a TS/JS module exporting a `CapacitorConfig`; `capacitor.config.*` by name too."""
    if name.lower().startswith("capacitor.config."):
        return True
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        keys = set(TOP_LEVEL_KEY.findall(text))
        return bool(keys & CONFIG_KEYS) and not keys & UPDATE_DOCUMENT_KEYS
    return bool(TS_CONFIG.search(text))


def looks_encrypted(head: bytes, size: int) -> bool:
    """AES output: a whole number of 16-byte blocks whose bytes look uniformly random."""
    if size < 32 or size % 16 or len(head) < 256:
        return False
    sample = head[:4096]
    return len(set(sample)) > min(240, len(sample) // 2) and not sample.isascii()


def open_input(path: Path, *, limits: Limits = DEFAULT_LIMITS, settings: Settings = DEFAULT_SETTINGS) -> Bundle:
    """Read any supported input into the model."""
    if not path.exists():
        raise InputError("no such file or folder", where=str(path))
    if path.is_file() and path.stat().st_size > limits.max_input_bytes:
        raise LimitExceeded(
            f"input is {path.stat().st_size} bytes; the limit is {limits.max_input_bytes} (max_input_bytes)",
            where=str(path),
        )
    try:
        module_name = sniff(path)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None
    try:
        return reader(module_name)(path, limits=limits, settings=settings)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None


def reader(name: str) -> Callable[..., Bundle]:
    """The `read` function of the reader `sniff` named, imported only now (start-up stays light)."""
    if name == "folder":
        from auditor.readers.folder import read
    elif name == "signed_web_bundle":
        from auditor.readers.signed_web_bundle import read
    elif name == "web_bundle":
        from auditor.readers.web_bundle import read
    elif name == "ota_zip":
        from auditor.readers.ota_zip import read
    elif name == "capacitor_config":
        from auditor.readers.capacitor_config import read
    elif name == "capacitor_project":
        from auditor.readers.capacitor_project import read
    else:
        from auditor.readers.json_document import read
    return read

"""open_input(path): sniff the input by its bytes (never its name alone) and read it.

Each reader returns a `Bundle` or raises an `InputError`; nothing else may escape.
Reader modules are imported only when their format is seen, to keep start-up light.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.engine.errors import InputError, LimitExceeded, Unsupported
from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.model import Bundle
from auditor.engine.settings import DEFAULT_SETTINGS, Settings

SWBN_MAGIC = bytes.fromhex("48f09f968bf09f93a6")  # bstr(8) "🖋📦" after the array head
WBN_MAGIC = bytes.fromhex("48f09f8c90f09f93a6")   # bstr(8) "🌐📦"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
SNIFF_BYTES = 16


def sniff(path: Path) -> str:
    """Name of the reader module for this input: decided by content, then by name for text."""
    if path.is_dir():
        return "folder"
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if len(head) >= 10 and head[1:10] == SWBN_MAGIC:
        return "signed_web_bundle"
    if len(head) >= 10 and head[1:10] == WBN_MAGIC:
        return "web_bundle"
    if head.startswith(ZIP_MAGICS):
        return "ota_zip"
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    name = path.name.lower()
    if name.startswith("capacitor.config."):
        return "capacitor_config"
    if text_head.startswith((b"{", b"[")):
        return "json_document"
    if not head:
        raise Unsupported("the file is empty", where=str(path))
    raise Unsupported(
        "not a Signed Web Bundle, Web Bundle, OTA zip, JSON document or folder "
        f"(first bytes {head[:8].hex(' ')})",
        where=str(path),
    )


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
    else:
        from auditor.readers.json_document import read
    return read

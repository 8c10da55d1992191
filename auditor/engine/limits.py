"""Resource limits in one place: defaults accept every real app and stop every bomb.

Chromium's own limits (section-lengths < 8 KiB, metadata sections <= 1 MiB,
response headers < 512 KiB, update manifest <= 5 MiB) are format rules, not
ours; they live in the readers beside the code that enforces them.
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.engine.record import FrozenRecord, replace


class Limits(FrozenRecord):
    """Every limit an audit enforces; `Limits(max_resources=10)` or `DEFAULT_LIMITS.with_overrides(...)` changes some."""

    __slots__ = ("max_cbor_depth", "max_config_bytes", "max_input_bytes", "max_json_depth", "max_native_config_bytes", "max_parsed_script_bytes", "max_resources", "max_script_bytes", "max_source_map_bytes", "max_text_resource_bytes", "max_update_manifest_bytes", "max_zip_member_bytes", "max_zip_ratio", "max_zip_total_bytes", "min_zip_ratio_bytes")

    def __init__(
        self,
        max_input_bytes: int = 4 * 1024**3,            # whole input file or folder
        max_resources: int = 100_000,                  # files / zip members (a bundle's index is bounded by its 1 MiB size)
        max_cbor_depth: int = 16,                      # nesting of any CBOR item we decode (Chromium's cbor::Reader::kCBORMaxDepth)
        max_text_resource_bytes: int = 64 * 1024**2,   # HTML/CSS/JS/JSON larger than this is not parsed
        max_script_bytes: int = 16 * 1024**2,          # a script larger than this is not parsed (its tree would take ~55x its size)
        max_parsed_script_bytes: int = 16 * 1024**2,   # script source whose trees stay in memory at once; older trees are re-parsed on demand
        max_zip_ratio: int = 200,                      # uncompressed/compressed per member
        max_zip_total_bytes: int = 2 * 1024**3,        # declared uncompressed total of an archive
        max_zip_member_bytes: int = 256 * 1024**2,     # declared uncompressed size of one archive member
        min_zip_ratio_bytes: int = 1024**2,            # members smaller than this are never judged by ratio
        max_update_manifest_bytes: int = 5 * 1024**2,  # Chrome's own fetch limit
        max_json_depth: int = 64,                      # nesting of manifests and configs
        max_config_bytes: int = 1024**2,               # capacitor.config.{json,ts,js}
        max_source_map_bytes: int = 64 * 1024**2,      # a source map larger than this is not read (findings stay in the built file)
        max_native_config_bytes: int = 4 * 1024**2,    # AndroidManifest.xml, network security config, Info.plist
    ) -> None:
        given = locals()
        for name in self._fields:
            object.__setattr__(self, name, given[name])

    def zip_member_bomb(self, size: int, compressed: int) -> str | None:
        """Why a zip member's declared sizes are a bomb's (it is never inflated), or None.

        The one place this is decided: both unzip models, the OTA reader and
        OTA008 ask here, so what is withheld and what is reported never differ.
        """
        if size > self.max_zip_member_bytes:
            return f"declares {size} bytes (limit {self.max_zip_member_bytes})"
        if size >= self.min_zip_ratio_bytes and size > self.max_zip_ratio * max(compressed, 1):
            return f"expands {size // max(compressed, 1)} times ({compressed} -> {size} bytes; limit {self.max_zip_ratio})"
        return None

    def zip_total_bomb(self, total: int) -> bool:
        """Whether an archive's declared uncompressed total passes `max_zip_total_bytes`."""
        return total > self.max_zip_total_bytes

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return cls._fields

    def with_overrides(self, overrides: Mapping[str, object]) -> Limits:
        """These limits with some replaced; an unknown name or a non-positive integer is a ValueError naming it."""
        known = set(self.names())
        changes: dict[str, int] = {}
        for name, value in overrides.items():
            if name not in known:
                raise ValueError(f"unknown limit `{name}` (known: {', '.join(sorted(known))})")
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit `{name}` must be a positive integer, not {value!r}")
            changes[name] = value
        return replace(self, **changes)


def parse_limit(text: str) -> tuple[str, int]:
    """`NAME=VALUE` from the command line; VALUE may use a K, M or G suffix (powers of 1024)."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"`{text}` is not NAME=VALUE")
    value = value.strip()
    scale = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(value[-1:].lower(), 1)
    digits = value[:-1] if scale != 1 else value
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"limit `{name.strip()}`: `{value}` is not a whole number")
    return name.strip(), int(digits) * scale


DEFAULT_LIMITS = Limits()

"""Resource limits in one place: defaults accept every real app and stop every bomb.

Chromium's own limits (section-lengths < 8 KiB, metadata sections <= 1 MiB,
response headers < 512 KiB, update manifest <= 5 MiB) are format rules, not
ours; they live in the readers beside the code that enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_input_bytes: int = 4 * 1024**3           # whole input file or folder
    max_resources: int = 100_000                 # index entries / files / zip members
    max_cbor_depth: int = 16                     # nesting of any CBOR item we decode
    max_cbor_items: int = 1_000_000              # items in one decoded CBOR structure
    max_text_resource_bytes: int = 64 * 1024**2  # HTML/CSS/JS/JSON larger than this is not parsed
    max_zip_ratio: int = 200                     # uncompressed/compressed per member
    max_zip_total_bytes: int = 2 * 1024**3       # declared uncompressed total of an archive
    max_zip_member_bytes: int = 256 * 1024**2    # declared uncompressed size of one archive member
    min_zip_ratio_bytes: int = 1024**2           # members smaller than this are never judged by ratio
    max_update_manifest_bytes: int = 5 * 1024**2  # Chrome's own fetch limit
    max_json_depth: int = 64                     # nesting of manifests and configs
    max_config_bytes: int = 1024**2              # capacitor.config.{json,ts,js}


DEFAULT_LIMITS = Limits()

"""Permissions policy as Chrome computes it for an IWA: manifest grants narrowed by headers.

The manifest's `permissions_policy` is the only source of grants: every
policy-controlled feature it does not list is off for an IWA, whatever the
feature's usual default. A document's `Permissions-Policy` header (an RFC 8941
structured-field dictionary, parsed with `http_sfv`) can only narrow it:
Chromium `PermissionsPolicy::CombinePolicies` ignores header features the
manifest lacks, keeps the manifest entry when the header says `*`, takes the
header's list when the manifest says `*`, and otherwise intersects.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from auditor.engine.record import FrozenRecord, store_fields
from auditor.schemas import read_text

FEATURES_FILE = "permissions-policy-features.txt"
ISOLATED_MARKER = "visibility: IsolatedContext"
MAX_ORIGIN_LENGTH = 2000


class Allowlist(FrozenRecord):
    """Who a feature is allowed for: everyone, the app itself, and/or listed origins."""

    __slots__ = ("app", "everyone", "origins")
    everyone: bool
    app: bool
    origins: frozenset[str]

    def __init__(self, everyone: bool = False, app: bool = False, origins: frozenset[str] = frozenset()) -> None:
        store_fields(self, locals())

    @property
    def enabled_for_app(self) -> bool:
        return self.everyone or self.app

    def describe(self) -> str:
        if self.everyone:
            return "*"
        parts = (["self"] if self.app else []) + sorted(self.origins)
        return " ".join(parts) if parts else "none"


@lru_cache(maxsize=1)
def feature_catalogue() -> tuple[frozenset[str], frozenset[str]]:
    """(known feature names, features grantable only in isolated contexts) from the shipped data file."""
    text = read_text(FEATURES_FILE)
    known, isolated, in_isolated = set(), set(), False
    for line in text.splitlines():
        if line.startswith("#"):
            comment = line[1:].strip()
            if ISOLATED_MARKER in comment:
                in_isolated = True
            elif in_isolated and line.startswith("#   "):
                isolated.update(name.strip() for name in comment.split(",") if name.strip())
            else:
                in_isolated = False
        elif line.strip():
            known.add(line.strip())
    return frozenset(known), frozenset(isolated)


def normalize_origin(token: str) -> str | None:
    """The serialized origin of an absolute URL (`https://a.example:443/x` -> `https://a.example`), else None."""
    try:
        parts = urlsplit(token)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    default = {"https": 443, "http": 80, "wss": 443, "ws": 80}.get(parts.scheme.lower())
    suffix = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}{suffix}"


def manifest_allowlist(tokens: list[str]) -> Allowlist:
    """One manifest entry the way Chrome reads it (`self`/`none` case-insensitive, quoted forms too)."""
    everyone, app, origins = False, False, set()
    for token in tokens:
        bare = token.strip().strip("'").lower()
        if token.strip() == "*":
            everyone = True
        elif bare == "self":
            app = True
        elif bare in ("none", "src"):
            continue
        elif (origin := normalize_origin(token.strip())) is not None:
            origins.add(origin)
    return Allowlist(everyone, app, frozenset(origins))


def manifest_policy(value: object) -> dict[str, Allowlist]:
    """The manifest's grants as Blink keeps them: bad or empty entries dropped."""
    if not isinstance(value, dict):
        return {}
    policy = {}
    for feature, tokens in value.items():
        if not isinstance(tokens, list) or not tokens:
            continue
        if not all(isinstance(t, str) and 0 < len(t) <= MAX_ORIGIN_LENGTH for t in tokens):
            continue
        policy[feature] = manifest_allowlist(tokens)
    return policy


class HeaderSyntaxError(ValueError):
    """The header is not a structured-field dictionary; Chrome ignores all of it."""


def parse_header(value: str) -> dict[str, Allowlist]:
    """A `Permissions-Policy` header value as feature -> allowlist (RFC 8941 dictionary)."""
    import http_sfv

    dictionary = http_sfv.Dictionary()
    try:
        dictionary.parse(value.encode("latin-1", "replace"))
    except ValueError:
        raise HeaderSyntaxError("not a structured-field dictionary (RFC 8941)") from None
    policy = {}
    for feature, member in dictionary.items():
        items = list(member) if isinstance(member, http_sfv.InnerList) else [member]
        everyone, app, origins = False, False, set()
        for item in items:
            token = item.value
            if isinstance(token, http_sfv.Token):
                if str(token) == "*":
                    everyone = True
                elif str(token) == "self":
                    app = True
            elif isinstance(token, str) and (origin := normalize_origin(token)) is not None:
                origins.add(origin)
        policy[feature] = Allowlist(everyone, app, frozenset(origins))
    return policy


def combine(manifest: Mapping[str, Allowlist], header: Mapping[str, Allowlist]) -> dict[str, Allowlist]:
    """The effective policy: the manifest's grants narrowed by the header (CombinePolicies)."""
    result = dict(manifest)
    for feature, narrowing in header.items():
        granted = manifest.get(feature)
        if granted is None or narrowing.everyone:
            continue
        if granted.everyone:
            result[feature] = Allowlist(False, narrowing.app, narrowing.origins)
        else:
            result[feature] = Allowlist(False, granted.app and narrowing.app, granted.origins & narrowing.origins)
    return result


class PolicyTable(FrozenRecord):
    """The effective policy as rows for a table and as JSON-able data (what `inspect` shows)."""

    __slots__ = ("columns", "data", "rows", "title")
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    data: list

    def __init__(self, title: str, columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], data: list) -> None:
        store_fields(self, locals())


def effective_policy_table(ctx) -> PolicyTable | None:
    """The effective policy per feature, and what each document header does to it; None without a manifest."""
    from auditor.chrome.manifest import load_manifest

    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None:
        return None
    granted = manifest_policy(manifest.data.get("permissions_policy"))
    _, isolated = feature_catalogue()
    headers = document_headers(ctx)
    rows, data = [], []
    for feature in sorted(set(granted) | {f for h in headers.values() for f in h}):
        in_manifest = granted.get(feature)
        narrowed_by = [path for path, header in headers.items() if feature in header]
        effective = [combine(granted, header).get(feature) for header in headers.values()] or [in_manifest]
        enabled = {bool(a and a.enabled_for_app) for a in effective}
        state = "on" if enabled == {True} else "off" if enabled == {False} else "on in some documents"
        row = {
            "feature": feature,
            "manifest": in_manifest.describe() if in_manifest else "(not granted)",
            "headers": narrowed_by,
            "effective_for_app": state,
            "isolated_context_only": feature in isolated,
        }
        data.append(row)
        rows.append((feature, row["manifest"], ", ".join(narrowed_by) or "-", state, "yes" if feature in isolated else ""))
    return PolicyTable(
        title="Effective permissions policy (manifest narrowed by Permissions-Policy headers; deny-all default)",
        columns=("feature", "manifest", "narrowed by", "for the app", "isolated-only"),
        rows=tuple(rows),
        data=data,
    )


def document_headers(ctx) -> dict[str, dict[str, Allowlist]]:
    """Parsed `Permissions-Policy` headers of HTML documents that carry one (unparseable ones left out)."""

    def build() -> dict[str, dict[str, Allowlist]]:
        found = {}
        for resource in ctx.resources("text/html", "application/xhtml+xml"):
            value = resource.headers.get("permissions-policy")
            if value is None:
                continue
            try:
                found[resource.path] = parse_header(value)
            except HeaderSyntaxError:
                continue
        return found

    return ctx.memo("permissions-policy-headers", build)

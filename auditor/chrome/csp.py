"""Content-Security-Policy parsing and the question Chrome's IWA policy raises: who blocks what.

Chrome *adds* its own CSP to every IWA response and keeps the bundle's: a
request must pass both, so a bundle CSP can only narrow. `blocked_by_bundle`
lists what Chrome allows that the bundle's policy refuses; `without_effect`
lists what the bundle's policy allows that Chrome refuses anyway.
"""

from __future__ import annotations

CHROME_POLICY_TEXT = (
    "base-uri 'none'; default-src 'self'; object-src 'none'; frame-src 'self' https: blob: data:; "
    "connect-src 'self' https: wss: blob: data:; script-src 'self' 'wasm-unsafe-eval'; "
    "img-src 'self' https: blob: data:; media-src 'self' https: blob: data:; font-src 'self' blob: data:; "
    "style-src 'self' 'unsafe-inline'; require-trusted-types-for 'script'; frame-ancestors 'self'"
)
FALLBACKS = {
    "script-src": ("default-src",),
    "style-src": ("default-src",),
    "img-src": ("default-src",),
    "media-src": ("default-src",),
    "font-src": ("default-src",),
    "connect-src": ("default-src",),
    "object-src": ("default-src",),
    "frame-src": ("child-src", "default-src"),
    "worker-src": ("child-src", "script-src", "default-src"),
}
CHECKED_DIRECTIVES = ("script-src", "style-src", "img-src", "media-src", "font-src", "connect-src", "frame-src", "object-src")
WHAT_BREAKS = {
    ("connect-src", "blob:"): "fetch() of blob: URLs fails",
    ("connect-src", "data:"): "fetch() of data: URLs fails",
    ("connect-src", "wss:"): "WebSockets fail",
    ("connect-src", "https:"): "requests to other https origins fail",
    ("style-src", "'unsafe-inline'"): "inline <style> and style= attributes are ignored",
    ("script-src", "'wasm-unsafe-eval'"): "WebAssembly compilation fails",
    ("img-src", "https:"): "remote images fail",
    ("img-src", "blob:"): "blob: images fail",
    ("img-src", "data:"): "data: images fail",
    ("frame-src", "https:"): "remote iframes fail",
}
Policy = dict[str, list[str]]


def parse_policy(text: str) -> Policy:
    """One serialized policy: directive -> source list (keywords and schemes lower-cased); first directive wins."""
    policy: Policy = {}
    for part in text.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name not in policy:
            policy[name] = [t.lower() if t.startswith("'") or t.endswith(":") or t == "*" else t for t in tokens[1:]]
    return policy


def parse_header(value: str) -> list[Policy]:
    """A header value may hold several policies separated by commas; each applies."""
    return [parse_policy(p) for p in value.split(",") if p.strip()]


CHROME_POLICY = parse_policy(CHROME_POLICY_TEXT)


def effective(policy: Policy, directive: str) -> list[str] | None:
    """The source list that governs `directive`, following CSP fallbacks; None when unrestricted."""
    if directive in policy:
        return policy[directive]
    for fallback in FALLBACKS.get(directive, ()):
        if fallback in policy:
            return policy[fallback]
    return None


def allows(sources: list[str] | None, token: str) -> bool:
    """Whether a source list admits everything `token` (a source expression) admits."""
    if sources is None:
        return True
    present = set(sources)
    if "'none'" in present and len(present) == 1:
        return False
    if token == "'unsafe-inline'":
        # a nonce or hash in the list disables 'unsafe-inline'
        return token in present and not any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in present)
    if token == "'wasm-unsafe-eval'":
        return bool(present & {"'wasm-unsafe-eval'", "'unsafe-eval'"})
    if token.startswith("'"):
        return token in present
    if token.endswith(":"):  # a scheme source
        covering = {"https:": {"https:", "http:", "*"}, "wss:": {"wss:", "ws:", "https:", "http:", "*"}, "http:": {"http:"}, "ws:": {"ws:", "http:"}}
        return bool(present & covering.get(token, {token}))
    if token == "*":
        return "*" in present
    # a host source such as https://cdn.example.com
    scheme = token.split("://", 1)[0].lower() + ":" if "://" in token else None
    return token in present or ("*" in present and scheme in (None, "https:", "http:", "wss:", "ws:")) or (scheme is not None and allows(sources, scheme))


def blocked_by_bundle(policy: Policy) -> list[tuple[str, str]]:
    """(directive, token) pairs Chrome allows that the bundle policy refuses."""
    found = []
    for directive in CHECKED_DIRECTIVES:
        mine = effective(policy, directive)
        for token in CHROME_POLICY.get(directive, []):
            if token != "'none'" and not allows(mine, token):
                found.append((directive, token))
    return found


def without_effect(policy: Policy) -> list[tuple[str, str]]:
    """(directive, token) pairs the bundle allows that Chrome's own policy refuses anyway."""
    found = []
    for directive, sources in policy.items():
        chrome = effective(CHROME_POLICY, directive) if directive in FALLBACKS else CHROME_POLICY.get(directive)
        if chrome is None:
            continue
        for token in sources:
            if token in ("'none'", "'report-sample'"):
                continue
            if not allows(chrome, token):
                found.append((directive, token))
    return found

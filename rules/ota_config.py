"""OTA config rules: `capacitor.config.*` as the updater's native code (and the CLI) reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.capgo import updater as ota
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level, Precision
from auditor.engine.location import Location
from auditor.engine.model import InputKind
from auditor.engine.problems import ProblemCode
from auditor.engine.registry import Need, rule

CONFIG = frozenset({InputKind.CAPACITOR_CONFIG})
RESPONSE = frozenset({InputKind.UPDATE_RESPONSE})


def config_location(ctx: Context, pointer: str) -> Location:
    """The key of a config member (or its nearest existing ancestor)."""
    return ctx.document_location(ctx.bundle.document, pointer, key=True)  # type: ignore[arg-type]


# --- capacitor.config.* ---------------------------------------------------------------------

ENDPOINT_KEYS = ("updateUrl", "channelUrl", "statsUrl")


@rule(id="OTA020", name="insecure-updater-endpoint", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "external/cwe/cwe-319"), security_severity=8.0)
def insecure_updater_endpoint(ctx: Context) -> Iterator[Hit]:
    """An updater endpoint (`updateUrl`, `channelUrl`, `statsUrl`) is not `https:` or is a local address.

    ## What it checks
    Those keys under `plugins.CapacitorUpdater`: each must be an `https:` URL
    (error otherwise); an `https:` URL on localhost or a private address is a
    warning (a dev server left in a release config). `statsUrl: ""` (disabled) is fine.

    ## Why it matters
    Update checks over plain HTTP let anyone on the network answer with their
    own bundle URL and version; without `publicKey` that is code execution on
    every device.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"updateUrl": "http://updates.example.com/api"}}}
    ```

    ## Fix
    Serve the endpoints over HTTPS from a public host.

    ## References
    Cap-go/capacitor-updater `src/definitions.ts` (`updateUrl`, `channelUrl`, `statsUrl`).
    """
    config = ota.updater(ctx.bundle.document)
    for key in ENDPOINT_KEYS if config else ():
        value = config.get(key)  # type: ignore[union-attr]
        if not isinstance(value, str) or (key == "statsUrl" and value == ""):
            continue
        location = config_location(ctx, f"{ota.UPDATER}/{key}")
        if not ota.is_https(value):
            yield Hit(f"`{key}` is `{value}`, not an https: URL", location)
        elif ota.is_local_host(ota.url_host(value)):
            yield Hit(f"`{key}` points at the local address `{ota.url_host(value)}`", location, level=Level.WARNING)


@rule(id="OTA021", name="unsigned-updates", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "signing"), security_severity=8.5)
def unsigned_updates(ctx: Context) -> Iterator[Hit]:
    """The updater has no `publicKey`, so bundles are not signed or verified.

    ## What it checks
    A `plugins.CapacitorUpdater` section without `publicKey`: an error when
    `updateUrl` points at your own server, a warning with the Capgo cloud
    (default `updateUrl`, or a `capgo.app` host).

    ## Why it matters
    Without `publicKey` the device checks nothing but the checksum the same
    server sent: whoever controls the update server, its CDN or its storage
    ships code to every device. With Capgo's cloud you rely on Capgo's
    infrastructure and TLS.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"updateUrl": "https://updates.example.com/api"}}}
    ```

    ## Fix
    Run `npx @capgo/cli key create` (writes `publicKey` into the config, keeps
    the private key in `.capgo_key_v2`) and upload bundles with it.

    ## References
    Cap-go/capacitor-updater `src/definitions.ts` (`publicKey`), `CapgoUpdater.finishDownload`; Cap-go/CLI `src/key.ts`.
    """
    config = ota.updater(ctx.bundle.document)
    if config is None or config.get("publicKey"):
        return
    url = config.get("updateUrl")
    if isinstance(url, str) and ota.url_host(url) and ota.url_host(url) not in ota.CAPGO_HOSTS:
        yield Hit(f"self-hosted `updateUrl` ({ota.url_host(url)}) without `publicKey`: updates are not signed", config_location(ctx, f"{ota.UPDATER}/updateUrl"))
    elif not isinstance(url, ota.Computed):
        yield Hit("no `publicKey`: Capgo cloud updates are not signed end to end", config_location(ctx, ota.UPDATER), level=Level.WARNING)


@rule(id="OTA022", name="malformed-public-key", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "signing"), security_severity=7.0)
def malformed_public_key(ctx: Context) -> Iterator[Hit]:
    """The updater's `publicKey` is not a PKCS#1 PEM RSA-2048 key as the device reads it.

    ## What it checks
    The raw string, as both platforms read it: it must start with
    `-----BEGIN RSA PUBLIC KEY-----` (no leading space or newline), hold real
    newlines rather than literal `\\n` escapes, and decode, the way Android's
    `stringToPublicKey` does (whitespace and header stripped, base64), to an RSA
    key of exactly 2048 bits (parsed with `cryptography`). A computed
    `publicKey` in a `.ts` config is not judged here (OTA034 notes it).

    ## Why it matters
    Without the header at the very start both platforms silently skip
    decryption; literal `\\n` escapes corrupt the key and Android throws at
    plugin load (the app crashes); iOS `fatalError`s unless the key is
    RSA-2048. Any of these makes every signed update fail.

    ## Example
    ```json
    {"publicKey": "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkq...\\n-----END PUBLIC KEY-----"}
    ```

    ## Fix
    Use the key written by `npx @capgo/cli key create` (or convert with
    `openssl rsa -pubin -RSAPublicKey_out`).

    ## References
    Cap-go/capacitor-updater `CryptoCipher.stringToPublicKey` (Android), `CryptoCipher.swift` (iOS); Cap-go/CLI `src/api/crypto.ts`.
    """
    config = ota.updater(ctx.bundle.document)
    value = config.get("publicKey") if config else None
    if isinstance(value, str) and value:
        problem = ota.rsa_public_key_problem(value)
        if problem:
            yield Hit(f"`publicKey` {problem}", config_location(ctx, f"{ota.UPDATER}/publicKey"))


@rule(id="OTA023", name="private-key-in-config", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "secrets", "external/cwe/cwe-321"), security_severity=9.5)
def private_key_in_config(ctx: Context) -> Iterator[Hit]:
    """The Capacitor config holds a private key (legacy `privateKey`), shipped inside the app.

    ## What it checks
    A non-empty `plugins.CapacitorUpdater.privateKey` (encryption v1), and any
    string in the config containing `-----BEGIN ... PRIVATE KEY-----`.

    ## Why it matters
    The config is compiled into the app: anyone can extract the key, sign
    bundles with it, and decrypt yours. This is critical: rotate the key.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"privateKey": "-----BEGIN RSA PRIVATE KEY-----..."}}}
    ```

    ## Fix
    Remove it, run `npx @capgo/cli key create` (v2 keys: only `publicKey` goes
    in the config; the CLI deletes a legacy `privateKey`), and ship a new app build.

    ## References
    Cap-go/CLI `src/key.ts` (removes a legacy `privateKey`); CWE-321.
    """
    document = ctx.bundle.document
    config = ota.updater(document)
    legacy = config.get("privateKey") if config else None
    if legacy:
        yield Hit("`privateKey` is in the config: the signing key ships inside the app", config_location(ctx, f"{ota.UPDATER}/privateKey"))
    for pointer, value in ota.leaves(document.value if document else None):
        if isinstance(value, str) and ota.PRIVATE_KEY_PEM.search(value) and pointer != f"{ota.UPDATER}/privateKey":
            yield Hit(f"`{pointer}` holds a private key", config_location(ctx, pointer))


def flags_set(ctx: Context, keys: tuple[str, ...]) -> Iterator[str]:
    """The updater keys among `keys` that are literally `true`."""
    config = ota.updater(ctx.bundle.document)
    for key in keys:
        if config and config.get(key) is True:
            yield key


@rule(id="OTA024", name="js-can-redirect-updates", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=6.5)
def js_can_redirect_updates(ctx: Context) -> Iterator[Hit]:
    """`allowModifyUrl` lets JavaScript change where updates come from.

    ## What it checks
    `allowModifyUrl: true` (warning), an error when `persistModifyUrl: true`
    makes the changed URLs survive restarts.

    ## Why it matters
    One XSS or one malicious bundle can call `setUpdateUrl()` and point every
    future update at an attacker's server; with persistence it stays there.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"allowModifyUrl": true, "persistModifyUrl": true}}}
    ```

    ## Fix
    Remove both keys unless the app really switches servers at run time; then
    require `publicKey` so a redirected server still cannot sign bundles.

    ## References
    Cap-go/capacitor-updater `src/definitions.ts`.
    """
    on = set(flags_set(ctx, ("allowModifyUrl", "persistModifyUrl")))
    if "allowModifyUrl" in on:
        persist = "persistModifyUrl" in on
        message = "`allowModifyUrl` lets JavaScript change the update, channel and stats URLs"
        yield Hit(
            message + (", and `persistModifyUrl` keeps the change across restarts" if persist else ""),
            config_location(ctx, f"{ota.UPDATER}/allowModifyUrl"),
            related=(config_location(ctx, f"{ota.UPDATER}/persistModifyUrl"),) if persist else (),
            level=Level.ERROR if persist else None,
        )


@rule(id="OTA025", name="js-can-change-app-id", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=6.0)
def js_can_change_app_id(ctx: Context) -> Iterator[Hit]:
    """`allowModifyAppId` lets JavaScript change which app's updates are fetched.

    ## What it checks
    `allowModifyAppId: true` under `plugins.CapacitorUpdater`.

    ## Why it matters
    Script can then switch the device to another app id's channel, including
    bundles published for a different app.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"allowModifyAppId": true}}}
    ```

    ## Fix
    Remove the key.
    """
    for key in flags_set(ctx, ("allowModifyAppId",)):
        yield Hit(f"`{key}` lets JavaScript change the app id used for updates", config_location(ctx, f"{ota.UPDATER}/{key}"))


@rule(id="OTA026", name="preview-features-enabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=5.0)
def preview_features_enabled(ctx: Context) -> Iterator[Hit]:
    """Preview or shake-menu features are on in the config (`allowPreview`, `shakeMenu`, ...).

    ## What it checks
    `allowPreview`, `shakeMenu` or `allowShakeChannelSelector` set to `true`.

    ## Why it matters
    They let users (or script) load other app ids' bundles or switch channels
    from a gesture: useful in a QA build, an open door in production.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"shakeMenu": true}}}
    ```

    ## Fix
    Enable them only in a separate QA config.

    ## References
    Cap-go/capacitor-updater `src/definitions.ts`.
    """
    for key in flags_set(ctx, ("allowPreview", "shakeMenu", "allowShakeChannelSelector")):
        yield Hit(f"`{key}` is enabled; it is meant for QA builds", config_location(ctx, f"{ota.UPDATER}/{key}"))


LOCAL_KEYS = ("localHost", "localWebHost", "localSupa", "localSupaAnon", "localApi", "localApiFiles")


@rule(id="OTA027", name="local-endpoint-configured", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=5.0)
def local_endpoint_configured(ctx: Context) -> Iterator[Hit]:
    """A `local*` development endpoint is set in the updater config.

    ## What it checks
    Any of `localHost`, `localWebHost`, `localSupa`, `localSupaAnon`,
    `localApi`, `localApiFiles`; a warning at most, `http:` values included.

    ## Why it matters
    These point the Capgo CLI at a development or self-hosted backend. The
    updater's native code never reads them (8.51.23), so devices are not
    affected; in a release config they are a leftover that sends CI uploads to
    the wrong (perhaps plain-http) server.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"localApi": "http://192.168.1.20:54321"}}}
    ```

    ## Fix
    Keep `local*` keys in a development-only config.
    """
    config = ota.updater(ctx.bundle.document)
    for key in LOCAL_KEYS if config else ():
        value = config.get(key)  # type: ignore[union-attr]
        if value in (None, ""):
            continue
        insecure = isinstance(value, str) and value.strip().lower().startswith("http://")
        yield Hit(f"`{key}` is set" + (f" to the plain-http URL `{value}`" if insecure else "") + "; only the Capgo CLI reads it, never the app", config_location(ctx, f"{ota.UPDATER}/{key}"))


@rule(id="OTA028", name="reset-when-update-disabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=3.0)
def reset_when_update_disabled(ctx: Context) -> Iterator[Hit]:
    """`resetWhenUpdate: false` keeps an OTA bundle running over a newer store build.

    ## What it checks
    `resetWhenUpdate` set to `false` under `plugins.CapacitorUpdater`.

    ## Why it matters
    After a store update the app keeps running the old OTA bundle, which may
    be older than the web code in the new binary: an unintended downgrade, and
    a mismatch with new native code. Capgo's docs warn it breaks updates.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"resetWhenUpdate": false}}}
    ```

    ## Fix
    Remove the key (default `true`); guard downgrades on the channel with `downgrade_under_native`.
    """
    config = ota.updater(ctx.bundle.document)
    if config is not None and config.get("resetWhenUpdate") is False:
        yield Hit("`resetWhenUpdate` is false: old OTA bundles survive store updates", config_location(ctx, f"{ota.UPDATER}/resetWhenUpdate"))


MIN_READY_TIMEOUT, MAX_READY_TIMEOUT = 1000, 60_000


@rule(id="OTA029", name="unusual-rollback-settings", level=Level.NOTE, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), security_severity=2.0)
def unusual_rollback_settings(ctx: Context) -> Iterator[Hit]:
    """The rollback settings are unusual: `appReadyTimeout` out of range or `autoDeleteFailed: false`.

    ## What it checks
    `appReadyTimeout` below 1000 ms (Android clamps it to 1000) or above
    60000 ms, and `autoDeleteFailed: false`.

    ## Why it matters
    A very short timeout rolls back healthy updates on slow devices; a very
    long one leaves a broken bundle running. Failed bundles kept on disk waste
    storage and can be re-selected by mistake.

    ## Example
    ```json
    {"plugins": {"CapacitorUpdater": {"appReadyTimeout": 500}}}
    ```

    ## Fix
    Keep the defaults (10000 ms, `autoDeleteFailed: true`) unless measured otherwise.
    """
    config = ota.updater(ctx.bundle.document)
    if config is None:
        return
    timeout = config.get("appReadyTimeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and not MIN_READY_TIMEOUT <= timeout <= MAX_READY_TIMEOUT:
        side = "below the 1000 ms Android clamps to" if timeout < MIN_READY_TIMEOUT else f"above {MAX_READY_TIMEOUT} ms"
        yield Hit(f"`appReadyTimeout` is {timeout} ms, {side}", config_location(ctx, f"{ota.UPDATER}/appReadyTimeout"))
    if config.get("autoDeleteFailed") is False:
        yield Hit("`autoDeleteFailed` is false: failed bundles stay on the device", config_location(ctx, f"{ota.UPDATER}/autoDeleteFailed"))


@rule(id="OTA030", name="live-reload-server-url", level=Level.ERROR, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=7.5)
def live_reload_server_url(ctx: Context) -> Iterator[Hit]:
    """`server.url` makes the app load its web content from a server instead of the bundle.

    ## What it checks
    A non-empty `server.url` in the Capacitor config.

    ## Why it matters
    Capacitor's docs describe it as a live-reload setting "not intended for use
    in production": the app runs whatever that server returns, with full
    access to native plugins, and OTA updates and their signatures are bypassed.

    ## Example
    ```json
    {"server": {"url": "http://192.168.1.10:5173"}}
    ```

    ## Fix
    Remove `server.url` from release configs (use `npx cap run --live-reload` in development).

    ## References
    Capacitor config docs (`server.url`); ionic-team/capacitor discussion #5075.
    """
    document = ctx.bundle.document
    value = ota.member(document, "/server/url") if document else None
    if isinstance(value, str) and value:
        yield Hit(f"`server.url` loads the app from `{value}`", config_location(ctx, "/server/url"))


@rule(id="OTA031", name="cleartext-traffic-allowed", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor", "external/cwe/cwe-319"), security_severity=6.0)
def cleartext_traffic_allowed(ctx: Context) -> Iterator[Hit]:
    """The app allows plain-HTTP traffic: `server.cleartext` or `android.allowMixedContent`.

    ## What it checks
    `server.cleartext: true` and `android.allowMixedContent: true`.

    ## Why it matters
    Cleartext lets the WebView (and plugins) talk HTTP that anyone on the
    network can read and rewrite; mixed content lets an `https` page load
    `http` scripts.

    ## Example
    ```json
    {"server": {"cleartext": true}, "android": {"allowMixedContent": true}}
    ```

    ## Fix
    Remove both; serve every backend over HTTPS.
    """
    document = ctx.bundle.document
    for pointer in ("/server/cleartext", "/android/allowMixedContent"):
        if document is not None and ota.member(document, pointer) is True:
            yield Hit(f"`{pointer[1:].replace('/', '.')}` is true", config_location(ctx, pointer))


@rule(id="OTA032", name="wildcard-navigation", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=6.0)
def wildcard_navigation(ctx: Context) -> Iterator[Hit]:
    """`server.allowNavigation` lets the WebView navigate to any host.

    ## What it checks
    Entries of `server.allowNavigation` that are `*` or a wildcard over a
    whole top-level domain (`*.com`).

    ## Why it matters
    Pages allowed there load inside the app's WebView with access to the
    native bridge; a wildcard hands that to any site a link or redirect reaches.

    ## Example
    ```json
    {"server": {"allowNavigation": ["*"]}}
    ```

    ## Fix
    List the exact hosts the app must open in its WebView; open others in the browser.
    """
    document = ctx.bundle.document
    entries = ota.member(document, "/server/allowNavigation") if document else None
    for i, entry in enumerate(entries if isinstance(entries, list) else ()):
        if isinstance(entry, str) and (entry.strip() == "*" or re.fullmatch(r"\*\.[^.]+", entry.strip())):
            yield Hit(f"`allowNavigation` entry `{entry}` matches any host", ctx.document_location(document, f"/server/allowNavigation/{i}"))  # type: ignore[arg-type]


@rule(id="OTA033", name="webview-debugging-enabled", level=Level.WARNING, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config", "capacitor"), security_severity=5.5)
def webview_debugging_enabled(ctx: Context) -> Iterator[Hit]:
    """`webContentsDebuggingEnabled` lets anyone with the device inspect and script the app's WebView.

    ## What it checks
    `webContentsDebuggingEnabled: true` at the top level, under `android` or under `ios`.

    ## Why it matters
    With it, Chrome DevTools or Safari Web Inspector attach to a release build:
    read tokens, call native plugins, change the update URL.

    ## Example
    ```json
    {"android": {"webContentsDebuggingEnabled": true}}
    ```

    ## Fix
    Remove it (Capacitor enables debugging only for debug builds by default).
    """
    document = ctx.bundle.document
    for pointer in ("/webContentsDebuggingEnabled", "/android/webContentsDebuggingEnabled", "/ios/webContentsDebuggingEnabled"):
        if document is not None and ota.member(document, pointer) is True:
            yield Hit(f"`{pointer[1:].replace('/', '.')}` is true", config_location(ctx, pointer))


@rule(id="OTA034", name="computed-config-value", level=Level.NOTE, inputs=CONFIG, needs=Need.DOCUMENT, tags=("ota", "config"), precision=Precision.MEDIUM, security_severity=1.0)
def computed_config_value(ctx: Context) -> Iterator[Hit]:
    """A value in `capacitor.config.ts`/`.js` is computed, so iwa-audit did not check it.

    ## What it checks
    Values that are not literals (`process.env.X`, function calls, template
    strings with `${}`, spreads of non-constant objects): iwa-audit never runs
    the config, so it reports these instead of guessing.

    ## Why it matters
    A computed `updateUrl` or `publicKey` may be fine or may be `http:` in the
    build that ships; the audit cannot tell, and says so.

    ## Example
    ```ts
    plugins: { CapacitorUpdater: { updateUrl: process.env.UPDATE_URL } }
    ```

    ## Fix
    Nothing, if intended; audit the generated `capacitor.config.json` in the
    native project (`android/app/src/main/assets/capacitor.config.json`) to
    check the final values.
    """
    document = ctx.bundle.document
    for pointer, value in ota.computed_values(document.value if document else None):
        source = f"`` {value.source} ``" if "`" in value.source else f"`{value.source}`"
        yield Hit(f"`{pointer}` is computed ({source}); not checked", config_location(ctx, pointer))


@rule(id="OTA035", name="duplicate-json-key", level=Level.WARNING, inputs=CONFIG | RESPONSE, needs=Need.DOCUMENT, tags=("ota", "config", "response"), security_severity=4.0)
def duplicate_json_key(ctx: Context) -> Iterator[Hit]:
    """A key appears twice in the same object of the config or update response.

    ## What it checks
    Duplicate keys in `capacitor.config.json` or an update response (the
    location is the last occurrence, which is the one that counts).

    ## Why it matters
    JSON parsers disagree on duplicates: most keep the last, some the first,
    some refuse. A reviewer reads the first `url`; the device may use the
    second. In a config it usually means an edit went into the wrong copy.

    ## Example
    ```json
    {"version": "1.2.0", "url": "https://cdn.example.com/1.2.0.zip", "url": "http://evil.example/x.zip"}
    ```

    ## Fix
    Keep one copy of each key.
    """
    for pointer in (p.pointer for p in ctx.bundle.problems if p.code is ProblemCode.DUPLICATE_KEY):
        yield Hit(f"key `{pointer}` appears more than once; the last one wins", ctx.document_location(ctx.bundle.document, pointer, key=True))  # type: ignore[arg-type]


RULES = (
    insecure_updater_endpoint, unsigned_updates, malformed_public_key, private_key_in_config,
    js_can_redirect_updates, js_can_change_app_id, preview_features_enabled, local_endpoint_configured,
    reset_when_update_disabled, unusual_rollback_settings, live_reload_server_url, cleartext_traffic_allowed,
    wildcard_navigation, webview_debugging_enabled, computed_config_value, duplicate_json_key,
)

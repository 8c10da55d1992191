"""NAT: the native transport security a Capacitor app's OTA channel relies on.

An OTA update is only as safe as the connection it comes over. These rules
read a Capacitor project's Android manifest and network security config and
its iOS Info.plist (App Transport Security) as the platforms apply them, for
the hosts the app's config talks to (`auditor/native/hosts.py`): the Capgo
updater endpoints (defaults when unset) and `server.allowNavigation`. Each
finding names the host and the config member that brought it in.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.lazy import LazyModule
from auditor.engine.location import Location
from auditor.engine.model import InputKind
from auditor.engine.registry import Need, rule
from auditor.native import project as facts  # registers the native files' need providers (cheap)

# The native file readers, imported only when a Capacitor project is audited.
android = LazyModule("auditor.native.android")
ios = LazyModule("auditor.native.ios")
keys = LazyModule("auditor.native.keys")

PROJECT = frozenset({InputKind.CAPACITOR_PROJECT})
HOST_LEVEL = {"updater": Level.ERROR, "navigation": Level.WARNING}


def _named(hosts) -> str:
    return ", ".join(h.describe() for h in hosts)


@rule(id="NAT001", name="unreadable-native-config", level=Level.ERROR, inputs=PROJECT, tags=("native", "input"), security_severity=3.0)
def unreadable_native_config(ctx: Context) -> Iterator[Hit]:
    """A native config file (AndroidManifest.xml, network security config, Info.plist) could not be read.

    ## What it checks
    That each native file the transport rules need parses: well-formed XML
    without entity declarations or external references (parsed with
    defusedxml), a readable XML or binary property list (`plistlib`), within
    `max_native_config_bytes`.

    ## Why it matters
    What cannot be read was not audited. The Android and iOS build tools refuse
    such files too, so a release build from this tree would fail or ship
    something else than what is in the repository.

    ## Example
    ```xml
    <!DOCTYPE m [<!ENTITY a "aaaa…">]><manifest>&a;</manifest>
    ```

    ## Fix
    Restore the file from the Capacitor template (`npx cap add android|ios`) and
    re-apply your changes without DTDs or entities.

    ## References
    https://developer.android.com/guide/topics/manifest/manifest-intro,
    https://developer.apple.com/documentation/bundleresources/information-property-list
    """
    for problem in ctx.bundle.problems:
        if problem.code not in ("native-unreadable", "native-too-large", "web-dir-unreadable"):
            continue
        resource = ctx.bundle.resources.get(problem.resource or "")
        location = ctx.text_location(resource, problem.offset, problem.offset + 1) if resource is not None and problem.offset is not None else Location(resource=problem.resource)
        yield Hit(problem.message, location)


@rule(id="NAT002", name="android-cleartext-permitted", level=Level.ERROR, inputs=PROJECT, tags=("native", "android", "external/cwe/cwe-319"), security_severity=7.5)
def android_cleartext_permitted(ctx: Context) -> Iterator[Hit]:
    """Android lets the app send plain HTTP to the updater or to a page the WebView opens.

    ## What it checks
    `android:usesCleartextTraffic="true"` on `<application>` (Android ignores it
    from API 24 on when a network security config is present, so then only
    when `minSdkVersion` is below 24); `cleartextTrafficPermitted="true"` on
    `<base-config>` (every host); on the `<domain-config>` Android picks for an
    updater host (error) or an `allowNavigation` host (warning), inherited
    values included.

    ## Why it matters
    With cleartext allowed, a redirect or a mistyped `http:` endpoint sends the
    update check unencrypted, and anyone on the network can answer it with
    their own bundle URL.

    ## Example
    ```xml
    <domain-config cleartextTrafficPermitted="true">
      <domain includeSubdomains="true">capgo.app</domain>
    </domain-config>
    ```

    ## Fix
    Remove the attribute (API 28+ denies cleartext by default) or limit it to a
    development host inside `<debug-overrides>`-only builds.

    ## References
    https://developer.android.com/privacy-and-security/security-config#CleartextTrafficPermitted,
    https://developer.android.com/guide/topics/manifest/application-element#usesCleartextTraffic
    """
    hosts = facts.app_hosts(ctx)
    found = facts.manifest(ctx)
    nsc = facts.network_config(ctx)
    min_sdk = facts.native(ctx).android_min_sdk
    if found is not None:
        path, document = found
        app = android.application(document)
        if app is not None and android.bool_attr(app.get(android.ANDROID_NS, "usesCleartextTraffic")) is True:
            honoured = nsc is None or (isinstance(min_sdk, int) and min_sdk < android.MIN_SDK_IGNORING_MANIFEST_FLAG)
            if honoured:
                why = "" if nsc is None else f" (the network security config overrides it from API 24; minSdkVersion is {min_sdk})"
                named = f"; it covers {_named(hosts)}" if hosts else ""
                yield Hit(f"`android:usesCleartextTraffic=\"true\"` allows plain HTTP to every host{why}{named}", facts.element_location(ctx, path, document, app, (android.ANDROID_NS, "usesCleartextTraffic")))
    if nsc is None:
        return
    path, config = nsc
    if config.base is not None and config.base.cleartext is True:
        exposed = [h for h in hosts if (c := config.config_for(h.probe())) is None or c.inherited("cleartext")[1] is config.base]
        named = f"; it covers {_named(exposed)}" if exposed else ""
        yield Hit(f"`<base-config cleartextTrafficPermitted=\"true\">` allows plain HTTP to every host without its own domain-config{named}", facts.element_location(ctx, path, config.document, config.base.element, ("", "cleartextTrafficPermitted")))
    for host in hosts:
        chosen = config.config_for(host.probe())
        if chosen is None:
            continue
        value, setter = chosen.inherited("cleartext")
        if value is True and setter is not None and setter is not config.base:
            yield Hit(
                f"the domain-config for {host.describe()} permits cleartext traffic",
                facts.element_location(ctx, path, config.document, setter.element, ("", "cleartextTrafficPermitted")),
                related=facts.host_origin(ctx, host),
                level=HOST_LEVEL[host.role],
            )


@rule(id="NAT003", name="android-user-certificates-trusted", level=Level.ERROR, inputs=PROJECT, tags=("native", "android", "external/cwe/cwe-295"), security_severity=7.5)
def android_user_certificates_trusted(ctx: Context) -> Iterator[Hit]:
    """The release build trusts user-installed CA certificates (`<certificates src="user"/>`).

    ## What it checks
    `<certificates src="user">` inside the `<trust-anchors>` of `<base-config>`
    or any `<domain-config>`. Inside `<debug-overrides>` it is fine: Android
    applies those only to debuggable builds.

    ## Why it matters
    Any CA a user (or malware, or an MDM profile) installs can then intercept
    the app's HTTPS, including the update check and the bundle download.

    ## Example
    ```xml
    <base-config><trust-anchors><certificates src="user"/></trust-anchors></base-config>
    ```

    ## Fix
    Move it into `<debug-overrides>` for proxy debugging.

    ## References
    https://developer.android.com/privacy-and-security/security-config#TrustingDebugCa
    """
    nsc = facts.network_config(ctx)
    if nsc is None:
        return
    path, config = nsc
    hosts = facts.updater_hosts(ctx)
    for scope in ([config.base] if config.base else []) + config.domain_configs:
        for certificates in scope.certificates:
            if (certificates.get("", "src") or "").strip() != "user":
                continue
            if scope is config.base:
                where = "in `<base-config>` (every host without its own trust anchors)"
                covered = [h for h in hosts if (c := config.config_for(h.name)) is None or not c.certificates]
            else:
                where = "for " + ", ".join(f"`{d.name}`" for d in scope.domains)
                covered = [h for h in hosts if config.config_for(h.name) is scope]
            named = f"; the updater host {_named(covered)} is among them" if covered else ""
            yield Hit(f"user-installed CA certificates are trusted {where}{named}", facts.element_location(ctx, path, config.document, certificates, ("", "src")))


@rule(id="NAT004", name="android-debuggable-release", level=Level.ERROR, inputs=PROJECT, needs=Need.ANDROID_MANIFEST, tags=("native", "android", "external/cwe/cwe-489"), security_severity=7.0)
def android_debuggable_release(ctx: Context) -> Iterator[Hit]:
    """The main (release) AndroidManifest.xml sets `android:debuggable="true"`.

    ## What it checks
    `android:debuggable="true"` on `<application>` in
    `android/app/src/main/AndroidManifest.xml`, which every build type merges.
    The same attribute in `src/debug/AndroidManifest.xml` is fine.

    ## Why it matters
    A debuggable release lets anyone with the phone attach a debugger, read the
    app's storage (downloaded bundles included) and activates
    `<debug-overrides>`, such as trusted user CAs.

    ## Example
    ```xml
    <application android:debuggable="true" ...>
    ```

    ## Fix
    Remove it: the Android Gradle plugin sets it for debug builds only.

    ## References
    https://developer.android.com/guide/topics/manifest/application-element#debug
    """
    found = facts.required(ctx, Need.ANDROID_MANIFEST)
    path, document = found
    app = android.application(document)
    if app is not None and android.bool_attr(app.get(android.ANDROID_NS, "debuggable")) is True:
        yield Hit("`android:debuggable=\"true\"` in the main manifest makes release builds debuggable", facts.element_location(ctx, path, document, app, (android.ANDROID_NS, "debuggable")))


@rule(id="NAT005", name="android-weak-pin-set", level=Level.WARNING, inputs=PROJECT, tags=("native", "android", "pinning"), security_severity=5.0)
def android_weak_pin_set(ctx: Context) -> Iterator[Hit]:
    """The `<pin-set>` meant for an updater host has expired, has no backup pin, or does not cover the host.

    ## What it checks
    For each updater host, the pin-set Android applies (from the matching
    domain-config, inherited from a parent domain-config too): an
    `expiration` date in the past (Android then stops enforcing the pins),
    a single `<pin>`, or a pin-set for a related domain that misses the host
    (`capgo.app` without `includeSubdomains` while the host is `plugin.capgo.app`).

    ## Why it matters
    An expired or non-matching pin-set gives no protection while looking like
    it does; a single pin turns the next key rotation into an outage.

    ## Example
    ```xml
    <domain-config><domain>capgo.app</domain>
      <pin-set expiration="2024-01-01"><pin digest="SHA-256">…</pin></pin-set></domain-config>
    ```

    ## Fix
    Cover the exact host (or set `includeSubdomains="true"`), pin at least two
    keys (one a backup), and keep `expiration` in the future.

    ## References
    https://developer.android.com/privacy-and-security/security-config#CertificatePinning
    """
    nsc = facts.network_config(ctx)
    if nsc is None:
        return
    path, config = nsc
    import datetime

    today = datetime.date.today()
    for host in facts.updater_hosts(ctx):
        chosen = config.config_for(host.name)
        pin_set = chosen.inherited("pin_set")[0] if chosen is not None else None
        related = facts.host_origin(ctx, host)
        if pin_set is not None:
            expired = android.pin_set_expired(pin_set, today)  # type: ignore[arg-type]
            if expired is not None:
                yield Hit(f"the pin-set for {host.describe()} expired on {expired}; Android no longer enforces it", facts.element_location(ctx, path, config.document, pin_set, ("", "expiration")), related=related)  # type: ignore[arg-type]
            if len(android.pins(pin_set)) == 1:  # type: ignore[arg-type]
                yield Hit(f"the pin-set for {host.describe()} has a single pin and no backup", facts.element_location(ctx, path, config.document, pin_set), related=related)  # type: ignore[arg-type]
            continue
        for scope in config.domain_configs:
            if scope.inherited("pin_set")[0] is None:
                continue
            near = next((d for d in scope.domains if facts.registrable(d.name) == facts.registrable(host.name)), None)
            if near is not None:
                yield Hit(f"the pin-set for `{near.name}` does not cover {host.describe()}", facts.element_location(ctx, path, config.document, near.element), related=related)
                break


@rule(id="NAT006", name="android-updater-not-pinned", level=Level.NOTE, inputs=PROJECT, needs=Need.ANDROID_MANIFEST, tags=("native", "android", "pinning"), security_severity=2.0)
def android_updater_not_pinned(ctx: Context) -> Iterator[Hit]:
    """No `<pin-set>` protects an updater host on Android.

    ## What it checks
    For each updater host (Capgo's defaults when the config sets none), that
    the network security config gives it a pin-set, directly or by
    inheritance. A related pin-set that misses the host is NAT005 instead.

    ## Why it matters
    Without pinning, any CA the device trusts can issue a certificate for the
    update server. Capgo's guidance recommends pinning the update host; with
    `publicKey` bundles are signed anyway, so this is a note.

    ## Example
    ```xml
    <network-security-config><base-config/></network-security-config>
    ```

    ## Fix
    Add a `<domain-config>` for the host with a `<pin-set>` of two SPKI hashes.

    ## References
    https://developer.android.com/privacy-and-security/security-config#CertificatePinning
    """
    found = facts.required(ctx, Need.ANDROID_MANIFEST)
    nsc = facts.network_config(ctx)
    for host in facts.updater_hosts(ctx):
        if nsc is not None:
            path, config = nsc
            chosen = config.config_for(host.name)
            if chosen is not None and chosen.inherited("pin_set")[0] is not None:
                continue
            if any(scope.inherited("pin_set")[0] is not None and any(facts.registrable(d.name) == facts.registrable(host.name) for d in scope.domains) for scope in config.domain_configs):
                continue  # NAT005 reports the near miss
            location = facts.element_location(ctx, path, config.document, config.document.root)
        else:
            path, document = found
            app = android.application(document)
            location = facts.element_location(ctx, path, document, app or document.root)
        yield Hit(f"no pin-set covers the updater host {host.describe()}", location, related=facts.host_origin(ctx, host))


@rule(id="NAT007", name="ios-arbitrary-loads", level=Level.ERROR, inputs=PROJECT, needs=Need.INFO_PLIST, tags=("native", "ios", "external/cwe/cwe-319"), security_severity=7.5)
def ios_arbitrary_loads(ctx: Context) -> Iterator[Hit]:
    """`NSAllowsArbitraryLoads` turns App Transport Security off for the updater's connections.

    ## What it checks
    `NSAppTransportSecurity` → `NSAllowsArbitraryLoads` = YES, unless iOS
    ignores it: from iOS 10 on it has no effect when
    `NSAllowsArbitraryLoadsForMedia`, `NSAllowsArbitraryLoadsInWebContent` or
    `NSAllowsLocalNetworking` is present.

    ## Why it matters
    ATS off means plain HTTP and weak TLS are accepted for every domain not in
    `NSExceptionDomains`: the update check and download included.

    ## Example
    ```xml
    <key>NSAppTransportSecurity</key><dict><key>NSAllowsArbitraryLoads</key><true/></dict>
    ```

    ## Fix
    Remove the key; add a narrow `NSExceptionDomains` entry for a host that
    really needs it.

    ## References
    https://developer.apple.com/documentation/bundleresources/information-property-list/nsapptransportsecurity/nsallowsarbitraryloads
    """
    found = facts.required(ctx, Need.INFO_PLIST)
    path, plist = found
    if ios.ats(plist).get("NSAllowsArbitraryLoads") is not True or ios.arbitrary_loads_ignored(plist):
        return
    exceptions = ios.entries(plist, "NSExceptionDomains")
    exposed = [h for h in facts.updater_hosts(ctx) if ios.entry_for(exceptions, h.name) is None]
    named = f"; it covers the updater host {_named(exposed)}" if exposed else ""
    yield Hit(f"`NSAllowsArbitraryLoads` disables App Transport Security for every domain not in NSExceptionDomains{named}", facts.plist_location(ctx, path, plist, (ios.ATS, "NSAllowsArbitraryLoads")))


@rule(id="NAT008", name="ios-arbitrary-loads-in-web-content", level=Level.WARNING, inputs=PROJECT, needs=Need.INFO_PLIST, tags=("native", "ios", "external/cwe/cwe-319"), security_severity=5.0)
def ios_arbitrary_loads_in_web_content(ctx: Context) -> Iterator[Hit]:
    """`NSAllowsArbitraryLoadsInWebContent` lets the WebView load anything over plain HTTP.

    ## What it checks
    `NSAppTransportSecurity` → `NSAllowsArbitraryLoadsInWebContent` = YES. It
    exempts WKWebView loads from ATS; the updater's own URLSession traffic is
    not affected. The finding names the `allowNavigation` hosts it exposes.

    ## Why it matters
    Pages the app navigates to (and everything they load) can be read and
    rewritten on the network, inside the app's bridge to native plugins.

    ## Example
    ```xml
    <key>NSAllowsArbitraryLoadsInWebContent</key><true/>
    ```

    ## Fix
    Remove it and serve remote pages over HTTPS.

    ## References
    https://developer.apple.com/documentation/bundleresources/information-property-list/nsapptransportsecurity/nsallowsarbitraryloadsinwebcontent
    """
    found = facts.required(ctx, Need.INFO_PLIST)
    path, plist = found
    if ios.ats(plist).get("NSAllowsArbitraryLoadsInWebContent") is not True:
        return
    navigation = [h for h in facts.app_hosts(ctx) if h.role == "navigation"]
    named = f"; the app navigates to {_named(navigation)}" if navigation else ""
    yield Hit(f"`NSAllowsArbitraryLoadsInWebContent` exempts WebView loads from App Transport Security{named}", facts.plist_location(ctx, path, plist, (ios.ATS, "NSAllowsArbitraryLoadsInWebContent")))


@rule(id="NAT009", name="ios-insecure-exception-domain", level=Level.ERROR, inputs=PROJECT, needs=Need.INFO_PLIST, tags=("native", "ios", "external/cwe/cwe-319"), security_severity=7.5)
def ios_insecure_exception_domain(ctx: Context) -> Iterator[Hit]:
    """An `NSExceptionDomains` entry allows plain HTTP or TLS below 1.2 for an app host.

    ## What it checks
    The exception entry iOS applies to an updater host (error) or an
    `allowNavigation` host (warning): the exact name, or a parent with
    `NSIncludesSubdomains`; `NSExceptionAllowsInsecureHTTPLoads` = YES or
    `NSExceptionMinimumTLSVersion` of `TLSv1.0`/`TLSv1.1`.

    ## Why it matters
    The exception removes ATS's protection for exactly the host the update
    channel (or the WebView) depends on.

    ## Example
    ```xml
    <key>plugin.capgo.app</key><dict><key>NSExceptionAllowsInsecureHTTPLoads</key><true/></dict>
    ```

    ## Fix
    Delete the exception; the host serves TLS 1.2+.

    ## References
    https://developer.apple.com/documentation/bundleresources/information-property-list/nsapptransportsecurity/nsexceptiondomains
    """
    found = facts.required(ctx, Need.INFO_PLIST)
    path, plist = found
    exceptions = ios.entries(plist, "NSExceptionDomains")
    for host in facts.app_hosts(ctx):
        entry = ios.entry_for(exceptions, host.probe())
        if entry is None:
            continue
        if entry.settings.get("NSExceptionAllowsInsecureHTTPLoads") is True:
            yield Hit(f"`{entry.name}` allows insecure HTTP loads for {host.describe()}", facts.plist_location(ctx, path, plist, (*entry.path, "NSExceptionAllowsInsecureHTTPLoads")), related=facts.host_origin(ctx, host), level=HOST_LEVEL[host.role])
        version = entry.settings.get("NSExceptionMinimumTLSVersion")
        if ios.tls_below_1_2(version):
            yield Hit(f"`{entry.name}` accepts {version} for {host.describe()}", facts.plist_location(ctx, path, plist, (*entry.path, "NSExceptionMinimumTLSVersion")), related=facts.host_origin(ctx, host), level=HOST_LEVEL[host.role])


@rule(id="NAT010", name="ios-weak-pinned-domain", level=Level.WARNING, inputs=PROJECT, needs=Need.INFO_PLIST, tags=("native", "ios", "pinning"), security_severity=5.0)
def ios_weak_pinned_domain(ctx: Context) -> Iterator[Hit]:
    """The `NSPinnedDomains` entry for an updater host has fewer than two SPKI hashes or misses the host.

    ## What it checks
    For each updater host: the covering `NSPinnedDomains` entry (exact, or a
    parent with `NSIncludesSubdomains`) must list at least two
    `SPKI-SHA256-BASE64` hashes (CA and leaf identities together); an entry
    for a related domain that does not cover the host is reported too.

    ## Why it matters
    One hash means the next certificate rotation breaks every update check; an
    entry that misses the host protects nothing.

    ## Example
    ```xml
    <key>NSPinnedDomains</key><dict><key>capgo.app</key><dict>…</dict></dict>
    ```

    ## Fix
    Pin the exact host or add `NSIncludesSubdomains`; list a backup hash.

    ## References
    https://developer.apple.com/documentation/bundleresources/information-property-list/nsapptransportsecurity/nspinneddomains
    """
    found = facts.required(ctx, Need.INFO_PLIST)
    path, plist = found
    pinned = ios.entries(plist, "NSPinnedDomains")
    for host in facts.updater_hosts(ctx):
        entry = ios.entry_for(pinned, host.name)
        if entry is not None:
            count = len(ios.spki_hashes(entry.settings))
            if count < 2:
                yield Hit(f"`{entry.name}` pins {count} SPKI hash(es) for {host.describe()}; keep a backup", facts.plist_location(ctx, path, plist, entry.path), related=facts.host_origin(ctx, host))
            continue
        near = next((e for e in pinned if facts.registrable(e.name) == facts.registrable(host.name)), None)
        if near is not None:
            yield Hit(f"the pinned domain `{near.name}` does not cover {host.describe()}", facts.plist_location(ctx, path, plist, near.path), related=facts.host_origin(ctx, host))


@rule(id="NAT011", name="ios-updater-not-pinned", level=Level.NOTE, inputs=PROJECT, needs=Need.INFO_PLIST, tags=("native", "ios", "pinning"), security_severity=2.0)
def ios_updater_not_pinned(ctx: Context) -> Iterator[Hit]:
    """No `NSPinnedDomains` entry protects an updater host on iOS.

    ## What it checks
    For each updater host, an `NSPinnedDomains` entry covering it (a related
    entry that misses the host is NAT010 instead).

    ## Why it matters
    Any CA the device trusts can issue a certificate for the update server.
    Capgo's guidance recommends pinning; with `publicKey` bundles are signed
    anyway, so this is a note.

    ## Example
    ```xml
    <key>NSAppTransportSecurity</key><dict/>  <!-- no NSPinnedDomains -->
    ```

    ## Fix
    Add the host under `NSPinnedDomains` with two `NSPinnedLeafIdentities` or
    `NSPinnedCAIdentities` hashes.

    ## References
    https://developer.apple.com/documentation/bundleresources/information-property-list/nsapptransportsecurity/nspinneddomains
    """
    found = facts.required(ctx, Need.INFO_PLIST)
    path, plist = found
    pinned = ios.entries(plist, "NSPinnedDomains")
    for host in facts.updater_hosts(ctx):
        if ios.entry_for(pinned, host.name) is not None or any(facts.registrable(e.name) == facts.registrable(host.name) for e in pinned):
            continue
        location = facts.plist_location(ctx, path, plist, (ios.ATS,)) if (ios.ATS,) in plist.keys or plist.binary else Location(resource=path, pointer="/" + ios.ATS)
        yield Hit(f"no NSPinnedDomains entry covers the updater host {host.describe()}", location, related=facts.host_origin(ctx, host))


def _key_location(ctx: Context, key: keys.KeyFile) -> Location:
    resource = ctx.bundle.resources.get("/" + key.path)
    if resource is not None and key.pem_offset is not None:
        return ctx.text_location(resource, key.pem_offset, key.pem_offset + 5)
    return Location(resource="/" + key.path)


@rule(id="NAT012", name="committed-private-key", level=Level.ERROR, inputs=PROJECT, tags=("native", "secrets", "external/cwe/cwe-540"), security_severity=8.0)
def committed_private_key(ctx: Context) -> Iterator[Hit]:
    """A private key inside the project is not ignored by its `.gitignore`, so it gets committed.

    ## What it checks
    `.capgo_key_v2` (Capgo's bundle-signing key), key stores and PEM private
    keys anywhere in the project (dependency and build folders skipped),
    against every `.gitignore` on the way to them, matched as git does
    (negations, anchoring, `**`, directory patterns).

    ## Why it matters
    Whoever can read the repository can sign bundles every device accepts.

    ## Example
    ```
    .capgo_key_v2      <- written by `npx @capgo/cli key create`
    .gitignore         <- node_modules/, dist/ (no .capgo_key_v2)
    ```

    ## Fix
    Move the key to a secret store (CI secret) and add `.capgo_key_v2` to
    `.gitignore`; rotate it if it was ever pushed.

    ## References
    https://capgo.app/docs/cli/commands/#key, https://git-scm.com/docs/gitignore
    """
    for key, ignored_by in facts.native(ctx).keys:
        if ignored_by is None:
            yield Hit(f"`{key.path}` {key.why} and no .gitignore excludes it", _key_location(ctx, key), help="add it to .gitignore and keep it in a secret store")


@rule(id="NAT013", name="shipped-private-key", level=Level.ERROR, inputs=PROJECT, tags=("native", "secrets", "external/cwe/cwe-312"), security_severity=9.0)
def shipped_private_key(ctx: Context) -> Iterator[Hit]:
    """A private key sits where the native build packs it into the app users download.

    ## What it checks
    Private keys under `android/app/src/main/assets` (packed into the APK),
    `ios/App/App/public` (copied whole into the .app), or other files of
    `ios/App/App` that the Xcode project lists.

    ## Why it matters
    Anyone can unzip an APK or IPA: the key is public the day the app ships.

    ## Example
    ```
    android/app/src/main/assets/public/.capgo_key_v2   <- the web build copied the project root
    ```

    ## Fix
    Delete it from the assets and rotate the key.

    ## References
    https://developer.android.com/guide/topics/resources/providing-resources#OriginalFiles
    """
    project_text = facts.native(ctx).ios_project_text
    for key, _ in facts.native(ctx).keys:
        shipped = keys.shipped_by(key.path, project_text if isinstance(project_text, str) else None)
        if shipped:
            yield Hit(f"`{key.path}` {key.why} and ships in {shipped}", _key_location(ctx, key))


RULES = (
    unreadable_native_config,
    android_cleartext_permitted,
    android_user_certificates_trusted,
    android_debuggable_release,
    android_weak_pin_set,
    android_updater_not_pinned,
    ios_arbitrary_loads,
    ios_arbitrary_loads_in_web_content,
    ios_insecure_exception_domain,
    ios_weak_pinned_domain,
    ios_updater_not_pinned,
    committed_private_key,
    shipped_private_key,
)

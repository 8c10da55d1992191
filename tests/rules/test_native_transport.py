"""NAT rules: a hit (id, level, file:line:column, message) and a near-miss per rule, on project folders built here."""

from __future__ import annotations

import plistlib
from pathlib import Path

from capproject import MANIFEST_PATH, NSC_PATH, PLIST_PATH, manifest, nsc, plist, project
from helpers import audit_lines, position

CAPGO = "`plugin.capgo.app` (from `plugins.CapacitorUpdater.updateUrl (default)`)"
CAPGO_ALL = (
    "`plugin.capgo.app` (from `plugins.CapacitorUpdater.updateUrl (default)`, "
    "`plugins.CapacitorUpdater.statsUrl (default)`, `plugins.CapacitorUpdater.channelUrl (default)`)"
)


def at(root: Path, rel: str, needle: str, occurrence: int = 1) -> str:
    return f"/{rel}:{position((root / rel).read_text(encoding='utf-8'), needle, occurrence)}"


# --- NAT001 unreadable native config --------------------------------------------------------


def test_nat001_flags_malformed_manifest(tmp_path):
    root = project(tmp_path, android='<manifest>\n  <application>\n</manifest>\n')
    assert audit_lines(root, "NAT001") == [f"NAT001 error /{MANIFEST_PATH}:3:3 `{MANIFEST_PATH}`: not well-formed XML: mismatched tag (line 3, column 3)"]


def test_nat001_allows_the_template_files(tmp_path):
    assert audit_lines(project(tmp_path), "NAT001") == []


# --- NAT002 cleartext -------------------------------------------------------------------------


def test_nat002_flags_uses_cleartext_traffic_without_network_config(tmp_path):
    root = project(tmp_path, android=manifest(' android:usesCleartextTraffic="true"'))
    assert audit_lines(root, "NAT002") == [
        f"NAT002 error {at(root, MANIFEST_PATH, 'android:usesCleartextTraffic')} `android:usesCleartextTraffic=\"true\"` allows plain HTTP to every host; "
        f"it covers {CAPGO_ALL}"
    ]


def test_nat002_allows_manifest_flag_overridden_by_network_config_on_api_24(tmp_path):
    root = project(tmp_path, android=manifest(' android:usesCleartextTraffic="true"', nsc=True), network=nsc("<base-config/>"), files={"android/variables.gradle": "ext {\n    minSdkVersion = 24\n}\n"})
    assert audit_lines(root, "NAT002") == []


def test_nat002_flags_domain_config_for_a_custom_update_host(tmp_path):
    plugins = {"CapacitorUpdater": {"updateUrl": "https://ota.example.com/api", "statsUrl": ""}}
    body = '  <domain-config cleartextTrafficPermitted="true">\n    <domain includeSubdomains="true">example.com</domain>\n  </domain-config>'
    root = project(tmp_path, plugins=plugins, network=nsc(body))
    assert audit_lines(root, "NAT002") == [f"NAT002 error {at(root, NSC_PATH, 'cleartextTrafficPermitted')} the domain-config for `ota.example.com` (from `plugins.CapacitorUpdater.updateUrl`) permits cleartext traffic"]


def test_nat002_related_location_is_the_config_member(tmp_path):
    from helpers import audit

    plugins = {"CapacitorUpdater": {"updateUrl": "https://ota.example.com/api"}}
    body = '  <domain-config cleartextTrafficPermitted="true">\n    <domain>ota.example.com</domain>\n  </domain-config>'
    report = audit(project(tmp_path, plugins=plugins, network=nsc(body)), "NAT002")
    (finding,) = report.findings
    (related,) = finding.related
    assert (related.resource, related.span.start_line, related.span.start_column) == ("/capacitor.config.json", 7, 7)


def test_nat002_allows_cleartext_for_a_dev_host_only(tmp_path):
    body = '  <domain-config cleartextTrafficPermitted="true">\n    <domain>10.0.2.2</domain>\n  </domain-config>'
    assert audit_lines(project(tmp_path, network=nsc(body)), "NAT002") == []


def test_nat002_flags_base_config_and_warns_for_navigation_host(tmp_path):
    body = (
        '  <base-config cleartextTrafficPermitted="true"/>\n'
        '  <domain-config cleartextTrafficPermitted="false">\n    <domain includeSubdomains="true">capgo.app</domain>\n'
        '    <domain-config>\n      <domain>docs.example.org</domain>\n    </domain-config>\n  </domain-config>\n'
        '  <domain-config cleartextTrafficPermitted="true">\n    <domain includeSubdomains="true">example.net</domain>\n  </domain-config>'
    )
    root = project(tmp_path, config={"server": {"allowNavigation": ["*.example.net"]}}, network=nsc(body))
    assert audit_lines(root, "NAT002") == [
        f"NAT002 error {at(root, NSC_PATH, 'cleartextTrafficPermitted')} `<base-config cleartextTrafficPermitted=\"true\">` allows plain HTTP to every host without its own domain-config",
        f"NAT002 warning {at(root, NSC_PATH, 'cleartextTrafficPermitted', 3)} the domain-config for `*.example.net` (from `server.allowNavigation[0]`) permits cleartext traffic",
    ]


# --- NAT003 user certificates -----------------------------------------------------------------


def test_nat003_flags_user_certificates_in_base_config(tmp_path):
    body = '  <base-config>\n    <trust-anchors>\n      <certificates src="system"/>\n      <certificates src="user"/>\n    </trust-anchors>\n  </base-config>'
    root = project(tmp_path, network=nsc(body))
    where = at(root, NSC_PATH, 'src="user"')
    assert audit_lines(root, "NAT003") == [
        f"NAT003 error {where} user-installed CA certificates are trusted in `<base-config>` (every host without its own trust anchors); "
        f"the updater host {CAPGO_ALL} is among them"
    ]


def test_nat003_allows_user_certificates_in_debug_overrides(tmp_path):
    body = '  <debug-overrides>\n    <trust-anchors>\n      <certificates src="user"/>\n    </trust-anchors>\n  </debug-overrides>'
    assert audit_lines(project(tmp_path, network=nsc(body)), "NAT003") == []


# --- NAT004 debuggable ------------------------------------------------------------------------


def test_nat004_flags_debuggable_main_manifest(tmp_path):
    root = project(tmp_path, android=manifest(' android:debuggable="true"'))
    assert audit_lines(root, "NAT004") == [f"NAT004 error {at(root, MANIFEST_PATH, 'android:debuggable')} `android:debuggable=\"true\"` in the main manifest makes release builds debuggable"]


def test_nat004_allows_debuggable_in_the_debug_manifest(tmp_path):
    root = project(tmp_path, files={"android/app/src/debug/AndroidManifest.xml": manifest(' android:debuggable="true"')})
    assert audit_lines(root, "NAT004") == []


# --- NAT005 / NAT006 Android pinning ------------------------------------------------------------

PIN = '<pin digest="SHA-256">7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=</pin>'
BACKUP = '<pin digest="SHA-256">fwza0LRMXouZHRC8Ei+4PyuldPDcf3UKgO/04cDM1oE=</pin>'
ONE_HOST = {"CapacitorUpdater": {"updateUrl": "https://plugin.capgo.app/updates", "statsUrl": "", "channelUrl": "https://plugin.capgo.app/channel_self"}}


def pinned(domain: str, pins: str, expiration: str = "2999-01-01", include: str = "false") -> str:
    return nsc(f'  <domain-config>\n    <domain includeSubdomains="{include}">{domain}</domain>\n    <pin-set expiration="{expiration}">\n      {pins}\n    </pin-set>\n  </domain-config>')


def test_nat005_flags_expired_single_pin(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, network=pinned("plugin.capgo.app", PIN, "2020-01-01"))
    assert audit_lines(root, "NAT005") == [
        f"NAT005 warning {at(root, NSC_PATH, '<pin-set')} the pin-set for {CAPGO} has a single pin and no backup",
        f"NAT005 warning {at(root, NSC_PATH, 'expiration')} the pin-set for {CAPGO} expired on 2020-01-01; Android no longer enforces it",
    ]


def test_nat005_flags_pin_set_that_misses_the_host(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, network=pinned("capgo.app", PIN + BACKUP))
    assert audit_lines(root, "NAT005,NAT006") == [f"NAT005 warning {at(root, NSC_PATH, '<domain ')} the pin-set for `capgo.app` does not cover {CAPGO}"]


def test_nat005_allows_two_current_pins_covering_subdomains(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, network=pinned("capgo.app", PIN + BACKUP, include="true"))
    assert audit_lines(root, "NAT005,NAT006") == []


def test_nat006_flags_updater_host_without_pinning(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}})
    assert audit_lines(root, "NAT006") == [f"NAT006 note {at(root, MANIFEST_PATH, '<application')} no pin-set covers the updater host {CAPGO}"]


def test_nat006_allows_an_app_without_the_updater(tmp_path):
    assert audit_lines(project(tmp_path, plugins=None), "NAT006,NAT011") == []


# --- NAT007 / NAT008 / NAT009 iOS ATS --------------------------------------------------------------


def test_nat007_flags_arbitrary_loads(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, info=plist({"NSAllowsArbitraryLoads": True}))
    assert audit_lines(root, "NAT007") == [
        f"NAT007 error {at(root, PLIST_PATH, '<key>NSAllowsArbitraryLoads')} `NSAllowsArbitraryLoads` disables App Transport Security for every domain not in NSExceptionDomains; it covers the updater host {CAPGO}"
    ]


def test_nat007_allows_arbitrary_loads_that_ios_ignores(tmp_path):
    root = project(tmp_path, info=plist({"NSAllowsArbitraryLoads": True, "NSAllowsLocalNetworking": True}))
    assert audit_lines(root, "NAT007") == []


def test_nat007_flags_binary_plist_by_key_path(tmp_path):
    info = plistlib.dumps({"NSAppTransportSecurity": {"NSAllowsArbitraryLoads": True}}, fmt=plistlib.FMT_BINARY)
    root = project(tmp_path, plugins=None, info=info)
    assert audit_lines(root, "NAT007") == [f"NAT007 error /{PLIST_PATH} `NSAllowsArbitraryLoads` disables App Transport Security for every domain not in NSExceptionDomains"]


def test_nat008_flags_arbitrary_loads_in_web_content(tmp_path):
    root = project(tmp_path, config={"server": {"allowNavigation": ["docs.example.com"]}}, info=plist({"NSAllowsArbitraryLoadsInWebContent": True}))
    assert audit_lines(root, "NAT008") == [
        f"NAT008 warning {at(root, PLIST_PATH, '<key>NSAllowsArbitraryLoadsInWebContent')} `NSAllowsArbitraryLoadsInWebContent` exempts WebView loads from App Transport Security; "
        "the app navigates to `docs.example.com` (from `server.allowNavigation[0]`)"
    ]


def test_nat008_allows_the_key_set_to_false(tmp_path):
    assert audit_lines(project(tmp_path, info=plist({"NSAllowsArbitraryLoadsInWebContent": False})), "NAT008") == []


def test_nat009_flags_insecure_exception_for_the_update_host(tmp_path):
    exceptions = {"capgo.app": {"NSIncludesSubdomains": True, "NSExceptionAllowsInsecureHTTPLoads": True, "NSExceptionMinimumTLSVersion": "TLSv1.0"}}
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, info=plist({"NSExceptionDomains": exceptions}))
    assert audit_lines(root, "NAT009") == [
        f"NAT009 error {at(root, PLIST_PATH, '<key>NSExceptionAllowsInsecureHTTPLoads')} `capgo.app` allows insecure HTTP loads for {CAPGO}",
        f"NAT009 error {at(root, PLIST_PATH, '<key>NSExceptionMinimumTLSVersion')} `capgo.app` accepts TLSv1.0 for {CAPGO}",
    ]


def test_nat009_allows_exception_without_subdomains_and_tls_1_2(tmp_path):
    exceptions = {"capgo.app": {"NSExceptionAllowsInsecureHTTPLoads": True}, "plugin.capgo.app": {"NSExceptionMinimumTLSVersion": "TLSv1.2"}}
    root = project(tmp_path, info=plist({"NSExceptionDomains": exceptions}))
    assert audit_lines(root, "NAT009") == []


# --- NAT010 / NAT011 iOS pinning -----------------------------------------------------------------

HASH_A, HASH_B = "r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E=", "YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg="


def test_nat010_flags_single_hash(tmp_path):
    pins = {"plugin.capgo.app": {"NSPinnedLeafIdentities": [{"SPKI-SHA256-BASE64": HASH_A}]}}
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, info=plist({"NSPinnedDomains": pins}))
    assert audit_lines(root, "NAT010,NAT011") == [f"NAT010 warning {at(root, PLIST_PATH, '<key>plugin.capgo.app')} `plugin.capgo.app` pins 1 SPKI hash(es) for {CAPGO}; keep a backup"]


def test_nat010_flags_pinned_parent_without_subdomains(tmp_path):
    pins = {"capgo.app": {"NSPinnedCAIdentities": [{"SPKI-SHA256-BASE64": HASH_A}, {"SPKI-SHA256-BASE64": HASH_B}]}}
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, info=plist({"NSPinnedDomains": pins}))
    assert audit_lines(root, "NAT010,NAT011") == [f"NAT010 warning {at(root, PLIST_PATH, '<key>capgo.app')} the pinned domain `capgo.app` does not cover {CAPGO}"]


def test_nat010_allows_two_hashes_with_subdomains(tmp_path):
    pins = {"capgo.app": {"NSIncludesSubdomains": True, "NSPinnedCAIdentities": [{"SPKI-SHA256-BASE64": HASH_A}], "NSPinnedLeafIdentities": [{"SPKI-SHA256-BASE64": HASH_B}]}}
    root = project(tmp_path, info=plist({"NSPinnedDomains": pins}))
    assert audit_lines(root, "NAT010,NAT011") == []


def test_nat011_flags_updater_host_without_pinning(tmp_path):
    root = project(tmp_path, plugins={"CapacitorUpdater": {"statsUrl": "", "channelUrl": ""}}, info=plist({}))
    assert audit_lines(root, "NAT011") == [f"NAT011 note {at(root, PLIST_PATH, '<key>NSAppTransportSecurity')} no NSPinnedDomains entry covers the updater host {CAPGO}"]


def test_nat011_allows_updater_host_pinned_exactly(tmp_path):
    pins = {"plugin.capgo.app": {"NSPinnedLeafIdentities": [{"SPKI-SHA256-BASE64": HASH_A}, {"SPKI-SHA256-BASE64": HASH_B}]}}
    assert audit_lines(project(tmp_path, info=plist({"NSPinnedDomains": pins})), "NAT010,NAT011") == []


# --- NAT012 / NAT013 private keys ----------------------------------------------------------------

PRIVATE_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"


def test_nat012_flags_capgo_key_not_ignored(tmp_path):
    root = project(tmp_path, files={".capgo_key_v2": PRIVATE_PEM, ".capgo_key_v2.pub": "-----BEGIN RSA PUBLIC KEY-----\n", ".gitignore": "node_modules/\n*.pem\n!.capgo_key_v2\n"})
    assert audit_lines(root, "NAT012") == ["NAT012 error /.capgo_key_v2:1:1 `.capgo_key_v2` is Capgo's bundle-signing private key and no .gitignore excludes it"]


def test_nat012_allows_keys_ignored_by_pattern_and_by_folder(tmp_path):
    files = {
        ".capgo_key_v2": PRIVATE_PEM,
        "keys/release.pem": PRIVATE_PEM,
        "android/app/upload.jks": b"\xfe\xed\xfe\xed",
        ".gitignore": "/.capgo_key_v2\nkeys/\n",
        "android/.gitignore": "app/*.jks\n",
    }
    assert audit_lines(project(tmp_path, files=files), "NAT012") == []


def test_nat013_flags_key_in_android_assets(tmp_path):
    rel = "android/app/src/main/assets/public/.capgo_key_v2"
    root = project(tmp_path, files={rel: PRIVATE_PEM, ".gitignore": "android/app/src/main/assets/public\n"})
    assert audit_lines(root, "NAT012,NAT013") == [f"NAT013 error /{rel}:1:1 `{rel}` is Capgo's bundle-signing private key and ships in the Android APK/AAB (everything under app/src/main/assets is packed)"]


def test_nat013_allows_key_outside_the_app_bundles(tmp_path):
    root = project(tmp_path, files={"ios/App/notes/dev.pem": PRIVATE_PEM, ".gitignore": "*.pem\n"})
    assert audit_lines(root, "NAT012,NAT013") == []

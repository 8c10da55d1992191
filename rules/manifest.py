"""MAN: the web app manifest, its IWA-required fields and the `version` format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache

from auditor.schemas import read_text

from auditor.chrome.install_verdict import INSTALL
from auditor.chrome.manifest import MANIFEST_PATH, load_manifest, member_target, required_manifest
from auditor.chrome.manifest import member_location as at
from auditor.chrome.urls import display, resolve
from auditor.chrome.version import version_problem
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.registry import Need, rule
from auditor.parse.image_size import HEAD, image_info
from auditor.parse.json_pos import pointer_join

OLD_MANIFEST_PATHS = ("/manifest.webmanifest", "/manifest.json", "/site.webmanifest")
INSTALL_ICON_PX = 144
INSTALL_ICON_FORMATS = ("png", "webp", "svg")
IGNORED_FOR_IWAS = {
    "scope_extensions": "Chrome's navigation throttle keeps an IWA window on its own origin whatever this says",
}


@lru_cache(maxsize=1)
def manifest_schema() -> dict:
    return json.loads(read_text("iwa-manifest.schema.json"))


@rule(id="MAN001", name="missing-manifest", level=Level.ERROR, tags=("manifest", INSTALL), security_severity=3.0)
def missing_manifest(ctx: Context) -> Iterator[Hit]:
    """The app has no web app manifest at `/.well-known/manifest.webmanifest`.

    ## What it checks
    That a resource exists at `/.well-known/manifest.webmanifest`, the only place
    Chrome looks for an IWA's manifest. When a manifest sits at an old location
    instead (such as `/manifest.webmanifest`), the message says so.

    ## Why it matters
    Chrome installs and updates an IWA through a generated page whose only
    `<link rel="manifest">` points at `/.well-known/manifest.webmanifest`; the old
    fallback to `/manifest.webmanifest` is gone. Without it the install fails.

    ## Example
    ```
    dist/
      index.html
      manifest.webmanifest      <- not found by Chrome
    ```

    ## Fix
    Move the manifest to `dist/.well-known/manifest.webmanifest` (most bundler
    setups: put it in `public/.well-known/`).

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_url_loader_factory.cc`; Chromium
    `isolated_web_app_url_loader_factory.cc` (generated install page).
    """
    if ctx.resource(MANIFEST_PATH) is not None:
        return
    old = next((p for p in OLD_MANIFEST_PATHS if ctx.resource(p) is not None), None)
    if old is not None:
        yield Hit(
            f"no manifest at `{MANIFEST_PATH}`; the one at `{old}` is not read by Chrome",
            ctx.bundle_location(resource=old),
            help=f"move `{old}` to `{MANIFEST_PATH}`",
        )
    else:
        yield Hit(f"no manifest at `{MANIFEST_PATH}`", ctx.bundle_location())


@rule(id="MAN002", name="manifest-not-json", level=Level.ERROR, needs=Need.MANIFEST, tags=("manifest", INSTALL), security_severity=3.0)
def manifest_not_json(ctx: Context) -> Iterator[Hit]:
    """The manifest is not strict JSON, or its top level is not an object.

    ## What it checks
    That the manifest parses as strict RFC 8259 JSON (no comments, no trailing
    commas, no `NaN`, nesting within `max_json_depth`) and that the top level is
    an object. The finding points at the character where parsing stopped.

    ## Why it matters
    Chrome's browser-side readers (the permissions-policy cache among them) use
    `base::JSONReader`, which is strict. Blink still accepts comments through a
    deprecated path, so a manifest with comments can half-work: installed, but
    with an empty (deny-all) permissions policy.

    ## Example
    ```json
    {
      "name": "Chat",   // our app
      "version": "1.0.0",
    }
    ```

    ## Fix
    Remove comments and trailing commas; validate with `python -m json.tool`.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`.
    """
    manifest = load_manifest(ctx)
    if manifest is None or manifest.resource.size > ctx.limits.max_text_resource_bytes:
        return  # too large to read: AUD003 reports it, naming the limit
    if manifest.error is not None:
        yield Hit(f"manifest is {manifest.error}", manifest.error_location or ctx.bundle_location(resource=manifest.resource.path))
    elif manifest.document is not None and not isinstance(manifest.document.value, dict):
        yield Hit(
            f"manifest top level is {type(manifest.document.value).__name__}, not an object",
            ctx.document_location(manifest.document, ""),
        )


@rule(id="MAN003", name="manifest-member-type", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=3.0)
def manifest_member_type(ctx: Context) -> Iterator[Hit]:
    """A manifest member has the wrong type or shape for Chrome to use it.

    ## What it checks
    The manifest against the IWA manifest profile (`schemas/iwa-manifest.schema.json`):
    strings where Chrome wants strings, `icons` as an array of objects with `src`,
    `protocol_handlers`,
    `share_target`, `file_handlers`, `shortcuts` (at most 10), `launch_handler`
    and `display` values. Each violation points at the member.

    ## Why it matters
    Chrome's manifest parser drops a member of the wrong type with only a console
    warning: the app installs, and the feature (an icon, a handler) is silently
    missing. (`permissions_policy` has its own rule, PRM001.)

    ## Example
    ```json
    {"name": "Chat", "icons": "/icon.png", "shortcuts": {"url": "/new"}}
    ```

    ## Fix
    Use the documented shapes: `"icons": [{"src": "/icon.png", "sizes": "192x192"}]`,
    `"shortcuts": [{"name": "New", "url": "/new"}]`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`, `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `third_party/blink/public/common/custom_handlers/protocol_handler_utils.cc`, `chrome/browser/web_applications/isolated_web_apps/iwa_permissions_policy_cache.cc`; the W3C Web App Manifest.
    """
    manifest = required_manifest(ctx)
    from auditor.parse.schema_check import certainly_valid

    if certainly_valid(manifest_schema(), manifest.data):
        return  # the usual case, without importing jsonschema (start-up of small audits)
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(manifest_schema())
    for error in sorted(validator.iter_errors(manifest.data), key=lambda e: list(map(str, e.absolute_path))):
        pointer = "".join(pointer_join("", p) for p in error.absolute_path)
        member = pointer or "the manifest"
        yield Hit(f"`{member}`: {schema_message(error)}", at(ctx, manifest, pointer))


def schema_message(error) -> str:
    """jsonschema's message, shortened so a huge instance is not echoed back."""
    if error.validator == "type":
        return f"must be {' or '.join(error.validator_value) if isinstance(error.validator_value, list) else error.validator_value}, not {json_type(error.instance)}"
    if error.validator == "enum":
        return f"must be one of {', '.join(map(json.dumps, error.validator_value))}"
    if error.validator == "required":
        return error.message.split(" is a required", 1)[0].replace("'", "`") + " is required"
    if error.validator == "maxItems":
        return f"has more than {error.validator_value} items; Chrome keeps the first {error.validator_value}"
    if error.validator == "minLength":
        return "must not be empty"
    return error.message[:200]


def json_type(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


@rule(id="MAN004", name="invalid-version", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest", "version", INSTALL), security_severity=3.0)
def invalid_version(ctx: Context) -> Iterator[Hit]:
    """The manifest `version` is missing or is not a version Chrome accepts.

    ## What it checks
    `version` exactly as Chrome's `IwaVersion` parser reads it: 1 to 4
    dot-separated parts, each made only of ASCII digits, no leading zeros
    (except `0` itself), each at most 4294967295, nothing trimmed (no spaces,
    signs, `-beta` or `+build`).

    The IWA developer article gives the pattern `^(\\d+.?)*\\d$`. Its `.` is
    unescaped, so it is looser than Chrome: it accepts `1a2`, `01.2` and
    `1.2.3.4.5`, which Chrome rejects. This rule follows Chrome's code. Chrome's
    own error text says "must be in the form `x.y.z`", but 1 to 4 parts pass.

    ## Why it matters
    Chrome refuses to install or update an IWA whose version does not parse
    ("Manifest `version` is not present" or "... could not be parsed"). A
    release script that validates with the article's regex ships bundles Chrome
    rejects.

    ## Example
    ```json
    {"name": "Chat", "version": "1.2.0-beta"}
    ```

    ## Fix
    Use 1 to 4 plain numbers: `"version": "1.2.0"`. Keep pre-release labels out of
    `version` (put them in `name` or release notes).

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_version.cc`, `third_party/blink/renderer/modules/manifest/manifest_parser.cc`; Chromium
    `components/webapps/isolated_web_apps/types/iwa_version.cc`.
    """
    manifest = required_manifest(ctx)
    if "version" not in manifest.data:
        yield Hit("manifest has no `version`; Chrome refuses to install it", at(ctx, manifest, ""), help='add `"version": "1.0.0"`')
        return
    problem = version_problem(manifest.data["version"])
    if problem is not None:
        yield Hit(f"`version` {json.dumps(manifest.data['version'])[:80]} {problem}", at(ctx, manifest, "/version"))


@rule(id="MAN005", name="id-not-root", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=3.0)
def id_not_root(ctx: Context) -> Iterator[Hit]:
    """The manifest `id` does not resolve to `/`.

    ## What it checks
    That `id` resolves (against the manifest URL) to a URL on the app's origin
    whose path is exactly `/`. Without `id`, the manifest spec falls back to
    `start_url`, so then `start_url` must resolve to `/`.

    ## Why it matters
    Chrome compares only `manifest.id.path()` with `/` and refuses the install
    otherwise. (A query in `id` passes Chrome's check unnoticed; this rule
    follows Chrome and accepts it.)

    ## Example
    ```json
    {"name": "Chat", "id": "/chat/", "start_url": "/chat/"}
    ```

    ## Fix
    Set `"id": "/"`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`.
    """
    manifest = required_manifest(ctx)
    data = manifest.data
    member = "id" if "id" in data else "start_url" if "start_url" in data else None
    if member is None:
        yield Hit("manifest has neither `id` nor `start_url`, so its id is the install page, not `/`", at(ctx, manifest, ""), help='add `"id": "/"`')
        return
    value = data[member]
    if not isinstance(value, str):
        return  # MAN003
    url = resolve(value, ctx.bundle.origin)
    if url is None or not url.same_origin or url.path != "/":
        where = display(url) if url else value
        source = "`id`" if member == "id" else "with no `id`, `start_url`"
        yield Hit(f"{source} {json.dumps(value)} resolves to `{where}`; Chrome requires the path `/`", at(ctx, manifest, f"/{member}"), help='set `"id": "/"`')


@rule(id="MAN006", name="scope-not-origin", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=3.0)
def scope_not_origin(ctx: Context) -> Iterator[Hit]:
    """The manifest `scope` is not the app's origin.

    ## What it checks
    That `scope` resolves exactly to the app origin, `isolated-app://<id>/`: path
    `/`, no query, no fragment. Without `scope`, the spec derives it from the
    directory of `start_url`, so `start_url` must then sit at the root.

    ## Why it matters
    Chrome refuses to install an IWA whose scope is anything but its origin.

    ## Example
    ```json
    {"name": "Chat", "scope": "/app/", "start_url": "/app/index.html"}
    ```

    ## Fix
    Set `"scope": "/"`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`.
    """
    manifest = required_manifest(ctx)
    data = manifest.data
    if "scope" in data:
        if not isinstance(data["scope"], str):
            return
        url = resolve(data["scope"], ctx.bundle.origin)
        if url is None or not url.same_origin or url.path != "/" or url.has_query_or_fragment:
            yield Hit(f"`scope` {json.dumps(data['scope'])} is not the app origin", at(ctx, manifest, "/scope"), help='set `"scope": "/"`')
        return
    start = data.get("start_url")
    if isinstance(start, str):
        url = resolve(start, ctx.bundle.origin)
        if url is None or not url.same_origin or url.path.rsplit("/", 1)[0] not in ("",):
            yield Hit(
                f"no `scope`, so it defaults to the directory of `start_url` {json.dumps(start)}, which is not the origin",
                at(ctx, manifest, "/start_url"),
                help='add `"scope": "/"`',
            )


@rule(id="MAN007", name="missing-name", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=2.0)
def missing_name(ctx: Context) -> Iterator[Hit]:
    """The manifest has neither a non-empty `name` nor a non-empty `short_name`.

    ## What it checks
    That at least one of `name` and `short_name` is a string with something
    other than whitespace in it.

    ## Why it matters
    Chrome refuses to install an IWA without a name to show in the launcher.

    ## Example
    ```json
    {"name": "  ", "version": "1.0.0"}
    ```

    ## Fix
    Add `"name": "Chat"` (and a `short_name` for tight spaces).

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`.
    """
    manifest = required_manifest(ctx)
    names = [manifest.data.get(k) for k in ("name", "short_name")]
    if not any(isinstance(v, str) and v.strip() for v in names):
        pointer = "/name" if "name" in manifest.data else "/short_name" if "short_name" in manifest.data else ""
        yield Hit("manifest has no non-empty `name` or `short_name`", at(ctx, manifest, pointer), help='add `"name": "Your App"`')


@rule(id="MAN008", name="start-url-not-in-bundle", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest", "entry-point"), security_severity=3.0)
def start_url_not_in_bundle(ctx: Context) -> Iterator[Hit]:
    """`start_url` is missing, leaves the app origin, or names a resource the app does not have.

    ## What it checks
    That `start_url` is present, resolves to the app's origin, and that the
    resource it names (query and fragment removed) is in the bundle or folder
    with status 200 (the 301 `wbn` writes for `/index.html` is not: Chrome
    refuses non-200 bundle responses when it loads them).

    ## Why it matters
    Chrome does not validate `start_url`, but it defaults to the document the
    manifest was read from: the generated install page, which is served only
    while an install is pending. Launching such an app shows an error page. A
    `start_url` that names a missing file fails the same way on every launch.

    ## Example
    ```json
    {"name": "Chat", "start_url": "/index.htm"}
    ```

    ## Fix
    Point `start_url` at a page the bundle serves, usually `"/"` or `"/index.html"`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/isolated_web_app_url_loader_factory.cc`, `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`.
    """
    manifest = required_manifest(ctx)
    value = manifest.data.get("start_url")
    if "start_url" not in manifest.data:
        yield Hit("manifest has no `start_url`; the app would launch the install page, which exists only during install", at(ctx, manifest, ""), help='add `"start_url": "/"`')
        return
    if not isinstance(value, str):
        return
    url, resource = member_target(ctx, value)
    if url is None or not url.same_origin:
        yield Hit(f"`start_url` {json.dumps(value)} leaves the app origin", at(ctx, manifest, "/start_url"))
    elif resource is None:
        yield Hit(f"`start_url` {json.dumps(value)} names `{url.path}`, which the app does not contain", at(ctx, manifest, "/start_url"))
    elif resource.status != 200:
        yield Hit(
            f"`start_url` {json.dumps(value)} names `{url.path}`, whose response has status {resource.status}: Chrome loads only 200 responses from a bundle, so the app cannot launch",
            at(ctx, manifest, "/start_url"),
            help="point start_url at the URL the redirect leads to (usually `/`)",
        )


@rule(id="MAN009", name="icon-not-in-bundle", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest", "icons"), security_severity=2.0)
def icon_not_in_bundle(ctx: Context) -> Iterator[Hit]:
    """A manifest icon is not in the bundle, or is not served as an image.

    ## What it checks
    Every `icons[].src` resolves to a resource of the app (same origin, present)
    whose content type is `image/*`.

    ## Why it matters
    Chrome downloads the icons with "fail all if any fail", because IWAs
    should not refer to resources that don't exist: one broken icon fails the
    whole install.

    ## Example
    ```json
    {"icons": [{"src": "/icons/icon-512.png", "sizes": "512x512"}]}
    ```
    with no `icons/icon-512.png` in the build output.

    ## Fix
    Ship the file, fix the path, or drop the entry.

    ## References
    Chromium `chrome/browser/web_applications/web_contents/web_app_data_retriever.cc`, `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`; Chromium
    `isolated_web_app_install_command_helper.cc` (`fail_all_if_any_fail`).
    """
    manifest = required_manifest(ctx)
    icons = manifest.data.get("icons")
    if not isinstance(icons, list):
        return
    for number, icon in enumerate(icons):
        if not isinstance(icon, dict) or not isinstance(icon.get("src"), str) or not icon["src"]:
            continue
        pointer = f"/icons/{number}/src"
        url, resource = member_target(ctx, icon["src"])
        if url is None or not url.same_origin:
            yield Hit(f"icon {json.dumps(icon['src'])} is not on the app origin; Chrome will not fetch it", at(ctx, manifest, pointer))
        elif resource is None:
            yield Hit(f"icon `{url.path}` is not in the app; Chrome fails the whole install", at(ctx, manifest, pointer))
        elif not resource.mime_type.startswith("image/"):
            yield Hit(f"icon `{url.path}` is served as `{resource.mime_type or 'no content type'}`, not an image", at(ctx, manifest, pointer))


@rule(id="MAN010", name="no-installable-icon", level=Level.ERROR, needs=Need.MANIFEST_OBJECT, tags=("manifest", "icons"), security_severity=2.0)
def no_installable_icon(ctx: Context) -> Iterator[Hit]:
    """No manifest icon is usable as the install icon (PNG, WebP or SVG of at least 144 px).

    ## What it checks
    That at least one icon with `purpose` containing `any` (or no `purpose`) and a
    `sizes` value is a PNG or WebP whose real pixel size, read from the file
    header, is at least 144 x 144, or is an SVG. The `sizes` member is not
    trusted: the file is read.

    ## Why it matters
    Chrome's installability check asks for a valid primary icon; without one
    the install fails with a message about icons.

    ## Example
    ```json
    {"icons": [{"src": "/icon.png", "sizes": "512x512"}]}
    ```
    where `icon.png` is really 48 x 48.

    ## Fix
    Ship a square PNG of 192 or 512 px (or an SVG) with `"purpose": "any"` and a
    `sizes` value.

    ## References
    Chromium `chrome/browser/web_applications/web_contents/web_app_data_retriever.cc`, `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`.
    """
    manifest = required_manifest(ctx)
    icons = manifest.data.get("icons")
    seen: list[str] = []
    for icon in icons if isinstance(icons, list) else ():
        if not isinstance(icon, dict) or not isinstance(icon.get("src"), str):
            continue
        purpose = icon.get("purpose", "any")
        if not isinstance(purpose, str) or "any" not in purpose.lower().split() or not isinstance(icon.get("sizes"), str):
            continue
        url, resource = member_target(ctx, icon["src"])
        if resource is None:
            continue
        info = image_info(resource.body.read(HEAD), resource.mime_type)
        if info.format in INSTALL_ICON_FORMATS and (info.scalable or min(info.width or 0, info.height or 0) >= INSTALL_ICON_PX):
            return
        seen.append(f"`{url.path}` ({info.format}{f' {info.width}x{info.height}' if info.width else ''})")
    detail = f"; checked {', '.join(seen[:3])}" if seen else ""
    pointer = "/icons" if isinstance(icons, list) else ""
    yield Hit(
        f"no icon is usable for install: Chrome needs a PNG, WebP or SVG of at least {INSTALL_ICON_PX} px with `sizes` and purpose `any`{detail}",
        at(ctx, manifest, pointer),
    )


@rule(id="MAN011", name="display-mode-forced", level=Level.NOTE, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=1.0)
def display_mode_forced(ctx: Context) -> Iterator[Hit]:
    """`display` asks for a mode other than `standalone`, which Chrome uses for every IWA.

    ## What it checks
    A `display` value other than `standalone`, and `display_override` with
    `borderless` but no `window-management` in `permissions_policy`.

    ## Why it matters
    Chrome stores the user display mode of an IWA as standalone whatever
    `display` says, so `browser`, `minimal-ui` or `fullscreen` have no effect.
    `borderless` (the IWA-only mode) needs the Window Management permission.

    ## Example
    ```json
    {"display": "browser"}
    ```

    ## Fix
    Use `"display": "standalone"`; for borderless, add `"window-management": ["self"]`
    to `permissions_policy`.

    ## References
    Chromium `chrome/browser/web_applications/isolated_web_apps/commands/isolated_web_app_install_command_helper.cc`, `third_party/blink/renderer/modules/manifest/manifest_parser.cc`.
    """
    manifest = required_manifest(ctx)
    mode = manifest.data.get("display")
    if isinstance(mode, str) and mode != "standalone":
        yield Hit(f"`display` is `{mode}`, but Chrome opens every IWA standalone", at(ctx, manifest, "/display"))
    override = manifest.data.get("display_override")
    policy = manifest.data.get("permissions_policy")
    if isinstance(override, list) and "borderless" in override and not (isinstance(policy, dict) and "window-management" in policy):
        index = override.index("borderless")
        yield Hit(
            "`display_override` asks for `borderless`, which needs `window-management` in `permissions_policy`",
            at(ctx, manifest, f"/display_override/{index}"),
        )


@rule(id="MAN012", name="member-ignored-for-iwa", level=Level.NOTE, needs=Need.MANIFEST_OBJECT, tags=("manifest",), security_severity=1.0)
def member_ignored_for_iwa(ctx: Context) -> Iterator[Hit]:
    """A manifest member that Chrome does not use for Isolated Web Apps.

    ## What it checks
    Members such as `scope_extensions` that are parsed for ordinary web apps
    but have no effect on an IWA.

    ## Why it matters
    The app may rely on it (to link to another origin, say) and it silently does
    nothing: an IWA window cannot leave its origin.

    ## Example
    ```json
    {"scope_extensions": [{"origin": "https://example.com"}]}
    ```

    ## Fix
    Remove the member; open other origins in the browser instead.

    ## References
    Chromium `third_party/blink/renderer/modules/manifest/manifest_parser.cc`, `content/browser/renderer_host/isolated_web_app_throttle.cc`.
    """
    manifest = required_manifest(ctx)
    for member, why in IGNORED_FOR_IWAS.items():
        if member in manifest.data:
            yield Hit(f"`{member}` is ignored for IWAs: {why}", at(ctx, manifest, f"/{member}", key=True))


@rule(id="MAN013", name="duplicate-manifest-key", level=Level.WARNING, needs=Need.MANIFEST, tags=("manifest",), security_severity=3.0)
def duplicate_manifest_key(ctx: Context) -> Iterator[Hit]:
    """A key appears twice in the same manifest object.

    ## What it checks
    Object keys repeated within one object, anywhere in the manifest.

    ## Why it matters
    JSON leaves duplicate keys undefined; Chrome's parsers keep the last one,
    while many tools (and reviewers) read the first. The value that ships is
    not the one people check.

    ## Example
    ```json
    {"version": "1.0.0", "name": "Chat", "version": "0.9.0"}
    ```

    ## Fix
    Keep one of the two.

    ## References
    RFC 8259 §4.
    """
    manifest = load_manifest(ctx)
    if manifest is None or manifest.document is None:
        return
    for pointer in manifest.duplicates:
        yield Hit(f"key `{pointer}` appears more than once; Chrome keeps the last", ctx.document_location(manifest.document, pointer, key=True))


RULES = (
    missing_manifest,
    manifest_not_json,
    manifest_member_type,
    invalid_version,
    id_not_root,
    scope_not_origin,
    missing_name,
    start_url_not_in_bundle,
    icon_not_in_bundle,
    no_installable_icon,
    display_mode_forced,
    member_ignored_for_iwa,
    duplicate_manifest_key,
)

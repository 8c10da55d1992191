"""MAN: the web app manifest, its IWA-required fields and the `version` format."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.context import Context
from auditor.findings import Hit, Level
from auditor.registry import rule

MANIFEST_PATH = "/.well-known/manifest.webmanifest"
OLD_MANIFEST_PATHS = ("/manifest.webmanifest", "/manifest.json", "/site.webmanifest")


@rule(id="MAN001", name="missing-manifest", level=Level.ERROR, tags=("manifest",))
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
    ../shared/spec/iwa-policy.md §1.1; Chromium
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


RULES = (missing_manifest,)

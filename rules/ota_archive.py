"""OTA archive rules: the Capgo OTA zip as both updaters unpack it.

The reader gives three views of the zip (`auditor/capgo/zip_views.py`): the
Android stream of local headers, the iOS central directory, Python's
`zipfile`. Name, entry-type and bomb rules read both device views; content
rules (OTA010, OTA011) read every distinct member body either platform installs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import methodcaller
from typing import TYPE_CHECKING

from auditor.capgo import updater as ota
from auditor.engine.context import Context
from auditor.engine.findings import Hit, Level
from auditor.engine.location import Location, Span
from auditor.engine.model import WEB_CONTENT_KINDS, ArchiveEntry, InputKind
from auditor.engine.registry import rule

if TYPE_CHECKING:
    from auditor.capgo.zip_views import ZipViews

ZIP = frozenset({InputKind.OTA_ZIP})
LOCAL_HEADER_SIZE = 30
SECRET_NAMES = re.compile(r"^(?:\.capgo_key(?:_v2)?|\.env(?:\.[\w.-]+)?|.*\.(?:key|p8|p12|pfx|jks|keystore))$", re.IGNORECASE)
NOT_SECRET = re.compile(r"^\.env\.(?:example|sample|template|dist)$", re.IGNORECASE)
DEV_FOLDERS = ("node_modules", ".git")
DEV_FOLDER_MARK = re.compile("|".join(re.escape(f"{folder}/") for folder in DEV_FOLDERS))
def entry_location(ctx: Context, entry: ArchiveEntry) -> Location:
    """The entry's local file header in the zip."""
    return ctx.bundle_location(entry.header_offset, LOCAL_HEADER_SIZE + len(entry.name.encode("utf-8", "replace")), pointer=entry.name)


def config_location(ctx: Context, pointer: str) -> Location:
    """The key of a config member (or its nearest existing ancestor)."""
    return ctx.document_location(ctx.bundle.document, pointer, key=True)  # type: ignore[arg-type]


# --- bundle (zip) --------------------------------------------------------------------------


@rule(id="OTA001", name="missing-root-index", level=Level.ERROR, inputs=ZIP, tags=("ota", "capgo"), security_severity=3.0)
def missing_root_index(ctx: Context) -> Iterator[Hit]:
    """The OTA zip has no `index.html` at its root.

    ## What it checks
    That `index.html` is at the root each updater serves. Both make a single
    top-level folder the bundle root (Android's `flattenAssets` ignoring names
    that start with `__MACOSX` or `.`; iOS's `unflatFolder` counting every
    top-level item), so `dist/index.html` alone is fine: a note says so. An
    error when neither root has it, or when the platforms pick different roots
    (a `__MACOSX/` folder beside `dist/` stops iOS from flattening).

    ## Why it matters
    The updater loads `index.html` from the bundle root. Without it the update
    fails to load and rolls back on every device of that platform. The Capgo
    CLI refuses to build such a bundle (`index_html_not_found`).

    ## Example
    ```
    bundle.zip
      dist/www/index.html     <- two levels deep: only `dist/` is flattened
      dist/README.txt
    ```

    ## Fix
    Zip the *contents* of the build folder (`cd dist && zip -r ../bundle.zip .`)
    or use `npx @capgo/cli bundle zip`.

    ## References
    Cap-go/CLI `src/bundle/zip.ts` (`checkIndexPosition`); Cap-go/capacitor-updater
    `CapgoUpdater.flattenAssets` (Android), `CapgoUpdater.unflatFolder` (iOS).
    """
    root = (ctx.bundle.archive.flattened_root if ctx.bundle.archive else None)
    if "/index.html" in ctx.bundle.resources:
        if root:
            yield Hit(f"both updaters make the single top-level folder `{root}/` the bundle root (`flattenAssets`, `unflatFolder`)", ctx.bundle_location(), level=Level.NOTE)
        return
    views = zip_views(ctx)
    if views is not None:
        from auditor.capgo.zip_views import android_name, flatten_root

        names_a = [android_name(e) for e in views.android.entries]
        names_i = [e.name for e in views.ios.entries]
        android_root, ios_root = flatten_root(names_a, android=True), flatten_root(names_i, android=False)
        if android_root != ios_root:
            yield Hit(
                f"the platforms pick different bundle roots: Android `{android_root or '/'}`, iOS `{ios_root or '/'}` "
                "(iOS counts `__MACOSX` and dot-files at the top level, Android ignores them); one of them has no `index.html`",
                ctx.bundle_location(),
            )
            return
    nested = sorted((p for p in ctx.bundle.resources if p.endswith("/index.html")), key=len)
    hint = f"; found `{nested[0]}`, one level too deep" if nested else ""
    yield Hit(f"no `index.html` at the root of the bundle{hint}", ctx.bundle_location(), help="zip the build folder's contents, not the folder")


@rule(id="OTA002", name="missing-notify-app-ready", level=Level.ERROR, inputs=ZIP, tags=("ota", "capgo"), security_severity=3.0)
def missing_notify_app_ready(ctx: Context) -> Iterator[Hit]:
    """No JavaScript in the bundle calls `notifyAppReady()`, so every update rolls back.

    ## What it checks
    That some `.js`/`.mjs` file in the bundle contains a call whose callee is
    `notifyAppReady` (`CapacitorUpdater.notifyAppReady()`, `x.notifyAppReady()`,
    `x["notifyAppReady"]()`), parsed with tree-sitter: mentions in comments or
    strings do not count.

    ## Why it matters
    After installing a bundle the updater waits `appReadyTimeout` (10 s by
    default) for `notifyAppReady()`. Without it the bundle is marked failed and
    the app reverts to the previous one: the update never sticks. The Capgo CLI
    checks for the *string* (`notifyAppReady_not_in_source_code`), which a
    comment satisfies; this rule wants a call.

    ## Example
    ```js
    // TODO: CapacitorUpdater.notifyAppReady()
    bootstrapApp();
    ```

    ## Fix
    Call it once the app has started: `await CapacitorUpdater.notifyAppReady()`.

    ## References
    Cap-go/capacitor-updater README ("notifyAppReady"); Cap-go/CLI `src/bundle/zip.ts` (`searchInDirectory`).
    """
    scripts = [r for r in ctx.resources() if r.path.lower().endswith((".js", ".mjs", ".cjs"))]
    if any(ota.calls_named(ctx, r, "notifyAppReady") for r in scripts):
        return
    unparsed = [r.path for r in scripts if ctx.text(r) is None]
    note = f" ({len(unparsed)} script(s) too large to parse, e.g. `{unparsed[0]}`)" if unparsed else ""
    yield Hit(f"no script calls `notifyAppReady()`; every device will roll this update back{note}", ctx.bundle_location())


@rule(id="OTA003", name="unsafe-archive-path", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-22"), security_severity=8.0)
def unsafe_archive_path(ctx: Context) -> Iterator[Hit]:
    """A zip entry name could escape the folder it is extracted into (zip slip).

    ## What it checks
    Every entry name of both views (local headers and central directory) for
    what both updaters' `resolvePathInsideDirectory` refuses: a backslash, an
    absolute path, `..` segments that climb out of the bundle folder. `C:/x.js`
    is a folder named `C:` on both platforms and `a/../b.js` stays inside:
    neither is reported.

    ## Why it matters
    An unzipper that trusts names writes outside its folder: into the app's
    other bundles or data. Capgo's updater refuses such entries
    (`canonical_path_fail`, `windows_path_fail`), which fails the whole update;
    other OTA systems and tools may not.

    ## Example
    ```
    ../../files/config.json
    ```

    ## Fix
    Rebuild the zip from the build folder with a standard tool; never put
    relative-parent or absolute paths in an archive.

    ## References
    Cap-go/capacitor-updater `CapgoUpdater.resolvePathInsideDirectory` (Android and iOS); CWE-22.
    """
    for side, record, name in entry_records(ctx):
        reason = ota.unsafe_name_reason(name)
        if reason:
            yield Hit(f"entry `{name}` {reason}; both updaters refuse the whole update (`canonical_path_fail`)", entry_location(ctx, archive_entry(side, record, name)))


@rule(id="OTA004", name="duplicate-archive-entry", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=7.0)
def duplicate_archive_entry(ctx: Context) -> Iterator[Hit]:
    """Two zip entries have the same name, so what the device runs depends on the unzipper.

    ## What it checks
    That no name appears twice in the central directory.

    ## Why it matters
    Tools disagree on which copy wins (first, last, or an error). A reviewer or
    scanner can look at one `app.js` while the device extracts the other.

    ## Example
    ```
    app.js      (reviewed)
    app.js      (extracted last, runs)
    ```

    ## Fix
    Rebuild the archive from the folder; a duplicate means the zip was appended to.
    """
    seen: dict[str, set[str]] = {"a": set(), "i": set()}  # names per side: no pair per entry
    reported: set[str] = set()
    for side, record, name in entry_records(ctx, every_android_entry=True):
        names = seen[side]
        if name in names and name not in reported:
            reported.add(name)
            yield Hit(f"entry `{name}` appears more than once ({'Android stream' if side == 'a' else 'central directory'}); the last copy is installed", entry_location(ctx, archive_entry(side, record, name)))
        names.add(name)


@rule(id="OTA005", name="archive-symlink", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-59"), security_severity=7.0)
def archive_symlink(ctx: Context) -> Iterator[Hit]:
    """A zip entry is a symbolic link: iOS creates it, Android writes a plain file.

    ## What it checks
    Entries whose external attributes carry `S_IFLNK` when "version made by"
    says Unix (3) or OS X (19), as ZIPFoundation reads them. An error when the
    target leaves the link's folder (iOS then refuses the update), when the
    link lies inside a linked folder or points at another link (a chain), or
    when its target is not UTF-8 as iOS reads it (the raw, not inflated, bytes);
    a warning when it is contained.

    ## Why it matters
    The updater's containment check is lexical and per link: a chain of links
    can write outside the bundle folder on iOS. Even a contained link makes the
    platforms install different files (Android writes the target path as the
    file's content). A web bundle never needs links.

    ## Example
    ```
    lrwxrwxrwx  assets -> /data/data/com.example.app
    ```

    ## Fix
    Zip with links resolved (`zip -r` without `--symlinks`), or remove them from the build.
    """
    views = zip_views(ctx)
    if views is None:
        return
    links = {e.name.rstrip("/"): e for e in views.ios.entries if e.kind == "symlink"}
    for name, entry in links.items():
        location = ctx.bundle_location(entry.local_offset, LOCAL_HEADER_SIZE + entry.name_length, pointer=entry.name)
        try:
            target = (entry.link_target or b"").decode("utf-8")
        except UnicodeDecodeError:
            yield Hit(f"symlink `{name}`: its target is not UTF-8 as iOS reads it (the raw, not inflated, bytes): iOS refuses the update", location)
            continue
        parents = name.split("/")[:-1]
        through = next(("/".join(parents[: i + 1]) for i in range(len(parents)) if "/".join(parents[: i + 1]) in links), None)
        if through is not None:
            yield Hit(f"symlink `{name}` lies inside the linked folder `{through}`: a chain of links can write outside the bundle on iOS", location)
        elif not ota.link_stays_inside(name, target):
            yield Hit(f"symlink `{name}` -> `{target}` points outside its folder; iOS refuses the update, Android writes a file holding the path", location)
        elif any(other for other in links if other != name and ota.link_resolves_into(name, target, other)):
            yield Hit(f"symlink `{name}` -> `{target}` points at another link: a chain of links can write outside the bundle on iOS", location)
        else:
            yield Hit(
                f"symlink `{name}` -> `{target}` (made by {'OS X' if entry.made_by == 19 else 'Unix'}): iOS creates the link, Android writes a file holding the path",
                location, level=Level.WARNING,
            )


@rule(id="OTA006", name="encrypted-archive-entry", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=4.0)
def encrypted_archive_entry(ctx: Context) -> Iterator[Hit]:
    """A zip entry is password-encrypted, so nothing can check or load it.

    ## What it checks
    The encryption bit (general purpose flag bit 0) in the central directory
    (iOS stops reading there, silently, and installs the entries before it) and
    in the local headers (Android's `ZipInputStream` refuses the update).

    ## Why it matters
    No updater can extract it, no audit can see its content, and on iOS the
    update "succeeds" with part of the bundle. Capgo encrypts the *whole zip*
    with AES (`bundle encrypt`), never entries.

    ## Example
    ```
    zip -e bundle.zip index.html
    ```

    ## Fix
    Build the zip without a password; use `npx @capgo/cli bundle encrypt` for confidentiality.
    """
    views = zip_views(ctx)
    if views is None:
        return
    if views.ios.encrypted_at is not None:
        yield Hit(f"{views.ios.stopped}: iOS stops reading the directory there and installs only the entries before it", ctx.bundle_location(views.ios.encrypted_at, 46))
    if views.android.kind == "encrypted":
        yield Hit(f"the entry at offset {views.android.failed_entry} is encrypted: Android refuses the update", ctx.bundle_location(views.android.failed_entry, LOCAL_HEADER_SIZE))


@rule(id="OTA007", name="nested-archive", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=4.0)
def nested_archive(ctx: Context) -> Iterator[Hit]:
    """The bundle contains another archive, which no audit of this zip looks inside.

    ## What it checks
    Members named like an archive (`.zip`, `.tar`, `.gz`, `.apk`, ...) or
    starting with an archive's magic bytes (first bytes only).

    ## Why it matters
    A web bundle serves files; an archive inside it is either a mistake (a
    build artefact swept up) or a way to smuggle content past review and size
    limits.

    ## Example
    ```
    bundle.zip
      index.html
      assets/old-build.zip
    ```

    ## Fix
    Remove the archive from the build output.
    """
    for resource in ctx.resources():
        if ota.looks_like_archive(resource):
            yield Hit(f"`{resource.path}` is an archive inside the bundle", ctx.bundle_location(resource=resource.path))


@rule(id="OTA008", name="decompression-bomb", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip", "external/cwe/cwe-409"), security_severity=6.0)
def decompression_bomb(ctx: Context) -> Iterator[Hit]:
    """The zip declares sizes or compression ratios of a decompression bomb.

    ## What it checks
    From the sizes both views declare (central directory and local headers),
    before anything is inflated: a member larger than `max_zip_member_bytes`
    (256 MiB), a member of at least `min_zip_ratio_bytes` (1 MiB) that expands
    more than `max_zip_ratio` (200) times, and a declared total over
    `max_zip_total_bytes` (2 GiB); and a data-descriptor member (whose sizes
    come after its data) that Android's stream would inflate past the ratio
    limit, where the walk stops. Limits live in `auditor/engine/limits.py`.

    ## Why it matters
    The device unzips every update into its storage. A few kilobytes that
    inflate to gigabytes fill the disk, crash the app, and the rollback may
    fail too. Real web builds compress 3 to 10 times.

    ## Example
    ```
    app.js   10485760 bytes, 10208 compressed (ratio 1027)
    ```

    ## Fix
    Remove the padded or generated file; check the build for runaway output.
    """
    found = ota.archive(ctx)
    if found is None:
        return
    limits = ctx.limits
    views = zip_views(ctx)
    from auditor.capgo.zip_views import android_name

    known: set[int] = set()  # the directory's header offsets; its entries are built one at a time, not listed
    for entry in found.entries:
        known.add(entry.header_offset)
        reason = limits.zip_member_bomb(entry.size, entry.compressed_size)
        if reason is not None:
            yield Hit(f"entry `{entry.name}` {reason}", entry_location(ctx, entry))
    for a in views.android.entries if views else ():
        if a.offset not in known and not a.flags & 0x8:  # a descriptor entry's header sizes are zero
            reason = limits.zip_member_bomb(a.size, a.compressed_size)
            if reason is not None:
                entry = ArchiveEntry(android_name(a), a.size, a.compressed_size, a.method, a.flags, 0, 0, a.offset, a.crc)
                yield Hit(f"entry `{entry.name}` {reason}", entry_location(ctx, entry))
    if views is not None and views.android.kind == "bomb":
        yield Hit(f"Android's stream: {views.android.failure}", ctx.bundle_location(views.android.failed_entry, LOCAL_HEADER_SIZE))
    if limits.zip_total_bomb(found.declared_total):
        yield Hit(f"the archive declares {found.declared_total} bytes in total (limit {limits.max_zip_total_bytes})", ctx.bundle_location(found.central_directory_offset, 0))


@rule(id="OTA009", name="inconsistent-archive-views", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=6.0)
def inconsistent_archive_headers(ctx: Context) -> Iterator[Hit]:
    """Android and iOS (or Python's `zipfile`) would unpack different files from this zip.

    ## What it checks
    The Android view (local headers streamed from offset 0, as
    `java.util.zip.ZipInputStream`), the iOS view (the central directory found
    from the last end record, as ZIPFoundation) and Python's `zipfile` must list
    the same entries at the same local headers with the same names, sizes,
    bytes and file types. Entries before the first member or between members,
    a second directory hidden in the comment, data-descriptor or zip64 sizes
    that differ from the directory, a directory iOS stops reading silently,
    data prepended to the zip: each is reported naming both sides. So is a
    file Python's `zipfile` refuses to open though both devices install it
    (a UTF-8 flag only the central directory sets, flag bit 5 or 6, a
    stored member whose compressed size is not its size).

    ## Why it matters
    A reviewer, a scanner and each platform then see different code: the
    classic way to show an audit one `app.js` and ship another to phones.

    ## Example
    ```
    central directory: app.js 1200 bytes    local header: app.js 98000 bytes
    ```

    ## Fix
    Rebuild the zip with a standard tool (`npx @capgo/cli bundle zip`) and upload it whole.

    ## References
    `java.util.zip.ZipInputStream` (OpenJDK `readLOC`, `readEnd`); ZIPFoundation
    `Archive.makeIterator`, `Entry`; Cap-go/capacitor-updater `CapgoUpdater.unzip`
    (Android) and `CapgoUpdater.saveDownloaded` (iOS).
    """
    views = zip_views(ctx)
    if views is None:
        return
    from auditor.capgo.zip_views import differences

    for difference in ctx.memo(("ota-zip-differences",), lambda: differences(views)):
        yield Hit(difference.message, ctx.bundle_location(difference.offset, LOCAL_HEADER_SIZE, pointer=difference.name) if difference.offset is not None else ctx.bundle_location())


@rule(id="OTA010", name="shipped-secret", level=Level.ERROR, inputs=WEB_CONTENT_KINDS, tags=("ota", "secrets", "external/cwe/cwe-312"), security_severity=9.0)
def shipped_secret(ctx: Context) -> Iterator[Hit]:
    """The bundle ships a private key or a secrets file to every user.

    ## What it checks
    Files named `.capgo_key`, `.capgo_key_v2`, `.env` / `.env.*` (not
    `.env.example`), `*.key`, `*.p8`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`,
    and every file of any content type containing a `-----BEGIN ... PRIVATE KEY-----`
    block. The body is searched as bytes in place (a memory map or a bounded
    read that is not kept), never decoded, so the verdict never depends on a
    MIME type and no text is cached.

    ## Why it matters
    Everything in an OTA bundle (or an IWA) is downloadable by anyone. A Capgo
    signing key lets an attacker sign updates every device will accept; `.env`
    files usually hold API tokens.

    ## Example
    ```
    bundle.zip
      index.html
      .capgo_key_v2        <- the private signing key
    ```

    ## Fix
    Remove the file from the build output, rotate the key or token, and keep
    signing keys outside the web folder (`.gitignore` them).

    ## References
    Cap-go/CLI `src/key.ts` (`key create` writes `.capgo_key_v2`); CWE-312.
    """
    for resource in ctx.resources():
        name = resource.path.split("#", 1)[0].rsplit("/", 1)[-1]
        if SECRET_NAMES.match(name) and not NOT_SECRET.match(name):
            yield Hit(f"`{resource.path}` is a key or secrets file", ctx.bundle_location(resource=resource.path))
            continue
        if resource.body.withheld:
            continue
        found = resource.body.search(ota.PRIVATE_KEY_PEM_BYTES, ctx.limits.max_zip_member_bytes)
        if found:
            start, end, line, column = found
            span = Span(line, column, line, column + end - start)
            yield Hit(f"`{resource.path}` contains a private key", Location(resource=resource.path, span=span))


@rule(id="OTA011", name="shipped-dev-artefact", level=Level.WARNING, inputs=WEB_CONTENT_KINDS, tags=("ota", "hygiene"), security_severity=5.0)
def shipped_dev_artefact(ctx: Context) -> Iterator[Hit]:
    """The bundle ships development artefacts: embedded sources, `node_modules/`, `.git/`.

    ## What it checks
    Source maps (`*.map`) whose `sourcesContent` holds source text, and any
    file under a `node_modules/` or `.git/` folder (reported once per folder).

    ## Why it matters
    They publish your original sources and history, often with comments,
    internal URLs and secrets, and bloat every update download.

    ## Example
    ```json
    {"version": 3, "sources": ["src/api.ts"], "sourcesContent": ["const token = ..."]}
    ```

    ## Fix
    Disable source maps for release builds (or upload them to your error
    tracker only), and build from a clean output folder.
    """
    reported: set[str] = set()
    for resource in ctx.resources():
        path = resource.path
        # a folder segment `x` puts `x/` in the path: without one, no split is needed to know
        folder = next((p for p in DEV_FOLDERS if p in path.split("/")[:-1]), None) if DEV_FOLDER_MARK.search(path) else None
        if folder and folder not in reported:
            reported.add(folder)
            yield Hit(f"`{resource.path}` is under `{folder}/`", ctx.bundle_location(resource=resource.path))
        elif resource.path.endswith(".map"):
            data = ctx.json_value(resource)  # shared with the mapping of findings through this map
            sources = data.get("sourcesContent") if isinstance(data, dict) else None
            if isinstance(sources, list) and any(isinstance(s, str) and s for s in sources):
                yield Hit(f"source map `{resource.path}` embeds {len(sources)} source file(s) in `sourcesContent`", ctx.bundle_location(resource=resource.path))


@rule(id="OTA017", name="archive-refused-by-updater", level=Level.ERROR, inputs=ZIP, tags=("ota", "zip"), security_severity=3.0)
def archive_refused_by_updater(ctx: Context) -> Iterator[Hit]:
    """One platform's updater refuses (or crashes on) this zip, saying which.

    ## What it checks
    What aborts the unzip on a device: on Android, every exception
    `ZipInputStream` raises (a wrong CRC-32, a stored entry with a data
    descriptor, an encrypted entry, an unknown method, a truncated member) and
    a name that is not valid UTF-8, which raises `IllegalArgumentException`
    that the updater does not catch (the app crashes); on both, a NUL in a name
    (`Invalid path separator`); on iOS, a UTF-8-flagged name that is not UTF-8
    and a compression method ZIPFoundation cannot extract. And a file and a
    folder at one path, entry by entry in each platform's order (names compared
    exactly: both device file systems are case-sensitive): an entry that needs
    a folder where an earlier entry put a file (`assets/a`, then `assets/a/b.js`
    or `assets/a/`) stops both updaters; a file where an earlier entry made a
    folder (`assets/a/b.js` or `assets/a/`, then `assets/a`) stops Android,
    while iOS deletes the folder and what the zip put in it and writes the file.

    ## Why it matters
    The update fails on every device of that platform (and rolls back), or
    the app crashes at download; the other platform may install it fine, so
    testing on one phone hides it.

    ## Example
    ```
    app.js  stored, flag bit 3 (data descriptor)   -> Android: ZipException
    assets/a, then assets/a/b.js                   -> both: the folder cannot be made
    ```

    ## Fix
    Rebuild the zip with `npx @capgo/cli bundle zip` (deflate, UTF-8 names, no
    descriptors on stored entries) from a build folder, where one path cannot be
    both a file and a folder.

    ## References
    OpenJDK `java.util.zip.ZipInputStream`, `java.io.File.mkdirs`; Cap-go/capacitor-updater
    `CapgoUpdater.resolvePathInsideDirectory` (Android and iOS),
    `android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java` (`unzip`:
    `mkdirs`, `FileOutputStream`) and `ios/Sources/CapacitorUpdaterPlugin/CapgoUpdater.swift`
    (`saveDownloaded`, `extractZipEntry`: `createDirectory`, `removeItem`); ZIPFoundation
    `Archive.extract`; swift-corelibs-foundation `FileManager` `_createDirectory`; Apple's APFS
    guide (iOS uses the case-sensitive variant).
    """
    views = zip_views(ctx)
    if views is None:
        return
    android = views.android
    if android.failure and not android.incomplete:
        ios_side = "iOS installs it (it never checks CRC-32, `skipCRC32: true`)" if android.kind == "crc" else "iOS reads the central directory instead"
        if android.crash:
            message = f"Android crashes the app: {android.failure}, which the updater does not catch (only IOException is); {ios_side}"
        else:
            message = f"Android refuses the whole update ({android.failure}); {ios_side}"
        yield Hit(message, ctx.bundle_location(android.failed_entry, LOCAL_HEADER_SIZE) if android.failed_entry is not None else ctx.bundle_location())
    for side, record, name in entry_records(ctx):
        if "\0" in name:
            shown = name.replace("\0", "\\0")
            yield Hit(f"entry `{shown}` has a NUL in its name: both updaters refuse the update (`Invalid path separator`)", entry_location(ctx, archive_entry(side, record, name)))
    yield from path_clashes(ctx, views)
    for entry in views.ios.entries:
        if entry.flags & 0x800 and entry.name == "" and entry.name_length:
            yield Hit(f"the entry at offset {entry.local_offset} is flagged UTF-8 but its name is not: iOS refuses the update (empty path)", ctx.bundle_location(entry.local_offset, LOCAL_HEADER_SIZE))
        if entry.kind == "file" and entry.method not in (0, 8):
            yield Hit(f"entry `{entry.name}` uses compression method {entry.method}: iOS refuses the update (`invalidCompressionMethod`)", ctx.bundle_location(entry.local_offset, LOCAL_HEADER_SIZE))


ANDROID_CLASH = {True: "`mkdirs` fails on a file: `Failed to ensure directory`", False: "`FileOutputStream` on a folder: `FileNotFoundException`"}
IOS_CLASH = "`createDirectory` fails on a file"


def path_clashes(ctx: Context, views: ZipViews) -> Iterator[Hit]:
    """A file and a folder at one path (`auditor/capgo/path_clash.py`): the first entry that stops
    each updater, one hit when both stop at the same entry; iOS's silent replacement of a folder by
    a file is said only next to Android's refusal of that entry. The ordered walks run only when
    the names say a file may meet a folder (`may_clash`: sets over the names, no walk)."""
    from auditor.capgo import path_clash as pc

    names = {e.name for e in views.ios.entries}
    names.update([a.name for a in views.android.entries if a.name is not None])  # a None name stops the stream: never in it
    if regular_kinds(views, names) and not pc.may_clash(names):
        return
    yield from report_clashes(ctx, views)


def regular_kinds(views: ZipViews, names: set[str]) -> bool:
    """Whether every iOS entry's type is what its name's trailing `/` says (no folder without one,
    no file with one, no link): then names alone tell where a file may meet a folder. All files and
    no name ending in `/` is checked first, at C speed."""
    entries = views.ios.entries
    kinds = [e.kind for e in entries]
    if kinds.count("file") == len(kinds) and not any(map(methodcaller("endswith", "/"), names)):
        return True
    return not any((kind == "file") == (e.name[-1:] == "/") for kind, e in zip(kinds, entries, strict=True))


def report_clashes(ctx: Context, views: ZipViews) -> Iterator[Hit]:
    """The ordered walks of `path_clashes`."""
    from auditor.capgo import path_clash as pc
    from auditor.capgo.zip_views import android_name

    android, _ = pc.first_failure(android_order(views, android_name), ios=False)
    ios, ios_replaced = pc.first_failure(ios_order(views), ios=True)
    same = ios is not None and android is not None and ios.name == android.name and ios.under_file == android.under_file
    if android is not None:
        what = f"needs a folder `{android.path}` where the earlier entry `{android.earlier}` is a file" if android.under_file else f"is a file where the earlier entry `{android.earlier}` made the folder `{android.path}`"
        if same:
            side = f"both updaters refuse the whole update (Android: {ANDROID_CLASH[android.under_file]}; iOS: {IOS_CLASH})"
        else:
            side = f"Android refuses the whole update ({ANDROID_CLASH[android.under_file]}); "
            if any(r.name == android.name and r.path == android.path for r in ios_replaced):
                side += "iOS deletes that folder, and anything the zip put in it, to write the file (`removeItem`)"
            else:
                side += "iOS unpacks it" if ios is None else "iOS stops elsewhere"
        yield Hit(f"entry `{android.name}` {what}: {side}", entry_location(ctx, archive_entry("a", android.record, android.name)))
    if ios is not None and not same:
        side = "Android unpacks it" if android is None else "Android stops elsewhere"
        yield Hit(
            f"entry `{ios.name}` needs a folder `{ios.path}` where the earlier entry `{ios.earlier}` is a file: iOS refuses the whole update ({IOS_CLASH}); {side}",
            entry_location(ctx, archive_entry("i", ios.record, ios.name)),
        )


def android_order(views: ZipViews, android_name) -> Iterator[tuple[object, str, int]]:
    """The stream's entries as Android writes them (a folder: the name ends in `/`), up to one it refuses by name."""
    for entry in views.android.entries:
        name = entry.name if entry.name is not None else android_name(entry)
        if refused_name(name):
            return
        yield entry, name, 0 if name[-1:] == "/" else 1


def refused_name(name: str) -> bool:
    """Whether both updaters' `resolvePathInsideDirectory` refuses the name (OTA003, or a NUL):
    `unsafe_name_reason` asked only of a name that holds what it looks for."""
    return not name or name[0] == "/" or "\\" in name or "\0" in name or (".." in name and ota.unsafe_name_reason(name) is not None)


IOS_KINDS = {"directory": 0, "file": 1, "symlink": 2}


def ios_order(views: ZipViews) -> Iterator[tuple[object, str, int]]:
    """The directory's entries as iOS writes them (`Entry.type`), up to one it refuses: by name, an
    unknown method, a link that leaves its folder."""
    for entry in views.ios.entries:
        name = entry.name
        if refused_name(name):
            return
        yield entry, name, IOS_KINDS[entry.kind]
        if entry.kind == "file" and entry.method not in (0, 8):
            return
        if entry.kind == "symlink":
            try:
                target = (entry.link_target or b"").decode("utf-8")
            except UnicodeDecodeError:
                return
            if not ota.link_stays_inside(name, target):
                return


def zip_views(ctx: Context) -> ZipViews | None:
    """The archive's device views; zip_views (zipfile, both device unzippers) is imported only for an archive."""
    if ctx.bundle.archive is None:
        return None
    from auditor.capgo.zip_views import ZipViews

    found = ctx.bundle.archive.views
    return found if isinstance(found, ZipViews) else None


def entry_names(ctx: Context, *, tagged: bool = False) -> Iterator[tuple[ArchiveEntry, str]]:
    """Every entry of both device views with the name that platform uses (`a:`/`i:` tags when asked)."""
    for side, record, name in entry_records(ctx, every_android_entry=tagged):
        yield archive_entry(side, record, name), f"{side}:{name}" if tagged else name


def entry_records(ctx: Context, *, every_android_entry: bool = False) -> Iterator[tuple[str, object, str]]:
    """(side, record, name) for every iOS entry (`i`), then each Android one (`a`) not at the
    header and name of an iOS entry (all of them when asked). The view's own records: the rules
    build an `ArchiveEntry` (`archive_entry`) only for an entry they report."""
    views = zip_views(ctx)
    if views is None:
        return
    from auditor.capgo.zip_views import android_name

    ios = views.ios.entries
    for e in ios:
        yield "i", e, e.name
    seen: set[tuple[int, str]] | None = None  # (header, name) of every iOS entry, built only if an Android entry is not its twin
    for index, a in enumerate(views.android.entries):
        name = android_name(a)
        if not every_android_entry:
            twin = ios[index] if index < len(ios) else None
            if twin is not None and twin.local_offset == a.offset and twin.name == name:
                continue
            if seen is None:
                seen = {(e.local_offset, e.name) for e in ios}
            if (a.offset, name) in seen:
                continue
        yield "a", a, name


def archive_entry(side: str, e, name: str) -> ArchiveEntry:
    """The `ArchiveEntry` of a record from `entry_records`."""
    if side == "i":
        return ArchiveEntry(e.name, e.size, e.compressed_size, e.central_method, e.flags, e.external_attr, e.made_by, e.local_offset, e.crc)
    return ArchiveEntry(name, e.size, e.compressed_size, e.method, e.flags, 0, 0, e.offset, e.crc)


RULES = (
    missing_root_index, missing_notify_app_ready, unsafe_archive_path, duplicate_archive_entry,
    archive_symlink, encrypted_archive_entry, nested_archive, decompression_bomb,
    inconsistent_archive_headers, shipped_secret, shipped_dev_artefact, archive_refused_by_updater,
)

"""A Capacitor project root: `capacitor.config.*` beside `android/` and/or `ios/`.

The project is audited as three parts in one report: the config (OTA config
rules), the `webDir` build output when it exists (the OTA and content rules an
OTA bundle of it would get), and the native transport settings (the NAT rules
on this bundle). The native files are parsed here, safely and with positions
(`auditor/native`); nothing outside the project root is ever read.
"""

from __future__ import annotations

import json
from pathlib import Path

from auditor.engine.errors import InputError
from auditor.engine.limits import Limits
from auditor.engine.model import Body, Bundle, InputKind, Problem, Resource
from auditor.engine.record import replace
from auditor.engine.settings import Settings

# The order the Capacitor CLI looks for its config (`@capacitor/cli` `config.ts`).
CONFIG_NAMES = ("capacitor.config.ts", "capacitor.config.js", "capacitor.config.mjs", "capacitor.config.cjs", "capacitor.config.json")
DEFAULT_WEB_DIR = "www"
XML_TYPE = "application/xml"


def config_file(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file() and not (root / n).is_symlink()), None)


def is_project(root: Path) -> bool:
    """Recognised by content: a Capacitor config plus a native platform folder."""
    try:
        return config_file(root) is not None and any((root / d).is_dir() and not (root / d).is_symlink() for d in ("android", "ios"))
    except OSError:
        return False


def inside(root: Path, rel: str) -> Path | None:
    """The project file at `rel`, or None when it is missing, a symlink, or resolves outside the root."""
    candidate = root / rel
    try:
        if candidate.is_symlink() or not candidate.exists():
            return None
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return candidate


class _Project:
    """Collects resources, parsed native files and read problems while reading one project."""

    def __init__(self, root: Path, limits: Limits) -> None:
        self.root = root
        self.limits = limits
        self.resources: dict[str, Resource] = {}
        self.problems: list[Problem] = []
        self.size = 0

    def add(self, rel: str, file: Path, content_type: str | None = None) -> str:
        path = "/" + rel
        size = file.stat().st_size
        headers = {"content-type": content_type} if content_type else {}
        self.resources[path] = Resource(path=path, headers=headers, body=Body(size, path=file), source_path=rel)
        self.size += size
        return path

    def read_native(self, rel: str, content_type: str | None = XML_TYPE) -> tuple[str, bytes] | None:
        """Bytes of a native config file (bounded), registered as a resource; None when absent or refused."""
        file = inside(self.root, rel)
        if file is None or not file.is_file():
            return None
        path = self.add(rel, file, content_type)
        limit = self.limits.max_native_config_bytes
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            self.problems.append(Problem("native-too-large", f"`{rel}` is larger than {limit} bytes (max_native_config_bytes); not parsed", resource=path))
            return None
        return path, data

    def xml(self, rel: str):
        got = self.read_native(rel)
        if got is None:
            return None
        path, data = got
        from auditor.native.xml_tree import XmlProblem, parse_xml

        try:
            return path, parse_xml(data)
        except XmlProblem as exc:
            self.problems.append(Problem("native-unreadable", f"`{rel}`: {exc}", offset=exc.offset, resource=path))
            return None

    def text(self, rel: str, limit: int = 1024 * 1024) -> str | None:
        file = inside(self.root, rel)
        if file is None or not file.is_file():
            return None
        with open(file, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")


def read(path: Path, *, limits: Limits, settings: Settings) -> Bundle:
    """Read a Capacitor project into a Bundle of kind CAPACITOR_PROJECT with its parts."""
    from auditor.native import android, ios  # the native readers: not imported when sniffing a plain folder
    from auditor.native.gitignore import Ignores
    from auditor.native.keys import IOS_PROJECT, find_keys
    from auditor.native.model import NativeFacts
    from auditor.readers import capacitor_config, folder

    root = path
    config_path = config_file(root)
    if config_path is None:  # sniffed as a project, so only a race gets here
        raise InputError("no capacitor.config.{ts,js,json} in the project", where=str(root))
    project = _Project(root, limits)
    config_bundle = capacitor_config.read(config_path, limits=limits, settings=settings)
    config_resource = project.add(config_path.name, config_path, "application/json" if config_path.suffix == ".json" else "application/javascript")
    document = replace(config_bundle.document, resource=config_resource) if config_bundle.document else None
    parts: list[tuple[str, str, Bundle]] = [("", config_resource, config_bundle)]

    web_dir = config_bundle.document.value.get("webDir") if config_bundle.document and isinstance(config_bundle.document.value, dict) else None
    web_rel = (web_dir if isinstance(web_dir, str) and web_dir.strip() else DEFAULT_WEB_DIR).strip().strip("/").removeprefix("./")
    web_path = inside(root, web_rel) if web_rel and ".." not in Path(web_rel).parts else None
    web_bundle = None
    if web_path is not None and web_path.is_dir():
        try:
            web_bundle = replace(folder.read(web_path, limits=limits, settings=replace(settings, headers_file=None)), kind=InputKind.OTA_ZIP)
        except InputError as error:
            project.problems.append(Problem("web-dir-unreadable", f"`{web_rel}`: {error.describe()}"))
    if web_bundle is not None:
        mount = "/" + Path(web_rel).as_posix()
        for resource in web_bundle.resources.values():
            rel = f"{Path(web_rel).as_posix()}/{resource.source_path}"
            project.resources["/" + rel] = replace(resource, path="/" + rel, source_path=rel)
        project.size += web_bundle.size
        parts.append((mount, mount + "/", web_bundle))

    manifest = project.xml(android.MANIFEST_PATH)
    network_config = None
    if manifest is not None:
        app = android.application(manifest[1])
        name = android.network_security_config_name(app) if app is not None else None
        if name:
            network_config = project.xml(f"{android.RES_XML}/{name}.xml")
    debug_manifest = project.xml("android/app/src/debug/AndroidManifest.xml")
    plist = None
    got = project.read_native(ios.INFO_PLIST, "application/x-plist")
    if got is not None:
        try:
            plist = (got[0], ios.load_plist(got[1]))
        except ios.PlistProblem as exc:
            project.problems.append(Problem("native-unreadable", f"`{ios.INFO_PLIST}`: {exc}", offset=exc.offset, resource=got[0]))

    package_json = None
    package_text = project.text("package.json")
    if package_text:
        try:
            package_json = json.loads(package_text)
        except ValueError:
            package_json = None
    ignores = Ignores(root)
    keys = []
    for key in find_keys(root, limits.max_resources):
        file = inside(root, key.path)
        if file is None:
            continue
        if "/" + key.path not in project.resources:
            project.add(key.path, file, "application/x-pem-file" if key.pem_offset is not None else None)
        keys.append((key, ignores.ignored_by(key.path)))

    return Bundle(
        kind=InputKind.CAPACITOR_PROJECT,
        source=root,
        resources=project.resources,
        document=document,
        problems=tuple(project.problems),
        size=project.size,
        parts=tuple(parts),
        directory_index=True,
        native=NativeFacts(
            android_manifest=manifest,
            android_debug_manifest=debug_manifest,
            network_security_config=(network_config[0], android.read_network_security_config(network_config[1])) if network_config else None,
            android_min_sdk=android.min_sdk(project.text(android.VARIABLES_GRADLE)),
            info_plist=plist,
            package_json=package_json if isinstance(package_json, dict) else None,
            keys=tuple(keys),
            ios_project_text=project.text(IOS_PROJECT, 4 * 1024 * 1024),
        ),
    )

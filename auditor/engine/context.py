"""What a rule receives: the model, the audit's settings, shared parse caches, location helpers.

Parsing is lazy and memoised per audit, so each resource is parsed at most
once whatever the number of rules that read it. Parse modules take a Context
and store their results through `memo`, which keeps this class free of parser
imports (start-up stays light) and free of any rule's knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from auditor.engine.limits import DEFAULT_LIMITS, Limits
from auditor.engine.location import Location, TextIndex
from auditor.engine.model import IWA_KINDS, Bundle, InputKind, JsonDocument, Resource
from auditor.engine.registry import Need
from auditor.engine.settings import DEFAULT_SETTINGS, Settings

T = TypeVar("T")

TEXT_MIME_PREFIXES = ("text/",)
TEXT_MIME_TYPES = frozenset(
    {
        "application/javascript",
        "application/ecmascript",
        "application/x-javascript",
        "application/json",
        "application/manifest+json",
        "application/xhtml+xml",
        "image/svg+xml",
    }
)



def is_text_type(mime_type: str) -> bool:
    """Whether content rules would parse a resource of this MIME type as text."""
    return mime_type.startswith(TEXT_MIME_PREFIXES) or mime_type in TEXT_MIME_TYPES


def content_resources(bundle: Bundle) -> list[Resource]:
    """Resources whose content rules may parse: text types, and untyped files (a folder's `.js`)."""
    return [r for r in bundle.resources.values() if not r.mime_type or is_text_type(r.mime_type)]


class AuditSession:
    """State shared by every rule of one audit: the caches and the audit's settings."""

    def __init__(self, bundle: Bundle, *, limits: Limits = DEFAULT_LIMITS, settings: Settings = DEFAULT_SETTINGS) -> None:
        self.bundle = bundle
        self.limits = limits
        self.settings = settings
        self.cache: dict[object, object] = {}
        self.texts = TextCache(TEXT_CACHE_BYTES)
        self.on_read: Callable[[str], None] | None = None  # told each resource as its text is read (progress lines)
        self.scope: Resource | None = None  # the one resource content rules read now (None: the whole input)
        self.scope_cache: dict[object, object] = {}  # parse results of the scope's resource, dropped when it closes


# Decoded text (and its line index) kept for at most this many characters at once: rules that
# read a resource again soon find it, and the audit of a bundle of any size holds no more.
TEXT_CACHE_BYTES = 8 * 1024**2  # 60 MB of CSS: 66 MB peak RSS at 8 M, 115 MB at 64 M, same time (benchmarks/bundle_audit.py)


UNPARSED = object()  # a text entry's JSON slot before anyone asked for it


class TextCache:
    """Decoded texts and line indexes by resource path, least recently used dropped past `limit`
    characters: decoding again costs far less than holding every text for the whole audit."""

    def __init__(self, limit: int) -> None:
        from collections import OrderedDict

        self.limit = limit
        self.entries: OrderedDict[str, list] = OrderedDict()  # path -> [text, index or None]
        self.total = 0

    def get(self, path: str) -> list | None:
        entry = self.entries.get(path)
        if entry is not None:
            self.entries.move_to_end(path)
        return entry

    def drop(self, path: str) -> None:
        entry = self.entries.pop(path, None)
        if entry is not None:
            self.total -= len(entry[0] or "")

    def put(self, path: str, text: str | None) -> list:
        entry = [text, None, UNPARSED]  # text, line index, JSON value
        self.entries[path] = entry
        self.total += len(text or "")
        while self.total > self.limit and len(self.entries) > 1:
            _, (old, *_) = self.entries.popitem(last=False)
            self.total -= len(old or "")
        return entry


class Context:
    """A rule's view of the audit; the session behind it is shared by every rule."""

    __slots__ = ("session",)

    def __init__(self, session: AuditSession) -> None:
        self.session = session

    @property
    def bundle(self) -> Bundle:
        return self.session.bundle

    @property
    def limits(self) -> Limits:
        return self.session.limits

    @property
    def settings(self) -> Settings:
        """The audit's typed, frozen settings (`ctx.settings.expect_id`)."""
        return self.session.settings

    def meets(self, needs: Need) -> bool:
        """Whether the input has what a rule declares it needs (see auditor.engine.needs)."""
        from auditor.engine.needs import met

        return met(self, needs)

    def need(self, need: Need) -> object:
        """What a declared need's provider supplies: the rule ran, so it is not None."""
        from auditor.engine.needs import supply

        return supply(self, need)

    def memo(self, key: object, factory: Callable[[], T]) -> T:
        """Compute once per audit, share with every rule."""
        cache = self.session.cache
        if key not in cache:
            cache[key] = factory()
        return cache[key]  # type: ignore[return-value]

    @contextmanager
    def within(self, resource: Resource) -> Iterator[None]:
        """Narrow content parsing to one resource; its parse results and text go when this closes.

        The engine runs per-resource rules inside one scope per resource, so a page's
        tree lives only while the rules that read it run, whatever the size of the app.
        """
        session = self.session
        outer, outer_cache = session.scope, session.scope_cache
        session.scope, session.scope_cache = resource, {}
        try:
            yield
        finally:
            session.scope, session.scope_cache = outer, outer_cache
            if outer is not resource:
                session.texts.drop(resource.path)

    def local(self, key: object, factory: Callable[[], T]) -> T:
        """`memo` for what depends on the scope: kept while the scope is open (the whole audit outside one)."""
        cache = self.session.scope_cache if self.session.scope is not None else self.session.cache
        if key not in cache:
            cache[key] = factory()
        return cache[key]  # type: ignore[return-value]

    def in_scope(self, *mime_types: str) -> list[Resource]:
        """The scope's resource if it has one of these MIME types (any when none given), else nothing."""
        scope = self.session.scope
        if scope is None or (mime_types and scope.mime_type not in mime_types):
            return []
        return [scope]

    def per_resource(self, key: object, build: Callable[[], list[T]]) -> Iterable[T]:
        """Parse results for the resources in scope: `build` reads `in_scope()`.

        Inside a scope: built once and kept while it is open. Outside one (a rule
        that aggregates over the app): each resource in turn in its own scope, so
        one resource's results are alive at a time and nothing stays afterwards.
        """
        if self.session.scope is not None:
            return self.local(key, build)
        return self._each_resource(key, build)

    def summary(self, key: object, build: Callable[[], T]) -> T:
        """A compact result of the scope's resource (a page's `<meta>` CSPs, its links), kept for the audit.

        What a rule aggregating over the app reads instead of whole trees: computed
        while the resource's scope is open (the engine calls the rule's `collect`
        during the resource pass), so nothing is parsed a second time.
        """
        scope = self.session.scope
        if scope is None:
            raise RuntimeError("summary() needs a resource scope")
        return self.memo(("summary", key, scope.path), build)

    def summaries(self, key: object, build: Callable[[], T]) -> Iterator[T]:
        """The summary of every content resource in input order, computing (in its own scope) any not collected yet."""
        cache = self.session.cache
        for resource in content_resources(self.bundle):
            found = cache.get(("summary", key, resource.path), cache)
            if found is cache:
                with self.within(resource):
                    found = self.summary(key, build)
            yield found  # type: ignore[misc]

    def _each_resource(self, key: object, build: Callable[[], list[T]]) -> Iterator[T]:
        for resource in list(self.bundle.resources.values()):
            with self.within(resource):
                items = self.local(key, build)
            yield from items

    def resources(self, *mime_types: str) -> Iterator[Resource]:
        """Resources in input order, optionally only those of the given MIME types."""
        on_read = self.session.on_read
        for resource in self.bundle.resources.values():
            if not mime_types or resource.mime_type in mime_types:
                if on_read is not None:
                    on_read(resource.path)
                yield resource

    def resource(self, path: str) -> Resource | None:
        """The resource Chrome would serve for a path (query and fragment removed).

        For an IWA the path is canonicalised as GURL does (`auditor.chrome.urls`)
        and matched against canonical keys, so `/%2e/x` or `\\x` find `/x`, and
        of keys that alias, the first (the one Chrome serves) is found. A source
        folder has no directory entries, so `/dir/` maps to `/dir/index.html`
        there, as `wbn` would bundle it.
        """
        if self.bundle.kind not in IWA_KINDS:
            return self.bundle.resources.get(path.split("#", 1)[0].split("?", 1)[0] or "/")
        from auditor.chrome.urls import request_path

        key = request_path(path)
        if key is None:
            return None
        served = self.memo("served-paths", self._served_paths)
        found = served.get(key)
        if found is None and key.endswith("/") and self.bundle.directory_index:
            found = served.get(key + "index.html")
        return found

    def _served_paths(self) -> dict[str, Resource]:
        """Canonical path -> resource; bundle keys are canonical already, a folder's file paths are made so (first wins)."""
        from auditor.chrome.urls import request_path

        if self.bundle.kind is not InputKind.FOLDER:
            return dict(self.bundle.resources)
        served: dict[str, Resource] = {}
        for path, resource in self.bundle.resources.items():
            key = request_path(path)
            if key is not None:
                served.setdefault(key, resource)
        return served

    def text(self, resource: Resource) -> str | None:
        """The resource decoded as UTF-8 (replacing bad bytes), or None when too large to parse.

        Kept in a bounded cache (`TextCache`), not for the whole audit: a rule that
        needs a text again after many others may decode it again.
        """
        return self._text_entry(resource)[0]

    def _text_entry(self, resource: Resource) -> list:
        texts = self.session.texts
        entry = texts.get(resource.path)
        if entry is not None:
            return entry
        text = None
        if self.session.on_read is not None:
            self.session.on_read(resource.path)
        if resource.size <= self.limits.max_text_resource_bytes:
            data = resource.body.read(self.limits.max_text_resource_bytes)
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            text = data.decode("utf-8", "replace")
        return texts.put(resource.path, text)

    def text_index(self, resource: Resource) -> TextIndex | None:
        """Line index of the decoded text, shared by every rule that reports positions (cached
        with the text, and dropped with it)."""
        entry = self._text_entry(resource)
        if entry[1] is None and entry[0] is not None:
            entry[1] = TextIndex(entry[0])
        return entry[1]

    def json_value(self, resource: Resource) -> object:
        """The decoded text parsed as JSON, or None when it is not JSON (or too large to decode).

        Kept with the text in the bounded cache, so a source map that a rule
        checks and the mapping then reads is parsed once while it stays there.
        The value is shared: callers read it and never change it.
        """
        entry = self._text_entry(resource)
        if entry[2] is UNPARSED:
            import json

            try:
                entry[2] = json.loads(entry[0]) if entry[0] else None
            except (ValueError, RecursionError):
                entry[2] = None
        return entry[2]

    def document_index(self, document: JsonDocument) -> TextIndex:
        """Line index of a JSON document's text, shared by every rule that reports positions in it."""
        return self.memo(("doc-index", id(document)), lambda: TextIndex(document.text))

    def text_location(self, resource: Resource, start: int, end: int, *, pointer: str | None = None) -> Location:
        """Location of the character range [start, end) of a text resource."""
        index = self.text_index(resource)
        span = index.span(start, end) if index is not None else None
        return Location(resource=resource.path, span=span, pointer=pointer)

    def document_location(self, document: JsonDocument, pointer: str, *, key: bool = False) -> Location:
        """Location of a JSON member by pointer; falls back to the nearest ancestor that exists."""
        probe = pointer
        while True:
            found = document.pointers.get(probe + ("#key" if key else ""))
            if found is None and key:
                found = document.pointers.get(probe)
            if found is not None or probe == "":
                break
            probe = probe.rsplit("/", 1)[0]
        index = self.document_index(document)
        span = index.span(*found) if found is not None else None
        return Location(resource=document.resource, span=span, pointer=pointer)

    def bundle_location(self, offset: int | None = None, length: int = 0, *, pointer: str | None = None, resource: str | None = None) -> Location:
        """Location of a byte range of the container (a CBOR item, a zip record)."""
        byte_range = (offset, length) if offset is not None else None
        return Location(resource=resource, byte_range=byte_range, pointer=pointer)

"""The engine's own diagnostics (AUD). They carry no check: the runner emits them."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.findings import Hit, Level
from auditor.engine.model import InputKind
from auditor.engine.registry import rule

ALL_KINDS = frozenset(InputKind)


@rule(id="AUD001", name="unreadable-input", level=Level.ERROR, inputs=ALL_KINDS, tags=("engine",), security_severity=3.0)
def unreadable_input(ctx) -> Iterator[Hit]:
    """The input could not be read, so the audit is incomplete.

    ## What it checks
    That the input (folder, bundle, archive or JSON document) can be opened and
    parsed far enough for the rules to run.

    ## Why it matters
    A bundle Chrome cannot parse will not install; and an audit that could not
    read its input has proven nothing. iwa-audit exits 2.

    ## Example
    ```
    $ iwa-audit truncated.swbn
    truncated.swbn: at byte 4096: expected 4000 more bytes of a byte string, file ends
    ```

    ## Fix
    Rebuild the bundle with `wbn`/`wbn-sign` (or your bundler plugin) and check
    that the upload or copy step did not truncate it.
    """
    return iter(())


@rule(id="AUD002", name="rule-crashed", level=Level.ERROR, inputs=ALL_KINDS, tags=("engine",), security_severity=3.0)
def rule_crashed(ctx) -> Iterator[Hit]:
    """A rule failed on this input; the audit went on without it.

    ## What it checks
    Nothing: it reports a bug in iwa-audit, caught so the other rules still run.

    ## Why it matters
    The failed rule's checks did not happen, so the audit is incomplete and
    iwa-audit exits 2 rather than report a false "clean".

    ## Example
    ```
    AUD002 rule HDR003 failed on /app.js: ValueError: ...; please report
    ```

    ## Fix
    Report the message (and, if you can, the input) to the iwa-audit maintainers;
    meanwhile `--ignore` the failing rule to get a complete run of the rest.
    """
    return iter(())


@rule(id="AUD003", name="limit-exceeded", level=Level.ERROR, inputs=ALL_KINDS, tags=("engine",), security_severity=3.0)
def limit_exceeded(ctx) -> Iterator[Hit]:
    """Part of the input passed one of iwa-audit's resource limits and was not audited.

    ## What it checks
    Input size, resource count, nesting depth, per-resource size and archive
    compression ratio against the limits in `auditor/engine/limits.py`.

    ## Why it matters
    Limits stop decompression bombs and hostile nesting from exhausting the CI
    machine. What passed a limit was not audited, so the audit is incomplete.

    ## Example
    ```
    AUD003 /vendor/huge.js is 90000000 bytes; text resources over 67108864 bytes are not parsed
    ```

    ## Fix
    Split the oversized resource, or raise the limit if the input is genuine:
    `--limit max_text_resource_bytes=128M` (see `auditor/engine/limits.py` for all names).
    """
    from auditor.engine.context import is_text_type
    from auditor.parse.js import is_script

    limits = ctx.limits
    for resource in ctx.resources():
        if resource.body.withheld:
            continue
        if resource.size > limits.max_text_resource_bytes and is_text_type(resource.mime_type):
            name, limit, what = "max_text_resource_bytes", limits.max_text_resource_bytes, "text resources"
        elif resource.size > limits.max_script_bytes and is_script(resource):
            name, limit, what = "max_script_bytes", limits.max_script_bytes, "scripts"
        else:
            continue
        yield Hit(
            f"`{resource.path}` is {resource.size} bytes; {what} over {limit} bytes ({name}) are not parsed, so no content rule checked it",
            ctx.bundle_location(*(resource.byte_range or (None, 0)), resource=resource.path),
            help=f"raise it with --limit {name}=SIZE if the file is genuine",
        )




@rule(id="AUD004", name="invalid-suppression", level=Level.ERROR, inputs=ALL_KINDS, tags=("engine", "suppression"), security_severity=2.0)
def invalid_suppression(ctx) -> Iterator[Hit]:
    """An inline `iwa-audit: ignore[...]` comment that does not apply: no rule id, an unknown id, or no reason.

    ## What it checks
    Every suppression comment (`<!-- iwa-audit: ignore[SCR001] reason -->` in
    HTML, `/* ... */` in CSS, `// ...` or `/* ... */` in JS) names at least one
    rule id iwa-audit knows and gives a reason after the brackets.

    ## Why it matters
    A suppression is a reviewed exception. Without a rule id it would hide
    everything; without a reason nobody can review it later. Such a comment is
    ignored, so the finding it meant to hide still shows.

    ## Example
    ```html
    <!-- iwa-audit: ignore[SCR001] -->
    <script>legacy()</script>
    ```

    ## Fix
    `<!-- iwa-audit: ignore[SCR001] vendor snippet, removed in 2.0 (#123) -->`
    """
    return iter(())


@rule(id="AUD005", name="unused-suppression", level=Level.WARNING, inputs=ALL_KINDS, tags=("engine", "suppression"), security_severity=1.0)
def unused_suppression(ctx) -> Iterator[Hit]:
    """A suppression comment that hides nothing.

    ## What it checks
    Each rule id in a valid suppression comment matched a finding on the
    comment's line or the next one.

    ## Why it matters
    Stale suppressions pile up and later hide a new problem on that line.

    ## Example
    ```js
    // iwa-audit: ignore[SCR013] markup comes from our policy
    el.textContent = text;
    ```

    ## Fix
    Delete the comment (or the id that no longer applies).
    """
    return iter(())


ENGINE_RULES = (unreadable_input, rule_crashed, limit_exceeded, invalid_suppression, unused_suppression)
INCOMPLETE_RULE_IDS = frozenset({"AUD001", "AUD002", "AUD003"})

"""Project configuration: `[tool.iwa-audit]` in pyproject.toml, or `.iwa-audit.toml`, validated by a schema.

Found like ruff finds its own: walking up from the audited path (or the current
folder) to the first `.iwa-audit.toml` or `pyproject.toml` with a [tool.iwa-audit]
table; `--isolated` ignores every file.

Command-line options win over the file. Paths in the file are relative to the
file's folder. An unknown key is an error that names it: a typo must not
silently turn a check off.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from auditor.engine.record import FrozenRecord, store_fields
from auditor.schemas import read_text

CONFIG_FILE = ".iwa-audit.toml"
PYPROJECT = "pyproject.toml"


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


class Config(FrozenRecord):
    __slots__ = ("source", "values")
    source: Path | None
    values: dict

    def __init__(self, source: Path | None = None, values: dict | None = None) -> None:
        values = {} if values is None else values
        store_fields(self, locals())

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def path(self, key: str) -> Path | None:
        """A path-valued key resolved against the config file's folder."""
        value = self.values.get(key)
        if value is None:
            return None
        base = self.source.parent if self.source else Path.cwd()
        return (base / value) if not Path(value).is_absolute() else Path(value)

    def paths(self) -> list[Path]:
        base = self.source.parent if self.source else Path.cwd()
        return [base / p for p in self.values.get("paths", [])]


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(read_text("config.schema.json"))


def has_tool_table(pyproject: Path) -> bool:
    """True when a pyproject.toml really has a [tool.iwa-audit] table (a mention is not enough)."""
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool", {}).get("iwa-audit"), dict)


def find_config(start: Path) -> Path | None:
    """Like ruff: from `start` up to the root, the first `.iwa-audit.toml`, or `pyproject.toml` with [tool.iwa-audit]."""
    try:
        folder = start.resolve()
    except OSError:
        return None
    if not folder.is_dir():
        folder = folder.parent
    for candidate_folder in (folder, *folder.parents):
        candidate = candidate_folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = candidate_folder / PYPROJECT
        if pyproject.is_file() and has_tool_table(pyproject):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file; None gives the empty configuration."""
    if path is None:
        return Config()
    import tomllib  # only when there is a file to read (pre-commit start-up)

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if path.name == PYPROJECT or "tool" in data:  # .iwa-audit.toml may hold the same [tool.iwa-audit] table
        tool = data.get("tool", {})
        if path.name != PYPROJECT and set(data) != {"tool"}:
            raise ConfigError(f"{path}: use either top-level keys or one [tool.iwa-audit] table, not both")
        data = tool.get("iwa-audit", {}) if isinstance(tool, dict) else {}
    validate(data, path)
    return Config(path, data)


def validate(data: object, path: Path) -> None:
    from auditor.parse.schema_check import certainly_valid

    if certainly_valid(schema(), data):
        return  # the usual case, without importing jsonschema (pre-commit start-up)
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(schema()["properties"]))
        extra = sorted(set(error.instance) - set(schema()["properties"]))
        raise ConfigError(f"{path}: unknown key `{extra[0]}` (known keys: {known})")
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise ConfigError(f"{path}: `{where}`: {error.message}")

"""Project configuration: `[tool.iwa-audit]` in pyproject.toml, or `.iwa-audit.toml`, validated by a schema.

Command-line options win over the file. Paths in the file are relative to the
file's folder. An unknown key is an error that names it: a typo must not
silently turn a check off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

CONFIG_FILE = ".iwa-audit.toml"
PYPROJECT = "pyproject.toml"


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    source: Path | None = None
    values: dict = field(default_factory=dict)

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
    return json.loads(resources.files("auditor.schemas").joinpath("config.schema.json").read_text("utf-8"))


def find_config(start: Path) -> Path | None:
    """`.iwa-audit.toml`, else a pyproject.toml with a [tool.iwa-audit] table, in `start`."""
    candidate = start / CONFIG_FILE
    if candidate.is_file():
        return candidate
    pyproject = start / PYPROJECT
    if pyproject.is_file() and "iwa-audit" in pyproject.read_text("utf-8", "replace"):
        return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file; None gives the empty configuration."""
    import tomllib

    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("iwa-audit", {})
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

"""A quick yes to "is this instance valid?" for the small schemas we ship, before jsonschema.

Importing jsonschema costs more than a whole audit of a small app (about 75 ms
of the pre-commit hook's budget), and almost every configuration file and
manifest is valid. `certainly_valid` answers True only when it is sure: it
knows a handful of keywords (the ones `schemas/` uses) with jsonschema's own
meaning, and says False for anything it does not know or cannot decide, so the
caller then asks jsonschema, whose errors are what users read. It never
reports an error itself, so it cannot disagree with jsonschema about one.
"""

from __future__ import annotations

import re
from functools import lru_cache

ANNOTATIONS = frozenset({"$id", "$schema", "$comment", "title", "description", "default", "examples"})
TYPES = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}


@lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _type_ok(expected: object, instance: object) -> bool | None:
    names = expected if isinstance(expected, list) else [expected]
    for name in names:
        if name in TYPES and type(instance) is TYPES[name]:
            return True
        if name in ("number", "integer") and type(instance) is int:
            return True
        if name == "number" and type(instance) is float:
            return True
        if name == "integer" and type(instance) is float:
            return None  # 1.0 is an integer to JSON Schema: let jsonschema decide
    return False


def _enum_ok(values: list, instance: object) -> bool | None:
    if isinstance(instance, (dict, list)):
        return None
    return any(type(value) is type(instance) and value == instance for value in values)


def certainly_valid(schema: object, instance: object) -> bool:
    """True when the instance is valid under the schema; False when unsure or invalid."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS or keyword == "properties":
            continue
        if keyword == "type":
            if _type_ok(value, instance) is not True:
                return False
        elif keyword == "enum":
            if _enum_ok(value, instance) is not True:
                return False
        elif keyword == "anyOf":
            if not any(certainly_valid(sub, instance) for sub in value):
                return False
        elif keyword == "required":
            if isinstance(instance, dict) and not all(name in instance for name in value):
                return False
        elif keyword == "additionalProperties":
            if isinstance(instance, dict):
                known = schema.get("properties", {})
                if not all(certainly_valid(value, item) for key, item in instance.items() if key not in known):
                    return False
        elif keyword == "items":
            if isinstance(instance, list) and not all(certainly_valid(value, item) for item in instance):
                return False
        elif keyword in ("minItems", "maxItems"):
            if isinstance(instance, list) and not (len(instance) >= value if keyword == "minItems" else len(instance) <= value):
                return False
        elif keyword == "minLength":
            if isinstance(instance, str) and len(instance) < value:
                return False
        elif keyword == "pattern":
            if isinstance(instance, str) and _pattern(value).search(instance) is None:
                return False
        else:
            return False  # a keyword this check does not know: jsonschema decides
    properties = schema.get("properties")
    if isinstance(properties, dict) and isinstance(instance, dict):
        return all(certainly_valid(properties[key], item) for key, item in instance.items() if key in properties)
    return properties is None or isinstance(properties, dict)

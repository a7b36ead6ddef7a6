"""Reading JSON APIs: dotted paths into JSON, and JSONP unwrapping."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_MISSING = object()


def json_path(data: Any, dotted: str) -> Any:
    """Follow a dotted path (``data.list``, ``rows.0.title``) into JSON; None when absent."""
    current = data
    for part in dotted.split("."):
        if isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
        if current is _MISSING:
            return None
    return current


def json_fields(data: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    """Article fields read from JSON by a mapping of field name → dotted path."""
    return {name: json_path(data, path) for name, path in paths.items()}


def parse_jsonp(text: str) -> str:
    """Strip a JSONP wrapper or ``var x = …;`` prefix, returning the JSON text."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        return stripped
    match = re.match(r"^(?:var\s+\w+\s*=\s*|[\w.$]+\s*\()(.*?)\)?;?\s*$", stripped, re.DOTALL)
    return match.group(1) if match else stripped

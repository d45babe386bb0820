"""Validate real JSON outputs against the schemas gradcli ships."""

from __future__ import annotations

import json
from typing import Any

from gradcli.schemas import schema


def validate(name: str, document: Any) -> None:
    """``document`` (parsed, or JSON text) is valid under schema ``name``; else the error."""
    import jsonschema

    if isinstance(document, str):
        document = json.loads(document)
    shape = schema(name)
    jsonschema.Draft202012Validator.check_schema(shape)
    jsonschema.Draft202012Validator(shape, format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def validate_lines(name: str, text: str) -> int:
    """Every line of ``text`` (JSON lines) is valid under ``name``; how many there were."""
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        validate(name, line)
    return len(lines)

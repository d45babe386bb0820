"""JSON Schema (draft 2020-12) files for every command's JSON output.

One file per shape, named after the command (``grad.json``) or the command
and its mode (``grad-points.json`` for one line of ``grad --at -``). They
are package data, so that a consumer can validate against the installed
version::

    >>> from gradcli.schemas import schema
    >>> schema("grad")["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def names() -> list[str]:
    """The name of every schema shipped, without ``.json``."""
    folder = resources.files(__name__)
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``name`` (``grad``, ``grad-points``, …) as a dict."""
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded

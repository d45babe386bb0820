"""Bounds on what one input may ask for: size, nesting, number size, time.

Every bound has a default, an environment variable and a command-line option;
the defaults suit a student's homework and a grading script, and the rare large
case raises them on purpose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from gradcli.errors import InputError


@dataclass(frozen=True)
class Limits:
    """The bounds one command runs under.

    >>> Limits().max_length
    10000
    >>> Limits.from_env({"GRADCLI_MAX_LENGTH": "50000"}).max_length
    50000
    """

    #: characters in one expression
    max_length: int = 10_000
    #: nesting of brackets, function calls and powers
    max_depth: int = 100
    #: digits in one number literal
    max_digits: int = 1_000
    #: size of a float literal's exponent (the 300 in 1e300)
    max_exponent: int = 1_000
    #: bit length of any exact number the input makes (2**10000 ~ 3011 digits)
    max_bits: int = 10_000
    #: wall-clock seconds for one computation
    timeout: float = 10.0
    #: wall-clock seconds for one simplification (within ``timeout``)
    simplify_timeout: float = 2.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``GRADCLI_MAX_LENGTH`` and its siblings."""
        env = os.environ if environ is None else environ
        changes: dict[str, float | int] = {}
        for field in fields(cls):
            raw = env.get("GRADCLI_" + field.name.upper())
            if raw is None or raw == "":
                continue
            changes[field.name] = _positive(
                field.name, raw, float if field.type == "float" else int
            )
        return replace(cls(), **changes)  # type: ignore[arg-type]

    def with_options(self, **options: float | int | None) -> Limits:
        """These limits with the options that were given (``None`` = not given)."""
        given = {k: v for k, v in options.items() if v is not None}
        for name, value in given.items():
            if value <= 0:
                raise InputError(f"--{name.replace('_', '-')} must be positive, got {value}")
        return replace(self, **given)  # type: ignore[arg-type]


def _positive(name: str, raw: str, kind: type) -> float | int:
    variable = "GRADCLI_" + name.upper()
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{variable}={raw!r} is not a {kind.__name__}") from None
    if value <= 0:
        raise InputError(f"{variable} must be positive, got {raw}")
    return value

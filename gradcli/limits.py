"""Bounds on what one input may ask for: size, nesting, number size, time, memory.

Every bound has a default and an environment variable, ``GRADCLI_`` and the
field's name in capitals (``GRADCLI_MAX_LENGTH``); the common ones have a
command-line option too (``--max-length``). The defaults suit a student's
homework and a grading script; the rare large case raises them on purpose.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from gradcli.errors import InputError
from gradcli.i18n import _


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
    #: digits in one number literal (never fewer than a ``max_bits`` number
    #: has, so that every printed result reads back)
    max_digits: int = 3_100
    #: size of a float literal's exponent (the 300 in 1e300)
    max_exponent: int = 1_000
    #: bit length of any exact number the input makes (2**10000 ~ 3011 digits)
    max_bits: int = 10_000
    #: wall-clock seconds for one computation
    timeout: float = 10.0
    #: wall-clock seconds of optional work (simplifying, tidying a quotient)
    #: shared by all the steps of one result; see
    #: :attr:`optional_seconds`
    simplify_timeout: float = 2.0
    #: megabytes of memory one computation may use before it is stopped
    max_memory: int = 2_000

    @property
    def optional_seconds(self) -> float:
        """The share of ``timeout`` that optional work may take: at most a tenth
        of it, and at most ``simplify_timeout``, so that the required work
        (parsing, differentiating, evaluating) always keeps most of the budget.

        >>> Limits().optional_seconds, Limits(timeout=1.0).optional_seconds
        (1.0, 0.1)
        """
        return min(self.simplify_timeout, self.timeout * OPTIONAL_SHARE)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
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
        """These limits with the options that were given (``None`` = not given).

        >>> Limits().with_options(timeout=1e10)
        Traceback (most recent call last):
        ...
        gradcli.errors.InputError: --timeout must be at most 1,000,000, got 1e+10
        """
        given = {k: v for k, v in options.items() if v is not None}
        for name, value in given.items():
            option = f"--{name.replace('_', '-')}"
            if not math.isfinite(value) or value <= 0:
                raise InputError(
                    _("{option} must be positive, got {value}").format(option=option, value=value)
                )
            if value > MOST[name]:
                raise InputError(
                    _("{option} must be at most {most}, got {value}").format(
                        option=option, most=f"{MOST[name]:,}", value=f"{value:g}"
                    )
                )
        return replace(self, **given)  # type: ignore[arg-type]


#: the most of ``timeout`` that optional work (simplification) may take
OPTIONAL_SHARE = 0.1

#: the largest value each bound accepts: far beyond any real use, and within
#: what the machinery takes (a timer of 1e10 s overflows the platform's time_t)
MOST: dict[str, int] = {
    "max_length": 1_000_000_000,
    "max_depth": 1_000_000,
    "max_digits": 10_000_000_000,
    "max_exponent": 10_000_000_000,
    "max_bits": 1_000_000_000_000,
    "timeout": 1_000_000,  # 11.6 days
    "simplify_timeout": 1_000_000,
    "max_memory": 100_000_000,  # 100 TB, in megabytes
}


def _positive(name: str, raw: str, kind: type) -> float | int:
    variable = "GRADCLI_" + name.upper()
    try:
        value = kind(raw.strip())
    except ValueError:
        if kind is int:
            message = _("{variable}={value} is not a whole number")
        else:
            message = _("{variable}={value} is not a number")
        raise InputError(message.format(variable=variable, value=repr(raw))) from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            _("{variable} must be a positive number, got {value}").format(
                variable=variable, value=repr(raw)
            )
        )
    if value > MOST[name]:
        raise InputError(
            _("{option} must be at most {most}, got {value}").format(
                option=variable, most=f"{MOST[name]:,}", value=repr(raw)
            )
        )
    return value


#: GRADCLI_NO_FILES's values, as click reads a flag's (empty: not set)
_YES = ("1", "true", "t", "yes", "y", "on")
_NO = ("", "0", "false", "f", "no", "n", "off")


def files_refused(environ: Mapping[str, str] | None = None) -> bool:
    """Whether GRADCLI_NO_FILES turns ``@FILE`` off: 1, true, yes or on (any case).

    >>> files_refused({"GRADCLI_NO_FILES": "1"}), files_refused({})
    (True, False)
    >>> files_refused({"GRADCLI_NO_FILES": "maybe"})
    Traceback (most recent call last):
    ...
    gradcli.errors.InputError: GRADCLI_NO_FILES='maybe' is not 1, true, yes, on, 0, false, no or off
    """
    env = os.environ if environ is None else environ
    raw = env.get("GRADCLI_NO_FILES", "")
    value = raw.strip().lower()
    if value in _YES or value in _NO:
        return value in _YES
    raise InputError(
        _("{variable}={value} is not 1, true, yes, on, 0, false, no or off").format(
            variable="GRADCLI_NO_FILES", value=repr(raw)
        )
    )

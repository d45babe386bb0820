"""gradcli: a symbolic gradient calculator.

The mathematics is a plain Python API that returns frozen dataclasses; the
command line is a thin shell over it::

    >>> from gradcli import gradient
    >>> g = gradient("x^2 + y^2 + xy", at="1,3")
    >>> g.components, g.at.value, g.at.magnitude
    ((2*x + y, x + 2*y), (5, 7), sqrt(74))

Names are imported on first use, so that ``gradcli --help`` does not pay for
importing sympy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name → the module that defines it
_API = {
    "gradient": "gradcli.calculus",
    "jacobian": "gradcli.calculus",
    "Gradient": "gradcli.calculus",
    "GradientAt": "gradcli.calculus",
    "Jacobian": "gradcli.calculus",
    "hessian": "gradcli.second_order",
    "HessianResult": "gradcli.second_order",
    "critical_points": "gradcli.critical",
    "CriticalAnalysis": "gradcli.critical",
    "descend": "gradcli.descent",
    "compare": "gradcli.descent",
    "DescentRun": "gradcli.descent",
    "StopReason": "gradcli.descent",
    "PointKind": "gradcli.kinds",
    "Definiteness": "gradcli.kinds",
    "Diagnosis": "gradcli.descent",
    "Schedule": "gradcli.descent",
    "build_loss": "gradcli.losses",
    "read_table": "gradcli.losses",
    "Loss": "gradcli.losses",
    "Table": "gradcli.losses",
    "check": "gradcli.grading",
    "Verdict": "gradcli.grading",
    "derive": "gradcli.steps",
    "derive_all": "gradcli.steps",
    "Derivation": "gradcli.steps",
    "parse_function": "gradcli.parse",
    "parse_expression": "gradcli.parse",
    "Function": "gradcli.parse",
    "Limits": "gradcli.limits",
    "GradcliError": "gradcli.errors",
    "ExitCode": "gradcli.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'gradcli' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

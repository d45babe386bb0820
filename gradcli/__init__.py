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
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # for mypy and pyright; at run time each name loads on first use
    from gradcli.calculus import Gradient as Gradient
    from gradcli.calculus import GradientAt as GradientAt
    from gradcli.calculus import Jacobian as Jacobian
    from gradcli.calculus import gradient as gradient
    from gradcli.calculus import jacobian as jacobian
    from gradcli.critical import CriticalAnalysis as CriticalAnalysis
    from gradcli.critical import critical_points as critical_points
    from gradcli.descent import DescentRun as DescentRun
    from gradcli.descent import Diagnosis as Diagnosis
    from gradcli.descent import Schedule as Schedule
    from gradcli.descent import StopReason as StopReason
    from gradcli.descent import compare as compare
    from gradcli.descent import descend as descend
    from gradcli.errors import ExitCode as ExitCode
    from gradcli.errors import GradcliError as GradcliError
    from gradcli.grading import Verdict as Verdict
    from gradcli.grading import check as check
    from gradcli.kinds import Definiteness as Definiteness
    from gradcli.kinds import PointKind as PointKind
    from gradcli.limits import Limits as Limits
    from gradcli.losses import Loss as Loss
    from gradcli.losses import Table as Table
    from gradcli.losses import build_loss as build_loss
    from gradcli.losses import read_table as read_table
    from gradcli.parse import Function as Function
    from gradcli.parse import parse_expression as parse_expression
    from gradcli.parse import parse_function as parse_function
    from gradcli.second_order import HessianResult as HessianResult
    from gradcli.second_order import hessian as hessian
    from gradcli.steps import Derivation as Derivation
    from gradcli.steps import derive as derive
    from gradcli.steps import derive_all as derive_all

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

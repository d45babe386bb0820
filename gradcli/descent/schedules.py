"""Learning-rate schedules: α_t from the base rate α and the counter t.

t counts steps in a full-batch run and epochs in a mini-batch one (as a
PyTorch scheduler stepped once per epoch), from 0; T is the number of steps
or epochs asked for.

============  ==========================================  ====================
schedule      α_t                                         parameters [default]
============  ==========================================  ====================
``constant``  α                                           none
``step``      α·γ^⌊t/s⌋                                   ``gamma`` [0.5], ``every`` s [10]
``exp``       α·γ^t                                       ``gamma`` [0.99]
``inverse``   α/(1 + γ·t)                                 ``gamma`` [0.1]
``cosine``    α_min + (α − α_min)·(1 + cos(π·t/T))/2      ``min`` α_min [0]
============  ==========================================  ====================

These are PyTorch's StepLR, ExponentialLR and CosineAnnealingLR (with
T_max = T, eta_min = α_min); ``inverse`` is the classic inverse-time decay
(Keras' InverseTimeDecay with decay_steps = 1). A schedule is written
``NAME`` or ``NAME:key=value,key=value`` (``step:gamma=0.5,every=20``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from gradcli.errors import InputError
from gradcli.i18n import _

#: each schedule's parameters and their defaults
SCHEDULES: dict[str, dict[str, float]] = {
    "constant": {},
    "step": {"gamma": 0.5, "every": 10},
    "exp": {"gamma": 0.99},
    "inverse": {"gamma": 0.1},
    "cosine": {"min": 0.0},
}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: its name and parameters.

    >>> Schedule.read("step:every=2").rate(1.0, 5, 10)
    0.25
    >>> Schedule.read("cosine").rate(0.1, 10, 10)
    0.0
    >>> Schedule.read("inverse:gamma=1").text
    'inverse:gamma=1'
    """

    name: str = "constant"
    parameters: dict[str, float] = field(default_factory=dict)

    @classmethod
    def read(cls, text: str) -> Schedule:
        """A schedule from ``NAME[:key=value,…]``; unknown names and keys are errors."""
        name, _colon, rest = text.strip().partition(":")
        name = name.strip().lower()
        if name not in SCHEDULES:
            known = ", ".join(SCHEDULES)
            raise InputError(
                _("unknown schedule {name}: choose one of {known}").format(
                    name=repr(name), known=known
                )
            )
        parameters = dict(SCHEDULES[name])
        given: set[str] = set()
        for item in filter(None, (part.strip() for part in rest.split(","))):
            key, equals, value = item.partition("=")
            key = key.strip().lower()
            if key in given:
                raise InputError(
                    _("the {schedule} schedule's {key} is given twice").format(
                        schedule=name, key=key
                    )
                )
            given.add(key)
            if key not in parameters:
                allowed = ", ".join(SCHEDULES[name]) or _("none")
                raise InputError(
                    _(
                        "the {schedule} schedule has no parameter {key} (its parameters: {allowed})"
                    ).format(schedule=name, key=repr(key), allowed=allowed)
                )
            if not equals:
                raise InputError(_("write the schedule's parameter as {key}=VALUE").format(key=key))
            parameters[key] = _number(value, f"{name}:{key}")
        _check(name, parameters)
        return cls(name, parameters)

    @property
    def text(self) -> str:
        """The schedule as it would be typed, only the parameters that differ from the defaults."""
        changed = [
            f"{key}={value:g}"
            for key, value in self.parameters.items()
            if value != SCHEDULES[self.name][key]
        ]
        return self.name + (":" + ",".join(changed) if changed else "")

    @property
    def is_constant(self) -> bool:
        return self.name == "constant"

    def rate(self, lr: float, t: int, total: int) -> float:
        """α_t for base rate ``lr`` at counter ``t`` of ``total``."""
        p = self.parameters
        if self.name == "step":
            return lr * p["gamma"] ** (t // int(p["every"]))
        if self.name == "exp":
            return lr * p["gamma"] ** t
        if self.name == "inverse":
            return lr / (1 + p["gamma"] * t)
        if self.name == "cosine":
            low = p["min"]
            return low + (lr - low) * (1 + math.cos(math.pi * min(t, total) / max(total, 1))) / 2
        return lr


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            _("{what} must be a number, got {value}").format(what=what, value=repr(text.strip()))
        ) from None
    if not math.isfinite(value):
        raise InputError(
            _("{what} must be finite, got {value}").format(what=what, value=repr(text.strip()))
        )
    return value


def _check(name: str, parameters: dict[str, float]) -> None:
    gamma = parameters.get("gamma")
    if name in ("step", "exp") and gamma is not None and not 0 < gamma <= 1:
        raise InputError(
            _("the {schedule} schedule's gamma must be in (0, 1], got {gamma:g}").format(
                schedule=name, gamma=gamma
            )
        )
    if name == "inverse" and gamma is not None and gamma < 0:
        raise InputError(
            _("the inverse schedule's gamma must be 0 or positive, got {gamma:g}").format(
                gamma=gamma
            )
        )
    every = parameters.get("every")
    if every is not None and (every < 1 or every != int(every)):
        raise InputError(
            _("the step schedule's every must be a whole number ≥ 1, got {every:g}").format(
                every=every
            )
        )
    low = parameters.get("min")
    if low is not None and low < 0:
        raise InputError(
            _("the cosine schedule's min must be 0 or positive, got {min:g}").format(min=low)
        )

"""Running a compiled descent: blocks of steps, stop tests, Newton's method."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from gradcli.descent.compile import _Block, _initial_state, _Layout, _params, _Program
from gradcli.descent.exact import _value_at
from gradcli.descent.options import _Options
from gradcli.descent.results import _CHUNK, DIVERGENCE_FACTOR, StopReason, point_text
from gradcli.errors import UndefinedError, reason_of
from gradcli.i18n import _
from gradcli.numbers import exact, to_float


@dataclass(frozen=True)
class _Raw:
    """What the loop hands to the assembly: rows of ``layout.width`` floats
    (∇f(θ_k), θ_{k+1}), the values f(θ_k), and why the run stopped."""

    flat: list[Any]
    values: list[Any]
    count: int
    reason: StopReason
    #: why, in words (a :class:`_Why` when the words came from a failing row)
    detail: str
    f0: float
    #: |∇f(θ_k)| for each row, when already computed
    norms: list[float] | None = None

    @property
    def overflowed(self) -> bool:
        """Whether the run ended as f or its gradient grew past floating point
        (an infinite value, a math range error), not where f is undefined."""
        return isinstance(self.detail, _Why) and self.detail.overflowed


class _Why(str):
    """Why a row stops a run, in words (in the active language), and whether
    the numbers overflowed there: the diagnosis reads the flag, not the words."""

    overflowed: bool = False

    @classmethod
    def overflow(cls, text: str) -> _Why:
        why = cls(text)
        why.overflowed = True
        return why


_EVALUATION_ERRORS = (ArithmeticError, ValueError, TypeError)


def _start_values(program: _Program, theta0: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    where = point_text(theta0)
    try:
        out = program.value_and_gradient(*theta0)
        value = float(out[0])
    except _EVALUATION_ERRORS as error:
        point = dict(zip(program.variables, (exact(v, "θ") for v in theta0)))
        _refuse_too_large(program, point, where)
        if _value_at(program.real.expr, point) is not None:
            raise UndefinedError(
                _("the gradient of f is undefined at the start point {point}").format(point=where)
            ) from None
        raise UndefinedError(
            _("f is undefined at the start point {point}: {error}").format(
                point=where, error=reason_of(error)
            )
        ) from None
    try:
        grad = tuple(float(g) for g in out[1:])
    except _EVALUATION_ERRORS:
        grad = (math.nan,)
    if not math.isfinite(value) or not all(math.isfinite(g) for g in grad):
        point = dict(zip(program.variables, (exact(v, "θ") for v in theta0)))
        _refuse_too_large(program, point, where)
    if not math.isfinite(value):
        raise UndefinedError(_("f is not finite at the start point {point}").format(point=where))
    if not all(math.isfinite(g) for g in grad):
        raise UndefinedError(
            _("the gradient of f is undefined at the start point {point}").format(point=where)
        )
    return value, grad


def _refuse_too_large(program: _Program, point: dict[Any, Any], where: str) -> None:
    """Raise when f or its gradient is a finite number at the start point that
    floating point cannot hold (``x*10^400``): the float run cannot start, and
    "undefined" would be wrong."""
    from gradcli.magnitude import exceeds_bits

    real = program.real
    for name, expr in (("f", real.expr), *(("gradient", g) for g in real.gradient)):
        if exceeds_bits(expr, point, _EXACT_BITS):
            continue  # too costly to tell exactly (or infinite): the caller's words stand
        value = _value_at(expr, point)
        if value is not None and math.isinf(to_float(value)):
            if name == "f":
                too_large = _(
                    "f is too large for floating point at the start point {point}"
                    " (beyond about 1.8e308)"
                )
            else:
                too_large = _(
                    "the gradient of f is too large for floating point at the start point {point}"
                    " (beyond about 1.8e308)"
                )
            raise UndefinedError(too_large.format(point=where))


#: exact values at the start point are computed only within this size
_EXACT_BITS = 10_000


def _run(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    *,
    ascent: bool,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    f0, _grad = _start_values(program, theta0)
    if options.method == "newton" or options.stepwise:
        from gradcli.descent.plain import _run_plain

        raw = _run_plain(program, options, theta0, f0, ascent, on_progress)
    else:
        raw = _run_blocks(program, options, theta0, f0, ascent, on_progress)
    if on_progress is not None:
        on_progress(raw.count - 1, options.steps)
    return raw


@dataclass(frozen=True)
class _Bounds:
    """The stop tests' thresholds for one run."""

    #: |f| beyond this is divergence
    high: float
    tol: float
    #: a step shorter than this is tiny (no progress after two in a row)
    small: float

    @classmethod
    def of(cls, options: _Options, f0: float) -> _Bounds:
        return cls(
            high=DIVERGENCE_FACTOR * max(1.0, abs(f0)),
            tol=options.tol,
            small=options.tol * min(1.0, options.lr),
        )


#: rows of a block: (carry', record) as the compiled block returned it
_Blocks = list[tuple[tuple[Any, ...], tuple[Any, ...]]]


def _run_blocks(
    program: _Program,
    options: _Options,
    theta0: tuple[float, ...],
    f0: float,
    ascent: bool,
    on_progress: Callable[[int, int], None] | None,
) -> _Raw:
    layout = program.layout
    n, unroll = layout.n, layout.unroll
    bounds = _Bounds.of(options, f0)
    total_blocks = -(-(options.steps + 1) // unroll)
    params = _params(options, -1.0 if ascent else 1.0)
    checks = (math.inf,) * layout.checks
    carry0 = (*theta0, *_initial_state(options.method, n), *params, *checks)
    blocks: _Blocks = []
    fast = _fast_steps if layout.has_step else _fast_gd
    chunk = max(1, _CHUNK // unroll) if on_progress is not None else total_blocks
    tests = (-bounds.high, bounds.high, options.tol**2, bounds.small**2)
    stop: tuple[int, StopReason, str] | None = None
    while stop is None and len(blocks) < total_blocks:
        count = min(chunk, total_blocks - len(blocks))
        carry = blocks[-1][0] if blocks else carry0
        try:
            triggered = fast(program.block, carry, count, blocks.append, *tests)
        except _EVALUATION_ERRORS:
            start = blocks[-1][0] if blocks else carry0
            tail = _single_steps(program, options, start, len(blocks) * unroll, bounds)
            return _finish(program, blocks, tail, f0, options, theta0)
        if triggered:
            # the last row of the last block met a test: find the first row
            # of that block that does (a test of the block's end only can
            # miss a row inside it; _finish looks at every row again)
            i = len(blocks) - 1
            carry = blocks[i - 1][0] if i else carry0
            values, failures = _block_values(program, blocks[i - 1 : i + 1] if i else blocks, f0)
            if i:
                values, failures = values[unroll:], {k - unroll: v for k, v in failures.items()}
            before2 = carry[-3] if layout.has_step else math.inf
            stop = _first_stop(
                blocks[i][1], values, failures, layout, i * unroll, carry[:n], before2, bounds
            )
        if on_progress is not None and stop is None and len(blocks) < total_blocks:
            on_progress(len(blocks) * unroll, options.steps)
    return _finish(program, blocks, None, f0, options, theta0)


def _fast_gd(
    block: _Block,
    carry: tuple[Any, ...],
    count: int,
    append: Callable[[Any], None],
    low: float,
    high: float,
    tol2: float,
    step2: float,
) -> bool:
    """The hot loop: one call, one append and one test per block of steps.

    The test is of the block's last step only: |∇f|² ≥ tol² and f within
    bounds (a NaN fails it). A block that raises is not kept, so the last
    block kept holds the carry of the one that failed.
    """
    for _unused in range(count):
        out = block(carry)
        append(out)
        carry = out[0]
        if not (carry[-2] >= tol2 and low < carry[-1] < high):
            return True
    return False


def _fast_steps(
    block: _Block,
    carry: tuple[Any, ...],
    count: int,
    append: Callable[[Any], None],
    low: float,
    high: float,
    tol2: float,
    step2: float,
) -> bool:
    """The hot loop for methods whose step is not α|∇f|: also two tiny steps."""
    for _unused in range(count):
        out = block(carry)
        append(out)
        carry = out[0]
        if not (
            carry[-2] >= tol2
            and low < carry[-1] < high
            and (carry[-3] >= step2 or carry[-4] >= step2)
        ):
            return True
    return False


def _block_values(
    program: _Program, blocks: _Blocks, f0: float
) -> tuple[list[Any], dict[int, str]]:
    """f(θ_k) for θ_0 (``f0``) and each row's θ_{k+1}, and where f failed.

    One call per block; a block where f cannot be evaluated everywhere is
    done again point by point, and each failure is described by its row.
    """
    values: list[Any] = [f0]
    failures: dict[int, str] = {}
    try:
        values.extend(chain.from_iterable(map(program.values, (out[1] for out in blocks))))
    except _EVALUATION_ERRORS:
        del values[1:]
        n, width = program.layout.n, program.layout.width
        for out in blocks:
            try:
                values.extend(program.values(out[1]))
            except _EVALUATION_ERRORS:
                record = out[1]
                for at in range(n, len(record), width):
                    theta = record[at : at + n]
                    try:
                        values.append(program.value_and_gradient(*theta)[0])
                    except _EVALUATION_ERRORS as error:
                        failures[len(values)] = _undefined_text(theta, error)
                        values.append(math.nan)
    return values, failures


def _norms(flat: Sequence[Any], layout: _Layout) -> list[float]:
    """|∇f(θ_k)| of each row (NaN where a gradient is not a real number)."""
    n, width = layout.n, layout.width
    columns = [flat[i::width] for i in range(n)]
    try:
        return list(map(math.hypot, *columns))
    except TypeError:
        out = []
        for row in zip(*columns):
            try:
                out.append(math.hypot(*row))
            except TypeError:
                out.append(math.nan)
        return out


def _diverged_row(value: Any, norm: float, high: float) -> str | None:
    """Why f(θ_k) = ``value`` and |∇f(θ_k)| = ``norm`` show divergence, or None."""
    if type(value) is complex:
        return _("f is not real there")
    if not math.isfinite(value):
        return _Why.overflow(_("f = {value} is not finite").format(value=value))
    if abs(value) > high:
        return _("|f| = {value:.3g} grew past {factor:g}·max(1, |f(θ_0)|)").format(
            value=abs(value), factor=DIVERGENCE_FACTOR
        )
    if not math.isfinite(norm):
        return _Why.overflow(_("the gradient is not finite"))
    return None


def _first_stop(
    flat: Sequence[Any],
    values: Sequence[Any],
    failures: Mapping[int, str],
    layout: _Layout,
    first_step: int,
    theta: Sequence[Any],
    before2: float,
    bounds: _Bounds,
    norms: list[float] | None = None,
) -> tuple[int, StopReason, str] | None:
    """The first row of ``flat`` (row i is step ``first_step + i``) that stops a run.

    ``values[i]`` is f at row i's θ (``failures[i]`` says why f could not be
    evaluated there); ``theta`` is where the first row's step started from
    and ``before2`` the squared length of the step before it. Tests, by row
    and then in this order: diverged, converged, no progress. Columns are
    tested whole, at C speed; a row that fails a test is looked at alone.
    """
    width = layout.width
    rows = len(flat) // width
    if rows == 0:
        return None
    values = values[:rows]
    if norms is None:
        norms = _norms(flat, layout)
    found: list[tuple[int, int, StopReason, str]] = []
    try:
        clean = (
            math.isfinite(sum(values) + sum(norms))
            and max(values) <= bounds.high
            and min(values) >= -bounds.high
        )
    except TypeError:
        clean = False
    if not clean:
        for i in range(rows):
            detail = failures.get(i) or _diverged_row(values[i], norms[i], bounds.high)
            if detail is not None:
                found.append((i, 0, StopReason.DIVERGED, detail))
                break
    converged = _first_below(norms, bounds.tol)
    if converged >= 0:
        found.append((converged, 1, StopReason.CONVERGED, ""))
    if layout.has_step:
        lengths = _step_lengths(flat, layout, theta)
        tiny = bytes(map(bounds.small.__gt__, lengths))
        before = before2 < bounds.small**2
        # two tiny steps in a row: the second is the row that stops
        pair = ((b"\x01" if before else b"\x00") + tiny).find(b"\x01\x01")
        if pair >= 0:
            found.append((pair, 2, StopReason.NO_PROGRESS, ""))
    if not found:
        return None
    i, _order, reason, detail = min(found)
    return first_step + i, reason, detail


def _first_below(numbers: list[float], bound: float) -> int:
    """The index of the first number below ``bound`` (-1 if none; NaN is not).

    ``min`` settles most cases at C speed: a converged run usually meets
    the test at its last row only.
    """
    if not numbers:
        return -1
    if numbers[0] < bound:
        return 0
    if numbers[0] >= bound:  # not NaN: then min passes over any NaN after it
        if min(numbers) >= bound:
            return -1
        if numbers[-1] < bound and min(numbers[:-1]) >= bound:
            return len(numbers) - 1
    return bytes(map(bound.__gt__, numbers)).find(1)


def _step_lengths(flat: Sequence[Any], layout: _Layout, theta: Sequence[Any]) -> list[float]:
    """|θ_{k+1} − θ_k| for each row, θ_k of the first row being ``theta``."""
    n, width = layout.n, layout.width
    moves = []
    for i in range(n):
        nexts = flat[n + i :: width]
        moves.append(map(operator.sub, nexts, [theta[i], *nexts[:-1]]))
    try:
        return list(map(math.hypot, *moves))
    except TypeError:
        return [math.nan] * (len(flat) // width)


@dataclass(frozen=True)
class _Tail:
    """Rows made one step at a time after a block failed, and why they end."""

    rows: list[tuple[Any, ...]]
    values: list[Any]
    stop: tuple[int, StopReason, str]


def _single_steps(
    program: _Program,
    options: _Options,
    carry: tuple[Any, ...],
    first_step: int,
    bounds: _Bounds,
) -> _Tail:
    """Redo a block that raised, one step at a time, to find the step that fails."""
    single = program.single()
    layout = program.layout
    width, n = layout.width, layout.n
    rows: list[tuple[Any, ...]] = []
    values: list[Any] = []
    k = first_step
    while True:
        try:
            out_carry, record = single(carry)
            row = tuple(float(v) for v in record[:width])
            value = float(out_carry[-1])
        except _EVALUATION_ERRORS as error:
            rows.append((math.nan,) * width)
            values.append(math.nan)
            return _Tail(rows, values, (k, StopReason.DIVERGED, _undefined_text(carry[:n], error)))
        rows.append(row)
        values.append(value)
        before2 = carry[-3] if layout.has_step else math.inf
        stop = _first_stop(row, (value,), {}, layout, k, carry[:n], before2, bounds)
        if stop is None and k >= options.steps:
            stop = (k, StopReason.MAX_STEPS, "")
        if stop is not None:
            return _Tail(rows, values, stop)
        carry = out_carry
        k += 1


def _undefined_text(theta: Sequence[Any], error: BaseException) -> str:
    if isinstance(error, TypeError):
        # a complex number met a comparison or a float conversion
        return _("f is not real at {point}").format(point=point_text(theta))
    text = _("f cannot be evaluated at {point} ({error})").format(
        point=point_text(theta), error=reason_of(error) or type(error).__name__
    )
    # Python's own words for a float that overflowed ("math range error")
    return _Why.overflow(text) if "range error" in str(error) else text


def _finish(
    program: _Program,
    blocks: _Blocks,
    tail: _Tail | None,
    f0: float,
    options: _Options,
    theta0: tuple[float, ...],
) -> _Raw:
    """Rows and values up to the stop, every row tested again at C speed.

    The hot loop tests the last row of each block only, so a stop inside a
    block can pass unseen; the steps after it changed nothing before it, so
    cutting the rows there gives the run that would have stopped in time.
    """
    layout = program.layout
    width = layout.width
    flat: list[Any] = list(chain.from_iterable(map(operator.itemgetter(1), blocks)))
    values, failures = _block_values(program, blocks, f0)
    blocks.clear()  # the rows live on in ``flat``: a long run's memory, not twice
    if tail is not None:
        del values[len(flat) // width :]
        flat.extend(chain.from_iterable(tail.rows))
        values.extend(tail.values)
    rows = min(len(flat) // width, options.steps + 1)
    del flat[rows * width :]
    del values[rows:]
    norms = _norms(flat, layout)
    bounds = _Bounds.of(options, f0)
    stop = _first_stop(flat, values, failures, layout, 0, theta0, math.inf, bounds, norms)
    hint = tail.stop if tail is not None else None
    # the failure that sent the loop step by step names its own cause
    if hint is not None and (
        stop is None or hint[0] < stop[0] or (hint[0] == stop[0] and hint[1] is StopReason.DIVERGED)
    ):
        stop = hint
    if stop is None or stop[0] > options.steps:
        stop = (options.steps, StopReason.MAX_STEPS, "")
    count = stop[0] + 1
    del flat[count * width :]
    del values[count:]
    del norms[count:]
    if type(values[-1]) is complex:
        values[-1] = math.nan
    last = flat[(count - 1) * width :]
    if any(type(v) is complex for v in last):
        flat[(count - 1) * width :] = [math.nan if type(v) is complex else v for v in last]
    raw = _Raw(flat, values, count, stop[1], stop[2], f0, norms)
    # --tol 0 asks for exactly --steps steps, standing still or not
    if raw.reason is StopReason.MAX_STEPS and not layout.has_step and options.tol > 0:
        raw = _stagnation(raw, layout)
    return raw


def _stagnation(raw: _Raw, layout: _Layout) -> _Raw:
    """Gradient descent that stood still: θ − α∇f rounds back to θ.

    Once a gd step leaves θ unchanged, every later one does too, so the run
    is cut where that began and reported as ``no_progress``. (The hot loop
    does not compute gd's step; this looks at the points afterwards.)
    """
    width, last = layout.width, raw.count - 1
    # θ_1 … θ_K, one column per variable
    columns = [raw.flat[layout.point_at + i : last * width : width] for i in range(layout.n)]
    if last < 3 or any(column[-1] != column[-2] for column in columns):
        return raw
    same: bytes | None = None
    for column in columns:
        equal = bytes(map(operator.eq, column[1:], column[:-1]))
        same = equal if same is None else bytes(map(operator.and_, same, equal))
    assert same is not None
    # same[j]: θ_{j+2} == θ_{j+1}, so steps j+1 and j+2 were both zero
    count = same.find(1) + 3
    del raw.flat[count * width :]
    norms = raw.norms[:count] if raw.norms is not None else None
    values = raw.values[:count]
    return _Raw(raw.flat, values, count, StopReason.NO_PROGRESS, "", raw.f0, norms)


def _newton_direction(
    program: _Program, theta: tuple[float, ...], grad: tuple[float, ...]
) -> tuple[float, ...] | None:
    """H⁻¹ g at θ, or None when H is singular or cannot be evaluated."""
    matrix = _hessian_at(program, theta)
    if matrix is None:
        return None
    n = len(theta)
    if n == 1:
        h = matrix[0][0]
        return None if h == 0 else (grad[0] / h,)
    import numpy

    try:
        solution = numpy.linalg.solve(numpy.array(matrix), numpy.array(grad))
    except numpy.linalg.LinAlgError:
        return None
    result = tuple(float(v) for v in solution)
    return result if all(math.isfinite(v) for v in result) else None


def _hessian_at(program: _Program, theta: Sequence[float]) -> list[list[float]] | None:
    n = len(theta)
    if program.hessian_upper is None:
        return None
    try:
        upper = [float(v) for v in program.hessian_upper(*theta)]
    except _EVALUATION_ERRORS:
        return None
    if not all(math.isfinite(v) for v in upper):
        return None
    matrix = [[0.0] * n for _row in range(n)]
    it = iter(upper)
    for i in range(n):
        for j in range(i, n):
            matrix[i][j] = matrix[j][i] = next(it)
    return matrix


def _eigenvalues(matrix: list[list[float]]) -> tuple[float, ...]:
    """Ascending eigenvalues of a symmetric matrix (closed form up to 2×2)."""
    n = len(matrix)
    if n == 1:
        return (matrix[0][0],)
    if n == 2:
        a, b, c = matrix[0][0], matrix[0][1], matrix[1][1]
        mean = (a + c) / 2
        radius = math.hypot((a - c) / 2, b)
        return (mean - radius, mean + radius)
    import numpy

    return tuple(float(v) for v in numpy.linalg.eigvalsh(numpy.array(matrix)))

"""The gradient at many points, streamed: compiled once, evaluated in chunks.

Points arrive as text, one a line (``1,3``, ``1 3`` or ``x=1, y=3``). They
are read in chunks of whatever input is available, evaluated with one
numpy call per chunk, and handed on, so memory stays flat however many points
come and output starts before input ends. A line that cannot be read becomes a
row of NaN and a :class:`BadLine`; a point where the gradient is undefined
gives NaN too, and is counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from gradcli import lines
from gradcli.errors import GradcliError, InputError, UndefinedError
from gradcli.i18n import _
from gradcli.limits import Limits
from gradcli.lines import Block
from gradcli.parse import Function

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class BadLine:
    """An input line that could not be read as a point."""

    number: int
    text: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """Points and their gradients: row i of each array is one input line.

    ``points`` has one column per variable; ``gradients`` one per partial;
    ``magnitudes`` is |∇f|. Rows of unreadable lines are NaN throughout.
    """

    line_numbers: Sequence[int]
    points: np.ndarray
    gradients: np.ndarray
    magnitudes: np.ndarray
    bad: tuple[BadLine, ...]
    undefined: int
    #: the input lines themselves when each is already ``a,b,…`` in plain
    #: numbers, so that output can echo them instead of re-formatting floats
    point_text: Sequence[str] | None = None


def compile_gradient(
    function: Function, components: Sequence[sympy.Expr]
) -> Callable[[np.ndarray], np.ndarray]:
    """∇f as a numpy function of an (n, k) array of points → (n, k) array.

    Rows where f itself is undefined (``log`` of a negative number, say) are
    NaN even where the formula for ∇f would give a number: there is no
    gradient where there is no function.

    >>> import numpy as np
    >>> from gradcli.calculus import gradient
    >>> g = gradient("x^2 + y^2 + xy")
    >>> compile_gradient(g.function, g.components)(np.array([[1.0, 3.0]]))
    array([[5., 7.]])
    """
    import numpy as np

    if function.parameters:
        names = ", ".join(p.name for p in function.parameters)
        raise InputError(
            _(
                "streamed points need a function of its variables only; {names} "
                "would need values (list every symbol in --vars)"
            ).format(names=names)
        )
    from gradcli.magnitude import float_overflow
    from gradcli.numbers import real_powers

    # an odd root of a negative number is real, as value_at takes it
    exprs = [real_powers(e) for e in (function.expr, *components)]
    for expr in exprs:
        shown = float_overflow(expr)
        if shown is not None:
            raise UndefinedError(
                _(
                    "f is too large for floating point, in which streamed points are computed:"
                    " its constant {constant} is beyond about 1.8e308 (give the point with --at)"
                ).format(constant=shown)
            )
    compiled = sympy.lambdify(
        function.variables, [for_numpy(e) for e in exprs], modules="numpy", cse=True
    )

    def evaluate(points: np.ndarray) -> np.ndarray:
        columns = [points[:, i] for i in range(points.shape[1])]
        with np.errstate(all="ignore"):
            f, *values = compiled(*columns)
        out = np.empty((points.shape[0], len(components)))
        for j, value in enumerate(values):
            out[:, j] = value  # broadcasts constants such as ∂(2x)/∂x = 2
        defined = np.broadcast_to(np.isfinite(f), (points.shape[0],))
        out[~defined] = np.nan
        return out

    return evaluate


def for_numpy(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with only what numpy can compute: the rest is NaN (undefined).

    sympy's numpy printer writes a function it does not know by its name,
    which then fails when called (``DiracDelta`` in the derivative of
    ``sign(x)``). A ``DiracDelta`` that comes from differentiating is 0 away
    from its centre and undefined there; a derivative or substitution sympy
    left unevaluated, or any other function numpy lacks, is undefined.
    ``sign(u)`` is undefined where ``u = 0`` too: there it is the derivative
    of ``|u|`` at its corner, and whether ∇f exists is for the exact
    :func:`gradcli.derivatives.gradient_at` to decide (``|x|³`` has one).

    >>> x = sympy.Symbol("x", real=True)
    >>> for_numpy(sympy.diff(sympy.sign(x), x))
    2*Piecewise((nan, Eq(x, 0)), (0, True))
    >>> for_numpy(sympy.sign(x))
    Piecewise((nan, Eq(x, 0)), (sign(x), True))
    """
    from sympy.printing.numpy import NumPyPrinter

    def delta(*args: sympy.Expr) -> sympy.Expr:
        return sympy.Piecewise((sympy.nan, sympy.Eq(args[0], 0)), (0, True))

    def unsupported(node: sympy.Basic) -> bool:
        if isinstance(node, (sympy.Derivative, sympy.Subs, sympy.Integral)):
            return True
        if not isinstance(node, sympy.Function) or isinstance(node, sympy.Piecewise):
            return False
        try:
            NumPyPrinter({"strict": True}).doprint(node)
        except NotImplementedError:  # the printer's "not supported"
            return True
        return False

    def strict_sign(u: sympy.Expr) -> sympy.Expr:
        return sympy.Piecewise((sympy.nan, sympy.Eq(u, 0)), (sympy.sign(u), True))

    expr = expr.replace(sympy.DiracDelta, delta).replace(sympy.sign, strict_sign)
    return expr.replace(unsupported, lambda node: sympy.nan)


def evaluate_chunks(
    function: Function,
    components: Sequence[sympy.Expr],
    blocks: Iterable[Block],
    *,
    limits: Limits | None = None,
) -> Iterator[Chunk]:
    """Evaluate the gradient for each block of input lines."""
    import numpy as np

    limits = limits or Limits()
    gradient_at = compile_gradient(function, components)
    names = [v.name for v in function.variables]
    for block in blocks:
        numbers, points, bad, text = read_block(block, names, limits=limits)
        if not numbers:
            continue
        gradients = gradient_at(points)
        readable = ~np.isnan(points).any(axis=1)
        _decide_exactly(function, components, points, gradients, readable, limits)
        with np.errstate(all="ignore"):
            magnitudes = np.sqrt(np.einsum("ij,ij->i", gradients, gradients))
        undefined = int((~np.isfinite(magnitudes) & readable).sum())
        if undefined:
            # inf and complex-looking results are undefined too: show them as NaN
            broken = ~np.isfinite(magnitudes)
            gradients[broken] = np.nan
            magnitudes[broken] = np.nan
        yield Chunk(numbers, points, gradients, magnitudes, tuple(bad), undefined, text)


#: points per chunk whose undefined float gradient is looked at exactly; past
#: this many (a stream mostly outside f's domain) they stay undefined
EXACT_PER_CHUNK = 64


def _decide_exactly(
    function: Function,
    components: Sequence[sympy.Expr],
    points: np.ndarray,
    gradients: np.ndarray,
    readable: np.ndarray,
    limits: Limits,
) -> None:
    """Rows whose float gradient is undefined, decided by the exact gradient.

    Floats cannot tell a corner of ``|x|`` (no gradient) from a point where
    ``|x|³`` is flat (gradient 0), and give NaN at both; the exact
    :func:`gradcli.derivatives.gradient_at` tells them apart. Rows it finds
    undefined stay NaN.
    """
    import numpy as np

    from gradcli.derivatives import gradient_at
    from gradcli.numbers import exact, value_at

    undefined = np.flatnonzero(readable & ~np.isfinite(gradients).all(axis=1))
    for row in undefined[:EXACT_PER_CHUNK]:
        values = {v: exact(float(c)) for v, c in zip(function.variables, points[row])}
        try:
            value_at(function.expr, values, limits=limits)  # no gradient where no f
            exact_gradient = gradient_at(
                function.expr, function.variables, values, components=components, limits=limits
            )
        except GradcliError:
            continue
        floats = [number for _unused, number in exact_gradient]
        if all(number is not None for number in floats):
            gradients[row] = floats


#: a point's line is never held longer than this: the rest of it is skipped
MAX_LINE_BYTES = 1 << 20


def blocks_of_lines(
    read: Callable[[int], bytes], size: int = 1 << 20, *, max_line: int = MAX_LINE_BYTES
) -> Iterator[Block]:
    """Blocks of whole lines of points, read by :func:`gradcli.lines.blocks`.

    ``read(n)`` returns up to ``n`` bytes of what is available (as
    ``BufferedReader.read1`` does), so a slow producer gets small blocks and
    prompt output, and a fast one large blocks and throughput. A byte-order
    mark at the start is dropped; a line longer than ``max_line`` bytes
    (``/dev/zero``, say) is not held: it stands as a line that cannot be
    read, and the lines after it go on.

    >>> import io
    >>> [b.data for b in blocks_of_lines(io.BytesIO(b"\\xef\\xbb\\xbf1,3\\n2,4\\r\\n5").read1)]
    [b'1,3\\n2,4\\n', b'5\\n']
    """
    return lines.blocks(read, max_line=max_line, size=size)


def read_block(
    block: Block, names: Sequence[str], *, limits: Limits | None = None
) -> tuple[Sequence[int], np.ndarray, list[BadLine], list[str] | None]:
    """The points in a block: line numbers, an (n, k) array, bad lines, text.

    Blank lines and ``#`` comments are skipped. A block of plain
    comma-separated numbers is read in one numpy call and its lines are
    returned as ``text`` for output to echo; anything else is read line by
    line, and a line that cannot be read is a NaN row and a :class:`BadLine`.
    """
    k = len(names)
    fast = None if block.too_long else _read_plain(block.data, k)
    if fast is not None:
        lines = block.data.decode("ascii").split("\n")
        lines.pop()  # the block ends with a newline
        return range(block.first_line, block.first_line + len(lines)), fast, [], lines
    numbers = []
    kept = []
    for number, raw in enumerate(
        block.data.decode("utf-8", errors="replace").split("\n"), start=block.first_line
    ):
        line = raw.strip()
        if (line and not line.startswith("#")) or number in block.too_long:
            numbers.append(number)
            kept.append(line)
    points, bad = read_points(kept, names, numbers=numbers, limits=limits)
    bad = [
        BadLine(
            b.number,
            b.text,
            _("the line is longer than {limit} bytes").format(limit=f"{MAX_LINE_BYTES:,}"),
        )
        if b.number in block.too_long
        else b
        for b in bad
    ]
    return numbers, points, bad, None


def read_points(
    lines: Sequence[str],
    names: Sequence[str],
    *,
    numbers: Sequence[int] | None = None,
    limits: Limits | None = None,
) -> tuple[np.ndarray, list[BadLine]]:
    """Points from text lines: ``1,3``, ``1 3`` or ``x=1, y=3`` (any order).

    Returns an (n, k) float array and the lines that could not be read, whose
    rows are NaN. Plain numbers are read directly; anything else (``pi/4``,
    named coordinates) goes through the safe parser.

    >>> points, bad = read_points(["1,3", "2 -1", "y=2, x=0", "oops"], ["x", "y"])
    >>> points.tolist()[:3], bad[0].number
    ([[1.0, 3.0], [2.0, -1.0], [0.0, 2.0]], 4)
    """
    import numpy as np

    k = len(names)
    n = len(lines)
    if numbers is None:
        numbers = range(1, n + 1)
    out = np.full((n, k), np.nan)
    bad: list[BadLine] = []
    for i, line in enumerate(lines):
        fields = line.replace(",", " ").split()
        try:
            if len(fields) != k or not all(_is_plain(f) for f in fields):
                raise ValueError
            out[i] = [float(f) for f in fields]
        except ValueError:
            try:
                out[i] = _read_one(line, names, limits)
            except GradcliError as error:
                bad.append(BadLine(numbers[i], line, error.message))
                out[i] = np.nan
                continue
        if not np.isfinite(out[i]).all():
            bad.append(BadLine(numbers[i], line, _("a coordinate is not finite")))
            out[i] = np.nan
    return out, bad


_NOT_PLAIN = b"0123456789eE.+-,\n"
_PLAIN_FIELD_MAX = 40

#: a number as ``--at`` reads it, in ASCII decimal syntax, short enough that
#: no limit applies: only these are read with ``float()``, which would also
#: take ``1_000``, ``inf`` and full-width or Arabic-Indic digits; anything
#: else goes through the parser, as ``--at`` does
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)


def _is_plain(field: str) -> bool:
    return len(field) <= _PLAIN_FIELD_MAX and _PLAIN_NUMBER.fullmatch(field) is not None


def _read_plain(data: bytes, k: int) -> np.ndarray | None:
    """The fast path: lines of exactly ``k`` plain numbers separated by commas.

    Checked with whole-block operations (no Python loop over lines), read in
    one numpy call. ``None`` when the block is anything else.
    """
    import warnings

    import numpy as np

    if not data or data.translate(None, _NOT_PLAIN) or b"\n\n" in data or data[:1] == b"\n":
        return None
    raw = np.frombuffer(data, np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    commas = np.flatnonzero(raw == ord(","))
    per_line = np.diff(np.searchsorted(commas, newlines), prepend=0)
    if not (per_line == k - 1).all():
        return None
    separators = np.flatnonzero((raw == ord("\n")) | (raw == ord(",")))
    if np.diff(separators, prepend=-1).max() > _PLAIN_FIELD_MAX:
        return None  # a long number: the parser applies the digit limits
    try:
        with warnings.catch_warnings():
            # numpy warns (and stops early) on a field that is not a number
            warnings.simplefilter("error")
            values = np.fromstring(data.replace(b"\n", b","), sep=",")
    except (ValueError, DeprecationWarning):
        return None
    if values.size != len(newlines) * k or not np.isfinite(values).all():
        return None
    return values.reshape(len(newlines), k)


def _read_one(line: str, names: Sequence[str], limits: Limits | None) -> list[float]:
    from gradcli.calculus import evaluate
    from gradcli.parse import parse_point, symbol

    text = line.strip()
    if not text:
        raise InputError(_("an empty line"))
    variables = tuple(symbol(n) for n in names)
    fake = Function(expr=sympy.Integer(0), variables=variables)
    if "=" not in text and "," not in text:
        # "pi/4 1": whitespace-separated coordinates
        text = ",".join(text.split())
    values = parse_point(text, fake, limits=limits)
    out = []
    for v in variables:
        what = _("{name} is {{}}").format(name=v.name)
        _unused, approx = evaluate(values[v], {}, what=what, limits=limits)
        if approx is None or not math.isfinite(approx):
            raise InputError(_("{name} is not a finite number").format(name=v.name))
        out.append(approx)
    return out

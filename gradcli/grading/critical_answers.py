"""Reading critical points answered as students write them, each with its kind.

``(0, 0): saddle; (1, 1): local min``, ``saddle point at (0,0) and a minimum
at (1,0)``, ``x = 1 min, x = -1 max``, ``x=1, y=0: min``: each item is one
point and at most one kind, in either order, among filler words (``is``,
``a``, ``at``, ``point``, ``:``, ``-``, ``=``, ``→`` …). Items are separated by
``;``, new lines (bullets allowed), ``and``, a full stop ending a sentence, or
a comma; a point written without brackets takes its coordinates up to its
kind, or up to a name given twice.

What cannot be read is refused with a :class:`~gradcli.errors.ParseError`
that points at the place in the whole answer, never guessed at: a word that is
neither a coordinate nor a kind, a dash that may be a minus sign, two points
or two kinds with nothing between them. A point is only ever read with the
coordinates written for it; one written with too many or too few is a
:class:`~gradcli.errors.DimensionError`, a readable wrong answer.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from gradcli.errors import GradcliError, LimitError, ParseError
from gradcli.i18n import N_, _
from gradcli.kinds import PointKind
from gradcli.limits import Limits
from gradcli.parse import FUNCTIONS, parse_expression, parse_point, split_top_level, symbol
from gradcli.printing import to_text

if TYPE_CHECKING:
    from gradcli.grading.problem import Problem

__all__ = ["CriticalAnswer", "read_critical"]


@dataclass(frozen=True)
class CriticalAnswer:
    """One critical point answered: the point, its coordinates as typed, its kind."""

    #: one exact coordinate per variable, in ``problem.variables`` order
    point: tuple[sympy.Expr, ...]
    #: the text of each coordinate as typed (``"0.82"``, ``"sqrt(6)/3"``), stripped
    coordinates: tuple[str, ...]
    #: the kind in ``critical``'s words (``PointKind.<X>.short``), or None
    kind: str | None
    #: the item's text as typed, stripped (for messages)
    text: str


def read_critical(text: str, problem: Problem, limits: Limits) -> list[CriticalAnswer]:
    """The critical points answered in ``text``, in the order written; ``none`` is [].

    >>> from gradcli.grading.problem import Problem
    >>> from gradcli.parse import parse_function
    >>> f = parse_function("x^3 - 3x + y^2")
    >>> problem = Problem(f, at=None, along=None, seed=0, limits=Limits())
    >>> answers = read_critical("saddle at (-1, 0) and (1, 0): local minimum", problem, Limits())
    >>> [(a.point, a.kind) for a in answers]
    [((-1, 0), 'saddle'), ((1, 0), 'local min')]
    """
    if len(text) > limits.max_length:
        raise LimitError(
            _(
                "the answer is {length} characters long; the limit is {limit} "
                "(raise it with --max-length or GRADCLI_MAX_LENGTH)"
            ).format(length=f"{len(text):,}", limit=f"{limits.max_length:,}")
        )
    if _NONE.fullmatch(text):
        return []
    start, end = _inside_braces(text)
    several_lines = "\n" in text.strip()
    pieces = [
        _piece(text, s, e, joined, first_on_line, several_lines, problem, limits)
        for s, e, joined, first_on_line in _split(text, start, end)
    ]
    if not pieces:
        raise ParseError(_("no critical point is written"), text=text, hint=_(_EXAMPLE))
    return [_answer(text, item, problem, limits) for item in _items(text, pieces, problem)]


# --------------------------------------------------------------------------
# The words

#: the kinds a student may name, by the first word of the kind proper
_KIND_OF_WORD = {
    "minimum": PointKind.MINIMUM,
    "min": PointKind.MINIMUM,
    "maximum": PointKind.MAXIMUM,
    "max": PointKind.MAXIMUM,
    "saddle": PointKind.SADDLE,
    "inflection": PointKind.INFLECTION,
    "degenerate": PointKind.DEGENERATE,
    "inconclusive": PointKind.DEGENERATE,
    "neither": PointKind.DEGENERATE,
    "test": PointKind.DEGENERATE,  # "test fails", "test inconclusive"
}

#: words that belong to a kind: met inside a point, they mean a missing separator
_KIND_WORDS = {*_KIND_OF_WORD, "local", "relative", "rel", "loc", "fails", "failed"}

_FILLER_WORDS = {"is", "a", "an", "at", "the", "point", "pt"}

_EXAMPLE = N_("write points with their kinds, such as (0, 0) saddle; (1, 1) local min, or none")
_SEPARATE = N_("separate the points with ';', as in (0, 0) saddle; (1, 1) local min")
_KINDS = N_("the kinds are min, max, saddle and degenerate (or inconclusive)")

_KIND = r"""
    (?P<wrap>[(\[]\s*)?  # "(saddle)"
    (?<!\w)
    (?P<kind>
        (?:(?:local|relative|loc|rel)\s+|(?:loc|rel)\.\s*)?
        (?P<core>minimum|min|maximum|max|saddle|degenerate|inconclusive|neither|inflection
            |test\s+(?:fails|failed|inconclusive))
        (?:[\s-]*(?:point|pt\.?))?
    )
    (?!\w)
    (?(wrap)\s*[)\]])
"""
#: a filler word (not a variable being given a value: "a = 1") or mark
_FILLER = r"""
    (?:(?<!\w)(?:is|an?|at|the|point|pt\.?)(?!\w)(?!\s*=)
      |->|=>|→|⟶|:|=)
"""
_DASH = r"[-–—]"
_FLAGS = re.IGNORECASE | re.VERBOSE

#: a kind first, among fillers: "a local minimum at", "saddle point:"
_PREFIX = re.compile(rf"\s*(?:{_FILLER}\s*)*{_KIND}(?:\s*{_FILLER})*", _FLAGS)
#: a kind last, after fillers or a dash: "is a saddle", "- min", ": local max"
_SUFFIX = re.compile(rf"(?:(?:{_FILLER}|{_DASH})\s*)*{_KIND}\s*$", _FLAGS)
_LEAD = re.compile(rf"\s*(?:{_FILLER}\s*)*", _FLAGS)
_TRAIL = re.compile(rf"(?:(?:{_FILLER}|{_DASH})\s*)*$", _FLAGS)
#: a dash after a kind written first: "min - (1, 2)" or "min - 1" (refused)
_DASH_GAP = re.compile(rf"\s*(?P<dash>{_DASH})(?P<space>\s*)")
_BULLET = re.compile(r"\s*(?P<mark>[-–—*•])(?=\s)")
_AND = re.compile(r"(?<!\w)and(?!\w)|&", re.IGNORECASE)
_WORD = re.compile(r"(?<!\w)[^\W\d_]\w*")
_NAME = re.compile(r"[^\W\d]\w*")
_RUN = re.compile(r"\w+")
_NAMED = re.compile(r"\s*([^\W\d]\w*)\s*=")
_EQUALS = re.compile(r"\s*=\s*")
_NONE = re.compile(
    r"\s*(?:none|no\s+critical\s+points?|no\s+points|there\s+are\s+none"
    r"|\{\s*\}|\[\s*\]|\(\s*\)|∅)\s*\.?\s*",
    re.IGNORECASE,
)

# how a piece is joined to the one before it, weakest first: a comma may join
# the coordinates of one point, "and" only named ones ("x = 1 and y = 0")
_COMMA, _AND_WORD, _HARD = 1, 2, 3


# --------------------------------------------------------------------------
# Pieces: the text between separators, read as [kind] point [kind]


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    joined: int
    kind: str | None
    #: where the kind's words start
    kind_at: int | None
    #: the kind is written before the point
    prefix: bool
    #: the point's text (or its values, for "(x, y) = (…)"); None for a kind alone
    point: tuple[int, int] | None
    #: a whole point in brackets: no other piece adds coordinates to it
    bracketed: bool
    #: the variable given a value, for "x = 1"
    name: str | None
    #: the variables in the order written, for "(y, x) = (…)"
    order: tuple[str, ...] | None


def _inside_braces(text: str) -> tuple[int, int]:
    """``{(0,0) saddle, (1,1) min}``: the braces around the whole answer dropped."""
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end - start >= 2 and text[start] == "{" and _close(text, start, end) == end - 1:
        return start + 1, end - 1
    return 0, len(text)


def _split(text: str, start: int, end: int) -> list[tuple[int, int, int, bool]]:
    """Pieces outside brackets: start, end, how each is joined, whether it begins a line."""
    out: list[tuple[int, int, int, bool]] = []
    depth = 0
    piece = start
    joined, first_on_line = _HARD, True
    i = start
    while i < end:
        ch = text[i]
        strength, width = 0, 1
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            if ch in ";\n" or (ch == "." and _ends_sentence(text, i, end)):
                strength = _HARD
            elif ch == ",":
                strength = _COMMA
            else:
                found = _AND.match(text, i, end)
                if found:
                    strength, width = _AND_WORD, found.end() - i
        if strength:
            if text[piece:i].strip():
                out.append((piece, i, joined, first_on_line))
                joined, first_on_line = strength, ch == "\n"
            else:
                joined, first_on_line = max(joined, strength), first_on_line or ch == "\n"
            piece = i + width
        i += width
    if text[piece:end].strip():
        out.append((piece, end, joined, first_on_line))
    return out


def _ends_sentence(text: str, i: int, end: int) -> bool:
    """A full stop after a word or a point, before a space and no lower-case word.

    ``1.`` is a number and ``rel. min``, ``saddle pt. (0, 0)`` are abbreviations.
    """
    if i == 0 or not (text[i - 1].isalpha() or text[i - 1] in ")]"):
        return False
    if i + 1 < end and not text[i + 1].isspace():
        return False
    if text[_lstrip(text, i + 1, end) : end][:1].islower():
        return False
    word = i
    while word > 0 and (text[word - 1].isalnum() or text[word - 1] == "_"):
        word -= 1
    return text[word:i].lower() not in ("rel", "loc", "pt")


def _piece(
    text: str,
    start: int,
    end: int,
    joined: int,
    first_on_line: bool,
    several_lines: bool,
    problem: Problem,
    limits: Limits,
) -> _Piece:
    """A piece, its bullet dropped when it cannot be a minus sign."""
    bullet = _BULLET.match(text, start, end) if first_on_line else None
    if bullet:
        piece = _read_piece(text, bullet.end(), end, joined, problem, limits)
        if (
            bullet.group("mark") in "*•"
            or piece.prefix
            or piece.name is not None
            or (piece.bracketed and len(problem.variables) > 1)
        ):
            return piece
        if several_lines:
            raise ParseError(
                _("a dash begins the line: is it a bullet or a minus sign?"),
                text=text,
                position=bullet.start("mark"),
                hint=_(
                    "write a minus sign with no space after it (-1), or start the line with '*'"
                ),
            )
    return _read_piece(text, start, end, joined, problem, limits)


def _read_piece(
    text: str, start: int, end: int, joined: int, problem: Problem, limits: Limits
) -> _Piece:
    kind: str | None = None
    kind_at: int | None = None
    prefix = False
    body, stop = start, end
    first = _PREFIX.match(text, start, end)
    if first:
        kind, kind_at, prefix = _kind_of(first), first.start("kind"), True
        body = _after_dash(text, first.end(), end, problem)
    last = _SUFFIX.search(text, body, end)
    if last:
        if prefix:
            raise ParseError(
                _("two kinds for one point"),
                text=text,
                position=last.start("kind"),
                hint=_("write one kind beside each point, before it or after it"),
            )
        kind, kind_at, stop = _kind_of(last), last.start("kind"), last.start()
    lead = _LEAD.match(text, body, stop)
    point_start = lead.end() if lead else body
    point_end = _rstrip(text, point_start, stop)
    trail = _TRAIL.search(text, point_start, point_end)
    point_end = _rstrip(text, point_start, trail.start() if trail else point_end)
    if point_start >= point_end:
        if kind is None:
            raise ParseError(
                _("no point here"),
                text=text,
                position=_lstrip(text, start, end),
                hint=_(_EXAMPLE),
            )
        return _Piece(start, end, joined, kind, kind_at, prefix, None, False, None, None)
    header = _header(text, point_start, point_end, problem)
    if header is not None:
        (point_start, point_end), order = header
        return _Piece(
            start, end, joined, kind, kind_at, prefix, (point_start, point_end), True, None, order
        )
    _check_point(text, point_start, point_end, problem, limits)
    bracketed = _bracketed(text, point_start, point_end, len(problem.variables))
    named = None if bracketed else _NAMED.match(text, point_start, point_end)
    name = symbol(named.group(1)).name if named else None
    return _Piece(
        start, end, joined, kind, kind_at, prefix, (point_start, point_end), bracketed, name, None
    )


def _kind_of(match: re.Match[str]) -> str:
    return _KIND_OF_WORD[match.group("core").split()[0].lower()].short


def _after_dash(text: str, at: int, end: int, problem: Problem) -> int:
    """Past a dash between a kind and its point, when it is no minus sign.

    ``min -1`` is at -1; ``min - (1, 2)`` and ``min - x = 1`` separate the
    kind from a point; ``min - 1`` could be either, and is refused.
    """
    dash = _DASH_GAP.match(text, at, end)
    if not dash or not dash.group("space") or dash.end() == end:
        return at
    if (text[dash.end()] in "([" and len(problem.variables) > 1) or _NAMED.match(
        text, dash.end(), end
    ):
        return dash.end()
    raise ParseError(
        _("a dash between a kind and its point: is it a minus sign?"),
        text=text,
        position=dash.start("dash"),
        hint=_("write min at -1 for a negative number, min: 1 otherwise"),
    )


def _header(
    text: str, start: int, end: int, problem: Problem
) -> tuple[tuple[int, int], tuple[str, ...]] | None:
    """``(x, y) = (0, 0)``: where the values are, and the variables in the order named."""
    if text[start] not in "([":
        return None
    names_end = _close(text, start, end)
    if names_end is None or names_end == end - 1:
        return None
    equals = _EQUALS.match(text, names_end + 1, end)
    if (
        not equals
        or equals.end() == end
        or text[equals.end()] not in "(["
        or _close(text, equals.end(), end) != end - 1
    ):
        return None
    names = [part.strip() for part, _unused in split_top_level(text[start + 1 : names_end])]
    if not names or not all(_NAME.fullmatch(name) for name in names):
        return None
    order = tuple(symbol(name).name for name in names)
    wanted = [v.name for v in problem.variables]
    if sorted(order) != sorted(wanted):
        raise ParseError(
            _("({names}) are not the variables of f").format(names=", ".join(names)),
            text=text,
            position=start,
            hint=_("name each of them once: ({variables}) = (…)").format(
                variables=", ".join(wanted)
            ),
        )
    return (equals.end(), end), order


def _check_point(text: str, start: int, end: int, problem: Problem, limits: Limits) -> None:
    """Refuse what is left between the kinds when it is no point: a stray word, two points."""
    words, groups = _top_level(text, start, end)
    names = set(problem.names)
    for word, at in words:
        if symbol(word).name in names:
            continue
        lower = word.lower()
        alone = not text[at + len(word) : end].strip()
        if lower in _KIND_WORDS | _FILLER_WORDS and not alone:
            raise ParseError(
                _("'{word}' is in the middle of a point").format(word=word),
                text=text,
                position=at,
                hint=_(_SEPARATE),
            )
        if lower in _KIND_WORDS | _FILLER_WORDS:
            raise ParseError(
                _("'{word}' is not a kind of point").format(word=word),
                text=text,
                position=at,
                hint=_(_KINDS),
            )
        if not _may_be_number(word, problem, limits):
            close = difflib.get_close_matches(lower, sorted(_KIND_WORDS | {"point"}), 1)
            raise ParseError(
                _("'{word}' is neither a number nor a kind of point").format(word=word),
                text=text,
                position=at,
                hint=_("did you mean {word}? {kinds}").format(word=close[0], kinds=_(_KINDS))
                if close
                else _(_KINDS),
            )
    # a group with a comma in it is a whole point, unless it is a function's: atan2(1, 2)
    points = [
        (first, stop)
        for first, stop in groups
        if len(split_top_level(text[first + 1 : stop - 1])) > 1
        and not (first > start and (text[first - 1].isalnum() or text[first - 1] == "_"))
    ]
    if len(points) > 1:
        raise ParseError(
            _("two points with nothing between them"),
            text=text,
            position=points[1][0],
            hint=_(_SEPARATE),
        )
    if points and points[0] != (start, end):
        first, stop = points[0]
        junk = (start, first) if first > start else (_lstrip(text, stop, end), end)
        raise ParseError(
            _("'{text}' cannot be read beside the point").format(
                text=text[junk[0] : junk[1]].strip()
            ),
            text=text,
            position=junk[0],
            hint=_(_KINDS),
        )


def _may_be_number(word: str, problem: Problem, limits: Limits) -> bool:
    """Whether gradcli's grammar reads ``word`` as a number (``pi``, ``sqrt2``, ``e``)."""
    try:
        value = parse_expression(word, variables=problem.names, limits=limits)
    except GradcliError:
        return word in FUNCTIONS  # "sqrt 2"; not "global", "inf"
    return value.free_symbols <= set(problem.symbols)


def _top_level(
    text: str, start: int, end: int
) -> tuple[list[tuple[str, int]], list[tuple[int, int]]]:
    """The words outside brackets, and the bracketed groups, with their places."""
    words: list[tuple[str, int]] = []
    groups: list[tuple[int, int]] = []
    i = start
    while i < end:
        if text[i] in "([{":
            close = _close(text, i, end)
            if close is None:
                break  # parse_point says where the bracket is left open
            groups.append((i, close + 1))
            i = close + 1
            continue
        word = _WORD.match(text, i, end)
        if word:
            words.append((word.group(), i))
            i = word.end()
        else:
            run = _RUN.match(text, i, end)  # a number, or "2pi"
            i = run.end() if run else i + 1
    return words, groups


def _bracketed(text: str, start: int, end: int, variables: int) -> bool:
    """A point in brackets, whole: ``(1, 2)``; with one variable ``(1)`` too."""
    if text[start] not in "([" or _close(text, start, end) != end - 1:
        return False
    return variables == 1 or len(split_top_level(text[start + 1 : end - 1])) > 1


def _close(text: str, i: int, end: int) -> int | None:
    """Where the bracket opened at ``i`` closes, or None when it does not before ``end``."""
    depth = 0
    for j in range(i, end):
        if text[j] in "([{":
            depth += 1
        elif text[j] in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return None


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# --------------------------------------------------------------------------
# Items: pieces joined into points


def _items(text: str, pieces: list[_Piece], problem: Problem) -> list[list[_Piece]]:
    """Each point with its kind; a point without brackets may span several pieces."""
    items: list[list[_Piece]] = []
    growing = False
    several = len(problem.variables) > 1
    for piece in pieces:
        if piece.point is None:
            last = items[-1] if items and piece.joined == _COMMA else None
            if last is None or any(p.kind is not None for p in last):
                raise ParseError(
                    _("a kind without a point"),
                    text=text,
                    position=piece.kind_at,
                    hint=_("write each kind beside its point, as in (0, 0) saddle"),
                )
            last.append(piece)
            growing = False
            continue
        if growing and _goes_on(items[-1], piece):
            if piece.kind is not None and any(p.kind is not None for p in items[-1]):
                raise ParseError(
                    _("two kinds for one point"),
                    text=text,
                    position=piece.kind_at,
                    hint=_("write one kind beside each point, before it or after it"),
                )
            items[-1].append(piece)
        else:
            items.append([piece])
        growing = several and not piece.bracketed and (piece.kind is None or piece.prefix)
    return items


def _goes_on(run: list[_Piece], piece: _Piece) -> bool:
    """Whether ``piece`` holds more coordinates of the point written without brackets."""
    if piece.prefix or piece.bracketed or piece.joined == _HARD:
        return False
    if piece.name is not None and piece.name in {p.name for p in run}:
        return False
    if piece.joined == _AND_WORD:
        return piece.name is not None and all(p.name is not None for p in run)
    return True


def _answer(text: str, item: list[_Piece], problem: Problem, limits: Limits) -> CriticalAnswer:
    spans = [p.point for p in item if p.point is not None]
    start, end = spans[0][0], spans[-1][1]
    point_text = text[start:end]
    for (_unused, before), (after, _unused2) in itertools.pairwise(spans):
        # a comma for what joined two pieces of one point ("and", fillers)
        point_text = (
            point_text[: before - start]
            + ","
            + " " * (after - before - 1)
            + point_text[after - start :]
        )
    try:
        values = parse_point(point_text, problem.function, limits=limits)
    except GradcliError as error:
        position = start if error.position is None else start + error.position
        raise type(error)(error.message, text=text, position=position, hint=error.hint) from None
    variables = problem.variables
    point = tuple(values[v] for v in variables)
    coordinates = _coordinates(point_text, point, problem)
    order = item[0].order
    if order is not None:
        # (y, x) = (2, 1): the values were read in the order the names were written
        point = tuple(point[order.index(v.name)] for v in variables)
        coordinates = tuple(coordinates[order.index(v.name)] for v in variables)
    kinds = [p.kind for p in item if p.kind is not None]
    return CriticalAnswer(
        point=point,
        coordinates=coordinates,
        kind=kinds[0] if kinds else None,
        text=text[item[0].start : item[-1].end].strip(),
    )


def _coordinates(
    point_text: str, point: tuple[sympy.Expr, ...], problem: Problem
) -> tuple[str, ...]:
    """The text of each coordinate as typed, in the order of ``problem.variables``."""
    inner = point_text.strip()
    if (inner[:1] in "([" and _close(inner, 0, len(inner)) == len(inner) - 1) or (
        inner[:1] == "<" and inner[-1:] == ">"
    ):
        inner = inner[1:-1]
    parts = [part.strip() for part, _unused in split_top_level(inner)]
    if parts and all("=" in part for part in parts):
        typed = {}
        for part in parts:
            name, _unused, value = part.partition("=")
            typed[symbol(name).name] = value.strip()
        if all(v.name in typed for v in problem.variables):
            return tuple(typed[v.name] for v in problem.variables)
    if len(parts) == 1 and len(problem.variables) > 1:
        parts = inner.split()  # "1 2", as parse_point reads it
    if len(parts) == len(point):
        return tuple(parts)
    return tuple(to_text(c) for c in point)

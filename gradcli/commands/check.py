"""``gradcli check``: grade one student's answer, or a class's batch file."""

from __future__ import annotations

import itertools
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from typing import IO, Any

import click

from gradcli import runner
from gradcli.commands.base import (
    Command,
    Settings,
    formatted,
    limit_options,
    read_expression,
    screen_of,
    settings,
    split_names,
    variables_option,
)
from gradcli.errors import (
    ExitCode,
    GradcliError,
    InputError,
    OutputError,
    describe,
    describe_bug,
    reason_of,
)
from gradcli.i18n import N_, _
from gradcli.limits import Limits
from gradcli.runner import Output

#: the largest --seed (the seeds numpy's generators share)
MAX_SEED = 2**32 - 1


@click.command(
    cls=Command,
    help=N_(
        """Check answers about EXPRESSION: each part, each component, and why.

    \b
    Examples:
      gradcli check "x^2+y^2+xy" --gradient "y+2x, 2y+x"
      gradcli check "x^2+y^2+xy" --at 1,3 --value 5,7 --magnitude 8.6
      gradcli check "x^2+y^2+xy" --at 1,3 --direction "(5,7)/sqrt(74)"
      gradcli check "x^2+y^2+xy" --at 1,3 --along 1,1 --directional "12/sqrt(2)"
      gradcli check "x^3-3x+y^2" --hessian "[[6x,0],[0,2]]" --critical "(1,0) min; (-1,0) saddle"
      gradcli check "x^2+y^2+xy" --batch answers.csv --format csv
      gradcli check "x^2+y^2+xy" --at 1,3 --batch answers.csv --summary grades.csv \\
          --weights gradient=2,value=1 --carried-credit 0.5

    Equality is decided exactly where it can be (the difference simplifies to
    0, or to a nonzero constant), else at random points of f's domain
    (--seed), every agreement confirmed exactly or with 50 digits, and an
    answer with |u| or sign(u) piece by piece. A decimal must be the exact
    value correctly rounded to the figures written (or --sigfigs, --tol,
    --abs-tol). Wrong answers are examined for typical mistakes (a sign, a
    factor, a missing term, the chain rule, swapped components, …). The
    expected answers stay hidden unless --reveal.

    Exit codes: 0 all correct, 1 a wrong answer, 2 an answer cannot be read,
    3 undecided. With --batch: 0 once the batch is graded, whatever the
    verdicts (they are in the output); 2 if the file cannot be read (or
    --summary cannot be written).
"""
    ),
)
@click.argument("expression", required=False)
@click.option(
    "--gradient", metavar="VECTOR", help=N_("∇f: '2x+y, x+2y', '(…, …)', '<…, …>', '[…]'.")
)
@click.option("--at", "at", metavar="POINT", help=N_("The point: 1,3 or 'x=1, y=3'."))
@click.option("--value", metavar="VECTOR", help=N_("∇f at --at, such as 5,7."))
@click.option("--magnitude", metavar="NUMBER", help=N_("|∇f| at --at: sqrt(74), or 8.60."))
@click.option(
    "--direction", metavar="VECTOR", help=N_("The unit vector of steepest ascent at --at.")
)
@click.option("--along", metavar="VECTOR", help=N_("A direction v for --directional."))
@click.option(
    "--directional", metavar="NUMBER", help=N_("The rate of change along --along at --at.")
)
@click.option("--hessian", metavar="MATRIX", help=N_("The Hessian: '[[2,1],[1,2]]' or '2,1; 1,2'."))
@click.option(
    "--critical",
    metavar="POINTS",
    help=N_("Critical points, kinds optional: '(0,0) min; (1,1) saddle'."),
)
@click.option(
    "--batch",
    metavar="FILE",
    # a Path for shell completion (file names); not dir_okay=False: whether it
    # can be read is told when it is opened, with gradcli's own message
    type=click.Path(allow_dash=True),
    help=N_("Grade a class: a CSV (with a header) or JSON Lines file, '-' for stdin."),
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help=N_(
        "Worker processes grading a --batch at once [default: the CPUs gradcli may "
        "use (its CPU affinity), at least 1; never more than 8]."
    ),
)
@click.option(
    "--summary",
    "summary_path",
    metavar="FILE",
    type=click.Path(allow_dash=True),
    help=N_(
        "With --batch, also write a gradebook to FILE (CSV, written whole at the end): "
        "a line per student with id, the pass-through columns, score, max_score, percent, "
        "each part's verdict and review."
    ),
)
@click.option(
    "--weights",
    metavar="PART=W,…",
    help=N_("Points per part in --summary, such as gradient=2,value=1 [default: 1 each]."),
)
@click.option(
    "--carried-credit",
    "carried_credit",
    metavar="FRACTION",
    help=N_(
        "Credit in --summary, 0 to 1 (such as 0.5 or 1/2), for a component whose only "
        "mistake is carried_error: right from the student's own earlier wrong answer "
        "[default: 0]."
    ),
)
@click.option("--reveal", is_flag=True, help=N_("Show the expected answers."))
@click.option(
    "--tol",
    default=None,
    metavar="REL",
    help=N_(
        "Right within this relative tolerance of the exact value (boundary included), "
        "instead of the figures written."
    ),
)
@click.option(
    "--abs-tol",
    "abs_tol",
    default=None,
    metavar="ABS",
    help=N_("Right within this absolute tolerance (boundary included)."),
)
@click.option(
    "--sigfigs",
    type=click.IntRange(1, 50),
    default=None,
    metavar="N",
    help=N_("A decimal must give exactly N significant figures, correctly rounded."),
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help=N_("Seed of the random test points, 0 to 4,294,967,295."),  # MAX_SEED
)
@variables_option
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["table", "plain", "json", "csv"], case_sensitive=False),
    default="table",
    show_default=True,
    help=N_("A rich table, plain lines, JSON or CSV."),
)
@limit_options
def check(
    expression: str | None,
    batch: str | None,
    jobs: int | None,
    summary_path: str | None,
    weights: str | None,
    carried_credit: str | None,
    reveal: bool,
    tol: str | None,
    abs_tol: str | None,
    sigfigs: int | None,
    seed: int,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
    at: str | None,
    along: str | None,
    **answers: str | None,
) -> int:
    """Check answers, or grade a batch: the help text is on the decorator."""
    if not 0 <= seed <= MAX_SEED:
        raise InputError(
            _("--seed must be a whole number from 0 to {most}, not {seed}").format(
                most=f"{MAX_SEED:,}", seed=seed
            )
        )
    names = split_names(variables)
    screen = settings()
    given = {name: text for name, text in answers.items() if text is not None}
    scoring_options = {
        "--summary": summary_path,
        "--weights": weights,
        "--carried-credit": carried_credit,
    }
    if batch is None:
        for option, value in scoring_options.items():
            if value is not None:
                raise InputError(
                    _("{option} needs --batch: it scores a class").format(option=option)
                )
    if batch is not None:
        if given:
            raise InputError(
                _("--{option} cannot be combined with --batch: answers come from the file").format(
                    option=next(iter(given))
                )
            )
        gradebook = None
        if summary_path is None:
            for option, value in scoring_options.items():
                if value is not None:
                    raise InputError(
                        _("{option} needs --summary FILE: it scores the gradebook").format(
                            option=option
                        )
                    )
        else:
            gradebook = Gradebook(
                summary_path, batch=batch, scoring=_scoring(weights, carried_credit)
            )
        problem = read_expression(expression, limits) if expression else None
        if jobs is None:
            jobs = default_jobs()
        outputs = _batch(
            batch,
            expression=problem,
            variables=names,
            at=at,
            along=along,
            tol=tol,
            abs_tol=abs_tol,
            sigfigs=sigfigs,
            seed=seed,
            reveal=reveal,
            output_format=output_format,
            screen=screen,
            limits=limits,
            jobs=jobs,
            gradebook=gradebook,
        )
        return runner.write(outputs)
    if expression is None:
        raise InputError(_("give the function to check answers about (or --batch FILE)"))
    text = read_expression(expression, limits)
    options: dict[str, Any] = dict(
        at=at,
        along=along,
        variables=names,
        tol=tol,
        abs_tol=abs_tol,
        sigfigs=sigfigs,
        seed=seed,
        reveal=reveal,
        limits=limits,
    )

    return runner.run(
        lambda: render_one(text, given, output_format, screen, latex=latex, **options),
        timeout=limits.timeout,
    )


def render_one(
    text: str,
    answers: dict[str, str],
    output_format: str,
    screen: Settings,
    *,
    latex: bool | None,
    variables: list[str] | None,
    limits: Limits,
    **options: Any,
) -> Output:
    """Check one answer and format it; runs inside the budgeted child.

    The exit code is the verdict's, with a message per unreadable answer.
    """
    from gradcli.grading import UNREADABLE
    from gradcli.grading import check as check_answers
    from gradcli.parse import parse_function

    function = parse_function(text, variables=variables, limits=limits, latex=latex)
    arguments: dict[str, Any] = {**answers, **options}
    verdict = check_answers(function, limits=limits, **arguments)
    messages = tuple(_unreadable_message(p) for p in verdict.parts if p.verdict == UNREADABLE)
    if output_format != "json":  # JSON carries them in its notes key
        notes = (_("note: {note}").format(note=note) for note in verdict.notes)
        messages = (*notes, *messages)
    return Output(formatted("check", verdict, output_format, screen), messages, verdict.exit_code)


def _unreadable_message(part: Any) -> str:
    """``error: --gradient: …`` with a caret under the place, like the parser's errors."""
    from gradcli.errors import ParseError

    where = ParseError(part.message, text=part.given or "", position=part.position, hint=part.hint)
    return _("error: --{option}: {message}").format(
        option=part.part, message=describe(where, lines=True)
    )


# --------------------------------------------------------------------------
# A class at once


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity), else all of them; at least 1."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform (macOS, Windows)
        count = os.cpu_count() or 1
    return max(1, count)


def _scoring(weights: str | None, carried_credit: str | None) -> Any:
    """--weights and --carried-credit read, before anything is graded."""
    from fractions import Fraction

    from gradcli.grading.report import Scoring, parse_fraction, parse_weights

    return Scoring(
        weights=parse_weights(weights) if weights is not None else (),
        carried_credit=Fraction(0)
        if carried_credit is None
        else parse_fraction(carried_credit, name="--carried-credit", at_most=Fraction(1)),
    )


class Gradebook:
    """The ``--summary`` file: checked writable before grading starts, and written
    whole at the end (a temporary file beside it, renamed over it), so that a
    run stopped half-way leaves the old file or none, never half a report."""

    def __init__(self, path: str, *, batch: str, scoring: Any) -> None:
        if path == "-":
            raise InputError(_("--summary -: stdout carries the batch's results; give a file name"))
        self.path = path
        self.scoring = scoring
        self._folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise InputError(
                _("cannot write --summary {path}: it is a directory").format(path=path)
            )
        if batch != "-" and os.path.exists(path) and os.path.exists(batch):
            with suppress(OSError):
                if os.path.samefile(path, batch):
                    raise InputError(
                        _("--summary {path} would overwrite the --batch file").format(path=path)
                    )
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise InputError(_("cannot write --summary {path}: it is read-only").format(path=path))
        os.unlink(self._temporary())  # the folder takes new files

    def _temporary(self) -> str:
        try:
            handle, name = tempfile.mkstemp(
                dir=self._folder, prefix=f".{os.path.basename(self.path)}.", suffix=".tmp"
            )
        except OSError as error:
            raise InputError(_cannot_write(self.path, error)) from None
        os.close(handle)
        return name

    def write(self, text: str) -> None:
        """Replace the file with ``text`` at once; its mode stays (else the umask's)."""
        name = self._temporary()
        try:
            with open(name, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, self._mode())
            os.replace(name, self.path)
        except OSError as error:
            raise OutputError(_cannot_write(self.path, error)) from None
        finally:
            with suppress(OSError):
                os.unlink(name)

    def _mode(self) -> int:
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            return 0o666 & ~umask


def _cannot_write(path: str, error: OSError) -> str:
    return _("cannot write --summary {path}: {reason}").format(path=path, reason=reason_of(error))


def _batch(
    path: str,
    *,
    expression: str | None,
    variables: list[str] | None,
    at: str | None,
    along: str | None,
    tol: str | None,
    abs_tol: str | None,
    sigfigs: int | None,
    seed: int,
    reveal: bool,
    output_format: str,
    screen: Settings,
    limits: Limits,
    jobs: int,
    gradebook: Gradebook | None = None,
) -> Iterator[Output]:
    """The graded rows in ``output_format``, as they come, then the summary (and
    the gradebook, written to its file)."""
    from gradcli.grading import BatchReader, Grader
    from gradcli.grading.batch import MAX_LINE

    grader = Grader(
        expression=expression,
        variables=variables,
        at=at,
        along=along,
        tol=tol,
        abs_tol=abs_tol,
        sigfigs=sigfigs,
        seed=seed,
        reveal=reveal,
        limits=limits,
    )
    # a row may hold several answers, each up to --max-length characters
    max_line = max(MAX_LINE, 4 * limits.max_length)
    lines, close = _open(path, max_line)
    try:
        reader = BatchReader(lines, max_line=max_line)
        rows = iter(reader)
        first = list(itertools.islice(rows, 1))  # the header read: the columns are known
        source: Iterable[Any] = itertools.chain(first, rows)
        if output_format == "csv" and reader.format == "jsonl":
            source = list(source)  # every line's keys make the CSV header: read them first
        results = runner.map_chunked(
            lambda row: _grade(grader, row, limits),
            source,
            timeout=limits.timeout,
            failed=_failure,
            jobs=jobs,
            started=lambda: _columns_noted(reader),
        )
        collected: list[Any] = []

        def remember(graded: Iterable[Any]) -> Iterator[Any]:
            for result in graded:
                collected.append(result)
                yield result

        yield from _batch_output(
            remember(results), collected, output_format, list(reader.extra), screen, reveal=reveal
        )
        if gradebook is not None:
            from gradcli.formats.check import report_csv
            from gradcli.grading.report import score_batch

            report = score_batch(collected, gradebook.scoring, columns=reader.extra)
            gradebook.write(report_csv(report))
    finally:
        close()


def _batch_output(
    results: Iterator[Any],
    collected: Sequence[Any],
    output_format: str,
    columns: Sequence[str],
    screen: Settings,
    *,
    reveal: bool,
) -> Iterator[Output]:
    """A batch in ``output_format``: each row as it is graded (the table: at the
    end), then the summary of ``collected``, the rows ``results`` gave."""
    from gradcli.formats import check as formats
    from gradcli.formats.common import dumps
    from gradcli.grading import summarize

    if output_format == "csv":
        yield Output(formats.batch_header(reveal=reveal, columns=columns))
        for result in results:
            yield Output(formats.batch_csv_rows(result, reveal=reveal, columns=columns))
        summary = formats.summary_lines(summarize(collected))
        yield Output(messages=tuple(_("summary: {summary}").format(summary=s) for s in summary))
    elif output_format == "json":
        first = True
        for result in results:
            start = formats.batch_json_start() + "\n" if first else ",\n"
            yield Output(start + formats.batch_json_row(result))
            first = False
        yield Output(formats.batch_json_start() + "]" if first else "\n]")
        yield Output(f', "summary": {dumps(formats.summary_dict(summarize(collected)))}}}\n')
    elif output_format == "plain":
        for result in results:
            yield Output(formats.batch_plain_rows(result))
        summary = formats.summary_lines(summarize(collected))
        yield Output("".join(f"summary: {line}\n" for line in summary))  # a key: English
    else:
        from gradcli.render.check import batch_table

        rows = list(results)
        yield Output(
            batch_table(rows, summarize(rows), screen_of(screen), reveal=reveal, columns=columns)
        )


def _open(path: str, max_line: int) -> tuple[Iterator[Any], Any]:
    """The lines of the batch, read as bytes by ``grading.read_lines``, and how to close it.

    stdin and a file are read the same way: a BOM dropped, any line end,
    undecodable bytes spoiling only their own cell, no line held past ``max_line``.
    """
    from gradcli.grading.batch import read_lines

    if path == "-":
        stdin: IO[Any] | None = sys.stdin
        if stdin is None:
            raise InputError(_("--batch -: there is no stdin to read (it is closed)"))
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text-only stdin (embedded use): its lines as they come
            return iter(stdin), lambda: None
        return read_lines(buffer, max_line=max_line), lambda: None
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=reason_of(error))
        ) from None
    return read_lines(handle, max_line=max_line), handle.close


def _columns_noted(reader: Any) -> None:
    """Say which columns are passed through (one like a grader's column may be a
    misspelt answer column: it is said so) and which are dropped."""
    from gradcli.errors import _printable
    from gradcli.grading.batch import similar_column

    def listed(names: Iterable[str], hint: Any = lambda name: None) -> str:
        out = []
        for name in names:
            shown = _printable(name)
            shown = shown if len(shown) <= 60 else shown[:59] + "…"
            close = hint(name)
            out.append(
                _("{column} (did you mean {close}?)").format(column=shown, close=close)
                if close
                else shown
            )
        return ", ".join(out)

    if reader.extra:
        runner.report(
            _("note: passing through columns: {columns}").format(
                columns=listed(reader.extra, similar_column)
            )
        )
    if reader.ignored:
        runner.report(_("note: ignoring columns: {columns}").format(columns=listed(reader.ignored)))


def _grade(grader: Any, row: Any, limits: Limits) -> Any:
    """Grade one row; whatever happens, the row gets its result.

    A bug in gradcli makes the row undecided, so that the batch goes on;
    under ``GRADCLI_IN_PROCESS=1`` (debugging) it propagates instead.
    """
    from gradcli.budget import in_process, time_limit

    try:
        with time_limit(limits.timeout, _("grading this row")):
            return grader.grade_row(row)
    except GradcliError as error:
        return _failure(row, error)
    except RecursionError:
        return _failure(row, InputError(_("the answer is too deeply nested")))
    except Exception as error:
        if in_process():
            raise
        from gradcli.grading import UNDECIDED, row_failure

        return row_failure(row, UNDECIDED, describe_bug(f"{type(error).__name__}: {error}"))


def _failure(row: Any, error: GradcliError) -> Any:
    from gradcli.grading import UNDECIDED, UNREADABLE, row_failure

    verdict = UNREADABLE if error.exit_code == ExitCode.USAGE else UNDECIDED
    return row_failure(row, verdict, error.message)

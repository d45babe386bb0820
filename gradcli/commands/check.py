"""``gradcli check``: grade one student's answer, or a class's batch file."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
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
from gradcli.errors import ExitCode, GradcliError, InputError, describe, describe_bug
from gradcli.limits import Limits
from gradcli.runner import Output

#: the largest --seed (the seeds numpy's generators share)
MAX_SEED = 2**32 - 1


@click.command(cls=Command)
@click.argument("expression", required=False)
@click.option("--gradient", metavar="VECTOR", help="∇f: '2x+y, x+2y', '(…, …)', '<…, …>', '[…]'.")
@click.option("--at", "at", metavar="POINT", help="The point: 1,3 or 'x=1, y=3'.")
@click.option("--value", metavar="VECTOR", help="∇f at --at, such as 5,7.")
@click.option("--magnitude", metavar="NUMBER", help="|∇f| at --at: sqrt(74), or 8.60.")
@click.option("--direction", metavar="VECTOR", help="The unit vector of steepest ascent at --at.")
@click.option("--along", metavar="VECTOR", help="A direction v for --directional.")
@click.option("--directional", metavar="NUMBER", help="The rate of change along --along at --at.")
@click.option("--hessian", metavar="MATRIX", help="The Hessian: '[[2,1],[1,2]]' or '2,1; 1,2'.")
@click.option(
    "--critical",
    metavar="POINTS",
    help="Critical points, kinds optional: '(0,0) min; (1,1) saddle'.",
)
@click.option(
    "--batch",
    metavar="FILE",
    help="Grade a class: a CSV (with a header) or JSON Lines file, '-' for stdin.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes grading a --batch at once [default: 2, or 1 on one CPU].",
)
@click.option("--reveal", is_flag=True, help="Show the expected answers.")
@click.option(
    "--tol",
    default=None,
    metavar="REL",
    help="Right within this relative tolerance of the exact value (boundary included), "
    "instead of the figures written.",
)
@click.option(
    "--abs-tol",
    "abs_tol",
    default=None,
    metavar="ABS",
    help="Right within this absolute tolerance (boundary included).",
)
@click.option(
    "--sigfigs",
    type=click.IntRange(1, 50),
    default=None,
    metavar="N",
    help="A decimal must give exactly N significant figures, correctly rounded.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help=f"Seed of the random test points, 0 to {MAX_SEED:,}.",
)
@variables_option
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["table", "plain", "json", "csv"], case_sensitive=False),
    default="table",
    show_default=True,
    help="A rich table, plain lines, JSON or CSV.",
)
@limit_options
def check(
    expression: str | None,
    batch: str | None,
    jobs: int | None,
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
    """Check answers about EXPRESSION: each part, each component, and why.

    \b
    Examples:
      gradcli check "x^2+y^2+xy" --gradient "y+2x, 2y+x"
      gradcli check "x^2+y^2+xy" --at 1,3 --value 5,7 --magnitude 8.6
      gradcli check "x^2+y^2+xy" --at 1,3 --direction "(5,7)/sqrt(74)"
      gradcli check "x^2+y^2+xy" --at 1,3 --along 1,1 --directional "12/sqrt(2)"
      gradcli check "x^3-3x+y^2" --hessian "[[6x,0],[0,2]]" --critical "(1,0) min; (-1,0) saddle"
      gradcli check "x^2+y^2+xy" --batch answers.csv --format csv

    Equality is decided symbolically (the difference simplifies to 0), else
    at random points of the common domain (relative 1e-9; --seed), and
    decimal answers to the significant figures written. Wrong answers are
    examined for typical mistakes (a sign, a factor, a missing term, the chain
    rule, swapped components, …). The expected answers stay hidden unless
    --reveal.

    Exit codes: 0 all correct, 1 a wrong answer, 2 an answer cannot be read,
    3 undecided. With --batch: 0 once the batch is graded, whatever the
    verdicts (they are in the output); 2 if the file cannot be read.
    """
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed must be a whole number from 0 to {MAX_SEED:,}, not {seed}")
    names = split_names(variables)
    screen = settings()
    given = {name: text for name, text in answers.items() if text is not None}
    if batch is not None:
        if given:
            raise InputError(
                f"--{next(iter(given))} cannot be combined with --batch: answers come from the file"
            )
        problem = read_expression(expression, limits) if expression else None
        if jobs is None:
            jobs = min(2, os.cpu_count() or 1)
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
        )
        return runner.write(outputs)
    if expression is None:
        raise InputError("give the function to check answers about (or --batch FILE)")
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
    return Output(formatted("check", verdict, output_format, screen), messages, verdict.exit_code)


def _unreadable_message(part: Any) -> str:
    """``error: --gradient: …`` with a caret under the place, like the parser's errors."""
    from gradcli.errors import ParseError

    where = ParseError(part.message, text=part.given or "", position=part.position, hint=part.hint)
    return f"error: --{part.part}: {describe(where, lines=True)}"


# --------------------------------------------------------------------------
# A class at once


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
) -> Iterator[Output]:
    """The graded rows in ``output_format``, as they come, then the summary."""
    from gradcli.formats import check as formats
    from gradcli.formats.common import dumps
    from gradcli.grading import BatchReader, Grader, summarize
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
        results = runner.map_chunked(
            lambda row: _grade(grader, row, limits),
            reader,
            timeout=limits.timeout,
            failed=_failure,
            jobs=jobs,
            started=lambda: _ignored(reader),
        )
        collected: list[Any] = []

        def remember(rows: Iterable[Any]) -> Iterator[Any]:
            for row in rows:
                collected.append(row)
                yield row

        if output_format == "csv":
            yield Output(formats.batch_header(reveal=reveal))
            for result in remember(results):
                yield Output(formats.batch_csv_rows(result, reveal=reveal))
            summary = formats.summary_lines(summarize(collected))
            yield Output(messages=tuple(f"summary: {line}" for line in summary))
        elif output_format == "json":
            first = True
            for result in remember(results):
                yield Output(('{"rows": [\n' if first else ",\n") + formats.batch_json_row(result))
                first = False
            yield Output('{"rows": []' if first else "\n]")
            yield Output(f', "summary": {dumps(formats.summary_dict(summarize(collected)))}}}\n')
        elif output_format == "plain":
            for result in remember(results):
                yield Output(formats.batch_plain_rows(result))
            summary = formats.summary_lines(summarize(collected))
            yield Output("".join(f"summary: {line}\n" for line in summary))
        else:
            from gradcli.render.check import batch_table

            rows = list(results)
            yield Output(batch_table(rows, summarize(rows), screen_of(screen), reveal=reveal))
    finally:
        close()


def _open(path: str, max_line: int) -> tuple[Iterator[Any], Any]:
    """The lines of the batch, read as bytes by ``grading.read_lines``, and how to close it.

    stdin and a file are read the same way: a BOM dropped, any line end,
    undecodable bytes spoiling only their own cell, no line held past ``max_line``.
    """
    from gradcli.grading.batch import read_lines

    if path == "-":
        stdin: IO[Any] | None = sys.stdin
        if stdin is None:
            raise InputError("--batch -: there is no stdin to read (it is closed)")
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text-only stdin (embedded use): its lines as they come
            return iter(stdin), lambda: None
        return read_lines(buffer, max_line=max_line), lambda: None
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    return read_lines(handle, max_line=max_line), handle.close


def _ignored(reader: Any) -> None:
    if reader.ignored:
        from gradcli.errors import _printable

        shown = [_printable(name) for name in reader.ignored]
        names = ", ".join(name if len(name) <= 60 else name[:59] + "…" for name in shown)
        runner.report(f"note: ignoring columns: {names}")


def _grade(grader: Any, row: Any, limits: Limits) -> Any:
    """Grade one row; whatever happens, the row gets its result.

    A bug in gradcli makes the row undecided, so that the batch goes on;
    under ``GRADCLI_IN_PROCESS=1`` (debugging) it propagates instead.
    """
    from gradcli.budget import in_process, time_limit

    try:
        with time_limit(limits.timeout, "grading this row"):
            return grader.grade_row(row)
    except GradcliError as error:
        return _failure(row, error)
    except RecursionError:
        return _failure(row, InputError("the answer is too deeply nested"))
    except Exception as error:
        if in_process():
            raise
        from gradcli.grading import UNDECIDED, row_failure

        return row_failure(row, UNDECIDED, describe_bug(f"{type(error).__name__}: {error}"))


def _failure(row: Any, error: GradcliError) -> Any:
    from gradcli.grading import UNDECIDED, UNREADABLE, row_failure

    verdict = UNREADABLE if error.exit_code == ExitCode.USAGE else UNDECIDED
    return row_failure(row, verdict, error.message)

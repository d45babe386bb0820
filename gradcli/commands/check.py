"""``gradcli check``: grade one student's answer, or a class's batch file."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

import click

from gradcli.commands.base import (
    Settings,
    emit,
    limit_options,
    read_expression,
    report,
    settings,
    split_names,
    variables_option,
)
from gradcli.errors import ExitCode, GradcliError, InputError
from gradcli.limits import Limits

_ANSWERS = ("gradient", "value", "magnitude", "direction", "directional", "hessian", "critical")
#: rows graded per message to the worker process; a chunk that overruns is
#: graded again row by row, so one hostile row costs only itself
_CHUNK = 100


@click.command()
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
    type=float,
    default=None,
    metavar="REL",
    help="Relative tolerance for decimal answers [default: 1e-3, or the significant "
    "figures written].",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the random test points."
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
    tol: float | None,
    seed: int,
    variables: str | None,
    output_format: str,
    latex: bool | None,
    limits: Limits,
    at: str | None,
    along: str | None,
    **answers: str | None,
) -> None:
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
        _run_batch(
            batch,
            expression=problem,
            variables=names,
            at=at,
            along=along,
            tol=tol,
            seed=seed,
            reveal=reveal,
            output_format=output_format,
            screen=screen,
            limits=limits,
            jobs=jobs,
        )
        return
    if expression is None:
        raise InputError("give the function to check answers about (or --batch FILE)")
    text = read_expression(expression, limits)
    options: dict[str, Any] = dict(
        at=at, along=along, variables=names, tol=tol, seed=seed, reveal=reveal, limits=limits
    )

    def job() -> tuple[str, int, list[str]]:
        return render_one(text, given, output_format, screen, latex=latex, **options)

    from gradcli.budget import run_bounded

    output, code, messages = run_bounded(job, timeout=limits.timeout)
    emit(output)
    for message in messages:
        report(message)
    if code:
        raise click.exceptions.Exit(code)


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
) -> tuple[str, int, list[str]]:
    """Check one answer and format it; runs inside the budgeted child.

    Returns the output, the exit code, and a message per unreadable answer.
    """
    from gradcli.grading import UNREADABLE
    from gradcli.grading import check as check_answers
    from gradcli.parse import parse_function

    function = parse_function(text, variables=variables, limits=limits, latex=latex)
    arguments: dict[str, Any] = {**answers, **options}
    verdict = check_answers(function, limits=limits, **arguments)
    messages = [_unreadable_message(p) for p in verdict.parts if p.verdict == UNREADABLE]
    if output_format == "table":
        from gradcli.render.check import to_table
        from gradcli.render.console import Screen

        output = to_table(verdict, Screen(width=screen.width, color=screen.color))
    else:
        from gradcli.formats import check as formats

        formatter = {"json": formats.to_json, "csv": formats.to_csv, "plain": formats.to_plain}
        output = formatter[output_format](verdict)
    return output, verdict.exit_code, messages


def _unreadable_message(part: Any) -> str:
    """``error: --gradient: …`` with a caret under the place, like the parser's errors."""
    from gradcli.errors import ParseError

    message = f"error: --{part.part}: {part.message}"
    if part.position is not None and part.given:
        message += f" (at position {part.position + 1})"
        located = ParseError(part.message, text=part.given, position=part.position).located()
        if located:
            message += "\n" + located
    if part.hint:
        message += f"\n  hint: {part.hint}"
    return message


# --------------------------------------------------------------------------
# A class at once


def _run_batch(
    path: str,
    *,
    expression: str | None,
    variables: list[str] | None,
    at: str | None,
    along: str | None,
    tol: float | None,
    seed: int,
    reveal: bool,
    output_format: str,
    screen: Settings,
    limits: Limits,
    jobs: int,
) -> None:
    from gradcli.formats import check as formats
    from gradcli.formats.common import dumps
    from gradcli.grading import BatchReader, Grader, summarize

    grader = Grader(
        expression=expression,
        variables=variables,
        at=at,
        along=along,
        tol=tol,
        seed=seed,
        reveal=reveal,
        limits=limits,
    )
    stream, close = _open(path)
    try:
        reader = BatchReader(stream)
        results = _graded(
            grader, iter(reader), limits, jobs=jobs, on_start=lambda: _ignored(reader)
        )
        collected: list[Any] = []

        def remember(rows: Iterable[Any]) -> Iterator[Any]:
            for row in rows:
                collected.append(row)
                yield row

        if output_format == "csv":
            emit(formats.batch_header(reveal=reveal))
            for result in remember(results):
                emit(formats.batch_csv_rows(result, reveal=reveal))
            summary = summarize(collected)
            for line in formats.summary_lines(summary):
                report(f"summary: {line}")
        elif output_format == "json":
            first = True
            for result in remember(results):
                emit(('{"rows": [\n' if first else ",\n") + formats.batch_json_row(result))
                first = False
            emit('{"rows": []' if first else "\n]")
            emit(f', "summary": {dumps(formats.summary_dict(summarize(collected)))}}}\n')
        elif output_format == "plain":
            for result in remember(results):
                emit(formats.batch_plain_rows(result))
            summary = summarize(collected)
            emit("".join(f"summary: {line}\n" for line in formats.summary_lines(summary)))
        else:
            from gradcli.render.check import batch_table
            from gradcli.render.console import Screen

            rows = list(results)
            emit(
                batch_table(
                    rows,
                    summarize(rows),
                    Screen(width=screen.width, color=screen.color),
                    reveal=reveal,
                )
            )
    finally:
        close()


def _open(path: str) -> tuple[IO[str], Any]:
    if path == "-":
        return sys.stdin, lambda: None
    try:
        # a BOM (Excel) is dropped; undecodable bytes become U+FFFD and make
        # only their own cell unreadable
        handle = open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    return handle, handle.close


def _ignored(reader: Any) -> None:
    if reader.ignored:
        report(f"note: ignoring columns: {', '.join(reader.ignored)}")


def _graded(
    grader: Any, rows: Iterator[Any], limits: Limits, *, jobs: int, on_start: Any
) -> Iterator[Any]:
    """One result per row, in order, graded in killable worker processes.

    Rows go to the workers in chunks, each row bounded by the time budget
    there. With ``jobs`` > 1 and more than one chunk, that many workers grade
    alternate chunks at once; the results still come out in input order.
    """
    chunks = _chunks(rows, _CHUNK)
    head = list(itertools.islice(chunks, 2))
    on_start()
    everything = itertools.chain(head, chunks)
    lanes = _parallel(grader, everything, limits, jobs) if jobs > 1 and len(head) > 1 else None
    for results in lanes or _lane(grader, everything, limits):
        yield from results


def _lane(grader: Any, chunks: Iterator[list[Any]], limits: Limits) -> Iterator[list[Any]]:
    """Grade chunks in one worker; a chunk that overruns is graded again row by row.

    A row stuck in C code (where the time budget's signal cannot reach) takes
    its chunk's worker down with it; graded one per call, only it is lost.
    """
    from gradcli.budget import map_bounded

    pending: list[list[Any]] = []

    def remember() -> Iterator[list[Any]]:
        for chunk in chunks:
            pending.append(chunk)
            yield chunk

    for outcome in map_bounded(
        lambda chunk: [_grade(grader, row, limits) for row in chunk],
        remember(),
        timeout=limits.timeout * 2 + 1.0,
    ):
        chunk = pending.pop(0)
        if outcome.error is None and outcome.value is not None:
            yield outcome.value
            continue
        singles = map_bounded(
            lambda row: _grade(grader, row, limits), chunk, timeout=limits.timeout + 1
        )
        yield [
            single.value if single.error is None else _failure(row, single.error)
            for row, single in zip(chunk, singles)
        ]


def _parallel(
    grader: Any, chunks: Iterator[list[Any]], limits: Limits, jobs: int
) -> Iterator[list[Any]]:
    """Chunks graded by ``jobs`` lanes at once (a thread and a worker each), in order."""
    import queue
    import threading

    inboxes: list[queue.Queue[list[Any] | None]] = [queue.Queue() for _ in range(jobs)]
    outboxes: list[queue.Queue[tuple[bool, Any]]] = [queue.Queue() for _ in range(jobs)]

    def run(k: int) -> None:
        def mine() -> Iterator[list[Any]]:
            while (chunk := inboxes[k].get()) is not None:
                yield chunk

        try:
            for results in _lane(grader, mine(), limits):
                outboxes[k].put((True, results))
        except BaseException as error:  # noqa: BLE001 - handed over to the main thread
            outboxes[k].put((False, error))

    def take(k: int) -> list[Any]:
        ok, value = outboxes[k].get()
        if not ok:
            raise value
        return value

    threads = [
        threading.Thread(target=run, args=(k,), name=f"gradcli-check-{k}", daemon=True)
        for k in range(jobs)
    ]
    for thread in threads:
        thread.start()
    in_flight: list[int] = []
    try:
        for index, chunk in enumerate(chunks):
            lane = index % jobs
            inboxes[lane].put(chunk)
            in_flight.append(lane)
            if len(in_flight) >= 2 * jobs:
                yield take(in_flight.pop(0))
        while in_flight:
            yield take(in_flight.pop(0))
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for thread in threads:
            thread.join(timeout=limits.timeout * 2 + 10)


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _grade(grader: Any, row: Any, limits: Limits) -> Any:
    """Grade one row; whatever happens, the row gets its result."""
    from gradcli.budget import time_limit

    try:
        with time_limit(limits.timeout, "grading this row"):
            return grader.grade_row(row)
    except GradcliError as error:
        return _failure(row, error)
    except RecursionError:
        return _failure(row, InputError("the answer is too deeply nested"))
    except Exception as error:  # noqa: BLE001 - one row's bug must not end the batch
        from gradcli.grading import UNDECIDED, row_failure

        return row_failure(
            row, UNDECIDED, f"internal error: {type(error).__name__}: {error} (a bug in gradcli)"
        )


def _failure(row: Any, error: GradcliError) -> Any:
    from gradcli.grading import UNDECIDED, UNREADABLE, row_failure

    verdict = UNREADABLE if error.exit_code == ExitCode.USAGE else UNDECIDED
    return row_failure(row, verdict, error.message)

"""Streamed points (`grad EXPR --at -`): same numbers as the exact path, in order."""

from __future__ import annotations

import csv
import io
import json
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.calculus import gradient
from gradcli.derivatives import gradient_of
from gradcli.parse import parse_function
from gradcli.points import Block, blocks_of_lines, evaluate_chunks, read_block, read_points
from tests.conftest import invoke

SEED = "x^2+y^2+xy"


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_streamed_values_equal_the_exact_path() -> None:
    random.seed(7)
    points = [(random.uniform(-5, 5), random.uniform(-5, 5)) for _ in range(50)]
    lines = "".join(f"{x!r},{y!r}\n" for x, y in points)
    result = invoke("grad", "sin(x*y) + exp(x/3) + y^3", "--at", "-", "-f", "csv", input=lines)
    assert result.exit_code == 0, result
    rows = _csv_rows(result.stdout)
    assert len(rows) == len(points)
    for (x, y), row in zip(points, rows):
        exact = gradient("sin(x*y) + exp(x/3) + y^3", at=(x, y), simplify=False).at
        assert exact is not None and exact.value_float is not None
        assert float(row["df/dx_float"]) == pytest.approx(exact.value_float[0], rel=1e-12)
        assert float(row["df/dy_float"]) == pytest.approx(exact.value_float[1], rel=1e-12)
        assert float(row["magnitude_float"]) == pytest.approx(exact.magnitude_float, rel=1e-12)


def test_header_and_the_seed_point() -> None:
    result = invoke("grad", SEED, "--at", "-", "-f", "csv", input="1,3\n")
    assert result.stdout.splitlines() == [
        "x,y,df/dx_float,df/dy_float,magnitude_float",
        "1,3,5.0,7.0,8.602325267042627",
    ]


def test_every_input_form_and_row_order() -> None:
    text = "1,3\n2 -1\ny=0, x=4\n\n# comment\npi/2, 0\n"
    result = invoke("grad", SEED, "--at", "-", "-f", "json", input=text)
    assert result.exit_code == 0, result
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 6]
    assert [r["point_float"] for r in rows] == [[1, 3], [2, -1], [4, 0], [math.pi / 2, 0]]
    assert rows[0]["value_float"] == [5.0, 7.0]
    assert all(next(iter(r)) == "schema_version" for r in rows)


def test_bad_lines_are_nan_rows_reported_by_number() -> None:
    text = "1,3\nnot a point\n1,2,3\n2,2\n"
    result = invoke("grad", SEED, "--at", "-", "-f", "csv", input=text)
    assert result.exit_code == 2
    rows = _csv_rows(result.stdout)
    assert len(rows) == 4
    assert rows[0]["df/dx_float"] == "5.0" and rows[3]["df/dx_float"] == "6.0"
    assert all(math.isnan(float(v)) for v in rows[1].values())
    assert all(math.isnan(float(v)) for v in rows[2].values())
    errors = result.stderr.splitlines()
    assert errors[0].startswith("gradcli: line 2: error:")
    assert errors[1].startswith("gradcli: line 3: error:")
    assert "Traceback" not in result.stderr


def test_undefined_points_give_nan_and_a_count_not_an_abort() -> None:
    result = invoke(
        "grad", "log(x) + 1/y", "--at", "-", "-f", "json", input="1,1\n-1,1\n1,0\n2,2\n"
    )
    assert result.exit_code == 0, result
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["value_float"] == [1.0, -1.0]
    assert rows[1]["value_float"] == [None, None]  # log of a negative number
    assert rows[2]["value_float"] == [None, None]  # division by zero
    assert rows[3]["value_float"] == [0.5, -0.25]
    assert "undefined at 2 point(s)" in result.stderr


def test_plain_and_table_formats() -> None:
    plain = invoke("grad", SEED, "--at", "-", "-f", "plain", input="1,3\n")
    assert plain.stdout.splitlines()[1] == "1.0 3.0 5.0 7.0 8.602325267042627"
    table = invoke("grad", SEED, "--at", "-", input="1,3\n")
    assert "8.602325" in table.stdout


def test_stream_refuses_what_it_cannot_do() -> None:
    assert invoke("grad", "-", "--at", "-", input="").exit_code == 2
    assert invoke("grad", SEED, "--at", "-", "-f", "latex", input="1,3\n").exit_code == 2
    params = invoke("grad", "a*x", "--vars", "x", "--at", "-", "-f", "csv", input="1\n")
    assert params.exit_code == 2 and "a would need values" in params.stderr


def test_blocks_split_only_at_line_ends() -> None:
    data = b"1,3\n2,4\n5,6"
    reader = io.BytesIO(data)
    blocks = list(blocks_of_lines(lambda n: reader.read(3)))
    assert b"".join(b.data for b in blocks) == data + b"\n"
    assert all(b.data.endswith(b"\n") for b in blocks)
    assert blocks[0].first_line == 1


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False)),
        min_size=1,
        max_size=30,
    )
)
def test_fast_and_careful_readers_agree(points: list[tuple[float, float]]) -> None:
    data = "".join(f"{x!r},{y!r}\n" for x, y in points).encode()
    numbers, fast, bad, text = read_block(Block(1, data), ["x", "y"])
    careful, careful_bad = read_points(data.decode().splitlines(), ["x", "y"])
    assert not bad and not careful_bad
    assert np.array_equal(fast, careful)
    assert list(numbers) == list(range(1, len(points) + 1))
    assert text is not None


def test_chunks_stream_one_at_a_time() -> None:
    # 200,000 points through small blocks, each evaluated as it comes
    from gradcli.points import evaluate_chunks

    g = gradient(SEED, simplify=False)
    lines = b"1,3\n" * 1000
    blocks = (Block(1 + 1000 * i, lines) for i in range(200))
    total = 0
    for chunk in evaluate_chunks(g.function, g.components, blocks):
        total += len(chunk.line_numbers)
        assert chunk.gradients.shape == (1000, 2)
    assert total == 200_000


def test_an_endless_line_of_points_is_not_held() -> None:
    import subprocess
    import sys

    # 5 MB on one line between two good points: reported, never kept whole
    data = b"1,2\n" + b"\0" * 5_000_000 + b"\n3,4\n"
    done = subprocess.run(
        [sys.executable, "-m", "gradcli", "grad", "x*y", "--at", "-", "--format", "csv"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    # a point is echoed as typed or as a float, depending on how the input arrived
    rows = [
        [float(cell) for cell in row.split(",")] for row in done.stdout.decode().splitlines()[1:]
    ]
    assert np.array_equal(
        rows,
        [[1, 2, 2, 1, 2.23606797749979], [np.nan] * 5, [3, 4, 4, 3, 5]],
        equal_nan=True,
    )
    assert b"line 2: error: the line is longer than 1,048,576 bytes" in done.stderr
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr


def test_a_bom_before_streamed_points_is_dropped() -> None:
    blocks = list(blocks_of_lines(io.BytesIO(b"\xef\xbb\xbf1,3\r\n2,4\r5,6").read))
    data = b"".join(b.data for b in blocks)
    assert data == b"1,3\n2,4\n5,6\n"
    _, points, bad, _ = read_block(Block(1, data), ["x", "y"])
    assert not bad and points.tolist() == [[1, 3], [2, 4], [5, 6]]


def test_an_over_long_line_in_a_block_is_a_bad_line_of_its_own() -> None:
    data = b"1,3\n" + b"9" * 50 + b"\n2,4\n"
    blocks = list(blocks_of_lines(io.BytesIO(data).read, max_line=10))
    assert [b.too_long for b in blocks] == [(2,)]
    numbers, points, bad, _ = read_block(blocks[0], ["x", "y"])
    assert list(numbers) == [1, 2, 3] and [b.number for b in bad] == [2]
    assert "longer than" in bad[0].reason
    assert np.isnan(points[1]).all() and points[2].tolist() == [2, 4]


@pytest.mark.parametrize(
    ("expr", "point", "expected"),
    [
        # corners: no gradient (the one-sided slopes of |x| at 0 are -1 and 1)
        ("abs(x) + y", (0.0, 1.0), None),
        ("abs(x - y)", (1.0, 1.0), None),
        ("sign(x) + y", (0.0, 1.0), None),
        # flat at the kink: the gradient exists and is 0 in x
        ("abs(x)^3 + y", (0.0, 1.0), (0.0, 1.0)),
        ("x*abs(x) + y", (0.0, 2.0), (0.0, 1.0)),
        # an odd root of a negative number is real
        ("cbrt(x) + y", (-8.0, 0.0), (1 / 12, 1.0)),
    ],
)
def test_streamed_points_agree_with_the_exact_gradient_at_kinks(
    expr: str, point: tuple[float, float], expected: tuple[float, float] | None
) -> None:
    function = parse_function(expr)
    components = gradient_of(function.expr, function.variables)
    block = Block(first_line=1, data=f"{point[0]},{point[1]}\n".encode())
    (chunk,) = evaluate_chunks(function, components, [block])
    row = chunk.gradients[0]
    if expected is None:
        assert np.isnan(row).all() and chunk.undefined == 1
    else:
        assert row.tolist() == pytest.approx(expected, rel=1e-15)
        assert chunk.undefined == 0

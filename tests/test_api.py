"""The Python API: every public function takes text, sympy or a parsed Function
alike, with the same keywords; its results show themselves in Jupyter and rich,
and ``to_dict()`` is the command's JSON.

The oracle is sympy itself, on expressions built here independently of
gradcli's parser: ``diff``, ``hessian``, ``solve``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy

import gradcli
from gradcli import (
    Function,
    GradcliError,
    check,
    compare,
    critical_points,
    derive,
    derive_all,
    descend,
    gradient,
    hessian,
    jacobian,
    parse_function,
)
from gradcli.errors import DimensionError, InputError, UndefinedError
from tests.conftest import invoke

X, Y = sympy.symbols("x y", real=True)

#: f as text, and the same f built with sympy's own operators
TEXT = "x^2*y + sin(x)*y^3"
EXPR = X**2 * Y + sympy.sin(X) * Y**3


def same(a: sympy.Expr, b: sympy.Expr) -> bool:
    return sympy.simplify(a - b) == 0


def functions(text: str, expr: sympy.Expr) -> list[Any]:
    """f as text, as a sympy expression, and as a parsed Function."""
    return [text, expr, parse_function(text)]


FUNCTION_KINDS = ["text", "sympy", "Function"]
VARIABLE_KINDS: list[Any] = [None, "x, y", ["x", "y"], (X, Y)]
#: the point (1, 2), every way the API takes it
POINTS: list[Any] = [
    "1,2",
    "x=1, y=2",
    "y=2, x=1",
    (1, 2),
    [sympy.Integer(1), "2"],
    (1.0, Fraction(2)),
    {"x": 1, "y": 2},
    {X: 1, Y: 2},
]


# --------------------------------------------------------------------------
# the same answer whatever the kind of input


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
@pytest.mark.parametrize("variables", VARIABLE_KINDS, ids=repr)
def test_gradient_takes_every_kind(kind: int, variables: Any) -> None:
    g = gradient(functions(TEXT, EXPR)[kind], variables, at="1,2")
    assert [v.name for v in g.variables] == ["x", "y"]
    oracle = [sympy.diff(EXPR, v) for v in (X, Y)]
    assert all(same(c, o) for c, o in zip(g.components, oracle, strict=True))
    assert g.at is not None
    assert g.at.value == tuple(o.subs({X: 1, Y: 2}) for o in oracle)


@pytest.mark.parametrize("at", POINTS, ids=repr)
def test_gradient_takes_every_kind_of_point(at: Any) -> None:
    g = gradient(EXPR, at=at)
    assert g.at is not None
    assert g.at.point == (1, 2)
    assert g.at.value == (4 + 8 * sympy.cos(1), 1 + 12 * sympy.sin(1))


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
@pytest.mark.parametrize("at", POINTS[:1] + POINTS[3:], ids=repr)
def test_hessian_takes_every_kind(kind: int, at: Any) -> None:
    h = hessian(functions(TEXT, EXPR)[kind], at=at)
    oracle = sympy.hessian(EXPR, (X, Y))
    assert all(same(h.matrix[i][j], oracle[i, j]) for i in range(2) for j in range(2))
    assert h.matrix_at is not None
    assert sympy.Matrix(h.matrix_at).equals(oracle.subs({X: 1, Y: 2}))


def test_the_issues_three_calls() -> None:
    """The calls the issue quotes, which raised TypeError or refused a string."""
    h = hessian("x^3-3x+y^2", at="1,0")
    assert h.meaning == "local minimum"
    assert h.matrix_at == ((6, 0), (0, 2))
    assert derive("x^2*y", "x").result == 2 * X * Y
    f = parse_function("x^3-3x+y^2")
    assert hessian(f.expr, f.variables, at="1,0").eigenvalues == (2, 6)


def test_hessian_gives_parameters_values_at_the_point() -> None:
    a = sympy.Symbol("a", real=True)
    h = hessian("a*x^2 + y^2", "x, y", at="x=0, y=0, a=-1")
    assert h.meaning == "saddle point"
    assert h.parameter_values == ((a, -1),)
    assert h.matrix == ((2 * a, 0), (0, 2))  # the symbolic matrix keeps a


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
def test_critical_points_takes_every_kind(kind: int) -> None:
    expr = X**3 - 3 * X + Y**2
    result = critical_points(functions("x^3 - 3x + y^2", expr)[kind], box="-4, 4")
    solved = sympy.solve([sympy.diff(expr, X), sympy.diff(expr, Y)], (X, Y), dict=True)
    assert {p.point for p in result.points} == {(s[X], s[Y]) for s in solved}
    # the second-derivative test by sympy's eigenvalues
    for p in result.points:
        assert p.point is not None
        eigen = sympy.hessian(expr, (X, Y)).subs({X: p.point[0], Y: p.point[1]}).eigenvals()
        expected = "local min" if all(e > 0 for e in eigen) else "saddle"
        assert p.kind == expected
    assert result.box == (-4.0, 4.0)


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
@pytest.mark.parametrize("start", ["0,0", (0, 0), {"y": 0, "x": 0}, "x=0, y=0"], ids=repr)
def test_descend_takes_every_kind(kind: int, start: Any) -> None:
    expr = (X - 1) ** 2 + 2 * (Y + 2) ** 2
    run = descend(functions("(x-1)^2 + 2(y+2)^2", expr)[kind], start=start, lr=0.1)
    assert run.stop_reason.value == "converged"
    # the minimiser, from sympy's solve of ∇f = 0
    (minimum,) = sympy.solve([sympy.diff(expr, v) for v in (X, Y)], (X, Y), dict=True)
    assert run.final_point == pytest.approx((float(minimum[X]), float(minimum[Y])), abs=1e-7)
    assert run.lr == 0.1


def test_descend_keeps_the_positional_form_and_names_parameters() -> None:
    run = descend(EXPR, (X, Y), (1, 0), steps=3)
    assert run.steps == 3 and run.points[0] == (1.0, 0.0)
    given = descend("a*x^2", "x", start="x=1, a=2", steps=1, lr=0.1, exact=True)
    assert given.points_exact is not None
    assert given.points_exact[1] == (sympy.Rational(3, 5),)  # 1 - 0.1·4x


def test_compare_takes_text() -> None:
    runs = compare("x^2 + y^2 + xy", start="1,3", lrs=(0.1, 0.7))
    assert [r.stop_reason.value for r in runs] == ["converged", "diverged"]
    same_runs = compare(X**2 + Y**2 + X * Y, (X, Y), (1, 3), lrs=(0.1, 0.7))
    assert [r.points for r in runs] == [r.points for r in same_runs]
    # only the text was read a way worth a note
    assert runs[0].notes == ("read 'xy' as x·y (a product of variables)",)
    assert same_runs[0].notes == ()


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
def test_derive_takes_every_kind(kind: int) -> None:
    f = functions(TEXT, EXPR)[kind]
    for variable in ("x", X, sympy.Symbol("x")):
        d = derive(f, variable)
        assert d.verified and same(d.result, sympy.diff(EXPR, X))
    results = [d.result for d in derive_all(f)]
    assert all(same(r, sympy.diff(EXPR, v)) for r, v in zip(results, (X, Y), strict=True))
    assert [d.variable for d in derive_all(f, "y, x")] == [Y, X]


@pytest.mark.parametrize("kind", range(3), ids=FUNCTION_KINDS)
@pytest.mark.parametrize("at", ["1,3", (1, 3), {"x": 1, "y": 3}], ids=repr)
def test_check_takes_every_kind(kind: int, at: Any) -> None:
    f = functions("x^2 + y^2 + xy", X**2 + Y**2 + X * Y)[kind]
    verdict = check(f, gradient="2x + y, x + 2y", at=at, magnitude="sqrt(74)")
    assert verdict.correct
    assert verdict.point == (1, 3)
    wrong = check(f, gradient="2x, 2y", at=at, value="5, 8")
    assert not wrong.correct


def test_check_takes_a_direction_as_numbers() -> None:
    verdict = check("x^2 + y^2", at=(1, 1), along=(0.6, 0.8), directional="2.8")
    assert verdict.correct
    assert verdict.along == (sympy.Rational(3, 5), sympy.Rational(4, 5))


def test_jacobian_takes_every_kind() -> None:
    oracle = sympy.Matrix([X * Y, X + sympy.exp(Y)]).jacobian((X, Y))
    for fs in ("x*y, x + e^y", ["x*y", "x + e^y"], [X * Y, X + sympy.exp(Y)]):
        J = jacobian(fs, at=(1, 0))
        assert sympy.Matrix(J.matrix) == oracle
        assert sympy.Matrix(J.matrix_at) == oracle.subs({X: 1, Y: 0})


# --------------------------------------------------------------------------
# exact input stays exact


def test_a_float_is_the_decimal_it_prints_as() -> None:
    typed = gradient("x^2 + y", at="0.1, 2")
    given = gradient("x^2 + y", at=(0.1, 2))
    assert given.at is not None and typed.at is not None
    assert given.at.point == typed.at.point == (sympy.Rational(1, 10), 2)
    assert given.to_dict() == typed.to_dict()
    assert hessian("x^3", at=0.1).matrix_at == ((sympy.Rational(3, 5),),)


def test_decimals_in_a_sympy_expression_are_exact_as_in_text() -> None:
    from_sympy = gradient(sympy.Float(0.5) * X**2 + 0.1 * Y)
    from_text = gradient("0.5x^2 + 0.1y")
    assert from_sympy.components == from_text.components == (X, sympy.Rational(1, 10))


def test_symbols_without_assumptions_are_kept() -> None:
    """A sympy user's own symbols stay theirs: subs with them still works."""
    x, y = sympy.symbols("x y")
    g = gradient(x**2 * y, at={x: 1, y: 2})
    assert g.components == (2 * x * y, x**2)
    assert g.components[0].subs({x: 1, y: 2}) == 4


# --------------------------------------------------------------------------
# bad input: a clear one-line error


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gradient(42j), InputError, "expected a sympy expression, text or a Function"),
        (lambda: gradient("x^2 +"), InputError, "ends too early"),
        (lambda: gradient("x^2", at=(1, 2)), DimensionError, "2 coordinates"),
        (lambda: gradient("x + y", at={"x": 1}), DimensionError, "no value for y"),
        (lambda: gradient("x", at={"z": 1}), InputError, "not a variable of f, nor a parameter"),
        (lambda: gradient("x", at=object()), InputError, "the point must be"),
        (lambda: gradient("x", at=(True,)), InputError, "must be a number"),
        (lambda: gradient("x", at=(float("nan"),)), InputError, "finite"),
        (lambda: gradient("x", at=("y",)), InputError, "must be a number"),
        (lambda: hessian("x*y", "x, x"), InputError, "listed twice"),
        (lambda: hessian("x*y", variables=[1]), InputError, "must be a symbol or a name"),
        (lambda: hessian("x*y", variables=()), InputError, "at least one variable"),
        (lambda: hessian("3"), InputError, "no variables"),
        (lambda: critical_points("a*x^2", "x"), InputError, "parameters"),
        (lambda: critical_points("x^2", box="1"), InputError, "two numbers"),
        (lambda: derive("x^2", X + 1), InputError, "with respect to a symbol"),
        (lambda: derive("x^2", "z", variables="x, y"), InputError, "not one of the variables"),
        (lambda: descend("x^2"), TypeError, "needs a start point"),
        (lambda: descend("x^2", start="1,2"), DimensionError, "2 coordinates"),
        (lambda: check("x^2", gradient="2x", at=[[1]]), InputError, "must be a number"),
        (lambda: jacobian(7), InputError, "expected the components"),
    ],
)
def test_bad_input_is_one_clear_line(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)
    if error is not TypeError:
        assert isinstance(caught.value, GradcliError)


# --------------------------------------------------------------------------
# to_dict() is the command's JSON


def cli_json(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(
    ("result", "args"),
    [
        (lambda: gradient("x^2 + y^2 + xy", at="1,3"), ("grad", "x^2 + y^2 + xy", "--at", "1,3")),
        (
            lambda: gradient("a*x^2 + y", "x, y", at="x=1, y=2, a=3", along=(1, 1)),
            ("grad", "a*x^2 + y", "--vars", "x,y", "--at", "x=1, y=2, a=3", "--along", "1,1"),
        ),
        (lambda: hessian("x^3 - 3x + y^2", at="1,0"), ("hessian", "x^3 - 3x + y^2", "--at", "1,0")),
        (lambda: hessian("x^2*y"), ("hessian", "x^2*y")),
        (lambda: jacobian("x*y, x + y", at=(1, 2)), ("jacobian", "x*y, x + y", "--at", "1,2")),
        (lambda: critical_points("x^3 - 3x + y^2"), ("critical", "x^3 - 3x + y^2")),
        (
            lambda: descend("x^2 + y^2 + xy", start="1,3", lr=0.1, steps=20),
            ("descend", "x^2 + y^2 + xy", "--from", "1,3", "--lr", "0.1", "--steps", "20"),
        ),
        (
            lambda: check("x^2 + y^2 + xy", gradient="2x, 2y", at="1,3", magnitude="8.6"),
            (
                "check",
                "x^2 + y^2 + xy",
                "--gradient",
                "2x, 2y",
                "--at",
                "1,3",
                "--magnitude",
                "8.6",
            ),
        ),
    ],
    ids=["grad", "grad-along", "hessian-at", "hessian", "jacobian", "critical", "descend", "check"],
)
def test_to_dict_is_the_commands_json(result: Any, args: tuple[str, ...]) -> None:
    data = result().to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data  # JSON-ready as it is
    assert data == cli_json(*args)


def test_a_derivations_dict_is_the_steps_json() -> None:
    shown = cli_json("grad", "x^2*y + sin(x*y)", "--steps")["steps"]
    assert [d.to_dict() for d in derive_all("x^2*y + sin(x*y)")] == shown


# --------------------------------------------------------------------------
# display


def test_latex_for_jupyter_is_display_math() -> None:
    from tests.katex import katex_errors

    shown = {
        "gradient": gradient("x^2 + y^2 + xy", at="1,3")._repr_latex_(),
        "hessian": hessian("x^3 - 3x + y^2", at="1,0")._repr_latex_(),
        "jacobian": jacobian("x*y, x + y")._repr_latex_(),
        "critical": critical_points("x^3 - 3x + y^2")._repr_latex_(),
        "derivation": derive("x^2*y", "x")._repr_latex_(),
    }
    assert r"\sqrt{74}" in (shown["gradient"] or "")
    assert r"\text{positive definite: local minimum}" in (shown["hessian"] or "")
    blocks = []
    for latex in shown.values():
        assert latex is not None
        if latex.startswith("$$"):
            assert latex.endswith("$$")
            blocks.append(latex[2:-2])
        else:
            assert latex.startswith("\\[") and latex.endswith("\\]")
            blocks.append(latex[2:-2])
    assert katex_errors(blocks) == [None] * len(blocks)


def test_markdown_for_runs_and_verdicts() -> None:
    run = descend("x^2 + y^2 + xy", start="1,3", lr=0.1)
    text = run._repr_markdown_()
    assert text is not None
    assert "**converged** after 179 steps" in text
    assert len(text) < 1000
    assert run._repr_latex_() is None  # every step in LaTeX is not a summary
    verdict = check("x^2 + y^2", gradient="2x, y")
    table = verdict._repr_markdown_()
    assert table is not None
    assert "| gradient | ∂f/∂y | y | ✗ wrong |" in table


def test_reprs_are_short() -> None:
    """A descent run's repr was 30,000 characters: now one line."""
    run = descend("x^2 + y^2 + xy", start="1,3", lr=1e-3, steps=10_000)
    assert run.steps == 10_000
    assert len(repr(run)) < 200
    assert repr(run).startswith("DescentRun(method='gd', lr=0.001, steps=10000, stop='max_steps'")
    others = [
        gradient("x^2 + y^2 + xy", at="1,3"),
        hessian("x^3 - 3x + y^2", at="1,0"),
        critical_points("x^3 - 3x + y^2"),
        check("x^2 + y^2", gradient="2x, 2y"),
        derive("x^2*y", "x"),
    ]
    assert all(len(repr(r)) < 3000 for r in others)


def test_rich_console_shows_the_tables() -> None:
    from rich.console import Console

    console = Console(record=True, width=100, color_system=None)
    console.print(gradient("x^2 + y^2 + xy", at="1,3"))
    console.print(descend("x^2", start=1, steps=3))
    console.print(check("x^2", gradient="2x"))
    shown = console.export_text()
    assert "√74" in shown
    assert "gradient descent from 1" in shown
    assert "✓ correct" in shown


# --------------------------------------------------------------------------
# typed, and still light to import


def test_import_gradcli_loads_no_sympy() -> None:
    code = "import sys, gradcli; print('sympy' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_computing_loads_no_rich() -> None:
    code = (
        "import sys; from gradcli import gradient, descend\n"
        "gradient('x^2', at=1).to_dict(); descend('x^2', start=1, steps=2)._repr_markdown_()\n"
        "print('rich' in sys.modules, 'click' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_public_names_are_typed_for_mypy(tmp_path: Path) -> None:
    """``from gradcli import gradient`` is the real function to mypy, not Any."""
    user = tmp_path / "user.py"
    user.write_text(
        textwrap.dedent(
            """\
            from gradcli import Gradient, descend, gradient, hessian

            g: Gradient = gradient("x^2", at="1")
            reveal_type(gradient)
            reveal_type(hessian("x^2").meaning)
            count: int = descend("x^2", start=1)
            """
        ),
        encoding="utf-8",
    )
    root = Path(gradcli.__file__).resolve().parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--follow-imports=silent",
            str(user),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(root)},
        timeout=600,
    )
    out = done.stdout
    assert 'Revealed type is "def (f: str | gradcli.parse.Function' in out, out
    assert '-> gradcli.calculus.Gradient"' in out
    assert 'Revealed type is "str | None"' in out
    # the one wrong line, and only it
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "user.py:6:" in errors[0], out
    assert '"DescentRun", variable has type "int"' in errors[0]


def test_every_public_function_takes_variables_and_limits_alike() -> None:
    import inspect

    for name in ("gradient", "jacobian", "hessian", "critical_points", "descend", "compare"):
        parameters = inspect.signature(getattr(gradcli, name)).parameters
        assert list(parameters)[1] == "variables", name
    for name in ("gradient", "jacobian", "hessian", "critical_points", "descend"):
        parameters = inspect.signature(getattr(gradcli, name)).parameters
        assert parameters["limits"].kind is inspect.Parameter.KEYWORD_ONLY, name
    for name in ("gradient", "hessian", "check", "jacobian"):
        parameters = inspect.signature(getattr(gradcli, name)).parameters
        assert parameters["at"].kind is inspect.Parameter.KEYWORD_ONLY, name
    for name in ("derive", "derive_all", "check", "critical_points"):
        assert "limits" in inspect.signature(getattr(gradcli, name)).parameters, name
    assert isinstance(parse_function("x"), Function)


# --------------------------------------------------------------------------
# sympy's and numpy's own values, as a notebook has them


def test_check_grades_in_the_users_own_symbols() -> None:
    # sympy.symbols gives symbols without assumptions; answers are read as text
    # into gradcli's real ones: the two x must be one variable
    x, y, a = sympy.symbols("x y a")
    assert check(x**2 + y**2, gradient="2x, 2y").correct
    assert not check(x**2 + y**2, gradient="2x, 3y").correct
    assert check(a * x**2, gradient="2*a*x", variables=[x]).correct
    assert check(x**2 + y**2, gradient=[2 * x, 2 * y]).correct


@pytest.mark.parametrize(
    ("answers", "correct"),
    [
        ({"gradient": ("2x", "2y")}, True),
        ({"at": "1,2", "value": (2.0, 4.0)}, True),
        ({"at": "1,2", "value": [2, 5]}, False),
        ({"hessian": [[2, 0], [0, 2]]}, True),
        ({"hessian": sympy.Matrix([[2, 0], [0, 2]])}, True),
        ({"hessian": [[2, 1], [0, 2]]}, False),
        ({"at": "1,2", "magnitude": sympy.sqrt(20)}, True),
        ({"at": "1,2", "magnitude": 20**0.5}, True),
        ({"at": "1,2", "magnitude": Fraction(9, 2)}, False),
    ],
)
def test_answers_may_be_python_values(answers: dict[str, Any], correct: bool) -> None:
    assert check("x^2 + y^2", **answers).correct is correct


@pytest.mark.parametrize("answer", [b"2x, 2y", {"x": 1}, [], None, True])
def test_an_answer_that_is_no_answer_is_refused_in_one_line(answer: object) -> None:
    if answer is None:
        with pytest.raises(InputError, match="nothing to check"):
            check("x^2 + y^2", gradient=answer)  # type: ignore[arg-type]
        return
    with pytest.raises(InputError, match="--gradient: give the answer as text"):
        check("x^2 + y^2", gradient=answer)  # type: ignore[arg-type]


def test_numpy_points_and_rates_are_their_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert gradient("x^2 + y^2", at=np.array([1.0, 2.0])).at.value == (2, 4)
    assert gradient("x^2 + y^2", at=np.array([1, 2])).at.value == (2, 4)
    # a float64 is the decimal it prints as, as a typed 0.1 is
    assert gradient("x^2", at=np.float64(0.1)).at.value == (Fraction(1, 5),)
    assert hessian("x^2*y", at=np.array([1, 2])).gradient_at == (4, 1)
    run = descend("x^2", "x", np.array([1.0]), lr=np.float64(0.1), steps=3)
    assert run.lr == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("build", "said"),
    [
        (lambda x: sympy.Function("g")(x), r"undefined function g\(x\)"),
        (lambda x: sympy.Symbol("my var") ** 2 + x, "'my var'"),
        (lambda x: sympy.Dummy("t") * x, "Dummy symbol"),
    ],
)
def test_sympy_input_says_only_what_text_could(build: Any, said: str) -> None:
    with pytest.raises(InputError, match=said):
        gradient(build(sympy.Symbol("x")), at=1)


@pytest.mark.parametrize(
    "build", [lambda x: x + sympy.oo, lambda x: x - sympy.oo, lambda x: sympy.nan * x]
)
def test_a_sympy_f_holding_no_number_is_refused(build: Any) -> None:
    with pytest.raises(InputError, match=r"f holds .*, which is not a number"):
        gradient(build(sympy.Symbol("x")), at=1)


def test_a_complex_constant_is_left_to_the_point() -> None:
    # d/dx (x - I) = 1 exists; f has no real value at any point
    x = sympy.Symbol("x")
    assert gradient(x - sympy.I).components == (1,)
    with pytest.raises(UndefinedError, match="not real"):
        gradient(x - sympy.I, at=1)


@pytest.mark.parametrize(
    ("f", "at", "critical"),
    [
        ("a*x + b*y", "1,2", None),  # ∇f = (a, b): zero only when a = b = 0
        ("(a^2 + 1)*x + y", "1,2", False),  # a² + 1 > 0 whatever a is
        ("a*x^2 + y^2", "0,0", True),
        ("a*x + b*y", "x=1, y=2, a=0, b=0", True),
        ("a*x + b*y", "x=1, y=2, a=0, b=1", False),
    ],
)
def test_critical_is_undecided_where_parameters_decide_it(
    f: str, at: str, critical: bool | None
) -> None:
    result = gradient(f, "x, y", at=at)
    assert result.at.critical is critical
    shown = json.loads(invoke("grad", f, "--vars", "x,y", "--at", at, "-f", "json").stdout)
    assert shown["critical"] is critical


def test_rich_display_keeps_how_f_was_read() -> None:
    # the command says it on stderr; a notebook or console shows it with the result
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None)
    for result in (
        gradient("x^2 + xy", at="1,1"),
        critical_points("x^2 + xy + y^2"),
        hessian("x^2 + xy", at="1,1"),
        check("x^2 + xy", gradient="2x + y, x"),
    ):
        console.print(result)
        assert "note: read 'xy' as x·y" in console.export_text(), type(result).__name__


def test_a_foreign_object_has_no_display() -> None:
    from gradcli.display import to_dict

    with pytest.raises(TypeError, match="no display for Fraction"):
        to_dict(Fraction(1, 2))

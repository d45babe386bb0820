"""The large functions of issue 17, as text gradcli reads: shared by the
benchmark (``bench_anytime.py``) and the tests that prove their values."""

from __future__ import annotations


def log_sum_exp(n: int) -> str:
    return "log(" + " + ".join(f"exp(x{i})" for i in range(1, n + 1)) + ")"


def nested_tanh(n: int) -> str:
    """tanh(x1 + tanh(x2 + … + tanh(xn))): n levels, n variables."""
    text = f"tanh(x{n})"
    for i in range(n - 1, 0, -1):
        text = f"tanh(x{i} + {text})"
    return text


def sin_cos(levels: int) -> str:
    text = "x + y"
    for level in range(levels):
        text = f"{'sin' if level % 2 == 0 else 'cos'}({text})"
    return text


def griewank(n: int) -> str:
    squares = " + ".join(f"x{i}^2" for i in range(1, n + 1))
    cosines = "*".join(f"cos(x{i}/sqrt({i}))" for i in range(1, n + 1))
    return f"1 + ({squares})/4000 - {cosines}"


def rastrigin(n: int) -> str:
    return f"{10 * n} + " + " + ".join(f"x{i}^2 - 10*cos(2*pi*x{i})" for i in range(1, n + 1))


def product(n: int) -> str:
    return "*".join(f"(x{i} + {i})" for i in range(1, n + 1))


def softmax_cross_entropy(classes: int) -> str:
    """−log of the softmax probability of class 1, in the logits x1 … xk."""
    total = " + ".join(f"exp(x{i})" for i in range(1, classes + 1))
    return f"-log(exp(x1)/({total}))"


def point(variables: int) -> str:
    return ",".join(f"{(i % 5) + 1}/{(i % 3) + 2}" for i in range(variables))

"""`hwgrade equiv`, single pairs and --pairs files, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli

MATRIX_VARS = "X: 3 x 5, y: 3 x 1"


def _judged(reference: str, answer: str, vars_: str) -> dict[str, str]:
    """``hwgrade equiv --json`` on a plain-syntax pair (``vars_`` may be empty)."""
    args = ["equiv", reference, answer, "--syntax", "plain", "--json"]
    result = CliRunner().invoke(cli, [*args, "--vars", vars_] if vars_ else args)
    data: dict[str, str] = json.loads(result.stdout)
    return data


def _equiv(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["equiv", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("w u_3 + w^2 u_2 + w^3 u_1", "w(u_3 + w(u_2 + w u_1))"), 0),
        (("--vars", MATRIX_VARS, "X^T (X X^T)^-1 y", "Xᵀ(XXᵀ)⁻¹y"), 0),
        (("--vars", MATRIX_VARS, "X^T (X X^T)^-1 y", "X (X^T X)^-1 y"), 1),
        (("13/12", "1.0833"), 0),
        (("13/12", "1.1"), 1),
        (("x", "__import__('os')"), 2),
        (("--syntax", "latex", "x/2", r"\frac{x}{2}"), 0),
        (("x + 1", "x + 2"), 1),
    ],
    ids=[
        "rnn-nested",
        "min-norm-unicode",
        "min-norm-shapes",
        "decimal-in-tolerance",
        "decimal-out-of-tolerance",
        "payload",
        "latex",
        "wrong",
    ],
)
def test_exit_codes(args: tuple[str, ...], code: int) -> None:
    assert _equiv(*args)[0] == code


def test_shape_mismatch_is_explained() -> None:
    code, out, _ = _equiv("--vars", MATRIX_VARS, "--json", "X^T (X X^T)^-1 y", "X (X^T X)^-1 y")
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "incorrect"
    assert "shape" in data["message"] and "3x1" in data["message"]


def test_invalid_answer_gives_one_line_reason() -> None:
    code, _out, err = _equiv("x", "__import__('os')")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "not allowed" in lines[0]


def test_json_has_the_contract_fields() -> None:
    code, out, _ = _equiv("--json", "13/12", "1.0833")
    data = json.loads(out)
    assert code == 0
    assert {"verdict", "score", "max_score", "message", "interpreted_as", "reference"} <= set(data)
    assert data["interpreted_as"] == "1.0833" and data["reference"] == "13/12"


def test_pairs_file_gives_one_json_line_per_pair_in_order(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        "- {reference: 'x^2', answer: 'x*x'}\n"
        "- {reference: '1/3', answer: '0.33'}\n"
        "- {reference: '1/3', answer: '0.33', tolerance: '0.05'}\n"
        "- {reference: 'x', answer: 'eval(1)'}\n"
        "- {reference: 'X^T y', answer: '(y^T X)^T', vars: 'X: 3 x 2, y: 3 x 1'}\n"
        "- {reference: 'x/2', answer: '\\frac{x}{2}', syntax: latex}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["equiv", "--pairs", str(pairs), "--workers", "1"])
    assert result.exit_code == 0
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["correct", "incorrect", "correct", "invalid", "correct", "correct"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("reference: x\n", "expected a list"), ("- {reference: x}\n", "`reference` and `answer`")],
    ids=["not-a-list", "missing-answer"],
)
def test_bad_pairs_file_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["equiv", "--pairs", str(pairs)])
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------- notation copied from tools

WIDE = "X: n x d, y: n x 1, d > n"
TOOLS = [
    # SymPy printouts
    ("[[1, 2], [3, 4]]", "Matrix([[1, 2], [3, 4]])", "", "correct", "[[1, 2], [3, 4]]", ""),
    (
        "[[1, 2], [3, 4]]",
        "ImmutableMatrix([[1, 2], [3, 4]])",
        "",
        "correct",
        "[[1, 2], [3, 4]]",
        "",
    ),
    ("[1, 2]", "Matrix([1, 2])", "", "correct", "[1, 2]", ""),
    ("x^2", "x**2", "x", "correct", "x^2", ""),
    ("1/sqrt(2)", "sqrt(2)/2", "", "correct", "sqrt(2)/2", ""),
    # Moore-Penrose: pinv(X) y is the minimum-norm solution at full row rank
    ("X^T (X X^T)^-1 y", "pinv(X) y", WIDE, "correct", "pinv(X)*y", ""),
    ("X^T (X X^T)^-1 y", "pinv(X^T X) X^T y", WIDE, "correct", "pinv(X^T*X)*X^T*y", ""),
    ("X^T (X X^T)^-1 y", "pinv(X) y / 2", WIDE, "incorrect", "1/2*pinv(X)*y", ""),
    # NumPy style
    ("X^T y", "X.T @ y", WIDE, "correct", "X^T*y", ""),
    ("X^T (X X^T)^-1 y", "X.T @ inv(X @ X.T) @ y", WIDE, "correct", "X^T*(X*X^T)^-1*y", ""),
    ("X^T y", "np.dot(X.T, y)", WIDE, "invalid", "", "write the product A B (or A @ B)"),
    ("X^T (X X^T)^-1 y", "np.linalg.inv(X @ X.T)", WIDE, "invalid", "", "write inv(A) or A^-1"),
    ("X^T y", "np.transpose(X) @ y", WIDE, "invalid", "", "write A^T"),
    ("exp(x)", "np.exp(x)", "x", "invalid", "", "write exp(...) without the `np.` prefix"),
    ("x", "torch.relu(x)", "x", "invalid", "", "write relu(...) without the `torch.` prefix"),
    ("x", "x.sum()", "x", "invalid", "", "attribute access is not allowed"),
]


# Right answers are never wrong, part 3 (#27): the issue's own cases, through the CLI
# (judged by the same test as TOOLS, below).
NUMBERS_SPIKES_OVERFLOW = [
    ("1/3", "0.333", "", "correct", "0.333", "correctly rounded to 3 significant digits"),
    ("2/3", "0.667", "", "correct", "0.667", "agrees"),
    ("13/12", "1.08", "", "correct", "1.08", "correctly rounded to 3 significant digits"),
    ("[1/3, 2/3]", "[0.333, 0.667]", "", "correct", "[0.333, 0.667]", "correctly rounded"),
    ("1/3", "0.33", "", "incorrect", "0.33", "decimals need 3 significant digits"),
    ("13/12", "1.1", "", "incorrect", "1.1", "decimals need 3 significant digits"),
    ("x", "x + exp(-10^6 x^2)", "x", "incorrect", "x + exp(-1000000*x^2)", "but not zero"),
    (
        "x",
        "x + exp(-(10^4 (x - 1/3))^2)",
        "x",
        "incorrect",
        "x + exp(-(10000*x - 10000/3)^2)",
        "too small to show",
    ),
    ("x", "x + 1e-300", "x", "correct", "x + 1e-300", "tolerance"),
    ("exp(1)", "exp(1000 x) exp(1 - 1000 x)", "x", "correct", "exp(1000*x)*exp(1 - 1000*x)", ""),
    (  # the same multiple of v, its coefficient proven by expanding (no points needed)
        "exp(1) v",
        "exp(exp(20 x)) exp(1 - exp(20 x)) v",
        "x, v: 2 x 1",
        "correct",
        "exp(1 - exp(20*x))*exp(exp(20*x))*v",
        "equal after expanding",
    ),
    (  # not provable by expanding: the points, with exponents past evalf's range
        "v",
        "(log(exp(exp(20 x))) - exp(20 x) + 1) v",
        "x, v: 2 x 1",
        "correct",
        "(-exp(20*x) + log(exp(exp(20*x))) + 1)*v",
        "agrees at 6 random points",
    ),
]


@pytest.mark.parametrize(
    ("reference", "answer", "vars_", "verdict", "echo", "says"),
    TOOLS + NUMBERS_SPIKES_OVERFLOW,
    ids=[t[1] for t in TOOLS + NUMBERS_SPIKES_OVERFLOW],
)
def test_pairs_are_read_and_judged(
    reference: str, answer: str, vars_: str, verdict: str, echo: str, says: str
) -> None:
    data = _judged(reference, answer, vars_)
    assert (data["verdict"], data["interpreted_as"]) == (verdict, echo), data["message"]
    assert says in data["message"]

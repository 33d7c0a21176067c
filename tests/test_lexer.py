"""Plain tokenizer: what becomes which token, and what is refused with which column."""

import pytest

from hwgrade.grader.answer.lexer import MAX_LENGTH, tokenize_plain
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError


def kinds(text: str) -> list[str]:
    return [f"{t.kind}:{t.text}" for t in tokenize_plain(text)[:-1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", ["NUM:3"]),
        ("2.5", ["NUM:2.5"]),
        (".5", ["NUM:.5"]),
        ("1e-3", ["NUM:1e-3"]),
        ("2e", ["NUM:2", "NAME:e"]),
        ("2e-x", ["NUM:2", "NAME:e", "OP:-", "NAME:x"]),
        ("x**2", ["NAME:x", "OP:^", "NUM:2"]),
        ("u_{1}", ["NAME:u_1"]),
        ("h_t W_2", ["NAME:h_t", "NAME:W_2"]),
        ("η_1", ["NAME:eta_1"]),
        ("A.T", ["NAME:A", "TRANSPOSE:T"]),
        ("Aᵀ", ["NAME:A", "TRANSPOSE:T"]),
        ("A⁻¹", ["NAME:A", "SUP:-1"]),
        ("x²", ["NAME:x", "SUP:2"]),
        (
            "a − b × c · d ⊙ e",
            ["NAME:a", "OP:-", "NAME:b", "OP:*", "NAME:c", "OP:*", "NAME:d", "OP:odot", "NAME:e"],
        ),
        ("A@B", ["NAME:A", "OP:@", "NAME:B"]),
        ("[1, 2]", ["LBRACK:[", "NUM:1", "COMMA:,", "NUM:2", "RBRACK:]"]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("x = 1", 2, "="),
        ("x; y", 1, ";"),
        ("'a'", 0, "string"),
        ('"a"', 0, "string"),
        ("3 != 2", 2, "comparisons"),
        ("x.__class__", 1, "attribute"),
        ("__import__('os')", 0, "`__`"),
        ("x__y", 1, "__"),
        ("_x", 0, "`_`"),
        ("eval(1)", 0, "eval"),
        ("diff(x, x)", 0, "derivative"),
        ("integrate(x)", 0, "integral"),
        ("x + $", 4, "LaTeX"),
        ("h_{t*1}", 0, "an index such as `t-1`"),
        ("h_{t-}", 0, "subscript"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_refused(text: str, position: int, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        tokenize_plain(text)
    assert info.value.position == position
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "text",
    ["x" * (MAX_LENGTH + 1), "1" * 31, "1e301", "1.0e-1000000", "+".join(["x"] * 600)],
    ids=["length", "digits", "exp301", "exp-huge", "tokens"],
)
def test_limits(text: str) -> None:
    with pytest.raises(AnswerLimitError):
        tokenize_plain(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("h_{t-1}", "h_{t-1}"),
        ("h_{t - 1}", "h_{t-1}"),
        ("a_{n+k}", "a_{n+k}"),
        ("x_{i+1-j}", "x_{i+1-j}"),
        ("u_{1}", "u_1"),
        ("W_{xh}", "W_xh"),
        ("h_{τ-1}", "h_{tau-1}"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_index_subscripts_name_an_entry(text: str, name: str) -> None:
    """An index expression in braces is part of the name, kept braced (``h_t-1`` is not)."""
    assert kinds(text) == [f"NAME:{name}"]
    assert [t.text for t in tokenize_plain("h_t-1")[:3]] == ["h_t", "-", "1"]

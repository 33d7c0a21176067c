"""Conformance with PrairieLearn's symbolic input and WeBWorK's MathObjects.

Cases: ``../shared/anchors/pl_webwork_cases.yaml``.

* ``cases``: ``check_pair`` semantics — reference and student both read by the answer
  language (respelled from SymPy syntax, see ``conftest.sympy_to_hwgrade``) in an open
  context; correct iff the anchor says equivalent.
* ``rejected_inputs``: strings PrairieLearn refuses. Each is read in the anchor's
  declared-variable context and must be ``invalid``; the few that hwgrade reads by design
  (decimals, non-real constants, ...) are listed in ``READ_BY_DESIGN`` and must then be
  graded ``incorrect`` against the context's variable, never ``correct``.

Every case runs in a sandboxed worker. See docs/conformance.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Runner, agrees, load_anchor, sympy_to_hwgrade, verdict_table

from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.verify.check import check_pair, read

pytestmark = pytest.mark.conformance

MIN_AGREEMENT = 0.97
CASE_SECONDS = 30.0

#: The anchor's reference is a computation the instructor asks the tool to do (``diff``);
#: hwgrade's references come from solvers, already derived, so the suite uses the result.
DERIVED_REFERENCES = {"diff(x**2, x)": "2*x", "diff(sin(x), x)": "cos(x)"}

#: Deliberate disagreements on ``cases``: id -> why hwgrade's verdict differs.
DELIBERATE: dict[str, str] = {}

#: Rejected inputs that hwgrade reads on purpose, with the reason (graded, never correct).
READ_BY_DESIGN: dict[str, str] = {
    "pl-rejected-004": "non-real constants are values (sqrt(-2) is i*sqrt(2)); graded incorrect",
    "pl-rejected-005": "non-real constants are values (sqrt(-1) is i); graded incorrect",
    "pl-rejected-006": "non-real constants are values ((-2)^(1/2)); graded incorrect",
    "pl-rejected-007": "non-real constants are values; graded incorrect",
    "pl-rejected-008": "decimals are part of the answer language (compared with tolerance)",
    "pl-rejected-009": "decimals are part of the answer language; `4.2n` is 4.2*n",
    "pl-rejected-010": "decimals are part of the answer language",
    "pl-rejected-011": "decimals are part of the answer language",
    "pl-rejected-012": "decimals are part of the answer language",
    "pl-rejected-051": "`(0, 1)` is a tuple in the answer language (not an interval); graded "
    "incorrect",
    "pl-rejected-054": "`[0, 1]` is a vector in the answer language; graded incorrect",
    "pl-rejected-067": "`3e5j` reads as 3e5*j (a decimal times the declared j); graded incorrect",
    "pl-rejected-068": "decimals are part of the answer language",
    "pl-rejected-076": "trigonometric functions are always allowed; graded incorrect",
    "pl-rejected-077": "log(-x^2) is a complex value, not a syntax error; graded incorrect",
    "pl-rejected-078": "sqrt(-x^2) is a complex value, not a syntax error; graded incorrect",
    "pl-rejected-088": "2^(20000 x) is a legal expression; graded incorrect",
}


def case_id(index: int) -> str:
    return f"pl-case-{index:03d}"


def rejected_id(index: int) -> str:
    return f"pl-rejected-{index:03d}"


def anchor_params(anchors: Path) -> list[Any]:
    data = load_anchor(anchors, "pl_webwork_cases.yaml")
    params = [pytest.param(("case", i, c), id=case_id(i)) for i, c in enumerate(data["cases"])]
    params += [
        pytest.param(("rejected", i, c), id=rejected_id(i))
        for i, c in enumerate(data["rejected_inputs"])
    ]
    return params


def variables(context: str) -> tuple[str, str]:
    """(``--vars`` text, first variable) from the anchor's context note; "" = open."""
    match = re.match(r"variables: ([^;]+)", context)
    if not match:
        return "", "x"
    names = [n.strip().split()[0] for n in match.group(1).split(",") if n.strip() and n != "none"]
    names = [n for n in names if n != "none"]
    return ", ".join(names) or "none", names[0] if names else "x"


def judge_case(item: dict[str, Any]) -> tuple[str, str]:
    """Worker: (verdict, message) of one equivalence case (respelled in the parent)."""
    result = check_pair(item["reference"], item["student"], Context(open=True), syntax="plain")
    return str(result.verdict), result.message


def judge_rejected(item: dict[str, Any]) -> tuple[str, str]:
    """Worker: ``invalid`` when refused, else the verdict against the context's variable."""
    vars_text, first = item["vars"], item["first"]
    if vars_text == "none":
        ctx = Context(open=False)
    elif vars_text:
        ctx = parse_vars(vars_text)
    else:
        ctx = Context(open=True)
    got = read(item["input"], ctx, "plain")
    if got.parsed is None:
        assert got.failure is not None
        return str(got.failure.verdict), got.failure.message
    probe = Context(open=True) if vars_text in ("", "none") else ctx
    result = check_pair(first, item["input"], probe, syntax="plain")
    return f"read:{result.verdict}", result.message


def prepare(anchors: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data = load_anchor(anchors, "pl_webwork_cases.yaml")
    cases = [
        {
            "id": case_id(i),
            "reference": sympy_to_hwgrade(DERIVED_REFERENCES.get(c["reference"], c["reference"])),
            "student": sympy_to_hwgrade(str(c["student"])),
        }
        for i, c in enumerate(data["cases"])
    ]
    rejected = []
    for i, c in enumerate(data["rejected_inputs"]):
        vars_text, first = variables(c.get("context", ""))
        rejected.append({"id": rejected_id(i), "input": c["input"], "vars": vars_text,
                         "first": first})  # fmt: skip
    return cases, rejected


@pytest.fixture(scope="module")
def outcomes(anchors: Path, bounded_map: Runner) -> dict[str, tuple[str, str]]:
    cases, rejected = prepare(anchors)
    return verdict_table(bounded_map, judge_case, cases, CASE_SECONDS) | verdict_table(
        bounded_map, judge_rejected, rejected, CASE_SECONDS
    )


def test_pl_webwork_case(anchor_case: Any, outcomes: dict[str, tuple[str, str]]) -> None:
    kind, index, case = anchor_case
    if kind == "case":
        cid = case_id(index)
        verdict, message = outcomes[cid]
        if cid in DELIBERATE:
            assert not agrees(case, verdict), f"{cid} now agrees: drop it from DELIBERATE"
            return
        assert agrees(case, verdict), (
            f"{cid}: anchor says equivalent={case['equivalent']}, hwgrade says {verdict} "
            f"({message}); student {case['student']!r}, reference {case['reference']!r}"
        )
        return
    rid = rejected_id(index)
    verdict, message = outcomes[rid]
    if rid in READ_BY_DESIGN:
        assert verdict.startswith("read:"), f"{rid} is now refused: drop it from READ_BY_DESIGN"
        assert verdict != "read:correct", f"{rid}: {case['input']!r} graded correct ({message})"
        return
    assert verdict == "invalid", f"{rid}: {case['input']!r} should be refused, got {verdict}"


def test_pl_webwork_no_false_accepts(anchors: Path, outcomes: dict[str, tuple[str, str]]) -> None:
    data = load_anchor(anchors, "pl_webwork_cases.yaml")
    false_accepts = [
        case_id(i)
        for i, c in enumerate(data["cases"])
        if not c["equivalent"] and outcomes[case_id(i)][0] == "correct"
    ]
    false_accepts += [
        rejected_id(i)
        for i in range(len(data["rejected_inputs"]))
        if outcomes[rejected_id(i)][0] in ("correct", "read:correct")
    ]
    assert not false_accepts, f"false accepts: {false_accepts}"


def test_pl_webwork_agreement(anchors: Path, outcomes: dict[str, tuple[str, str]]) -> None:
    data = load_anchor(anchors, "pl_webwork_cases.yaml")
    cases = data["cases"]
    agreed = sum(agrees(c, outcomes[case_id(i)][0]) for i, c in enumerate(cases))
    rate = agreed / len(cases)
    assert rate >= MIN_AGREEMENT, f"agreement {agreed}/{len(cases)} = {rate:.1%} < 97%"


def test_deliberate_lists_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "conformance.md").read_text()
    missing = [cid for cid in [*DELIBERATE, *READ_BY_DESIGN] if cid not in doc]
    assert not missing, f"not listed in docs/conformance.md: {missing}"

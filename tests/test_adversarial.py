"""Hostile answers: no payload runs, nothing hangs, nothing wrong is accepted.

Cases: ``inputs`` of ``../shared/anchors/adversarial_sample.yaml`` (its ``yaml_documents``
are covered by tests/test_yamlsafe.py). Every input is judged with the sandboxed
``judge_all`` (5 s per answer, two workers), as ``hwgrade equiv --pairs`` would:

* ``expect: rejected`` -> ``invalid`` (or an ``also_ok`` outcome: ``wrong`` = ``incorrect``);
* ``expect: wrong`` -> ``incorrect`` or ``invalid``, never ``correct``;
* ``expect: correct`` -> ``correct``.

No ``/tmp/hwgrade_pwned_*`` file may appear and no ``HWGRADE_PWNED`` may be printed.
A hypothesis fuzz of random well-formed expressions checks that ``check_pair`` always
ends in a verdict.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import pytest
from conftest import load_anchor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwgrade.grader.batch.pairs import Pair, judge_all
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.context import Context
from hwgrade.grader.results import AnswerResult, Verdict
from hwgrade.grader.verify.check import check_pair

pytestmark = pytest.mark.conformance

MARKERS = "/tmp/hwgrade_pwned_*"
#: Verdicts each ``expect`` value accepts.
ACCEPTS = {
    "rejected": {Verdict.INVALID},
    "wrong": {Verdict.INCORRECT, Verdict.INVALID},
    "correct": {Verdict.CORRECT},
}
#: ``also_ok: rejected`` on a wrong answer adds nothing; a stopped check is never a pass
#: for a must-be-correct answer, but timing out on a hostile one is the sandbox working.
STOPPED = {Verdict.TIMEOUT}


def anchor_params(anchors: Path) -> list[Any]:
    inputs = load_anchor(anchors, "adversarial_sample.yaml")["inputs"]
    return [pytest.param(case, id=case["id"]) for case in inputs]


def acceptable(case: dict[str, Any]) -> set[Verdict]:
    allowed = set(ACCEPTS[case["expect"]])
    for extra in case.get("also_ok") or []:
        allowed |= ACCEPTS[extra]
    if case["expect"] != "correct":
        allowed |= STOPPED
    return allowed


@pytest.fixture(scope="module")
def verdicts(anchors: Path) -> dict[str, AnswerResult]:
    inputs = load_anchor(anchors, "adversarial_sample.yaml")["inputs"]
    pairs = [
        Pair(case["against"], case["input"], "latex" if case.get("format") == "latex" else "plain")
        for case in inputs
    ]
    results = judge_all(pairs, workers=2, limits=Limits(seconds=5))
    return {case["id"]: result for case, result in zip(inputs, results, strict=True)}


def test_adversarial_case(anchor_case: dict[str, Any], verdicts: dict[str, AnswerResult]) -> None:
    result = verdicts[anchor_case["id"]]
    assert result.verdict in acceptable(anchor_case), (
        f"{anchor_case['id']} ({anchor_case['kind']}): {anchor_case['input']!r} against "
        f"{anchor_case['against']!r} got {result.verdict} ({result.message}); "
        f"expected {anchor_case['expect']} or {anchor_case.get('also_ok')}"
    )
    if result.verdict is Verdict.INVALID:
        assert result.message and "Traceback" not in result.message


def test_no_payload_ran(anchors: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Judge every input again in this process's view, then look for the markers."""
    before = set(glob.glob(MARKERS))
    inputs = load_anchor(anchors, "adversarial_sample.yaml")["inputs"]
    pairs = [
        Pair(c["against"], c["input"], "latex" if c.get("format") == "latex" else "plain")
        for c in inputs
        if c["kind"] == "code-execution"
    ]
    judge_all(pairs, workers=2, limits=Limits(seconds=5))
    for case in inputs:  # the reader itself, in this process, without a sandbox
        if case["kind"] == "code-execution":
            check_pair(case["against"], case["input"], Context(open=True))
    out, err = capfd.readouterr()
    assert "HWGRADE_PWNED" not in out + err
    assert set(glob.glob(MARKERS)) == before, "a payload created a marker file"


def test_no_false_accepts(anchors: Path, verdicts: dict[str, AnswerResult]) -> None:
    inputs = load_anchor(anchors, "adversarial_sample.yaml")["inputs"]
    accepted = [
        c["id"]
        for c in inputs
        if c["expect"] != "correct" and verdicts[c["id"]].verdict is Verdict.CORRECT
    ]
    assert not accepted, f"hostile answers graded correct: {accepted}"


# --- fuzz: random well-formed expressions always end in a verdict --------------------------

_ATOMS = st.sampled_from(["x", "y", "w", "u_1", "2", "3", "0.5", "1/2", "pi", "e", "0"])
_FUNCS = st.sampled_from(["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    power = st.tuples(children, st.sampled_from(["2", "3", "-1", "1/2", "-2"])).map(
        lambda t: f"({t[0]})^{t[1]}"
    )
    call = st.tuples(_FUNCS, children).map(lambda t: f"{t[0]}({t[1]})")
    return binary | power | call


EXPRESSIONS = st.recursive(_ATOMS, _combine, max_leaves=8)
VERDICTS = {Verdict.CORRECT, Verdict.INCORRECT, Verdict.INVALID, Verdict.UNDECIDED}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference=EXPRESSIONS, answer=EXPRESSIONS)
def test_fuzz_every_pair_ends_in_a_verdict(reference: str, answer: str) -> None:
    ctx = Context(open=True)
    result = check_pair(reference, answer, ctx)
    assert result.verdict in VERDICTS
    assert result.verdict is not Verdict.INVALID or result.message
    same = check_pair(reference, reference, ctx)
    assert same.verdict in (Verdict.CORRECT, Verdict.INVALID, Verdict.UNDECIDED), same.message

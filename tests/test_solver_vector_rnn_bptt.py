"""BPTT references against numpy finite differences on a random small RNN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.solver import Solution, get_solver
from tests.keyroundtrip import assert_full_marks, to_numpy

M, K, P, T = 3, 2, 4, 3


def _solve() -> Solution:
    spec = load_problem_set().get("vector_rnn_bptt")
    assert spec is not None
    solver = get_solver("vector_rnn_bptt")
    assert solver is not None
    return solver(spec.parameters, spec.context)


SOL = _solve()


def _sig(a: Any) -> Any:
    return 1 / (1 + np.exp(-a))


class Rnn:
    """A random RNN, its forward pass, and numerical gradients of its loss."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.W, self.U = rng.normal(size=(M, K)), rng.normal(size=(M, M))
        self.V = rng.normal(size=(P, M))
        self.xs = [rng.normal(size=(K, 1)) for _ in range(T)]
        self.zs = [rng.normal(size=(P, 1)) for _ in range(T)]

    def states(self, W: Any = None, U: Any = None) -> list[Any]:
        W, U = self.W if W is None else W, self.U if U is None else U
        hs = [np.zeros((M, 1))]
        for x in self.xs:
            hs.append(_sig(W @ x + U @ hs[-1]))
        return hs

    def loss_from(self, t: int, h: Any) -> float:
        """L_t + ... + L_T when the state at step t is forced to h (1-based t)."""
        total = 0.0
        for s in range(t, T + 1):
            if s > t:
                h = _sig(self.W @ self.xs[s - 1] + self.U @ h)
            total += float(np.sum((self.zs[s - 1] - self.V @ h) ** 2))
        return total

    def loss(self, W: Any = None, U: Any = None) -> float:
        hs = self.states(W, U)
        return sum(
            float(np.sum((z - self.V @ h) ** 2)) for z, h in zip(self.zs, hs[1:], strict=True)
        )


def _fd(fn: Any, base: Any) -> Any:
    out = np.zeros_like(base)
    for idx in np.ndindex(*base.shape):
        step = np.zeros_like(base)
        step[idx] = 1e-6
        out[idx] = (fn(base + step) - fn(base - step)) / 2e-6
    return out


def _values(rnn: Rnn, t: int) -> dict[str, Any]:
    """Every declared name at step t (2 <= t <= T-1), gradients by finite differences."""
    hs = rnn.states()
    gs = {s: _fd(lambda h, s=s: rnn.loss_from(s, h), hs[s]) for s in range(1, T + 1)}
    vals: dict[str, Any] = {"W": rnn.W, "U": rnn.U, "V": rnn.V, "m": M, "k": K, "p": P}
    vals |= {"x_t": rnn.xs[t - 1], "z_t": rnn.zs[t - 1], "h_t": hs[t], "y_t": rnn.V @ hs[t]}
    vals |= {"h_prev": hs[t - 1], "h_next": hs[t + 1], "g_t": gs[t], "g_next": gs[t + 1]}
    vals["e_t"] = _fd(lambda h: float(np.sum((rnn.zs[t - 1] - rnn.V @ h) ** 2)), hs[t])
    jac = np.zeros((M, M))
    for j in range(M):
        step = np.zeros((M, 1))
        step[j] = 1e-6
        nxt = lambda h: _sig(rnn.W @ rnn.xs[t] + rnn.U @ h)  # noqa: E731
        jac[:, j] = ((nxt(hs[t] + step) - nxt(hs[t] - step)) / 2e-6).ravel()
    vals["J"] = jac
    for s in range(1, T + 1):
        vals |= {f"x_{s}": rnn.xs[s - 1], f"h_{s}": hs[s], f"g_{s}": gs[s]}
    return vals


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bptt_pieces_by_finite_differences(seed: int) -> None:
    rnn = Rnn(seed)
    v = _values(rnn, 2)
    a = {k: to_numpy(e, v) for k, e in SOL.answers.items()}
    assert np.allclose(a["local_grad"], v["e_t"], atol=1e-6)
    assert np.allclose(a["jacobian"], v["J"], atol=1e-6)
    assert np.allclose(a["recursion"], v["g_t"], atol=1e-6)
    assert np.allclose(a["recursion_explicit"], v["g_t"], atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_gradients_by_finite_differences(seed: int) -> None:
    rnn = Rnn(seed)
    v = _values(rnn, 2)
    grad_w = _fd(lambda W: rnn.loss(W=W), rnn.W)
    grad_u = _fd(lambda U: rnn.loss(U=U), rnn.U)
    assert np.allclose(to_numpy(SOL.answers["grad_W_total"], v), grad_w, atol=1e-5)
    assert np.allclose(to_numpy(SOL.answers["grad_U_total"], v), grad_u, atol=1e-5)
    # The per-step terms summed by hand over t = 1..3 (h_0 = 0) give the same gradients.
    terms_w = terms_u = 0
    for t in (1, 2, 3):
        vt = v | {"x_t": v[f"x_{t}"], "h_t": v[f"h_{t}"], "g_t": v[f"g_{t}"]}
        vt["h_prev"] = v[f"h_{t - 1}"] if t > 1 else np.zeros((M, 1))
        terms_w = terms_w + to_numpy(SOL.answers["grad_W_term"], vt)
        terms_u = terms_u + to_numpy(SOL.answers["grad_U_term"], vt)
    assert np.allclose(terms_w, grad_w, atol=1e-5)
    assert np.allclose(terms_u, grad_u, atol=1e-5)


def test_mistakes_differ_from_the_key() -> None:
    v = _values(Rnn(5), 2)
    for part, ms in SOL.mistakes.items():
        ref = to_numpy(SOL.answers[part], v)
        for m in ms:
            assert not np.allclose(to_numpy(m.value, v), ref), (part, m.id)


def test_key_reads_back_full_marks(tmp_path: Path) -> None:
    assert_full_marks("vector_rnn_bptt", tmp_path)


HADAMARD_FORMS = {
    "jacobian": "diag(h_next) diag(1 - h_next) U",
    "local_grad": "2 V^T (y_t - z_t)",
    "grad_W_term": "(h_t ⊙ (1 - h_t) ⊙ g_t) x_t^T",
    "grad_U_term": "hadamard(hadamard(h_t, 1 - h_t), g_t) h_prev^T",
    "recursion_explicit": "-2 V^T (z_t - V h_t) + U^T (h_next ⊙ (1 - h_next) ⊙ g_next)",
}


def test_hadamard_and_diag_forms_are_both_accepted(tmp_path: Path) -> None:
    path = tmp_path / "sub.yaml"
    path.write_text(yaml.safe_dump({"answers": {"vector_rnn_bptt": HADAMARD_FORMS}}), "utf-8")
    result = CliRunner().invoke(cli, ["check", "--json", str(path)])
    verdicts = {p["part"]: p["verdict"] for p in json.loads(result.stdout)["parts"]}
    assert {k: verdicts[k] for k in HADAMARD_FORMS} == dict.fromkeys(HADAMARD_FORMS, "correct")

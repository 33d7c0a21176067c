"""The autoencoder set-up choices against the seed's answers and numpy checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.solver import Solution, get_solver
from tests.keyroundtrip import assert_full_marks


def _solve(**over: Any) -> Solution:
    spec = load_problem_set().get("autoencoder_choices")
    assert spec is not None
    solver = get_solver("autoencoder_choices")
    assert solver is not None
    return solver({**spec.parameters, **over}, spec.context)


def test_seed_answers_by_hand() -> None:
    # Two linear layers (encoder, decoder); squared error -> MSELoss; the penalties are
    # weight decay and the set-up trains with SGD; nothing else is in objective (5).
    sol = _solve()
    assert sol.answers == {"layers": ("C",), "loss": ("B",), "components": ("A", "E")}


def test_answers_follow_relabelled_options() -> None:
    sol = _solve(
        layer_options={"A": 3, "B": 2, "C": 1, "D": 0},
        loss_options={"A": "MSELoss", "B": "CrossEntropyLoss", "C": "L1Loss"},
        component_options={"A": "sgd", "B": "batch_norm", "C": "weight_decay"},
    )
    assert sol.answers == {"layers": ("B",), "loss": ("A",), "components": ("A", "C")}


def test_weight_decay_is_the_penalty_gradient_numerically() -> None:
    rng = np.random.default_rng(0)
    W, lam = rng.normal(size=(3, 5)), 0.3
    penalty = lambda M: lam * np.sum(M**2)  # noqa: E731
    fd = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        e = np.zeros_like(W)
        e[idx] = 1e-6
        fd[idx] = (penalty(W + e) - penalty(W - e)) / 2e-6
    assert np.allclose(fd, 2 * lam * W, atol=1e-6)  # torch weight_decay = 2 lambda


def test_one_merged_layer_cannot_carry_the_penalty() -> None:
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(size=(2, 4)), rng.normal(size=(4, 2))
    c = 3.0
    assert np.allclose(W2 @ W1, (W2 / c) @ (c * W1))
    assert not np.isclose(
        np.sum(W1**2) + np.sum(W2**2), np.sum((c * W1) ** 2) + np.sum((W2 / c) ** 2)
    )


def test_mse_is_proportional_to_the_squared_reconstruction_error() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 6))
    W1, W2 = rng.normal(size=(2, 4)), rng.normal(size=(4, 2))
    recon = W2 @ W1 @ X
    objective = np.sum((X - recon) ** 2) / X.shape[1]
    per_point_mse = np.mean([np.mean((X[:, i] - recon[:, i]) ** 2) for i in range(6)])
    assert np.isclose(objective, X.shape[0] * per_point_mse)


def test_mistakes_are_wrong_picks() -> None:
    sol = _solve()
    for part, ms in sol.mistakes.items():
        for m in ms:
            assert set(m.value) != set(sol.answers[part])


def test_key_reads_back_full_marks(tmp_path: Path) -> None:
    assert_full_marks("autoencoder_choices", tmp_path)

"""Setting up the ℓ2-regularised linear autoencoder as a PyTorch model (seed 002 Q5(a)).

The objective is ``(1/n)‖X - W_2 W_1 X‖_F² + λ‖W_1‖_F² + λ‖W_2‖_F²``. The three choice
parts are decided by checks the solver runs, not by typed-in labels:

* layers: the distinct trainable matrices of the reconstruction ``W_2 W_1 X`` are counted
  (SymPy atoms), and one merged layer is ruled out because the penalty is not a function
  of the product ``W_2 W_1`` (rescaling ``W_1 → cW_1, W_2 → W_2/c`` keeps the product and
  changes the penalty);
* loss: each candidate loss is evaluated on random (reconstruction, target) pairs and
  kept if it is a constant multiple of the squared error;
* components: weight decay is needed because SymPy's gradient of ``λ‖W‖_F²`` is ``2λW``
  (decay with coefficient 2λ); dropout, layer norm and batch norm are excluded because
  each changes the model's output on a random instance (a mask, or scale invariance
  that the linear model ``W_2 W_1 x`` does not have). Whether training uses SGD is a
  fact of the set-up, not something to compute: the spec states it in ``given``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register

Vec = list[float]


def _sq(r: Vec) -> float:
    return sum(v * v for v in r)


def _softmax_ce(pred: Vec, target: Vec) -> float:
    top = max(pred)
    log_z = top + math.log(sum(math.exp(v - top) for v in pred))
    return -sum(t * (p - log_z) for p, t in zip(pred, target, strict=True))


#: Candidate losses as PyTorch defines them (mean over entries), on (prediction, target).
LOSSES: dict[str, Callable[[Vec, Vec], float]] = {
    "L1Loss": lambda p, t: sum(abs(a - b) for a, b in zip(p, t, strict=True)) / len(p),
    "MSELoss": lambda p, t: _sq([a - b for a, b in zip(p, t, strict=True)]) / len(p),
    "CrossEntropyLoss": _softmax_ce,
}


def _normalise(v: Vec) -> Vec:
    mean = sum(v) / len(v)
    std = math.sqrt(sum((x - mean) ** 2 for x in v) / len(v) + 1e-5)
    return [(x - mean) / std for x in v]


def _changes_model(component: str, rng: random.Random) -> bool:
    """Whether inserting the component changes the linear model's output W_2 W_1 x."""
    code = [rng.uniform(-2, 2) for _ in range(4)]  # W_1 x for a random example
    if component == "dropout":
        mask = [0.0, 1.0, 1.0, 1.0]
        return [m * c / 0.75 for m, c in zip(mask, code, strict=True)] != code
    if component == "layer_norm":  # scale invariant: LN(2v) = LN(v), but W_2W_1(2x) = 2·W_2W_1x
        return _normalise([2 * c for c in code]) != [2 * c for c in _normalise(code)]
    if component == "batch_norm":  # the same along the batch for one feature
        batch = [rng.uniform(-2, 2) for _ in range(5)]
        return _normalise([2 * b for b in batch]) != [2 * b for b in _normalise(batch)]
    raise SolverError(f"autoencoder_choices: no check for `{component}`")


def _label(options: Mapping[str, Any], value: Any, what: str) -> str:
    found = [str(k) for k, v in options.items() if str(v) == str(value)]
    if len(found) != 1:
        raise SolverError(f"autoencoder_choices: exactly one {what} option must be `{value}`")
    return found[0]


@register("autoencoder_choices")
def solve_ae_choices(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Decide the three set-up questions by the checks described in the module docstring.

    Parameters: ``layer_options`` (label -> number of layers), ``loss_options`` (label ->
    PyTorch loss name), ``component_options`` (label -> weight_decay, dropout,
    layer_norm, batch_norm or sgd), ``given`` (components the set-up itself states),
    ``check_seed``.
    """
    rng = random.Random(int(parameters.get("check_seed", 0)))
    W1, W2, X, lam = ctx.sym("W_1"), ctx.sym("W_2"), ctx.sym("X"), ctx.sym("lambda")
    trainable = (W2 * W1 * X).atoms(sympy.MatrixSymbol) - {X}
    merged = _penalty_depends_on_factors(rng)
    layers = len(trainable) if merged else 1
    layer_label = _label(parameters.get("layer_options", {}), layers, "layer")

    pairs = [([rng.uniform(-2, 2) for _ in range(5)], [rng.uniform(-2, 2) for _ in range(5)])]
    pairs.append(([rng.uniform(-2, 2) for _ in range(5)], [rng.uniform(-2, 2) for _ in range(5)]))
    loss_options = {str(k): str(v) for k, v in parameters.get("loss_options", {}).items()}
    squared = []
    for label, name in loss_options.items():
        if name not in LOSSES:
            raise SolverError(f"autoencoder_choices: unknown loss `{name}`")
        ratios = [
            LOSSES[name](p, t) / _sq([a - b for a, b in zip(p, t, strict=True)]) for p, t in pairs
        ]
        if math.isclose(ratios[0], ratios[1], rel_tol=1e-9):
            squared.append(label)
    if len(squared) != 1:
        raise SolverError("autoencoder_choices: exactly one loss must be the squared error")

    decay = sympy.diff(lam * sympy.Trace(W1.T * W1), W1)
    is_decay = sympy.simplify(decay - 2 * lam * W1) == sympy.ZeroMatrix(*W1.shape)
    given = {str(g) for g in parameters.get("given", [])}
    needed: list[str] = []
    reasons: list[str] = []
    for label, comp in parameters.get("component_options", {}).items():
        comp = str(comp)
        if comp == "weight_decay":
            keep = bool(is_decay)
            why = "the gradient of λ‖W‖_F² is 2λW: weight decay with coefficient 2λ"
        elif comp in given:
            keep, why = True, "stated by the set-up (SGD-style training, one point at a time)"
        else:
            keep = not _changes_model(comp, rng)
            why = "changes the model's output, so it would optimise a different objective"
        if keep:
            needed.append(str(label))
        reasons.append(f"{label} ({comp}): {'needed' if keep else 'not needed'} — {why}")

    answers = {"layers": (layer_label,), "loss": tuple(squared), "components": tuple(needed)}
    steps = {
        "layers": (
            Step(f"trainable matrices in W_2 W_1 X: {len(trainable)} (encoder W_1, decoder W_2)"),
            Step(
                "one merged layer W = W_2 W_1 cannot carry λ‖W_1‖² + λ‖W_2‖²: rescaling "
                "W_1 → cW_1, W_2 → W_2/c keeps W and changes the penalty"
            ),
        ),
        "loss": (
            Step("(1/n)‖X - W_2W_1X‖_F² is a squared error: only MSELoss is proportional to it"),
            Step("MSELoss also averages over the m entries; fold that constant into λ"),
        ),
        "components": tuple(Step(r) for r in reasons),
    }
    wrong_layer = _label(parameters["layer_options"], 1, "layer")
    wd_only = tuple(lbl for lbl in needed if parameters["component_options"][lbl] != "sgd")
    mistakes = {
        "layers": (
            Mistake(
                "merged", (wrong_layer,), "One layer W = W_2W_1 cannot be penalised as (5) asks."
            ),
        ),
        "components": (
            Mistake(
                "no_optimizer",
                wd_only,
                "Weight decay alone does not train: select the optimizer too.",
            ),
        ),
    }
    return Solution(answers, steps, mistakes)


def _penalty_depends_on_factors(rng: random.Random) -> bool:
    """Whether ‖W_1‖² + ‖W_2‖² changes under W_1 → cW_1, W_2 → W_2/c (product unchanged)."""
    w1 = [rng.uniform(-1, 1) for _ in range(6)]
    w2 = [rng.uniform(-1, 1) for _ in range(6)]
    c = 2.0
    before = _sq(w1) + _sq(w2)
    after = _sq([c * v for v in w1]) + _sq([v / c for v in w2])
    return not math.isclose(before, after)


__all__ = ["LOSSES", "solve_ae_choices"]

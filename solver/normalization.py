"""Means and variances behind batch, layer and instance normalization, exactly.

The input is a (batch, channels, features) tensor. The three techniques differ only in
which axes they average over, and that choice also fixes the shape of the answer:

* batch norm — per channel, over the batch and the features: a vector of length C;
* layer norm — per example, over the channels and the features: a vector of length B;
* instance norm — per (example, channel), over the features: a B x C matrix.

Variances are population variances (divide by the count), as normalization layers use.
Everything is computed in exact rationals so the key shows ``17/12``, not ``1.4167``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any

import sympy
from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register

Tensor3 = list[list[list[sympy.Rational]]]

#: technique -> (axes reduced, axes kept), axes numbered 0=batch, 1=channel, 2=feature.
REDUCTIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "batch": ((0, 2), (1,)),
    "layer": ((1, 2), (0,)),
    "instance": ((2,), (0, 1)),
}


def _tensor(raw: Any) -> Tensor3:
    """The ``tensor`` parameter as exact rationals, checked to be a regular 3-D array."""
    try:
        data = [[[sympy.Rational(str(x)) for x in row] for row in ex] for ex in raw]
    except (TypeError, ValueError, sympy.SympifyError) as exc:
        raise SolverError(f"normalization_stats: `tensor` must be numbers: {exc}") from exc
    shapes = {(len(ex), len(row)) for ex in data for row in ex}
    if not data or len(shapes) != 1 or 0 in next(iter(shapes)):
        raise SolverError("normalization_stats: `tensor` must be a non-empty regular 3-D array")
    return data


def _stats(
    data: Tensor3, keep: Sequence[int], bessel: bool = False
) -> tuple[dict[tuple[int, ...], sympy.Rational], dict[tuple[int, ...], sympy.Rational]]:
    """Mean and variance for every index of the kept axes (the other axes are reduced)."""
    dims = (len(data), len(data[0]), len(data[0][0]))
    groups: dict[tuple[int, ...], list[sympy.Rational]] = {}
    for idx in product(*(range(n) for n in dims)):
        key = tuple(idx[a] for a in keep)
        groups.setdefault(key, []).append(data[idx[0]][idx[1]][idx[2]])
    means: dict[tuple[int, ...], sympy.Rational] = {}
    variances: dict[tuple[int, ...], sympy.Rational] = {}
    for key, values in groups.items():
        count = len(values)
        mean = sympy.Rational(sum(values), count)
        divisor = count - 1 if bessel else count
        if divisor == 0:
            raise SolverError("normalization_stats: a group of one value has no unbiased variance")
        means[key] = mean
        variances[key] = sympy.Rational(sum((v - mean) ** 2 for v in values), divisor)
    return means, variances


def _as_matrix(values: Mapping[tuple[int, ...], sympy.Rational]) -> sympy.ImmutableMatrix:
    """A column vector (one kept axis) or a matrix (two kept axes) of the values."""
    keys = sorted(values)
    if len(keys[0]) == 1:
        return sympy.ImmutableMatrix([[values[k]] for k in keys])
    rows = max(k[0] for k in keys) + 1
    cols = max(k[1] for k in keys) + 1
    return sympy.ImmutableMatrix(
        rows, cols, [values[(i, j)] for i in range(rows) for j in range(cols)]
    )


@register("normalization_stats")
def solve_normalization(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive ``mu_*`` and ``var_*`` for batch, layer and instance normalization.

    Parameters: ``tensor`` — nested lists of shape (batch, channels, features).
    """
    del ctx
    data = _tensor(parameters.get("tensor"))
    b, c, f = len(data), len(data[0]), len(data[0][0])
    answers: dict[str, Any] = {}
    steps: dict[str, tuple[Step, ...]] = {}
    mistakes: dict[str, tuple[Mistake, ...]] = {}
    axis_names = ("batch", "channel", "feature")
    results: dict[str, tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]] = {}
    for technique, (reduce, keep) in REDUCTIONS.items():
        means, variances = _stats(data, keep)
        mu, var = _as_matrix(means), _as_matrix(variances)
        results[technique] = (mu, var)
        answers[f"mu_{technique}"] = mu
        answers[f"var_{technique}"] = var
        over = " and ".join(axis_names[a] for a in reduce)
        per = " and ".join(axis_names[a] for a in keep)
        count = 1
        for a in reduce:
            count *= (b, c, f)[a]
        shape = "x".join(str(n) for n in mu.shape)
        steps[f"mu_{technique}"] = (
            Step(
                f"one mean per {per}, averaging the {count} entries over the {over} axes "
                f"(result {shape})",
                rf"\mu_{{\mathrm{{{technique}}}}} = "
                + sympy.latex(mu.T if mu.shape[1] == 1 else mu),
            ),
        )
        steps[f"var_{technique}"] = (
            Step(
                f"population variance of the same {count} entries: mean of (x - mu)^2",
                rf"\sigma^2_{{\mathrm{{{technique}}}}} = "
                + sympy.latex(var.T if var.shape[1] == 1 else var),
            ),
        )
        _, unbiased = _stats(data, keep, bessel=True)
        mistakes[f"var_{technique}"] = (
            Mistake(
                "bessel",
                _as_matrix(unbiased),
                f"Divided by {count - 1} instead of {count}: normalization layers use the "
                "population variance, not the unbiased estimate.",
                0.5,
            ),
            Mistake("swapped", mu, "This is the mean; the variance was asked for.", 0.0),
        )
        mistakes[f"mu_{technique}"] = (
            Mistake("swapped", var, "This is the variance; the mean was asked for.", 0.0),
        )
    # Batch norm with per-(channel, feature) statistics, as for fully connected layers.
    mu_cf, var_cf = _stats(data, (1, 2))
    per_feature = (
        "Statistics per (channel, feature) over the batch only is the convention for fully "
    )
    per_feature += "connected layers; for this (batch, channel, feature) tensor average over the "
    per_feature += "features too, giving one value per channel."
    mistakes["mu_batch"] += (Mistake("per_feature", _as_matrix(mu_cf), per_feature, 0.5),)
    mistakes["var_batch"] += (Mistake("per_feature", _as_matrix(var_cf), per_feature, 0.5),)
    return Solution(answers, steps, mistakes)


__all__ = ["REDUCTIONS", "solve_normalization"]

"""Model biases (seed 004): the "physics" model of a triangle's area and odd-function models.

The seed fits ``A = C sqrt((a+b+c)(a+b-c)(a-b+c)(-a+b+c))`` with one constant C. The
solver derives C from geometry instead of quoting Heron: a triangle with vertices
``(0, 0), (c, 0), (u, v)`` has area ``c v / 2`` and squared sides ``b² = u² + v²``,
``a² = (c - u)² + v²``; the product under the root is even in a, b, c, so it can be
written in the squared sides, and ``A² / product`` simplifies to a constant. The scaling
law (area scales as s²) follows from the model with SymPy.

The inductive-bias example: ``f(x) = fhat(x) - fhat(-x)`` is odd for any base model fhat. The
solver applies it to a general cubic fhat and decides the select-all question (which
constructions are odd for every fhat) on a general polynomial of degree 5. The rotation
example's hat map is derived as the matrix of ``v ↦ x × v``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register

#: Constructions from a base model g (as a function) that a choice option may name.
CONSTRUCTIONS: dict[str, Callable[[Callable[[Any], Any], Any], Any]] = {
    "difference": lambda g, x: g(x) - g(-x),
    "sum": lambda g, x: g(x) + g(-x),
    "x_times_even": lambda g, x: x * g(x**2),
    "product": lambda g, x: g(x) * g(-x),
    "cube_argument": lambda g, x: g(x**3),
    "half_difference": lambda g, x: (g(x) - g(-x)) / 2,
}


def heron_constant() -> sympy.Expr:
    """C from the coordinate computation described in the module docstring."""
    a2, b2, c, u, v = sympy.symbols("a2 b2 c u v", positive=True)
    a, b = sympy.symbols("a b", positive=True)
    product = sympy.expand((a + b + c) * (a + b - c) * (a - b + c) * (-a + b + c))
    in_squares = product.subs({a: sympy.sqrt(a2), b: sympy.sqrt(b2)})
    in_coords = in_squares.subs({a2: (c - u) ** 2 + v**2, b2: u**2 + v**2})
    ratio = sympy.simplify((c * v / 2) ** 2 / in_coords)
    if ratio.free_symbols:
        raise SolverError("triangle_area: A² / product is not a constant")
    return sympy.sqrt(ratio)


def is_odd_for_every_model(name: str, degree: int = 5) -> bool:
    """Whether a construction is odd for a general polynomial base model of ``degree``."""
    x = sympy.Symbol("x")
    coeffs = sympy.symbols(f"k0:{degree + 1}")

    def g(arg: Any) -> Any:
        return sum(k * arg**i for i, k in enumerate(coeffs))

    f = CONSTRUCTIONS[name](g, x)
    return bool(sympy.expand(f + f.subs(x, -x)) == 0)


@register("triangle_area")
def solve_triangle(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive C, the model, its scaling, the odd construction, the odd-options and the hat map.

    Parameters: ``base_degree`` (degree of the base model fhat in ``odd_model``; its
    coefficients are the declared p_0, p_1, ...), ``odd_options`` (label -> a key of
    :data:`CONSTRUCTIONS`).
    """
    a, b, c, s, x = (ctx.sym(n) for n in ("a", "b", "c", "s", "x"))
    C = heron_constant()
    product = (a + b + c) * (a + b - c) * (a - b + c) * (-a + b + c)
    model = C * sympy.sqrt(product)
    scaled = model.xreplace({a: s * a, b: s * b, c: s * c})
    factor = sympy.simplify(sympy.powsimp(sympy.powdenest(scaled / model, force=True)))
    if factor.free_symbols - {s}:
        raise SolverError("triangle_area: the model does not scale by a power of s")

    degree = int(parameters.get("base_degree", 3))
    try:
        coeffs = [ctx.sym(f"p_{i}") for i in range(degree + 1)]
    except KeyError as exc:
        raise SolverError(f"triangle_area: declare p_0..p_{degree}: {exc}") from exc

    def base(arg: Any) -> Any:
        return sum(k * arg**i for i, k in enumerate(coeffs))

    odd = sympy.expand(base(x) - base(-x))
    even = sympy.expand(base(x) + base(-x))
    options = {str(k): str(v) for k, v in parameters.get("odd_options", {}).items()}
    unknown = [v for v in options.values() if v not in CONSTRUCTIONS]
    if unknown:
        raise SolverError(f"triangle_area: unknown construction(s) {unknown}")
    odd_labels = tuple(k for k, v in options.items() if is_odd_for_every_model(v))

    xs = sympy.Matrix([ctx.sym(f"x_{i}") for i in (1, 2, 3)])
    probe = sympy.Matrix(sympy.symbols("v1:4"))
    hat = sympy.ImmutableMatrix(xs.cross(probe).jacobian(probe))

    answers: dict[str, Any] = {
        "C": C,
        "model": model,
        "scaling": factor,
        "odd_model": odd,
        "odd_options": odd_labels,
        "hat": hat,
    }
    steps = {
        "C": (
            Step("vertices (0,0), (c,0), (u,v): area c v / 2, b² = u² + v², a² = (c-u)² + v²"),
            Step("the product is even in a, b, c; in these coordinates it equals c² v² · 4"),
            Step("A² / product = 1/16", rf"C = {sympy.latex(C)}"),
        ),
        "model": (Step("f = C sqrt(product) with that C (Heron's formula)", sympy.latex(model)),),
        "scaling": (Step("replace a, b, c by s a, s b, s c: the product gains s⁴"),),
        "odd_model": (
            Step("even powers cancel in fhat(x) - fhat(-x), odd ones double", sympy.latex(odd)),
        ),
        "odd_options": (
            Step("checked on a general degree-5 polynomial: odd for " + ", ".join(odd_labels)),
        ),
        "hat": (Step("the matrix of v ↦ x × v: its Jacobian in v", sympy.latex(hat)),),
    }
    mistakes = {
        "C": (
            Mistake("squared", C**2, "That is C²: A² = product / 16, so C = 1/4."),
            Mistake("half", C * 2, "The constant is 1/4 (Heron: sqrt(s(s-a)(s-b)(s-c)))."),
        ),
        "model": (Mistake("no_constant", sympy.sqrt(product), "The fitted constant C = 1/4."),),
        "scaling": (
            Mistake("linear", s, "Area has dimension length²: it scales by s²."),
            Mistake("product_power", s**3, "Take the square root of the s⁴ in the product."),
        ),
        "odd_model": (Mistake("even_part", even, "fhat(x) + fhat(-x) is the even part."),),
        "hat": (Mistake("transposed", hat.T, "That maps v to v × x = -(x × v)."),),
    }
    return Solution(answers, steps, mistakes)


__all__ = ["CONSTRUCTIONS", "heron_constant", "is_odd_for_every_model", "solve_triangle"]

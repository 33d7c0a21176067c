r"""Names in the answer language: Greek letters and their spelled forms are one symbol.

Students type ``eta``, ``η`` or ``\\eta`` for the same thing; everything that stores or
compares names goes through :func:`canonical_name` so that they meet in one spelling
(the ASCII one, which is also what the plain-syntax echo prints).
"""

from __future__ import annotations

import re
import unicodedata

from hwgrade.grader.memo import remembered

#: Greek letters (lower and upper case) by their spelled ASCII name.
GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip

#: Greek letter -> spelled name; variant glyphs (ϵ, ϑ, ϕ, ς) fold onto the main letter.
GREEK_TO_NAME: dict[str, str] = {v: k for k, v in GREEK.items()}
GREEK_TO_NAME.update({"ϵ": "epsilon", "ϑ": "theta", "ϕ": "phi", "ς": "sigma", "µ": "mu"})

#: An index expression in a subscript: ``t-1``, ``n+k``, ``i + 1`` (it names an entry).
INDEX_RE = re.compile(r"[A-Za-z0-9]+(?:\s*[+-]\s*[A-Za-z0-9]+)+")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:_\{[A-Za-z0-9]+(?:[+-][A-Za-z0-9]+)+\})?$")
_BRACED_RE = re.compile(r"_\{([^{}]*)\}")


def _subscript(match: re.Match[str]) -> str:
    body = match.group(1)
    if INDEX_RE.fullmatch(body.strip()):
        return "_{" + re.sub(r"\s+", "", body) + "}"  # h_{t - 1} -> h_{t-1}, kept braced
    return "_" + body


@remembered(4096)
def canonical_name(name: str) -> str:
    """Return the one spelling under which a name is stored and compared.

    Greek glyphs become their spelled names (``η_1`` -> ``eta_1``), braces around a
    subscript disappear (``u_{1}`` -> ``u_1``) and the text is NFC-normalised. A
    subscript that is an index expression keeps its braces, without spaces
    (``h_{t - 1}`` -> ``h_{t-1}``): without them ``h_t-1`` would read as ``h_t - 1``.
    Remembered per process: a class's answers spell the same few names over and over.

    Args:
        name: A name as typed, possibly with Greek glyphs or braced subscripts.

    Returns:
        The canonical ASCII spelling.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join(GREEK_TO_NAME.get(ch, ch) for ch in text)
    text = _BRACED_RE.sub(_subscript, text)
    if "{" in text and _NAME_RE.match(text):
        return text  # an index subscript: its braces are part of the name
    return text.replace("{", "").replace("}", "")


def is_valid_name(name: str) -> bool:
    """Whether ``name`` (already canonical) is a legal symbol name."""
    return bool(_NAME_RE.match(name))


_RANGE_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)_(\d+)\s*\.\.\s*\1_(\d+)\s*$")
#: Most names one range may declare (specs are small; a typo must not make a million).
MAX_RANGE = 100


def expand_range(text: str) -> tuple[str, ...] | None:
    """The names of an indexed range ``u_1 .. u_4`` (``None`` if ``text`` is not one).

    Specs whose parameters vary (a step count) declare indexed inputs this way, so
    that ``u_1 .. u_{{steps}}`` follows the parameter.
    """
    match = _RANGE_RE.match(canonical_name(text))
    if match is None:
        return None
    stem, first, last = match.group(1), int(match.group(2)), int(match.group(3))
    if not 0 <= last - first < MAX_RANGE:
        return None
    return tuple(f"{stem}_{i}" for i in range(first, last + 1))


__all__ = ["GREEK", "GREEK_TO_NAME", "MAX_RANGE", "canonical_name", "expand_range", "is_valid_name"]

r"""What each LaTeX command means in the answer language: the tables and their handlers.

SymPy's LaTeX parsers reject much of what students write, so every command a student
may type is listed here with its meaning: Greek letters and fonts become names,
``\cdot`` and ``\times`` operators, ``\sin^{-1}`` the inverse function, ``\log_2`` a
quotient of logarithms, ``\left|`` an absolute value, ``\begin{bmatrix}`` nested lists,
and calculus (``\int``, ``\sum``) is refused with the reason. The main loop
(:mod:`hwgrade.grader.answer.latex`) hands every backslash to :meth:`LatexCommands.command`, so
a new command is added here, next to the table it belongs in.
"""

from __future__ import annotations

import abc
import re

from hwgrade.grader.answer.latexcursor import CMD_RE, GREEK_CMDS, GROUP, LETTER_RE, LatexCursor
from hwgrade.grader.answer.lexer import (
    COMMA,
    FORBIDDEN,
    FUNC,
    FUNCTIONS,
    LBRACK,
    LPAREN,
    NAME,
    NORM,
    NUM,
    OP,
    RBRACK,
    RPAREN,
    TRANSPOSE,
)

_SKIP = {",", ";", "!", ":", " ", ">", "quad", "qquad", "displaystyle", "limits", "textstyle",
         "thinspace", "medspace", "thickspace", "negthinspace", "negmedspace",
         "negthickspace", "enspace", "nobreakspace"}  # fmt: skip
#: Relations: an answer is an expression, never an equation or a comparison.
_RELATIONS = {"neq", "ne", "leq", "le", "geq", "ge", "lt", "gt", "leqslant", "geqslant",
              "approx", "equiv", "sim", "simeq", "cong", "propto", "ll", "gg", "to",
              "rightarrow", "Rightarrow", "implies", "iff", "mapsto", "in"}  # fmt: skip
_SIZES = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg",
          "biggl", "biggr", "Biggl", "Biggr", "middle"}  # fmt: skip
_FONTS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "vec", "mathbb", "mathcal"}
_FUNC_CMDS = {"exp", "log", "ln", "sin", "cos", "tan", "tanh", "max", "min", "det", "tr", "trace",
              "sec", "csc", "cot", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh",
              "arccosh", "arctanh", "arsinh", "arcosh", "artanh", "floor", "ceil"}  # fmt: skip
#: ``\sin^{-1}`` is the inverse function, not a reciprocal.
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan", "sinh": "asinh", "cosh": "acosh",
            "tanh": "atanh"}  # fmt: skip
_INVERSE_RE = re.compile(r"\s*\^\s*(?:\{\s*-\s*1\s*\}|-1)")
_LOG_BASE_RE = re.compile(r"\s*_\s*(\{|[A-Za-z0-9])")
#: The differential of Leibniz notation: ``d``, ``\mathrm{d}``, ``\mathrm d``, ``\partial``.
_D = r"(?:d|\\mathrm\s*\{\s*d\s*\}|\\mathrm\s+d|\\operatorname\s*\{\s*d\s*\}|\\partial)"
#: ``\frac{d}{dx}``, ``\frac{d f}{dx}``, ``\frac{\partial}{\partial x}``: a numerator that
#: starts with a differential over a denominator that is one (followed by a variable).
_LEIBNIZ_RE = re.compile(
    rf"\s*\{{\s*{_D}\s*(?:(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{{?[\w\\]+\}}?)?\s*)?\}}"
    rf"\s*\{{\s*{_D}\s*(?:[A-Za-z]|\\[A-Za-z])"
)
#: The content of a font command that is a number (``\mathrm{2}``, ``\mathbf{1}``).
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_MIXED_RE = re.compile(r"\\[dt]?frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))")
_POWER_RE = re.compile(r"\s*\^\s*(?:\{\s*(\d+)\s*\}|(\d))")
_OP_CMDS = {"cdot": "*", "times": "*", "ast": "*", "cdotp": "*", "odot": "odot", "circ": "circ",
            "div": "/"}  # fmt: skip
#: Commands whose braced arguments make one whole function argument (``\sin^2 \frac{x}{2}``).
_WHOLE_ARGS = {"frac", "dfrac", "tfrac", "sqrt", "binom", "tbinom", "dbinom"}
_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "array", "vmatrix"}
_CALCULUS = {"sum": "write the sum out", "prod": "write the product out",
             "int": "write the integral's value", "iint": "write the integral's value",
             "oint": "write the integral's value", "partial": "write the derivative itself",
             "nabla": "write the gradient itself", "lim": "write the limit's value"}  # fmt: skip


class LatexCommands(LatexCursor, abc.ABC):
    """The LaTeX reader's command handlers; the main loop supplies ``punct``, ``run_one``."""

    def function(self, func: str, pos: int) -> None:
        r"""A function command, with ``\sin^{-1}`` (inverse) and ``\cos^2(x)`` (power)."""
        base = _LOG_BASE_RE.match(self.text, self.i, self.end) if func == "log" else None
        if base:  # \log_{b} x = (1/log(b)) log x
            self.emit(LPAREN, GROUP, pos)
            self.emit(NUM, "1", pos)
            self.emit(OP, "/", pos)
            self.emit(FUNC, "log", pos)
            self.emit(LPAREN, GROUP, pos)
            if base.group(1) == "{":
                self.stack.append(("logbase", pos))
                self.i = base.end()
                return
            self.i = base.end() - 1
            self.run_one()
            self.close_log_base(pos)
            return
        inverse = _INVERSE_RE.match(self.text, self.i, self.end)
        if inverse and func in _INVERSE:
            self.i = inverse.end()
            self.emit(FUNC, _INVERSE[func], pos)
            return
        power = _POWER_RE.match(self.text, self.i, self.end)
        if power is None:
            self.emit(FUNC, func, pos)
            return
        # f^n(x): read the argument as f's, then raise the call to n (a group is closed
        # by the "fpow" entry on the stack, or right after a one-token argument).
        self.i = power.end()
        exponent = power.group(1) or power.group(2)
        self.emit(LPAREN, GROUP, pos)
        self.emit(FUNC, func, pos)
        self.skip_space()
        if self.i < self.end and self.text[self.i] in "({":
            opener = self.text[self.i]
            self.emit(LPAREN, GROUP, self.i)
            self.stack.append(("fpow:" + exponent + (":paren" if opener == "(" else ""), self.i))
            self.i += 1
            return
        # \sin^2 x, \cos^2\theta: a one-name argument, as typeset (sin(x)^2)
        cmd = CMD_RE.match(self.text, self.i, self.end)
        at = self.i
        if cmd is not None and cmd.group(1) in _WHOLE_ARGS:
            # \sin^2 \frac{x}{2}: the fraction is the argument; closing it ends the call
            self.emit(LPAREN, GROUP, at)
            self.stack.append(("fpow:" + exponent + ":after", at))
            return
        if self.i < self.end and LETTER_RE.match(self.text[self.i]):
            self.i += 1
            self.emit(LPAREN, GROUP, at)
            self.emit_name(self.text[at], at)
        elif cmd is not None and cmd.group(1) in GREEK_CMDS:
            self.i = cmd.end()
            self.emit(LPAREN, GROUP, at)
            self.emit_name(GREEK_CMDS[cmd.group(1)], at)
        else:
            raise self.fail(
                f"write `\\{func}^{exponent}(...)` with its argument in parentheses", pos
            )
        self.close_power("fpow:" + exponent, pos)

    def bracket_function(self, name: str, pos: int) -> None:
        r"""``\lfloor x \rfloor`` and ``\lceil x \rceil``."""
        func = "floor" if "floor" in name else "ceiling"
        if name.startswith("l"):
            self.emit(FUNC, func, pos)
            self.emit(LPAREN, GROUP, pos)
            self.stack.append(("bracket:" + func, pos))
            return
        if not self.stack or self.stack[-1][0] != "bracket:" + func:
            raise self.fail(f"`\\{name}` without its opening bracket", pos)
        self.stack.pop()
        self.emit(RPAREN, ")", pos)

    # -- commands --------------------------------------------------------------------
    def norm(self, kind: str, pos: int, opening: bool | None) -> None:
        """A norm or absolute-value bar; ``opening=None``: it opens only if none is open."""
        if opening is None:
            opening = self.open_norms[kind] == 0
        nested = opening and self.open_norms[kind] > 0  # `abs<`: the parser must open here
        self.open_norms[kind] += 1 if opening else -1
        self.emit(NORM, kind + "<" if nested else kind, pos)
        if not opening and kind == "norm":
            self.skip_space()
            if self.text.startswith("_", self.i):
                self.i += 1
                sub = self.braced("`_` after a norm")
                if sub not in ("2", "F"):
                    raise self.fail("only the 2-norm `\\|v\\|_2` is supported", pos, sub)

    def delimiter(self, pos: int, side: bool | None = None) -> None:
        r"""The delimiter after ``\left``/``\right``/``\big`` (``side``: opens/closes)."""
        self.skip_space()
        if self.i >= self.end:
            raise self.fail("missing delimiter after `\\left` or `\\right`", pos)
        ch = self.text[self.i]
        if ch == "\\":
            cmd = CMD_RE.match(self.text, self.i)
            assert cmd is not None
            self.i = cmd.end()
            name = cmd.group(1)
            table: dict[str, tuple[str, bool | None]] = {
                "{": (LPAREN, None), "}": (RPAREN, None), "|": (NORM, None),
                "Vert": (NORM, None), "lVert": (NORM, True), "rVert": (NORM, False),
                "vert": ("ABS", None), "lvert": ("ABS", True), "rvert": ("ABS", False),
            }  # fmt: skip
            if name not in table:
                raise self.fail(f"`\\{name}` is not a delimiter", pos)
            kind, opening = table[name]
            opening = side if opening is None else opening
            if kind == NORM:
                self.norm("norm", pos, opening)
            elif kind == "ABS":
                self.norm("abs", pos, opening)
            else:
                self.emit(kind, GROUP if kind == LPAREN else "}", pos)
            return
        self.i += 1
        if ch in "{}":
            self.punct(ch, pos)  # `\left{ ... \right}`: read as the group it encloses
        elif ch in "([":
            self.emit(LPAREN, ch, pos)  # `\left(` may open a tuple, `\left[` may not
        elif ch in ")]":
            self.emit(RPAREN, ch, pos)
        elif ch == "|":
            self.norm("abs", pos, side)
        elif ch != ".":
            raise self.fail(f"`{ch}` is not a delimiter", pos, ch)

    def command(self, pos: int) -> None:
        """Tokenize the backslash command at ``pos`` (the one entry point for commands)."""
        cmd = CMD_RE.match(self.text, self.i)
        if cmd is None or cmd.end() > self.end:
            raise self.fail("a lone backslash", pos, "\\")
        self.i = cmd.end()
        name = cmd.group(1)
        in_env = bool(self.stack) and self.stack[-1][0] == "env"
        if name in _SKIP:
            return
        if name in _SIZES:
            opens = name == "left" or (name != "middle" and name.endswith("l"))
            closes = name == "right" or name.endswith("r")
            self.delimiter(pos, True if opens else False if closes else None)
        elif name in _OP_CMDS:
            self.emit(OP, _OP_CMDS[name], pos)
        elif name in ("frac", "dfrac", "tfrac") and self.mixed_number(pos):
            return
        elif name in ("frac", "dfrac", "tfrac", "cfrac") and _LEIBNIZ_RE.match(self.text, self.i):
            raise self.fail(
                "a derivative written as d/dx is not allowed: write the derivative itself", pos
            )
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            self.emit(LPAREN, GROUP, pos)
            self.open_arg("frac1")
        elif name == "sqrt":
            self.skip_space()
            if self.text.startswith("[", self.i):
                self.emit(FUNC, "root", pos)
                self.emit(LPAREN, GROUP, pos)
                self.stack.append(("rootidx", self.i))
                self.i += 1
            else:
                self.emit(FUNC, "sqrt", pos)
                self.open_arg("group")
        elif name in ("bar", "overline"):
            # a decorated name is its own symbol: \bar{x} is x_bar, never x
            self.emit_name(self.plain_name(self.braced(f"`\\{name}`"), pos) + "_bar", pos)
        elif name in ("mod", "bmod"):
            self.emit(OP, "mod", pos)
        elif name in _FONTS:
            content = self.braced(f"`\\{name}`")
            if _NUMBER_RE.fullmatch(content.strip()):  # \mathrm{2} is the number 2
                self.emit(NUM, content.strip(), pos)
            else:
                self.emit_name(self.plain_name(content, pos), pos)
        elif name == "operatorname":
            fname = self.plain_name(self.braced("`\\operatorname`"), pos)
            if fname in FORBIDDEN:
                raise self.fail(f"`{fname}` is not allowed: {FORBIDDEN[fname]}", pos, fname)
            if fname not in FUNCTIONS:
                raise self.fail(f"unknown function `{fname}`", pos, fname)
            self.emit(FUNC, FUNCTIONS[fname], pos)
        elif name in _FUNC_CMDS:
            self.function(FUNCTIONS[name], pos)
        elif name == "boxed":
            self.skip_space()
            if not self.text.startswith("{", self.i):
                raise self.fail("expected `{...}` after `\\boxed`", pos)
            self.emit(LPAREN, GROUP, pos)
            self.stack.append(("group", self.i))
            self.i += 1
        elif name in ("lfloor", "rfloor", "lceil", "rceil"):
            self.bracket_function(name, pos)
        elif name == "exponentialE":
            self.emit(NAME, "e", pos)
        elif name in GREEK_CMDS:
            self.emit_name(GREEK_CMDS[name], pos)
        elif name in ("|", "Vert"):
            self.norm("norm", pos, None)
        elif name in ("lVert", "rVert"):
            self.norm("norm", pos, name == "lVert")
        elif name in ("vert", "lvert", "rvert"):
            self.norm("abs", pos, None if name == "vert" else name == "lvert")
        elif name in ("{", "}"):
            self.emit(LPAREN, GROUP, pos) if name == "{" else self.emit(RPAREN, "}", pos)
        elif name in ("top", "intercal"):
            self.emit(TRANSPOSE, "T", pos)
        elif name == "infty":
            self.emit(NAME, "oo", pos)
        elif name in _CALCULUS:
            raise self.fail(f"`\\{name}` is not allowed: {_CALCULUS[name]}", pos, f"\\{name}")
        elif name == "begin":
            env = self.braced("`\\begin`")
            if env not in _ENVS:
                raise self.fail(f"the environment `{env}` is not supported", pos, env)
            if env == "array":
                self.braced("the column spec of `array`")
            if self.tokens and self.tokens[-1].kind in (NAME, NUM, RPAREN, RBRACK):
                self.emit(OP, "*", pos)  # \theta\begin{matrix}...: a product, not indexing
            if env == "vmatrix":  # the determinant, as typeset: det([[...]])
                self.emit(FUNC, "det", pos)
                self.emit(LPAREN, GROUP, pos)
            self.stack.append(("env", pos))
            self.envs.append(env)
            self.emit(LBRACK, "[", pos)
            self.emit(LBRACK, "[", pos)
        elif name == "end":
            env = self.braced("`\\end`")
            if not in_env:
                raise self.fail("`\\end` without a matching `\\begin`", pos)
            if env != self.envs[-1]:
                raise self.fail(f"`\\end{{{env}}}` closes `\\begin{{{self.envs[-1]}}}`", pos, env)
            self.stack.pop()
            self.envs.pop()
            kinds = [t.kind for t in self.tokens[-3:]]
            if kinds == [RBRACK, COMMA, LBRACK]:
                del self.tokens[-2:]
            else:
                self.emit(RBRACK, "]", pos)
            self.emit(RBRACK, "]", pos)
            if env == "vmatrix":
                self.emit(RPAREN, ")", pos)
        elif name == "\\" and in_env:
            self.emit(RBRACK, "]", pos)
            self.emit(COMMA, ",", pos)
            self.emit(LBRACK, "[", pos)
        elif name == "text":
            raise self.fail("`\\text{}` is not allowed in an answer", pos, "\\text")
        elif name in _RELATIONS:
            raise self.fail(
                f"`\\{name}` is a relation: write only the expression, not an equation or"
                " a comparison",
                pos,
                f"\\{name}",
            )
        elif name == "lg":
            raise self.fail(
                "`\\lg` is log base 2 in computer science and base 10 elsewhere: write"
                " `\\log_2` or `\\log_{10}`",
                pos,
                "\\lg",
            )
        elif name in ("binom", "tbinom", "dbinom"):
            self.emit(FUNC, "binomial", pos)
            self.emit(LPAREN, "(", pos)
            self.open_arg("binom1")
        else:
            raise self.fail(f"unknown LaTeX command `\\{name}`", pos, f"\\{name}")

    def close_log_base(self, pos: int) -> None:
        r"""End the base of ``\log_b x``: close ``(1/log(b))`` and start ``log`` of ``x``."""
        self.emit(RPAREN, ")", pos)
        self.emit(RPAREN, ")", pos)
        self.emit(FUNC, "log", pos)

    def mixed_number(self, pos: int) -> bool:
        r"""``1\frac{1}{2}`` right after an integer is the mixed number 1½ (as typeset)."""
        last = self.tokens[-1] if self.tokens else None
        if last is None or last.kind != NUM or not last.text.isdigit():
            return False
        before = self.tokens[-2] if len(self.tokens) > 1 else None
        if before is not None and before.kind == OP and before.text in ("^", "/"):
            return False  # x^2\frac{1}{2} is x^2 times a half
        gap = self.text[last.pos + len(last.text) : pos]
        match = _MIXED_RE.match(self.text, pos, self.end)
        if gap.strip() or match is None:
            return False
        top = int(match.group(1) or match.group(2))
        bottom = int(match.group(3) or match.group(4))
        if bottom == 0 or top >= bottom:
            raise self.fail(
                "a whole number followed by an improper fraction is not a mixed number: "
                "write `+` or `\\cdot` between them",
                pos,
            )
        self.tokens.pop()
        for kind, value in ((LPAREN, GROUP), (NUM, last.text), (OP, "+"), (NUM, str(top)),
                            (OP, "/"), (NUM, str(bottom)), (RPAREN, ")")):  # fmt: skip
            self.emit(kind, value, last.pos)
        self.i = match.end()
        return True

    # -- supplied by the main loop (:mod:`hwgrade.grader.answer.latex`) ----------------------
    @abc.abstractmethod
    def run_one(self) -> None:
        r"""Tokenize exactly one character or command (a one-token ``\log_2`` base)."""

    @abc.abstractmethod
    def punct(self, ch: str, pos: int) -> None:
        r"""Tokenize one character that is not a command (``\left{`` hands its brace here)."""


__all__ = ["LatexCommands"]

"""A hand-built batch of graded submissions shared by the summary, report and export tests.

Percents: alice 100, bob/carol/dave 25, erin 0, mallory (EVIL_ID) 50; frank ungraded.
"""

from __future__ import annotations

from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict

A, B, MU = "rnn_backprop.a", "rnn_backprop.b", "normalization_stats.mu"
WRONG_B = "u_3 + 2*w*u_2"
FEEDBACK_B = "Known mistake: the w in front of u_2 counts twice."
ANSI = "\x1b[2J\x1b[31mgotcha"
EVIL_ID = '=HYPERLINK("http://x","[red]pwn[/red]")'
BROKEN = "not YAML: bad indentation (line 2)"
PROMPTS = {A: "Unroll the RNN three steps and write t in terms of u and w", B: "dy/dw"}


def _p(
    key: str,
    verdict: str,
    score: float = 0.0,
    mx: float = 1.0,
    *,
    msg: str = "",
    read: str = "",
    raw: str = "",
    details: tuple[tuple[str, str], ...] = (),
) -> PartResult:
    problem, part = key.split(".", 1)
    result = AnswerResult(
        Verdict(verdict), score, mx, msg, read, reference="REF-SECRET", method="exact",
        details=details,
    )  # fmt: skip
    return PartResult(problem, part, result, raw)


def _ok(key: str, mx: float = 1.0) -> PartResult:
    return _p(key, "correct", mx, mx, read="x", raw="x")


def _wrong_b(raw: str, read: str = WRONG_B) -> PartResult:
    return _p(B, "incorrect", 0, 2, msg=FEEDBACK_B, read=read, raw=raw)


def _sub(student: str, *parts: PartResult, notes: tuple[str, ...] = ()) -> SubmissionResult:
    return SubmissionResult(student, f"subs/{student[:5]}.yaml", GRADED, parts, notes)


def batch() -> list[SubmissionResult]:
    """Percents: alice 100, bob/carol/dave 25, erin 0, mallory (EVIL_ID) 50; frank ungraded."""
    bad_mu = _p(
        MU, "invalid", msg="unexpected end at column 6", raw="[1, 2", details=(("column", "6"),)
    )
    note = "unknown part id 'rnn_backprop.bb' (did you mean 'b'?)"
    return [
        _sub("alice", _ok(A), _ok(B, 2), _ok(MU)),
        _sub("bob", _ok(A), _wrong_b("u_3 + 2w u_2"), bad_mu, notes=(note,)),
        _sub("carol", _ok(A), _wrong_b("2 w u_2 + u_3"), _p(MU, "missing")),
        _sub(
            "dave",
            _p(A, "timeout", msg="took longer than 5 s", raw="w^99999"),
            _wrong_b("u_3+2*w*u_2", read="u_3 +  2*w*u_2"),
            _ok(MU),
        ),
        _sub(
            "erin",
            _p(A, "incorrect", msg="not equal", read="w*u_2", raw="w u_2"),
            _p(B, "undecided", 0, 2, msg="could not decide", read="exp(w)", raw="exp(w)"),
            _p(MU, "invalid", msg="unexpected end", raw="[1,   2"),
        ),
        _sub(
            EVIL_ID,
            _ok(A),
            _p(B, "incorrect", 1, 2, msg="partly right", read="u_3 + w*u_2", raw="u_3 + w u_2"),
            _p(MU, "invalid", msg="unknown character", raw=ANSI),
        ),
        SubmissionResult("frank", "subs/broken.yaml", BROKEN, max_possible=4),
    ]

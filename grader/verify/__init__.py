"""Verification: is a student's value the reference value, and what verdict follows.

``equivalence.compare`` decides, cheap and certain checks first: shapes, an exact
difference (``proof``), evaluation at points chosen to expose the usual mistakes
(``sampling`` picks them, ``pointeval`` evaluates there, ``wideeval`` where floats
overflow; ``numberrule`` says when a typed decimal is the value), then a bounded
symbolic proof of what the points suggest. ``floatscreen`` evaluates in machine floats
with bounded error, to rule out in microseconds what the exact path would also find
different (a known mistake that does not match, a wrong matrix expression). ``check``
is one answer's whole path, text to :class:`~hwgrade.grader.results.AnswerResult`; it
never raises for a bad answer.

May import: the shared base, :mod:`~hwgrade.grader.values`, :mod:`~hwgrade.grader.answer`.
"""

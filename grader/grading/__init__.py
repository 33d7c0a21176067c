"""Grading: a student's answers to a problem's parts, scored as an instructor would.

``submission`` reads a student's file (untrusted YAML) into answers; ``parts`` grades
one part: can it be read, is it right, is it in the ``forms`` asked for, is it a known
mistake, is it right for the student's own earlier answer (``carried``, error carried
forward), with partial credit; ``choices`` grades multiple choice and records free-text
parts for a TA. Grading one answer never raises: it returns a verdict with a reason.

May import: the shared base, :mod:`~hwgrade.grader.values`, :mod:`~hwgrade.grader.answer`,
:mod:`~hwgrade.grader.verify`, :mod:`~hwgrade.grader.specs` and :mod:`hwgrade.solver`.
"""

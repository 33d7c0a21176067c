"""Outputs: what a grading run becomes for people and for gradebooks.

Every writer reads the same frozen records (:mod:`hwgrade.grader.results`) and their
``to_dict()``. ``summary`` is the class statistics, ``exports`` the files a gradebook
imports (grades CSV, JSON report, Gradescope results, Canvas CSV), ``report`` the rich
terminal views, ``keys`` the solution key, template and ``list`` rows,
``manualsheet`` the TA's score sheet for hand-graded parts, and ``autograder`` the
Gradescope autograder zip and what runs inside it.

May import: the shared base and every earlier stage, up to :mod:`~hwgrade.grader.batch`.
"""

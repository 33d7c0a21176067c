"""The grader: answer language, equivalence, grading, reports, exports and the CLI."""

"""The answer language: a student's text, plain or LaTeX, to a checked SymPy value and back.

The pipeline is ``lexer`` (plain) or ``latex`` (its command tables are data) to one
token stream, ``splitting`` of undeclared letter runs,
``syntax`` (the one parser, with ``tokencursor``) to a tree of ``nodes``, and ``build``
to SymPy objects by explicit constructor calls; ``language.read_answer`` is the front
door. ``echo`` prints a value back in the language (what the student is shown). Student
text is never given to Python or to SymPy's parsers anywhere in this package.

May import: the shared base and :mod:`hwgrade.grader.values`.
"""

"""hwgrade: grade written deep-learning homework the way a careful instructor would.

The installed distribution maps three top-level folders of the repository into this
package: ``hwgrade.grader`` (answer language, equivalence, grading, reports, CLI),
``hwgrade.solver`` (SymPy solvers that derive reference answers) and
``hwgrade.problems`` (the built-in YAML problem specs).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""The ``hwgrade`` command line: a thin click layer over the library, no grading logic.

``commands`` holds the group and most commands, ``grade`` the class-grading command
(the one with many outputs and ways to run) and ``options`` what every command shares:
how a problem set is chosen, how an error becomes one line and the contract's exit
code, and where a product goes. The console script is ``hwgrade.grader.cli:main``.

May import: the shared base and every stage.
"""

from hwgrade.grader.cli.commands import cli, main

__all__ = ["cli", "main"]

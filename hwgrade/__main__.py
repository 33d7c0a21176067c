"""Allow ``python -m hwgrade`` to behave exactly like the ``hwgrade`` console script."""

from hwgrade.grader.cli import main

if __name__ == "__main__":
    main()

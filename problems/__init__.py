"""The built-in problem set: one YAML spec per problem, shipped as package data."""

from pathlib import Path

#: Folder holding the built-in specs; the default problem set of every command.
BUILTIN_DIR = Path(__file__).resolve().parent

__all__ = ["BUILTIN_DIR"]

"""The registry of graded parts: one spec file per part, found by where it lies.

``autograder/parts/<assignment>/`` is one assignment: its ``__init__.py`` says which
chapter of the book it belongs to (``CHAPTER = n``: the assignments' order), and each of
its modules ``<part>.py`` holds one part's spec as ``PART`` (see :mod:`.spec`). Modules
whose names start with ``_`` hold code that several parts share. The part's name is its
file's name; the answer cell's grade id is that name, the test cell's ``test_<name>``.

Grader side only: the specs hold the references, and nothing here is copied into a
learner's kernel.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from functools import cache
from pathlib import Path

from autograder.parts.spec import Part

FOLDER = Path(__file__).resolve().parent


class SpecError(ValueError):
    """A spec file that breaks the registry's rules: the message names the file."""


def _assignment_packages() -> list[tuple[int, str]]:
    found = []
    for module in pkgutil.iter_modules([str(FOLDER)]):
        if not module.ispkg or module.name.startswith("_"):
            continue
        package = importlib.import_module(f"{__name__}.{module.name}")
        chapter = getattr(package, "CHAPTER", None)
        if not isinstance(chapter, int):
            raise SpecError(f"autograder/parts/{module.name}/__init__.py must set CHAPTER = "
                            "<the chapter's number in the book>")
        found.append((chapter, module.name))
    chapters = [chapter for chapter, _ in found]
    if len(set(chapters)) != len(chapters):
        raise SpecError(f"two assignments share a CHAPTER number: {sorted(found)}")
    return sorted(found)


@cache
def assignments() -> tuple[str, ...]:
    """The assignments' names, in the book's order."""
    return tuple(name for _, name in _assignment_packages())


@cache
def parts(assignment: str) -> dict[str, Part]:
    """``{part name: spec}`` of one assignment, in the notebook's order."""
    if assignment not in assignments():
        raise ValueError(f"unknown assignment {assignment!r}; the assignments are "
                         f"{', '.join(assignments())}")
    found = []
    for module in pkgutil.iter_modules([str(FOLDER / assignment)]):
        if module.name.startswith("_"):
            continue
        where = f"autograder/parts/{assignment}/{module.name}.py"
        spec = getattr(importlib.import_module(f"{__name__}.{assignment}.{module.name}"),
                       "PART", None)
        if not isinstance(spec, Part):
            raise SpecError(f"{where} must define PART, an ArrayPart or a CustomPart")
        spec = dataclasses.replace(spec, name=module.name, assignment=assignment)
        try:
            spec.validate()
        except ValueError as error:
            raise SpecError(f"{where}: {error}") from error
        found.append(spec)
    found.sort(key=lambda spec: spec.number)
    numbers = [spec.number for spec in found]
    if numbers != list(range(1, len(found) + 1)):
        files = ", ".join(f"{spec.name}.py: {spec.number}" for spec in found)
        raise SpecError(f"the parts of autograder/parts/{assignment}/ are numbered {numbers} "
                        f"({files}); number them 1, 2, 3, ... in the notebook's order")
    return {spec.name: spec for spec in found}


def part(assignment: str, name: str) -> Part:
    """One part's spec, or ValueError naming the parts there are."""
    found = parts(assignment)
    if name not in found:
        raise ValueError(f"{assignment} has no part {name!r}; its parts are "
                         f"{', '.join(found)}")
    return found[name]

"""The graded assignments and where their notebooks live: each resolved once, by :func:`get`.

One assignment per chapter (their names and parts: :mod:`autograder.parts`).
``solutions/<name>/<name>.ipynb`` is the nbgrader *source* notebook (solutions, visible and
hidden tests, points); ``exercises/<name>/<name>.ipynb`` is the learners' copy that
``python -m autograder release`` generates from it, and ``exercises/<language>/<name>/
<name>.ipynb`` the same in another language (:mod:`autograder.exercise_translations`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import nbformat

from autograder import exercise_translations, parts
from autograder.messages import ENGLISH, current, text
from autograder.submission import answer_ids

REPO_ROOT = Path(__file__).resolve().parent.parent
# A part's heading in its notebook, "## Part 2: a TensorFlow step (4 points)".
HEADING = re.compile(r"^## Part (\d+):(.*?)(?: \(\d+(?:\.\d+)? points?\))?[ \t]*$", re.M)
ASSIGNMENTS: tuple[str, ...] = parts.assignments()


class UnknownAssignmentError(ValueError):
    """Raised for a name that is not one of :data:`ASSIGNMENTS`."""


@dataclass(frozen=True)
class Assignment:
    """One assignment; its source notebook is read once, when first needed."""

    name: str
    source_path: Path
    release_path: Path

    @cached_property
    def source(self) -> nbformat.NotebookNode:
        return nbformat.read(self.source_path, as_version=4)

    @cached_property
    def grade_cells(self) -> dict[str, float]:
        """``{grade_id: points}`` of the autograded test cells, in notebook order, from the
        parts' specs (the release step writes the same points into the notebook)."""
        return {spec.grade_id: float(spec.points) for spec in parts.parts(self.name).values()}

    @cached_property
    def answer_ids(self) -> frozenset[str]:
        """grade_ids of the cells the learner writes."""
        return frozenset(answer_ids(self.source))

    @cached_property
    def part_titles(self) -> Mapping[str, str]:
        """``{grade_id: "Part 2: a TensorFlow step"}``: each part as its notebook's heading
        names it, for the learner's feedback, in the language being spoken (the translated
        notebook's heading: "第 2 部分：TensorFlow 训练步"); a part without a heading: its
        grade id."""
        return _Titles(self)

    @cache
    def titles(self, language: str) -> dict[str, str]:
        """The part titles in ``language`` (English where a heading is not translated)."""
        specs = parts.parts(self.name).values()
        headings = {int(match.group(1)): match.group(2).strip()
                    for cell in self.source.cells if cell.cell_type == "markdown"
                    for match in HEADING.finditer(cell.source)}
        english = {spec.grade_id: (text("part.title", ENGLISH, number=spec.number,
                                        title=headings[spec.number])
                                   if spec.number in headings else spec.grade_id)
                   for spec in specs}
        if language not in exercise_translations.TRANSLATED:
            return english
        translated = exercise_translations.titles(self.name, language,
                                                  {spec.number for spec in specs})
        return {spec.grade_id: translated.get(spec.number, english[spec.grade_id])
                for spec in specs}

    def variant_path(self, language: str) -> Path:
        """The learners' copy in ``language``: ``exercises/<language>/<name>/<name>.ipynb``
        (English: :attr:`release_path`)."""
        return variant_of(self.release_path, language)

    @property
    def max_score(self) -> float:
        return sum(self.grade_cells.values())


class _Titles(Mapping):
    """An assignment's part titles in the language being spoken when they are read."""

    def __init__(self, assignment: Assignment):
        self._assignment = assignment

    def _now(self) -> dict[str, str]:
        return self._assignment.titles(current())

    def __getitem__(self, grade_id: str) -> str:
        return self._now()[grade_id]

    def __iter__(self):
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


def variant_of(released: Path, language: str) -> Path:
    """Where the ``language`` variant of a released notebook ``<root>/<name>/<name>.ipynb``
    goes: ``<root>/<language>/<name>/<name>.ipynb`` (English: the notebook itself)."""
    if language == ENGLISH:
        return released
    return released.parents[1] / language / released.parent.name / released.name


@cache
def get(name: str) -> Assignment:
    """The assignment called ``name``, or UnknownAssignmentError that lists the known ones."""
    if name not in ASSIGNMENTS:
        raise UnknownAssignmentError(
            f"unknown assignment {name!r}; the assignments are {', '.join(ASSIGNMENTS)}")
    return Assignment(name, REPO_ROOT / "solutions" / name / f"{name}.ipynb",
                      REPO_ROOT / "exercises" / name / f"{name}.ipynb")


def check_assignment(name: str) -> str:
    """Return ``name`` if it is a known assignment, else raise a specific error."""
    return get(name).name


def source_notebook(name: str) -> Path:
    """The nbgrader source notebook, ``solutions/<name>/<name>.ipynb``."""
    return get(name).source_path


def release_notebook(name: str) -> Path:
    """The learners' copy, ``exercises/<name>/<name>.ipynb``."""
    return get(name).release_path


def grade_cells(name: str) -> dict[str, float]:
    """``{grade_id: points}`` of the autograded test cells, in notebook order."""
    return dict(get(name).grade_cells)

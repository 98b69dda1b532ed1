"""Write the learners' notebooks: ``python -m autograder.release [NAME ...]``.

First writes the parts' specs into each source notebook (:mod:`autograder.authoring`:
hidden test blocks, points, headings, the intro table), then runs nbgrader's
``generate_assignment`` on ``solutions/<name>/`` for each assignment (every one by default)
with the course configuration (:mod:`autograder.course`), and writes
``exercises/<name>/<name>.ipynb``: solutions replaced by stubs, hidden tests removed,
outputs cleared, checksums added. Then it inserts the book's set-up cell
(:mod:`ttt.setup_cell`) before each released notebook's first code cell, so that the
exercise runs where ``ttt`` is not installed (Colab, Binder, a JupyterHub): the cell installs
it from the source ``_config.yml`` names. The source notebooks do not carry the cell, and
grading does not need it (the grading kernel has its own copy of ``ttt``; there the cell
finds it and does nothing). Last, from that released notebook, it writes each translated
variant, ``exercises/<language>/<name>/<name>.ipynb`` (:mod:`autograder.exercise_translations`):
the same file name in a folder of its own per language, so that nbgrader's release, fetch,
submit and collect, and the grader's intake, handle it as they handle the English one, and an
English assignment folder holds one notebook. A translation that is missing or stale leaves
its cells in English and is named on stderr. ``make exercises`` calls this.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import nbformat
import yaml
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory

from autograder import authoring, course, exercise_translations
from autograder.assignments import (REPO_ROOT, ASSIGNMENTS, check_assignment, get,
                                    source_notebook, variant_of)
from autograder.parts import SpecError, parts
from ttt import setup_cell

BOOK_CONFIG = REPO_ROOT / "_config.yml"


class ReleaseError(ValueError):
    """The release cannot be written as asked: the message says what to fix."""


def install_source(config_path: Path = BOOK_CONFIG) -> str:
    """Where the set-up cell installs ``ttt`` from: ``launch_buttons.ttt_source`` of the
    book's ``_config.yml`` (with ``repository.url``), as the book's build reads it."""
    if not config_path.is_file():
        raise ReleaseError(f"{config_path} not found: the set-up cell of the exercises "
                           "names the install source that the book's _config.yml gives")
    try:
        return setup_cell.launch_settings(
            yaml.safe_load(config_path.read_text(encoding="utf-8")) or {})["source"]
    except ValueError as error:
        raise ReleaseError(f"{config_path}: {error}") from None


def add_setup_cell(path: Path, source: str) -> None:
    """Insert the set-up cell into the released notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    try:
        setup_cell.insert(notebook, source)
    except setup_cell.StaleCopyError as error:
        raise ReleaseError(f"{path.name}: {error}; its source notebook must not carry "
                           "one") from None
    nbformat.write(notebook, path)


def write_variants(path: Path, name: str) -> list[Path]:
    """Write the translated variants of the released notebook at ``path`` (in
    ``<release root>/<name>/``), each in ``<release root>/<language>/<name>/``; the problems
    of a translation (its cells left in English) are said on stderr."""
    released = nbformat.read(path, as_version=4)
    written = []
    for language in exercise_translations.TRANSLATED:
        points = {spec.number: spec.points for spec in parts(name).values()}
        for problem in exercise_translations.problems(name, language, get(name).source,
                                                       points):
            print(f"release: warning: {problem}", file=sys.stderr)
        target = variant_of(path, language)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(exercise_translations.variant(released, name, language), target)
        written.append(target)
    return written


def release(names=ASSIGNMENTS, *, release_root: Path | None = None,
            db_url: str | None = None, sync_sources: bool | None = None) -> list[Path]:
    """Generate the learners' copy of each assignment, and its translated variants; returns
    the English notebooks written.

    ``release_root`` replaces ``exercises/`` (the tests write a fresh copy elsewhere).
    With ``db_url`` the assignment and its graded cells are also recorded in that
    gradebook; without, no gradebook is touched. ``sync_sources`` (by default: when
    writing ``exercises/`` itself) first writes the specs into the source notebooks.
    """
    if sync_sources if sync_sources is not None else release_root is None:
        for name in names:
            if authoring.sync(check_assignment(name)):
                print(f"updated {source_notebook(name)} from its parts' specs")
    config = course.fresh_config()
    if release_root is not None:
        config.CourseDirectory.release_directory = str(Path(release_root).resolve())
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    config.GenerateAssignment.no_database = db_url is None
    config.SaveCells.enabled = db_url is not None
    source = install_source()
    written = []
    for name in names:
        check_assignment(name)
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = name
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.force = True
        converter.create_assignment = True
        converter.start()
        path = Path(coursedir.format_path(coursedir.release_directory, ".", name)) \
            / f"{name}.ipynb"
        add_setup_cell(path, source)
        write_variants(path, name)
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.release",
        description="Generate exercises/<name>/<name>.ipynb from solutions/ with nbgrader.")
    parser.add_argument("names", nargs="*", metavar="NAME", choices=[[], *ASSIGNMENTS],
                        help=f"assignments to release (default: all of {', '.join(ASSIGNMENTS)})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "Removing existing assignment"
    try:
        written = release(args.names or ASSIGNMENTS)
    except (authoring.AuthoringError, SpecError, ReleaseError,
            exercise_translations.TranslationError) as error:
        print(f"release: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
        for language in exercise_translations.TRANSLATED:
            print(f"wrote {variant_of(path, language)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

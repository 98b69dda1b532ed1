"""Read a learner's notebook without trusting it, and rebuild it around the original tests.

A submission is only ever read (never written). From it we keep the *source text* of the
learner's cells and nothing else: outputs, cell ids, kernelspec and notebook metadata are
dropped, and a fresh notebook is built with the source notebook's kernelspec. Every locked
cell and every test cell comes from the source notebook (solutions/<name>/<name>.ipynb),
found by its nbgrader ``grade_id`` — what nbgrader's OverwriteCells does — so deleting or
editing a test changes nothing. Learners' answer cells (``solution: true``) are kept in the
place the source notebook gives them; cells a learner added travel with the graded cell
they follow.

Problems a person can fix are reported as a :class:`SubmissionError` (not gradable, score 0)
or as notes (graded anyway, e.g. "restored 2 test cells the learner had edited"), both in
the instructor's words (:func:`autograder.messages.english`).

The one thing kept from the notebook's metadata is its language (``ttt.language``, which the
release writes into each language's variant): :func:`prepare` reads it once, and the
learner's feedback is written in it. A test cell counts as unedited in either language's
variant: the variants differ only in the text of their messages (:func:`_same_test`).
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import v4

from autograder.messages import ENGLISH, english, language_in_text, notebook_language

# Bigger than any honest answer notebook without outputs; stops a learner from making the
# grader parse gigabytes.
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
# A notebook of half a million empty cells fits in those bytes and costs the grader minutes
# of CPU to rebuild, outside every limit of the sandbox. The assignments have a few dozen.
MAX_CELLS = 2000
# What nbgrader's ClearHiddenTests removes from test cells when it releases a notebook.
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                          re.S | re.M)


class SubmissionError(Exception):
    """The file cannot be graded; str(error) is the status a person reads, ``language`` the
    one its feedback is written in (the file's own, when its text still says it)."""

    def __init__(self, status: str, language: str = ENGLISH) -> None:
        super().__init__(status)
        self.language = language


@dataclass
class Restored:
    notebook: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    # The language of the learner's notebook (autograder.messages.LANGUAGES): its feedback's.
    language: str = ENGLISH


def _nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def grade_id_of(cell) -> str | None:
    grade_id = _nbgrader_meta(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def is_protected(cell) -> bool:
    """Locked cells and test cells: the grader always uses the source notebook's copy."""
    meta = _nbgrader_meta(cell)
    return bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution"))


def is_answer(cell) -> bool:
    return bool(_nbgrader_meta(cell).get("solution"))


def answer_ids(source: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the source notebook's answer cells (solution, not locked), in order."""
    return [grade_id_of(c) for c in source.cells
            if is_answer(c) and not is_protected(c) and grade_id_of(c)]


def read_submission(path: Path) -> dict:
    """Parse the learner's file as notebook JSON, or raise SubmissionError saying why not."""
    if path.is_symlink():
        raise SubmissionError(english("status.symlink"))
    if not path.is_file():
        raise SubmissionError(english("status.no_submission", name=path.name))
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError(english("status.empty"))
    if size > MAX_SUBMISSION_BYTES:
        raise SubmissionError(english("status.too_big", size=f"{size / 2**20:.0f}",
                                      limit=MAX_SUBMISSION_BYTES // 2**20))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(english("status.binary")) from None
    try:
        return _notebook_json(text)
    except SubmissionError as error:
        error.language = language_in_text(text)
        raise


def _notebook_json(text: str) -> dict:
    if not text.lstrip().startswith("{"):
        start = " ".join(text.split())[:30]
        raise SubmissionError(english("status.not_json", start=repr(start)))
    try:
        data = json.loads(text)
        # A lone surrogate ("\ud800") parses but cannot be written back as UTF-8.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as error:
        raise SubmissionError(english("status.invalid_json", line=error.lineno,
                                      column=error.colno, reason=error.msg)) from None
    except RecursionError:
        raise SubmissionError(english("status.too_deep")) from None
    except UnicodeEncodeError:
        raise SubmissionError(english("status.surrogate")) from None
    except ValueError as error:  # e.g. an integer longer than Python will convert
        raise SubmissionError(english("status.corrupt", error=error)[:200]) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise SubmissionError(english("status.no_cells"))
    if data.get("nbformat") != 4:
        raise SubmissionError(english("status.nbformat", version=repr(data.get("nbformat"))))
    if len(data["cells"]) > MAX_CELLS:  # rebuilding and validating costs time per cell
        raise SubmissionError(english("status.too_many_cells", count=len(data["cells"]),
                                      limit=MAX_CELLS))
    return data


def _cell_source(cell) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return source if isinstance(source, str) else ""


def _new_cell(cell_type: str, source: str, nbgrader: dict | None = None):
    make = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell}.get(
        cell_type, v4.new_raw_cell)
    new = make(source=source)
    if nbgrader:
        new.metadata["nbgrader"] = dict(nbgrader)
    return new


def _copy_source_cell(cell):
    """The source notebook's cell, with outputs cleared and a fresh id."""
    return _new_cell(cell.cell_type, cell.source, _nbgrader_meta(cell))


def _normalized(text: str) -> str:
    return " ".join(text.split())


class _Messages(ast.NodeTransformer):
    """Every string constant and f-string as one placeholder: what a test *says*."""

    def visit_JoinedStr(self, node):
        return ast.Constant("")

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, str) else node


def code_without_messages(text: str) -> str | None:
    """The code of a cell with its messages left out (every string literal alike), or None
    if it does not parse: what a test checks, in any language."""
    try:
        return ast.dump(_Messages().visit(ast.parse(text)))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _same_test(learner_text: str, source_text: str) -> bool:
    """Is the learner's copy the source cell, or its released form (hidden tests removed)
    in any language? The language variants differ only in their messages' text (the release
    checks it), so a copy whose code is the released form's, messages aside, is one."""
    released = HIDDEN_TESTS.sub("", source_text)
    if _normalized(learner_text) in (_normalized(source_text), _normalized(released)):
        return True
    # The learner's text is parsed here, outside the sandbox: only when it is of a size a
    # translation of the released cell can have (a cell of megabytes would cost seconds
    # and gigabytes to parse, for a note).
    if len(learner_text) > TRANSLATED_SIZE_FACTOR * len(released) + TRANSLATED_SIZE_SLACK:
        return False
    code = _released_code(released)
    return code is not None and code_without_messages(learner_text) == code


# A translated test cell's messages are at most this much longer than the released ones.
TRANSLATED_SIZE_FACTOR, TRANSLATED_SIZE_SLACK = 3, 2048


@functools.lru_cache(maxsize=256)
def _released_code(released: str) -> str | None:
    """code_without_messages of a released test cell: the same for every learner."""
    return code_without_messages(released)


def restore(learner: dict, source: nbformat.NotebookNode) -> Restored:
    """Rebuild the learner's notebook with the source notebook's locked and test cells."""
    protected = {grade_id_of(c): c for c in source.cells if is_protected(c) and grade_id_of(c)}
    answers = {grade_id_of(c): c for c in source.cells
               if is_answer(c) and not is_protected(c) and grade_id_of(c)}
    known = protected.keys() | answers.keys()

    learner_cells = [c for c in learner["cells"] if isinstance(c, dict)]
    found_ids = {grade_id_of(c) for c in learner_cells} & known
    if not found_ids:
        raise SubmissionError(english("status.wrong_notebook"))

    # Group the learner's cells: each graded cell leads the unlabelled cells after it.
    groups: dict[str | None, list] = {None: []}
    current: str | None = None
    learner_protected_sources: dict[str, str] = {}
    duplicates: set[str] = set()
    for cell in learner_cells:
        grade_id, text = grade_id_of(cell), _cell_source(cell)
        cell_type = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown") \
            else "raw"
        if grade_id in known and (grade_id in groups or grade_id in learner_protected_sources):
            duplicates.add(grade_id)
            grade_id = None  # a second copy counts as an ordinary cell of the learner's
        if grade_id in protected:
            learner_protected_sources[grade_id] = text
            current = grade_id
            groups[current] = []
        elif grade_id in answers:
            current = grade_id
            groups[current] = [_new_cell(answers[grade_id].cell_type, text,
                                         _nbgrader_meta(answers[grade_id]))]
        else:  # unlabelled, or a grade_id this assignment does not have
            groups.setdefault(current, []).append(_new_cell(cell_type, text))

    cells = list(groups[None])
    for cell in source.cells:
        grade_id = grade_id_of(cell)
        if grade_id in protected:
            cells.append(_copy_source_cell(cell))
            cells.extend(groups.get(grade_id, []) if grade_id in learner_protected_sources
                         else [])
        elif grade_id in answers:
            cells.extend(groups.get(grade_id, []))

    notes = []
    deleted = sorted(g for g in protected if g not in learner_protected_sources)
    edited = sorted(g for g, text in learner_protected_sources.items()
                    if not _same_test(text, protected[g].source))
    missing_answers = sorted(g for g in answers if g not in groups)
    for key, grade_ids in (("status.restored_deleted", deleted),
                           ("status.restored_edited", edited),
                           ("status.answers_missing", missing_answers),
                           ("status.duplicates", sorted(duplicates))):
        if grade_ids:
            notes.append(english(key, cells=", ".join(grade_ids)))

    notebook = v4.new_notebook(cells=cells, metadata={
        key: source.metadata[key] for key in ("kernelspec", "language_info")
        if key in source.metadata})
    nbformat.validate(notebook)
    return Restored(notebook, notes)


def prepare(path: Path, source: nbformat.NotebookNode) -> Restored:
    """Read and restore one submission, and read its language; raises SubmissionError when
    it cannot be graded."""
    learner = read_submission(path)
    restored = restore(learner, source)
    restored.language, note = notebook_language(learner.get("metadata"))
    if note:
        restored.notes.append(note)
    return restored

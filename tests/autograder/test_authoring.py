"""The authoring step (autograder/authoring.py): each source notebook is what its parts' specs
say it must be, a hand edit of the points or the hidden checks is undone, a new part gets its
metadata, checks and points written, and a notebook that cannot take its specs says why.

The notebooks are edited in memory and put in place of an assignment's cached source; only
the sync test writes a file, a copy in tmp_path.
"""

from __future__ import annotations

import copy
import re

import nbformat
import pytest

from autograder import assignments, authoring, parts
from autograder.assignments import ASSIGNMENTS, Assignment
from autograder.authoring import AuthoringError

TABLE_ROW = re.compile(r"^\| (\d+) \| (.*) \| (\d+(?:\.\d+)?) \|$", re.M)


def _original(name: str) -> nbformat.NotebookNode:
    return copy.deepcopy(assignments.get(name).source)


@pytest.fixture
def source_as(monkeypatch):
    """``source_as(name, notebook)``: the assignment's source notebook is ``notebook`` until
    the test ends (Assignment.source is a cached_property: its value lives in __dict__)."""
    def replace(name: str, notebook) -> None:
        monkeypatch.setitem(assignments.get(name).__dict__, "source", notebook)
    return replace


def _cell(notebook, grade_id: str):
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def _heading_cell(notebook, number: int):
    (cell,) = [c for c in notebook.cells if c.cell_type == "markdown"
               and re.search(rf"^## Part {number}:", c.source, re.M)]
    return cell


def _table_cell(notebook):
    (cell,) = [c for c in notebook.cells if authoring.TABLE_HEADER in c.source]
    return cell


def _first_part(name: str):
    return next(iter(parts.parts(name).values()))


# --- the committed notebooks are synced, and stay so -------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_source_notebook_is_what_its_specs_say(name):
    assert authoring.synced(name) == assignments.get(name).source
    authoring.check_synced(name)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_source_notebook_agrees_with_the_specs_on_every_point(name):
    """Read back independently of synced(): the points nbgrader and the learner see."""
    notebook = assignments.get(name).source
    specs = parts.parts(name)
    rows = TABLE_ROW.findall(_table_cell(notebook).source)
    assert [(int(n), float(p)) for n, _, p in rows] == [
        (spec.number, float(spec.points)) for spec in specs.values()]
    for spec in specs.values():
        test = _cell(notebook, spec.grade_id)
        assert test.metadata.nbgrader["points"] == spec.points
        assert test.source.startswith(f"{authoring.BEGIN}\n{spec.hidden_code()}{authoring.END}\n")
        assert test.source.endswith(authoring.RESULT_BLOCK)
        heading = _heading_cell(notebook, spec.number).source
        assert re.search(rf"^## Part {spec.number}:.* \({authoring.points_text(spec.points)}\)$",
                         heading, re.M)


def _edit_test_points(notebook, spec):
    _cell(notebook, spec.grade_id).metadata.nbgrader["points"] = spec.points + 7


def _edit_heading(notebook, spec):
    cell = _heading_cell(notebook, spec.number)
    wanted = f"({authoring.points_text(spec.points)})"
    assert wanted in cell.source
    cell.source = cell.source.replace(wanted, f"({authoring.points_text(spec.points + 7)})", 1)


def _edit_singular_heading(notebook, spec):
    cell = _heading_cell(notebook, spec.number)
    cell.source = cell.source.replace(f"({authoring.points_text(spec.points)})", "(1 point)", 1)


def _edit_table_row(notebook, spec):
    cell = _table_cell(notebook)
    row = f"| {spec.number} | {spec.summary} | {spec.points:g} |"
    assert row in cell.source
    cell.source = cell.source.replace(row, f"| {spec.number} | {spec.summary} | "
                                           f"{spec.points + 7:g} |")


def _edit_table_dropping_a_row(notebook, spec):
    cell = _table_cell(notebook)
    cell.source = cell.source.replace(f"| {spec.number} | {spec.summary} | {spec.points:g} |\n",
                                      "")


def _edit_hidden_block(notebook, spec):
    cell = _cell(notebook, spec.grade_id)
    cell.source = cell.source.replace(authoring.END, "_points = 99\n" + authoring.END, 1)


def _edit_hidden_check(notebook, spec):
    cell = _cell(notebook, spec.grade_id)
    cell.source = cell.source.replace("_points = probe.", "_points = 0 and probe.", 1)


def _edit_result_block_away(notebook, spec):
    cell = _cell(notebook, spec.grade_id)
    cell.source = cell.source.removesuffix(authoring.RESULT_BLOCK)


def _edit_answer_metadata(notebook, spec):
    _cell(notebook, spec.name).metadata.nbgrader["locked"] = True


EDITS = [_edit_test_points, _edit_heading, _edit_singular_heading, _edit_table_row,
         _edit_table_dropping_a_row, _edit_hidden_block, _edit_hidden_check,
         _edit_result_block_away, _edit_answer_metadata]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.removeprefix("_edit_"))
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_hand_edit_fails_the_check_and_synced_undoes_it(name, edit, source_as):
    original = _original(name)
    edited = _original(name)
    edit(edited, _first_part(name))
    assert edited != original  # the edit took
    source_as(name, edited)
    with pytest.raises(AuthoringError, match=rf"solutions/{name}/{name}.ipynb is out of step "
                                             rf".*autograder/parts/{name}/.*make exercises"):
        authoring.check_synced(name)
    assert authoring.synced(name) == original
    assert edited != original  # synced works on a copy


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_visible_checks_and_prose_are_the_authors_and_kept(name, source_as):
    spec = _first_part(name)
    edited = _original(name)
    test = _cell(edited, spec.grade_id)
    test.source = test.source.replace(f"{authoring.END}\n", f"{authoring.END}\n# checked\n", 1)
    heading = _heading_cell(edited, spec.number)
    heading.source = heading.source.replace(f"## Part {spec.number}:",
                                            f"## Part {spec.number}: (retitled)", 1)
    source_as(name, edited)
    assert authoring.synced(name) == edited
    authoring.check_synced(name)


# --- a new part ----------------------------------------------------------------------------

NEW_PARTS = [(name, part) for name in ASSIGNMENTS for part in parts.parts(name)
             if any(c.metadata.get("nbgrader", {}).get("grade_id") == part
                    for c in assignments.get(name).source.cells)]  # those with an answer cell


def _as_new(notebook, spec) -> None:
    """The part as its author first writes it: a solution cell and a plain cell of visible
    checks, no nbgrader metadata, no hidden blocks, no points in its heading or table."""
    answer, test = _cell(notebook, spec.name), _cell(notebook, spec.grade_id)
    for cell in (answer, test):
        del cell.metadata["nbgrader"]
    test.source = authoring.HIDDEN_BLOCK.sub("", test.source).strip("\n")
    assert "HIDDEN" not in test.source and "probe" not in test.source
    heading = _heading_cell(notebook, spec.number)
    heading.source = heading.source.replace(f" ({authoring.points_text(spec.points)})", "", 1)
    _edit_table_dropping_a_row(notebook, spec)


@pytest.mark.parametrize("name, part", NEW_PARTS, ids=[f"{n}/{p}" for n, p in NEW_PARTS])
def test_a_new_part_gets_its_metadata_checks_and_points(name, part, source_as):
    spec = parts.part(name, part)
    original, new = _original(name), _original(name)
    _as_new(new, spec)
    source_as(name, new)
    with pytest.raises(AuthoringError):
        authoring.check_synced(name)
    written = authoring.synced(name)
    assert written == original
    test = _cell(written, spec.grade_id)
    assert test.metadata.nbgrader == {"grade": True, "grade_id": spec.grade_id, "locked": True,
                                      "points": spec.points, "solution": False,
                                      "schema_version": 3}
    assert spec.hidden_code() in test.source


def test_every_part_but_one_without_its_own_answer_can_be_written_new():
    # Convergence has no answer cell of its own (it checks parts 1 and 2): the only part
    # the test above cannot start from scratch.
    missing = [(n, p) for n in ASSIGNMENTS for p in parts.parts(n) if (n, p) not in NEW_PARTS]
    assert missing == [("linear_fit", "convergence")]


def test_two_new_parts_at_once(source_as):
    original, new = _original("tensors"), _original("tensors")
    for spec in parts.parts("tensors").values():
        _as_new(new, spec)
    source_as("tensors", new)
    assert authoring.synced("tensors") == original


# --- notebooks that cannot take their specs ------------------------------------------------

WHERE = "solutions/tensors/tensors.ipynb"


def _refused(notebook, source_as, *fragments):
    source_as("tensors", notebook)
    with pytest.raises(AuthoringError) as error:
        authoring.synced("tensors")
    for fragment in [WHERE, *fragments]:
        assert fragment in str(error.value), (fragment, str(error.value))


def test_a_missing_heading_is_named(source_as):
    notebook = _original("tensors")
    cell = _heading_cell(notebook, 2)
    cell.source = re.sub(r"^## Part 2:.*$", "## All pairwise squared distances", cell.source,
                         flags=re.M)
    _refused(notebook, source_as, "no heading '## Part 2: <title>' for "
                                  "tensors/pairwise_squared_distances")


def test_an_intro_table_header_with_trailing_spaces_is_still_the_table(source_as):
    notebook = _original("tensors")
    expected = _table_cell(notebook).source
    cell = _table_cell(notebook)
    cell.source = cell.source.replace(authoring.TABLE_HEADER, authoring.TABLE_HEADER + "  ")
    source_as("tensors", notebook)
    assert _table_cell(authoring.synced("tensors")).source == expected


def test_a_missing_intro_table_is_named(source_as):
    notebook = _original("tensors")
    cell = _table_cell(notebook)
    cell.source = cell.source.replace(authoring.TABLE_HEADER, "| Part | What | Points |")
    _refused(notebook, source_as, f"no intro table starting with the line "
                                  f"'{authoring.TABLE_HEADER}'")


def test_a_part_without_an_answer_cell_is_named(source_as):
    notebook = _original("tensors")
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(
        "grade_id") not in ("pairwise_squared_distances", "test_pairwise_squared_distances")]
    _refused(notebook, source_as, "no answer cell for part 2 "
                                  "(tensors/pairwise_squared_distances)",
             "'### BEGIN SOLUTION' block that defines pairwise_squared_distances")


def test_a_new_answer_cell_must_define_the_parts_first_function(source_as):
    notebook = _original("tensors")
    spec = parts.part("tensors", "pairwise_squared_distances")
    _as_new(notebook, spec)
    answer = notebook.cells[[k for k, c in enumerate(notebook.cells)
                             if "def pairwise_squared_distances" in c.source][0]]
    answer.source = answer.source.replace("def pairwise_squared_distances",
                                          "def squared_distances")
    _refused(notebook, source_as, "no answer cell for part 2")


@pytest.mark.parametrize("part", ["pairwise_squared_distances", "with_row_replaced"])
def test_an_answer_cell_without_a_test_cell_is_named(part, source_as):
    # Part 2's next code cell is part 3's answer; part 3 has no code cell after it at all.
    notebook = _original("tensors")
    notebook.cells = [c for c in notebook.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") != f"test_{part}"]
    _refused(notebook, source_as, f"the answer cell of tensors/{part} needs a code cell with "
                                  "its visible checks right after it")


def test_parts_out_of_order_are_named(source_as):
    notebook = _original("tensors")
    first = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") in
             ("softmax_rows", "test_softmax_rows")]
    rest = [c for c in notebook.cells if all(c is not f for f in first)]
    at = rest.index(_cell(notebook, "test_pairwise_squared_distances")) + 1
    notebook.cells = rest[:at] + first + rest[at:]
    _refused(notebook, source_as, "not in the order of their numbers")


# --- sync writes the file ------------------------------------------------------------------

def test_sync_writes_a_stale_notebook_once(tmp_path, monkeypatch):
    name = "variables"
    path = tmp_path / "solutions" / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True)
    stale = _original(name)
    _edit_test_points(stale, _first_part(name))
    _edit_hidden_check(stale, _first_part(name))
    nbformat.write(stale, path)
    copy_of = Assignment(name, path, tmp_path / "exercises" / name / f"{name}.ipynb")
    monkeypatch.setattr(authoring, "get", lambda wanted: copy_of)
    assert copy_of.source == stale
    assert authoring.sync(name) is True
    assert nbformat.read(path, as_version=4) == _original(name)
    assert copy_of.source == _original(name)  # read again, not the stale cached copy
    before = path.read_bytes()
    assert authoring.sync(name) is False
    assert path.read_bytes() == before
    authoring.check_synced(name)

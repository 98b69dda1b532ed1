"""The attacks of files/hostile_intake/ (one builder per attack) are stopped.

Each test builds a fixture's hostile tree or payload and asserts what the grader does now:
intake (autograder.intake), timestamps (autograder.lateness), the formgrader's copy
(autograder.autograded_copy, rendered by nbgrader's own exporter and template), the
exchange files (autograder.feedback_exchange), nbgrader's generate_feedback with the
course's configuration, the runner's per-cell catch and the command's error line. No
kernel starts here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import types
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from autograder import (assignments, autograded_copy, cli, course, feedback_exchange,
                        gradebook, intake, journal, lateness)
from autograder.results import PartResult, Result
from autograder.sandbox import runner

FIXTURES = Path(__file__).parent / "files" / "hostile_intake"
A = "tensors"
MTIME = lateness.FROM_MTIME


def _fixture(name: str):
    spec = importlib.util.spec_from_file_location(f"hostile_{name}", FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _find(root: Path) -> intake.Intake:
    return intake.find(root, A, set(assignments.ASSIGNMENTS))


def _reasons(found: intake.Intake) -> dict[str, str]:
    return {item.path: item.reason for item in found.skipped}


# 1. A learner's Markdown link, reference link or remote image in the formgrader ----------

def _live_links(page: str) -> list[str]:
    """The learner's links and remote images the page would follow or fetch."""
    return re.findall(r'<a [^>]*href="\s*javascript:[^"]*"|<img [^>]*src="[^"]*attacker[^"]*"',
                      page, re.IGNORECASE)


@pytest.mark.parametrize("text", [
    _fixture("markdown_javascript_link").MARKDOWN,
    "```\n[x](javascript:alert(1))\n```\n````\n<img src=https://attacker.example/a.png>",
])
def test_learner_markdown_reaches_the_formgrader_page_as_text(tmp_path, text):
    fixture = _fixture("markdown_javascript_link")
    prepared = fixture.prepared()
    prepared.cells[1].source = text
    prepared.cells.append(v4.new_raw_cell(text))  # nbconvert writes a raw cell as HTML
    path = autograded_copy.write(tmp_path, "mallory", A, autograded_copy.merge(prepared, []))
    page = fixture.formgrader_page(path)
    assert _live_links(page) == []
    assert "attacker.example" in page  # still shown to the instructor, as text
    copy = nbformat.read(path, as_version=4)
    assert [cell.cell_type for cell in copy.cells] == ["code", "markdown", "markdown"]
    for cell in copy.cells[1:]:  # the learner's text, whole, inside one fence
        fence = cell.source.split("text\n", 1)[0]
        assert cell.source == f"{fence}text\n{text}\n{fence}"
        assert all(len(run) < len(fence) for run in re.findall("`+", text))


def test_the_graders_own_markdown_stays_markup():
    heading = v4.new_markdown_cell("## Part 1 [book](https://example.org)", metadata={
        "nbgrader": {"grade_id": "part1", "locked": True, "solution": False, "grade": False,
                     "schema_version": 3}})
    merged = autograded_copy.merge(v4.new_notebook(cells=[heading]), [])
    assert merged.cells[0].source == "## Part 1 [book](https://example.org)"


# 2. A flat-layout learner named "submitted" --------------------------------------------

def test_a_learner_named_submitted_is_refused_not_read_as_the_course(tmp_path):
    _fixture("learner_named_submitted").build(tmp_path)
    with pytest.raises(intake.IntakeError) as raised:
        _find(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path}: submitted/ is laid out as nbgrader's")
    assert "'alice' is not what an nbgrader course folder holds" in message
    assert "\n" not in message
    # The same submitted/ beside only what a course folder holds: the course root.
    for name in ("alice", "bob"):
        (tmp_path / name / "tensors.ipynb").unlink()
        (tmp_path / name).rmdir()
    (tmp_path / "source").mkdir()
    (tmp_path / "gradebook.db").write_text("")
    assert _find(tmp_path).learners == ["alice"]


# 3. timestamp.txt and submission_secret.txt outside nbgrader's folder ------------------

def test_a_moodle_learners_own_timestamp_and_secret_are_listed_not_read(tmp_path):
    fixture = _fixture("moodle_learner_timestamp")
    fixture.build(tmp_path)
    mallory = _find(tmp_path).submissions["Mallory Jones"]
    assert mallory.time_source == MTIME and mallory.submitted_at.year > 2020
    assert not mallory.from_exchange  # so the grade command copies no secret
    reasons = _reasons(_find(tmp_path))
    for name in ("timestamp.txt", "submission_secret.txt"):
        assert reasons[f"{fixture.FOLDER}/{name}"].startswith("a learner's upload")


def test_only_nbgraders_collected_folder_gives_the_time_and_the_secret(tmp_path):
    stamp = "2020-01-01 00:00:00.000000 UTC"
    for folder in ("flat", "collected/tensors"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "tensors.ipynb").write_text("{}")
        (tmp_path / folder / "timestamp.txt").write_text(stamp)
    found = _find(tmp_path)
    flat, collected = found.submissions["flat"], found.submissions["collected"]
    assert (flat.time_source, flat.from_exchange) == (MTIME, False)
    assert (collected.time_source, collected.from_exchange) == ("timestamp.txt", True)
    assert collected.submitted_at == lateness.parse_time(stamp)
    assert "flat/timestamp.txt" in _reasons(found)


# 4. nbgrader's generate_feedback on the autograded copy --------------------------------

def _autograded_copy(root: Path) -> None:
    """ada's copy as the grade command writes it, a hidden test's traceback among its
    outputs (IPython quotes the failing line)."""
    prepared = nbformat.from_dict(assignments.get(A).source)
    hidden = next(index for index, cell in enumerate(prepared.cells)
                  if "BEGIN HIDDEN TESTS" in cell.source)
    quoted = prepared.cells[hidden].source.split("\n")[1]
    outputs = [{"index": hidden, "execution_count": 3, "outputs": [
        {"output_type": "error", "ename": "AssertionError", "evalue": "",
         "traceback": [f"----> 2 {quoted}"]}]}]
    autograded_copy.write(root, "ada", A, autograded_copy.merge(prepared, outputs))


def test_nbgraders_generate_feedback_shows_no_hidden_test(tmp_path):
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    cells = assignments.get(A).grade_cells
    gradebook.record(db, assignments.get(A), [Result(
        "ada", A, 0.0, sum(cells.values()), "graded",
        [PartResult(grade_id, 0.0, points, "failed", "") for grade_id, points in cells.items()])])
    _autograded_copy(tmp_path)
    # The course's own file, read as nbgrader's command reads it (nbconvert loaded first),
    # pointed at this folder.
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(course.CONFIG_FILE.name,
                                str(course.CONFIG_FILE.parent)).load_config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.autograded_directory = autograded_copy.AUTOGRADED_DIR
    config.CourseDirectory.feedback_directory = "feedback-nb"
    config.CourseDirectory.db_url = db
    config.CourseDirectory.assignment_id = A
    with contextlib.chdir(tmp_path):
        converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
        converter.start()
    page = (tmp_path / "feedback-nb" / "ada" / A / f"{A}.html").read_text()
    source = assignments.get(A).source
    hidden_lines = {line for cell in source.cells if "BEGIN HIDDEN TESTS" in cell.source
                    for line in cell.source.split("BEGIN HIDDEN TESTS")[1].split("\n")[1:3]
                    if line.strip()}
    assert "ada" in page and hidden_lines
    assert "HIDDEN TESTS" not in page
    assert not any(line.split("(")[0] in page for line in hidden_lines
                   if len(line.split("(")[0]) > 12)


# 5. A Moodle learner named like another's <name>_<userid> ------------------------------

def test_moodle_namesakes_keep_their_own_ids_and_notebooks(tmp_path):
    _fixture("moodle_name_collision").build(tmp_path)
    found = _find(tmp_path)
    assert {learner: s.path.parent.name for learner, s in found.submissions.items()} == {
        "Alice Smith_5": "Alice Smith_5_assignsubmission_file",
        "Alice Smith_6": "Alice Smith_6_assignsubmission_file",
        "Alice Smith_5_99": "Alice Smith_5_99_assignsubmission_file"}
    assert found.skipped == []


def test_lms_ids_never_collide_with_each_other_nor_a_learner_folder():
    pairs = {("kim", "1"), ("lee", "2"), ("lee", "3"), ("lee_2", "9")}
    assert intake.lms_learners(pairs, {"kim"}) == {
        ("kim", "1"): "kim_1", ("lee", "2"): "lee_2", ("lee", "3"): "lee_3",
        ("lee_2", "9"): "lee_2_9"}
    with pytest.raises(intake.IntakeError, match="^kim_1: two learners would share"):
        intake.lms_learners({("kim", "1")}, {"kim", "kim_1"})


# 6. and 7. A timestamp.txt that overflows, names a path, or is not a time --------------

@pytest.mark.parametrize("kind", sorted(_fixture("timestamp_crashes_the_command").STAMPS))
def test_a_hostile_timestamp_is_that_learners_note(tmp_path, kind):
    fixture = _fixture("timestamp_crashes_the_command")
    fixture.build(tmp_path, kind)
    with pytest.raises(lateness.LatenessError):
        lateness.parse_time(fixture.STAMPS[kind])
    mallory = _find(tmp_path).submissions["mallory"]
    assert mallory.time_source == MTIME
    assert mallory.notes[0].startswith("timestamp.txt not used (mallory/tensors/timestamp.txt:"
                                       " line 1: expected a time like")


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "+0130"])
def test_zone_names_and_offsets_are_still_read(zone):
    assert lateness.parse_time(f"2026-12-01 18:00:00 {zone}").tzinfo is not None


def test_one_learners_bad_timestamp_does_not_stop_the_class(tmp_path):
    _fixture("timestamp_stops_the_batch").build(tmp_path)
    fifo = tmp_path / "fifo" / A
    fifo.mkdir(parents=True)
    (fifo / "tensors.ipynb").write_text("{}")
    os.mkfifo(fifo / "timestamp.txt")  # would block a reader
    found = _find(tmp_path)
    assert found.learners == ["alice", "fifo", "mallory"]
    assert found.submissions["alice"].time_source == "timestamp.txt"
    assert "found 'soon'" in found.submissions["mallory"].notes[0]
    assert "non-file" in found.submissions["fifo"].notes[0]
    assert "mallory/tensors/timestamp.txt" in _reasons(found)


# 8. A learner folder the grader cannot read --------------------------------------------

def test_an_unreadable_learner_folder_is_that_learners_status(tmp_path, monkeypatch):
    _fixture("unreadable_learner_folder").build(tmp_path)
    locked = tmp_path / "mallory" / A
    real_scandir = os.scandir

    def scandir(path):  # as a non-root instructor sees mode 000 (root reads it anyway)
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(intake.os, "scandir", scandir)
    try:
        found = _find(tmp_path)
    finally:
        os.chmod(locked, 0o700)
    assert found.learners == ["alice", "mallory"]
    assert found.submissions["alice"].problem is None
    assert found.submissions["mallory"].problem == (
        "not graded: cannot read the folder mallory/tensors/: Permission denied")
    assert _reasons(found)["mallory/tensors/"] == "unreadable: Permission denied"
    assert journal.fingerprint(tmp_path, "mallory", A, found).startswith("unreadable:")


# 9. Terminal escapes in a one-line error -----------------------------------------------

def test_an_error_line_shows_control_characters_escaped(tmp_path, capsys):
    _fixture("error_message_terminal_escape").build(tmp_path / "subs")
    code = cli.main(["grade", A, str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                     "--db", f"sqlite:///{tmp_path / 'gb.db'}", "--no-sandbox"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("autograder: error: ")
    assert "\x1b" not in err and "\x07" not in err and r"evil\x1b]0;PWNED\x07" in err


# 10. A learner's negative execution count ----------------------------------------------

class _RefusingClient:
    """nbclient as it behaves after `get_ipython().execution_count = -100`: the next cell's
    result fails nbformat's validation inside execute_cell."""

    timed_out_cell_ids: set = set()

    def __init__(self, nb, **_):
        self.nb = nb
        # The runner bounds the kernel client's sends: a socket that takes the setting.
        socket = types.SimpleNamespace(setsockopt=lambda *_: None)
        self.kc = types.SimpleNamespace(shell_channel=types.SimpleNamespace(socket=socket))

    @contextlib.contextmanager
    def setup_kernel(self):
        yield

    def execute_cell(self, cell, index):
        if cell.source == "1 + 1":
            raise nbformat.ValidationError("-100 is less than the minimum of 0")
        cell.execution_count = index


def test_a_refused_cell_is_that_cells_error_and_the_run_goes_on(tmp_path, monkeypatch):
    cells = _fixture("negative_execution_count").CELLS
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(s) for s in [*cells, "2"]]),
                   tmp_path / "nb.ipynb")
    monkeypatch.setattr(runner, "_RecordingClient", _RefusingClient)
    summary = runner.execute(tmp_path / "nb.ipynb", cell_timeout=5)
    assert summary["outcome"] == "completed"
    assert [c["status"] for c in summary["cells"]] == ["ok", "error", "ok"]
    assert summary["cells"][1]["ename"] == "ValidationError"
    assert "-100" in summary["cells"][1]["evalue"]


def test_negative_counts_from_the_run_are_dropped_from_the_copy():
    prepared = _fixture("markdown_javascript_link").prepared()
    merged = autograded_copy.merge(prepared, [{"index": 0, "execution_count": -100, "outputs": [
        {"output_type": "execute_result", "execution_count": -99,
         "data": {"text/plain": "2"}}]}])
    assert merged.cells[0].execution_count is None
    assert merged.cells[0].outputs[0].execution_count is None
    assert merged.cells[0].outputs[0].data == {"text/plain": "2"}


# 11. A folder or FIFO named like the notebook ------------------------------------------

def test_only_a_file_named_like_the_notebook_beats_a_renamed_copy(tmp_path):
    _fixture("folder_named_like_the_notebook").build(tmp_path)
    os.mkfifo(tmp_path / "bob" / "tensors-2.ipynb")
    found = _find(tmp_path)
    assert found.submissions["bob"].path == tmp_path / "bob" / "tensors (1).ipynb"
    reasons = _reasons(found)
    assert reasons["bob/tensors.ipynb/"] == "a folder named tensors.ipynb: not read"
    assert reasons["bob/tensors-2.ipynb"].startswith("not a regular file")
    assert found.submissions["bob"].notes == ["graded a renamed copy: bob/tensors (1).ipynb"]


# 12. A folder named submission_secret.txt ----------------------------------------------

def test_a_secret_that_is_a_folder_is_no_secret_and_the_stale_one_goes(tmp_path):
    _fixture("secret_is_a_folder").build(tmp_path)
    submitted = tmp_path / "mallory" / A
    before = len(os.listdir("/proc/self/fd"))
    assert feedback_exchange.read_secret(submitted) is None
    assert len(os.listdir("/proc/self/fd")) == before  # no descriptor left open
    page = tmp_path / "feedback"
    page.mkdir()
    (page / feedback_exchange.SECRET_FILE).write_text("fromanearliergrading")
    feedback_exchange.write_beside(page, None, submitted / "tensors.ipynb")
    assert not (page / feedback_exchange.SECRET_FILE).exists()

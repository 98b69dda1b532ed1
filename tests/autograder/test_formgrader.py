"""nbgrader's formgrader and exchange work on what the grading command writes.

The unit tests check :mod:`autograder.autograded_copy` (the executed notebook, rebuilt from
untrusted outputs) and :mod:`autograder.feedback_exchange` (the files beside a feedback page)
in milliseconds. One end-to-end test grades one real notebook in the sandbox, starts
`jupyter server` with nbgrader's formgrader on a loopback port (a real server, because the
500 seen by instructors came from nbgrader's handler and templates, which only a request
exercises), reads the submission page, sets a manual score through the formgrader's own
API and finds it in nbgrader's export, then releases the feedback through nbgrader's exchange.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat import v4

from autograder import assignments, autograded_copy, cli, feedback_exchange, lms_export
from autograder.sandbox import runner

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
       "AAAABJRU5ErkJggg==")  # one pixel


def _prepared() -> nbformat.NotebookNode:
    """A prepared notebook as submission.py leaves it: a locked cell, an answer cell, a
    test cell, and a Markdown cell of the learner's."""
    return v4.new_notebook(cells=[
        v4.new_code_cell("import numpy as np", metadata={"nbgrader": {
            "grade_id": "setup", "locked": True, "solution": False, "grade": False,
            "schema_version": 3}}),
        v4.new_code_cell("def f(x):\n    return x", metadata={"nbgrader": {
            "grade_id": "f", "locked": False, "solution": True, "grade": False,
            "schema_version": 3}}),
        v4.new_markdown_cell("My notes <script>alert(1)</script>"),
        v4.new_code_cell("check(f)", metadata={"nbgrader": {
            "grade_id": "test_f", "locked": True, "solution": False, "grade": True,
            "points": 2, "schema_version": 3}}),
        v4.new_raw_cell("<img src=x onerror=steal()>"),  # nbconvert writes it out as HTML
    ])


def _entry(index, *outputs, count=1) -> dict:
    return {"index": index, "execution_count": count, "outputs": list(outputs)}


def test_outputs_go_back_into_the_graders_own_cells():
    before = copy.deepcopy(_prepared())
    merged = autograded_copy.merge(_prepared(), [
        _entry(1, {"output_type": "stream", "name": "stdout", "text": "ada's print\n"}),
        _entry(3, {"output_type": "error", "ename": "AssertionError", "evalue": "no \ud800",
                   "traceback": ["line 1", 7]}, count=3),
        # Forged: a Markdown cell's index, one past the end, and a second entry for cell 1.
        _entry(2, {"output_type": "stream", "name": "stdout", "text": "into markdown"}),
        _entry(99, {"output_type": "stream", "name": "stdout", "text": "nowhere"}),
        _entry(1, {"output_type": "stream", "name": "stdout", "text": "twice"}),
    ])
    assert [c.source for c in merged.cells if c.cell_type == "code"] == \
        [c.source for c in before.cells if c.cell_type == "code"]
    assert [c.metadata for c in merged.cells] == [c.metadata for c in before.cells]
    assert [o.text for o in merged.cells[1].outputs] == ["ada's print\n"]
    assert merged.cells[3].outputs[0].traceback == ["line 1"]
    assert merged.cells[3].outputs[0].evalue == "no ?"  # a lone surrogate, made writable
    assert merged.cells[3].execution_count == 3
    assert merged.cells[0].outputs == [] and merged.cells[0].execution_count is None
    assert "nowhere" not in nbformat.writes(merged) and "twice" not in nbformat.writes(merged)


def test_only_outputs_that_cannot_run_script_are_kept():
    merged = autograded_copy.merge(_prepared(), [_entry(1,
        {"output_type": "display_data", "data": {"text/html": "<script>x()</script>",
                                                 "text/plain": "<HTML object>"}},
        {"output_type": "display_data", "data": {"application/javascript": "x()"}},
        {"output_type": "display_data", "data": {"image/svg+xml": "<svg onload='x()'/>"}},
        {"output_type": "display_data", "data": {"image/png": PNG}},
        {"output_type": "display_data", "data": {"image/png": "<img src=x onerror=x()>"}},
        {"output_type": "execute_result", "data": {"text/markdown": "<b>x</b>"}},
        {"output_type": "execute_result", "execution_count": 2, "data": {"text/plain": "2"}},
        {"output_type": "future_kind", "data": {"text/plain": "?"}})])
    kept = [dict(output.get("data", {})) for output in merged.cells[1].outputs]
    assert kept == [{"text/plain": "<HTML object>"}, {"image/png": PNG}, {"text/plain": "2"}]
    # The learner's Markdown is shown as text; the grader's own cells are left as they are.
    assert merged.cells[2].source == "```text\nMy notes <script>alert(1)</script>\n```"
    assert merged.cells[4].source == "```text\n<img src=x onerror=steal()>\n```"
    assert merged.cells[4].cell_type == "markdown"  # a raw cell is written out as HTML
    assert merged.cells[0].source == "import numpy as np"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["index", "outputs", "output_type",
                                                       "name", "text", "data", "ename",
                                                       "traceback", "execution_count",
                                                       "text/plain", "image/png"]) | st.text(),
                                      inner, max_size=4), max_leaves=20)
KINDS = st.sampled_from(["stream", "error", "execute_result", "display_data", "other"])


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(raw=JSON, kind=KINDS, extra=st.dictionaries(st.text(max_size=12), JSON, max_size=3))
def test_any_json_from_the_sandbox_gives_a_valid_notebook(raw, kind, extra):
    forged = [raw, _entry(1, raw, {"output_type": kind, **extra}),
              {"index": 3, "execution_count": raw, "outputs": raw}]
    merged = autograded_copy.merge(_prepared(), forged)  # validates, or raises
    nbformat.writes(merged).encode("utf-8")  # and can be written
    assert [c.metadata for c in merged.cells] == [c.metadata for c in _prepared().cells]


def test_outputs_past_the_cap_are_left_out():
    big = {"output_type": "stream", "name": "stdout", "text": "x" * 5000}
    small = {"output_type": "stream", "name": "stdout", "text": "small"}
    merged = autograded_copy.merge(_prepared(), [_entry(1, big, big), _entry(3, small)],
                                   max_bytes=8000)
    assert len(merged.cells[1].outputs) == 1 and merged.cells[3].outputs == []


def test_the_runner_caps_what_it_sends_later_cells_first():
    notebook = _prepared()
    for cell in (notebook.cells[1], notebook.cells[3]):
        cell.outputs = [v4.new_output("stream", name="stdout", text="y" * 3000)]
    sent = runner.cell_outputs(notebook, max_bytes=4000)
    assert [entry["index"] for entry in sent] == [0, 1, 3]
    assert sent[1]["outputs"] and sent[2]["outputs"] == []
    assert len(json.dumps(sent)) < 4000 + 200


def test_the_copy_lands_in_nbgraders_layout_and_a_run_without_one_removes_it(tmp_path):
    path = autograded_copy.write(tmp_path, "ada", "tensors", _prepared())
    assert path == tmp_path / "autograded" / "ada" / "tensors" / "tensors.ipynb"
    assert nbformat.read(path, as_version=4).cells[1].source.startswith("def f")
    assert [p.name for p in path.parent.iterdir()] == ["tensors.ipynb"]  # no temporary left
    autograded_copy.write(tmp_path, "ada", "tensors", None)
    assert not path.exists()
    with pytest.raises(ValueError):
        autograded_copy.notebook_path(tmp_path, "..", "tensors")


def test_the_exchange_files_come_from_beside_the_submission(tmp_path):
    submitted, page = tmp_path / "submitted", tmp_path / "page"
    submitted.mkdir()
    page.mkdir()
    (submitted / "submission_secret.txt").write_text("0123abcd\n")
    when = datetime(2026, 12, 1, 16, 59, 3, 123456, tzinfo=timezone.utc)
    feedback_exchange.write_beside(page, when, submitted / "tensors.ipynb")
    from nbgrader.utils import parse_utc

    assert parse_utc((page / "timestamp.txt").read_text()) == when.replace(tzinfo=None)
    assert (page / "submission_secret.txt").read_text() == "0123abcd"
    # A secret that is a link, or not a token, is not copied; a stale one goes.
    (submitted / "submission_secret.txt").unlink()
    (submitted / "submission_secret.txt").symlink_to("/etc/passwd")
    feedback_exchange.write_beside(page, None, submitted / "tensors.ipynb")
    assert not (page / "submission_secret.txt").exists()
    assert not (page / "timestamp.txt").exists()
    (submitted / "submission_secret.txt").unlink()
    (submitted / "submission_secret.txt").write_text("<script>\n")
    assert feedback_exchange.read_secret(submitted) is None


# --- end to end: the sandbox, the formgrader, nbgrader's export and exchange ------------

ASSIGNMENT = "tensors"
SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
TOKEN = "formgrader-test"
# The venv enables these server extensions; the formgrader needs none of them.
OTHER_EXTENSIONS = ("jupyter_lsp", "jupyter_server_terminals", "jupyterlab",
                    "jupyterlab_jupytext", "notebook", "notebook_shim",
                    "nbgrader.server_extensions.validate_assignment",
                    "nbgrader.server_extensions.assignment_list",
                    "nbgrader.server_extensions.course_list")


def _submit(folder: Path) -> None:
    """The solution with the learner's own print, collected as nbgrader's exchange does."""
    notebook = copy.deepcopy(assignments.get(ASSIGNMENT).source)
    answer = next(c for c in notebook.cells
                  if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source += "\nprint('ada was here')\n"
    # The learner's own markup, which must reach the instructor's page as text only.
    notebook.cells.append(v4.new_markdown_cell("<b id='ada-markup'>notes</b>"))
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2026-12-01 16:59:03.123456 UTC")
    (folder / "submission_secret.txt").write_text(SECRET)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(url: str, method: str = "GET", body: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _start_formgrader(course: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    extensions = {name: False for name in OTHER_EXTENSIONS}
    extensions["nbgrader.server_extensions.formgrader"] = True
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--allow-root", "--no-browser",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}",
         f"--ServerApp.jpserver_extensions={extensions!r}"],
        cwd=course, stdout=subprocess.DEVNULL, stderr=open(course / "server.log", "w"),
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(course / ".jupyter"),
             "JUPYTER_DATA_DIR": str(course / ".jupyter-data")})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if _request(f"{base}/api/status")[0] == 200:
                return server, base
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise AssertionError("the formgrader did not start: "
                         + (course / "server.log").read_text()[-2000:])


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments")  # nbgrader's own typo
def test_an_instructor_reads_grades_and_hands_back_a_graded_submission(tmp_path, capsys):
    course, out = tmp_path / "course", tmp_path / "course" / "out"
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    _submit(course / "submitted" / "ada" / ASSIGNMENT)
    assert cli.main(["grade", ASSIGNMENT, str(course / "submitted"), "--out", str(out),
                     "--db", db, "--jobs", "1"]) == 0, capsys.readouterr().err
    copy_path = out / "autograded" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "ada was here" in copy_path.read_text()

    # nbgrader's own configuration for the course, pointing at what was graded.
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'tensors-tapes-training'\n"
        f"c.CourseDirectory.db_url = {db!r}\n"
        "c.CourseDirectory.autograded_directory = 'out/autograded'\n"
        "c.CourseDirectory.feedback_directory = 'out/feedback'\n"
        f"c.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    server, base = _start_formgrader(course)
    try:
        status, listed = _request(f"{base}/formgrader/api/submitted_notebooks/"
                                  f"{ASSIGNMENT}/{ASSIGNMENT}")
        assert status == 200
        [submission] = json.loads(listed)
        status, page = _request(f"{base}/formgrader/submissions/{submission['id']}/")
        assert status == 200
        assert page.count("ada was here") == 2  # the learner's code, and what it printed
        assert "ada-markup" in page and "<b id=" not in page  # shown, as text
        grade_ids = assignments.get(ASSIGNMENT).grade_cells
        assert all(f'id="{grade_id}"' in page for grade_id in grade_ids)

        # A manual score, set as the formgrader's page sets it.
        status, grades = _request(f"{base}/formgrader/api/grades?submission_id="
                                  f"{submission['id']}")
        first = json.loads(grades)[0]
        assert _request(f"{base}/formgrader/api/grade/{first['id']}", "PUT",
                        {"manual_score": 0.5, "extra_credit": None})[0] == 200
        status, comments = _request(f"{base}/formgrader/api/comments?submission_id="
                                    f"{submission['id']}")
        comment = json.loads(comments)[0]
        assert _request(f"{base}/formgrader/api/comment/{comment['id']}", "PUT",
                        {"manual_comment": "Mind the axis."})[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=60)

    # `nbgrader export`'s plugin, in process (the command runs ExportApp, which does this).
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    exported = tmp_path / "nbgrader-grades.csv"
    with Gradebook(db, course_id="tensors-tapes-training") as gradebook:
        CsvExportPlugin(to=str(exported)).export(gradebook)
        assert gradebook.find_comment_by_id(comment["id"]).comment == "Mind the axis."
    [row] = [line.split(",") for line in exported.read_text().splitlines()[1:]]
    expected = sum(grade_ids.values()) - first["max_score"] + 0.5
    assert float(row[-2]) == pytest.approx(expected)  # score, before max_score
    lms_export.export(ASSIGNMENT, "csv", tmp_path / "lms.csv", db)  # ours reads it too
    with open(tmp_path / "lms.csv", newline="", encoding="utf-8") as file:
        assert [float(row["score"]) for row in csv.DictReader(file)] == [expected]

    # nbgrader's exchange hands the feedback page back under the submission's secret.
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "tensors-tapes-training"
    config.CourseDirectory.feedback_directory = str(out / "feedback")
    config.Exchange.root = str(tmp_path / "exchange")
    (tmp_path / "exchange").mkdir()
    released = NbGraderAPI(config=config).release_feedback(ASSIGNMENT, "ada")
    assert released["success"], released
    digest = hashlib.md5((SECRET + ASSIGNMENT).encode()).hexdigest()
    handed_back = tmp_path / "exchange" / "tensors-tapes-training" / "feedback" / f"{digest}.html"
    page = handed_back.read_text()
    assert page == (out / "feedback" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in page and "ada was here" not in page

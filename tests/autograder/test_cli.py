"""The grading command's misuse messages: one line, exit status 2, nothing graded."""

from __future__ import annotations

import tempfile
import time

import pytest

from autograder import cli, gradebook
from autograder.sandbox import bubblewrap


def _run(capsys, *argv) -> tuple[int, str]:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize("argv, message", [
    (["grade", "linear_fitt", "{subs}", "--out", "{out}"], "unknown assignment 'linear_fitt'"),
    (["grade", "linear_fit", "{missing}", "--out", "{out}"], "submissions folder not found"),
    (["grade", "linear_fit", "{subs}"], "the following arguments are required: --out"),
    (["grade", "linear_fit", "{subs}", "--out", "{subs}/out"], "--out must not be inside"),
    (["grade", "linear_fit", "{subs}", "--out", "{out}", "--jobs", "0"], "must be more than 0"),
    (["grade", "linear_fit", "{subs}", "--out", "{out}", "--memory", "lots"], "invalid size"),
    (["grade", "linear_fit", "{subs}", "--out", "{file}"], "--out is a file"),
    (["mark"], "invalid choice: 'mark'"),
])
def test_misuse_gets_one_line_and_exit_status_2(tmp_path, capsys, argv, message):
    (tmp_path / "subs").mkdir()
    (tmp_path / "a-file").write_text("x")
    paths = {"subs": tmp_path / "subs", "out": tmp_path / "out",
             "missing": tmp_path / "nowhere", "file": tmp_path / "a-file"}
    code, err = _run(capsys, *(a.format(**paths) for a in argv))
    assert code == 2
    assert err.startswith("autograder: error: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_source_notebook_out_of_step_with_its_specs_is_misuse(tmp_path, capsys,
                                                                 monkeypatch):
    # Points edited in the spec but not released: the grader would judge by other points
    # than the notebook and the gradebook show.
    import copy

    from autograder import assignments

    (tmp_path / "subs" / "ada").mkdir(parents=True)
    notebook = copy.deepcopy(assignments.get("tensors").source)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("points"))
    cell.metadata["nbgrader"]["points"] += 1
    monkeypatch.setitem(assignments.get("tensors").__dict__, "source", notebook)
    code, err = _run(capsys, "grade", "tensors", str(tmp_path / "subs"),
                     "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith("autograder: error: ") and err.count("\n") == 1
    assert "out of step with its parts' specs" in err and "make exercises" in err
    assert not (tmp_path / "out").exists()


def test_without_a_sandbox_it_refuses_and_says_why(tmp_path, capsys, monkeypatch):
    (tmp_path / "subs").mkdir()

    def unavailable():
        raise bubblewrap.SandboxUnavailable("bubblewrap (bwrap) is not installed")

    monkeypatch.setattr(bubblewrap, "check_available", unavailable)
    code, err = _run(capsys, "grade", "linear_fit", str(tmp_path / "subs"),
                     "--out", str(tmp_path / "out"))
    assert code == 2
    assert "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err


@pytest.mark.parametrize("db_url, message", [
    # Nothing listens on port 1: the PostgreSQL driver is installed and says so.
    ("postgresql://grader:secret@127.0.0.1:1/course", "127.0.0.1"),
    ("nosuchdb://somewhere/course", "nosuchdb"),
])
def test_a_gradebook_that_cannot_be_opened_is_misuse_found_before_grading(
        tmp_path, capsys, db_url, message):
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    (tmp_path / "subs" / "ada" / "linear_fit.ipynb").write_text("{}")
    code, err = _run(capsys, "grade", "linear_fit", str(tmp_path / "subs"),
                     "--out", str(tmp_path / "out"), "--db", db_url)
    assert code == 2
    assert err.startswith("autograder: error: cannot open the gradebook") and message in err
    assert err.count("\n") == 1
    assert "secret" not in err  # the password is never shown
    assert "No module named" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_gradebook_failing_while_notebooks_run_stops_them_and_writes_nothing(
        tmp_path, capsys, monkeypatch):
    # The gradebook is opened beside the first notebooks (nbgrader's import takes seconds):
    # its failure must still end the batch, every sandbox with it.
    import nbformat
    import psutil

    import grading_corpus

    slow = "import time\ntime.sleep(600)\n" + grading_corpus.solution_code()
    for learner in ("ada", "grace", "alan"):
        (tmp_path / "subs" / learner).mkdir(parents=True)
        nbformat.write(grading_corpus.released_with_answers({"train_step_numpy": slow}),
                       tmp_path / "subs" / learner / "linear_fit.ipynb")
    # The batch's workspace (and so every sandbox's command line) under tmp_path: other
    # tests may be grading at the same time.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    started = time.monotonic()
    code, err = _run(capsys, "grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--jobs", "2", "--db", "nosuchdb://x/course")
    assert code == 2 and err.startswith("autograder: error: cannot open the gradebook")
    assert time.monotonic() - started < 300  # the notebooks sleep 600 s: they were stopped
    assert not (tmp_path / "out").exists()

    def runners():
        return [p for p in psutil.process_iter(["cmdline"])
                if any(str(tmp_path) in part for part in p.info["cmdline"] or [])]

    deadline = time.monotonic() + 15  # killed: a sandbox may take a moment to go
    while runners() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert runners() == []


@pytest.mark.parametrize("text, size", [("4GiB", 4 * 2**30), ("512M", 512 * 2**20),
                                        ("1.5g", int(1.5 * 2**30)), ("1000", 1000)])
def test_memory_sizes(text, size):
    assert cli.parse_bytes(text) == size


def test_an_empty_class_completes_with_exit_status_0(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    db = tmp_path / "gradebook.db"
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{db}"])
    assert code == 0
    header = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert header == ["learner_id,assignment,score,max_score,status,"
                      "test_train_step_numpy,test_train_step_tf,test_convergence,"
                      "test_fastest_learning_rate,seed,raw_score,late_penalty,"
                      "submitted_at"]


class _Terminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_the_progress_bar_shows_counts_and_an_eta_on_a_terminal_only(capsys):
    from autograder.progress import ProgressBar

    terminal = _Terminal()
    bar = ProgressBar("grading linear_fit", terminal)
    bar(0, 4)
    bar(2, 4)
    bar(4, 4)
    assert "2/4" in terminal.text and "ETA 00:00" in terminal.text
    assert terminal.text.endswith("\n")
    ProgressBar("grading linear_fit")(1, 4)  # stderr is captured: not a terminal
    assert capsys.readouterr().err == ""


def test_the_in_process_alembic_head_is_the_one_nbgrader_would_stamp():
    # What nbgrader itself runs (nbgrader.api.get_alembic_version, which the grader replaces).
    import subprocess
    import sys
    from pathlib import Path

    from nbgrader.dbutil import _temp_alembic_ini

    alembic = Path(sys.executable).with_name("alembic")
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        heads = subprocess.check_output([str(alembic), "-c", ini, "heads"], text=True)
    assert gradebook.alembic_head() == heads.split()[0]


def test_hostile_files_that_break_the_parser_end_only_their_own_grading(tmp_path, capsys):
    import csv

    broken = {
        "deep": b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "huge_number": b'{"cells": [], "nbformat": ' + b"9" * 5000 + b"}",
        "surrogate": b'{"cells": [{"cell_type": "code", "source": "\\ud800"}], "nbformat": 4}',
    }
    for learner, content in broken.items():
        (tmp_path / "subs" / learner).mkdir(parents=True)
        (tmp_path / "subs" / learner / "linear_fit.ipynb").write_bytes(content)
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'gb.db'}"])
    assert code == 0
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = {row["learner_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(broken)
    for row in rows.values():
        assert row["score"] == "0" and row["status"].startswith("corrupt file"), row

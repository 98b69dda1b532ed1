"""One batch of honest, broken and hostile linear_fit submissions, graded in the sandbox.

The class (tests/autograder/grading_corpus.py, cells in files/hostile/) is graded once by the
real command with --jobs 2; the tests then read what it left behind. Every kernel run costs
~10 s of CPU, so the class is built to need as few as possible.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

import grading_corpus
import grading_templates
import host_memory
from autograder import assignments, batch, gradebook
from autograder.sandbox import memory_protection, workspace
from autograder.sandbox.limits import GiB, Limits
from autograder.plain_text import is_plain

pytestmark = [pytest.mark.slow,
              pytest.mark.sandbox]

MAX_SCORE = sum(assignments.grade_cells("linear_fit").values())
LIMITS = Limits(cell_timeout=60, wall_seconds=300, memory_bytes=int(1.5 * GiB))
SEED = 1
# Each of the two jobs may hold --memory plus its in-memory folders; the margin per job
# covers the grader's own share (bubblewrap, the runner's pipes, the gradebook).
MEMORY_BOUND = 2 * (LIMITS.memory_bytes + memory_protection.folder_bytes(LIMITS.disk_bytes, True)
                    + GiB // 2)


def _hashes(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink():
            found[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# Both ways a sandboxed run starts: forked by the batch's grading template, and a fresh
# sandboxed Python per submission (--no-zygote).
WAYS = {"template": [], "plain": ["--no-zygote"]}


@pytest.fixture(scope="module", params=sorted(WAYS))
def graded(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    submissions, out, db = root / "submissions", root / "out", root / "gradebook.db"
    grading_corpus.build_class(submissions)
    before = _hashes(submissions)
    command = [sys.executable, "-m", "autograder", "grade", "linear_fit", str(submissions),
               "--out", str(out), "--jobs", "2", "--db", f"sqlite:///{db}",
               "--timeout", str(LIMITS.cell_timeout), "--wall", str(LIMITS.wall_seconds),
               "--memory", str(LIMITS.memory_bytes), "--seed", str(SEED),
               *WAYS[request.param]]
    # Where no control group can be made, the host floor must hold the same bound.
    protection = memory_protection.choose()
    protection.remove()
    floor = psutil.virtual_memory().available - (MEMORY_BOUND - GiB)  # 1 GiB early
    command += ["--host-floor", str(floor)]
    finished, memory_drop = host_memory.run_watching_memory(command, timeout=1800, cwd=root)
    if not (out / "grades.csv").is_file():  # say why, not just that a file is missing
        pytest.fail(f"the grading command wrote no grades.csv (exit {finished.returncode}); "
                    f"its stderr ends:\n{finished.stderr[-4000:]}")
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["learner_id"]: row for row in csv.DictReader(file)}
    return {"root": root, "submissions": submissions, "out": out, "db": db,
            "before": before, "process": finished, "rows": rows, "memory_drop": memory_drop,
            "cgroups": protection.groups is not None, "way": request.param,
            "limits": replace(LIMITS, zygote=request.param == "template")}


def test_the_batch_completes_with_exit_status_0(graded):
    process = graded["process"]
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr
    assert process.stdout.startswith(f"graded {len(grading_corpus.EXPECTED)} submissions")
    assert sorted(graded["rows"]) == sorted(grading_corpus.EXPECTED)


@pytest.mark.parametrize("learner", sorted(grading_corpus.EXPECTED))
def test_each_learner_gets_the_expected_score_and_status(graded, learner):
    expected_score, status = grading_corpus.EXPECTED[learner]
    if not graded["cgroups"]:
        status = grading_corpus.WITHOUT_CGROUPS.get(learner, status)
    expected_score = MAX_SCORE if expected_score == grading_corpus.FULL else expected_score
    row = graded["rows"][learner]
    assert float(row["score"]) == expected_score, row
    assert float(row["max_score"]) == MAX_SCORE
    assert status in row["status"], row
    parts = [float(row[g]) for g in assignments.grade_cells("linear_fit")]
    assert sum(parts) == pytest.approx(float(row["score"]))


def test_no_hostile_submission_cost_the_batch_its_template(graded):
    # A lost template says so on stderr, and its submission is graded again the plain way.
    lost = [line for line in graded["process"].stderr.splitlines()
            if line.startswith("grading template:")]
    assert lost == []


def test_no_input_file_changed(graded):
    assert _hashes(graded["submissions"]) == graded["before"]


def test_no_file_was_planted_anywhere_the_grader_can_see(graded):
    repo = assignments.REPO_ROOT
    planted = [p for p in repo.rglob(grading_corpus.PWNED_NAME)]
    planted += [p for p in graded["root"].rglob(grading_corpus.PWNED_NAME)]
    planted += [p for p in (Path("/"), repo.parent) if (p / grading_corpus.PWNED_NAME).exists()]
    assert planted == []


def test_no_process_is_left_behind(graded):
    leftovers = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if any(marker in cmdline for marker in grading_corpus.LEFTOVER_MARKERS) or \
                str(graded["root"]) in cmdline and "bwrap" in cmdline:
            leftovers.append(cmdline)
    assert leftovers == []


def test_the_batch_says_once_how_the_hosts_memory_is_protected(graded):
    said = [line for line in graded["process"].stderr.splitlines()
            if line.startswith("memory protection: ")]
    expected = "a control group per submission" if graded["cgroups"] else "a floor of"
    assert len(said) == 1 and said[0].startswith(f"memory protection: {expected}"), said


def test_the_host_never_lost_more_memory_than_the_caps_allow(graded):
    # The socket and inode hogs hold memory no process's resident set shows (about 12 GiB
    # and 3 GiB when unchecked).
    assert graded["memory_drop"] <= MEMORY_BOUND


def test_the_gradebook_holds_every_learners_score(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['db']}", course_id=gradebook.course_id()) as book:
        for learner, row in graded["rows"].items():
            submission = book.find_submission("linear_fit", learner)
            assert submission.score == pytest.approx(float(row["score"]))
            assert submission.max_score == pytest.approx(MAX_SCORE)


def test_feedback_exists_for_everyone_and_hides_the_hidden_tests(graded):
    for learner, row in graded["rows"].items():
        page = (graded["out"] / "feedback" / learner / "linear_fit"
                / "linear_fit.html").read_text()
        assert f"{float(row['score']):g} of" in page
        assert "HIDDEN TESTS" not in page and "probe.check" not in page


def test_no_written_file_holds_terminal_control_characters(graded):
    # control_chars raised with ESC/OSC/BEL/C1 sequences: shown escaped, never as they are.
    page = graded["out"] / "feedback" / "control_chars" / "linear_fit" / "linear_fit.html"
    assert "the tape was lost\\x1b]0;pwned\\x07\\x1b]52;c;" in page.read_text(encoding="utf-8")
    written = [path for path in graded["out"].rglob("*") if path.is_file()]
    assert len(written) > len(grading_corpus.EXPECTED)  # grades.csv and every page at least
    for path in written:
        # Only \r of the csv module's \r\n row ends is allowed beyond what plain() keeps.
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        assert is_plain(text), path
    with sqlite3.connect(graded["db"]) as connection:
        assert is_plain("\n".join(connection.iterdump()))


def test_one_job_gives_the_same_results_as_two(graded, tmp_path):
    learners = ["correct_learner", "edited_tests", "corrupt_json", "os_exit"]
    grading_corpus.build_class(tmp_path, learners)
    results = batch.grade_batch("linear_fit", tmp_path, jobs=1, limits=graded["limits"],
                                base_seed=SEED)
    for result in results:
        row = graded["rows"][result.learner_id]
        assert (f"{result.score:g}", result.status) == (row["score"], row["status"])
        assert {p.grade_id: f"{p.score:g}" for p in result.parts} == \
            {g: row[g] for g in assignments.grade_cells("linear_fit")}


def test_a_template_killed_mid_batch_changes_no_grade(graded, tmp_path):
    # Graded with the template whichever way the class was: both ways give the same grades.
    learners = ["correct_learner", "edited_tests", "os_exit", "kills_parent"]
    grading_corpus.build_class(tmp_path, learners)
    killed = []

    def a_template_with_a_run():
        return next((t for t in grading_templates.templates(psutil.Process()) if t.children()),
                    None)

    def kill(template):
        template.kill()
        killed.append(template.pid)

    killer = grading_templates.when(a_template_with_a_run, kill)
    results = batch.grade_batch("linear_fit", tmp_path, jobs=2,
                                limits=replace(LIMITS, zygote=True), base_seed=SEED)
    killer.join()
    assert killed, "no template was killed"
    for result in results:
        row = graded["rows"][result.learner_id]
        assert (f"{result.score:g}", result.status) == (row["score"], row["status"])


def test_without_the_sandbox_grades_agree_and_escaped_daemons_still_end(graded, tmp_path):
    # --no-sandbox has no PID namespace: the double-forked daemon of background_processes
    # leaves the runner's tree and process group, and is found again because the grader
    # adopts orphans.
    learners = ["correct_learner", "background_processes"]
    grading_corpus.build_class(tmp_path, learners)
    results = batch.grade_batch("linear_fit", tmp_path, jobs=2, limits=LIMITS,
                                base_seed=SEED, use_sandbox=False)
    for result in results:
        row = graded["rows"][result.learner_id]
        assert (f"{result.score:g}", result.status) == (row["score"], row["status"])
    leftovers = [" ".join(p.info["cmdline"] or []) for p in psutil.process_iter(["cmdline"])
                 if any(m in " ".join(p.info["cmdline"] or [])
                        for m in grading_corpus.LEFTOVER_MARKERS)]
    assert leftovers == []


def test_nbgrader_export_reads_the_same_grades(graded, tmp_path):
    nbgrader = Path(sys.executable).parent / "nbgrader"
    env = dict(os.environ, PATH=f"{nbgrader.parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([str(nbgrader), "export", f"--CourseDirectory.db_url=sqlite:///{graded['db']}",
                    f"--CourseDirectory.root={tmp_path}"],
                   check=True, capture_output=True, cwd=tmp_path, env=env, timeout=300)
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as file:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(file)}
    assert exported == {learner: float(row["score"]) for learner, row in graded["rows"].items()}


def test_a_workspace_left_by_a_killed_grader_is_removed_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace.tempfile, "gettempdir", lambda: str(tmp_path))
    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = tmp_path / f"{workspace.PREFIX}{finished.pid}-x1"
    (stale / "kernel-lib").mkdir(parents=True)
    (stale / "kernel-lib" / "probe.py").write_text("")
    (stale / "kernel-lib").chmod(0o555)  # read-only, as the grader leaves it
    alive = tmp_path / f"{workspace.PREFIX}{os.getpid()}-x2"
    alive.mkdir()
    workspace.remove_stale_workspaces()
    assert not stale.exists() and alive.exists()

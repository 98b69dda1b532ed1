"""The grading journal: what it keeps, what it refuses, and when a result is reused.

Fast: the command-level tests grade only files that never reach a kernel (not notebooks),
so each run takes a few seconds. The SIGKILL-and-resume test is test_grade_resume.py.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from datetime import datetime, timezone

import pytest

from autograder import batch, cli, journal
from autograder.results import PartResult as Part, Result

SETTINGS = {"source_notebook": "abc", "limits": {"cell_timeout": 180.0}, "sandbox": True,
            "grader_code": "def"}


def _result(learner: str, score: float = 1.5, status: str = "graded") -> Result:
    return Result(learner, "linear_fit", score, 10.0, status,
                  [Part("test_train_step_numpy", score, 4.0, "trajectory", "sign flipped"),
                   Part("test_convergence", 0.0, 6.0, "missing", "not reached")],
                  ["cell 6 (train_step_numpy): ValueError: no"],
                  datetime(2026, 3, 1, 12, 30, 5, 250, tzinfo=timezone.utc))


def _journal(tmp_path, settings=SETTINGS, **options) -> journal.Journal:
    warnings = []
    record = journal.Journal(journal.journal_path(tmp_path / "out", "linear_fit"),
                             "linear_fit", settings, warn=warnings.append, **options)
    record.warnings = warnings
    return record


def test_a_result_survives_the_round_trip_through_json_whole():
    result = _result("ada")
    data = result.to_dict()
    assert set(data) == {f.name for f in dataclasses.fields(Result)}  # no field forgotten
    assert Result.from_dict(json.loads(json.dumps(data))) == result
    no_date = dataclasses.replace(result, submitted_at=None, learner_errors=[])
    assert Result.from_dict(json.loads(json.dumps(no_date.to_dict()))) == no_date


@pytest.mark.parametrize("damage", [
    lambda d: d.pop("parts"),
    lambda d: d.update(score=True),
    lambda d: d.update(status=None),
    lambda d: d.update(extra=1),
    lambda d: d["parts"][0].pop("stage"),
    lambda d: d["parts"].append("not a part"),
    lambda d: d.update(learner_errors=[1]),
    lambda d: d.update(submitted_at="yesterday"),
])
def test_anything_but_a_whole_result_is_refused(damage):
    data = _result("ada").to_dict()
    damage(data)
    with pytest.raises(ValueError):
        Result.from_dict(data)


def test_recorded_results_read_back_equal_and_the_latest_counts(tmp_path):
    with _journal(tmp_path) as record:
        record.record(_result("ada", 1.0), "sha256:1")
        record.record(_result("bob"), "sha256:2")
        record.record(_result("ada", 3.0), "sha256:1")  # graded again: this one counts
    found, why = _journal(tmp_path).reusable({"ada": "sha256:1", "bob": "sha256:2",
                                              "cy": "sha256:3"})
    assert {learner: entry.result for learner, entry in found.items()} == {
        "ada": _result("ada", 3.0), "bob": _result("bob")}
    assert why == {"not graded yet": 1}


def test_learner_text_cannot_forge_a_line(tmp_path):
    forged = json.dumps({"format": 1, "learner_id": "bob"})
    with _journal(tmp_path) as record:
        record.record(_result("ada", status=f"graded\n{forged}\n"), "sha256:1")
    assert record.path.read_bytes().count(b"\n") == 1
    found, _ = _journal(tmp_path).reusable({"ada": "sha256:1"})
    assert found["ada"].result.status == f"graded\n{forged}\n"


def test_a_torn_last_line_is_ignored_and_cut_off_by_the_next_result(tmp_path):
    with _journal(tmp_path) as record:
        record.record(_result("ada"), "sha256:1")
    whole = record.path.read_bytes()
    torn = json.dumps({"format": 1, "assignment": "linear_fit", "learner_id": "bob"})[:40]
    with open(record.path, "ab") as file:  # the grader died while writing bob's line
        file.write(torn.encode())
    reader = _journal(tmp_path)
    found, why = reader.reusable({"ada": "sha256:1", "bob": "sha256:2"})
    assert set(found) == {"ada"} and why == {"not graded yet": 1}
    assert reader.warnings == []  # a torn tail is what a crash leaves: nothing to warn about
    with reader:
        reader.record(_result("bob"), "sha256:2")
    content = record.path.read_bytes()
    assert content.startswith(whole)
    assert json.loads(content[len(whole):])["learner_id"] == "bob"  # the torn bytes are gone
    found, _ = _journal(tmp_path).reusable({"ada": "sha256:1", "bob": "sha256:2"})
    assert set(found) == {"ada", "bob"}


def test_corrupt_and_foreign_lines_are_skipped_with_a_warning(tmp_path):
    with _journal(tmp_path) as record:
        record.record(_result("ada"), "sha256:1")
        record.record(_result("bob"), "sha256:2")
    lines = record.path.read_text().splitlines()
    foreign = json.loads(lines[0])
    foreign["assignment"] = "tapes"
    record.path.write_text("\n".join([lines[0], "{not json", json.dumps(foreign),
                                      lines[1].replace('"score": 1.5', '"score": "x"', 1),
                                      "\x00\xff garbage"]) + "\n")
    reader = _journal(tmp_path)
    found, why = reader.reusable({"ada": "sha256:1", "bob": "sha256:2"})
    assert set(found) == {"ada"} and why == {"not graded yet": 1}  # bob is graded again
    assert len(reader.warnings) == 4
    assert all("skipped" in warning for warning in reader.warnings)
    reader.reusable({"ada": "sha256:1"})
    assert len(reader.warnings) == 4  # read again at the end of the run: said once


def test_a_changed_file_or_changed_settings_are_graded_again(tmp_path):
    with _journal(tmp_path) as record:
        record.record(_result("ada"), "sha256:1")
        record.record(_result("bob"), "sha256:2")
    found, why = _journal(tmp_path).reusable({"ada": "sha256:1", "bob": "sha256:CHANGED"})
    assert set(found) == {"ada"} and why == {"submission changed": 1}
    stricter = dict(SETTINGS, limits={"cell_timeout": 60.0})
    found, why = _journal(tmp_path, stricter).reusable({"ada": "sha256:1"})
    assert found == {} and why == {"limits changed": 1}
    new_tests = dict(SETTINGS, source_notebook="xyz", grader_code="uvw")
    _, why = _journal(tmp_path, new_tests).reusable({"ada": "sha256:1"})
    assert why == {"source notebook and grader code changed": 1}


def test_an_older_line_that_still_matches_is_reused(tmp_path):
    # Graded with 180 s cells, then 60 s, then 180 s again: the first grading still holds.
    with _journal(tmp_path) as record:
        record.record(_result("ada", 1.0), "sha256:1")
    with _journal(tmp_path, dict(SETTINGS, limits={"cell_timeout": 60.0})) as record:
        record.record(_result("ada", 2.0), "sha256:1")
    found, _ = _journal(tmp_path).reusable({"ada": "sha256:1"})
    assert found["ada"].result.score == 1.0


def test_starting_afresh_drops_the_old_lines_only_when_a_new_result_arrives(tmp_path):
    with _journal(tmp_path) as record:
        record.record(_result("ada"), "sha256:1")
    before = record.path.read_bytes()
    with _journal(tmp_path, start_afresh=True) as afresh:
        afresh.open(create=False)
        assert record.path.read_bytes() == before  # nothing graded yet: nothing lost
        afresh.record(_result("bob"), "sha256:2")
    found, _ = _journal(tmp_path).reusable({"ada": "sha256:1", "bob": "sha256:2"})
    assert set(found) == {"bob"}


def test_a_second_writer_is_refused(tmp_path):
    with _journal(tmp_path) as first:
        first.record(_result("ada"), "sha256:1")
        with pytest.raises(journal.JournalError, match="another grading run"):
            _journal(tmp_path).open(create=False)


def test_fingerprints_follow_the_content_not_the_date(tmp_path):
    (tmp_path / "ada").mkdir()
    notebook = tmp_path / "ada" / "linear_fit.ipynb"
    notebook.write_text('{"cells": []}')
    first = journal.fingerprint(tmp_path, "ada", "linear_fit")
    assert first.startswith("sha256:")
    os.utime(notebook, (1, 1))  # copied again from the course site: same bytes
    assert journal.fingerprint(tmp_path, "ada", "linear_fit") == first
    notebook.write_text('{"cells": [1]}')
    assert journal.fingerprint(tmp_path, "ada", "linear_fit") != first


def test_fingerprints_of_what_is_not_a_notebook_file(tmp_path):
    for learner in ("fifo", "link", "none"):
        (tmp_path / learner).mkdir()
    os.mkfifo(tmp_path / "fifo" / "linear_fit.ipynb")  # must not block the grader
    os.symlink("/etc/passwd", tmp_path / "link" / "linear_fit.ipynb")
    os.symlink(tmp_path / "none", tmp_path / "folder_link")
    prints = {learner: journal.fingerprint(tmp_path, learner, "linear_fit")
              for learner in ("fifo", "link", "none", "folder_link")}
    assert prints == {"fifo": "not a file:10000", "link": "symlink:/etc/passwd",
                      "none": "missing", "folder_link": f"folder symlink:{tmp_path / 'none'}"}


# -- the command ---------------------------------------------------------------------------

def _class(folder, **files: bytes):
    for learner, content in files.items():
        (folder / learner).mkdir(parents=True, exist_ok=True)
        (folder / learner / "linear_fit.ipynb").write_bytes(content)


def _grade(tmp_path, capsys, *extra) -> tuple[int, str, dict]:
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path / 'gb.db'}", *extra])
    err = capsys.readouterr().err
    rows = {}
    if (tmp_path / "out" / "grades.csv").exists():
        with open(tmp_path / "out" / "grades.csv", newline="") as handle:
            rows = {row["learner_id"]: row["status"] for row in csv.DictReader(handle)}
    return code, err, rows


def _lines(tmp_path) -> list[dict]:
    path = journal.journal_path(tmp_path / "out", "linear_fit")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_command_resumes_regrades_changed_files_and_regrades_all_on_request(
        tmp_path, capsys):
    _class(tmp_path / "subs", ada=b"{oops", bob=b"hello")
    code, err, rows = _grade(tmp_path, capsys)
    assert code == 0 and "resumed" not in err
    assert sorted(line["learner_id"] for line in _lines(tmp_path)) == ["ada", "bob"]
    assert rows["ada"].startswith("corrupt file") and rows["bob"].startswith("not a notebook")
    first = _lines(tmp_path)

    (tmp_path / "out" / "grades.csv").unlink()  # rebuilt from the journal
    _class(tmp_path / "subs", bob=b"{oops")  # bob hands in again
    code, err, rows = _grade(tmp_path, capsys)
    assert code == 0
    assert "resumed 1 of 2 results" in err and "1 submission changed" in err
    lines = _lines(tmp_path)
    assert lines[:2] == first and [line["learner_id"] for line in lines[2:]] == ["bob"]
    assert rows["bob"].startswith("corrupt file") and rows["ada"].startswith("corrupt file")
    for learner in ("ada", "bob"):
        assert (tmp_path / "out" / "feedback" / learner / "linear_fit"
                / "linear_fit.html").is_file()

    code, err, rows = _grade(tmp_path, capsys, "--regrade")
    assert code == 0 and "resumed" not in err
    assert sorted(line["learner_id"] for line in _lines(tmp_path)) == ["ada", "bob"]
    assert all(line not in first for line in _lines(tmp_path))  # both graded anew


def test_a_journal_in_use_is_a_one_line_error_that_changes_nothing(tmp_path, capsys):
    _class(tmp_path / "subs", ada=b"{oops")
    assert _grade(tmp_path, capsys)[0] == 0
    path = journal.journal_path(tmp_path / "out", "linear_fit")
    before = path.read_bytes()
    with journal.Journal(path, "linear_fit", {}) as other:
        other.open(create=False)
        code, err, _ = _grade(tmp_path, capsys, "--regrade")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("autograder: error: another grading run is writing")
    assert path.read_bytes() == before


def test_resumed_learners_count_as_done_and_are_not_returned(tmp_path):
    _class(tmp_path, ada=b"{oops", bob=b"hello", cy=b"")
    calls, judged = [], []
    results = batch.grade_batch("linear_fit", tmp_path, skip={"bob"},
                                on_progress=lambda done, total: calls.append((done, total)),
                                on_result=judged.append)
    assert [r.learner_id for r in results] == ["ada", "cy"]
    assert judged == results  # each handed over as soon as it was judged
    assert calls[0] == (1, 3) and calls[-1] == (3, 3)
    calls.clear()
    assert batch.grade_batch("linear_fit", tmp_path, skip={"ada", "bob", "cy"},
                             on_progress=lambda *a: calls.append(a)) == []
    assert calls == [(3, 3)]


def test_the_eta_counts_only_the_submissions_graded_in_this_run(monkeypatch):
    from autograder import progress

    clock = iter([100.0, 100.0, 130.0])  # made, drawn at once, then 30 s later
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    written = []
    terminal = type("Terminal", (), {"isatty": lambda self: True, "flush": lambda self: None,
                                     "write": lambda self, text: written.append(text)})()
    bar = progress.ProgressBar("grading", terminal)
    bar(8, 10)  # eight resumed from the journal, at no cost
    bar(9, 10)
    assert "9/10  ETA 00:30" in written[-1]  # not 30 s / 9 * 1


def _grader_code(monkeypatch, tmp_path, edit) -> str:
    """The journal's grader_code after ``edit(text)`` of a copy of the message catalogue."""
    from autograder import assignments, messages
    from autograder.sandbox.limits import Limits

    copy = tmp_path / "messages.yml"
    copy.write_text(edit(messages.CATALOGUE.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setattr(messages, "CATALOGUE", copy)
    return journal.grading_settings(assignments.get("linear_fit"), Limits(),
                                    True)["grader_code"]


def _relabel(text: str, group: str) -> str:
    """The catalogue with the first English phrase of ``group`` reworded."""
    start = text.index(f"\n{group}:\n")
    at = text.index(" en: ", start) + len(" en: ")
    return text[:at] + "Reworded " + text[at:]


def test_relabelling_the_feedback_page_regrades_nobody_but_rewording_a_status_does(
        monkeypatch, tmp_path):
    unchanged = _grader_code(monkeypatch, tmp_path, lambda text: text)
    assert _grader_code(monkeypatch, tmp_path, lambda t: _relabel(t, "feedback")) == unchanged
    assert _grader_code(monkeypatch, tmp_path, lambda t: _relabel(t, "picture")) == unchanged
    assert _grader_code(monkeypatch, tmp_path, lambda t: _relabel(t, "status")) != unchanged
    assert _grader_code(monkeypatch, tmp_path, lambda t: _relabel(t, "bug")) != unchanged


def test_the_cluster_orchestration_is_presentation_but_running_a_notebook_is_not():
    from autograder.cluster import coordinator, worker_task

    package = journal.Path(journal.__file__).parent
    shown = {module: journal.Path(module.__file__).relative_to(package).as_posix()
             for module in (coordinator, worker_task)}
    assert shown[coordinator] in journal.PRESENTATION_ONLY
    assert shown[worker_task] not in journal.PRESENTATION_ONLY

"""Regrades into an existing --out: --only, --force, --seed, and rows that are never dropped.

Fast: the command-level tests grade files that never reach a kernel (a corrupt notebook's
status tells which file was graded), a few seconds a run. One test runs real notebooks, to
show that --seed reproduces a learner's partial credit exactly.
"""

from __future__ import annotations

import csv
import json
import os

import nbformat
import pytest

import grading_corpus
from autograder import assignments, batch, cli, gradebook, journal, submission
from autograder.results import PartResult, Result

CORRUPT, NOT_NOTEBOOK = b"{oops", b"hello"  # statuses "corrupt file" and "not a notebook"


@pytest.fixture(autouse=True)
def steady_settings(monkeypatch):
    """The grader's own code is hashed into a journal's settings once per test: a file of
    the tree edited while a test runs must not look like a new grader."""
    real, taken = journal.grading_settings, {}

    def settings(*args):
        return taken.setdefault(repr(args), real(*args))

    monkeypatch.setattr(journal, "grading_settings", settings)


def _class(folder, assignment="linear_fit", **files: bytes):
    for learner, content in files.items():
        (folder / learner).mkdir(parents=True, exist_ok=True)
        (folder / learner / f"{assignment}.ipynb").write_bytes(content)


def _grade(tmp_path, capsys, *extra, assignment="linear_fit", subs="subs"):
    code = cli.main(["grade", assignment, str(tmp_path / subs), "--out", str(tmp_path / "out"),
                     "--db", f"sqlite:///{tmp_path / 'gb.db'}", "--no-sandbox", *extra])
    return code, capsys.readouterr().err


def _rows(tmp_path) -> dict[tuple[str, str], dict]:
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as handle:
        return {(row["assignment"], row["learner_id"]): row for row in csv.DictReader(handle)}


def _journal(tmp_path, assignment="linear_fit") -> list[dict]:
    path = journal.journal_path(tmp_path / "out", assignment)
    return [json.loads(line) for line in path.read_text().splitlines()]


def _page(tmp_path, learner) -> str:
    return (tmp_path / "out" / "feedback" / learner / "linear_fit" / "linear_fit.html").read_text()


def test_only_grades_just_those_learners_and_leaves_everyone_elses_outputs(
        tmp_path, capsys, monkeypatch):
    _class(tmp_path / "subs", ada=CORRUPT, bob=NOT_NOTEBOOK, cy=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    before, pages = _rows(tmp_path), {who: _page(tmp_path, who) for who in ("ada", "cy")}
    lines = _journal(tmp_path)

    _class(tmp_path / "subs", bob=CORRUPT, cy=CORRUPT)  # both hand in again
    recorded = []
    real_record = gradebook.record
    monkeypatch.setattr(gradebook, "record", lambda url, assignment, results, **options: (
        recorded.extend(r.learner_id for r in results),
        real_record(url, assignment, results, **options)))
    code, err = _grade(tmp_path, capsys, "--only", "bob")
    assert code == 0, err
    after = _rows(tmp_path)
    assert after[("linear_fit", "bob")]["status"].startswith("corrupt file")
    # cy's notebook changed too, but only bob was asked for: cy's row, page, entry stay.
    assert after[("linear_fit", "cy")] == before[("linear_fit", "cy")]
    assert after[("linear_fit", "ada")] == before[("linear_fit", "ada")]
    assert {who: _page(tmp_path, who) for who in ("ada", "cy")} == pages
    assert "corrupt file" in _page(tmp_path, "bob")
    assert _journal(tmp_path)[:3] == lines
    assert [line["learner_id"] for line in _journal(tmp_path)[3:]] == ["bob"]
    assert recorded == ["bob"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}", course_id=gradebook.course_id()) as book:
        assert sorted(s.id for s in book.students) == ["ada", "bob", "cy"]

    # --only grades its learners again even when nothing changed: a regrade was asked for.
    code, err = _grade(tmp_path, capsys, "--only", "ada,cy")
    assert code == 0 and "resumed" not in err
    assert sorted(line["learner_id"] for line in _journal(tmp_path)[4:]) == ["ada", "cy"]
    assert _rows(tmp_path)[("linear_fit", "cy")]["status"].startswith("corrupt file")


def test_only_naming_unknown_learners_is_a_one_line_error_before_anything(tmp_path, capsys):
    _class(tmp_path / "subs", ada=CORRUPT, bob=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    journal_before = journal.journal_path(tmp_path / "out", "linear_fit").read_bytes()
    csv_before = (tmp_path / "out" / "grades.csv").read_bytes()
    code, err = _grade(tmp_path, capsys, "--only", "bob,zed, yan")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("autograder: error: --only names learners not found in the "
                          "submissions: zed, yan")
    assert journal.journal_path(tmp_path / "out", "linear_fit").read_bytes() == journal_before
    assert (tmp_path / "out" / "grades.csv").read_bytes() == csv_before


@pytest.mark.parametrize("argv, message", [
    (["--only", " , "], "invalid list ' , '"),
    (["--seed", "-1"], "invalid seed '-1'"),
    (["--seed", "2147483648"], "invalid seed"),
    (["--seed", "1e3"], "invalid seed"),
])
def test_bad_only_or_seed_values_are_one_line_errors(tmp_path, capsys, argv, message):
    (tmp_path / "subs").mkdir()
    code, err = _grade(tmp_path, capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "out").exists()


def test_another_assignment_or_a_smaller_class_never_drops_rows(tmp_path, capsys):
    _class(tmp_path / "subs", ada=CORRUPT, bob=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    _class(tmp_path / "tensor_subs", assignment="tensors", ada=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys, assignment="tensors", subs="tensor_subs")[0] == 0
    rows = _rows(tmp_path)
    assert sorted(rows) == [("linear_fit", "ada"), ("linear_fit", "bob"), ("tensors", "ada")]
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    parts = {name: list(assignments.grade_cells(name)) for name in ("linear_fit", "tensors")}
    both = [*parts["linear_fit"], *parts["tensors"]]  # the union, each in notebook order
    assert header[:5 + len(both)] == ["learner_id", "assignment", "score", "max_score",
                                      "status", *both]
    assert "seed" in header[5 + len(both):]
    # A part of another assignment is blank, not a score of 0.
    assert all(rows[("tensors", "ada")][g] == "" for g in parts["linear_fit"])
    assert all(rows[("linear_fit", "bob")][g] == "0" for g in parts["linear_fit"])
    assert all(rows[("linear_fit", "bob")][g] == "" for g in parts["tensors"])

    # bob's folder leaves the class: his last grade stays in grades.csv.
    (tmp_path / "subs" / "bob" / "linear_fit.ipynb").unlink()
    (tmp_path / "subs" / "bob").rmdir()
    _class(tmp_path / "subs", ada=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    rows_after = _rows(tmp_path)
    assert rows_after[("linear_fit", "bob")] == rows[("linear_fit", "bob")]
    assert rows_after[("linear_fit", "ada")]["status"].startswith("not a notebook")
    assert rows_after[("tensors", "ada")] == rows[("tensors", "ada")]

    # Without a grades.csv to keep rows from, every journal gives them back.
    (tmp_path / "out" / "grades.csv").unlink()
    assert _grade(tmp_path, capsys)[0] == 0
    assert sorted(_rows(tmp_path)) == sorted(rows)
    assert _rows(tmp_path)[("tensors", "ada")]["status"].startswith("not a notebook")


def test_rows_not_graded_now_keep_every_cell_of_the_previous_grades_csv(tmp_path, capsys):
    from autograder import class_grades

    def result(learner, score, seed):
        return Result(learner, "tensors", score, 2.0, "graded",
                      [PartResult("test_a", score, 2.0, "passed", "")], seed=seed)

    path = tmp_path / "grades.csv"
    class_grades.write(path, [], [result("ada", 1.0, 3), result("bob", 2.0, 4)], ["test_a"])
    lines = path.read_text().splitlines()  # a column the instructor added, filled for ada
    lines = [lines[0] + ",note", lines[1] + ",kept by hand", lines[2] + ","]
    path.write_text("\n".join(lines) + "\n")
    # bob graded again; ada's journaled result differs from her row, which wins.
    class_grades.write(path, [result("bob", 0.5, 9)],
                       [result("ada", 0.0, 7), result("bob", 0.5, 9)], ["test_a"])
    with open(path, newline="", encoding="utf-8") as handle:
        rows = {row["learner_id"]: row for row in csv.DictReader(handle)}
    assert (rows["ada"]["score"], rows["ada"]["seed"], rows["ada"]["note"]) == \
        ("1", "3", "kept by hand")
    assert (rows["bob"]["score"], rows["bob"]["seed"], rows["bob"]["note"]) == ("0.5", "9", "")

    path.write_bytes(b"\xff\xfe not a csv")  # unreadable: rebuilt from the results, said
    class_grades.write(path, [], [result("ada", 0.0, 7)], ["test_a"])
    assert "could not be read as a grades.csv" in capsys.readouterr().err
    assert path.read_text().splitlines()[1].startswith("ada,tensors,0,")


def test_a_rerun_rewrites_only_the_outputs_that_change_and_restores_deleted_ones(
        tmp_path, capsys):
    _class(tmp_path / "subs", ada=CORRUPT, bob=CORRUPT)
    assert _grade(tmp_path, capsys)[0] == 0
    out, old = tmp_path / "out", 946_684_800 * 10**9  # 2000-01-01: no run writes this time
    pages = [out / "feedback" / who / "linear_fit" / "linear_fit.html" for who in ("ada", "bob")]
    outputs = [out / "grades.csv", out / "report.html", *pages]
    for path in outputs:
        os.utime(path, ns=(old, old))

    code, err = _grade(tmp_path, capsys)  # nothing changed: nothing is written
    assert code == 0 and "resumed 2 of 2" in err
    assert [path for path in outputs if path.stat().st_mtime_ns != old] == []

    _class(tmp_path / "subs", bob=NOT_NOTEBOOK)  # bob hands in again: his outputs change
    assert _grade(tmp_path, capsys)[0] == 0
    assert [path for path in outputs if path.stat().st_mtime_ns != old] == \
        [out / "grades.csv", out / "report.html", pages[1]]
    assert "not a notebook" in _page(tmp_path, "bob")
    assert _rows(tmp_path)[("linear_fit", "bob")]["status"].startswith("not a notebook")

    pages[0].unlink()  # deleted outputs are written again, unchanged as they are
    (out / "report.html").unlink()
    assert _grade(tmp_path, capsys)[0] == 0
    assert "corrupt file" in _page(tmp_path, "ada") and (out / "report.html").is_file()
    assert not [path for path in out.rglob(".*") if path.suffix in (".new", ".rows")]  # scratch


def test_force_grades_everyone_again_and_regrade_still_means_it(tmp_path, capsys):
    _class(tmp_path / "subs", ada=CORRUPT, bob=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    code, err = _grade(tmp_path, capsys, "--force")
    assert code == 0 and "resumed" not in err
    assert sorted(line["learner_id"] for line in _journal(tmp_path)) == ["ada", "bob"]  # afresh
    first = _journal(tmp_path)
    # --force with --only: just those again; the journal keeps everyone else's lines.
    code, err = _grade(tmp_path, capsys, "--regrade", "--only", "bob")
    assert code == 0
    assert _journal(tmp_path)[:2] == first
    assert [line["learner_id"] for line in _journal(tmp_path)[2:]] == ["bob"]


def test_each_result_records_its_seed_and_an_explicit_seed_is_reused_only_if_the_same(
        tmp_path, capsys):
    _class(tmp_path / "subs", ada=CORRUPT, bob=NOT_NOTEBOOK)
    assert _grade(tmp_path, capsys)[0] == 0
    fresh = {who: int(row["seed"]) for (_, who), row in _rows(tmp_path).items()}
    assert {line["learner_id"]: line["result"]["seed"] for line in _journal(tmp_path)} == fresh
    assert all(0 <= seed < 2**31 for seed in fresh.values())

    code, err = _grade(tmp_path, capsys, "--seed", "7")
    assert code == 0 and "2 graded with another seed than 7" in err
    assert {row["seed"] for row in _rows(tmp_path).values()} == {"7"}
    code, err = _grade(tmp_path, capsys, "--seed", "7")
    assert code == 0 and "resumed 2 of 2 results" in err
    assert len(_journal(tmp_path)) == 4
    code, err = _grade(tmp_path, capsys)  # no --seed: any seed's result will do
    assert code == 0 and "resumed 2 of 2 results" in err


def test_a_journal_line_from_before_seeds_were_recorded_still_reads():
    result = Result("ada", "linear_fit", 1.0, 10.0, "graded",
                    [PartResult("test_convergence", 1.0, 2.0, "convergence", "slow")], seed=5)
    data = result.to_dict()
    assert Result.from_dict(json.loads(json.dumps(data))) == result
    del data["seed"]
    assert Result.from_dict(data).seed is None
    for bad in ("5", 1.5, True, -1):
        with pytest.raises(ValueError):
            Result.from_dict({**result.to_dict(), "seed": bad})


def _partly_right(folder, learner: str) -> None:
    """linear_fit with the sign-flipped NumPy step: partial credit (files/linear_fit/)."""
    notebook = grading_corpus.released_with_answers()
    bug = grading_corpus.HOSTILE.parent / "linear_fit" / "train_step_numpy" / "sign_flipped.py"
    for cell in notebook.cells:
        if submission.grade_id_of(cell) == "train_step_numpy":
            cell.source = bug.read_text(encoding="utf-8")
    (folder / learner).mkdir(parents=True)
    nbformat.write(notebook, folder / learner / "linear_fit.ipynb")


@pytest.mark.slow
def test_the_recorded_seed_reproduces_a_learners_grading_exactly(tmp_path, capsys,
                                                                  monkeypatch):
    _partly_right(tmp_path / "subs", "ada")
    _class(tmp_path / "subs", grace=CORRUPT)
    code, err = _grade(tmp_path, capsys, "--jobs", "1")
    assert code == 0, err
    first = {line["learner_id"]: Result.from_dict(line["result"]) for line in _journal(tmp_path)}
    ada = first["ada"]
    assert 0 < ada.score < ada.max_score, ada  # partial credit, or the test shows nothing

    # Nothing changed: nothing runs (the journal's results are reused).
    def no_kernel(*args, **kwargs):
        raise AssertionError("a notebook ran although nothing changed")

    with monkeypatch.context() as patch:
        patch.setattr(batch, "run_notebook", no_kernel)
        code, err = _grade(tmp_path, capsys)
    assert code == 0 and "resumed 2 of 2 results" in err

    code, err = _grade(tmp_path, capsys, "--only", "ada", "--seed", str(ada.seed), "--jobs", "1")
    assert code == 0, err
    again = Result.from_dict(_journal(tmp_path)[-1]["result"])
    assert again.seed == ada.seed
    assert [p.to_dict() for p in again.parts] == [p.to_dict() for p in ada.parts]
    assert _rows(tmp_path)[("linear_fit", "grace")]["seed"] == str(first["grace"].seed)

    # Another seed draws other data: the messages quote it, so they differ.
    other = (ada.seed + 1) % 2**31
    assert _grade(tmp_path, capsys, "--only", "ada", "--seed", str(other))[0] == 0
    moved = Result.from_dict(_journal(tmp_path)[-1]["result"])
    assert [p.message for p in moved.parts] != [p.message for p in ada.parts]

"""Finding each learner's notebook in every layout an instructor has (autograder.intake),
on made-up folder trees: no notebook runs here."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder import batch, intake, journal

A = "linear_fit"
OTHERS = {"tensors", "tapes", "variables", "linear_fit"}
STAMP = "2026-12-01 16:59:03.123456 UTC"  # as nbgrader's exchange writes it


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text}; a path ending in "/" is an empty folder."""
    for name, text in files.items():
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _find(root: Path) -> intake.Intake:
    return intake.find(root, A, OTHERS)


def _graded(found: intake.Intake, root: Path) -> dict[str, str]:
    return {learner: s.path.relative_to(root).as_posix()
            for learner, s in found.submissions.items() if s.path.exists()}


def _accounted(found: intake.Intake, root: Path) -> None:
    """Every file and folder under root is graded, nbgrader's bookkeeping beside a graded
    notebook, the folder of a learner, or listed (or inside a listed folder)."""
    graded = {s.path for s in found.submissions.values()}
    listed = {item.path.rstrip("/") for item in found.skipped}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        inside_listed = any(relative == p or relative.startswith(p + "/") for p in listed)
        if path in graded or inside_listed:
            continue
        if path.name in intake.NBGRADER_FILES:
            continue
        if path.is_dir() and not path.is_symlink() and any(g.is_relative_to(path)
                                                            for g in graded):
            continue  # a folder holding a graded notebook
        if path.is_dir() and path.name in found.submissions:
            continue  # a learner's folder (with nothing gradable: "no submission")
        raise AssertionError(f"{relative} is neither graded nor listed")


def test_the_flat_layout_and_everything_beside_it(tmp_path):
    root = _tree(tmp_path, {
        "ada/linear_fit.ipynb": "{}",
        "ada/tensors.ipynb": "{}",
        "ada/notes.txt": "thanks",
        "ada/.ipynb_checkpoints/linear_fit-checkpoint.ipynb": "{}",
        "bob/essay.txt": "I could not finish",
        ".DS_Store": "x",
        "README.txt": "from the instructor",
    })
    found = _find(root)
    assert found.learners == ["ada", "bob"]
    assert _graded(found, root) == {"ada": "ada/linear_fit.ipynb"}
    assert found.submissions["bob"].path == root / "bob" / "linear_fit.ipynb"  # "not found"
    reasons = {item.path: item.reason for item in found.skipped}
    assert reasons["ada/tensors.ipynb"] == "a notebook of another assignment (tensors)"
    assert reasons["ada/notes.txt"] == "not a notebook"
    assert "checkpoints" in reasons["ada/.ipynb_checkpoints/"]
    assert reasons[".DS_Store"] == "hidden: not read"
    assert "not a learner's folder" in reasons["README.txt"]
    assert found.submissions["ada"].notes == []
    _accounted(found, root)


def test_nbgrader_collect_layout_from_the_submitted_folder_or_the_course_root(tmp_path):
    files = {"submitted/ada/linear_fit/linear_fit.ipynb": "{}",
             "submitted/ada/linear_fit/timestamp.txt": STAMP + "\n",
             "submitted/ada/linear_fit/submission_secret.txt": "secret",
             "submitted/ada/tensors/tensors.ipynb": "{}",
             "submitted/grace/linear_fit/linear_fit.ipynb": "{}",
             "source/linear_fit/linear_fit.ipynb": "{}",
             "gradebook.db": ""}
    root = _tree(tmp_path, files)
    for folder in (root, root / "submitted"):
        found = _find(folder)
        assert _graded(found, folder) == {
            "ada": f"{'submitted/' * (folder == root)}ada/linear_fit/linear_fit.ipynb",
            "grace": f"{'submitted/' * (folder == root)}grace/linear_fit/linear_fit.ipynb"}
        ada = found.submissions["ada"]
        assert ada.submitted_at == datetime(2026, 12, 1, 16, 59, 3, 123456, timezone.utc)
        assert ada.time_source == "timestamp.txt"
        assert found.submissions["grace"].time_source == "the file's modification time"
        _accounted(found, folder)
    reasons = {item.path: item.reason for item in _find(root).skipped}
    assert reasons["source/"] == reasons["gradebook.db"] == \
        "in nbgrader's course folder: only submitted/ is read"
    assert reasons["submitted/ada/tensors/"] == "a folder of another assignment (tensors)"


def test_renamed_copies_are_graded_when_alone_with_a_note(tmp_path):
    root = _tree(tmp_path, {
        "grace/linear_fit (1).ipynb": "{}",
        "kim/linear_fit-Copy1.ipynb": "{}",
        "lee/homework.ipynb": "{}",  # the only notebook, named otherwise
        "max/tensors.ipynb": "{}",  # only another assignment's: not this one's
        "ned/linear_fit/my_fit.ipynb": "{}",  # nbgrader's assignment folder: any name
        "ola/linear_fit.ipynb": "{}",
        "ola/linear_fit-2.ipynb": "{}",
    })
    found = _find(root)
    assert _graded(found, root) == {"grace": "grace/linear_fit (1).ipynb",
                                    "kim": "kim/linear_fit-Copy1.ipynb",
                                    "lee": "lee/homework.ipynb",
                                    "ned": "ned/linear_fit/my_fit.ipynb",
                                    "ola": "ola/linear_fit.ipynb"}
    assert found.submissions["grace"].notes == [
        "graded a renamed copy: grace/linear_fit (1).ipynb"]
    assert "max" in found.submissions and not found.submissions["max"].path.exists()
    reasons = {item.path: item.reason for item in found.skipped}
    assert reasons["ola/linear_fit-2.ipynb"] == \
        "an older copy of ola's notebook (ola/linear_fit.ipynb is graded)"
    assert "graded the newest of 2 copies" in found.submissions["ola"].notes[0]
    _accounted(found, root)


def test_two_files_claiming_one_learner_the_newest_wins(tmp_path):
    root = _tree(tmp_path, {"ada/linear_fit.ipynb": "old",
                            "ada/linear_fit/linear_fit.ipynb": "new",
                            "ada/linear_fit/timestamp.txt": STAMP})
    os.utime(root / "ada" / "linear_fit.ipynb", (0, 0))  # 1970: older than the timestamp
    found = _find(root)
    assert _graded(found, root) == {"ada": "ada/linear_fit/linear_fit.ipynb"}
    assert found.submissions["ada"].notes == [
        "graded the newest of 2 copies: ada/linear_fit/linear_fit.ipynb"]
    os.utime(root / "ada" / "linear_fit.ipynb", (2**31, 2**31))  # 2038: newer
    assert _graded(_find(root), root) == {"ada": "ada/linear_fit.ipynb"}


def test_canvas_download_names(tmp_path):
    root = _tree(tmp_path, {
        "kim_12345_67890_linear_fit.ipynb": "{}",
        "lee_LATE_222_333_linear_fit-1.ipynb": "{}",  # late, resubmitted
        "lee_LATE_222_334_notes.txt": "x",
        "smithjo_7_8_linear_fit.ipynb": "{}",  # two learners of one name
        "smithjo_9_10_linear_fit.ipynb": "{}",
        "pat_5_6_tensors.ipynb": "{}",  # in this assignment's download: pat's answer
    })
    found = _find(root)
    assert _graded(found, root) == {"kim": "kim_12345_67890_linear_fit.ipynb",
                                    "lee": "lee_LATE_222_333_linear_fit-1.ipynb",
                                    "smithjo_7": "smithjo_7_8_linear_fit.ipynb",
                                    "smithjo_9": "smithjo_9_10_linear_fit.ipynb",
                                    "pat": "pat_5_6_tensors.ipynb"}
    assert found.submissions["kim"].late_flag is False
    assert found.submissions["lee"].late_flag is True
    assert found.submissions["lee"].notes == [
        "graded a renamed copy: lee_LATE_222_333_linear_fit-1.ipynb"]
    assert {item.path: item.reason for item in found.skipped} == {
        "lee_LATE_222_334_notes.txt": "not a notebook"}
    _accounted(found, root)


def test_moodle_download_names_as_files_and_as_folders(tmp_path):
    root = _tree(tmp_path, {
        "Ada Lovelace_101_assignsubmission_file_linear_fit.ipynb": "{}",
        "Grace Hopper_102_assignsubmission_file_/linear_fit.ipynb": "{}",
        "Grace Hopper_102_assignsubmission_file_/data.csv": "1,2",
    })
    found = _find(root)
    assert _graded(found, root) == {
        "Ada Lovelace": "Ada Lovelace_101_assignsubmission_file_linear_fit.ipynb",
        "Grace Hopper": "Grace Hopper_102_assignsubmission_file_/linear_fit.ipynb"}
    _accounted(found, root)


def test_symbolic_links_are_never_followed(tmp_path):
    outside = _tree(tmp_path / "outside", {"linear_fit.ipynb": "{}", "x/linear_fit.ipynb": "{}"})
    root = tmp_path / "subs"
    (root / "ada").mkdir(parents=True)
    os.symlink(outside / "linear_fit.ipynb", root / "ada" / "linear_fit.ipynb")
    os.symlink(outside / "x", root / "bob")  # the learner's folder is a link
    (root / "cy").mkdir()
    os.symlink(outside / "x", root / "cy" / "linear_fit")  # nbgrader's folder as a link
    found = _find(root)
    ada, bob = found.submissions["ada"], found.submissions["bob"]
    assert ada.path == root / "ada" / "linear_fit.ipynb" and ada.path.is_symlink()
    assert bob.problem.startswith("refused: the learner's folder is a symbolic link")
    assert {item.path: item.reason for item in found.skipped} == {
        "cy/linear_fit": "a symbolic link: not followed"}
    # The journal fingerprints the same files, through the same search.
    assert journal.fingerprint(root, "ada", A, found) == \
        f"symlink:{outside / 'linear_fit.ipynb'}"
    assert journal.fingerprint(root, "bob", A, found) == f"folder symlink:{outside / 'x'}"


def test_the_batch_and_the_journal_find_the_same_notebook(tmp_path):
    root = _tree(tmp_path, {"ada/linear_fit/linear_fit.ipynb": '{"cells": []}',
                            "kim_1_2_linear_fit.ipynb": '{"cells": [1]}'})
    assert batch.find_learners(root, A) == ["ada", "kim"]
    prints = {learner: journal.fingerprint(root, learner, A) for learner in ("ada", "kim")}
    assert prints["ada"].startswith("sha256:") and prints["kim"].startswith("sha256:")
    assert prints["ada"] != prints["kim"]
    (root / "kim_1_2_linear_fit.ipynb").write_text('{"cells": [2]}')  # resubmitted
    assert journal.fingerprint(root, "kim", A) != prints["kim"]


@pytest.mark.parametrize("content, found_text", [
    ("yesterday", "'yesterday'"),
    ("", "''"),
    ("2026-12-01 16:59:03 UTC\n2026-12-02 10:00:00 UTC", "'2026-12-01"),
    ("2026-13-01 16:59:03 Mars/Olympus", "'2026-13-01"),
])
def test_a_timestamp_that_is_not_a_time_is_the_learners_note_naming_the_file(
        tmp_path, content, found_text):
    root = _tree(tmp_path, {"ada/linear_fit/linear_fit.ipynb": "{}",
                            "ada/linear_fit/timestamp.txt": content,
                            "bob/linear_fit/linear_fit.ipynb": "{}",
                            "bob/linear_fit/timestamp.txt": STAMP})
    found = _find(root)
    ada, bob = found.submissions["ada"], found.submissions["bob"]
    assert ada.time_source == "the file's modification time" and ada.problem is None
    assert bob.time_source == "timestamp.txt"  # the rest of the class is not held up
    [note] = ada.notes
    assert note.startswith("timestamp.txt not used (ada/linear_fit/timestamp.txt: line 1: "
                           "expected a time like")
    assert found_text in note and "\n" not in note
    reasons = {item.path: item.reason for item in found.skipped}
    assert reasons["ada/linear_fit/timestamp.txt"].startswith("not used: ada/linear_fit/")


def test_a_timestamp_that_is_a_link_is_not_used(tmp_path):
    root = _tree(tmp_path, {"ada/linear_fit/linear_fit.ipynb": "{}"})
    os.symlink("/dev/zero", root / "ada" / "linear_fit" / "timestamp.txt")
    ada = _find(root).submissions["ada"]
    assert ada.time_source == "the file's modification time"
    assert "found a symbolic link" in ada.notes[0]


def test_the_skipped_list_is_written_and_said_once(tmp_path, capsys):
    root = _tree(tmp_path / "subs", {f"ada/extra{k}.txt": "x" for k in range(12)})
    found = _find(root)
    path = tmp_path / "skipped-linear_fit.csv"
    intake.say_skipped(found, path)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"autograder: not graded: 12 entries of SUBMISSIONS "
                      f"(all listed in {path}):")
    assert len(err) == 1 + intake.SHOWN_SKIPPED + 1 and err[-1] == "  ... and 2 more"
    intake.write_skipped(path, found)
    lines = path.read_text().splitlines()
    assert lines[0] == "path,reason" and len(lines) == 13
    assert "ada/extra0.txt,not a notebook" in lines

"""The gradebook's default home is out of `make clean`'s way, and one left at the old home is
moved there, never replacing or deleting a gradebook."""

from __future__ import annotations

from autograder import course, gradebook_home


def _rescue(tmp_path, old: bytes | None, new: bytes | None, *side: str):
    old_path, new_path = tmp_path / "_build" / "grading" / "gradebook.db", tmp_path / "gb" / "g.db"
    for path, content in ((old_path, old), (new_path, new)):
        if content is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for suffix in side:
        (old_path.parent / f"gradebook.db{suffix}").write_bytes(b"hot")
    said = []
    gradebook_home.rescue(f"sqlite:///{new_path}", old_path, said.append)
    return old_path, new_path, said


def test_the_default_gradebook_is_not_under_the_folder_make_clean_empties():
    path = gradebook_home.sqlite_file(course.db_url())
    assert path == gradebook_home.REPO_ROOT / "gradebook" / "gradebook.db"
    assert not path.is_relative_to(gradebook_home.REPO_ROOT / "_build")
    ignored = (gradebook_home.REPO_ROOT / ".gitignore").read_text().splitlines()
    assert "/gradebook/" in ignored


def test_a_gradebook_at_the_old_home_is_moved_with_a_message(tmp_path):
    old, new, said = _rescue(tmp_path, b"term grades", None)
    assert new.read_bytes() == b"term grades" and not old.exists()
    assert len(said) == 1 and said[0].startswith(f"moved the gradebook from {old} to {new}")


def test_a_gradebook_is_never_replaced_and_the_old_one_is_pointed_at(tmp_path):
    old, new, said = _rescue(tmp_path, b"old grades", b"new grades")
    assert old.read_bytes() == b"old grades" and new.read_bytes() == b"new grades"
    assert len(said) == 1 and str(old) in said[0] and "still" in said[0]


def test_a_gradebook_in_use_is_not_moved(tmp_path):
    old, new, said = _rescue(tmp_path, b"grades", None, "-journal")
    assert old.read_bytes() == b"grades" and not new.exists()
    assert len(said) == 1 and "not moved" in said[0] and "gradebook.db-journal" in said[0]


def test_nothing_happens_without_an_old_gradebook_or_for_another_database(tmp_path):
    assert _rescue(tmp_path, None, None)[2] == []
    old = tmp_path / "old.db"
    old.write_bytes(b"grades")
    said = []
    gradebook_home.rescue("postgresql://grader@localhost/course", old, said.append)
    assert old.read_bytes() == b"grades" and said == []

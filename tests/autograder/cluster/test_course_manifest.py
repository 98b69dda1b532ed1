"""A worker's course is compared with the coordinator's file by file and package by
package, and the difference is said in one line."""

from __future__ import annotations

from autograder.cluster import course_manifest
from autograder.cluster.course_manifest import Manifest


def test_the_course_covers_the_grader_the_kernel_library_and_the_sources():
    files = course_manifest.this_process().files
    assert "autograder/verdict.py" in files and "book/ttt/data.py" in files
    assert any(path.startswith("solutions/") and path.endswith(".ipynb") for path in files)
    assert not any("__pycache__" in path for path in files)
    assert "numpy" in course_manifest.this_process().packages


def test_a_changed_file_changes_the_digest(tmp_path):
    for folder in course_manifest.COURSE_FOLDERS:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "autograder" / "verdict.py").write_text("x = 1\n")
    before = course_manifest.compute(tmp_path)
    (tmp_path / "autograder" / "verdict.py").write_text("x = 2\n")
    after = course_manifest.compute(tmp_path)
    assert before.digest != after.digest
    assert course_manifest.differences(before, after) == (
        "files that differ: autograder/verdict.py")


def test_differences_name_files_packages_and_python_and_count_the_rest():
    here = Manifest({"a.py": "1", "b.py": "2", "gone.py": "3"},
                    {"numpy": "2.4.6", "tensorflow": "2.21.0"}, "3.11.7")
    there = Manifest({"a.py": "1", "b.py": "9", **{f"new{k}.py": "0" for k in range(7)}},
                     {"numpy": "2.4.5", "tensorflow": "2.21.0", "extra": "1"}, "3.12.1")
    said = course_manifest.differences(here, there)
    assert "files that differ: b.py" in said
    assert "files missing there: gone.py" in said
    assert "files only there: new0.py, new1.py, new2.py, new3.py, new4.py and 2 more" in said
    assert "packages that differ: numpy 2.4.6 here, 2.4.5 there" in said
    assert "packages only there: extra" in said
    assert said.endswith("Python 3.11.7 here, 3.12.1 there")
    assert "\n" not in said
    assert course_manifest.differences(here, here) == ""


def _install(folder, name: str, version: str) -> None:
    """A distribution as an installer leaves it: its dist-info folder with METADATA."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_packages_installed_or_upgraded_while_a_worker_runs_are_seen(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _install(site, "ttt-probe", "1.0")
    monkeypatch.syspath_prepend(str(site))
    assert course_manifest.compute().packages["ttt-probe"] == "1.0"
    assert course_manifest.compute().packages["ttt-probe"] == "1.0"  # read once, kept
    import shutil
    shutil.rmtree(site / "ttt-probe-1.0.dist-info")  # as pip upgrades it
    _install(site, "ttt-probe", "2.0")
    assert course_manifest.compute().packages["ttt-probe"] == "2.0"

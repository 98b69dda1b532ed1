"""`make dist`: the learners' wheel and sdist hold `ttt` and nothing of the grader or the
instructor, at the one version ttt.__version__; the Binder files and the course image's
requirements stay in step with requirements.lock."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile

import pytest

from distcheck import REPO
from ttt import __version__, setup_cell

PACKAGE = REPO / "book" / "ttt"
# What must never ship to learners: the grader, the instructor's notebooks, the tests.
FORBIDDEN = re.compile(r"(^|/)(autograder|solutions|exercises|tests|book/_ext)(/|$)")


def _modules() -> dict[str, bytes]:
    return {f"ttt/{path.name}": path.read_bytes() for path in sorted(PACKAGE.glob("*.py"))}


def test_the_wheel_is_ttt_alone_at_the_books_version(dist_files):
    wheel = dist_files["wheel"]
    assert wheel.name == setup_cell.wheel_name() == f"ttt_book-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        packaged = {name: archive.read(name) for name in names if name.startswith("ttt/")}
        metadata = email.message_from_bytes(
            archive.read(f"ttt_book-{__version__}.dist-info/METADATA"))
        licence = archive.read(f"ttt_book-{__version__}.dist-info/LICENSE").decode()
    assert packaged == _modules(), "the wheel's ttt differs from book/ttt/"
    assert {name.split("/")[0] for name in names} == {"ttt", f"ttt_book-{__version__}.dist-info"}
    assert not [name for name in names if FORBIDDEN.search(name)]
    assert metadata["Name"] == "ttt-book" and metadata["Version"] == __version__
    assert metadata["License"] == "MIT" and licence.startswith("MIT License")
    assert metadata.get_payload().startswith("# ttt: the helper package")  # its README
    requires = metadata.get_all("Requires-Dist")
    assert any(r.startswith("numpy") for r in requires)
    # TensorFlow only as an extra: Colab, Binder and course images bring their own build.
    assert all("extra ==" in r for r in requires if r.startswith("tensorflow"))


def test_the_sdist_holds_the_project_and_ttt_and_nothing_else(dist_files):
    with tarfile.open(dist_files["sdist"]) as archive:
        names = [member.name.split("/", 1)[1] for member in archive.getmembers()
                 if "/" in member.name and member.isfile()]
        packaged = {name: archive.extractfile(member).read()
                    for member in archive.getmembers()
                    if member.isfile() and (name := member.name.split("/", 1)[1])
                    .startswith("ttt/")}
    assert packaged == _modules()
    assert {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO"} <= set(names)
    assert not [name for name in names if FORBIDDEN.search(name)]
    assert {name.split("/")[0] for name in names} <= {
        "ttt", "ttt_book.egg-info", "pyproject.toml", "README.md", "LICENSE", "PKG-INFO",
        "setup.cfg"}


def test_the_version_is_kept_in_one_place():
    for path in (REPO / "pyproject.toml", REPO / "packaging" / "ttt" / "pyproject.toml"):
        project = tomllib.loads(path.read_text(encoding="utf-8"))
        assert "version" not in project["project"], f"{path}: a second version"
        assert "version" in project["project"]["dynamic"]
        assert project["tool"]["setuptools"]["dynamic"]["version"] == {
            "attr": "ttt.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_course_image_requirements_are_binders(dist_files):
    assert dist_files["requirements"].read_text() == (
        REPO / "binder" / "requirements.txt").read_text()


def test_binder_requirements_are_in_step_with_the_lock():
    ran = subprocess.run([sys.executable, str(REPO / "tools" / "learner_requirements.py"),
                          "--check"],
                         capture_output=True, text=True, cwd=REPO)
    assert ran.returncode == 0, ran.stderr
    lock = {line.split(";")[0].strip() for line in
            (REPO / "requirements.lock").read_text().splitlines() if "==" in line}
    pinned = [line.split(";")[0].strip() for line in
              (REPO / "binder" / "requirements.txt").read_text().splitlines()
              if line and not line.startswith("#")]
    assert pinned and all(pin in lock for pin in pinned)
    names = {pin.split("==")[0] for pin in pinned}
    assert {"numpy", "matplotlib", "ipywidgets", "jupytext"} <= names
    assert {"tensorflow", "tensorflow-cpu"} <= names


def test_a_stale_binder_requirements_file_is_caught(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "learner_requirements", REPO / "tools" / "learner_requirements.py")
    learner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(learner)
    stale = tmp_path / "requirements.txt"
    stale.write_text(learner.generate((REPO / "requirements.lock").read_text())
                     .replace("numpy==", "numpy==0.0."))
    monkeypatch.setattr(learner, "TARGET", stale)
    monkeypatch.setattr(learner, "REPO", tmp_path)
    assert learner.main(["--check"]) == 1


def test_binder_has_its_python_and_installs_ttt():
    binder = REPO / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    post = binder / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text()
    assert "_wheels/*.whl" in text and "-e ." in text


@pytest.mark.parametrize("target", ["dist"])
def test_make_dist_runs_the_builder(target):
    planned = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True,
                             env={**os.environ, "MAKEFLAGS": ""})
    assert planned.returncode == 0, planned.stderr
    assert "tools/build_dist.py --out _build/dist" in planned.stdout

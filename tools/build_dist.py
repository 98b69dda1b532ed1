"""Build the learners' distribution of `ttt`: the command behind `make dist`.

    python tools/build_dist.py [--out DIR] [--wheel-only]

The learners' project is ``packaging/ttt/`` (pyproject.toml, README.md, LICENSE); its
package is ``book/ttt/``, the one copy the book, the exercises and the grader import. This
copies both into a fresh staging folder, as a project whose only package is ``ttt``, and
builds a wheel and an sdist there with setuptools, offline and without build isolation.
Nothing of the grader (``autograder/``) or of the instructor (``solutions/``) is in the
staging folder, so nothing of theirs can be in what it builds.

It writes into DIR (default ``_build/dist``):

- ``ttt_book-<version>-py3-none-any.whl`` and the sdist (``ttt-book-<version>.tar.gz``;
  newer setuptools spell it ``ttt_book-...``), the version being ``ttt.__version__``;
- ``requirements.txt``: the packages learners need beside the wheel, pinned as in
  ``requirements.lock`` (a copy of ``binder/requirements.txt``). A course image is these
  two files (README: "Running the course on a JupyterHub").

``--wheel-only`` builds the wheel alone (the book's build publishes it beside the HTML).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "book" / "ttt"
PROJECT = REPO / "packaging" / "ttt"
REQUIREMENTS = REPO / "binder" / "requirements.txt"
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")

# Run in the staging folder. setuptools logs on stdout: sent to stderr, so that stdout
# carries only the names of the files built.
_BUILD = """
import contextlib, sys
from setuptools import build_meta
out, sdist, names = sys.argv[1], sys.argv[2] == "sdist", []  # setuptools rewrites argv
with contextlib.redirect_stdout(sys.stderr):
    names.append(build_meta.build_wheel(out))
    if sdist:
        names.append(build_meta.build_sdist(out))
print("\\n".join(names))
"""


class DistError(RuntimeError):
    """The distribution could not be built; the message says why."""


def stage(folder: Path) -> Path:
    """Lay out the learners' project in ``folder``: packaging/ttt/'s files and ttt/."""
    for name in PROJECT_FILES:
        shutil.copyfile(PROJECT / name, folder / name)
    package = folder / "ttt"
    package.mkdir()
    for module in sorted(PACKAGE.glob("*.py")):
        shutil.copyfile(module, package / module.name)
    return folder


def build(out: Path, *, sdist: bool = True) -> list[Path]:
    """Build the wheel (and the sdist) into ``out``; return the files written."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ttt-dist-") as scratch:
        staged = stage(Path(scratch))
        # A fresh process in the staging folder: setuptools reads ./pyproject.toml, and
        # nothing of the repository is on its path.
        ran = subprocess.run([sys.executable, "-c", _BUILD, str(out), "sdist" if sdist else ""],
                             cwd=staged, capture_output=True, text=True)
    if ran.returncode != 0:
        raise DistError(f"setuptools could not build the distribution:\n"
                        f"{(ran.stderr or ran.stdout)[-3000:]}")
    written = [out / name for name in ran.stdout.split()]
    if sdist:
        shutil.copyfile(REQUIREMENTS, out / "requirements.txt")
        written.append(out / "requirements.txt")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "_build" / "dist",
                        help="folder that receives the files (default: _build/dist)")
    parser.add_argument("--wheel-only", action="store_true", help="build the wheel alone")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, sdist=not args.wheel_only)
    except DistError as error:
        print(f"build_dist: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a worker must share with the coordinator to grade the same course: every file of
the grader, the kernel's library and the assignments' sources, each by its hash, and every
installed package's version (TensorFlow's or NumPy's results are part of a grade).

The coordinator sends the digest with each task; a worker whose digest differs refuses it
(:class:`autograder.cluster.worker_task.StaleWorker`) and :func:`differences` names what
differs. A worker checks two: this process's, computed once (what it imported as it
started), and the course on disk as each task starts (what it imports, copies into a
workspace and runs in the sandbox later); it grades only while both are the coordinator's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The grader, the kernel's library (ttt) and what it grades against.
COURSE_FOLDERS = ("autograder", "book/ttt", "solutions")
_SKIPPED = {"__pycache__", ".ipynb_checkpoints"}
# Named in a refusal, at most: the rest is counted.
MAX_NAMED = 5


@dataclass(frozen=True)
class Manifest:
    files: dict[str, str]  # path relative to the course root -> sha256
    packages: dict[str, str]  # distribution name (normalised) -> version
    python: str

    @functools.cached_property
    def digest(self) -> str:
        text = json.dumps([self.files, self.packages, self.python], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _course_files(root: Path) -> dict[str, str]:
    files = {}
    for folder in COURSE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not _SKIPPED & set(path.relative_to(root).parts):
                files[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
    return files


def _packages() -> dict[str, str]:
    """Every installed distribution's version. Read again only when a folder of sys.path
    changed (an install or upgrade adds and removes dist-info folders there): reading every
    package's metadata takes a tenth of a second, and a worker asks before each task."""
    return dict(_packages_while(tuple(
        (folder, os.stat(folder).st_mtime_ns) for folder in sys.path if os.path.isdir(folder))))


@functools.lru_cache(maxsize=1)
def _packages_while(folders: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    found = {}
    for distribution in metadata.distributions():
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        if name:
            found[name] = distribution.version
    return tuple(sorted(found.items()))


def compute(root: Path = REPO_ROOT) -> Manifest:
    return Manifest(_course_files(root), _packages(), platform.python_version())


@functools.cache
def this_process() -> Manifest:
    """This process's manifest, computed the first time it is asked for."""
    return compute()


def differences(mine: Manifest, theirs: Manifest) -> str:
    """What differs, in one line: files changed, missing or extra; packages with another
    version, missing or extra; the Python version. Empty when nothing does."""
    said = []
    for kind, ours, other in (("files", mine.files, theirs.files),
                              ("packages", mine.packages, theirs.packages)):
        changed = sorted(name for name in ours.keys() & other.keys()
                         if ours[name] != other[name])
        if kind == "packages":
            changed = [f"{name} {ours[name]} here, {other[name]} there" for name in changed]
        for what, names in ((f"{kind} that differ", changed),
                            (f"{kind} missing there", sorted(ours.keys() - other.keys())),
                            (f"{kind} only there", sorted(other.keys() - ours.keys()))):
            if names:
                more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
                said.append(f"{what}: {', '.join(names[:MAX_NAMED])}{more}")
    if mine.python != theirs.python:
        said.append(f"Python {mine.python} here, {theirs.python} there")
    return "; ".join(said)

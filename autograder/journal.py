"""The grading journal: each judged submission's result on disk the moment it is known.

``OUT/.journal/<assignment>.jsonl`` gets one JSON line per judged submission, appended and
fsync'ed by the grading process alone (never by a sandbox) before the next one is judged.
grades.csv, the feedback pages and the gradebook are all written from it, so a grader that
is killed (SIGKILL, a crashed host) loses only the submissions being graded at that moment,
and the same command, run again, grades only what the journal lacks.

One append-only file rather than a file per learner: a single writer appending whole lines
can at worst leave a torn last line, which reading skips and the next append cuts off; it
costs one fsync per result and no directory churn, and a fresh start is one file to delete.
A lock on the file keeps a second grader from writing to it at the same time.

A journaled result is reused only while it still describes what would be graded now:

- the learner's file is the same (its sha256; a missing file or a symbolic link by what it
  is), so a resubmission is graded again;
- the grading settings are the same: the source notebook (tests and points), the limits,
  sandbox or not, and the grader's own code (:data:`PRESENTATION_ONLY` aside), so grades
  from two versions of the tests or the grader are never mixed in one grades.csv.

Not part of it: ``--jobs`` (same grades), ``--seed`` (each result records its own seed;
:mod:`autograder.selection` reuses only those drawn from an explicit ``--seed``) and ``--db``
(the gradebook is filled from the journal each time: the rows it lacks or holds differently
are written, see autograder/gradebook.py).
Of several lines for one learner, the last that still matches counts.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from autograder import intake, messages
from autograder.assignments import Assignment
from autograder.results import Result
from autograder.sandbox.limits import Limits
from autograder.submission import MAX_SUBMISSION_BYTES

JOURNAL_DIR = ".journal"  # inside --out
FORMAT = 1  # of a journal line; lines of another format are graded again
# Modules that only write results down: changing them changes no grade.
PRESENTATION_ONLY = frozenset({"__init__.py", "__main__.py", "cli.py", "feedback.py",
                               "gradebook.py", "journal.py", "progress.py", "release.py",
                               "grades_csv.py", "nbgrader_config.py", "course.py",
                               "selection.py", "class_grades.py", "gradebook_home.py",
                               "intake.py", "lateness.py", "feedback_exchange.py",
                               "class_report.py", "lms_export.py", "roster.py",
                               "gradebook_lock.py", "step_picture.py", "nbgrader_export.py",
                               "if_changed.py",
                               # Where notebooks run (cluster/worker_task.py runs them: kept).
                               "cluster/__init__.py", "cluster/coordinator.py",
                               "cluster/worker_command.py", "cluster/scheduler_address.py",
                               "cluster/course_manifest.py",
                               # The book build's kernels; the grader does not use it (yet:
                               # take these out when it does).
                               "kernel_template/__init__.py", "kernel_template/__main__.py",
                               "kernel_template/template.py", "kernel_template/provisioner.py",
                               "kernel_template/kernelspec.py"})
# Groups of autograder/messages.yml that only label the feedback page and its picture.
PRESENTATION_MESSAGES = ("feedback", "picture")
MAX_WARNINGS = 5  # about unreadable lines, then a count


class JournalError(Exception):
    """The journal cannot be used (busy, unwritable); str() is the one-line message."""


def journal_path(out_dir: Path, assignment: str) -> Path:
    return out_dir / JOURNAL_DIR / f"{assignment}.jsonl"


def _sha256_of_files(paths, root: Path | None = None) -> str:
    """One digest of the files' names (relative to ``root``, else bare) and contents."""
    digest = hashlib.sha256()
    for path in paths:
        name = path.relative_to(root).as_posix() if root else path.name
        digest.update(f"{name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def graded_messages(catalogue: str) -> bytes:
    """The catalogue's text without its PRESENTATION_MESSAGES groups: the judges' and the
    statuses' words, which results keep. Split at its top-level keys (no YAML parse: a
    resumed batch that judges nothing never pays for one)."""
    kept, keeping = [], True
    for line in catalogue.splitlines(keepends=True):
        if line[:1].isalpha():  # a top-level group starts
            keeping = line.split(":", 1)[0] not in PRESENTATION_MESSAGES
        if keeping:
            kept.append(line)
    return "".join(kept).encode()


# Limits that say how a run is started, not what it may do: both ways give the same grade.
WAYS_TO_RUN = frozenset({"zygote"})


def grading_settings(assignment: Assignment, limits: Limits, use_sandbox: bool) -> dict:
    """What a grade depends on besides the learner's file (see the module's docstring)."""
    from ttt import reference  # found as the grader finds it (a folder tests/ttt exists)

    package = Path(__file__).parent
    grader = sorted(path for path in package.rglob("*.py")  # the judges and sandbox too
                    if path.relative_to(package).as_posix() not in PRESENTATION_ONLY)
    ttt = sorted(Path(reference.__file__).parent.glob("*.py"))
    words = hashlib.sha256(graded_messages(messages.CATALOGUE.read_text(encoding="utf-8")))
    return {"source_notebook": _sha256_of_files([assignment.source_path]),
            # As it reads back from a journal line, so that equal settings compare equal.
            "limits": json.loads(json.dumps(
                {name: value for name, value in asdict(limits).items()
                 if name not in WAYS_TO_RUN}, default=str)),
            "sandbox": use_sandbox,
            "grader_code": _sha256_of_files(grader, package) + _sha256_of_files(ttt)
            + words.hexdigest()}


def fingerprint(submissions_dir: Path, learner_id: str, assignment: str,
                found: intake.Intake | None = None) -> str:
    """What the learner handed in, as the grader would find it (``found``, default: found
    here by :func:`autograder.intake.find`): the sha256 of the notebook, or why there is
    none. Taken before grading, so a file changed meanwhile is regraded."""
    handed_in = (found or intake.find(submissions_dir, assignment)).submissions.get(learner_id)
    if handed_in is None or handed_in.path is None:
        return "missing"
    path = handed_in.path
    try:
        if handed_in.problem:  # the learner's folder is a symbolic link
            return f"folder symlink:{os.readlink(path)}"
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return f"symlink:{os.readlink(path)}"
        if not stat.S_ISREG(info.st_mode):
            return f"not a file:{stat.S_IFMT(info.st_mode):o}"
        if info.st_size > MAX_SUBMISSION_BYTES:  # refused unread: hashing it would be waste
            return f"too big:{info.st_size}:{info.st_mtime_ns}"
        # O_NONBLOCK: a FIFO swapped in since lstat must not hang the grader.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with open(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return "not a file"
            return "sha256:" + hashlib.file_digest(file, "sha256").hexdigest()
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"unreadable:{errno.errorcode.get(error.errno, error.errno)}"


@dataclass
class Entry:
    """One journal line: a learner's result, and what it was graded from."""

    result: Result
    submission: str
    settings: dict
    line: int


def _parse(raw: bytes, assignment: str) -> Entry:
    """The entry a line holds; ValueError when it is not one of this assignment's."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a journal line of this grader's format")
    if data.get("assignment") != assignment:
        raise ValueError(f"a line of another assignment ({str(data.get('assignment'))[:40]})")
    if not isinstance(data.get("submission"), str) or not isinstance(data.get("settings"), dict):
        raise ValueError("submission or settings missing")
    result = Result.from_dict(data.get("result"))
    if result.assignment != assignment:
        raise ValueError("the result is of another assignment")
    return Entry(result, data["submission"], data["settings"], 0)


def _why_not(entry: Entry | None, submission: str, settings: dict) -> str | None:
    """Why a learner's latest entry cannot be reused (None: it can)."""
    if entry is None:
        return "not graded yet"
    changed = [name.replace("_", " ") for name in settings
               if entry.settings.get(name) != settings[name]]
    if changed or set(entry.settings) != set(settings):
        return " and ".join(changed or ["settings"]) + " changed"
    return "submission changed" if entry.submission != submission else None


class Journal:
    """The journal of one assignment in one --out folder, written by this process alone.

    ``start_afresh`` (``--force`` without ``--only``): the old lines are dropped when the
    first new result is written, not before, so a run that stops before grading anything
    loses nothing."""

    def __init__(self, path: Path, assignment: str, settings: dict, *,
                 start_afresh: bool = False, warn: Callable[[str], None] | None = None):
        self.path, self.assignment, self.settings = path, assignment, settings
        self.start_afresh = start_afresh
        self.warn = warn or (lambda text: print(f"autograder: warning: {text}", file=sys.stderr))
        self._fd: int | None = None
        self._appended = False
        self._warned: set[int] = set()

    # -- writing -------------------------------------------------------------------------

    def open(self, create: bool) -> None:
        """Open and lock the journal (creating it only if ``create``); JournalError if another
        grader holds it or it cannot be opened."""
        if self._fd is not None:
            return
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.exists():
                return
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0)
                         | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise JournalError(f"cannot open the journal {self.path}: "
                               f"{error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise JournalError(f"another grading run is writing {self.path}: wait for it to "
                               "finish, or grade into another --out folder") from None
        self._fd = fd
        if create:  # the new file's name must survive a crash as well as its lines
            for folder in (self.path.parent, self.path.parent.parent):
                _fsync_folder(folder)

    def record(self, result: Result, submission: str) -> None:
        """Append the result, on disk (fsync) before this returns."""
        line = json.dumps({"format": FORMAT, "assignment": self.assignment,
                           "learner_id": result.learner_id, "submission": submission,
                           "settings": self.settings,
                           "journaled_at": datetime.now(timezone.utc).isoformat(),
                           "result": result.to_dict()}, ensure_ascii=True) + "\n"
        try:
            self.open(create=True)
            if not self._appended:
                self._before_first_append()
                self._appended = True
            data = line.encode("ascii")
            while data:  # one write in practice; O_APPEND puts it at the end
                data = data[os.write(self._fd, data):]
            os.fsync(self._fd)
        except OSError as error:
            raise JournalError(f"cannot write the journal {self.path}: "
                               f"{error.strerror or error}; results written before are "
                               "kept") from None

    def _before_first_append(self) -> None:
        if self.start_afresh:
            os.ftruncate(self._fd, 0)
            return
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            # A torn last line (the grader died writing it): cut it off, or the next line
            # would be glued to it. It was never a result: nothing is lost.
            content = os.pread(self._fd, size, 0)
            os.ftruncate(self._fd, content.rfind(b"\n") + 1)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def read(self) -> dict[str, list[Entry]]:
        """Every readable entry, by learner, oldest first. Unreadable lines are skipped with a
        warning (their learners are graded again); a torn last line silently."""
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise JournalError(f"cannot read the journal {self.path}: "
                               f"{error.strerror or error}") from None
        lines = content.split(b"\n")[:-1]  # the part after the last newline is torn or empty
        entries: dict[str, list[Entry]] = {}
        bad = []
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                entry = _parse(raw, self.assignment)
            except (ValueError, TypeError, RecursionError) as error:
                if number not in self._warned:
                    self._warned.add(number)
                    bad.append(f"line {number}: {str(error)[:120]}")
                continue
            entry.line = number
            entries.setdefault(entry.result.learner_id, []).append(entry)
        for text in bad[:MAX_WARNINGS]:
            self.warn(f"{self.path} {text}: skipped, that learner is graded again")
        if len(bad) > MAX_WARNINGS:
            self.warn(f"{self.path}: {len(bad) - MAX_WARNINGS} more unreadable lines skipped")
        return entries

    def reusable(self, submissions: dict[str, str]) -> tuple[dict[str, Entry], Counter]:
        """(the entry to reuse for each learner of ``submissions`` {learner: fingerprint}
        that has one, why the others must be graded: {reason: count})."""
        entries = self.read()
        found, why = {}, Counter()
        for learner, submission in submissions.items():
            history = entries.get(learner, [])
            match = next((e for e in reversed(history)
                          if _why_not(e, submission, self.settings) is None), None)
            if match is not None:
                found[learner] = match
            else:
                why[_why_not(history[-1] if history else None, submission,
                             self.settings)] += 1
        return found, why


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

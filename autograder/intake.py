"""Find each learner's notebook in SUBMISSIONS, whichever way the instructor got them.

The one way the grader finds a learner's notebook: the batch grades what :func:`find`
returns, and the journal fingerprints the same file. Layouts, read from the same folder:

- today's flat layout ``<learner>/<ASSIGNMENT>.ipynb``;
- nbgrader's ``<learner>/<ASSIGNMENT>/<notebook>.ipynb`` with its ``timestamp.txt``, as
  ``nbgrader collect`` writes under ``submitted/``. SUBMISSIONS may be that ``submitted``
  folder or the course root holding it (then only ``submitted/`` is read). A folder is a
  course root only when everything else in it is what an nbgrader course folder holds
  (:data:`COURSE_ENTRIES`): a flat-layout learner named ``submitted`` is an IntakeError,
  never a reading in which their folder stands for the class;
- Canvas's "Download Submissions", unzipped: ``<name>_[LATE_]<userid>_<submissionid>_<file>``
  at the top level (a resubmitted file gets ``-1``, ``-2``... before its extension);
- Moodle's "Download all submissions": ``<Full Name>_<id>_assignsubmission_file_<file>``
  files, or one ``<Full Name>_<id>_assignsubmission_file`` folder per learner.

An LMS learner is their name, or ``<name>_<userid>`` whenever that name is also another
learner's (two user ids, a learner folder, or another's ``<name>_<userid>``): a name is
never read as another learner's id.

A notebook counts for the assignment when it is named ``<ASSIGNMENT>.ipynb``, is a renamed
copy of it (``linear_fit (1).ipynb``, ``linear_fit-2.ipynb``, ``linear_fit-Copy1.ipynb``), sits
in the learner's ``<ASSIGNMENT>/`` folder, or is the learner's only notebook and not named
after another assignment. A copy other than ``<ASSIGNMENT>.ipynb`` is graded with a note.
When several files claim one learner, an exactly named one beats a renamed copy, then the
newest submission time wins; the status says so and the others are listed as skipped.

Nothing is skipped silently: every other file or folder becomes a :class:`Skipped` with its
reason (the grading command prints them and writes ``OUT/skipped-<ASSIGNMENT>.csv``), but
for the files nbgrader's exchange keeps beside a notebook (:data:`NBGRADER_FILES`) in its
``<learner>/<ASSIGNMENT>/`` folder; anywhere else they are the learner's uploads, listed.
Symbolic links are never followed; a linked notebook is still chosen so that
:func:`autograder.submission.read_submission` refuses it in the learner's status. A folder
the grader cannot read makes its learner's status say so (not graded), never the batch stop.

Submission time: ``timestamp.txt`` in nbgrader's ``<learner>/<ASSIGNMENT>/`` folder
(nbgrader's format, e.g. ``2026-12-01 16:59:03.123456 UTC``), else the file's modification
time (said in the status when a due date applies). The learner can write that file
(``nbgrader submit`` runs as them): one that is not a time is that learner's note in the
status and a skipped entry, and their time is the file's modification time.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.lateness import FROM_MTIME, FROM_TIMESTAMP, LatenessError, parse_time
from autograder.messages import english

TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's name, beside the submitted notebook
# What nbgrader's exchange writes beside a submission besides the time: part of it, not
# a file the learner handed in, so not listed as skipped.
NBGRADER_FILES = frozenset({TIMESTAMP_FILE, "submission_secret.txt"})
MAX_TIMESTAMP_BYTES = 200  # nbgrader writes ~30
# What else an nbgrader course folder holds beside submitted/ (nbgrader's default names and
# this course's, autograder/nbgrader_config.py); anything more and it is not one.
COURSE_ENTRIES = frozenset({"source", "release", "autograded", "feedback", "gradebook.db",
                            "nbgrader_config.py", "header.ipynb", "solutions", "exercises",
                            "source_solutions", "source_with_tests", "gradebook",
                            "feedback-nb", "autograder", "exchange", "log"})

CANVAS_FILE = re.compile(r"^(?P<name>[^_]+)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<sid>\d+)_"
                         r"(?P<file>.+)$")
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_file_(?P<file>.+)$")
MOODLE_FOLDER = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_file_?$")


class IntakeError(Exception):
    """SUBMISSIONS holds something the instructor must fix; str() is the one-line message."""


@dataclass
class Submission:
    """What one learner handed in, as the grader will grade it."""

    learner_id: str
    path: Path  # the notebook to grade (it may not exist: "no submission"); or the link
    # that is the learner's folder (see ``problem``)
    submitted_at: datetime | None = None  # timezone-aware
    time_source: str | None = None  # FROM_TIMESTAMP or FROM_MTIME
    late_flag: bool | None = None  # an LMS's own verdict (Canvas's LATE); None: not said
    notes: list[str] = field(default_factory=list)  # for the status
    problem: str | None = None  # cannot be graded at all: the status (score 0)
    from_exchange: bool = False  # in nbgrader's <learner>/<ASSIGNMENT>/: its secret is
    # nbgrader's (autograder.feedback_exchange copies it), not a learner's upload


@dataclass(frozen=True)
class Skipped:
    path: str  # relative to SUBMISSIONS, "/" after a folder
    reason: str


@dataclass
class Intake:
    submissions: dict[str, Submission]
    skipped: list[Skipped]

    @property
    def learners(self) -> list[str]:
        return sorted(self.submissions)


@dataclass
class _Candidate:
    learner_id: str
    path: Path
    exact: bool  # named <ASSIGNMENT>.ipynb
    submitted_at: datetime | None
    time_source: str | None
    late_flag: bool | None = None
    notes: list[str] = field(default_factory=list)
    from_exchange: bool = False


def copy_pattern(assignment: str) -> re.Pattern:
    """Names a renamed copy of the assignment's notebook has: browsers' " (1)", Canvas's
    "-1", Jupyter's "-Copy1", editors' "_2" or " copy"."""
    return re.compile(rf"^{re.escape(assignment)}(?:[ _-]?(?:\(\d+\)|\d+|copy\d*))+\.ipynb$",
                      re.IGNORECASE)


def _time_of(path: Path, stamp: datetime | None) -> tuple[datetime | None, str | None]:
    if stamp is not None:
        return stamp, FROM_TIMESTAMP
    try:
        mtime = os.lstat(path).st_mtime
    except OSError:
        return None, None
    return datetime.fromtimestamp(mtime, tz=timezone.utc), FROM_MTIME


def read_timestamp(path: Path, shown: str) -> datetime:
    """nbgrader's timestamp.txt as a time; IntakeError naming the file otherwise."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise IntakeError(f"{shown}: line 1: expected a file holding a time like "
                              "'2026-12-01 16:59:03.123456 UTC', found a "
                              f"{'symbolic link' if stat.S_ISLNK(info.st_mode) else 'non-file'}")
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with open(descriptor, "rb") as file:
            raw = file.read(MAX_TIMESTAMP_BYTES + 1)
    except OSError as error:
        raise IntakeError(f"{shown}: cannot read it: {error.strerror or error}") from None
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        if len(raw) > MAX_TIMESTAMP_BYTES or "\n" in text:
            raise LatenessError("more than one line")
        return parse_time(text)
    except LatenessError:
        raise IntakeError(f"{shown}: line 1: expected a time like "
                          f"'2026-12-01 16:59:03.123456 UTC' (nbgrader's timestamp.txt), "
                          f"found {text[:40]!r}") from None


class _Finder:
    def __init__(self, root: Path, assignment: str, other_assignments: set[str]):
        self.root, self.assignment = root, assignment
        self.others = other_assignments
        self.copy = copy_pattern(assignment)
        self.wanted = f"{assignment}.ipynb"
        self.candidates: dict[str, list[_Candidate]] = {}
        self.folders: dict[str, Path] = {}  # learners with a folder: "no submission" there
        self.problems: dict[str, tuple[Path, str]] = {}
        self.skipped: list[Skipped] = []

    def shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def skip(self, path: Path, reason: str, folder: bool = False) -> None:
        self.skipped.append(Skipped(self.shown(path) + ("/" if folder else ""), reason))

    def add(self, candidate: _Candidate) -> None:
        self.candidates.setdefault(candidate.learner_id, []).append(candidate)

    def entries(self, folder: Path, learner: str) -> list[os.DirEntry]:
        """The folder's entries; a folder that cannot be read is listed, and its learner
        not graded, with the reason (the rest of the class is)."""
        try:
            return _entries(folder)
        except OSError as error:
            self.skip(folder, f"unreadable: {error.strerror or error}", folder=True)
            self.problems.setdefault(learner, (folder, english(
                "status.folder_unreadable", folder=self.shown(folder),
                error=error.strerror or error)))
            return []

    def not_a_file(self, entry: os.DirEntry) -> str | None:
        """Why an entry that is neither a regular file, a folder nor a link is not read
        (a FIFO or a device named like a notebook would win over the learner's real one)."""
        if entry.is_symlink() or entry.is_dir(follow_symlinks=False) \
                or entry.is_file(follow_symlinks=False):
            return None
        return f"not a regular file (a FIFO, socket or device) named {entry.name}"

    def upload(self, path: Path) -> None:
        self.skip(path, f"a learner's upload: nbgrader's exchange writes {path.name} only in "
                        f"<learner>/{self.assignment}/; not read")

    def not_ours(self, name: str) -> str:
        stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
        if stem in self.others:
            return f"a notebook of another assignment ({stem})"
        return (f"not {self.wanted} nor a renamed copy of it, and not the learner's only "
                "notebook")

    # -- a learner's own folder ----------------------------------------------------------

    def learner_folder(self, learner: str, folder: Path, exchange: bool) -> None:
        """exchange: a top-level learner folder, where nbgrader's <ASSIGNMENT>/ may be
        (not an LMS's folder, whose every file is the learner's upload)."""
        self.folders.setdefault(learner, folder)
        spare: list[Path] = []  # notebooks named otherwise: one alone is still graded
        for entry in self.entries(folder, learner):
            path = folder / entry.name
            if entry.name in NBGRADER_FILES:
                self.upload(path)
            elif self.not_a_file(entry):
                self.skip(path, self.not_a_file(entry))
            elif entry.name == self.assignment and entry.is_dir(follow_symlinks=False):
                self._assignment_folder(learner, path, exchange)
            elif entry.name == self.wanted and entry.is_dir(follow_symlinks=False):
                self.skip(path, f"a folder named {self.wanted}: not read", folder=True)
            elif entry.name == self.wanted:  # a link too: refused when read, by name
                self.add(_Candidate(learner, path, True, *_time_of(path, None)))
            elif entry.is_symlink():
                self.skip(path, "a symbolic link: not followed")
            elif entry.is_dir():
                self.skip(path, _folder_reason(entry.name, self.others), folder=True)
            elif self.copy.match(entry.name):
                self.add(_Candidate(learner, path, False, *_time_of(path, None)))
            elif entry.name.endswith(".ipynb"):
                spare.append(path)
            else:
                self.skip(path, "not a notebook")
        self._only_notebook(learner, spare)

    def _assignment_folder(self, learner: str, folder: Path, exchange: bool) -> None:
        """nbgrader's <learner>/<ASSIGNMENT>/: any notebook in it is this assignment's."""
        stamp, notes = self._stamp_in(folder) if exchange else (None, [])
        for entry in self.entries(folder, learner):
            path = folder / entry.name
            if entry.name in NBGRADER_FILES:
                if not exchange:
                    self.upload(path)
            elif self.not_a_file(entry):
                self.skip(path, self.not_a_file(entry))
            elif entry.is_symlink() and entry.name != self.wanted:
                self.skip(path, "a symbolic link: not followed")
            elif entry.is_dir(follow_symlinks=False):
                self.skip(path, _folder_reason(entry.name, self.others), folder=True)
            elif entry.name.endswith(".ipynb"):
                self.add(_Candidate(learner, path, entry.name == self.wanted,
                                    *_time_of(path, stamp), notes=notes,
                                    from_exchange=exchange))
            else:
                self.skip(path, "not a notebook")

    def _stamp_in(self, folder: Path) -> tuple[datetime | None, list[str]]:
        """The time in nbgrader's timestamp.txt, or None and the note saying why it is not
        used (the learner can write that file: their problem, not the class's)."""
        path = folder / TIMESTAMP_FILE
        if not os.path.lexists(path):
            return None, []
        try:
            return read_timestamp(path, self.shown(path)), []
        except IntakeError as error:
            self.skip(path, f"not used: {error}")
            return None, [english("status.timestamp_unused", file=TIMESTAMP_FILE, error=error)]

    def _only_notebook(self, learner: str, spare: list[Path]) -> None:
        if len(spare) == 1 and learner not in self.candidates \
                and spare[0].name[:-len(".ipynb")] not in self.others:
            self.add(_Candidate(learner, spare[0], False, *_time_of(spare[0], None)))
            return
        for path in spare:
            self.skip(path, self.not_ours(path.name))

    # -- the top level -------------------------------------------------------------------

    def top_level(self) -> None:
        lms: list[tuple[str, str, Path, str | None, bool | None]] = []  # name, uid, ...
        try:
            entries = _entries(self.root)
        except OSError as error:
            raise IntakeError(f"{self.root}: cannot read it: {error.strerror or error}") \
                from None
        for entry in entries:
            path = self.root / entry.name
            canvas = CANVAS_FILE.match(entry.name)
            moodle_file = MOODLE_FILE.match(entry.name)
            moodle_folder = MOODLE_FOLDER.match(entry.name)
            if entry.name.startswith("."):
                self.skip(path, "hidden: not read", folder=entry.is_dir(follow_symlinks=False))
            elif self.not_a_file(entry):
                self.skip(path, self.not_a_file(entry))
            elif entry.is_dir(follow_symlinks=False):
                if moodle_folder:
                    lms.append((moodle_folder["name"], moodle_folder["uid"], path, None, None))
                else:
                    self.learner_folder(entry.name, path, exchange=True)
            elif canvas and not entry.is_dir():
                lms.append((canvas["name"], canvas["uid"], path, canvas["file"],
                            bool(canvas["late"])))
            elif moodle_file and not entry.is_dir():
                lms.append((moodle_file["name"], moodle_file["uid"], path, moodle_file["file"],
                            None))
            elif entry.is_symlink():  # a learner's folder as a link: refused, in the grades
                self.problems[entry.name] = (path, english("status.folder_symlink"))
            elif entry.name.endswith(".ipynb"):
                self.skip(path, "a notebook outside any learner's folder, not named as "
                                "Canvas (<name>_<userid>_<submissionid>_<file>) or Moodle "
                                "names downloads")
            else:
                self.skip(path, "not a learner's folder nor an LMS download's file")
        self._lms(lms)

    def _lms(self, found) -> None:
        """Canvas and Moodle entries (see :func:`lms_learners` for their ids). The
        download is this assignment's: a learner's only notebook is theirs, whatever its
        name."""
        taken = set(self.folders) | set(self.problems) | set(self.candidates)
        learners = lms_learners({(name, uid) for name, uid, *_ in found}, taken)
        spare: dict[str, list[Path]] = {}
        for name, uid, path, original, late in found:
            learner = learners[name, uid]
            if original is None:  # Moodle's folder per learner
                self.learner_folder(learner, path, exchange=False)
                continue
            if original == self.wanted or self.copy.match(original):
                self.add(_Candidate(learner, path, original == self.wanted,
                                    *_time_of(path, None), late_flag=late))
            elif original.endswith(".ipynb"):
                spare.setdefault(learner, []).append(path)
            else:
                self.skip(path, "not a notebook")
        for learner, paths in spare.items():
            if len(paths) == 1 and learner not in self.candidates:
                match = CANVAS_FILE.match(paths[0].name)
                self.add(_Candidate(learner, paths[0], False, *_time_of(paths[0], None),
                                    late_flag=bool(match["late"]) if match else None))
            else:
                for path in paths:
                    self.skip(path, self.not_ours(path.name))

    # -- one notebook per learner --------------------------------------------------------

    def result(self) -> Intake:
        submissions = {}
        for learner, (path, problem) in self.problems.items():
            submissions[learner] = Submission(learner, path, problem=problem)
        for learner, folder in self.folders.items():
            if learner not in self.candidates and learner not in submissions:
                submissions[learner] = Submission(learner, folder / self.wanted)
        for learner, candidates in self.candidates.items():
            if learner in submissions and submissions[learner].problem:
                for candidate in candidates:
                    self.skip(candidate.path, f"{learner} is not graded: "
                                              f"{submissions[learner].problem}")
                continue
            # Exactly named first, then the newest; the name breaks a tie, for repeatability.
            ranked = sorted(candidates, key=lambda c: (
                c.exact, c.submitted_at or datetime.min.replace(tzinfo=timezone.utc),
                self.shown(c.path)), reverse=True)
            chosen, others = ranked[0], ranked[1:]
            notes = list(chosen.notes)
            if others:
                notes.append(english("status.newest_copy", count=len(ranked),
                                     path=self.shown(chosen.path)))
            elif not chosen.exact:
                notes.append(english("status.renamed_copy", path=self.shown(chosen.path)))
            for other in others:
                self.skip(other.path, f"an older copy of {learner}'s notebook "
                                      f"({self.shown(chosen.path)} is graded)")
            submissions[learner] = Submission(learner, chosen.path, chosen.submitted_at,
                                              chosen.time_source, chosen.late_flag, notes,
                                              from_exchange=chosen.from_exchange)
        return Intake(dict(sorted(submissions.items())),
                      sorted(self.skipped, key=lambda s: s.path))


def lms_learners(pairs: set[tuple[str, str]], taken: set[str]) -> dict[tuple[str, str], str]:
    """{(name, user id): learner id}: the name, or ``<name>_<userid>`` for every pair whose
    name would also be another's id (another user id of that name, a learner folder in
    ``taken``, or another's ``<name>_<userid>``: "Alice Smith_5" the learner vs Alice Smith,
    user 5). ``<name>_<userid>`` is unique (a user id has no "_"); IntakeError if one is
    still a learner folder's name."""
    joined: set[tuple[str, str]] = set()
    while True:
        keys: dict[str, set[tuple[str, str]]] = {}
        for name, uid in pairs:
            keys.setdefault(f"{name}_{uid}" if (name, uid) in joined else name,
                            set()).add((name, uid))
        clashing = {pair for key, owners in keys.items() if len(owners) > 1 or key in taken
                    for pair in owners} - joined
        if not clashing:
            break
        joined |= clashing
    for key, owners in keys.items():
        if key in taken:
            raise IntakeError(f"{key}: two learners would share this id (a learner folder "
                              "and an LMS download's user): expected one learner per id; "
                              "rename the folder")
    return {pair: key for key, owners in keys.items() for pair in owners}


def _entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


def _folder_reason(name: str, others: set[str]) -> str:
    if name == ".ipynb_checkpoints":
        return "Jupyter's autosaved checkpoints: not graded"
    if name in others:
        return f"a folder of another assignment ({name})"
    return "a folder: not read"


def _is_course_root(folder: Path, assignment: str) -> bool:
    """nbgrader's course root: a real submitted/ folder holding <learner>/<ASSIGNMENT>/,
    beside nothing but what such a folder holds; IntakeError when a submitted/ like that
    sits among anything else (a flat-layout learner named "submitted"?), as either reading
    would grade one folder as the class."""
    submitted = folder / "submitted"
    if submitted.is_symlink() or not submitted.is_dir():
        return False
    try:
        if not any((learner / assignment).is_dir() for learner in submitted.iterdir()
                   if not learner.is_symlink() and learner.is_dir()):
            return False
        strangers = sorted(entry.name for entry in _entries(folder)
                           if entry.name != "submitted" and not entry.name.startswith(".")
                           and entry.name not in COURSE_ENTRIES)
    except OSError:
        return False  # read as a learner's folder, which says it is unreadable
    if strangers:
        raise IntakeError(f"{folder}: submitted/ is laid out as nbgrader's collected "
                          f"submissions, but {strangers[0][:40]!r} is not what an nbgrader "
                          "course folder holds: expected SUBMISSIONS to be the course folder "
                          "or its submitted/ folder, or a learner folder not named submitted")
    return True


def find(submissions_dir: Path, assignment: str,
         other_assignments: set[str] | None = None) -> Intake:
    """Every learner's submission in submissions_dir and every entry not graded, with its
    reason; IntakeError for a folder that is ambiguous or unreadable as a whole."""
    if other_assignments is None:
        from autograder.assignments import ASSIGNMENTS
        other_assignments = set(ASSIGNMENTS)
    others = set(other_assignments) - {assignment}
    skipped = []
    root = submissions_dir
    try:
        is_course_root = _is_course_root(submissions_dir, assignment)
    except OSError as error:
        raise IntakeError(f"{submissions_dir}: cannot read it: {error.strerror or error}") \
            from None
    if is_course_root:
        for entry in _entries(submissions_dir):
            if entry.name != "submitted":
                skipped.append(Skipped(entry.name + ("/" if entry.is_dir() else ""),
                                       "in nbgrader's course folder: only submitted/ is read"))
        root = submissions_dir / "submitted"
    finder = _Finder(root, assignment, others)
    finder.top_level()
    found = finder.result()
    if root != submissions_dir:  # paths as the instructor sees them, from SUBMISSIONS
        found.skipped = [Skipped(f"submitted/{s.path}", s.reason) for s in found.skipped]
    found.skipped = skipped + found.skipped
    return found


# -- telling the instructor ------------------------------------------------------------

SKIPPED_CSV = "skipped-{assignment}.csv"  # in --out
SHOWN_SKIPPED = 10  # on stderr; the CSV has them all


def say_skipped(found: Intake, csv_path: Path) -> None:
    """Once, on stderr: what was not graded and why (the first few; the CSV has all)."""
    import sys

    from autograder.plain_text import plain

    if not found.skipped:
        return
    count = len(found.skipped)
    lines = [f"autograder: not graded: {count} {'entry' if count == 1 else 'entries'} of "
             f"SUBMISSIONS (all listed in {csv_path}):"]
    lines += [f"  {item.path}: {item.reason}" for item in found.skipped[:SHOWN_SKIPPED]]
    if len(found.skipped) > SHOWN_SKIPPED:
        lines.append(f"  ... and {len(found.skipped) - SHOWN_SKIPPED} more")
    print(plain("\n".join(lines)), file=sys.stderr)


def write_skipped(path: Path, found: Intake) -> None:
    """path,reason for every entry of SUBMISSIONS that was not graded (a header alone when
    everything was)."""
    import csv

    from autograder.plain_text import plain

    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["path", "reason"])
        writer.writerows([plain(item.path), plain(item.reason)] for item in found.skipped)

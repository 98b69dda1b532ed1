"""Grade a folder of submissions, several at once, and judge each one outside its sandbox.

The steps for one submission, in this order (each a small module):

1. :mod:`autograder.submission` reads the learner's file (never writing it) and rebuilds it
   around the source notebook's locked and test cells, into a private scratch folder;
2. :mod:`autograder.sandbox` + :mod:`autograder.watchdog` run :mod:`autograder.run` on it in
   bubblewrap, under a wall-clock limit and caps on the whole process tree's resident memory
   and threads; the runner prints one JSON line (its summary and the probe's report), which
   comes back through a size-capped pipe;
3. back in this process, :func:`autograder.verdict.judge` turns the report into points.

Steps 1-2 run in a thread pool (the work happens in subprocesses, so threads suffice); step
3 and everything written afterwards (grades.csv, feedback, the gradebook) happen in the
calling thread, in learner order, so ``--jobs N`` gives the same results as ``--jobs 1``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Collection

import nbformat

from autograder import assignments, cgroups, memory_protection, sandbox, submission, watchdog
from autograder.plain_text import plain

GiB = 2**30
MiB = 2**20
# The runner's result line: the probe's report (a few kB when honest) plus a line per cell.
RESULT_MAX_BYTES = 16 * MiB
MAX_CELLS = 500  # cells of a runner's summary looked at; the notebooks have a few dozen
MAX_LISTED = 20  # timeouts and errors named in a status or feedback page
RUNNER_FILES = ("run.py", "confine.py")  # the runner and the one module it imports
SEED_VARIABLE = "TTT_GRADING_SEED"  # set for every runner: marks the processes it starts


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. The defaults are the command's defaults."""

    # TensorFlow's import alone takes 6-8 s on a quiet CPU; the convergence check runs a few
    # hundred eager steps; a busy machine is slower still.
    cell_timeout: float = 180.0
    wall_seconds: float = 900.0
    memory_bytes: int = 4 * GiB
    disk_bytes: int = sandbox.SCRATCH_BYTES  # the kernel's writable working folder
    # Threads of the whole tree: a TensorFlow kernel runs a few dozen. The cap stops fork
    # and thread bombs long before the machine's task table (pid_max) fills up.
    max_tasks: int = 512
    # Average CPU, in multiples of the submission's thread slice (cores / jobs), beyond
    # watchdog.CPU_SLACK_SECONDS: busy processes must not starve the neighbouring job.
    cpu_share: float = 1.25
    # Files and folders in each in-memory folder of the sandbox: an empty file costs the
    # kernel about 1 KiB and the folder's size nothing.
    max_files: int = 65536
    # Control groups where the machine offers them (off only for tests and benchmarks of
    # the fallback); without one, the host's available memory is kept above this floor.
    cgroups: bool = True
    host_floor_bytes: int | None = None  # None: memory_protection.default_host_floor()


@dataclass
class Part:
    """One graded cell's result, as written to grades.csv, feedback and the gradebook."""

    grade_id: str
    score: float
    max_score: float
    stage: str
    message: str


@dataclass
class Result:
    learner_id: str
    assignment: str
    score: float
    max_score: float
    status: str
    parts: list[Part]
    learner_errors: list[str] = field(default_factory=list)
    submitted_at: datetime | None = None

    def to_dict(self) -> dict:
        """JSON-ready data (the grading journal's record); :meth:`from_dict` reverses it."""
        return {"learner_id": self.learner_id, "assignment": self.assignment,
                "score": self.score, "max_score": self.max_score, "status": self.status,
                "parts": [vars(part).copy() for part in self.parts],
                "learner_errors": list(self.learner_errors),
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None}

    @classmethod
    def from_dict(cls, data) -> Result:
        """The Result that :meth:`to_dict` described; ValueError for anything else (a
        journal line can be torn or foreign: it is checked field by field)."""
        texts = ("learner_id", "assignment", "status")
        _expect(data, {*texts, "score", "max_score", "parts", "learner_errors",
                       "submitted_at"})
        _expect_types(data, texts, str)
        _expect_types(data, ("score", "max_score"), (int, float))
        if not isinstance(data["parts"], list) or not isinstance(data["learner_errors"], list)\
                or not all(isinstance(e, str) for e in data["learner_errors"]):
            raise ValueError("parts and learner_errors must be lists")
        parts = []
        for part in data["parts"]:
            _expect(part, {"grade_id", "score", "max_score", "stage", "message"})
            _expect_types(part, ("grade_id", "stage", "message"), str)
            _expect_types(part, ("score", "max_score"), (int, float))
            parts.append(Part(part["grade_id"], float(part["score"]),
                              float(part["max_score"]), part["stage"], part["message"]))
        submitted_at = data["submitted_at"]
        if submitted_at is not None:
            if not isinstance(submitted_at, str):
                raise ValueError("submitted_at must be a date or null")
            submitted_at = datetime.fromisoformat(submitted_at)
        return cls(data["learner_id"], data["assignment"], float(data["score"]),
                   float(data["max_score"]), data["status"], parts,
                   list(data["learner_errors"]), submitted_at)


def _expect(data, keys: set[str]) -> None:
    if not isinstance(data, dict) or set(data) != keys:
        raise ValueError(f"expected an object with the keys {', '.join(sorted(keys))}")


def _expect_types(data: dict, keys: tuple[str, ...], kinds) -> None:
    for key in keys:  # bool is an int to Python, never a score
        if not isinstance(data[key], kinds) or isinstance(data[key], bool):
            raise ValueError(f"{key}: wrong type {type(data[key]).__name__}")


@dataclass
class _Run:
    """What steps 1-2 produced for one learner, before judging."""

    learner_id: str
    seed: int
    scratch: Path
    problem: str | None = None  # the submission could not be graded at all
    notes: list[str] = field(default_factory=list)
    outcome: watchdog.Outcome | None = None
    summary: dict | None = None  # the runner's result line, when it was well formed
    report: Path | None = None  # the probe's report, as the grader saved it
    submitted_at: datetime | None = None


def find_learners(submissions_dir: Path) -> list[str]:
    """Learner ids: the sub-folders of submissions_dir, hidden ones skipped, sorted."""
    return sorted(entry.name for entry in submissions_dir.iterdir()
                  if not entry.name.startswith(".") and (entry.is_dir() or entry.is_symlink()))


def learner_seed(base_seed: int | None, learner_id: str) -> int:
    """A fresh secret seed, or (for tests and benchmarks) one derived from base_seed."""
    if base_seed is None:
        return secrets.randbits(31)
    digest = hashlib.sha256(f"{base_seed}:{learner_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


WORKSPACE_PREFIX = "ttt-grade-"


def remove_stale_workspaces() -> None:
    """Workspaces of graders that were killed (no `finally` ran): named by their pid."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORKSPACE_PREFIX}*"):
        if folder.is_dir() and cgroups.owner_is_gone(folder.name):
            for path in (folder, *folder.rglob("*")):  # the kernel library is read-only
                if path.is_dir() and not path.is_symlink():
                    try:
                        path.chmod(0o755)
                    except OSError:
                        pass
            shutil.rmtree(folder, ignore_errors=True)


class _Workspace:
    """Temporary folder of one batch: the kernel library copy, the runner, scratch folders."""

    def __init__(self, repo_root: Path, kernel_modules: tuple[str, ...], jobs: int = 1,
                 protection: memory_protection.MemoryProtection | None = None,
                 limits: Limits = Limits()):
        # Chosen first: it may need the machine's control groups, and says so when it can't.
        self.owns_protection = protection is None
        self.protection = protection or memory_protection.choose(limits.cgroups,
                                                                 limits.host_floor_bytes)
        remove_stale_workspaces()
        self.root = Path(tempfile.mkdtemp(prefix=f"{WORKSPACE_PREFIX}{os.getpid()}-"))
        # Kernels running side by side share the cores: each gets its slice of threads, so
        # TensorFlow's and BLAS's pools do not oversubscribe the machine.
        self.threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
        self.kernel_lib = self.root / "kernel-lib"
        self.python_roots = sandbox.copy_kernel_library(repo_root, kernel_modules,
                                                        self.kernel_lib)
        runner_dir = self.root / "runner"
        runner_dir.mkdir()
        self.runner = runner_dir / "run.py"
        for name in RUNNER_FILES:
            shutil.copyfile(Path(__file__).with_name(name), runner_dir / name)
            (runner_dir / name).chmod(0o444)
        (self.root / "logs").mkdir()
        (self.root / "reports").mkdir()
        self.font_cache = sandbox.build_font_cache(self.root / "matplotlib")
        self.stopping = threading.Event()  # set when the batch is abandoned: start no more

    def scratch(self, index: int) -> Path:
        folder = self.root / "scratch" / str(index)
        folder.mkdir(parents=True)
        return folder

    def remove(self) -> None:
        if self.owns_protection:
            self.protection.remove()
        for path in (self.kernel_lib, *self.kernel_lib.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(self.root, ignore_errors=True)


def _command(workspace: _Workspace, scratch: Path, seed: int,
             limits: Limits, use_sandbox: bool) -> tuple[list[str], Path | None]:
    """(the command that runs the runner on scratch/submission.ipynb, its working folder on
    the host: None in the sandbox, which sets its own)."""
    environment = sandbox.kernel_environment(seed, workspace.python_roots, workspace.threads)
    if use_sandbox:
        args = [f"{sandbox.INPUT_DIR}/submission.ipynb", f"{sandbox.REPORT_DIR}/report.jsonl",
                "--cell-timeout", str(limits.cell_timeout)]
        return sandbox.runner_command(scratch, workspace.kernel_lib, workspace.runner,
                                      environment, args, limits.disk_bytes,
                                      workspace.font_cache), None
    # Without a sandbox: the same runner and environment, with real paths.
    work = scratch / "work"
    work.mkdir()
    environment |= {
        "PYTHONPATH": ":".join(str(workspace.kernel_lib / root)
                               for root in workspace.python_roots),
        "TTT_REPORT_DIR": str(work), "HOME": str(work / "home"),
        **{name: str(work / "tmp" / name.lower()) for name in (
            "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR",
            "JUPYTER_CONFIG_DIR")},
    }
    if workspace.font_cache is not None:
        (work / "tmp" / "mplconfigdir").mkdir(parents=True)
        shutil.copy(workspace.font_cache, work / "tmp" / "mplconfigdir")
    return ["env", "-i", *(f"{k}={v}" for k, v in environment.items()),
            sys.executable, str(workspace.runner), str(scratch / "submission.ipynb"),
            str(work / "report.jsonl"), "--cell-timeout", str(limits.cell_timeout)], work


def _execute(learner_id: str, index: int, submissions_dir: Path, assignment: str,
             source: nbformat.NotebookNode, workspace: _Workspace, limits: Limits,
             use_sandbox: bool, base_seed: int | None) -> _Run:
    """Prepare and run one submission; whatever goes wrong stays this learner's status."""
    try:
        return _prepare_and_run(learner_id, index, submissions_dir, assignment, source,
                                workspace, limits, use_sandbox, base_seed)
    except Exception as error:  # one learner's failure must never end the batch
        return _Run(learner_id, learner_seed(base_seed, learner_id),
                    workspace.root / "scratch" / str(index),
                    problem=f"grader error: {type(error).__name__}: {error}"[:300])


def _prepare_and_run(learner_id: str, index: int, submissions_dir: Path, assignment: str,
                     source: nbformat.NotebookNode, workspace: _Workspace, limits: Limits,
                     use_sandbox: bool, base_seed: int | None) -> _Run:
    path = submissions_dir / learner_id / f"{assignment}.ipynb"
    run = _Run(learner_id, learner_seed(base_seed, learner_id), workspace.scratch(index))
    try:
        if (submissions_dir / learner_id).is_symlink():
            raise submission.SubmissionError(
                "refused: the learner's folder is a symbolic link, not a folder")
        prepared = submission.prepare(path, source)
        run.submitted_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    except submission.SubmissionError as error:
        run.problem = str(error)
        return run
    except OSError as error:
        run.problem = f"unreadable: {error.strerror or error}"
        return run
    run.notes = prepared.notes
    nbformat.write(prepared.notebook, run.scratch / "submission.ipynb")
    command, cwd = _command(workspace, run.scratch, run.seed, limits, use_sandbox)
    if workspace.stopping.is_set():
        run.problem = "not graded: the batch was stopped"
        return run
    protection = workspace.protection
    group = protection.submission_group(
        str(index), limits.memory_bytes + memory_protection.folder_bytes(limits.disk_bytes,
                                                                         use_sandbox),
        limits.max_tasks)
    try:
        run.outcome = watchdog.run_limited(
            command, wall_seconds=limits.wall_seconds, memory_bytes=limits.memory_bytes,
            max_tasks=limits.max_tasks, cpu_cores=limits.cpu_share * workspace.threads,
            output_limit=RESULT_MAX_BYTES, cwd=cwd,
            log_path=workspace.root / "logs" / f"{index}.log", group=group,
            inode_caps=memory_protection.inode_caps(limits.max_files) if use_sandbox else None,
            host_floor=protection.host_floor)
    finally:
        if group is not None:
            group.remove()
    if not use_sandbox:  # the kernel shared this process's user and files
        watchdog.end_orphans(SEED_VARIABLE)  # daemons that escaped the tree were adopted
        _reclaim(run.scratch)
    run.summary = parse_runner_output(run.outcome)
    run.outcome.output = b""  # parsed: kept no longer than needed, a batch holds every run
    report = run.summary.pop("report", None) if run.summary else None
    # Written where only the grader writes: without a sandbox the kernel could plant a FIFO
    # in its own folder that blocks this write.
    run.report = workspace.root / "reports" / f"{index}.jsonl"
    run.report.write_text(report if isinstance(report, str) else "", encoding="utf-8")
    return run


def _reclaim(scratch: Path) -> None:
    """Without a sandbox the kernel worked in the scratch folder as the grader's own user and
    may have locked it (chmod 000): the workspace could then not be removed by a grader not
    running as root. Make every folder in it ours again."""
    for folder, subfolders, _files in os.walk(scratch, onerror=None):
        for path in (folder, *(os.path.join(folder, name) for name in subfolders)):
            try:
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
            except OSError:
                pass
    try:
        os.chmod(scratch, 0o700)
    except OSError:
        pass


def parse_runner_output(outcome: watchdog.Outcome) -> dict | None:
    """The runner's one JSON line: untrusted (the kernel shares the runner's sandbox), so
    only a well-formed, not oversized object with a list of cells counts, and it comes
    back rebuilt from checked fields: ``outcome`` (text or None), ``cells`` (see
    :func:`_runner_cell`), ``not_confined`` (short texts), ``report`` (text or None). Text
    has its terminal control characters escaped (:func:`autograder.plain_text.plain`)."""
    if outcome.output_overflow:
        return None
    try:
        summary = json.loads(outcome.output.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(summary, dict) or not isinstance(summary.get("cells"), list):
        return None
    report, found = summary.get("report"), summary.get("outcome")
    not_confined = summary.get("not_confined")
    return {
        "outcome": None if found is None else _text(found, 300) or "unreadable",
        "cells": [cell for cell in map(_runner_cell, summary["cells"][:MAX_CELLS]) if cell],
        "not_confined": [_text(item, 100) or "unreadable" for item in
                         (not_confined[:MAX_LISTED] if isinstance(not_confined, list) else [])],
        # Judged, not shown: only made writable (JSON may carry lone surrogates, UTF-8 not).
        "report": (report.encode("utf-8", "replace").decode("utf-8")
                   if isinstance(report, str) else None),
    }


def _text(value, limit: int) -> str | None:
    return plain(value[:limit]) if isinstance(value, str) else None


def _count(value) -> int | None:
    """A cell index: a plain, non-negative int of sensible size (never a bool)."""
    return value if type(value) is int and 0 <= value < 10**6 else None


def _runner_cell(raw) -> dict | None:
    """One cell of the runner's summary with each field of its own type, or None for
    anything but an object; a field of the wrong type reads as absent."""
    if not isinstance(raw, dict):
        return None
    status = raw.get("status")
    return {"index": _count(raw.get("index")), "grade_id": _text(raw.get("grade_id"), 100),
            "status": status if status in ("ok", "error", "timeout", "died") else None,
            "ename": _text(raw.get("ename"), 100) or "",
            "evalue": _text(raw.get("evalue"), 500) or "",
            "raised_in": _count(raw.get("raised_in"))}


def _raised_by_the_learner(cell: dict, cells: list, answer_ids: set[str]) -> bool:
    """May a test cell's error be shown? Test cells hold hidden code, whose messages are not
    for learners; but an error raised inside the learner's own code (the innermost frame
    of its traceback is an answer cell), or a NameError (a function the learner deleted or
    renamed), says only what the learner wrote, and is the clue they need."""
    if cell.get("ename") == "NameError":
        return True
    raised_in = cell.get("raised_in")
    source = next((c for c in cells if isinstance(c, dict) and c.get("index") == raised_in
                   and not isinstance(raised_in, bool)), None)
    # Cells without a grade_id are plain code anyone can read, the learner's own included.
    return source is not None and (source.get("grade_id") is None
                                   or source.get("grade_id") in answer_ids)


def _limit_status(outcome: watchdog.Outcome, limits: Limits) -> str:
    """Why the watchdog stopped a run, in the instructor's words."""
    memory = f"{limits.memory_bytes / GiB:g} GiB"
    return {
        "memory": (f"stopped: used more than {memory} of memory beyond its in-memory "
                   "folders, counting what the kernel held for it (socket buffers, files)"
                   if outcome.detail == watchdog.HELD
                   else f"stopped: used more than {memory} of memory"),
        "time": f"stopped: took longer than {limits.wall_seconds:g} s in total",
        "tasks": f"stopped: ran more than {limits.max_tasks} processes or threads at once",
        "cpu": ("stopped: kept more cores busy than its share for too long "
                "(busy processes left running?)"),
        "files": (f"stopped: made more than {limits.max_files} files and folders in "
                  f"{outcome.detail} (each holds kernel memory)"),
        "host memory": ("stopped: the machine ran low on memory and this submission held "
                        "the most (no control group caps it here)"),
    }[outcome.limit]


def _execution_status(run: _Run, limits: Limits,
                      answer_ids: set[str]) -> tuple[str | None, list[str], list[str]]:
    """(why the run stopped early or None, cell timeouts, the learner's own cell errors)."""
    outcome = run.outcome
    if outcome.limit:
        return _limit_status(outcome, limits), [], []
    summary = run.summary
    if outcome.returncode != 0 or summary is None:
        return "stopped: the notebook's processes were killed before the run finished", [], []
    stopped = None
    if summary.get("outcome") == "kernel died":
        stopped = "kernel died (the notebook exited or crashed)"
    elif summary.get("outcome") not in ("completed", None):
        stopped = "stopped: the kernel could not start"
    timeouts, errors = [], []
    cells = summary["cells"][:MAX_CELLS]  # untrusted, maybe forged: never a flood of words
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("status") not in ("error", "timeout"):
            continue
        grade_id = cell.get("grade_id")
        grade_id = grade_id if isinstance(grade_id, str) else None  # untrusted: text only
        where = f"cell {cell.get('index')}" + (f" ({grade_id})" if isinstance(grade_id, str)
                                               else "")
        if cell["status"] == "timeout":
            timeouts.append(f"{where} timed out after {limits.cell_timeout:g} s")
            problem = f"did not finish within {limits.cell_timeout:g} s (an endless loop?)"
        else:
            problem = f"{cell.get('ename', '')}: {cell.get('evalue', '')}"
        if grade_id is None or grade_id in answer_ids:
            errors.append(f"{where}: {problem}"[:600])
        elif _raised_by_the_learner(cell, cells, answer_ids):
            errors.append(f"{where}, a test, stopped: {problem}"[:600])
    return stopped, timeouts[:MAX_LISTED], errors[:MAX_LISTED]


def _judge(run: _Run, assignment: str, grade_cells: dict[str, float], limits: Limits,
           answer_ids: set[str]) -> Result:
    max_score = sum(grade_cells.values())
    if run.problem:
        parts = [Part(g, 0.0, points, "missing", run.problem) for g, points in grade_cells.items()]
        return Result(run.learner_id, assignment, 0.0, max_score, run.problem, parts)
    stopped, phrases, errors = _execution_status(run, limits, answer_ids)
    from autograder import verdict  # already imported by grade_batch; judged out here

    try:
        judged = verdict.judge(assignment, run.report, run.seed)
        parts = [Part(p.grade_id, float(p.score), float(p.max_score), p.stage, p.message)
                 for p in judged]
        # The judge of one part failed (the others kept their points): tell the instructor.
        phrases += [f"grader error while judging {p.grade_id}" for p in judged
                    if p.grader_error]
    except Exception as error:  # a grader bug must not stop the batch; say so loudly
        message = plain(f"grader error while judging: {type(error).__name__}: {error}")
        parts = [Part(g, 0.0, points, "error", message) for g, points in grade_cells.items()]
        phrases.append(message)
    missing = (run.summary or {}).get("not_confined")
    if missing and isinstance(missing, list):  # the machine could not apply all of confine.py
        phrases.append("runner not fully confined: " + ", ".join(map(str, missing[:3]))[:200])
    # "graded" when the notebook ran to its end; otherwise the reason it stopped early.
    status = "; ".join([stopped or "graded", *phrases, *run.notes])
    score = sum(part.score for part in parts)
    return Result(run.learner_id, assignment, score, max_score, status, parts, errors,
                  run.submitted_at)


def grade_batch(assignment: str, submissions_dir: Path, *, jobs: int = 1,
                limits: Limits = Limits(), use_sandbox: bool = True,
                base_seed: int | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                wait_for: Future | None = None, skip: Collection[str] = (),
                on_result: Callable[[Result], None] | None = None,
                protection: memory_protection.MemoryProtection | None = None) -> list[Result]:
    """Grade every learner folder in submissions_dir; results sorted by learner id.

    ``wait_for``: work started beside the batch (opening the gradebook) whose failure must
    stop it; its exception ends the running sandboxes and is raised from here.
    ``skip``: learners not to grade (their results are known: the journal's); left out of
    the returned list, counted as done by ``on_progress``.
    ``protection``: how the host's memory is protected (default: chosen here, see
    :func:`autograder.memory_protection.choose`; the caller removes one it passes).
    ``on_result``: called in this thread with each result as soon as it is judged (after
    ``wait_for`` succeeded); an exception from it stops the batch like Ctrl-C does."""
    from autograder import probe, verdict  # noqa: F401 -- a broken grader fails before any run

    source = nbformat.read(assignments.source_notebook(assignment), as_version=4)
    grade_cells = assignments.grade_cells(assignment)
    answer_ids = set(submission.answer_ids(source))
    everyone = find_learners(submissions_dir)
    learners = [learner for learner in everyone if learner not in skip]
    resumed = len(everyone) - len(learners)
    if not learners:  # nothing left to run: no workspace to build
        if on_progress:
            on_progress(resumed, len(everyone))
        if wait_for is not None:
            wait_for.result()
        return []
    workspace = _Workspace(assignments.REPO_ROOT, probe.KERNEL_MODULES, jobs, protection,
                           limits)
    if not use_sandbox:
        watchdog.adopt_orphans()
    results = {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = []
    try:
        futures = [pool.submit(_execute, learner, index, submissions_dir, assignment,
                               source, workspace, limits, use_sandbox, base_seed)
                   for index, learner in enumerate(learners)]
        if on_progress:
            on_progress(resumed, len(everyone))
        if wait_for is not None:
            wait_for.result()
        for done, future in enumerate(as_completed(futures), start=resumed + 1):
            run = future.result()
            try:
                results[run.learner_id] = _judge(run, assignment, grade_cells, limits,
                                                 answer_ids)
            except Exception as error:  # one learner's results must never end the batch
                run.problem = f"grader error while judging: {type(error).__name__}: {error}"
                results[run.learner_id] = _judge(run, assignment, grade_cells, limits,
                                                 answer_ids)
            if on_result:
                on_result(results[run.learner_id])
            if on_progress:
                on_progress(done, len(everyone))
    except BaseException:  # Ctrl-C included: stop queued work, end the running sandboxes
        workspace.stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        while not all(future.done() for future in futures):  # one may be starting just now
            watchdog.kill_all_running()
            time.sleep(watchdog.POLL_SECONDS)
        raise
    finally:
        pool.shutdown(wait=True)
        workspace.remove()
    return [results[learner] for learner in learners]

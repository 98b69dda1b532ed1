"""Grade a folder of submissions, several at once, and judge each one outside its sandbox.

The steps for one submission, in this order:

1. :mod:`autograder.submission` reads the learner's file (never writing it) and rebuilds it
   around the source notebook's locked and test cells, into a private scratch folder;
2. :mod:`autograder.sandbox.execute` runs it in bubblewrap under every limit of
   :class:`~autograder.sandbox.limits.Limits`; the runner's one result line comes back
   through a size-capped pipe, and :mod:`autograder.sandbox.runner_outcome` reads it;
3. back in this process, :func:`autograder.verdict.judge` turns the report into
   points, and the run's outcome into the status.

Steps 1-2 run in a thread pool (the work happens in subprocesses, so threads suffice); step
3 happens in the calling thread, so ``--jobs N`` gives the same results as ``--jobs 1``.
Nothing is written here: the caller gets each result as it is judged (``on_result``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Collection

import nbformat

from autograder import assignments, authoring, submission
from autograder.assignments import Assignment
from autograder.cell_names import cell_namer
from autograder import verdict
from autograder.plain_text import plain
from autograder.results import PartResult, Result, rounded
from autograder.sandbox import memory_protection, runner_outcome, watchdog
from autograder.sandbox.execute import Ran, run_notebook
from autograder.sandbox.limits import Limits
from autograder.sandbox.workspace import Workspace


@dataclass(frozen=True)
class Job:
    """What every submission of one batch shares."""

    assignment: Assignment
    submissions: Path
    workspace: Workspace
    limits: Limits
    use_sandbox: bool
    base_seed: int | None


@dataclass
class Run:
    """What steps 1-2 produced for one learner, before judging."""

    learner_id: str
    seed: int
    problem: str | None = None  # the submission could not be graded at all
    notes: list[str] = field(default_factory=list)
    ran: Ran | None = None
    submitted_at: datetime | None = None
    cell_name: Callable[[int | None], str] | None = None  # cells as the learner sees them


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


def _execute(job: Job, learner_id: str, index: int) -> Run:
    """Prepare and run one submission; whatever goes wrong stays this learner's status."""
    run = Run(learner_id, learner_seed(job.base_seed, learner_id))
    try:
        _prepare_and_run(job, run, index)
    except Exception as error:  # one learner's failure must never end the batch
        run.problem = f"grader error: {type(error).__name__}: {error}"[:300]
    return run


def _prepare_and_run(job: Job, run: Run, index: int) -> None:
    folder = job.submissions / run.learner_id
    path = folder / f"{job.assignment.name}.ipynb"
    scratch = job.workspace.scratch(index)
    try:
        if folder.is_symlink():
            raise submission.SubmissionError(
                "refused: the learner's folder is a symbolic link, not a folder")
        prepared = submission.prepare(path, job.assignment.source)
        run.submitted_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    except submission.SubmissionError as error:
        run.problem = str(error)
        return
    except OSError as error:
        run.problem = f"unreadable: {error.strerror or error}"
        return
    run.notes = prepared.notes
    run.cell_name = cell_namer(prepared.notebook, job.assignment.part_titles)
    nbformat.write(prepared.notebook, scratch / "submission.ipynb")
    if job.workspace.stopping.is_set():
        run.problem = "not graded: the batch was stopped"
        return
    run.ran = run_notebook(job.workspace, scratch, index, run.seed, job.limits,
                           job.use_sandbox)


def judge_run(assignment: Assignment, limits: Limits, run: Run) -> Result:
    """The learner's Result: the verdict's parts, and the status in words."""
    if run.problem:
        parts = [PartResult(g, 0.0, points, "missing", run.problem)
                 for g, points in assignment.grade_cells.items()]
        return Result(run.learner_id, assignment.name, 0.0, assignment.max_score, run.problem,
                      parts)
    execution = runner_outcome.describe(run.ran.outcome, run.ran.summary, limits,
                                        set(assignment.answer_ids), run.cell_name)
    parts = verdict.judge(assignment, run.ran.report, run.seed)
    phrases = list(execution.timeouts)
    # The judge of one part failed (the others kept their points): tell the instructor.
    phrases += [f"grader error while judging {part.grade_id}" for part in parts
                if part.grader_error]
    if execution.not_confined:  # the machine could not apply all of confine.py
        phrases.append("runner not fully confined: "
                       + ", ".join(execution.not_confined[:3])[:200])
    # "graded" when the notebook ran to its end; otherwise the reason it stopped early.
    status = "; ".join([execution.stopped or "graded", *phrases, *run.notes])
    return Result(run.learner_id, assignment.name, rounded(sum(part.score for part in parts)),
                  assignment.max_score, status, parts, execution.learner_errors,
                  run.submitted_at)


def _judge_safely(job: Job, run: Run) -> Result:
    try:
        return judge_run(job.assignment, job.limits, run)
    except Exception as error:  # one learner's results must never end the batch
        run.problem = plain(f"grader error while judging: {type(error).__name__}: {error}")
        return judge_run(job.assignment, job.limits, run)


def grade_batch(assignment: Assignment | str, submissions_dir: Path, *, jobs: int = 1,
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
    :func:`autograder.sandbox.memory_protection.choose`; the caller removes one it passes).
    ``on_result``: called in this thread with each result as soon as it is judged (after
    ``wait_for`` succeeded); an exception from it stops the batch like Ctrl-C does."""
    if isinstance(assignment, str):
        assignment = assignments.get(assignment)
    # A broken spec or a source notebook out of step with the specs fails here, before any
    # learner's notebook runs.
    authoring.check_synced(assignment.name)
    assignment.answer_ids  # noqa: B018 -- reads and checks the source notebook
    everyone = find_learners(submissions_dir)
    learners = [learner for learner in everyone if learner not in skip]
    resumed = len(everyone) - len(learners)
    if not learners:  # nothing left to run: no workspace to build
        if on_progress:
            on_progress(resumed, len(everyone))
        if wait_for is not None:
            wait_for.result()
        return []
    job = Job(assignment, submissions_dir, Workspace(jobs, limits, protection), limits,
              use_sandbox, base_seed)
    if not use_sandbox:
        watchdog.adopt_orphans()
    results = {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = []
    try:
        futures = [pool.submit(_execute, job, learner, index)
                   for index, learner in enumerate(learners)]
        if on_progress:
            on_progress(resumed, len(everyone))
        if wait_for is not None:
            wait_for.result()
        for done, future in enumerate(as_completed(futures), start=resumed + 1):
            run = future.result()
            results[run.learner_id] = _judge_safely(job, run)
            if on_result:
                on_result(results[run.learner_id])
            if on_progress:
                on_progress(done, len(everyone))
    except BaseException:  # Ctrl-C included: stop queued work, end the running sandboxes
        job.workspace.stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        while not all(future.done() for future in futures):  # one may be starting just now
            watchdog.kill_all_running()
            time.sleep(watchdog.POLL_SECONDS)
        raise
    finally:
        pool.shutdown(wait=True)
        job.workspace.remove()
    return [results[learner] for learner in learners]

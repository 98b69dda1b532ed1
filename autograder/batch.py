"""Grade a folder of submissions, several at once, and judge each one outside its sandbox.

The steps for one submission, in this order:

1. :mod:`autograder.submission` reads the learner's file (never writing it) and rebuilds it
   around the source notebook's locked and test cells, into a private scratch folder;
2. :mod:`autograder.sandbox.execute` runs it in bubblewrap under every limit of
   :class:`~autograder.sandbox.limits.Limits`; the runner's one result line comes back
   through a size-capped pipe, and :mod:`autograder.sandbox.runner_outcome` reads it;
3. back in this process, :func:`autograder.verdict.judge` turns the report into
   points, and the run's outcome into the status; a part whose code (read in step 1) uses
   what the part rules out earns 0 (:mod:`autograder.source_rules`).

Steps 1-2 run in a thread pool (the work happens in subprocesses, so threads suffice); step
3 happens in the calling thread, so ``--jobs N`` gives the same results as ``--jobs 1``.
Nothing is written here: the caller gets each result as it is judged (``on_result``).
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection

import nbformat

from autograder import (assignments, authoring, autograded_copy, intake, parts as specs,
                        source_rules, submission)
from autograder.assignments import Assignment
from autograder.cell_names import cell_namer
from autograder.messages import ENGLISH, english, speaking
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
    found: intake.Intake  # each learner's notebook, found once for the batch


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
    # The prepared notebook with the run's checked outputs, for the formgrader
    # (autograder.autograded_copy); None when nothing ran.
    executed: nbformat.NotebookNode | None = None
    # Parts whose code uses what they rule out (autograder.source_rules), read before it ran.
    breaches: list[source_rules.Breach] = field(default_factory=list)
    language: str = ENGLISH  # the notebook's (submission.prepare): its feedback's language


def find_learners(submissions_dir: Path, assignment: str) -> list[str]:
    """Learner ids, sorted, in any layout :mod:`autograder.intake` reads."""
    return intake.find(submissions_dir, assignment).learners


def learner_seed(chosen: int | None) -> int:
    """The seed a learner's data is drawn from: a fresh secret one, or the one chosen
    (``--seed``) as it is, so that a result's recorded seed grades it again alike."""
    return secrets.randbits(31) if chosen is None else chosen


def grader_error(error: Exception) -> str:
    """The status of a learner whose grading failed for the grader's own reasons."""
    return english("status.grader_error", error=f"{type(error).__name__}: {error}")[:300]


def _execute(job: Job, learner_id: str, index: int) -> Run:
    """Prepare and run one submission; whatever goes wrong stays this learner's status."""
    run = Run(learner_id, learner_seed(job.base_seed))
    try:
        _prepare_and_run(job, run, index)
    except Exception as error:  # one learner's failure must never end the batch
        run.problem = grader_error(error)
    return run


def prepare(assignment: Assignment, found: intake.Intake, run: Run
            ) -> nbformat.NotebookNode | None:
    """Step 1 for ``run.learner_id``: the notebook to run, rebuilt around the source's locked
    and test cells, with the run's notes, cell names and breaches filled in; None (and
    ``run.problem`` set) when there is nothing to run. Also used by
    :mod:`autograder.cluster.coordinator`, which runs the notebook elsewhere."""
    handed_in = found.submissions[run.learner_id]
    try:
        if handed_in.problem:  # e.g. the learner's folder is a symbolic link
            raise submission.SubmissionError(handed_in.problem)
        prepared = submission.prepare(handed_in.path, assignment.source)
        run.submitted_at = handed_in.submitted_at
    except submission.SubmissionError as error:
        run.problem, run.language = str(error), error.language
        return None
    except OSError as error:
        run.problem = english("status.unreadable", error=error.strerror or error)
        return None
    run.notes = [*handed_in.notes, *prepared.notes]
    run.language = prepared.language
    run.cell_name = cell_namer(prepared.notebook, assignment.part_titles)
    run.breaches = source_rules.breaches(prepared.notebook,
                                         specs.parts(assignment.name).values(),
                                         run.cell_name)
    return prepared.notebook


def prepare_safely(assignment: Assignment, found: intake.Intake, run: Run
                   ) -> nbformat.NotebookNode | None:
    """:func:`prepare`, where an error of the grader's own is that learner's status."""
    try:
        return prepare(assignment, found, run)
    except Exception as error:  # one learner's failure must never end the batch
        run.problem = grader_error(error)
        return None


def keep_executed(run: Run, prepared: nbformat.NotebookNode) -> None:
    """The formgrader's copy of a notebook that ran (:mod:`autograder.autograded_copy`)."""
    try:
        run.executed = autograded_copy.merge(prepared, run.ran.outputs)
    except Exception as error:  # the formgrader's copy must never cost the learner points
        run.notes.append(english("status.no_copy", error=type(error).__name__)[:200])


def _prepare_and_run(job: Job, run: Run, index: int) -> None:
    prepared = prepare(job.assignment, job.found, run)
    if prepared is None:
        return
    scratch = job.workspace.scratch(index)
    nbformat.write(prepared, scratch / "submission.ipynb")
    if job.workspace.stopping.is_set():
        run.problem = english("status.batch_stopped")
        return
    run.ran = run_notebook(job.workspace, scratch, index, run.seed, job.limits,
                           job.use_sandbox)
    keep_executed(run, prepared)


def judge_run(assignment: Assignment, limits: Limits, run: Run) -> Result:
    """The learner's Result: the verdict's parts, and the status in words; the learner's
    words (parts' messages, errors, cell names) in the notebook's language."""
    with speaking(run.language):
        return replace(_judge_run(assignment, limits, run), language=run.language)


def _judge_run(assignment: Assignment, limits: Limits, run: Run) -> Result:
    if run.problem:
        parts = [PartResult(g, 0.0, points, "missing", run.problem)
                 for g, points in assignment.grade_cells.items()]
        return Result(run.learner_id, assignment.name, 0.0, assignment.max_score, run.problem,
                      parts, seed=run.seed)
    execution = runner_outcome.describe(run.ran.outcome, run.ran.summary, limits,
                                        set(assignment.answer_ids), run.cell_name)
    parts = source_rules.applied(verdict.judge(assignment, run.ran.report, run.seed),
                                 run.breaches)
    phrases = list(execution.timeouts)
    # The judge of one part failed (the others kept their points): tell the instructor.
    phrases += [english("status.grader_error_part", grade_id=part.grade_id) for part in parts
                if part.grader_error]
    if execution.not_confined:  # the machine could not apply all of confine.py
        phrases.append(english("status.not_confined",
                               what=", ".join(execution.not_confined[:3])[:200]))
    # "graded" when the notebook ran to its end; otherwise the reason it stopped early.
    status = "; ".join([execution.stopped or english("status.graded"), *phrases, *run.notes])
    return Result(run.learner_id, assignment.name, rounded(sum(part.score for part in parts)),
                  assignment.max_score, status, parts, execution.learner_errors,
                  run.submitted_at, seed=run.seed)


def judge_safely(assignment: Assignment, limits: Limits, run: Run) -> Result:
    """:func:`judge_run`, where an error of the grader's own is that learner's status."""
    try:
        return judge_run(assignment, limits, run)
    except Exception as error:  # one learner's results must never end the batch
        run.problem = plain(english("status.grader_error_judging",
                                     error=f"{type(error).__name__}: {error}"))
        return judge_run(assignment, limits, run)


def hand_over(result: Result, run: Run, on_result, keep_notebook) -> None:
    """Give a judged result to the caller: its notebook first (a journaled result has its
    formgrader copy), then the result."""
    if keep_notebook:
        keep_notebook(run.learner_id, run.executed)
    run.executed = None  # a batch must not hold every learner's notebook
    if on_result:
        on_result(result)


def checked_learners(assignment: Assignment, submissions_dir: Path,
                     found: intake.Intake | None, skip: Collection[str]
                     ) -> tuple[intake.Intake, list[str], int]:
    """(the learners' notebooks, the learners to grade, how many were skipped), after
    checking that the specs and the source notebook agree: a broken spec fails here, before
    any learner's notebook runs."""
    authoring.check_synced(assignment.name)
    assignment.answer_ids  # noqa: B018 -- reads and checks the source notebook
    found = found or intake.find(submissions_dir, assignment.name)
    learners = [learner for learner in found.learners if learner not in skip]
    return found, learners, len(found.learners) - len(learners)


def grade_batch(assignment: Assignment | str, submissions_dir: Path, *, jobs: int = 1,
                limits: Limits = Limits(), use_sandbox: bool = True,
                base_seed: int | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                wait_for: Future | None = None, skip: Collection[str] = (),
                on_result: Callable[[Result], None] | None = None,
                protection: memory_protection.MemoryProtection | None = None,
                found: intake.Intake | None = None,
                keep_notebook: Callable[[str, nbformat.NotebookNode | None], None] | None
                = None) -> list[Result]:
    """Grade every learner in submissions_dir; results sorted by learner id.

    ``found``: the learners' notebooks (default: :func:`autograder.intake.find` here).

    ``wait_for``: work started beside the batch (opening the gradebook) whose failure must
    stop it; its exception ends the running sandboxes and is raised from here.
    ``skip``: learners not to grade (their results are known: the journal's); left out of
    the returned list, counted as done by ``on_progress``.
    ``protection``: how the host's memory is protected (default: chosen here, see
    :func:`autograder.sandbox.memory_protection.choose`; the caller removes one it passes).
    ``base_seed``: the seed of every learner's data (``--seed``); None draws a fresh secret
    one per learner. Either way each result records its own.
    ``on_result``: called in this thread with each result as soon as it is judged (after
    ``wait_for`` succeeded); an exception from it stops the batch like Ctrl-C does.
    ``keep_notebook(learner_id, notebook)``: called just before ``on_result``, alike, with
    the executed notebook (None when nothing ran), see :mod:`autograder.autograded_copy`."""
    if isinstance(assignment, str):
        assignment = assignments.get(assignment)
    found, learners, resumed = checked_learners(assignment, submissions_dir, found, skip)
    everyone = found.learners
    if not learners:  # nothing left to run: no workspace to build
        if on_progress:
            on_progress(resumed, len(everyone))
        if wait_for is not None:
            wait_for.result()
        return []
    job = Job(assignment, submissions_dir, Workspace(jobs, limits, protection), limits,
              use_sandbox, base_seed, found)
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
            results[run.learner_id] = judge_safely(job.assignment, job.limits, run)
            hand_over(results[run.learner_id], run, on_result, keep_notebook)
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

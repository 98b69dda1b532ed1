"""Grade a batch on Dask workers, from the ``grade`` process that alone writes the results.

For each learner, in this process: step 1 of :mod:`autograder.batch` (the notebook
prepared, its source read for the parts' rules); then one task per submission on a worker
(:func:`autograder.cluster.worker_task.grade`: step 2, in the sandbox); back here, step 3
(judging) and the caller's ``on_result`` (the journal), as results stream in. So the
grades are the local path's: only where the notebook runs changes.

Before a batch, every worker says what course it has and whether it can sandbox; only
those whose course is this one grade (a worker that changes later refuses its tasks, and
they run elsewhere). A few tasks per slot are in flight at once, so that a class of
thousands is never all prepared in memory.

Faults: a worker killed while grading: Dask runs its task again on another worker, and the
one result that comes back is judged once. The scheduler gone, or a worker failing in a way
that is the machine's, not the learner's: those learners are not graded (no result, no
journal entry), the others are, and the batch ends with :class:`ClusterIncomplete`; the
same command then grades only what the journal lacks.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import secrets
import socket
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Collection

import nbformat

from autograder import assignments, batch, intake
from autograder.assignments import Assignment
from autograder.cluster import course_manifest, scheduler_address, worker_task
from autograder.results import Result
from autograder.sandbox.execute import Ran
from autograder.sandbox.limits import Limits

CONNECT_SECONDS = 20.0
WORKERS_SECONDS = 60.0  # how long a batch waits for a worker that can grade it (--wait-for-workers)
TASKS_PER_SLOT = 2  # in flight at once: one running, one ready to start
WATCH_SECONDS = 2.0  # how often the workers are looked at again while tasks are out
POLL_SECONDS = 0.05  # while no result is ready
FETCH_SECONDS = 60.0  # to fetch one result from its worker
ASK_SECONDS = 30.0  # for a worker to say what course it has
NO_WORKER_LEFT = "every worker that could grade it left, and none with this course joined"
KEPT_DYING = "the workers grading it kept dying (a machine out of memory?)"
KEPT_LEAVING = "every worker it was sent to left before grading it, three times"
MOST_STRANDINGS = 3  # a submission left with no worker this often is not sent again


class ClusterError(Exception):
    """The batch cannot start on the cluster; str() is the one-line reason."""


class ClusterIncomplete(Exception):
    """Some learners were not graded for reasons of the cluster, not theirs."""

    def __init__(self, graded: int, total: int, reasons: Counter):
        self.graded, self.total, self.reasons = graded, total, reasons
        why = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
        super().__init__(f"{total - graded} of {total} submissions not graded: {why}")


@dataclass
class _InFlight:
    run: batch.Run
    prepared: nbformat.NotebookNode
    order: worker_task.WorkOrder
    future: object = None  # its Dask future, once submitted
    allowed: frozenset[str] = frozenset()  # the workers it may run on
    stranded: int = 0  # how often every worker it may run on left (one that kills them...)


@dataclass
class _Workers:
    """The workers that may grade this batch, and what was said of the others."""

    threads: dict[str, int] = field(default_factory=dict)  # address -> slots, may grade
    refused: dict[str, str] = field(default_factory=dict)  # address -> why not

    @property
    def addresses(self) -> set[str]:
        return set(self.threads)

    @property
    def slots(self) -> dict[str, int]:
        """host -> slots of the workers that may grade (a sandbox's share of the host)."""
        slots: dict[str, int] = {}
        for address, threads in self.threads.items():
            slots[_host(address)] = slots.get(_host(address), 0) + threads
        return slots


def connect(address: str):
    """A Dask client of the scheduler at ``address``, or ClusterError in one line."""
    from distributed import Client  # noqa: PLC0415 -- the local path never imports Dask

    not_dask = (f"what answers at {address} is not a Dask scheduler (another server's port, "
                "such as the dashboard's?)")
    unreachable = _unreachable(address)
    if unreachable:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {unreachable}")
    try:
        kind = _identity(address).get("type")
    except TimeoutError:  # connected, and then no answer
        raise ClusterError(f"{not_dask}: no answer within {CONNECT_SECONDS + 5:g} s") from None
    except (OSError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    except Exception as error:  # noqa: BLE001 -- whatever a server that is not Dask's says
        raise ClusterError(f"{not_dask}: {type(error).__name__}") from None
    if kind != "Scheduler":
        raise ClusterError(f"{address} is a Dask {kind}, not the scheduler" if kind
                           else not_dask)
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def _unreachable(address: str) -> str | None:
    """Why nothing answers at a tcp:// or tls:// address, found at once, or None. Dask's
    own connection tries a refused port again and again until its timeout (20 s)."""
    endpoint = scheduler_address.tcp_endpoint(address)
    if endpoint is None:  # another protocol, or malformed: Dask's own connection says how
        return None
    host, port = endpoint
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except ConnectionRefusedError:
        return "connection refused (is the scheduler running, on that port?)"
    except socket.gaierror as error:
        return f"unknown host {host!r} ({error.strerror or error})"
    except TimeoutError:
        return f"no answer within {CONNECT_SECONDS:g} s (a firewall, or the wrong host?)"
    except OSError as error:
        return error.strerror or type(error).__name__
    return None


def _identity(address: str) -> dict:
    """What answers at ``address`` says it is, within CONNECT_SECONDS or so. Dask's own
    connection waits without end for the handshake of a server that is not Dask's (an HTTP
    server, the dashboard's port: dask/distributed#8071), or reads its greeting as a frame
    size (an SSH server's: gigabytes), before a Client could say anything."""
    import asyncio  # noqa: PLC0415

    from distributed.comm import connect as open_comm  # noqa: PLC0415
    from distributed.security import Security  # noqa: PLC0415

    async def ask() -> dict:
        comm = await open_comm(address, timeout=CONNECT_SECONDS,
                               **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            answer = await comm.read()
        finally:
            comm.abort()
        return answer if isinstance(answer, dict) else {}

    return asyncio.run(asyncio.wait_for(ask(), CONNECT_SECONDS + 5))


@contextlib.contextmanager
def _quiet_dask():
    """Dask's tracebacks on a lost connection would bury the one line the batch says: its
    loggers (each set to its own level by Dask's configuration) say only what is critical."""
    import distributed  # noqa: F401, PLC0415 -- makes its loggers

    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "distributed" or name.startswith("distributed.")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _host(address: str) -> str:
    from distributed.comm import get_address_host  # noqa: PLC0415

    return get_address_host(address)


def check_workers(client, mine: course_manifest.Manifest, use_sandbox: bool,
                  wait_seconds: float = WORKERS_SECONDS) -> _Workers:
    """Ask every worker for its course and sandbox; keep those that grade this course."""
    deadline = time.monotonic() + wait_seconds
    while not client.scheduler_info()["workers"]:
        if time.monotonic() > deadline:
            raise ClusterError(f"no Dask worker joined the scheduler at "
                               f"{client.scheduler.address} within {wait_seconds:g} s: start "
                               "some with `python -m autograder worker ADDRESS`")
        time.sleep(0.5)
    workers = _Workers()
    take_answers(client, mine, workers, answers_of(
        client, list(client.scheduler_info()["workers"]), use_sandbox, mine))
    if not workers.addresses:
        said = "; ".join(f"{address} {why}" for address, why in workers.refused.items())
        raise ClusterError(f"no worker of {client.scheduler.address} can grade this course: "
                           f"{said}")
    return workers


def answers_of(client, addresses: list[str], use_sandbox: bool,
               mine: course_manifest.Manifest) -> dict:
    """{address: its readiness answer, or why there is none}: all asked at once, then one
    by one if that timed out (one that hangs must not keep the others out)."""
    try:
        return _answers(client, addresses, use_sandbox, mine)
    except TimeoutError:
        if len(addresses) == 1:
            return {addresses[0]: TimeoutError(f"no answer within {ASK_SECONDS:g} s")}
    answers = {}
    for address in addresses:
        answers.update(answers_of(client, [address], use_sandbox, mine))
    return answers


def take_answers(client, mine: course_manifest.Manifest, workers: _Workers,
                 answers: dict) -> None:
    """Those that answered with this course and a sandbox join ``workers``; the others
    are refused with the reason."""
    threads = {address: info["nthreads"]
               for address, info in client.scheduler_info()["workers"].items()}
    for address, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            workers.refused[address] = (f"did not answer: {type(answer).__name__}: "
                                        f"{answer}")[:300]
            continue
        digest, files, packages, python, sandbox_problem = answer
        if digest != mine.digest:
            theirs = course_manifest.Manifest(files, packages, python)
            workers.refused[address] = ("its course differs: "
                                        + course_manifest.differences(mine, theirs))
        elif sandbox_problem:
            workers.refused[address] = f"cannot sandbox learners' code: {sandbox_problem}"
        else:
            workers.threads[address] = threads.get(address, 1)


def _fetched(future) -> tuple[str, object]:
    """What a task that came back holds: ("result", its WorkDone), ("error", the exception
    it raised), ("cancelled", None), ("unfetched", why), or ("again", None) when its result
    was lost with the worker that held it (Dask computes it again: waiting for it here
    would wait for ever if only departed workers may run it)."""
    deadline = time.monotonic() + FETCH_SECONDS
    while True:
        status = future.status
        if status == "cancelled":
            return "cancelled", None
        if status not in ("finished", "error"):
            return "again", None
        try:
            if status == "finished":
                return "result", future.result(timeout=1)
            return "error", future.exception(timeout=1)
        except TimeoutError:
            if time.monotonic() > deadline:
                return "unfetched", f"not fetched from the worker within {FETCH_SECONDS:g} s"
        except Exception as error:  # noqa: BLE001 -- it never came: the batch goes on
            return "unfetched", ("its result could not be fetched from the worker: "
                                 f"{type(error).__name__}")


def _answers(client, addresses: list[str], use_sandbox: bool,
             mine: course_manifest.Manifest) -> dict:
    """{address: readiness answer or the exception it raised}, within ASK_SECONDS."""
    return client.run(worker_task.readiness, use_sandbox, mine.digest, workers=addresses,
                      on_error="return", callback_timeout=ASK_SECONDS)


def _cluster_reason(kind: str, value) -> str:
    """Why a task came back without a result, as a reason shared by learners."""
    if kind == "cancelled":
        return "the connection to the Dask scheduler was lost"
    if kind == "unfetched":
        return value
    if type(value).__name__ == "KilledWorker":
        return KEPT_DYING
    return f"a worker failed: {type(value).__name__}: {str(value)[:200]}"


def grade_batch_on_cluster(assignment: Assignment | str, submissions_dir: Path, *,
                           scheduler: str, limits: Limits = Limits(),
                           use_sandbox: bool = True, base_seed: int | None = None,
                           on_progress: Callable[[int, int], None] | None = None,
                           wait_for: Future | None = None, skip: Collection[str] = (),
                           on_result: Callable[[Result], None] | None = None,
                           found: intake.Intake | None = None,
                           keep_notebook=None,
                           notice: Callable[[str], None] = lambda line: None,
                           wait_seconds: float = WORKERS_SECONDS) -> list[Result]:
    """:func:`autograder.batch.grade_batch` with the notebooks run on the Dask workers of
    ``scheduler`` (arguments alike; ``notice`` is told of workers left out or joining;
    ``wait_seconds``: how long to wait for a worker that can grade, at the start and
    whenever every such worker has left). Raises
    ClusterError before anything is graded, ClusterIncomplete after handing over every
    result it could get."""
    if isinstance(assignment, str):
        assignment = assignments.get(assignment)
    found, learners, resumed = batch.checked_learners(assignment, submissions_dir, found, skip)
    total = len(found.learners)
    if on_progress:
        on_progress(resumed, total)
    if not learners:
        if wait_for is not None:
            wait_for.result()
        return []
    mine = course_manifest.this_process()
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(_quiet_dask())
        client = connect(scheduler)
        cleanup.callback(client.close, timeout=5)
        workers = check_workers(client, mine, use_sandbox, wait_seconds)
        for address, why in workers.refused.items():
            notice(f"worker {address} left out: {why}")
        notice(f"grading on {len(workers.addresses)} Dask worker(s) of {scheduler}, "
               f"{sum(workers.slots.values())} slot(s) in all")
        reports = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ttt-reports-")))
        grading = _Grading(client, assignment, found, limits, use_sandbox, base_seed, mine,
                           workers, reports, notice, wait_seconds)
        # Before the client closes: a question still out then ends at once.
        cleanup.callback(grading.asker.shutdown, wait=False, cancel_futures=True)
        return grading.run(learners, resumed, total, on_progress, wait_for, on_result,
                           keep_notebook)


class _Grading:
    """One batch's tasks: submitted a window at a time, judged as they come back, and sent
    again when every worker they were sent to has left."""

    def __init__(self, client, assignment, found, limits, use_sandbox, base_seed, mine,
                 workers: _Workers, reports: Path, notice, wait_seconds: float):
        self.client, self.assignment, self.found = client, assignment, found
        self.limits, self.use_sandbox, self.base_seed = limits, use_sandbox, base_seed
        self.mine, self.workers, self.reports, self.notice = mine, workers, reports, notice
        self.wait_seconds = wait_seconds
        self.batch_token = secrets.token_hex(4)
        self.in_flight: dict[str, _InFlight] = {}  # task key -> its learner's work
        self.numbers = itertools.count()
        self.tasks = None  # the as_completed of the tasks out
        self.seen = set(workers.addresses) | set(workers.refused)  # asked already
        self.alone_since: float | None = None  # when the last worker that may grade left
        # Newcomers are asked for their course in a thread of its own (one may take
        # ASK_SECONDS to answer, or never): the question out, if any.
        self.asker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ttt-ask")
        self.question = None
        self.asked: list[str] = []
        self.not_graded: Counter = Counter()

    def _submit(self, item: _InFlight) -> None:
        key = f"ttt-grade-{self.assignment.name}-{self.batch_token}-{next(self.numbers)}"
        # Never an empty list: to Dask that means any worker, one never asked included.
        assert self.workers.addresses, "no worker may grade"
        item.allowed = frozenset(self.workers.addresses)
        item.order = replace(item.order, slots=self.workers.slots)
        item.future = self.client.submit(worker_task.grade, item.order, key=key, pure=False,
                                         workers=sorted(item.allowed),
                                         allow_other_workers=False)
        self.in_flight[key] = item
        self.tasks.add(item.future)

    def _prepared(self, learner_id: str) -> _InFlight | batch.Run:
        run = batch.Run(learner_id, batch.learner_seed(self.base_seed))
        prepared = batch.prepare_safely(self.assignment, self.found, run)
        if prepared is None:
            return run
        order = worker_task.WorkOrder(learner_id, nbformat.writes(prepared), run.seed,
                                      self.limits, self.use_sandbox, self.mine.digest,
                                      self.workers.slots)
        return _InFlight(run, prepared, order)

    def _ran(self, item: _InFlight, done: worker_task.WorkDone, number: int) -> None:
        report = self.reports / f"{number}.jsonl"
        report.write_text(done.report, encoding="utf-8")
        item.run.ran = Ran(done.outcome, done.summary, report, done.outputs())
        batch.keep_executed(item.run, item.prepared)

    def run(self, learners, resumed, total, on_progress, wait_for, on_result, keep_notebook):
        from distributed import as_completed  # noqa: PLC0415

        results: dict[str, Result] = {}
        waiting = iter(learners)
        done_count = resumed
        self.tasks = as_completed(loop=self.client.loop)

        def finish(run: batch.Run) -> None:
            nonlocal done_count
            results[run.learner_id] = batch.judge_safely(self.assignment, self.limits, run)
            batch.hand_over(results[run.learner_id], run, on_result, keep_notebook)
            done_count += 1
            if on_progress:
                on_progress(done_count, total)

        ready: list[batch.Run] = []  # nothing to run: judged here, after wait_for

        def top_up() -> None:  # keep the window full, while the scheduler and workers are there
            window = TASKS_PER_SLOT * sum(self.workers.slots.values())
            while (len(self.in_flight) < window and self.client.status == "running"
                   and self.workers.addresses):
                learner = next(waiting, None)
                if learner is None:
                    return
                item = self._prepared(learner)
                if isinstance(item, batch.Run):
                    ready.append(item)
                else:
                    self._submit(item)

        try:
            top_up()
            if wait_for is not None:  # before any result is handed over
                wait_for.result()
            while ready:
                finish(ready.pop())
            next_watch = time.monotonic() + WATCH_SECONDS
            while not self.tasks.is_empty():
                if not self.tasks.has_ready():
                    time.sleep(POLL_SECONDS)
                    if time.monotonic() >= next_watch:
                        next_watch = time.monotonic() + WATCH_SECONDS
                        if self._watch_workers():  # none left, none came: give up
                            break
                        top_up()
                    continue
                future = next(self.tasks)
                if self._came_back(future, finish):
                    future.release()
                top_up()
                while ready:
                    finish(ready.pop())
        except BaseException:  # Ctrl-C included: the workers end their sandboxes
            with contextlib.suppress(Exception):
                self.client.cancel([item.future for item in self.in_flight.values()],
                                   force=True)
            raise
        remaining = sum(1 for _ in waiting)
        if remaining:  # never sent: the scheduler (or every worker) went away first
            reason = ("the connection to the Dask scheduler was lost"
                      if self.client.status != "running" else NO_WORKER_LEFT)
            self.not_graded[reason] += remaining
        if self.not_graded:
            raise ClusterIncomplete(total - sum(self.not_graded.values()), total,
                                    self.not_graded)
        return [results[learner] for learner in learners]

    def _came_back(self, future, finish) -> bool:
        """One task that came back: its learner judged, sent again, or counted as not
        graded (True: done with); or its result lost with the worker that held it, so that
        Dask computes it again (False: still out, watched like the others)."""
        item = self.in_flight.get(future.key)
        if item is None:  # cancelled here and sent again under another key
            return True
        kind, value = _fetched(future)
        if kind == "again":
            self.tasks.add(future)
            return False
        del self.in_flight[future.key]
        if kind == "result":
            number = next(self.numbers)
            self._ran(item, value, number)
            finish(item.run)
            (self.reports / f"{number}.jsonl").unlink(missing_ok=True)
        elif kind == "error" and isinstance(value, worker_task.StaleWorker):
            self._drop_stale(value)
            if not self.workers.addresses:
                self.not_graded["no worker with this course is left"] += 1
            else:  # the same learner again, on a worker with this course
                self._submit(item)
        else:
            self.not_graded[_cluster_reason(kind, value)] += 1
        return True

    def _watch_workers(self) -> bool:
        """Look at the scheduler's workers again: those gone are no longer counted on,
        newcomers are asked for their course, and tasks that only gone workers could run
        are sent again to those that may. True when none has been left for wait_seconds
        (the tasks still out are then counted as not graded)."""
        try:
            return self._watch_workers_now()
        except OSError:  # the scheduler went away meanwhile: Dask cancels the tasks out,
            return False  # they come back, and the batch ends saying so

    def _watch_workers_now(self) -> bool:
        if self.client.status != "running":
            return False  # the tasks out are being cancelled by Dask: they come back
        present = set(self.client.scheduler_info()["workers"])
        for address in self.workers.addresses - present:
            del self.workers.threads[address]
        if self.question is not None and self.question.done():  # newcomers answered
            question, self.question = self.question, None
            try:
                answers = question.result()
            except Exception as error:  # noqa: BLE001 -- the question failed: none may grade
                answers = {address: error for address in self.asked}
            before = set(self.workers.refused)
            take_answers(self.client, self.mine, self.workers, answers)
            for address in sorted(set(self.workers.refused) - before):
                self.notice(f"worker {address} left out: {self.workers.refused[address]}")
            for address in sorted(set(answers) & self.workers.addresses):
                if address in present:
                    self.notice(f"worker {address} joined the batch")
                else:  # gone while it answered
                    del self.workers.threads[address]
        newcomers = present - self.seen
        if newcomers and self.question is None:  # asked aside: results keep coming meanwhile
            self.seen |= newcomers
            self.asked = sorted(newcomers)
            self.question = self.asker.submit(answers_of, self.client, self.asked,
                                              self.use_sandbox, self.mine)
        stranded = [item for item in self.in_flight.values()
                    if not item.allowed & self.workers.addresses]
        if not self.workers.addresses:
            self.alone_since = self.alone_since or time.monotonic()
            if time.monotonic() - self.alone_since < self.wait_seconds:
                return False
            for item in stranded:
                self.in_flight.pop(item.future.key)
                self.not_graded[NO_WORKER_LEFT] += 1
            self.client.cancel([item.future for item in stranded], force=True)
            return True
        self.alone_since = None
        if stranded:  # their workers left: Dask would keep them waiting for those
            self.client.cancel([item.future for item in stranded], force=True)
            for item in stranded:
                self.in_flight.pop(item.future.key)
                item.stranded += 1
                if item.stranded >= MOST_STRANDINGS:
                    self.not_graded[KEPT_LEAVING] += 1
                else:
                    self._submit(item)
        return False

    def _drop_stale(self, error: worker_task.StaleWorker) -> None:
        address, files, packages, python = error.args
        if address not in self.workers.addresses:  # its other tasks refused too: said once
            return
        theirs = course_manifest.Manifest(files, packages, python)
        del self.workers.threads[address]
        self.workers.refused[address] = "its course changed"
        self.notice(f"worker {address} refused a submission and is left out: its course "
                    f"differs: {course_manifest.differences(self.mine, theirs)}")

"""Run a command under a wall-clock limit and caps on its whole process tree's memory and
task count, and collect its output through size-capped pipes.

Why not RLIMIT_AS (prlimit, ulimit -v): TensorFlow reserves tens of GiB of *virtual* address
space it never touches, so an address-space cap kills honest submissions. What hurts the
machine is resident memory, so the loop polls the summed RSS of the process and all of its
descendants (psutil), with their page tables (a sparse mapping touched once every 2 MiB holds
gigabytes of them for a few megabytes of RSS), a few times a second and kills the tree past
the cap. It counts their
threads too: the machine's task table is small (pid_max is 32768 on some), and a fork or
thread bomb would fill it for every user long before any memory cap trips.

Output never lands on disk uncapped: stdout (the runner's one result line) is kept up to
``output_limit`` bytes, stderr (the kernel's log) up to LOG_LIMIT bytes, the rest is read and
dropped, so a notebook printing forever neither blocks nor fills the grader's disk.
Runs outside the sandbox, so the learner's code cannot see or stop it.
"""

from __future__ import annotations

import ctypes
import os
import selectors
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Protocol

import psutil

from autograder.sandbox import held_memory
from autograder.sandbox.cgroups import SubmissionGroup
from autograder.sandbox.held_memory import HostFloor

POLL_SECONDS = 0.1
# Reading a tree of hundreds of processes ten times a second costs the grader a core (a
# notebook may start that many): where a control group caps memory and tasks in the kernel
# meanwhile, a larger tree is read less often, up to once a second.
PROCESSES_PER_POLL = 32
MAX_POLL_SECONDS = 1.0
LOG_LIMIT = 256 * 1024
# The CPU cap is an average over the run: start-up (TensorFlow's import) may burst, so the
# tree gets this much CPU time on top of its share before the average is enforced.
CPU_SLACK_SECONDS = 60.0
DRAIN_SECONDS = 2.0  # after the command exits, how long its leftovers may hold the pipes
# How often run_limited asks its ``abandon`` callable (it may ask a remote scheduler).
ABANDON_POLL_SECONDS = 1.0
_running: set[int] = set()  # pids of the commands being watched, for kill_all_running()
_running_lock = threading.Lock()


@dataclass
class Outcome:
    returncode: int | None
    # "memory", "tasks", "cpu", "time", "files", "host memory" or ABANDONED when the
    # watchdog killed it
    limit: str | None
    peak_rss: int
    seconds: float
    output: bytes = b""  # stdout, at most output_limit bytes
    output_overflow: bool = False  # stdout had more than output_limit bytes
    peak_tasks: int = 0
    detail: str = ""  # "files": the folder past its inode cap; "memory": HELD or ""


HELD = "held"  # detail of a "memory" stop by the control group: processes, files, buffers
ABANDONED = "abandoned"  # the limit of a run nobody waits for any more (``abandon``)


class _CappedPipes:
    """Drain a child's stdout and stderr without blocking; keep capped amounts of each."""

    def __init__(self, child: subprocess.Popen, output_limit: int, log):
        self.selector = selectors.DefaultSelector()
        self.kept = {child.stdout: bytearray(), child.stderr: bytearray()}
        self.limits = {child.stdout: output_limit, child.stderr: LOG_LIMIT}
        self.overflow = {child.stdout: False, child.stderr: False}
        self.log, self.stdout = log, child.stdout
        for pipe in self.kept:
            os.set_blocking(pipe.fileno(), False)
            self.selector.register(pipe, selectors.EVENT_READ)

    def pump(self, seconds: float) -> None:
        """Read whatever arrives for the next `seconds` (sleep if both pipes are closed)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if not self.open():
                time.sleep(remaining)
                return
            for key, _ in self.selector.select(remaining):
                self._read(key.fileobj)

    def _read(self, pipe) -> None:
        try:
            data = os.read(pipe.fileno(), 65536)
        except BlockingIOError:
            return
        if not data:  # end of file: every writer has closed it
            self.selector.unregister(pipe)
            return
        room = self.limits[pipe] - len(self.kept[pipe])
        self.kept[pipe] += data[:max(room, 0)]
        self.overflow[pipe] |= len(data) > room

    def open(self) -> bool:
        return bool(self.selector.get_map())

    def close(self) -> tuple[bytes, bool]:
        """Write the log, close the pipes; return (stdout kept, stdout overflowed)."""
        for pipe, data in self.kept.items():
            if pipe is not self.stdout:
                self.log.write(bytes(data))
                if self.overflow[pipe]:
                    self.log.write(f"\n[log cut at {LOG_LIMIT} bytes]\n".encode())
            pipe.close()
        self.selector.close()
        return bytes(self.kept[self.stdout]), self.overflow[self.stdout]


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@dataclass
class _Usage:
    resident: int = 0  # bytes: resident pages and page tables
    tasks: int = 0  # threads of all processes
    cpu: float = 0.0  # seconds, including finished children that were waited for


def page_table_bytes(pid: int) -> int:
    """The memory a process's page tables take (VmPTE): not part of its RSS, and cheap to
    make in bulk (touching one page in every 2 MiB of a huge sparse mapping builds a
    page table per touch while the resident set stays tiny)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmPTE:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def proportional_bytes(processes: list[psutil.Process]) -> int:
    """The tree's memory with every page its processes share counted once: the sum of
    their proportional set sizes (a page N processes map counts 1/N in each) and page
    tables. Forked processes share most of their pages: a run the grading template forked
    has four processes that each map the template's hundreds of megabytes, which a sum of
    resident sets would count four times. Reading it costs the kernel a walk of every
    mapping (milliseconds for a TensorFlow process), so the watchdog asks only when the
    sum of resident sets (never less) is over a limit."""
    total = 0
    for process in processes:
        try:
            with open(f"/proc/{process.pid}/smaps_rollup", "rb") as rollup:
                found = [line for line in rollup if line.startswith(b"Pss:")]
            total += int(found[0].split()[1]) * 1024 + page_table_bytes(process.pid)
        except (OSError, ValueError, IndexError):  # gone, or no rollup: its resident set
            try:
                total += process.memory_info().rss + page_table_bytes(process.pid)
            except psutil.Error:
                pass
    return total


class _SharedPages:
    """proportional_bytes at most once every REFRESH_SECONDS: a tree of hundreds of forked
    processes would otherwise cost the grader a core reading them ten times a second.
    Between readings, the last one plus whatever the resident sum grew by from its lowest
    since (a page added counts in a resident sum at least as much as in a proportional
    one); read again at once when that estimate is over the cap, before any stop."""

    REFRESH_SECONDS = 1.0

    def __init__(self) -> None:
        self.read_at: float | None = None
        self.proportional = 0
        self.lowest_resident = 0

    def counted_once(self, tree: list[psutil.Process], resident: int, cap: int) -> int:
        now = time.monotonic()
        if self.read_at is not None and now - self.read_at < self.REFRESH_SECONDS:
            self.lowest_resident = min(self.lowest_resident, resident)
            estimate = self.proportional + max(0, resident - self.lowest_resident)
            if estimate <= cap:
                return min(resident, estimate)
        self.read_at, self.lowest_resident = now, resident
        self.proportional = proportional_bytes(tree)
        return min(resident, self.proportional)


def poll_seconds(processes: int, group: SubmissionGroup | None) -> float:
    """How long to wait before reading a tree of this many processes again."""
    if group is None:
        return POLL_SECONDS  # only these readings stand between the tree and the host
    return min(MAX_POLL_SECONDS, POLL_SECONDS * max(1.0, processes / PROCESSES_PER_POLL))


def _usage(processes: list[psutil.Process]) -> _Usage:
    usage = _Usage()
    for process in processes:
        try:
            with process.oneshot():
                usage.resident += process.memory_info().rss + page_table_bytes(process.pid)
                usage.tasks += process.num_threads()
                times = process.cpu_times()
                usage.cpu += times.user + times.system + times.children_user + \
                    times.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return usage


STOP_ROUNDS = 20  # listings of a tree being stopped; a fork bomb is capped by its tasks


def kill_tree(process: psutil.Process) -> None:
    """SIGKILL the process and every descendant.

    Every member is stopped first, and the tree listed again until no new member appears:
    a process caught in the middle of a fork has a child the first listing missed, and
    that child may have left the process group (bubblewrap's init in its PID namespace
    calls setsid before it could ask to die with its parent), so it would outlive the
    kill. A stopped process forks no more."""
    members: dict[int, psutil.Process] = {}
    for _ in range(STOP_ROUNDS):
        new = [member for member in _tree(process) if member.pid not in members]
        if not new:
            break
        for member in new:
            members[member.pid] = member
            try:
                member.suspend()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    for member in reversed(members.values()):  # the deepest first
        try:
            member.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def adopt_orphans() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux only).

    A daemon that double-forks and calls setsid leaves the watched tree and its process
    group: normally init adopts it and nothing here could find it again. As a subreaper
    this process adopts it instead, and :func:`end_orphans` ends it. Needed only without
    the sandbox, whose PID namespace ends every process with the runner.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def end_orphans(marker: str) -> None:
    """Kill and reap the orphans this process adopted (see adopt_orphans) from the watched
    commands: children no watched command owns whose environment holds ``marker``, a
    variable only those commands set. Other children (this process may have its own) are
    left alone; commands being started hold _running_lock."""
    with _running_lock:
        try:
            children = psutil.Process().children()
        except psutil.Error:
            return
        for child in children:
            try:
                if child.pid in _running or marker not in child.environ():
                    continue
            except psutil.Error:
                continue
            kill_tree(child)
            try:
                os.waitpid(child.pid, 0)  # an adopted child is ours to reap
            except ChildProcessError:
                pass


def kill_all_running() -> None:
    """End every watched command's process tree now (the grader is being interrupted)."""
    with _running_lock:
        pids = list(_running)
    for pid in pids:
        try:
            kill_tree(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass


class Started(Protocol):
    """What the watchdog uses of a started command: a Popen's pid, poll, wait, returncode,
    and its stdout and stderr pipes."""

    pid: int
    returncode: int | None
    stdout: BinaryIO
    stderr: BinaryIO

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


def _start(command: list[str], group: SubmissionGroup | None,
           cwd: Path | None) -> subprocess.Popen:
    if group is not None:
        command = group.enter(command)
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, cwd=cwd)


def run_limited(command: list[str], *, wall_seconds: float, memory_bytes: int,
                log_path: Path, max_tasks: int = 512, cpu_cores: float | None = None,
                cpu_slack: float = CPU_SLACK_SECONDS, output_limit: int = 2**20,
                cwd: Path | None = None, group: SubmissionGroup | None = None,
                inode_caps: dict[str, int] | None = None,
                host_floor: HostFloor | None = None,
                abandon: Callable[[], bool] | None = None,
                started: Callable[[SubmissionGroup | None], Started] | None = None) -> Outcome:
    """Run command, its stderr (capped) into log_path and its stdout (capped) returned in
    the Outcome; kill its tree past any limit: memory, tasks (threads), wall time, or CPU
    (more than ``cpu_cores`` on average, beyond ``cpu_slack`` seconds: a tree of busy
    processes would otherwise starve the submissions graded beside it).

    Memory held outside the processes: ``group`` (a control group the command joins) is
    capped by the kernel, and an OOM kill in it ends the tree as "memory";
    ``inode_caps`` ({sandbox folder: most inodes}) ends it as "files"; ``host_floor`` ends
    it as "host memory" when the machine runs low and this tree holds the most.

    ``abandon``: asked every ABANDON_POLL_SECONDS; True ends the tree as ABANDONED (a
    distributed task that was cancelled, or whose worker is closing: its result would
    reach nobody, and the sandbox must not outlive it).

    ``started``: instead of ``command``, a call that returns a process already started in
    ``group`` (autograder.sandbox.zygote.ForkedRun: a run the grading template forked)."""
    shared = _SharedPages()
    peak, peak_tasks, limit, detail = 0, 0, None, ""
    log = open(log_path, "wb")  # before the child exists: nothing to clean up if this fails
    try:  # a forked run may wait for its template's imports: not while holding the lock
        child = started(group) if started is not None else None
        with _running_lock:  # started and registered at once: end_orphans() must not see it
            child = child or _start(command, group, cwd)
            _running.add(child.pid)
    except BaseException:
        log.close()
        raise
    # From the start of the run itself: the first run a template forks waits for its
    # imports, which are not the learner's time.
    start = time.monotonic()
    next_abandon_check = start + ABANDON_POLL_SECONDS
    with log:
        pipes = _CappedPipes(child, output_limit, log)
        try:
            process = psutil.Process(child.pid)
            while child.poll() is None:
                tree = _tree(process)
                usage = _usage(tree)
                if usage.resident > memory_bytes or (host_floor and host_floor.low()):
                    usage.resident = shared.counted_once(tree, usage.resident, memory_bytes)
                peak, peak_tasks = max(peak, usage.resident), max(peak_tasks, usage.tasks)
                elapsed = time.monotonic() - start
                if usage.resident > memory_bytes:
                    limit = "memory"
                elif group is not None and group.oom_kills():
                    limit, detail = "memory", HELD  # the kernel's own count, all told
                elif usage.tasks > max_tasks:
                    limit = "tasks"
                elif cpu_cores is not None and \
                        usage.cpu > cpu_cores * elapsed + cpu_slack:
                    limit = "cpu"
                elif elapsed > wall_seconds:
                    limit = "time"
                else:
                    limit, detail = _held_memory_limit(child.pid, tree, usage, inode_caps,
                                                       host_floor)
                if not limit and abandon is not None and time.monotonic() >= next_abandon_check:
                    next_abandon_check = time.monotonic() + ABANDON_POLL_SECONDS
                    limit = ABANDONED if abandon() else None
                if limit:
                    kill_tree(process)
                    break
                pipes.pump(poll_seconds(len(tree), group))
            child.wait()
        finally:
            if child.poll() is None:  # interrupted (e.g. Ctrl-C): never leave the tree behind
                kill_tree(psutil.Process(child.pid))
                child.wait()
            try:  # stragglers still in the session's process group (matters without a sandbox)
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            with _running_lock:
                _running.discard(child.pid)
            if host_floor is not None:
                host_floor.forget(child.pid)
            if group is not None and limit is None and group.oom_kills():
                limit, detail = "memory", HELD  # killed at the limit as the tree ended
            drain_until = time.monotonic() + DRAIN_SECONDS
            while pipes.open() and time.monotonic() < drain_until:
                pipes.pump(0.05)  # what was written before the end; leftovers get 2 s
            output, overflow = pipes.close()
    return Outcome(child.returncode, limit, peak, time.monotonic() - start, output, overflow,
                   peak_tasks, detail)


def _held_memory_limit(key: int, tree: list[psutil.Process], usage: _Usage,
                       inode_caps: dict[str, int] | None,
                       host_floor: HostFloor | None) -> tuple[str | None, str]:
    """("files", folder) past an inode cap, ("host memory", "") when the host floor picks
    this tree, else (None, "")."""
    folders = held_memory.folder_usage(tree, tuple(inode_caps)) if inode_caps else {}
    for folder, (_, inodes) in folders.items():
        if inodes > inode_caps[folder]:
            return "files", folder
    if host_floor is not None:
        footprint = host_floor.footprint(
            usage.resident, folders, held_memory.socket_bytes(tree, host_floor.socket_bytes)
            + held_memory.open_file_bytes(tree))
        if host_floor.should_stop(key, footprint):
            return "host memory", ""
    return None, ""

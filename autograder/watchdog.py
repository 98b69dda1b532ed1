"""Run a command under a wall-clock limit and a resident-memory cap on its whole process tree.

Why not RLIMIT_AS (prlimit, ulimit -v): TensorFlow reserves tens of GiB of *virtual* address
space it never touches, so an address-space cap kills honest submissions. What hurts the
machine is resident memory, so a thread polls the summed RSS of the process and all of its
descendants (psutil) a few times a second and kills the tree past the cap. Runs outside the
sandbox, so the learner's code cannot see or stop it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_SECONDS = 0.1
_running: set[int] = set()  # pids of the commands being watched, for kill_all_running()
_running_lock = threading.Lock()


@dataclass
class Outcome:
    returncode: int | None
    limit: str | None  # "memory" or "time" when the watchdog killed the tree, else None
    peak_rss: int
    seconds: float


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _resident_bytes(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def kill_tree(process: psutil.Process) -> None:
    """SIGKILL the process and every descendant; children first found, then all killed."""
    for member in reversed(_tree(process)):
        try:
            member.kill()
        except psutil.NoSuchProcess:
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


def run_limited(command: list[str], *, wall_seconds: float, memory_bytes: int,
                log_path: Path) -> Outcome:
    """Run command with stdout/stderr into log_path; kill its tree past either limit."""
    start = time.monotonic()
    peak, limit = 0, None
    with open(log_path, "wb") as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    with _running_lock:
        _running.add(child.pid)
    try:
        process = psutil.Process(child.pid)
        while child.poll() is None:
            resident = _resident_bytes(_tree(process))
            peak = max(peak, resident)
            if resident > memory_bytes:
                limit = "memory"
            elif time.monotonic() - start > wall_seconds:
                limit = "time"
            if limit:
                kill_tree(process)
                break
            time.sleep(POLL_SECONDS)
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
    return Outcome(child.returncode, limit, peak, time.monotonic() - start)

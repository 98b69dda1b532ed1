"""A Dask scheduler and grading workers as separate processes on loopback, as an
instructor starts them (``dask scheduler``, ``python -m autograder worker``), for the
cluster tests: started, counted, killed and stopped by the test that owns them."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from autograder.assignments import REPO_ROOT
from autograder.cluster import course_manifest

DASK = Path(sys.executable).with_name("dask")
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalCluster:
    """One scheduler on a fixed loopback port (restartable at the same address) and its
    workers, each a process of its own with its log in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self._client = None

    def start_scheduler(self) -> None:
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-dashboard"], stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"scheduler-{time.time():.0f}.log", "wb"))
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.scheduler.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the scheduler did not start: see "
                                       f"{self.folder}") from None
                time.sleep(0.2)

    def start_worker(self, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
        number = len(self.workers)
        worker = subprocess.Popen(
            [sys.executable, "-m", "autograder", "worker", self.address, "--slots", "1",
             "--name", f"worker-{number}"],
            cwd=cwd or self.folder, stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"worker-{number}.log", "wb"),
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})})
        self.workers.append(worker)
        return worker

    def client(self):
        from distributed import Client

        if self._client is None or self._client.status != "running":
            self._client = Client(self.address, timeout=30, set_as_default=False)
        return self._client

    def wait_for_workers(self, count: int) -> dict[str, int]:
        """{address: pid} of the live workers, once there are ``count``."""
        deadline = time.monotonic() + START_SECONDS
        while True:
            live = [worker for worker in self.workers if worker.poll() is None]
            if len(self.client().scheduler_info()["workers"]) >= count:
                return self.client().run(os.getpid)
            if time.monotonic() > deadline or len(live) < count:
                raise RuntimeError(f"{count} workers did not join: see {self.folder}")
            time.sleep(0.3)

    def kill_scheduler(self) -> None:
        if self._client is not None:
            self._client.close(timeout=2)
            self._client = None
        self.scheduler.send_signal(signal.SIGKILL)
        self.scheduler.wait()

    def stop(self) -> None:
        if self._client is not None:
            try:
                self._client.close(timeout=2)
            except Exception:
                pass
        for process in [*self.workers, self.scheduler]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.scheduler]:
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def running_cluster(folder: Path, workers: int = 2):
    """A scheduler and ``workers`` single-slot workers (joined), stopped on leaving."""
    cluster = LocalCluster(folder)
    cluster.start_scheduler()
    try:
        for _ in range(workers):
            cluster.start_worker()
        if workers:
            cluster.wait_for_workers(workers)
        yield cluster
    finally:
        cluster.stop()


def sandboxes_of(pid: int) -> list[psutil.Process]:
    """The process tree a worker started (its sandboxes), alive now."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_gone(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """Those of ``processes`` still alive after ``seconds``."""
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    return alive


def copy_of_the_course(to: Path) -> Path:
    """The course's grading files, as another machine has them (the same, until edited)."""
    for folder in course_manifest.COURSE_FOLDERS:
        shutil.copytree(REPO_ROOT / folder, to / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return to


def edit(course: Path, path: str) -> None:
    """Change one file of a copied course, as a hot-fix on one machine would."""
    with open(course / path, "a", encoding="utf-8") as file:
        file.write("\n# edited on this machine only\n")


def worker_environment(course: Path) -> dict:
    """A worker's environment that imports the copied course, not the repository's."""
    return {"PYTHONPATH": f"{course}:{course / 'book'}"}


def grade_on_a_lone_worker(folder: Path, course: Path, grade, edit_after_start: str | None = None):
    """Start a scheduler and one worker from ``course``, optionally edit ``edit_after_start``
    once the worker runs, and return ``grade(scheduler_address)``'s result; all stopped."""
    with running_cluster(folder, workers=0) as alone:
        alone.start_worker(env=worker_environment(course), cwd=course)
        alone.wait_for_workers(1)
        if edit_after_start:
            edit(course, edit_after_start)
        return grade(alone.address)

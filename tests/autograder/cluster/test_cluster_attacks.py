"""What got through an attack on `grade --scheduler`, kept from coming back.

A port that is not a Dask scheduler's (a web server, such as the dashboard's; a silent one;
an SSH server) is refused in one line within the connect timeout, where Dask's own client
waited without end or failed with a traceback. A learner whose outputs nest deeper than
pickling can carry is graded as on this machine, where its result once ended the batch. A
worker whose course is edited after it started grades nothing, and its refusal reaches the
coordinator whole (Dask once cut it short, and the batch ended in a traceback). Without the
sandbox, a daemon a notebook leaves behind ends with it on a worker too. A worker killed
as its finished result is fetched (the batch once waited for that result for ever): the
submission runs again on a worker that joins later, graded once.
"""

from __future__ import annotations

import http.server
import inspect
import json
import pickle
import socket
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from autograder.cluster import coordinator, course_manifest, worker_task
from autograder.sandbox import watchdog
from autograder.sandbox.execute import Ran
from dask_processes import (LocalCluster, copy_of_the_course, grade_on_a_lone_worker,
                            running_cluster)
from notebooks import load, with_solutions
from small_classes import grade_command, make_class, read_rows

ASSIGNMENT = "tensors"


def _serve(handle) -> int:
    """A loopback server that calls handle(connection) for each client; its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def accept():
        while True:
            connection, _ = server.accept()
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def _http_server() -> int:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def _silent(connection) -> None:
    time.sleep(120)


def _ssh_greeting(connection) -> None:
    connection.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    time.sleep(120)


@pytest.mark.parametrize("server", ["http", "silent", "ssh"])
def test_a_port_that_is_not_a_schedulers_is_refused_in_one_line_and_in_time(server,
                                                                          monkeypatch):
    monkeypatch.setattr(coordinator, "CONNECT_SECONDS", 2.0)
    port = {"http": _http_server, "silent": lambda: _serve(_silent),
            "ssh": lambda: _serve(_ssh_greeting)}[server]()
    said: list = []

    def connect():  # in a thread: Dask's own client waited here without end
        try:
            coordinator.connect(f"tcp://127.0.0.1:{port}")
        except BaseException as error:  # noqa: BLE001 -- the test reads it
            said.append(error)

    started = time.monotonic()
    trying = threading.Thread(target=connect, daemon=True)
    trying.start()
    trying.join(timeout=30)
    assert not trying.is_alive(), "connect() is still waiting after 30 s"
    assert time.monotonic() - started < 15
    (error,) = said
    assert isinstance(error, coordinator.ClusterError), repr(error)
    assert str(error).startswith(f"what answers at tcp://127.0.0.1:{port} is not a Dask "
                                 "scheduler") and "\n" not in str(error)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_outputs_nested_past_what_pickling_carries_come_back_whole(tmp_path):
    outputs = [{"index": 4, "execution_count": 2, "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"application/json": _nested(480)}}]}]
    report = tmp_path / "report.jsonl"
    report.write_text("{}\n", encoding="utf-8")
    ran = Ran(watchdog.Outcome(0, None, 0, 1.0), {"cells": []}, report, outputs)
    done = worker_task.work_done(ran, "tcp://127.0.0.1:1")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 150)  # far less than the nesting
    try:
        carried = pickle.loads(pickle.dumps(done))
    finally:
        sys.setrecursionlimit(limit)
    assert carried.outputs() == outputs
    assert carried.report == "{}\n"


def test_a_stale_workers_refusal_reaches_the_coordinator_whole():
    """Dask cuts an error whose text is long down to its first words (its args replaced):
    a refusal must come back with the worker's whole manifest, to be compared."""
    from distributed.core import clean_exception, error_message

    mine = course_manifest.this_process()
    refusal = worker_task.StaleWorker("tcp://127.0.0.1:1", mine.files, mine.packages,
                                      mine.python)
    _, carried, _ = clean_exception(error_message(refusal)["exception"].data)
    assert isinstance(carried, worker_task.StaleWorker) and carried.args == refusal.args


def _gradebook(folder: Path) -> str:
    return f"sqlite:///{folder / 'gradebook.sqlite'}"


DEEP_OUTPUT = '''
def softmax_rows(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)

from IPython.display import display
nested = []
for _ in range(480):
    nested = [nested]
display({"application/json": nested}, raw=True)
'''

LEAVES_DAEMONS = '''
def softmax_rows(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)

import os, subprocess, sys
subprocess.Popen(["sleep", "876541"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(876542)"])
    os._exit(0)
'''


def _learner(folder: Path, learner: str, softmax_rows: str) -> None:
    notebook = with_solutions(load(ASSIGNMENT), {"softmax_rows": softmax_rows})
    (folder / learner).mkdir(parents=True)
    (folder / learner / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook),
                                                          encoding="utf-8")


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    running = LocalCluster(tmp_path_factory.mktemp("dask"))
    running.start_scheduler()
    try:
        running.start_worker()
        running.wait_for_workers(1)
        yield running
    finally:
        running.stop()


@pytest.mark.slow
def test_a_learner_whose_outputs_nest_deep_is_graded_on_a_worker_as_here(one_worker,
                                                                        tmp_path):
    submissions = make_class(tmp_path / "subs", ASSIGNMENT, {"ada": "solution"})
    _learner(submissions, "deep", DEEP_OUTPUT)
    there = grade_command(ASSIGNMENT, submissions, tmp_path / "there",
                          _gradebook(tmp_path / "there-db"), "--seed", "5",
                          "--scheduler", one_worker.address)
    here = grade_command(ASSIGNMENT, submissions, tmp_path / "here",
                         _gradebook(tmp_path / "here-db"), "--seed", "5")
    assert there.returncode == 0 and "Traceback" not in there.stderr, there.stderr[-3000:]
    assert here.returncode == 0, here.stderr[-3000:]
    columns = ("learner_id", "score", "status", "test_softmax_rows")
    rows = {name: [tuple(row[c] for c in columns) for row in read_rows(tmp_path / name /
                                                                       "grades.csv")]
            for name in ("there", "here")}
    assert rows["there"] == rows["here"]
    assert ("deep", "8", "graded", "3") in rows["there"]


@pytest.mark.slow
def test_without_the_sandbox_a_daemon_ends_with_its_notebook_on_a_worker(one_worker,
                                                                       tmp_path):
    submissions = tmp_path / "subs"
    _learner(submissions, "daemons", LEAVES_DAEMONS)
    done = grade_command(ASSIGNMENT, submissions, tmp_path / "out",
                         _gradebook(tmp_path), "--no-sandbox", "--scheduler",
                         one_worker.address)
    assert done.returncode == 0, done.stderr[-3000:]
    time.sleep(2)
    left = [process for process in psutil.process_iter(["cmdline"])
            if any(mark in " ".join(process.info["cmdline"] or [])
                   for mark in ("876541", "876542"))]
    for process in left:  # never leave them on the test machine
        process.kill()
    assert not left, f"still running after the batch: {left}"


@pytest.mark.slow
def test_a_file_edited_after_its_worker_started_keeps_the_worker_from_grading(tmp_path):
    submissions = make_class(tmp_path / "subs", ASSIGNMENT, {"ada": "solution"})
    # A hot-fix on this machine only, before its first task: the kernel library it is
    # about to copy is no longer the coordinator's.
    done = grade_on_a_lone_worker(
        tmp_path / "dask", copy_of_the_course(tmp_path / "elsewhere"),
        lambda address: grade_command(ASSIGNMENT, submissions, tmp_path / "out",
                                      _gradebook(tmp_path), "--scheduler", address),
        edit_after_start="autograder/probe.py")
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error: no worker of")
    assert "its course differs: files that differ: autograder/probe.py" in lines[0]
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_result_lost_with_its_worker_runs_again_on_a_newcomer(tmp_path):
    import subprocess

    from autograder.assignments import REPO_ROOT

    learners = {"ada": "solution", "bob": "solution"}
    submissions = make_class(tmp_path / "subs", ASSIGNMENT, learners)
    out = tmp_path / "out"
    preload = Path(__file__).with_name("dies_when_asked_for_a_result.py")
    with running_cluster(tmp_path / "dask", workers=0) as cluster:
        doomed = cluster.start_worker(env={"DASK_DISTRIBUTED__WORKER__PRELOAD": str(preload)})
        cluster.wait_for_workers(1)
        grading = subprocess.Popen(
            [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(submissions),
             "--out", str(out), "--db", f"sqlite:///{tmp_path}/gradebook.db",
             "--scheduler", cluster.address, "--wait-for-workers", "300"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
        try:
            doomed.wait(timeout=300)  # it finished a notebook, and died handing it over
            cluster.start_worker()
            _, stderr = grading.communicate(timeout=600)
        finally:
            if grading.poll() is None:
                grading.kill()
    assert grading.returncode == 0, stderr[-3000:]
    assert "joined the batch" in stderr
    rows = read_rows(out / "grades.csv")
    assert sorted(row["learner_id"] for row in rows) == sorted(learners)
    assert all(row["score"] == row["max_score"] for row in rows)
    lines = (out / ".journal" / f"{ASSIGNMENT}.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["learner_id"] for line in lines) == sorted(learners)

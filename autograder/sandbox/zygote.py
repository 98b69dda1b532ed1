"""The grader's side of the grading template (autograder/sandbox/grading_template.py).

A batch starts one template (a bubblewrap sandbox that has imported TensorFlow and the rest
once) and asks it for each submission's run, instead of starting a fresh sandboxed Python:

    template = GradingTemplate(workspace)
    run = template.start_run(notebook, environment, sizes, runner_args, group)
    ...  # watchdog.run_limited watches run.pid's tree and reads run.stdout and run.stderr

The grader keeps the two listening ends: the template's socket (the template gets only its
descriptor) and a pipe whose closing ends the template, so it outlives no grader. Per run
it sends one JSON line and three descriptors (the notebook read-only, the write ends of
the result and log pipes it reads); the template's child answers with its PID
(SCM_CREDENTIALS, translated by Linux into the grader's PID namespace), the grader puts
that process into the submission's control group and says go. The run's end comes as a
{"status": N} line from the template, its parent.

A template that cannot start, does not answer or ends mid-run raises TemplateLost (before
the run) or marks the run ``lost``: the caller runs that submission the plain way.
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import psutil

from autograder.protocol import SANDBOX_NOT_MADE
from autograder.sandbox import bubblewrap, watchdog
from autograder.sandbox.cgroups import SubmissionGroup

TEMPLATE_SCRIPT = "grading_template.py"
# The template imports TensorFlow before it answers its first request: seconds on a quiet
# machine, a minute on a loaded one.
FIRST_ANSWER_SECONDS = 180.0
ANSWER_SECONDS = 30.0  # later answers: a fork
STOP_SECONDS = 10.0
LOST = -1  # a lost run's returncode (its status never came)
# After the run's process ended, how long its template may take to say so.
STATUS_SECONDS = 5.0


class TemplateLost(Exception):
    """The template cannot give this run; the message says why."""


class ForkedRun:
    """What watchdog.run_limited needs of a started command (a Popen's part it uses), for a
    run the template forked: the grader is not its parent, so its end and exit status come
    on the request's connection. Call release() when done with it."""

    def __init__(self, pid: int, ended: int, connection: socket.socket, stdout, stderr):
        self.pid, self.stdout, self.stderr = pid, stdout, stderr
        self.returncode: int | None = None
        self.lost = ""  # why no status came (the template is gone, or stuck), if it did not
        self._connection = connection
        self._received = b""
        self._ended = ended  # a pidfd: readable once the run's process has ended
        self._ended_at: float | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            if select.select([self._connection], [], [], 0)[0]:
                self._read()
            elif self._ended_at is None:
                if select.select([self._ended], [], [], 0)[0]:
                    self._ended_at = time.monotonic()
            elif time.monotonic() - self._ended_at > STATUS_SECONDS:
                self.returncode, self.lost = LOST, "it did not report a run's end"
        return self.returncode

    def _read(self) -> None:
        try:
            chunk = self._connection.recv(4096)
        except OSError:
            chunk = b""
        if chunk:
            self._received += chunk
            if not self._received.endswith(b"\n"):
                return
            try:
                self.returncode = int(json.loads(self._received)["status"])
            except (ValueError, KeyError, TypeError):
                self.returncode, self.lost = LOST, "it sent a run's end garbled"
            if self.returncode == SANDBOX_NOT_MADE:  # before any learner code: its fault
                self.lost = "a run's own sandbox could not be made"
        else:
            self.returncode, self.lost = LOST, "it ended during a run"

    def release(self) -> None:
        """The run is over for the grader: the template may reap its child (until now it
        kept it, and so its PID, for the watchdog's last signals)."""
        self._connection.close()
        os.close(self._ended)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("forked run", timeout)
            select.select([self._connection], [], [],
                          STATUS_SECONDS / 10 if left is None else min(left, STATUS_SECONDS / 10))
        return self.returncode


class GradingTemplate:
    """One template process for a batch's workspace (started at the first run)."""

    def __init__(self, kernel_lib: Path, runner_script: Path, environment: dict[str, str],
                 folder: Path, font_cache: Path | None):
        self.folder = folder
        self._answered = False
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A socket's path must be under 108 bytes, and TMPDIR may be deep: named through
        # a descriptor of its folder, which this process keeps.
        self._folder_fd = os.open(folder, os.O_PATH)
        self.address = f"/proc/self/fd/{self._folder_fd}/template.sock"
        listener.bind(self.address)
        listener.listen(64)  # requests queue here while the template imports
        alive_read, self._alive = os.pipe()
        python = str(Path(sys.prefix) / "bin" / "python")
        command = bubblewrap.wrap(
            [python, f"{bubblewrap.RUNNER_DIR}/{TEMPLATE_SCRIPT}",
             "--listen-fd", str(listener.fileno()), "--alive-fd", str(alive_read)],
            None, kernel_lib, runner_script, environment, font_cache=font_cache)
        self._log = open(folder / "template.log", "wb")
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                pass_fds=(listener.fileno(), alive_read), start_new_session=True)
        finally:
            listener.close()  # the template's now; the grader connects by its name
            os.close(alive_read)

    def alive(self) -> bool:
        return self.process.poll() is None

    def start_run(self, notebook: Path, environment: dict[str, str], sizes: dict[str, int],
                  runner_args: list[str], group: SubmissionGroup | None) -> ForkedRun:
        """A run of the runner on ``notebook``, in its control group, told to go."""
        if not self.alive():
            raise TemplateLost(f"the template has ended ({self.log_tail()})")
        result_read, result_write = os.pipe()
        log_read, log_write = os.pipe()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        started = False
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            connection.settimeout(ANSWER_SECONDS if self._answered else FIRST_ANSWER_SECONDS)
            request = {"env": environment, "sizes": sizes, "cwd": bubblewrap.SCRATCH,
                       "input_folder": bubblewrap.INPUT_DIR, "notebook_name": notebook.name,
                       "runner_args": runner_args}
            with open(notebook, "rb") as handle:
                connection.connect(self.address)
                socket.send_fds(connection, [json.dumps(request).encode() + b"\n"],
                                [handle.fileno(), result_write, log_write])
            pid = self._child_pid(connection)
            self._answered = True
            # Taken while the child waits for "go": it cannot have ended, so the PID is
            # still its own (and stays so: the template reaps it only after release()).
            ended = os.pidfd_open(pid)
            try:
                if group is not None:
                    group.adopt(pid)
                connection.sendall(b"g")
            except OSError:
                os.close(ended)
                raise
            connection.settimeout(None)
            started = True
            return ForkedRun(pid, ended, connection, os.fdopen(result_read, "rb"),
                             os.fdopen(log_read, "rb"))
        except OSError as error:
            raise TemplateLost(f"no run from the template ({error})") from None
        finally:
            os.close(result_write)
            os.close(log_write)
            if not started:
                connection.close()
                os.close(result_read)
                os.close(log_read)

    def _child_pid(self, connection: socket.socket) -> int:
        size = socket.CMSG_SPACE(struct.calcsize("3i"))
        try:
            data, ancillary, _, _ = connection.recvmsg(64, size)
        except socket.timeout:
            raise TemplateLost("the template did not answer in time") from None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("3i", payload[:12])[0]
                if data.startswith(b"pid") and pid > 0:
                    return pid
        raise TemplateLost(f"the template's child did not start ({self.log_tail()})")

    def log_tail(self) -> str:
        try:
            lines = (self.folder / "template.log").read_text(errors="replace").splitlines()
        except OSError:
            return "no log"
        return lines[-1] if lines else "nothing in its log"

    def stop(self, at_once: bool = False) -> None:
        """End the template and every run it still has: by closing its pipe (it ends, and
        its sandbox's PID namespace with it), or ``at_once`` (a template that failed: it may
        be stuck) or when that takes over STOP_SECONDS, by killing its whole tree."""
        os.close(self._alive)  # the template's signal to end
        try:
            if at_once:
                raise subprocess.TimeoutExpired("grading template", 0)
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            try:
                watchdog.kill_tree(psutil.Process(self.process.pid))
            except psutil.NoSuchProcess:
                pass  # bwrap has ended and was reaped: its sandbox ends with its pipe
            self.process.wait()
        self._log.close()
        os.close(self._folder_fd)

"""The runner's self-confinement, checked in the sandbox as the learner's code would meet it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grading_templates
from autograder.sandbox import bubblewrap, confine

pytestmark = pytest.mark.sandbox

# The learner's kernel: tries what the confinement forbids, and a few things it must still
# allow; argv[1] is the runner's PID. Prints what it found, as JSON.
KERNEL = r"""
import ctypes, json, os, resource, socket, sys
tried = {"open_files": list(resource.getrlimit(resource.RLIMIT_NOFILE))}
def attempt(name, action):
    try:
        action()
        tried[name] = "allowed"
    except (OSError, ValueError) as error:
        tried[name] = type(error).__name__
libc = ctypes.CDLL(None, use_errno=True)
def shmget():
    if libc.shmget(0, 2**20, 0o1600) == -1:
        raise OSError(ctypes.get_errno(), "shmget")
def io_uring_setup():  # its number is 425 on x86-64 and aarch64 alike
    params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
    if libc.syscall(425, 8, params) == -1:
        raise OSError(ctypes.get_errno(), "io_uring_setup")
def keyctl():  # the session keyring's id: every sandbox inherits the grader's
    number = {"x86_64": 250, "aarch64": 219}[os.uname().machine]
    if libc.syscall(number, 0, -3, 0) == -1:
        raise OSError(ctypes.get_errno(), "keyctl")
def unshare_user():
    if libc.unshare(0x10000000) == -1:
        raise OSError(ctypes.get_errno(), "unshare")
def clone3():
    if libc.syscall(435, 0, 0) == -1:
        raise OSError(ctypes.get_errno(), "clone3")
def a_thread():
    import threading
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()
def a_process():
    import subprocess
    subprocess.run(["true"], check=True)
def inotify():
    if libc.inotify_init1(0) == -1:
        raise OSError(ctypes.get_errno(), "inotify_init1")
def fanotify():  # FAN_CLASS_NOTIF | FAN_REPORT_FID: allowed without privileges
    if libc.fanotify_init(0x200, os.O_RDONLY) == -1:
        raise OSError(ctypes.get_errno(), "fanotify_init")
attempt("keyctl", keyctl)
attempt("inotify", inotify)
attempt("fanotify", fanotify)
tried["message_queue_bytes"] = list(resource.getrlimit(resource.RLIMIT_MSGQUEUE))
attempt("unshare", unshare_user)
attempt("clone3", clone3)
attempt("thread", a_thread)
attempt("process", a_process)
attempt("memfd_create", lambda: os.memfd_create("hoard"))
attempt("shmget", shmget)
attempt("io_uring", io_uring_setup)
def runner_pipe():  # any descriptor of the runner (its PID: argv[1]), its result pipe's
    for fd in range(32):
        try:
            os.close(os.open(f"/proc/{sys.argv[1]}/fd/{fd}", os.O_WRONLY))
            return
        except FileNotFoundError:
            continue
    raise PermissionError if os.path.exists(f"/proc/{sys.argv[1]}") else FileNotFoundError
attempt("runner_pipe", runner_pipe)
attempt("posix_shm", lambda: open("/dev/shm/ok", "wb").write(b"x"))
attempt("scratch_file", lambda: open("/scratch/ok", "wb").write(b"x"))
attempt("raise_open_files", lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096)))
held = []
def many_sockets():
    while len(held) < 5000:
        held.append(socket.socketpair())
attempt("many_sockets", many_sockets)
tried["sockets_opened"] = len(held)
print(json.dumps(tried))
"""

# Plays the runner (confines itself, keeps a private pipe), then starts KERNEL.
SCRIPT = r"""
import json, os, subprocess, sys
from confine import confine

read_end, write_end = os.pipe()
not_confined = confine()
result = subprocess.run([sys.executable, "-c", sys.argv[1], str(os.getpid())],
                        capture_output=True, text=True, pass_fds=(write_end,))
print(json.dumps({"not_confined": not_confined, "child": json.loads(result.stdout or "{}"),
                  "child_error": result.stderr[-300:]}))
"""


@pytest.fixture(scope="module", params=["plain", "forked"])
def tried(request, tmp_path_factory) -> dict:
    """What KERNEL found: started by a runner in a plain sandbox, and as a notebook's cell
    in a run the grading template forked (confined by the run's first process, which
    forked the runner and the kernel)."""
    if request.param == "forked":
        return _tried_in_a_forked_run()
    root = tmp_path_factory.mktemp("confine")
    runner_dir, inputs = root / "runner", root / "inputs"
    runner_dir.mkdir()
    inputs.mkdir()
    shutil.copy(confine.__file__, runner_dir / "confine.py")
    (runner_dir / "run.py").write_text(SCRIPT)
    command = bubblewrap.wrap([str(Path(sys.prefix) / "bin" / "python"),
                            f"{bubblewrap.RUNNER_DIR}/run.py", KERNEL],
                           inputs, inputs, runner_dir / "run.py", {"PATH": "/usr/bin:/bin"})
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def _tried_in_a_forked_run() -> dict:
    # The runner is PID 2 of the run's namespace (its first process forked it first).
    found, summary, _ = grading_templates.script_in_a_forked_run(KERNEL, ["2"])
    return {"not_confined": summary["not_confined"], "child": found}


def test_the_runner_confines_itself_completely(tried):
    assert tried["not_confined"] == [], tried


def test_memory_no_cap_sees_cannot_be_made(tried):
    assert tried["child"]["memfd_create"] == "PermissionError", tried
    assert tried["child"]["shmget"] == "PermissionError", tried
    # io_uring's registered files hold pipes whose descriptors are closed.
    assert tried["child"]["io_uring"] == "PermissionError", tried


def test_no_budget_shared_with_the_hosts_user_can_be_emptied(tried):
    # The sandbox's user is the grader's on the host: per-user budgets are shared.
    assert tried["child"]["inotify"] == "PermissionError", tried
    assert tried["child"]["fanotify"] == "PermissionError", tried
    assert tried["child"]["message_queue_bytes"] == [0, 0], tried


def test_no_keyring_and_no_new_namespace(tried):
    assert tried["child"]["keyctl"] == "PermissionError", tried
    assert tried["child"]["unshare"] == "PermissionError", tried
    # clone3's flags are out of a filter's reach: "no such call", and the C library then
    # uses clone, whose flags it reads.
    assert tried["child"]["clone3"] == "OSError", tried


def test_the_kernel_cannot_write_into_the_runners_pipe(tried):
    assert tried["child"]["runner_pipe"] == "PermissionError", tried


def test_the_kernel_may_hold_few_sockets_and_cannot_raise_its_limit(tried):
    # Each socket can queue megabytes the RSS watchdog does not see.
    assert tried["child"]["open_files"] == [confine.MAX_OPEN_FILES] * 2, tried
    assert tried["child"]["raise_open_files"] in ("ValueError", "PermissionError"), tried
    assert tried["child"]["many_sockets"] == "OSError", tried  # EMFILE: too many open files
    assert tried["child"]["sockets_opened"] < confine.MAX_OPEN_FILES // 2, tried


def test_what_notebooks_need_still_works(tried):
    assert tried["child"]["posix_shm"] == "allowed", tried
    assert tried["child"]["scratch_file"] == "allowed", tried
    assert tried["child"]["thread"] == tried["child"]["process"] == "allowed", tried


def test_unknown_machines_get_no_program_rather_than_a_wrong_one():
    assert confine.deny_unaccounted_memory_program("sparc64") is None
    program = confine.deny_unaccounted_memory_program("x86_64")
    assert program is not None and len(program) % 8 == 0

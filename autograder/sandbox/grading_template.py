"""The grading template: imports once, then forks one sandboxed run per submission.

Runs INSIDE a bubblewrap sandbox built like a submission's (autograder.sandbox.zygote starts
it), as a plain script beside the runner:

    python grading_template.py --listen-fd N --alive-fd M

It imports what the runner and every kernel import (nbclient, ipykernel, numpy, matplotlib,
TensorFlow: the seconds each submission paid before its first cell) and nothing of any
learner, checks it is one thread, then serves the socket N. Per request (one JSON line and
three descriptors: the notebook, the result pipe, the log; see autograder.sandbox.zygote) it
forks a child that

1. leaves the template behind: every descriptor but those three closed, a session of its
   own, its host PID told to the grader (SCM_CREDENTIALS: the kernel translates it), which
   puts it into the submission's control group and then says go;
2. makes namespaces and folders of its own (own_namespaces.py): nothing another child
   wrote, ran or changed is there, and its processes see no other's;
3. forks the new PID namespace's first process, which confines itself (confine.py: the
   same seccomp filter and limits as the runner's, and no new namespaces), forks the
   runner and then, when the runner's nbclient asks for its kernel (the kernel_template
   provisioner, through a socket in the child's /tmp), forks that kernel
   (autograder.kernel_template.fresh_kernel), then reaps every process until the runner
   ends. When it ends, the PID namespace and all in it end.

The template answers each request's connection, when its child ends, with {"status": N}
(the child's exit status; the grader cannot wait for a process it did not start). It
runs no notebook code and reads no notebook (the child reads its own), so no child can
leave anything in it for the next. It ends when the grader's end of ``--alive-fd`` closes,
and every run in progress with it (each child dies with its parent: a grader killed
mid-batch leaves no run behind, which would hold the template's sandbox open).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import traceback
from pathlib import Path

try:  # as a script in the sandbox: the neighbours lie beside this file
    import own_namespaces
    import runner
    from confine import confine
except ImportError:  # imported as autograder.sandbox.grading_template, by the tests
    from autograder.sandbox import own_namespaces, runner
    from autograder.sandbox.confine import confine

from autograder.kernel_template import kernelspec, template  # the kernel library's copy
from autograder.kernel_template.provisioner import TEMPLATE_VARIABLE
from autograder.protocol import SANDBOX_NOT_MADE

REQUEST_SECONDS = 10  # the grader sends its request as it connects
GO_SECONDS = 60  # for the grader to put the child into its control group
KERNEL_SOCKET = "/tmp/.ttt-kernel.sock"
KERNELSPEC_FOLDER = "/tmp/.ttt-kernelspec"
# How often the template (and a run's first process) looks for ended children: a run's end is
# reported at most this late.
REAP_SECONDS = 0.05


def preload() -> str:
    """Import the runner's and the kernels' modules; matplotlib's settings file. Refuses to
    serve when that started a thread (a fork keeps only the calling one)."""
    return template.warm_up()


def read_request(connection: socket.socket) -> tuple[dict, list[int]]:
    """The request and its three descriptors (notebook, result pipe, log)."""
    connection.settimeout(REQUEST_SECONDS)
    data, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
    try:
        while not data.endswith(b"\n"):
            chunk = connection.recv(1 << 20)
            if not chunk:
                raise EOFError("the request ended early")
            data += chunk
        request = json.loads(data)
        if len(fds) != 3 or not isinstance(request, dict):
            raise ValueError(f"{len(fds)} descriptors, a {type(request).__name__}")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def _close_all_but(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, closed already


def _read_all(fd: int) -> bytes:
    data = b""
    while chunk := os.read(fd, 1 << 20):
        data += chunk
    return data


def leave_template(connection: socket.socket, fds: list[int]) -> int:
    """Step 1 (see the module's text); the notebook's descriptor."""
    notebook_fd, result_fd, log_fd = fds
    os.dup2(result_fd, 1)
    os.dup2(log_fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    _close_all_but({0, 1, 2, connection.fileno(), notebook_fd})
    os.setsid()
    credentials = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
    connection.sendmsg([b"pid\n"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
    connection.settimeout(GO_SECONDS)
    if connection.recv(1) != b"g":
        raise OSError("the grader did not say go")
    connection.close()
    return notebook_fd


def become_submission(request: dict, connection: socket.socket, fds: list[int],
                      template_rc: str) -> int:
    """In the forked child: steps 1-3; the exit status of the run's first process."""
    notebook_fd = leave_template(connection, fds)
    try:
        # Read in the submission's control group (the grader said go): its memory is the
        # submission's, whatever its size.
        notebook = _read_all(notebook_fd)
        os.close(notebook_fd)
        own_namespaces.enter_new_namespaces()
        own_namespaces.fresh_folders({folder: int(size) for folder, size in
                                      request["sizes"].items()},
                                     request["input_folder"], notebook,
                                     request["notebook_name"])
        del notebook
        own_namespaces.loopback_up()
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
    except Exception:  # noqa: BLE001 -- said in the log; the grader runs it the plain way
        traceback.print_exc()
        return SANDBOX_NOT_MADE
    first = os.fork()
    if first == 0:
        code = 1  # learner code may run by the time anything fails here: the run failed
        try:
            code = first_process(request, template_rc)
        except BaseException:  # noqa: BLE001 -- said in the log; the run then failed
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    own_namespaces.drop_capabilities()
    _, status = os.waitpid(first, 0)
    return _exit_code(status)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says


def first_process(request: dict, template_rc: str) -> int:
    """PID 1 of the run's namespace: step 3; the runner's exit status."""
    try:
        own_namespaces.die_with_parent()  # and with it the whole PID namespace
        own_namespaces.own_proc()
        own_namespaces.drop_capabilities()
        confine()  # inherited by the runner and the kernel; the runner says what failed
        kernelspec.write_kernelspec(Path(KERNELSPEC_FOLDER))
        os.environ["JUPYTER_PATH"] = KERNELSPEC_FOLDER
        os.environ[TEMPLATE_VARIABLE] = KERNEL_SOCKET
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(KERNEL_SOCKET)
        listener.listen(1)
    except Exception:  # noqa: BLE001 -- said in the log; the grader runs it the plain way
        traceback.print_exc()
        return SANDBOX_NOT_MADE
    the_runner = os.fork()
    if the_runner == 0:
        listener.close()
        code = 1
        try:
            code = runner.main(request["runner_args"])
        except BaseException:  # noqa: BLE001 -- said in the log, as a script's would be
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.dup2(2, 1)  # the result pipe is the runner's alone: the kernel forked next lacks it
    code = _serve_one_kernel(listener, the_runner, request["cwd"], template_rc)
    # As bwrap's init: no signal from the run's own processes ends it (PID 1 gets only those
    # it handles, and Python handles SIGINT). Set after the forks: they keep Python's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while code is None:
        pid, status = os.wait()
        if pid == the_runner:
            code = _exit_code(status)
    return code


def _serve_one_kernel(listener: socket.socket, the_runner: int, folder: str,
                      template_rc: str) -> int | None:
    """Fork the kernel the runner asks for; then nobody may ask again. The runner's exit
    status if it ended first."""
    try:
        while not select.select([listener], [], [], REAP_SECONDS)[0]:
            pid, status = os.waitpid(the_runner, os.WNOHANG)
            if pid:
                return _exit_code(status)
        template.serve_one(listener, folder, template_rc)
        return None
    finally:
        listener.close()
        Path(KERNEL_SOCKET).unlink(missing_ok=True)  # a kernel may have removed it


def fork_submission(request: dict, connection: socket.socket, fds: list[int],
                    template_rc: str) -> int:
    template_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            own_namespaces.die_with_parent(template_pid)
            code = become_submission(request, connection, fds, template_rc)
        except BaseException:  # noqa: BLE001 -- said in the log (or the template's)
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    for fd in fds:
        os.close(fd)
    return pid


def serve(listener: socket.socket, alive: int, template_rc: str) -> None:
    """Until the grader's end of ``alive`` closes."""
    running: dict[int, socket.socket] = {}  # child -> its request's connection
    ended: dict[socket.socket, int] = {}  # status sent, child not reaped: its PID stays its
    while True:
        readable = select.select([listener, alive, *ended], [], [], REAP_SECONDS)[0]
        if alive in readable:
            return
        if listener in readable:
            connection, _ = listener.accept()
            try:
                request, fds = read_request(connection)
                running[fork_submission(request, connection, fds, template_rc)] = connection
            except (OSError, EOFError, ValueError) as error:
                print(f"grading template: a request refused: {error}", file=sys.stderr,
                      flush=True)
                connection.close()
        for connection in [c for c in readable if c in ended]:
            os.waitpid(ended.pop(connection), 0)  # the grader is done with it (or gone)
            connection.close()
        for pid in list(running):
            report_end(pid, running, ended)


def report_end(pid: int, running: dict[int, socket.socket],
               ended: dict[socket.socket, int]) -> None:
    """Send a child's exit status when it has ended, and keep it unreaped until the grader
    closes the connection: until then its PID is not reused, so whatever the grader's
    watchdog still does to that PID reaches this child's remains and nothing else."""
    found = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if found is None:
        return
    connection = running.pop(pid)
    if found.si_code == os.CLD_EXITED:
        code = found.si_status
    else:
        code = 128 + found.si_status
    try:
        connection.sendall(json.dumps({"status": code}).encode() + b"\n")
    except OSError:
        pass  # the grader stopped waiting: reaped as soon as its end shows closed
    ended[connection] = pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--alive-fd", type=int, required=True)
    args = parser.parse_args(argv)
    listener = socket.socket(fileno=args.listen_fd)
    # The runner's folder leaves sys.path: its modules are imported, and a kernel started
    # the plain way does not have it there.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if entry != here]
    try:
        template_rc = preload()
    except template.TemplateError as error:
        print(f"grading template: {error}", file=sys.stderr, flush=True)
        return 1
    print("grading template: ready", file=sys.stderr, flush=True)
    serve(listener, args.alive_fd, template_rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())

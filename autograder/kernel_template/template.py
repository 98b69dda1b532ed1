"""The template process: import once, then fork one kernel per request.

    python -m autograder.kernel_template SOCKET

Listens on the Unix socket SOCKET; when the first client connects (others queue meanwhile),
imports what every kernel imports and checks that it is still one thread; then answers each request (one JSON line: argv, env, cwd) by forking a kernel
and sending back its PID (one JSON line: {"pid": N} or {"error": "..."}).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path

# A request's argv must be this kernel command (after the interpreter): the template can
# become an ipykernel and nothing else.
KERNEL_MODULE = ["-m", "ipykernel_launcher"]
MAX_REQUEST_BYTES = 1 << 20
SETSID_SECONDS = 10  # for a child to say it has its own session


class TemplateError(Exception):
    """The template cannot serve; the message says why, in one line."""


def preload() -> None:
    """Import what a kernel and the book's pages import, starting no thread."""
    # As ipykernel does before matplotlib is first imported in a kernel: the inline backend
    # (matplotlib reads the variable at import, so it must be set before).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import IPython  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib.font_manager  # noqa: F401 (reads the font cache)
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401


def thread_count() -> int:
    """Threads of this process, as the kernel sees them (Python's and native ones)."""
    return len(os.listdir("/proc/self/task"))


def check_forkable() -> None:
    """Refuse to serve when a fork could copy a half-held lock of another thread."""
    threads = thread_count()
    if threads != 1:
        raise TemplateError(
            f"the template has {threads} threads after its imports (a fork keeps only one, "
            "with any lock another held); set OPENBLAS_NUM_THREADS=1 and import nothing "
            "that starts a thread")


def read_line(connection: socket.socket, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """One line (a request or an answer: one JSON document each) from the other side."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise EOFError("the connection closed before a whole line came")
        data += chunk
        if len(data) > limit:
            raise TemplateError(f"a line longer than {limit} bytes")
    return data


def read_request(connection: socket.socket) -> dict:
    """One JSON line from a client, checked to ask for an ipykernel."""
    request = json.loads(read_line(connection))
    argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)
            and argv[1:3] == KERNEL_MODULE):
        raise TemplateError(f"not an ipykernel command: {argv!r}")
    if not (isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in env.items())):
        raise TemplateError("env must map names to strings")
    if not (isinstance(cwd, str) and Path(cwd).is_dir()):
        raise TemplateError(f"cwd is not a folder: {cwd!r}")
    return request


def end_with_client(parent: str) -> None:
    """End this kernel when the process that asked for it ends, as a kernel started by it does.

    ipykernel's own watch compares its parent PID (here the template's) with the client's
    and, not finding it, only watches for a parent that becomes init, so a client gone would
    leave the kernel running. The client's PID is watched here instead (a pidfd, immune to
    PID reuse), and ipykernel's watch is turned off (parent 1) — which also tells it it was
    not started from a terminal: it read JPY_PARENT_PID when the template imported it,
    unset then, and would print a terminal's banner.
    """
    sys.argv.append("--IPKernelApp.parent_handle=1")
    if not parent.isdigit():
        return
    try:
        client = os.pidfd_open(int(parent))
    except ProcessLookupError:
        os._exit(1)  # the client has ended already
    except OSError:
        return  # no pidfds (Linux before 5.3): the client's end goes unseen, as on a terminal

    def watch() -> None:
        select.select([client], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="client-watch", daemon=True).start()


def become_kernel(request: dict, ready: int, start_folder: str) -> None:
    """In the child: leave the template behind and run an ipykernel; never returns."""
    code = 1
    try:
        os.setsid()  # its own session and process group: signals to the kernel reach only it
        os.write(ready, b"1")
        os.close(ready)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the template ignores them; a kernel waits
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.close(stdin)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import numpy

        numpy.random.seed()  # else every child would draw the template's sequence
        # As ipykernel_launcher: the folder it was started in leaves sys.path (the shell
        # puts its own entry back).
        if sys.path and sys.path[0] in ("", start_folder):
            del sys.path[0]
        sys.argv = ["ipykernel_launcher", *request["argv"][3:]]
        end_with_client(request["env"].get("JPY_PARENT_PID", ""))
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - said on stderr, and the exit status says it failed
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def fork_kernel(request: dict, listener: socket.socket, connection: socket.socket,
                start_folder: str) -> int:
    """Fork a kernel for `request`; its PID once it has its own session."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        listener.close()
        connection.close()
        os.close(read_end)
        become_kernel(request, write_end, start_folder)
    os.close(write_end)
    try:
        readable, _, _ = select.select([read_end], [], [], SETSID_SECONDS)
        if not readable or os.read(read_end, 1) != b"1":
            os.kill(pid, signal.SIGKILL)
            raise TemplateError("the forked kernel did not start its session")
    finally:
        os.close(read_end)
    return pid


def answer(connection: socket.socket, reply: dict) -> None:
    try:
        connection.sendall(json.dumps(reply).encode() + b"\n")
    except OSError:
        pass  # the client left: its kernel, if any, is still reaped by the template


def serve(socket_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path))
    try:
        serve_on(listener)
    finally:
        socket_path.unlink(missing_ok=True)  # later clients find no template, not a dead one


def serve_on(listener: socket.socket) -> None:
    listener.listen(64)  # clients queue here while the imports run
    start_folder = os.getcwd()
    warm = False
    forked = 0
    try:
        while True:
            forked += serve_one(listener, warm, start_folder)
            warm = True
    finally:
        if forked:
            print(f"kernel template: {forked} kernels forked", file=sys.stderr, flush=True)


def serve_one(listener: socket.socket, warm: bool, start_folder: str) -> int:
    """Answer one client; 1 if it got a kernel."""
    connection, _ = listener.accept()
    if not warm:  # imported for the first kernel asked for: a build with none pays nothing
        preload()
        check_forkable()
        # The kernels are not waited for here: ignored, they leave no zombie behind.
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    with connection:
        try:
            request = read_request(connection)
            reply = {"pid": fork_kernel(request, listener, connection, start_folder)}
        except (TemplateError, ValueError, OSError, EOFError) as error:
            reply = {"error": str(error)}
        answer(connection, reply)
    return int("pid" in reply)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m autograder.kernel_template SOCKET", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(Path(argv[0]))
    except TemplateError as error:
        print(f"kernel template: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

"""The template process: import once, then fork one kernel per request.

    python -m autograder.kernel_template SOCKET

Listens on the Unix socket SOCKET; when the first client connects (others queue meanwhile),
imports what every kernel imports and checks that it is still one thread; then answers
each request (wire.py) by forking a kernel (fresh_kernel.py) and sending back its PID.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import socket
import sys
from pathlib import Path

from autograder.kernel_template import fresh_kernel, wire

SETSID_SECONDS = 10  # for a child to say it has its own session
REQUEST_SECONDS = 5  # a client sends its request as it connects: a silent one is dropped
PARENT_POLL_SECONDS = 1.0
PARENT_VARIABLE = "TTT_KERNEL_TEMPLATE_PARENT"  # the PID of the process that started it


class TemplateError(Exception):
    """The template cannot serve; the message says why, in one line."""


def preload() -> str:
    """Import what a kernel and the book's pages import, starting no thread; the settings
    file matplotlib read (fresh_kernel.page_matplotlibrc). Not ipykernel.debugger
    (debugpy): imported here, it left a forked kernel one ZeroMQ socket short once a
    notebook had used up its descriptors (its output then lost: test_confine.py); imported
    per kernel it costs ~0.05 s."""
    # As ipykernel does before matplotlib is first imported in a kernel: the inline backend
    # (matplotlib reads the variable at import, so it must be set before).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        import IPython  # noqa: F401
        import ipykernel.ipkernel  # noqa: F401
        import ipykernel.kernelapp  # noqa: F401
        import matplotlib
        import matplotlib.font_manager  # noqa: F401 (reads the font cache)
        import matplotlib.pyplot  # noqa: F401
        import numpy  # noqa: F401
        import sqlite3  # noqa: F401 (IPython's history)
        import tensorflow  # noqa: F401
    except Exception as error:  # noqa: BLE001 -- said in one line; kernels start alone
        raise TemplateError(f"an import failed: {type(error).__name__}: {error}") from None
    return matplotlib.matplotlib_fname()


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


def keep_shared() -> None:
    """Leave every object the imports made out of later garbage collections (gc.freeze):
    a child's collector would otherwise walk them all, writing to (and so copying) the pages
    it shares with the template; that was about a tenth of a grading kernel's CPU."""
    gc.freeze()


def warm_up() -> str:
    """Everything the template does once before its first fork; the settings file
    matplotlib read. TemplateError when it cannot fork safely."""
    template_rc = preload()
    check_forkable()
    keep_shared()
    return template_rc


def client_left(connection: socket.socket) -> bool:
    """Has the client closed its side (it gave up waiting)? It sends nothing after its
    request, so anything readable now is its end."""
    if not select.select([connection], [], [], 0)[0]:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def fork_kernel(request: dict, listener: socket.socket, connection: socket.socket,
                start_folder: str, template_rc: str) -> int:
    """Fork a kernel for `request`; its PID once it has its own session."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        listener.close()
        connection.close()
        os.close(read_end)
        fresh_kernel.become_kernel(request, write_end, start_folder, template_rc)
    os.close(write_end)
    try:
        readable, _, _ = select.select([read_end], [], [], SETSID_SECONDS)
        if not readable or os.read(read_end, 1) != b"1":
            os.kill(pid, signal.SIGKILL)
            raise TemplateError("the forked kernel did not start its session")
    finally:
        os.close(read_end)
    return pid


def wait_for_client(listener: socket.socket, parent: int) -> None:
    """Until a client connects; exits if the process that started the template has ended
    (a build killed before it could stop it): never a template left waiting for ever. By
    polling, not with a thread: the template must stay one thread to fork."""
    while not select.select([listener], [], [], PARENT_POLL_SECONDS)[0]:
        if os.getppid() != parent:
            raise SystemExit(0)


def serve_one(listener: socket.socket, start_folder: str, template_rc: str) -> int:
    """Answer one client; 1 if it got a kernel."""
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(REQUEST_SECONDS)
        try:
            request = wire.checked_request(wire.read_object(connection))
            if client_left(connection):
                return 0  # it has started its kernel the usual way: none of ours to add
            pid = fork_kernel(request, listener, connection, start_folder, template_rc)
        except (TemplateError, wire.WireError, OSError, EOFError) as error:
            try:
                wire.send_object(connection, {"error": str(error)})
            except OSError:
                pass
            return 0
        try:
            wire.send_object(connection, {"pid": pid})
        except OSError:  # it left meanwhile: nobody would ever talk to this kernel
            os.kill(pid, signal.SIGKILL)
            return 0
    return 1


def serve(socket_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Listening before the socket appears under its name: a client that finds the name
    # is never refused (the kernelspec's writer waits for the name).
    binding = socket_path.with_name(socket_path.name + ".binding")
    listener.bind(str(binding))
    listener.listen(64)  # clients queue here while the imports run
    binding.rename(socket_path)
    try:
        serve_on(listener)
    finally:
        socket_path.unlink(missing_ok=True)  # later clients find no template, not a dead one


def serve_on(listener: socket.socket) -> None:
    start_folder = os.getcwd()
    # The starter says who it is (it may be gone before this line runs); else the parent.
    named = os.environ.get(PARENT_VARIABLE, "")
    parent = int(named) if named.isdigit() else os.getppid()
    template_rc = None
    forked = 0
    try:
        while True:
            wait_for_client(listener, parent)
            if template_rc is None:
                # Imported for the first kernel asked for: a build with none pays nothing.
                template_rc = warm_up()
                # The kernels are not waited for here: ignored, they leave no zombie behind.
                signal.signal(signal.SIGCHLD, signal.SIG_IGN)
            forked += serve_one(listener, start_folder, template_rc)
    finally:
        if forked:
            print(f"kernel template: {forked} kernels forked", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m autograder.kernel_template SOCKET", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(Path(argv[0]))
    except TemplateError as error:
        print(f"kernel template: {error}; kernels start on their own", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

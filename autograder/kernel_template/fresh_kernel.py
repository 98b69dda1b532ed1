"""In a child the template forked: leave the template behind and become a fresh ipykernel.

Each step undoes one thing the child inherited that a kernel started from nothing would not
have; what the imports left in memory is otherwise the same (the same files, imported in the
same order), and that is what the template saves.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import select
import signal
import sys
import threading
import traceback

from autograder.kernel_template.wire import CLIENT_VARIABLE


def own_session(ready: int) -> None:
    """Its own session and process group (as jupyter_client's launcher gives a kernel):
    signals for the kernel reach only it. Then tell the template, which waits for this
    before it answers (until then, a signal to the group would reach the template)."""
    os.setsid()
    os.write(ready, b"1")
    os.close(ready)


def default_signals() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the template ignores them; a kernel waits
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def no_stdin() -> None:
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)


def take_place(request: dict) -> None:
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def fresh_randomness() -> None:
    """NumPy's global generator was seeded once, in the template: every child would draw
    the same numbers. (Python's `random` reseeds itself after a fork; TensorFlow has made
    no generator yet.)"""
    import numpy

    numpy.random.seed()


def tensorflow_logs_in_the_kernel() -> None:
    """TensorFlow made its logger's handler when the template imported it, writing to the
    template's stderr; a kernel's import makes it inside IPython, on the notebook's stdout
    at INFO. Dropping it makes TensorFlow build it again, in the kernel, on first use."""
    from tensorflow.python.platform import tf_logging

    logger = logging.getLogger("tensorflow")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    tf_logging._logger = None  # noqa: SLF001 -- TensorFlow's cache of that logger


def page_matplotlibrc(template_rc: str) -> None:
    """matplotlib read its settings file (a matplotlibrc in the current folder comes first)
    when the template imported it: read the page's own when it has another."""
    import matplotlib

    found = matplotlib.matplotlib_fname()
    if found == template_rc:
        return
    backend = matplotlib.rcParams["backend"]
    matplotlib.rc_file(found)
    matplotlib.rcParams["backend"] = os.environ.get("MPLBACKEND") or backend
    matplotlib.rcParamsOrig = matplotlib.rcParams.copy()


def end_with_client(client_pid: int) -> None:
    """End the kernel when the process that asked for it ends, as a kernel it started would.

    ipykernel's own watch (turned off: see become_kernel) compares its parent (here the
    template) with the client, and finding another, only waits for a parent that becomes
    init. A pidfd of the client tells its end, immune to PID reuse."""
    try:
        client = os.pidfd_open(client_pid)
    except ProcessLookupError:
        os._exit(1)  # the client has ended already
    except OSError:
        return  # no pidfds (Linux before 5.3): the client's end goes unseen

    def watch() -> None:
        select.select([client], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="client-watch", daemon=True).start()


def launch(request: dict, start_folder: str) -> None:
    """ipykernel_launcher's own steps, with its own argv."""
    # As ipykernel_launcher: the folder it was started in leaves sys.path (the shell puts
    # its own entry back).
    if sys.path and sys.path[0] in ("", start_folder):
        del sys.path[0]
    sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"][3:]]
    from ipykernel.kernelapp import IPKernelApp

    # parent_handle=1: ipykernel read JPY_PARENT_PID when the template imported it (unset
    # then) and would print a terminal's banner; 1 also turns off its parent watch.
    IPKernelApp.launch_instance(parent_handle=1)


def become_kernel(request: dict, ready: int, start_folder: str, template_rc: str) -> None:
    """Never returns: the child's exit status is the kernel's."""
    code = 1
    try:
        own_session(ready)
        default_signals()
        no_stdin()
        take_place(request)
        fresh_randomness()
        tensorflow_logs_in_the_kernel()
        page_matplotlibrc(template_rc)
        end_with_client(int(request["env"][CLIENT_VARIABLE]))
        launch(request, start_folder)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - said on stderr, and the exit status says it failed
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

"""Run the kernel template beside a build: its kernelspec, its process, its environment.

    with kernels_from_template():
        ...  # notebooks executed here (and in processes forked or started from here)
             # get kernels forked from one template

The kernelspec is a `python3` kernel (the name the book's pages ask for) whose metadata
names the provisioner; it is found first because its folder leads JUPYTER_PATH.
`python tools/build_book.py --no-template` builds without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

from autograder.kernel_template.provisioner import TEMPLATE_VARIABLE
from autograder.kernel_template.template import PARENT_VARIABLE

PROVISIONER_NAME = "ttt-kernel-template"  # pyproject.toml's entry point
KERNEL_NAME = "python3"
STOP_SECONDS = 10
LISTEN_SECONDS = 30  # for the template to bind its socket (before its heavy imports)


def write_kernelspec(jupyter_folder: Path) -> Path:
    """A `python3` kernelspec under `jupyter_folder`/kernels that uses the provisioner."""
    spec = jupyter_folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (forked from a template)",
        "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}},
    }, indent=1), encoding="utf-8")
    return spec


def start_template(socket_path: Path) -> subprocess.Popen:
    """The template process, its imports under way (clients queue on the socket meanwhile)."""
    # One thread after `import numpy`: OpenBLAS starts its pool at load otherwise. Kernels
    # keep one BLAS thread (the pages' arrays are small; pages run side by side anyway).
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", PARENT_VARIABLE: str(os.getpid())}
    process = subprocess.Popen([sys.executable, "-m", "autograder.kernel_template",
                                str(socket_path)], env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + LISTEN_SECONDS
    while not socket_path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def kernels_from_template() -> Iterator[subprocess.Popen]:
    """Kernels started inside this block are forked from one template (the process given)."""
    folder = Path(tempfile.mkdtemp(prefix="ttt-template-"))  # short: a socket path is < 108 bytes
    socket_path = folder / "template.sock"
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", TEMPLATE_VARIABLE)}
    process = None
    try:
        write_kernelspec(folder)
        process = start_template(socket_path)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(folder), saved["JUPYTER_PATH"]]))
        os.environ[TEMPLATE_VARIABLE] = str(socket_path)
        yield process
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if process is not None:
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)

"""autograder/kernel_template/template.py: kernels forked from one warm process, sharing nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbclient
import pytest

from autograder.kernel_template import template as template_module
from template_notebooks import notebook, printed

pytestmark = pytest.mark.slow

# What one notebook leaves behind, in the kernel's memory and process: modules patched or
# added, the environment, a thread; and a random draw, which a fresh kernel makes anew.
LEAVES_THINGS_BEHIND = notebook(
    "import os, sys, threading, types, time\n"
    "import numpy as np, tensorflow as tf\n"
    "np.mean = lambda *a, **k: 'patched'\n"
    "tf.constant = lambda *a, **k: 'patched'\n"
    "np.left_behind = 1\n"
    "os.environ['TTT_LEFT_BEHIND'] = '1'\n"
    "sys.modules['ttt_left_behind'] = types.ModuleType('ttt_left_behind')\n"
    "threading.Thread(target=time.sleep, args=(600,), name='ttt-left-behind', daemon=True).start()\n"
    "print(np.random.rand(), os.getpid())",
)
FINDS_NOTHING = notebook(
    "import os, sys, threading\n"
    "print('tensorflow' in sys.modules)",  # before importing it: the template did
    "import numpy as np, tensorflow as tf\n"
    "print(np.mean([1.0, 3.0]), float(tf.constant(2.0)), hasattr(np, 'left_behind'),\n"
    "      'TTT_LEFT_BEHIND' in os.environ, 'ttt_left_behind' in sys.modules,\n"
    "      [t.name for t in threading.enumerate() if t.name == 'ttt-left-behind'])\n"
    "print(np.random.rand(), os.getpid())",
)


def test_a_kernel_is_forked_from_the_warm_template_and_finds_nothing_the_last_one_left(template):
    first = nbclient.execute(LEAVES_THINGS_BEHIND)
    draw, first_pid = printed(first)[0].split()
    second = nbclient.execute(FINDS_NOTHING)
    imported, checked = printed(second)
    assert imported.strip() == "True"  # TensorFlow came from the template
    state, last = checked.strip().split("\n")
    assert state == "2.0 2.0 False False False []"
    next_draw, second_pid = last.split()
    assert second_pid != first_pid
    assert next_draw != draw  # NumPy's global generator reseeded in each kernel


def test_tensorflow_logs_and_a_pages_matplotlibrc_are_the_kernels_own(template, tmp_path):
    # A fresh kernel's TensorFlow logs on the notebook's stdout, and matplotlib reads the
    # page folder's matplotlibrc; both were set up once in the template, elsewhere.
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 7.0\n")
    nb = notebook("import tensorflow as tf\ntf.get_logger().warning('a tf warning')",
                  "import matplotlib\nprint(matplotlib.rcParams['lines.linewidth'], "
                  "matplotlib.get_backend())")
    nbclient.execute(nb, cwd=str(tmp_path))
    logged = [o for o in nb.cells[0].outputs if o.output_type == "stream"]
    assert [(o.name, o.text.strip()) for o in logged] == [
        ("stdout", "WARNING:tensorflow:a tf warning")]
    # The backend a fresh kernel takes: the environment's (tests/conftest.py sets Agg).
    backend = os.environ.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"
    assert printed(nb)[1].split() == ["7.0", backend]


def test_tensorflow_computes_in_a_forked_kernel(template):
    nb = nbclient.execute(notebook(
        "import tensorflow as tf\n"
        "x = tf.Variable(3.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y = x * x\n"
        "print(float(tape.gradient(y, x)), float(tf.function(lambda v: v + 1)(x)))"))
    assert printed(nb)[0].strip() == "6.0 4.0"


def test_the_templates_objects_stay_out_of_a_kernels_collections_and_its_own_do_not(template):
    # Frozen in the template: a kernel's collector does not walk (and copy) the imports'
    # objects; what the kernel makes, a cycle here, is collected as in any process.
    nb = nbclient.execute(notebook(
        "import gc, weakref\n"
        "class Cycle: pass\n"
        "cycle = Cycle(); cycle.itself = cycle; alive = weakref.ref(cycle); del cycle\n"
        "gc.collect()\n"
        "print(gc.get_freeze_count() > 100_000, alive() is None)"))
    assert printed(nb)[0].split() == ["True", "True"]


def _ask(template_path: str, request: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(60)
        client.connect(template_path)
        client.sendall(request)
        return json.loads(client.makefile().readline())


def _request(argv: list[str], cwd: Path, **env: str) -> bytes:
    return json.dumps({"argv": argv, "env": {"JPY_PARENT_PID": str(os.getpid()), **env},
                       "cwd": str(cwd)}).encode() + b"\n"


def test_the_template_forks_the_kernel_command_and_nothing_else(template, tmp_path):
    path = template.args[-1]
    kernel = ["python", "-m", "ipykernel_launcher", "-f", str(tmp_path / "kernel.json")]
    shell = ["/bin/sh", "-c", f"touch {tmp_path}/ran"]
    assert _ask(path, _request(shell, tmp_path)) == {
        "error": f"not the kernel command: {shell!r}"}
    # Options of the client's would run code too (--IPKernelApp.exec_lines=...).
    with_code = [*kernel, f"--IPKernelApp.exec_lines=['open({str(tmp_path / 'ran')!r}', 'w')']"]
    assert _ask(path, _request(with_code, tmp_path))["error"].startswith(
        "not the kernel command")
    assert _ask(path, _request(kernel, tmp_path / "missing")) == {
        "error": f"cwd is not a folder: {str(tmp_path / 'missing')!r}"}
    nameless = json.dumps({"argv": kernel, "env": {}, "cwd": str(tmp_path)}).encode() + b"\n"
    assert _ask(path, nameless) == {"error": "env must name the client's PID (JPY_PARENT_PID)"}
    assert not (tmp_path / "ran").exists()


def test_garbage_and_silence_leave_the_template_serving(template, tmp_path):
    path = template.args[-1]
    assert _ask(path, b"[]\n") == {"error": "not a JSON object: []"}
    assert _ask(path, b"{not json\n")["error"].startswith("not JSON")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.connect(path)  # and says nothing: dropped after a few seconds
        started = time.monotonic()
        nb = nbclient.execute(notebook("import sys\nprint('tensorflow' in sys.modules)"))
    assert printed(nb)[0].strip() == "True"  # still forked by the template
    assert time.monotonic() - started < 60
    assert template.poll() is None


def test_a_template_with_a_second_thread_refuses_to_fork():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        with pytest.raises(template_module.TemplateError, match="threads after its imports"):
            template_module.check_forkable()
    finally:
        release.set()
        thread.join()


def test_a_template_whose_starter_was_killed_ends_by_itself(tmp_path):
    # A build killed outright (SIGKILL, or SIGTERM before its cleanup) cannot stop it.
    starter = subprocess.Popen([sys.executable, "-c", (
        "import os, subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-m', 'autograder.kernel_template', "
        f"{str(tmp_path / 't.sock')!r}], "
        "env={**os.environ, 'TTT_KERNEL_TEMPLATE_PARENT': str(os.getpid())})\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    pid = int(starter.stdout.readline())
    starter.kill()
    starter.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and \
            "zombie" not in Path(f"/proc/{pid}/status").read_text().lower():
        time.sleep(0.1)
    alive = Path(f"/proc/{pid}").exists() and \
        "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    assert not alive

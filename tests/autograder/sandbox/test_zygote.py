"""Runs forked by one grading template: each as isolated from the last as a fresh sandbox,
and a lost template costs a slower run, never a grade.

Every test grades through a real Workspace (bubblewrap, the template, the runner and an
ipykernel), as the batch does; a learner's notebook is a few code cells whose printed
lines the test reads back from the run's outputs.
"""

from __future__ import annotations

import json

import nbformat
import psutil
import pytest

import grading_templates
from autograder.sandbox import execute, workspace, zygote
from autograder.sandbox.limits import Limits

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout=60, wall_seconds=240)


@pytest.fixture(scope="module")
def batch():
    """One workspace (one template) for the module's runs, one job at a time."""
    made = workspace.Workspace(1, LIMITS)
    made.count = 0
    yield made
    made.remove()


def run(batch, *cells: str, seed: int = 7, limits: Limits = LIMITS) -> dict:
    """Run the cells as a submission of ``batch``; what the run says and printed."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    batch.count += 1
    scratch = batch.scratch(batch.count)
    nbformat.write(notebook, scratch / "submission.ipynb")
    ran = execute.run_notebook(batch, scratch, batch.count, seed, limits, True)
    printed = ["".join(output.get("text", "") for output in cell["outputs"]
                       if output.get("output_type") == "stream") for cell in ran.outputs]
    errors = [output for cell in ran.outputs for output in cell["outputs"]
              if output.get("output_type") == "error"]
    return {"outcome": ran.outcome, "summary": ran.summary, "printed": printed,
            "errors": errors, "log": batch.log(batch.count).read_text(errors="replace")}


def printed_json(result: dict, cell: int = -1):
    assert result["summary"] and result["summary"]["outcome"] == "completed", result["log"]
    assert not result["errors"], result["errors"]
    return json.loads(result["printed"][cell])


# The first learner leaves everything a process can leave behind; the second looks for it.
LEAVES_BEHIND = r"""
import os, sys, subprocess, threading, time, numpy, tensorflow as tf
for folder in ("/scratch", "/tmp", "/dev/shm"):
    open(f"{folder}/left-behind", "w").write("x")
numpy.left_behind = True
numpy.mean = lambda *args, **kwargs: 42.0
tf.reduce_sum = lambda *args, **kwargs: 42.0
os.environ["LEFT_BEHIND"] = "1"
sys.modules["left_behind"] = sys
del sys.modules["json"]
threading.Thread(target=time.sleep, args=(600,), name="left-behind", daemon=True).start()
subprocess.Popen(["sleep", "600"], start_new_session=True)
os.system("nohup sleep 601 > /dev/null 2>&1 &")
print("left")
"""

LOOKS_FOR_IT = r"""
import os, sys, json, threading, numpy, tensorflow as tf
found = {
    "files": [f"{folder}/{name}" for folder in ("/scratch", "/tmp", "/dev/shm")
              for name in os.listdir(folder) if "left" in name],
    "numpy_attribute": hasattr(numpy, "left_behind"),
    "numpy_mean": float(numpy.mean([1.0, 3.0])),
    "tf_reduce_sum": float(tf.reduce_sum([1.0, 3.0])),
    "environment": "LEFT_BEHIND" in os.environ,
    "module": "left_behind" in sys.modules,
    "json_imported_before": "json" in sys.modules,
    "threads": [t.name for t in threading.enumerate() if t.name == "left-behind"],
    "processes": sorted(open(f"/proc/{p}/cmdline").read().replace("\0", " ").strip()
                        for p in os.listdir("/proc") if p.isdigit()),
    "seed": os.environ["TTT_GRADING_SEED"],
}
print(json.dumps(found))
"""


def test_a_learner_sees_nothing_the_previous_one_left(batch):
    first = run(batch, LEAVES_BEHIND, seed=11)
    assert first["printed"] == ["left\n"], first["log"]
    found = printed_json(run(batch, LOOKS_FOR_IT, seed=12))
    assert found["files"] == []
    assert not found["numpy_attribute"] and not found["environment"] and not found["module"]
    assert found["numpy_mean"] == 2.0 and found["tf_reduce_sum"] == 4.0
    assert found["json_imported_before"]  # as in any fresh kernel: IPython imports it
    assert found["threads"] == []
    assert not any("sleep" in command for command in found["processes"]), found["processes"]
    assert found["seed"] == "12"
    assert batch.templates_lost == []


# The first process of the run's PID namespace: bwrap's own in a plain sandbox, a fork of
# the template (its command line is the template's) in a forked run.
FIRST_PROCESS = "print(open('/proc/1/cmdline').read().replace('\\0', ' '))"


def forked(result: dict) -> bool:
    first = result["printed"][-1]
    assert "grading_template.py" in first or "bwrap" in first, first
    return "grading_template.py" in first


def test_the_runs_are_forked_by_the_template_not_started_afresh(batch):
    assert forked(run(batch, FIRST_PROCESS))
    assert batch.templates_lost == []


ISOLATION = r"""
import ctypes, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
              if ":\t" in line)
def refused(call):
    return call() == -1
found = {
    "capabilities": [status[name].strip() for name in ("CapEff", "CapPrm", "CapBnd", "CapAmb")],
    "no_new_privs": status["NoNewPrivs"].strip(),
    "uid_map": open("/proc/self/uid_map").read().split(),
    "host_proc": os.listdir("/run/fullproc"),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "unshare_user": refused(lambda: libc.unshare(0x10000000)),
    "unshare_net": refused(lambda: libc.unshare(0x40000000)),
    "clone3": (libc.syscall(435, 0, 0), ctypes.get_errno()),
    "mount": refused(lambda: libc.mount(b"tmpfs", b"/scratch", b"tmpfs", 0, None)),
    "umount_cover": refused(lambda: libc.umount2(b"/run/fullproc", 2)),
    "writable_input": os.access("/opt/ttt-input", os.W_OK),
    "input": os.listdir("/opt/ttt-input"),
    "interfaces": sorted(name for _, name in socket.if_nameindex()),
    # Bound below /tmp by the template's sandbox, as a venv under /tmp would be: kept.
    "kept_below_tmp": sorted(os.listdir("/tmp/matplotlib")),
    "kept_writable": any(os.access(f"/tmp/matplotlib/{name}", os.W_OK)
                         for name in os.listdir("/tmp/matplotlib")),
}
print(json.dumps(found))
"""


def test_a_forked_run_is_a_sandbox_of_its_own(batch):
    found = printed_json(run(batch, ISOLATION))
    assert found["capabilities"] == ["0000000000000000"] * 4
    assert found["no_new_privs"] == "1"
    assert found["uid_map"] == ["65534", "65534", "1"]
    assert found["host_proc"] == []  # the template's view of the host's processes: covered
    assert max(found["pids"]) < 10 and 1 in found["pids"]  # its own PID namespace
    assert found["unshare_user"] and found["unshare_net"] and found["mount"]
    assert found["umount_cover"]
    assert found["clone3"] == [-1, 38]  # ENOSYS: the C library falls back to clone
    assert not found["writable_input"] and found["input"] == ["submission.ipynb"]
    assert found["interfaces"] == ["lo"]
    assert found["kept_below_tmp"] == [batch.font_cache.name]  # the kernels' font list
    assert not found["kept_writable"]


def the_templates_python(template) -> psutil.Process:
    """The template's own process (bwrap's, outer and the sandbox's init, above it)."""
    found = grading_templates.templates(psutil.Process(template.process.pid))
    assert len(found) == 1, found
    return found[0]


def test_signals_from_the_runs_own_processes_do_not_end_its_first_process(batch):
    result = run(batch, "import os, signal, time\n"
                        "for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
                        "    os.kill(1, number)\n"
                        "time.sleep(0.5)", "print('still running')")
    assert result["summary"]["outcome"] == "completed", result["log"]
    assert result["printed"][-1] == "still running\n"


def test_a_template_killed_between_runs_is_replaced(batch):
    template = batch.grading_template()
    the_templates_python(template).kill()
    template.process.wait(10)  # the sandbox ends with it
    result = run(batch, "print(6 * 7)")
    assert result["printed"] == ["42\n"]
    assert len(batch.templates_lost) == 1 and "ended" in batch.templates_lost[0]
    assert batch.grading_template() is not template
    assert batch.grading_template().alive()
    assert forked(run(batch, FIRST_PROCESS))  # by the new one
    batch.templates_lost.clear()


def run_doing_to_the_template(batch, action, *cells: str) -> tuple[dict, psutil.Process]:
    """Run the cells (the first runs `sleep 2.217`); while that sleep runs, call ``action``
    on the template's process. The run's result, and that process."""
    run(batch, "pass")  # the template started, and imported
    python = the_templates_python(batch.grading_template())

    def the_sleep():
        if any(child.cmdline() == ["sleep", "2.217"] for child in python.children(True)):
            return python
        return None

    watcher = grading_templates.when(the_sleep, action, seconds=60)
    result = run(batch, "import subprocess\nsubprocess.run(['sleep', '2.217'])\nprint('slept')",
                 *cells)
    watcher.join()
    return result, python


def test_a_template_lost_during_a_run_costs_a_rerun_the_plain_way(batch):
    result, python = run_doing_to_the_template(batch, psutil.Process.kill, FIRST_PROCESS)
    assert not python.is_running(), "the template was not killed mid-run"
    assert result["printed"][0] == "slept\n"
    assert not forked(result)  # run again, in a plain sandbox
    assert batch.templates_lost == ["it ended during a run"]
    batch.templates_lost.clear()


def test_no_zygote_runs_the_plain_way(batch):
    result = run(batch, FIRST_PROCESS, limits=Limits(cell_timeout=60, wall_seconds=240,
                                                      zygote=False))
    assert not forked(result)


def test_a_stuck_template_costs_a_rerun_not_a_hang(batch, monkeypatch):
    monkeypatch.setattr(zygote, "ANSWER_SECONDS", 3.0)
    template = batch.grading_template()
    run(batch, "pass")  # started, and imported
    python = the_templates_python(template)
    python.suspend()  # answers nothing from now on
    try:
        result = run(batch, FIRST_PROCESS)
    finally:
        if python.is_running():
            python.resume()
    assert not forked(result)
    assert batch.templates_lost == ["the template did not answer in time"]
    assert not python.is_running()  # stopped, with its whole sandbox
    batch.templates_lost.clear()


def test_a_template_stuck_during_a_run_costs_a_rerun_not_a_hang(batch):
    # Stopped, the template never reports the run's end.
    result, python = run_doing_to_the_template(batch, psutil.Process.suspend, FIRST_PROCESS)
    assert result["printed"][0] == "slept\n"
    assert not forked(result)
    assert batch.templates_lost == ["it did not report a run's end"]
    assert not python.is_running()
    batch.templates_lost.clear()


def test_a_run_whose_own_sandbox_cannot_be_made_goes_the_plain_way(batch, monkeypatch):
    real = zygote.GradingTemplate.start_run

    def with_a_folder_that_is_not_there(self, notebook, environment, sizes, *rest):
        return real(self, notebook, environment, {**sizes, "/no-such-folder": 4096}, *rest)

    monkeypatch.setattr(zygote.GradingTemplate, "start_run", with_a_folder_that_is_not_there)
    result = run(batch, FIRST_PROCESS)
    assert not forked(result)
    assert len(batch.templates_lost) == 1
    assert batch.templates_lost[0].startswith("a run's own sandbox could not be made (")
    assert "/no-such-folder" in batch.templates_lost[0]  # the run's log's last line
    batch.templates_lost.clear()


def test_a_run_whose_runner_fails_is_graded_again_the_plain_way(batch, capfd):
    # The kernel interrupts its runner (PID 2): it raises KeyboardInterrupt and writes no
    # result. That could as well be the forked path failing: the plain way decides.
    template = batch.grading_template()
    result = run(batch, "import os, signal, time\nos.kill(2, signal.SIGINT)\ntime.sleep(5)")
    assert "ended without a result (the runner failed" in capfd.readouterr().err
    assert result["summary"] is None  # on the plain way too, the runner was interrupted
    assert batch.templates_lost == [] and batch.grading_template() is template

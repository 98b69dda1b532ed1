"""The bubblewrap sandbox, probed with small Python scripts instead of a whole notebook."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import grading_templates
from autograder import assignments, protocol
from autograder import verdict as verdict_module
from autograder.sandbox import bubblewrap

pytestmark = pytest.mark.sandbox

PROBE_SCRIPT = r"""
import json, os, socket, sys
found = {}

def can_read(path):
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False

def can_write(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        return True
    except OSError:
        return False

def can_import(name):
    try:
        __import__(name)
        return True
    except Exception:
        return False

repo = sys.argv[1]
found["read_solution"] = can_read(repo + "/solutions/linear_fit/linear_fit.ipynb")
found["read_verdict"] = can_read(repo + "/autograder/verdict.py")
found["read_etc_shadow"] = can_read("/etc/shadow")
found["write_repo"] = can_write(repo + "/sandbox-escape.txt")
found["write_venv"] = can_write(sys.prefix + "/sandbox-escape.txt")
found["write_scratch"] = can_write("/scratch/inside.txt")
found["write_inputs"] = can_write("/opt/ttt-input/inside.txt")
found["write_report"] = can_write(os.environ["TTT_REPORT_DIR"] + "/report.jsonl")
found["import_probe"] = can_import("autograder.probe")
found["import_ttt_data"] = can_import("ttt.data")
# The references and whatever judges: the minibatch references live in ttt.optim.
found["import_reference"] = {name: can_import(name) for name in (
    "ttt.reference", "ttt.reference_tf", "ttt.optim", "autograder.parts.minibatch",
    "autograder.source_rules")}
found["import_verdict"] = can_import("autograder.verdict")
found["pid"] = os.getpid()
found["uid"] = os.getuid()
# A server of the test listens on the host's loopback: a sandbox sharing the host's network
# would reach it; one with its own network namespace cannot.
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2).close()
    found["network"] = True
except OSError:
    found["network"] = False
found["environment"] = sorted(os.environ)
print(json.dumps(found))
"""


@pytest.fixture(scope="module", params=["plain", "forked"])
def inside(request, tmp_path_factory) -> dict:
    """What a script running in the sandbox could do, as a dict: in a plain sandbox, and as
    a notebook's cell in a run the grading template forked (autograder.sandbox.zygote)."""
    if request.param == "forked":
        return _inside_a_forked_run()
    root = tmp_path_factory.mktemp("sandbox")
    kernel_lib, inputs = root / "kernel-lib", root / "inputs"
    inputs.mkdir()
    roots = bubblewrap.copy_kernel_library(assignments.REPO_ROOT, protocol.KERNEL_MODULES, kernel_lib)
    (root / "runner").mkdir()
    runner = root / "runner" / "run.py"
    runner.write_text("")
    (inputs / "probe_script.py").write_text(PROBE_SCRIPT)
    with socket.create_server(("127.0.0.1", 0)) as host_server:
        command = bubblewrap.wrap(
            [str(Path(sys.prefix) / "bin" / "python"), "/opt/ttt-input/probe_script.py",
             str(assignments.REPO_ROOT), str(host_server.getsockname()[1])],
            inputs, kernel_lib, runner, bubblewrap.kernel_environment(
                7, bubblewrap.sandbox_python_path(roots)))
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    found["input_files"] = sorted(p.name for p in inputs.iterdir())
    found["handed_in"] = ["probe_script.py"]
    for file in kernel_lib.rglob("*"):
        file.parent.chmod(0o755)
    return found


def _inside_a_forked_run() -> dict:
    with socket.create_server(("127.0.0.1", 0)) as host_server:
        found, _, left = grading_templates.script_in_a_forked_run(
            PROBE_SCRIPT, [str(assignments.REPO_ROOT), str(host_server.getsockname()[1])])
    found["input_files"], found["handed_in"] = left, ["submission.ipynb"]
    return found


def test_the_kernel_cannot_read_instructor_files(inside):
    assert not inside["read_solution"]
    assert not inside["read_verdict"]
    assert not inside["read_etc_shadow"]


def test_the_kernel_imports_only_the_kernel_modules(inside):
    assert inside["import_probe"] and inside["import_ttt_data"]
    assert not any(inside["import_reference"].values()), inside["import_reference"]
    assert not inside["import_verdict"]


def test_the_kernel_writes_only_its_own_memory_folders(inside):
    # Where the repo lives under /tmp (a CI clone), the sandbox's write to the repo's path
    # lands in its private /tmp and succeeds there: what matters is that the host's repo
    # never sees the file.
    assert not inside["write_venv"]
    assert inside["write_scratch"] and inside["write_report"]
    assert not inside["write_inputs"]
    assert inside["input_files"] == inside["handed_in"]  # nothing reached the host's disk
    assert not (assignments.REPO_ROOT / "sandbox-escape.txt").exists()


def test_the_kernel_has_no_network_no_privileges_and_its_own_pids(inside):
    assert not inside["network"]
    assert inside["uid"] == 65534
    assert inside["pid"] < 10  # a fresh PID namespace: the grader is not visible


def test_the_kernel_environment_is_rebuilt_from_scratch(inside):
    assert "TTT_GRADING_SEED" in inside["environment"]
    assert "TTT_REPORT_DIR" in inside["environment"]
    leaked = {"VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "OLDPWD", "SSH_AUTH_SOCK"}
    assert not leaked & set(inside["environment"])


def test_kernel_library_roots_follow_packages(tmp_path):
    roots = bubblewrap.copy_kernel_library(assignments.REPO_ROOT, protocol.KERNEL_MODULES,
                                        tmp_path / "lib")
    lib = tmp_path / "lib"
    copied = {file.relative_to(lib).as_posix() for file in lib.rglob("*") if file.is_file()}
    for file in lib.rglob("*"):
        file.parent.chmod(0o755)
    assert roots == [".", "book"]
    # Exactly the listed files, nothing more; the verdict's real path (wherever it moves) absent.
    assert copied == set(protocol.KERNEL_MODULES)
    verdict = Path(verdict_module.__file__).resolve().relative_to(assignments.REPO_ROOT.resolve())
    assert verdict.as_posix() not in copied
    assert not (lib / verdict).exists()


def test_kernel_library_refuses_paths_outside_the_repo(tmp_path):
    with pytest.raises(ValueError, match="repo-relative"):
        bubblewrap.copy_kernel_library(assignments.REPO_ROOT, ("../secret.py",), tmp_path / "lib")


def test_the_private_tmp_is_mounted_before_the_binds_it_could_hide(tmp_path):
    # A CI clone (and so its .venv) may live under /tmp: a tmpfs mounted after the venv's
    # bind would hide the Python the sandbox runs.
    command = bubblewrap.wrap(["true"], tmp_path, tmp_path, tmp_path / "run.py", {})
    tmpfs_at = command.index("--tmpfs")
    assert command[tmpfs_at + 1] == "/tmp"
    binds = [i for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert binds and tmpfs_at < min(binds)


def test_no_writable_place_holds_more_than_its_cap(tmp_path):
    # /dev, /dev/shm and the tmpfs folders are memory that the watchdog's RSS sum does not
    # see; /scratch would otherwise fill the grader's disk.
    script = (
        "import errno\n"
        "def write(path, size):\n"
        "    try:\n"
        "        with open(path, 'wb') as handle:\n"
        "            handle.write(b'x' * size)\n"
        "        return 'ok'\n"
        "    except OSError as error:\n"
        "        return errno.errorcode[error.errno]\n"
        "print(write('/dev/hoard', 1000), write('/dev/shm/small', 1_000_000),\n"
        f"      write('/dev/shm/large', {bubblewrap.SHM_BYTES + 2**20}), write('/dev/null', 10),\n"
        f"      write('/scratch/small', 1_000_000), write('/scratch/large', {9 * 2**20}),\n"
        f"      write('/tmp/large', {bubblewrap.TMP_BYTES + 2**20}),\n"
        f"      write('{bubblewrap.REPORT_DIR}/large', {bubblewrap.REPORT_BYTES + 2**20}))\n")
    (tmp_path / "hoard.py").write_text(script)
    (tmp_path / "run.py").write_text("")
    command = bubblewrap.wrap([str(Path(sys.prefix) / "bin" / "python"), "/opt/ttt-input/hoard.py"],
                           tmp_path, tmp_path, tmp_path / "run.py", {"PATH": "/usr/bin:/bin"},
                           scratch_bytes=8 * 2**20)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["EROFS", "ok", "ENOSPC", "ok", "ok", "ENOSPC", "ENOSPC",
                                     "ENOSPC"], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hoard.py", "run.py"]


def test_the_font_list_is_built_once_and_again_only_when_the_fonts_change(tmp_path, monkeypatch):
    """A re-run grading one notebook does not pay matplotlib's font scan again."""
    fonts = tmp_path / "fonts"
    (fonts / "truetype").mkdir(parents=True)
    monkeypatch.setattr(bubblewrap, "FONT_FOLDERS", (str(fonts),))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built = bubblewrap.build_font_cache(tmp_path / "batch-1")
    assert built is not None and built.is_relative_to(tmp_path / "cache")
    assert json.loads(built.read_text())  # matplotlib's own list

    def no_build(*args, **kwargs):
        raise AssertionError("the font list was built again")

    monkeypatch.setattr(bubblewrap.subprocess, "run", no_build)
    assert bubblewrap.build_font_cache(tmp_path / "batch-2") == built
    (fonts / "truetype" / "new-family").mkdir()  # a font installed: the list is stale
    with pytest.raises(AssertionError, match="built again"):
        bubblewrap.build_font_cache(tmp_path / "batch-3")

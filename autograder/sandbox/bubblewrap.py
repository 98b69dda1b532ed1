"""The bubblewrap sandbox one submission's notebook runs in.

Inside, the learner's kernel sees (all read-only unless said otherwise):

- the system's /usr, /lib*, /bin, /sbin and a handful of /etc files the dynamic loader and
  Python need (not all of /etc: the sandbox user maps to the grader's user, who may own
  secrets there);
- the base Python installation and the virtual environment, at their own paths;
- ``/opt/ttt-kernel``: a copy of only the files in ``autograder.protocol.KERNEL_MODULES``
  (the protocol, the probe, the scenarios, ``ttt.data``), first on PYTHONPATH, so ``import
  ttt`` and ``from autograder import probe`` work while ``ttt.reference``, ``autograder.judging``,
  ``solutions/``, the gradebook and other learners' files simply do not exist. The venv's
  editable-install finder still names the repository, but the repository is not mounted;
- ``/opt/ttt-runner``: the runner script (autograder/sandbox/runner.py) and the two modules
  it imports, copied beside it (:data:`autograder.sandbox.workspace.RUNNER_FILES`);
- ``/opt/ttt-input``: this submission's prepared notebook;
- ``/scratch`` (the working folder), ``/tmp`` and ``/opt/ttt-report`` (the probe's report):
  the only writable places, each a fresh size-capped tmpfs that vanishes with the sandbox. Nothing the learner's code writes reaches
  the grader's disk: the runner hands its results back on a pipe (see
  autograder.sandbox.runner).

Namespaces: a new user (uid/gid 65534, every capability dropped, no further user
namespaces), PID, network (loopback only, for the kernel's ZeroMQ sockets), IPC, UTS and
cgroup namespace. ``--die-with-parent`` and the PID namespace mean that when the runner or the
grader goes, every process the learner started goes too; ``--new-session`` keeps the kernel off
the grader's terminal. The environment is cleared and rebuilt from an explicit list.

The grading template's sandbox (``wrap`` without ``inputs``; autograder.sandbox.zygote) is the
same but for three things: user namespaces stay allowed (each run it forks makes its own,
then refuses any more), the host's /proc is bound read-only at FULL_PROC (each run mounts
a /proc of its own, which Linux allows only where a proc mount is fully visible, and
covers FULL_PROC first), and it does not die with the thread that started it (a pipe from
the grader ends it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import protocol
from autograder.sandbox.own_namespaces import FULL_PROC

SCRATCH = "/scratch"
INPUT_DIR = "/opt/ttt-input"
REPORT_DIR = "/opt/ttt-report"  # the probe's report: own tmpfs, so a full /scratch spares it
REPORT_BYTES = protocol.REPORT_MAX_BYTES
KERNEL_LIB = "/opt/ttt-kernel"
RUNNER_DIR = "/opt/ttt-runner"
SCRATCH_BYTES = 512 * 1024 * 1024  # default; --disk on the command line
TMP_BYTES = 256 * 1024 * 1024
SHM_BYTES = 64 * 1024 * 1024  # POSIX shared memory (multiprocessing uses it)

# Files (not folders) of /etc that the loader, Python and localhost sockets read.
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "hosts",
              "localtime", "alternatives", "passwd", "group")
_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here; str() says why."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def check_available() -> None:
    """Raise SandboxUnavailable unless a trivial command runs inside bubblewrap here."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed; install the Debian package 'bubblewrap' "
            "(make system)")
    probe = [bwrap, *_namespace_args(), *_system_binds(), "--", "/bin/true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap could not start: {error}") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise SandboxUnavailable(
            f"bubblewrap cannot create namespaces here ({reason}); user namespaces may be "
            "disabled (sysctl kernel.unprivileged_userns_clone)")


def _namespace_args(forks_sandboxes: bool = False) -> list[str]:
    """The grading template (``forks_sandboxes``) keeps user namespaces: its children make
    their own (autograder.sandbox.own_namespaces), and confine() then refuses any more. It
    ends when the grader's end of a pipe closes, not with the thread that started it."""
    kept = [] if forks_sandboxes else ["--disable-userns", "--die-with-parent"]
    return ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            *kept, "--cap-drop", "ALL", "--new-session"]


def _system_binds() -> list[str]:
    args = []
    for folder in _SYSTEM_DIRS:
        args += ["--ro-bind-try", folder, folder]
    for name in _ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _python_binds() -> list[str]:
    """The interpreter's installation and the venv, read-only, at the paths they expect."""
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    args = []
    for prefix in sorted(prefixes):
        if not any(str(prefix).startswith(system) for system in _SYSTEM_DIRS):
            args += ["--ro-bind", str(prefix), str(prefix)]
    return args


def copy_kernel_library(repo_root: Path, kernel_modules: tuple[str, ...],
                        destination: Path) -> list[str]:
    """Copy only the kernel's allowed files; return the folders (relative) for PYTHONPATH.

    A file's import root is the folder above its outermost package (a folder whose
    __init__.py is also listed): book/ttt/data.py -> "book", autograder/probe.py -> ".".
    """
    listed = set(kernel_modules)
    roots = set()
    for relative in kernel_modules:
        path = Path(relative)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"KERNEL_MODULES must be repo-relative paths, got {relative!r}")
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo_root / path, target)
        package = path.parent
        while package != Path(".") and str(package / "__init__.py") in listed:
            package = package.parent
        roots.add(str(package))
    for file in destination.rglob("*"):  # read-only for everyone, even outside the sandbox
        file.chmod(0o555 if file.is_dir() else 0o444)
    destination.chmod(0o555)
    return sorted(roots)


# Hardware work-arounds some machines set for OpenBLAS (wrong results or crashes without
# them): not secrets, so they pass into the otherwise rebuilt environment.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def sandbox_python_path(python_roots: list[str]) -> str:
    """PYTHONPATH inside the sandbox: the kernel library's import roots."""
    return ":".join(KERNEL_LIB if root == "." else f"{KERNEL_LIB}/{root}" for root in python_roots)


def kernel_environment(seed: int, python_path: str, *, report_dir: str = REPORT_DIR,
                       tmp: str = "/tmp", threads: int = 1) -> dict[str, str]:
    """Everything the runner and the kernel see in os.environ, and nothing else.

    The defaults are the sandbox's folders; without the sandbox the same environment points
    at real ones. ``threads`` caps the thread pools of TensorFlow and BLAS in the kernel.
    """
    passed = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    pools = {name: str(threads) for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                                             "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return {
        **passed,
        **pools,
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": tmp,
        "PYTHONPATH": python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        protocol.SEED_VARIABLE: str(seed),
        protocol.REPORT_DIR_VARIABLE: report_dir,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{tmp}/{MATPLOTLIB_FOLDER}",
        "IPYTHONDIR": f"{tmp}/ipython",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter-runtime",
        "JUPYTER_DATA_DIR": f"{tmp}/jupyter-data",
        "JUPYTER_CONFIG_DIR": f"{tmp}/jupyter-config",
        "LANG": "C.UTF-8",
    }


MATPLOTLIB_FOLDER = "matplotlib"  # MPLCONFIGDIR, in the kernel's /tmp


# Where the system's fonts are (fontconfig's and matplotlib's own): the list is built again
# when any folder below these changes (a font installed or removed).
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts",
                "~/.local/share/fonts")


def _font_key() -> str:
    """What the font list depends on: matplotlib's version and every font folder's time."""
    import hashlib
    from importlib import metadata, util

    digest = hashlib.sha256(metadata.version("matplotlib").encode())
    package = Path(util.find_spec("matplotlib").origin).parent  # found, not imported
    roots = [*FONT_FOLDERS, str(package / "mpl-data" / "fonts")]
    for root in roots:
        for folder, _, _ in sorted(os.walk(os.path.expanduser(root))):
            digest.update(f"{folder}:{os.stat(folder).st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def font_cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ttt-autograder"


def build_font_cache(folder: Path) -> Path | None:
    """Matplotlib's list of the system's fonts, for the kernels: built once, kept between
    batches (in :func:`font_cache_home`) while the fonts and matplotlib stay the same.

    TensorFlow's import loads Keras, which loads matplotlib.pyplot, which scans every font
    on the system when its cache is missing, as it always is in a fresh sandbox: a quarter
    of a second per kernel. The list depends only on the system, so the kernels get this
    one read-only. Building it costs a Python start and matplotlib's import (about 2 s),
    which a re-run grading one notebook should not pay again. None when it could not be
    built (the kernels then build their own); ``folder`` is used when the cache home is
    not writable.
    """
    try:
        key = _font_key()
        home = font_cache_home() / f"fonts-{key}"
        kept = sorted(home.glob("fontlist-*.json"))
        if kept:
            return kept[0]
        home.mkdir(parents=True, exist_ok=True)
        folder = home
    except OSError:
        folder.mkdir(parents=True, exist_ok=True)
    except Exception:  # noqa: BLE001 -- no key (matplotlib missing): build per batch
        folder.mkdir(parents=True, exist_ok=True)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "MPLCONFIGDIR": str(folder), "HOME": str(folder)}
    try:
        subprocess.run([str(Path(sys.prefix) / "bin" / "python"), "-c",
                        "import matplotlib.font_manager"], env=environment, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(folder.glob("fontlist-*.json"))
    return found[0] if found else None


def writable_folders(scratch_bytes: int = SCRATCH_BYTES) -> dict[str, int]:
    """Every folder a sandbox may write, each a fresh tmpfs of this many bytes: bwrap mounts
    them here (wrap), a forked run its own (own_namespaces), the grader counts them as the
    submission's memory (memory_protection)."""
    return {"/tmp": TMP_BYTES, SCRATCH: scratch_bytes, REPORT_DIR: REPORT_BYTES,
            "/dev/shm": SHM_BYTES}


def wrap(command: list[str], inputs: Path | None, kernel_lib: Path, runner_script: Path,
         environment: dict[str, str], scratch_bytes: int = SCRATCH_BYTES,
         font_cache: Path | None = None) -> list[str]:
    """The bwrap command line that runs ``command`` (paths as seen inside) in the sandbox;
    the host folder ``inputs`` appears read-only at INPUT_DIR. ``inputs`` None: the grading
    template's sandbox (its children make their own input folders)."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    caches = ([] if font_cache is None else
              ["--ro-bind", str(font_cache), f"/tmp/{MATPLOTLIB_FOLDER}/{font_cache.name}"])
    # The private /tmp comes before the binds: Python or the venv may live under /tmp (a CI
    # clone often does), and a tmpfs mounted after them would hide them.
    size = {folder: str(size) for folder, size in writable_folders(scratch_bytes).items()}
    template = inputs is None
    inputs_args = (["--dir", INPUT_DIR, "--ro-bind", "/proc", FULL_PROC] if template
                   else ["--ro-bind", str(inputs), INPUT_DIR])
    args = [bwrap, *_namespace_args(forks_sandboxes=template),
            "--size", size["/tmp"], "--tmpfs", "/tmp",
            *_system_binds(), *_python_binds(),
            "--ro-bind", str(kernel_lib), KERNEL_LIB,
            "--ro-bind", str(runner_script.parent), RUNNER_DIR,  # the runner and neighbours
            *inputs_args, *caches,
            "--size", size[SCRATCH], "--tmpfs", SCRATCH,
            "--size", size[REPORT_DIR], "--tmpfs", REPORT_DIR,
            "--proc", "/proc", "--dev", "/dev",
            # /dev and its shm are memory the RSS watchdog cannot see: cap shm, freeze /dev.
            "--size", size["/dev/shm"], "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--remount-ro", "/",  # the folders bwrap made for the mounts: read-only too
            "--chdir", SCRATCH, "--clearenv"]
    for name, value in environment.items():
        args += ["--setenv", name, value]
    return [*args, "--", *command]


def runner_command(inputs: Path, kernel_lib: Path, runner_script: Path,
                   environment: dict[str, str], runner_args: list[str],
                   scratch_bytes: int = SCRATCH_BYTES,
                   font_cache: Path | None = None) -> list[str]:
    """The sandboxed command that runs the runner (autograder/sandbox/runner.py, copied to
    RUNNER_DIR) on a notebook in INPUT_DIR."""
    python = str(Path(sys.prefix) / "bin" / "python")
    return wrap([python, f"{RUNNER_DIR}/{runner_script.name}", *runner_args], inputs, kernel_lib,
                runner_script, environment, scratch_bytes, font_cache)

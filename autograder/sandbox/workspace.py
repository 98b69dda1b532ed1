"""One batch's temporary folder, and the command that runs the runner on one submission.

The folder (``$TMPDIR/ttt-grade-<pid>-...``) holds, read-only, the kernel library (the only
repository files a kernel may import: :data:`autograder.protocol.KERNEL_MODULES`) and the
runner with its neighbours; then one scratch folder per submission, the kernels' logs and
the reports as the grader saved them. A grader killed before it could remove its folder
leaves it behind: the next batch removes folders whose grader no longer runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from autograder import protocol
from autograder.sandbox import bubblewrap, cgroups, memory_protection, zygote
from autograder.sandbox.limits import Limits

PREFIX = "ttt-grade-"
# The runner and the module it imports from beside it (it finds autograder.protocol in the
# kernel library); the grading template and its child's steps, which import them.
RUNNER_FILES = ("runner.py", "confine.py", "grading_template.py", "own_namespaces.py")
# A template lost this often in one batch is not started again: its runs go the plain way.
TEMPLATE_ATTEMPTS = 3
REPO_ROOT = Path(__file__).resolve().parents[2]


def remove_stale_workspaces() -> None:
    """Workspaces of graders that were killed (no `finally` ran): named by their pid."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        if folder.is_dir() and cgroups.owner_is_gone(folder.name):
            make_removable(folder)
            shutil.rmtree(folder, ignore_errors=True)


def make_removable(folder: Path) -> None:
    """Make every folder under ``folder`` the grader's to empty again: the kernel library
    is read-only, even to the grader, and a kernel run without the sandbox may have locked
    its scratch folder (chmod 000). A folder that vanishes meanwhile (another grader
    clearing the same stale workspace) is skipped, not an error."""
    for current, subfolders, _files in os.walk(folder):  # os.walk ignores vanished folders
        for path in (current, *(os.path.join(current, name) for name in subfolders)):
            try:
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
            except OSError:
                pass


class Workspace:
    """The temporary folder of one batch, and what every submission of it shares."""

    def __init__(self, jobs: int = 1, limits: Limits = Limits(),
                 protection: memory_protection.MemoryProtection | None = None,
                 repo_root: Path = REPO_ROOT):
        # Chosen first: it may need the machine's control groups, and says so when it can't.
        self.owns_protection = protection is None
        self.protection = protection or memory_protection.choose(limits.cgroups,
                                                                 limits.host_floor_bytes)
        remove_stale_workspaces()
        self.root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        # Kernels running side by side share the cores: each gets its slice of threads, so
        # TensorFlow's and BLAS's pools do not oversubscribe the machine.
        self.threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
        self.kernel_lib = self.root / "kernel-lib"
        self.python_roots = bubblewrap.copy_kernel_library(
            repo_root, protocol.KERNEL_MODULES + protocol.TEMPLATE_MODULES, self.kernel_lib)
        runner_dir = self.root / "runner"
        runner_dir.mkdir()
        self.runner = runner_dir / RUNNER_FILES[0]
        for name in RUNNER_FILES:
            shutil.copyfile(Path(__file__).with_name(name), runner_dir / name)
            (runner_dir / name).chmod(0o444)
        (self.root / "logs").mkdir()
        (self.root / "reports").mkdir()
        self.font_cache = bubblewrap.build_font_cache(self.root / "matplotlib")
        self.stopping = threading.Event()  # set when the batch is abandoned: start no more
        self._template: zygote.GradingTemplate | None = None
        self._template_lock = threading.Lock()
        self.templates_lost: list[str] = []  # why, each time
        self._templates_started = 0

    def grading_template(self) -> zygote.GradingTemplate | None:
        """The batch's grading template, started at the first call and again after one was
        lost (not after TEMPLATE_ATTEMPTS: None then, and runs go the plain way)."""
        with self._template_lock:
            if self._template is None and len(self.templates_lost) < TEMPLATE_ATTEMPTS:
                environment = self._sandbox_environment(0)
                # One thread after its imports, or it cannot fork: OpenBLAS starts its pool
                # at load otherwise (its kernels keep that one BLAS thread).
                environment["OPENBLAS_NUM_THREADS"] = "1"
                self._templates_started += 1
                folder = self.root / f"template-{self._templates_started}"
                try:
                    folder.mkdir()
                    self._template = zygote.GradingTemplate(self.kernel_lib, self.runner,
                                                            environment, folder,
                                                            self.font_cache)
                except OSError as error:
                    self.templates_lost.append(f"it could not start ({error})")
                    print(f"grading template: {self.templates_lost[-1]}; the plain way for "
                          "this run", file=sys.stderr, flush=True)
            return self._template

    def template_lost(self, template: zygote.GradingTemplate, why: str) -> None:
        """A template that failed a run is stopped; the next run starts another."""
        with self._template_lock:
            if template is not self._template:
                return  # another run reported it first
            self.templates_lost.append(why)
            self._template = None
        print(f"grading template: {why}; the plain way for this run", file=sys.stderr,
              flush=True)
        template.stop(at_once=True)

    def forked_run(self, template: zygote.GradingTemplate, scratch: Path, seed: int,
                   limits: Limits, group: cgroups.SubmissionGroup | None) -> zygote.ForkedRun:
        """The runner on scratch/submission.ipynb, forked by ``template`` into ``group``,
        in folders and with an environment as the plain sandbox's (bubblewrap.wrap)."""
        return template.start_run(scratch / "submission.ipynb", self._sandbox_environment(seed),
                                  bubblewrap.writable_folders(limits.disk_bytes),
                                  self._sandbox_runner_args(limits), group)

    def _sandbox_environment(self, seed: int) -> dict[str, str]:
        return bubblewrap.kernel_environment(
            seed, bubblewrap.sandbox_python_path(self.python_roots), threads=self.threads)

    @staticmethod
    def _sandbox_runner_args(limits: Limits) -> list[str]:
        """The runner's arguments, as paths inside a sandbox (plain or forked)."""
        return [f"{bubblewrap.INPUT_DIR}/submission.ipynb",
                f"{bubblewrap.REPORT_DIR}/{protocol.REPORT_NAME}",
                "--cell-timeout", str(limits.cell_timeout)]

    def scratch(self, index: int) -> Path:
        folder = self.root / "scratch" / str(index)
        folder.mkdir(parents=True)
        return folder

    def log(self, index: int) -> Path:
        return self.root / "logs" / f"{index}.log"

    def report(self, index: int) -> Path:
        """Where the grader keeps submission ``index``'s report: only the grader writes here
        (without a sandbox the kernel could plant a FIFO in its own folder)."""
        return self.root / "reports" / f"{index}.jsonl"

    def command(self, scratch: Path, seed: int, limits: Limits,
                use_sandbox: bool) -> tuple[list[str], Path | None]:
        """(the command that runs the runner on scratch/submission.ipynb, its working folder
        on the host: None in the sandbox, which sets its own)."""
        if use_sandbox:
            return bubblewrap.runner_command(
                scratch, self.kernel_lib, self.runner, self._sandbox_environment(seed),
                self._sandbox_runner_args(limits), limits.disk_bytes, self.font_cache), None
        # Without a sandbox: the same runner and environment, at real paths.
        work = scratch / "work"
        tmp = work / "tmp"
        (tmp / bubblewrap.MATPLOTLIB_FOLDER).mkdir(parents=True)
        if self.font_cache is not None:
            shutil.copy(self.font_cache, tmp / bubblewrap.MATPLOTLIB_FOLDER)
        environment = bubblewrap.kernel_environment(
            seed, ":".join(str(self.kernel_lib / root) for root in self.python_roots),
            report_dir=str(work), tmp=str(tmp), threads=self.threads)
        return ["env", "-i", *(f"{k}={v}" for k, v in environment.items()),
                sys.executable, str(self.runner), str(scratch / "submission.ipynb"),
                str(work / protocol.REPORT_NAME), "--cell-timeout", str(limits.cell_timeout)], work

    def remove(self) -> None:
        with self._template_lock:
            template, self._template = self._template, None
        if template is not None:
            template.stop()
        if self.owns_protection:
            self.protection.remove()
        make_removable(self.kernel_lib)
        shutil.rmtree(self.root, ignore_errors=True)

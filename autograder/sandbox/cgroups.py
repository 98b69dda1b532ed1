"""A control group per submission: memory the kernel holds for it, counted and capped;
and its processes, however many, scheduled as one.

The watchdog sums the resident memory of a submission's processes, but a notebook can make
the kernel hold memory that belongs to no process: Unix socket buffers (thousands of socket
pairs, filled without blocking, about 8 MiB each) and tmpfs inodes (millions of empty files,
about 1 KiB each, shown as 0 bytes used). A memory control group charges both, with page
cache and every process's memory, and the kernel enforces its limit itself: past it, the
group's largest process is killed (and the watchdog, seeing the group's ``oom_kill``
counter move, ends the rest of the tree and says why).

Where the ``cpu`` controller is offered, each submission's group has one share of the CPU,
like any one process of the host: a notebook that starts hundreds of busy processes gets
one share among the grader, the template and the neighbouring submissions, not hundreds
(the grader's watchdog, which stops it, keeps its own share).

Two layouts exist (both run here as whatever user the grader is):

- **cgroup v1**: one hierarchy per controller (``memory``, ``pids``, ``cpu``), writable by root. Our
  groups go below the grader's own group in each, so they nest in whatever limits it has.
  TCP (and UDP) buffers are counted apart, in ``memory.kmem.tcp``, outside the group's
  memory limit: they get a small cap of their own, :data:`TCP_BYTES` (a kernel talks to
  the runner over loopback ZeroMQ, which needs little).
- **cgroup v2**: one hierarchy; a non-root grader needs a delegated subtree (e.g. started
  with ``systemd-run --user --scope -p Delegate=yes``). v2 forbids processes in a group
  whose children have controllers, so the grader moves itself into a leaf first.

A process joins its group before it is bubblewrap: the command is prefixed with a shell
that writes its own pid into the group, then execs. Everything it starts inherits the group.
Where neither layout can be used, :func:`open_batch` says why, and the watchdog falls back
to a floor on the host's available memory (see :mod:`autograder.sandbox.watchdog`).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# Joins the groups named by its first N arguments, then becomes the command after them.
_ENTER = ('n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; '
          'n=$((n - 1)); done; exec "$@"')
ENTER_FAILED = 125  # the exit status when the shell could not join its group
# cgroup v1 counts TCP buffers apart from the memory limit: this much on top, at the most.
# (Past it, sends wait or fail; nothing is killed. cgroup v2 counts them in memory.max.)
TCP_BYTES = 64 * 2**20


class CgroupUnavailable(RuntimeError):
    """No control group can be made here; str() says why, in words for the instructor."""


@dataclass(frozen=True)
class _Mount:
    root: Path  # where the hierarchy is mounted
    version: int  # 1 or 2
    controllers: frozenset[str]


def mounts(mountinfo: str) -> list[_Mount]:
    found = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 10:
            continue
        after = line.split(" - ", 1)[1].split()
        fstype, options = after[0], after[2] if len(after) > 2 else ""
        if fstype == "cgroup":
            found.append(_Mount(Path(fields[4]), 1, frozenset(options.split(","))))
        elif fstype == "cgroup2":
            found.append(_Mount(Path(fields[4]), 2, frozenset()))
    return found


def own_groups(proc_cgroup: str) -> dict[str, str]:
    """{controller or "" (v2): this process's group path} from /proc/self/cgroup."""
    groups = {}
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in (controllers.split(",") if controllers else [""]):
            groups[controller] = path
    return groups


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _counter(path: Path, name: str) -> int:
    """A ``name value`` line of a flat-keyed cgroup file (memory.events, oom_control)."""
    try:
        text = path.read_text()
    except OSError:
        return 0
    match = re.search(rf"^{name} (\d+)$", text, re.M)
    return int(match.group(1)) if match else 0


@dataclass
class SubmissionGroup:
    """The control group(s) of one submission: memory (and tasks and CPU, where offered)."""

    version: int
    memory: Path
    pids: Path | None  # v1 only: the pids hierarchy's group (v2 has one group for all)
    cpu: Path | None = None  # v1 only: the cpu hierarchy's group

    def folders(self) -> list[Path]:
        return [folder for folder in (self.memory, self.pids, self.cpu) if folder is not None]

    def enter(self, command: list[str]) -> list[str]:
        """``command``, prefixed so that it runs inside this group."""
        procs = [str(folder / "cgroup.procs") for folder in self.folders()]
        return ["/bin/sh", "-c", _ENTER, "ttt-enter", str(len(procs)), *procs, *command]

    def adopt(self, pid: int) -> None:
        """Move a process started elsewhere (a run the grading template forked, before it
        runs anything) into this group; its children are born in it."""
        for folder in self.folders():
            _write(folder / "cgroup.procs", str(pid))

    def oom_kills(self) -> int:
        """How many of the group's processes the kernel killed at the memory limit."""
        if self.version == 2:
            return _counter(self.memory / "memory.events", "oom_kill")
        return _counter(self.memory / "memory.oom_control", "oom_kill")

    def peak_bytes(self) -> int:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.memory / name).read_text())
        except (OSError, ValueError):
            return 0

    def remove(self) -> None:
        """Remove the group(s) once every process in them has ended (retried briefly:
        the last ones may still be exiting)."""
        for folder in self.folders():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


class BatchGroups:
    """The parent group of one batch; one child per submission below it."""

    def __init__(self, version: int, memory: Path, pids: Path | None, cpu: Path | None = None):
        self.version, self.memory, self.pids, self.cpu = version, memory, pids, cpu

    def folders(self) -> list[Path]:
        return [folder for folder in (self.memory, self.pids, self.cpu) if folder is not None]

    def controllers(self) -> list[str]:
        """What the submissions' groups are under: v2's from the batch's own subtree."""
        if self.version == 2:
            try:
                enabled = (self.memory / "cgroup.subtree_control").read_text().split()
            except OSError:
                enabled = []
            return [name for name in ("memory", "pids", "cpu") if name in enabled]
        return ["memory"] + [name for name, folder in (("pids", self.pids), ("cpu", self.cpu))
                             if folder is not None]

    def describe(self) -> str:
        named = self.controllers()
        listed = " and ".join(filter(None, [", ".join(named[:-1]), *named[-1:]]))
        return (f"a control group per submission (cgroup v{self.version} {listed}, under "
                f"{self.memory.parent})")

    def submission(self, name: str, memory_bytes: int, max_tasks: int) -> SubmissionGroup:
        """A new group ``name`` for one submission: at most ``memory_bytes`` of memory of
        any kind (no swap) and ``max_tasks`` processes and threads; one CPU share (the
        default weight) where the cpu controller is offered."""
        memory = self.memory / name
        memory.mkdir()
        pids = cpu = None
        if self.version == 2:
            _write(memory / "memory.max", str(memory_bytes))
            _write_if_present(memory / "memory.swap.max", "0")
            _write(memory / "memory.oom.group", "1")  # one OOM kill ends the whole group
            _write(memory / "pids.max", str(max_tasks))
        else:
            _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            # With swap accounting, memory+swap gets the same cap: swap is no way out.
            _write_if_present(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
            # TCP buffers are counted apart from the limit above: their own small cap.
            _write_if_present(memory / "memory.kmem.tcp.limit_in_bytes", str(TCP_BYTES))
            if self.pids is not None:
                pids = self.pids / name
                pids.mkdir()
                _write(pids / "pids.max", str(max_tasks))
            if self.cpu is not None:
                cpu = self.cpu / name
                cpu.mkdir()
        return SubmissionGroup(self.version, memory, pids, cpu)

    def remove(self) -> None:
        for folder in self.folders():
            for child in (folder.iterdir() if folder.is_dir() else ()):
                if child.is_dir():
                    SubmissionGroup(self.version, child, None).remove()
            try:
                folder.rmdir()
            except OSError:
                pass


def _write_if_present(path: Path, value: str) -> None:
    try:
        _write(path, value)
    except OSError:  # an older kernel, or no swap accounting: nothing to cap there
        pass


PREFIX = "ttt-grade-"


def _name() -> str:
    return f"{PREFIX}{os.getpid()}-{secrets.token_hex(3)}"


def owner_is_gone(name: str) -> bool:
    """Was ``ttt-grade-<pid>-...`` made by a grader that no longer runs (killed, say)?"""
    match = re.fullmatch(rf"{PREFIX}(\d+)-.*", name)
    if match is None:
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def remove_stale(parent: Path, version: int) -> None:
    """Remove the groups a killed grader left below ``parent`` (their processes ended with
    it: bubblewrap dies with its parent)."""
    try:
        stale = [child for child in parent.iterdir()
                 if child.is_dir() and owner_is_gone(child.name)]
    except OSError:
        return
    for folder in stale:
        BatchGroups(version, folder, None).remove()


def _open_v2(mount: _Mount, own_path: str) -> BatchGroups:
    base = mount.root / own_path.lstrip("/")
    offered = set((base / "cgroup.controllers").read_text().split())
    if not {"memory", "pids"} <= offered:
        raise CgroupUnavailable(f"cgroup v2 at {base} does not offer the memory and pids "
                                "controllers")
    if not os.access(base / "cgroup.subtree_control", os.W_OK):
        raise CgroupUnavailable(f"cgroup v2 group {base} is not writable by this user (no "
                                "delegated subtree: try systemd-run --user --scope -p "
                                "Delegate=yes)")
    enabled = set((base / "cgroup.subtree_control").read_text().split())
    if not {"memory", "pids"} <= enabled:
        # Processes may not sit in a group whose children have controllers: move this
        # process into a leaf of its own first (the grader only; its children follow it).
        if (base / "cgroup.procs").read_text().split() and base != mount.root:
            leaf = base / "ttt-grader"
            leaf.mkdir(exist_ok=True)
            for pid in (base / "cgroup.procs").read_text().split():
                try:
                    _write(leaf / "cgroup.procs", pid)
                except OSError:
                    pass
        _write(base / "cgroup.subtree_control", "+memory +pids")
    remove_stale(base, 2)
    batch = base / _name()
    batch.mkdir()
    _write(batch / "cgroup.subtree_control", "+memory +pids")
    _cpu_on_where_offered(base, batch, offered)
    return BatchGroups(2, batch, None)


def _cpu_on_where_offered(base: Path, batch: Path, offered: set[str]) -> None:
    """Turn the cpu controller on for the batch's groups (optional: memory and tasks still
    protect the host without it; BatchGroups.controllers says what is on)."""
    if "cpu" not in offered:
        return
    try:
        if "cpu" not in (base / "cgroup.subtree_control").read_text().split():
            _write(base / "cgroup.subtree_control", "+cpu")
        _write(batch / "cgroup.subtree_control", "+cpu")
    except OSError:
        pass


def _open_v1(found: list[_Mount], groups: dict[str, str]) -> BatchGroups:
    def folder(controller: str) -> Path | None:
        mount = next((m for m in found if m.version == 1 and controller in m.controllers),
                     None)
        if mount is None or controller not in groups:
            return None
        return mount.root / groups[controller].lstrip("/")

    memory = folder("memory")
    if memory is None:
        raise CgroupUnavailable("no cgroup v1 memory hierarchy is mounted")
    if not os.access(memory, os.W_OK):
        raise CgroupUnavailable(f"the cgroup v1 memory group {memory} is not writable by "
                                "this user (run the grader as root)")
    name = _name()
    remove_stale(memory, 1)
    (memory / name).mkdir()
    # Optional: memory alone protects the host; the watchdog counts tasks and CPU time too.
    pids, cpu = (_v1_batch_folder(folder(controller), name) for controller in ("pids", "cpu"))
    return BatchGroups(1, memory / name, pids, cpu)


def _v1_batch_folder(hierarchy: Path | None, name: str) -> Path | None:
    """The batch's group in an optional v1 hierarchy, or None where it cannot be made."""
    if hierarchy is None:
        return None
    remove_stale(hierarchy, 1)
    try:
        (hierarchy / name).mkdir()
    except OSError:
        return None
    return hierarchy / name


def open_batch() -> BatchGroups:
    """The parent group for one batch, or CgroupUnavailable with the reason."""
    try:
        found = mounts(Path("/proc/self/mountinfo").read_text())
        groups = own_groups(Path("/proc/self/cgroup").read_text())
    except OSError as error:
        raise CgroupUnavailable(f"cannot read this process's control groups: {error}") from None
    reasons = []
    for mount in found:
        if mount.version == 2 and "" in groups:
            try:
                if {"memory", "pids"} <= set((mount.root / "cgroup.controllers")
                                             .read_text().split()):
                    return _check(_open_v2(mount, groups[""]))
            except (OSError, CgroupUnavailable) as error:
                reasons.append(str(error))
    try:
        return _check(_open_v1(found, groups))
    except (OSError, CgroupUnavailable) as error:
        reasons.append(str(error))
    raise CgroupUnavailable("; ".join(reasons))


def _check(batch: BatchGroups) -> BatchGroups:
    """Prove a process can join a group of this batch (as each submission will); where it
    cannot join the v1 cpu group, the batch goes on without one."""
    problem = _joining_problem(batch)
    if problem and batch.cpu is not None:
        BatchGroups(1, batch.cpu, None).remove()
        batch = BatchGroups(1, batch.memory, batch.pids)
        problem = _joining_problem(batch)
    if problem:
        batch.remove()
        raise CgroupUnavailable(problem)
    return batch


def _joining_problem(batch: BatchGroups) -> str | None:
    """Why a trial process could not join a group of ``batch``, or None."""
    trial = batch.submission("check", 64 * 2**20, 16)
    try:
        joined = subprocess.run(trial.enter(["/bin/true"]), capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot start a process in a control group: {error}"
    finally:
        trial.remove()
    if joined.returncode != 0:
        message = joined.stderr.decode(errors="replace").strip().splitlines()
        return ("cannot move a process into a control group"
                + (f" ({message[-1]})" if message else ""))
    return None

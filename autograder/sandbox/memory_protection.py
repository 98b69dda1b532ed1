"""How a batch protects the host's memory, chosen once per batch and said once.

In order of strength:

1. a control group per submission (autograder.sandbox.cgroups), capped at ``--memory`` plus the
   sizes of the submission's in-memory folders: everything it holds, counted by the kernel;
2. without one (a non-root grader with no delegated cgroup v2 subtree): a floor on the
   host's available memory (autograder.sandbox.held_memory.HostFloor), below which the submission
   holding the most is stopped.

Either way the watchdog also caps summed resident memory, tasks, and the inodes of every
in-memory folder, and the runner lowers the kernel's open-file limit
(autograder.sandbox.confine).
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

from autograder.sandbox import bubblewrap, cgroups
from autograder.sandbox.held_memory import HostFloor

# pids.max sits this far above --tasks: the watchdog sees the tree pass --tasks and stops it
# with a clear status; the kernel's hard cap is the backstop between two polls.
TASK_MARGIN = 64
# Every in-memory folder of the sandbox but the working one (whose size is --disk).
FIXED_FOLDERS = {folder: size for folder, size in bubblewrap.writable_folders().items()
                 if folder != bubblewrap.SCRATCH}


def default_host_floor() -> int:
    """A tenth of the machine's memory, between 512 MiB and 4 GiB."""
    return min(max(psutil.virtual_memory().total // 10, 512 * 2**20), 4 * 2**30)


def folder_bytes(disk_bytes: int, use_sandbox: bool) -> int:
    """What a submission's in-memory folders can hold in all (none without the sandbox:
    its folders are then on disk)."""
    return disk_bytes + sum(FIXED_FOLDERS.values()) if use_sandbox else 0


def inode_caps(max_files: int) -> dict[str, int]:
    """The files and folders each in-memory folder of the sandbox may hold."""
    return {folder: max_files for folder in (bubblewrap.SCRATCH, *FIXED_FOLDERS)}


@dataclass
class MemoryProtection:
    groups: cgroups.BatchGroups | None
    host_floor: HostFloor | None
    why_no_group: str = ""

    def describe(self) -> str:
        if self.groups is not None:
            return f"memory protection: {self.groups.describe()}"
        return (f"memory protection: {self.host_floor.describe()} (no control group: "
                f"{self.why_no_group})")

    def submission_group(self, name: str, memory_bytes: int,
                         max_tasks: int) -> cgroups.SubmissionGroup | None:
        if self.groups is None:
            return None
        return self.groups.submission(name, memory_bytes, max_tasks + TASK_MARGIN)

    def remove(self) -> None:
        if self.groups is not None:
            self.groups.remove()


def choose(use_cgroups: bool = True, host_floor_bytes: int | None = None) -> MemoryProtection:
    """A control group per submission where one can be made, else the host floor."""
    floor = HostFloor(host_floor_bytes or default_host_floor())
    if not use_cgroups:
        return MemoryProtection(None, floor, "switched off")
    try:
        return MemoryProtection(cgroups.open_batch(), None)
    except cgroups.CgroupUnavailable as error:
        return MemoryProtection(None, floor, str(error))

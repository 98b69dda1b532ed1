"""Every limit one submission runs under. The defaults are the grading command's."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.sandbox.bubblewrap import SCRATCH_BYTES

GiB = 2**30


@dataclass(frozen=True)
class Limits:
    # TensorFlow's import alone takes 6-8 s on a quiet CPU; the convergence check runs a few
    # hundred eager steps; a busy machine is slower still.
    cell_timeout: float = 180.0
    wall_seconds: float = 900.0
    memory_bytes: int = 4 * GiB
    disk_bytes: int = SCRATCH_BYTES  # the kernel's writable working folder
    # Threads of the whole tree: a TensorFlow kernel runs a few dozen. The cap stops fork
    # and thread bombs long before the machine's task table (pid_max) fills up.
    max_tasks: int = 512
    # Average CPU, in multiples of the submission's thread slice (cores / jobs), beyond
    # watchdog.CPU_SLACK_SECONDS: busy processes must not starve the neighbouring job.
    cpu_share: float = 1.25
    # Files and folders in each in-memory folder of the sandbox: an empty file costs the
    # kernel about 1 KiB and the folder's size nothing.
    max_files: int = 65536
    # Control groups where the machine offers them (off only for tests and benchmarks of
    # the fallback); without one, the host's available memory is kept above this floor.
    cgroups: bool = True
    host_floor_bytes: int | None = None  # None: memory_protection.default_host_floor()
    # In the sandbox, runs forked by a grading template that imported TensorFlow once
    # (autograder.sandbox.zygote); off: a fresh sandboxed Python per submission.
    zygote: bool = True

"""One prepared notebook, run under every limit: from its command to its checked result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder import protocol
from autograder.sandbox import memory_protection, runner_outcome, watchdog
from autograder.sandbox.limits import Limits
from autograder.sandbox.workspace import Workspace, make_removable


@dataclass
class Ran:
    """What running one notebook left: the watchdog's outcome, the runner's checked summary
    (None when its line was unusable) and the probe's report as the grader saved it."""

    outcome: watchdog.Outcome
    summary: dict | None
    report: Path
    # Each code cell's outputs as the runner sent them, unchecked (see
    # autograder.autograded_copy, which checks them for the formgrader's copy).
    outputs: list = field(default_factory=list)


def run_notebook(workspace: Workspace, scratch: Path, index: int, seed: int, limits: Limits,
                 use_sandbox: bool, abandon: Callable[[], bool] | None = None) -> Ran:
    """Run ``scratch/submission.ipynb`` (submission ``index`` of the batch) with the runner,
    in the sandbox unless ``use_sandbox`` is false, under every limit in ``limits``;
    ``abandon``: see :func:`autograder.sandbox.watchdog.run_limited`."""
    command, cwd = workspace.command(scratch, seed, limits, use_sandbox)
    protection = workspace.protection
    group = protection.submission_group(
        str(index), limits.memory_bytes + memory_protection.folder_bytes(limits.disk_bytes,
                                                                         use_sandbox),
        limits.max_tasks)
    try:
        outcome = watchdog.run_limited(
            command, wall_seconds=limits.wall_seconds, memory_bytes=limits.memory_bytes,
            max_tasks=limits.max_tasks, cpu_cores=limits.cpu_share * workspace.threads,
            output_limit=protocol.RESULT_MAX_BYTES, cwd=cwd, log_path=workspace.log(index),
            group=group,
            inode_caps=memory_protection.inode_caps(limits.max_files) if use_sandbox else None,
            host_floor=protection.host_floor, abandon=abandon)
    finally:
        if group is not None:
            group.remove()
    if not use_sandbox:  # the kernel shared this process's user and files
        watchdog.end_orphans(protocol.SEED_VARIABLE)  # daemons that left the tree
        make_removable(scratch)  # the kernel worked there as the grader's own user
    summary = runner_outcome.parse_runner_output(outcome)
    outcome.output = b""  # parsed: kept no longer than needed, a batch holds every run
    report = summary.pop("report", None) if summary else None
    outputs = summary.pop("outputs", []) if summary else []
    path = workspace.report(index)
    path.write_text(report if isinstance(report, str) else "", encoding="utf-8")
    return Ran(outcome, summary, path, outputs)

"""Start a grading worker on this machine: ``python -m autograder worker ADDRESS [--slots N]``.

A Dask worker (``distributed.Worker``) of the scheduler at ADDRESS, running ``--slots``
submissions at once (default: this machine's cores), each in its own sandbox. It first
checks what a grading machine needs and says so in one line if something is missing:
bubblewrap with unprivileged user namespaces, and the course (its manifest is printed, to
compare with the coordinator's). No nanny: a worker killed outright takes its sandboxes
with it and the scheduler re-runs its tasks elsewhere; restart it with the same command.
"""

from __future__ import annotations

import asyncio
import os
import sys

from autograder.cluster import course_manifest, scheduler_address


class WorkerSetupError(Exception):
    """This machine cannot grade: str() is the one-line reason."""


def check_machine(use_sandbox: bool = True) -> str:
    """The course digest here, after checking the sandbox can run (WorkerSetupError)."""
    from autograder.sandbox import bubblewrap  # noqa: PLC0415

    if use_sandbox:
        try:
            bubblewrap.check_available()
        except bubblewrap.SandboxUnavailable as error:
            raise WorkerSetupError(f"cannot sandbox learners' code here: {error}") from None
    return course_manifest.this_process().digest


async def _serve(address: str, slots: int, name: str | None) -> None:
    from distributed import Worker  # noqa: PLC0415

    async with Worker(address, nthreads=slots, name=name, dashboard=False) as worker:
        print(f"autograder worker {worker.address}: {slots} slot(s), scheduler {address}",
              file=sys.stderr, flush=True)
        await worker.finished()


def main(address: str, slots: int | None, name: str | None, use_sandbox: bool) -> int:
    try:
        scheduler_address.checked(address)
    except scheduler_address.AddressError as error:
        raise WorkerSetupError(str(error)) from None
    digest = check_machine(use_sandbox)
    print(f"autograder worker: course {digest[:12]}; waiting for the scheduler at {address}",
          file=sys.stderr, flush=True)
    try:
        asyncio.run(_serve(address, slots or os.cpu_count() or 1, name))
    except KeyboardInterrupt:  # its running tasks were cancelled: their sandboxes ended
        print("\nautograder worker: stopped", file=sys.stderr)
        return 130
    return 0

"""A Dask worker preload (DASK_DISTRIBUTED__WORKER__PRELOAD) for the cluster attack tests:
the worker kills itself (SIGKILL) when asked for a grading task's result, so the task has
finished and its result is lost before the coordinator has it."""

import os
import signal


def dask_setup(worker):
    fetch = worker.handlers["get_data"]

    async def get_data(comm, keys, **kwargs):
        if any(str(key).startswith("ttt-grade") for key in keys):
            os.kill(os.getpid(), signal.SIGKILL)
        return await fetch(comm, keys, **kwargs)

    worker.handlers["get_data"] = get_data

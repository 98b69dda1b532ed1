"""Grading on other machines: Dask distributed workers (``grade --scheduler ADDRESS``).

:mod:`~autograder.cluster.coordinator` prepares and judges each submission in the ``grade``
process (the one writer of every output); :mod:`~autograder.cluster.worker_task` runs its
notebook on a worker, in the same sandbox under the same limits as local grading;
:mod:`~autograder.cluster.course_manifest` proves a worker grades the same course;
:mod:`~autograder.cluster.worker_command` starts a worker (``python -m autograder worker``);
:mod:`~autograder.cluster.scheduler_address` finds the scheduler without importing Dask on
the local path.
"""

"""Running one learner's notebook where it can do no harm, and saying what happened.

Two sides of one boundary live here. INSIDE the sandbox run :mod:`.runner` (executes the
notebook) and :mod:`.confine` (what the runner does to itself first). OUTSIDE, in the
grader: :mod:`.bubblewrap` (the sandbox's mounts and namespaces), :mod:`.workspace` (the
batch's folders and the command per submission), :mod:`.limits` (every cap a submission
has), :mod:`.watchdog` (enforces them by polling), :mod:`.cgroups`, :mod:`.held_memory` and
:mod:`.memory_protection` (memory no process's resident set shows), :mod:`.execute` (one
notebook, start to finish) and :mod:`.runner_outcome` (the runner's untrusted result line,
read and put in words).
"""

"""Running one learner's notebook where it can do no harm, and saying what happened.

Two sides of one boundary live here. INSIDE the sandbox run :mod:`.runner` (executes the
notebook) and :mod:`.confine` (what the runner does to itself first), and in the grading
template's sandbox :mod:`.grading_template` (imports once, forks a run per submission) and
:mod:`.own_namespaces` (what each forked run does to become a sandbox of its own).
OUTSIDE, in the grader: :mod:`.bubblewrap` (the sandbox's mounts and namespaces),
:mod:`.zygote` (starts the grading template and asks it for runs), :mod:`.workspace` (the
batch's folders and the command per submission), :mod:`.limits` (every cap a submission
has), :mod:`.watchdog` (enforces them by polling), :mod:`.cgroups`, :mod:`.held_memory` and
:mod:`.memory_protection` (memory no process's resident set shows), :mod:`.execute` (one
notebook, start to finish: forked or plain) and :mod:`.runner_outcome` (the runner's
untrusted result line, read and put in words).
"""

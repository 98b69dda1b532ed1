"""The contract between a learner's grading kernel and the grader: every shared name, once.

Both sides import this module: the probe inside the sandbox (it is one of the files copied
there, see :data:`KERNEL_MODULES`), the runner beside it, and the grader outside. It holds
only names and numbers (standard library only), so importing it reveals nothing a learner
could use.
"""

from __future__ import annotations

# --- environment the grader gives every runner and kernel -------------------------------
SEED_VARIABLE = "TTT_GRADING_SEED"  # the grading seed; also marks the processes it starts
REPORT_DIR_VARIABLE = "TTT_REPORT_DIR"  # set: the probe records (sandbox mode); unset: judges

# --- what crosses back ------------------------------------------------------------------
# How a run ended early, as the runner's summary says it ("completed" when it did not).
KERNEL_DIED = "kernel died"
# A cell timed out, was interrupted, and the kernel then ran nothing for a cell timeout more:
# its sockets garbled, or code that ignores interrupts. The cells after it are not run.
KERNEL_UNRESPONSIVE = "kernel stopped responding"
# The exit status of a run the grading template forked whose own sandbox could not be made
# (before any learner code existed): the grader runs that submission the plain way.
SANDBOX_NOT_MADE = 86
REPORT_NAME = "report.jsonl"  # the probe appends one JSON line per graded part here
# A real report is a few kB. The report's folder holds this much, the runner reads at most
# this much, and the grader judges no more.
REPORT_MAX_BYTES = 8 * 2**20
# The executed notebook's outputs, as JSON (kept for nbgrader's formgrader: cells past the
# cap keep their code and lose their outputs). Report, outputs and summary fit the line.
OUTPUTS_MAX_BYTES = 4 * 2**20
# The runner's one result line: the report, the outputs and a summary line per cell.
RESULT_MAX_BYTES = 16 * 2**20
MAX_VALUES = 10_000  # per recorded array: the exercises' arrays are small
MAX_ERROR_CHARS = 300  # of an error message the probe records
RETURNED_NONE = "the function returned None, not an array or tensor"

# --- what a grading kernel may import ---------------------------------------------------
# Repo-relative paths of every file copied into the sandbox (and nothing else of the repo).
KERNEL_MODULES: tuple[str, ...] = (
    "book/ttt/__init__.py",
    "book/ttt/data.py",
    "autograder/__init__.py",
    "autograder/protocol.py",
    "autograder/cases.py",
    "autograder/calling.py",
    "autograder/probe.py",
    "autograder/scenarios.py",
)

# The kernel template's package, copied into the kernel library beside KERNEL_MODULES: the
# grading template (autograder/sandbox/grading_template.py) forks each submission's kernel
# with it. Infrastructure, not grading: it holds nothing a learner could use.
TEMPLATE_MODULES: tuple[str, ...] = (
    "autograder/kernel_template/__init__.py",
    "autograder/kernel_template/fresh_kernel.py",
    "autograder/kernel_template/kernelspec.py",
    "autograder/kernel_template/provisioner.py",
    "autograder/kernel_template/template.py",
    "autograder/kernel_template/wire.py",
)

"""The runner's result line, read as untrusted input, and what happened put in words.

The runner prints one JSON line (see :mod:`autograder.sandbox.runner`); the learner's kernel
shares its sandbox, so every field may be forged. :func:`parse_runner_output` rebuilds it
from checked fields; :func:`describe` says why a run stopped early, which cells timed out,
and which errors may be shown to the learner (never hidden test code's). Why a run stopped
is a status, in the instructor's words (English); the learner's errors are worded in the
language being spoken (:mod:`autograder.messages`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from autograder.messages import english, say
from autograder.plain_text import plain
from autograder.protocol import KERNEL_DIED, KERNEL_UNRESPONSIVE
from autograder.sandbox import watchdog
from autograder.sandbox.limits import GiB, Limits

MAX_CELLS = 500  # cells of a runner's summary looked at; the notebooks have a few dozen
MAX_LISTED = 20  # timeouts and errors named in a status or feedback page


@dataclass
class Execution:
    """How a submission's run went, for its status and feedback."""

    stopped: str | None = None  # why the run ended early, or None when it ran to the end
    timeouts: list[str] = field(default_factory=list)  # one phrase per timed-out cell
    learner_errors: list[str] = field(default_factory=list)  # errors the learner may see
    not_confined: list[str] = field(default_factory=list)  # confinement the runner lacked


def parse_runner_output(outcome: watchdog.Outcome) -> dict | None:
    """The runner's one JSON line: untrusted (the kernel shares the runner's sandbox), so
    only a well-formed, not oversized object with a list of cells counts, and it comes
    back rebuilt from checked fields: ``outcome`` (text or None), ``cells`` (see
    :func:`_runner_cell`), ``not_confined`` (short texts), ``report`` (text or None). Text
    has its terminal control characters escaped (:func:`autograder.plain_text.plain`)."""
    if outcome.output_overflow:
        return None
    try:
        summary = json.loads(outcome.output.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(summary, dict) or not isinstance(summary.get("cells"), list):
        return None
    report, found = summary.get("report"), summary.get("outcome")
    not_confined = summary.get("not_confined")
    return {
        "outcome": None if found is None else _text(found, 300) or "unreadable",
        "cells": [cell for cell in map(_runner_cell, summary["cells"][:MAX_CELLS]) if cell],
        "not_confined": [_text(item, 100) or "unreadable" for item in
                         (not_confined[:MAX_LISTED] if isinstance(not_confined, list) else [])],
        # Judged, not shown: only made writable (JSON may carry lone surrogates, UTF-8 not).
        "report": (report.encode("utf-8", "replace").decode("utf-8")
                   if isinstance(report, str) else None),
        # For the formgrader's copy only: checked there (autograder.autograded_copy).
        "outputs": summary.get("outputs") if isinstance(summary.get("outputs"), list) else [],
    }


def _text(value, limit: int) -> str | None:
    return plain(value[:limit]) if isinstance(value, str) else None


def _count(value) -> int | None:
    """A cell index: a plain, non-negative int of sensible size (never a bool)."""
    return value if type(value) is int and 0 <= value < 10**6 else None


def _runner_cell(raw) -> dict | None:
    """One cell of the runner's summary with each field of its own type, or None for
    anything but an object; a field of the wrong type reads as absent."""
    if not isinstance(raw, dict):
        return None
    status = raw.get("status")
    return {"index": _count(raw.get("index")), "grade_id": _text(raw.get("grade_id"), 100),
            "status": status if status in ("ok", "error", "timeout", "died") else None,
            "ename": _text(raw.get("ename"), 100) or "",
            "evalue": _text(raw.get("evalue"), 500) or "",
            "raised_in": _count(raw.get("raised_in"))}


def raised_by_the_learner(cell: dict, cells: list, answer_ids: set[str]) -> bool:
    """May a test cell's error be shown? Test cells hold hidden code, whose messages are not
    for learners; but an error raised inside the learner's own code (the innermost frame
    of its traceback is an answer cell), or a NameError (a function the learner deleted or
    renamed), says only what the learner wrote, and is the clue they need."""
    if cell.get("ename") == "NameError":
        return True
    raised_in = cell.get("raised_in")
    source = next((c for c in cells if isinstance(c, dict) and c.get("index") == raised_in
                   and not isinstance(raised_in, bool)), None)
    # Cells without a grade_id are plain code anyone can read, the learner's own included.
    return source is not None and (source.get("grade_id") is None
                                   or source.get("grade_id") in answer_ids)


def limit_status(outcome: watchdog.Outcome, limits: Limits) -> str:
    """Why the watchdog stopped a run, in the instructor's words."""
    memory = f"{limits.memory_bytes / GiB:g} GiB"
    key = {"memory": "memory_held" if outcome.detail == watchdog.HELD else "memory",
           "time": "wall", "tasks": "tasks", "cpu": "cpu", "files": "files",
           "host memory": "host_memory"}[outcome.limit]
    return english(f"status.{key}", memory=memory, seconds=f"{limits.wall_seconds:g}",
                   tasks=limits.max_tasks, files=limits.max_files, folder=outcome.detail)


def describe(outcome: watchdog.Outcome, summary: dict | None, limits: Limits,
             answer_ids: set[str], cell_name=None) -> Execution:
    """What a run did, from the watchdog's outcome and the parsed summary (or None).

    ``cell_name(index)`` names a cell for the learner (:mod:`autograder.cell_names`); the
    instructor's status keeps the runner's index and grade id."""
    if outcome.limit:
        return Execution(limit_status(outcome, limits))
    if outcome.returncode != 0 or summary is None:
        return Execution(english("status.killed"))
    stopped = None
    if summary.get("outcome") == KERNEL_DIED:
        stopped = english("status.kernel_died")
    elif summary.get("outcome") == KERNEL_UNRESPONSIVE:
        stopped = english("status.kernel_unresponsive", seconds=f"{limits.cell_timeout:g}")
    elif summary.get("outcome") not in ("completed", None):
        stopped = english("status.kernel_start")
    timeouts, errors = [], []
    cells = summary["cells"][:MAX_CELLS]  # untrusted, maybe forged: never a flood of words
    for cell in cells:
        if cell.get("status") not in ("error", "timeout"):
            continue
        grade_id = cell.get("grade_id")
        seconds = f"{limits.cell_timeout:g}"
        if cell["status"] == "timeout":
            timeouts.append(english("status.timeout_graded" if grade_id else "status.timeout",
                                    cell=cell.get("index"), grade_id=grade_id,
                                    seconds=seconds))
            problem = say("learner_error.timeout", seconds=seconds)
        else:
            problem = f"{cell.get('ename', '')}: {cell.get('evalue', '')}"
        if cell_name:  # the learner's words: "Code cell 4 (`x = 1`)"
            name = cell_name(cell.get("index"))
            shown, in_a_test = name[:1].upper() + name[1:], "learner_error.in_test"
        else:
            shown = say("cell.index_graded" if grade_id else "cell.index",
                        index=cell.get("index"), grade_id=grade_id)
            in_a_test = "learner_error.in_a_test"
        if grade_id is None or grade_id in answer_ids:
            errors.append(say("learner_error.in_cell", cell=shown, problem=problem)[:600])
        elif raised_by_the_learner(cell, cells, answer_ids):
            errors.append(say(in_a_test, cell=shown, problem=problem)[:600])
    return Execution(stopped, timeouts[:MAX_LISTED], errors[:MAX_LISTED],
                     summary.get("not_confined") or [])

"""A kernel that stops answering ends its submission about one cell timeout later.

Two hostile learners (files/hostile/garbles_kernel.py, ignores_interrupts.py), graded in the
sandbox with a short cell timeout, on both ways a run starts: before, the first held its grading slot until the wall
limit (every request to a kernel whose connection broke waits for ever), the second made
every later cell wait out its own timeout.
"""

from __future__ import annotations

import time

import pytest

import grading_corpus
from small_classes import grade_command, read_rows

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

CELL_TIMEOUT = 5
WALL = 300  # far more than a timeout and the answer's wait: a run that reaches it failed
LEARNERS = ["garbles_kernel", "ignores_interrupts"]


# Forked by the grading template (the default), and a fresh sandboxed Python each.
@pytest.mark.parametrize("way", [[], ["--no-zygote"]], ids=["template", "plain"])
def test_a_kernel_that_stops_answering_ends_its_run_with_a_status_saying_so(tmp_path, way):
    grading_corpus.build_class(tmp_path / "submissions", LEARNERS)
    started = time.monotonic()
    done = grade_command("linear_fit", tmp_path / "submissions", tmp_path / "out",
                         f"sqlite:///{tmp_path / 'gradebook.db'}",
                         "--timeout", str(CELL_TIMEOUT), "--wall", str(WALL), *way)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    rows = {row["learner_id"]: row for row in read_rows(tmp_path / "out" / "grades.csv")}
    for learner in LEARNERS:
        assert float(rows[learner]["score"]) == 0.0, rows[learner]
        assert (f"stopped: the kernel stopped responding (it ran nothing in the {CELL_TIMEOUT} s "
                "after a timed-out cell was interrupted)") in rows[learner]["status"], rows[learner]
    assert took < WALL / 2  # not a speed test: only that no run waited for the wall limit
    assert "grading template:" not in done.stderr  # no run went the plain way instead

"""grades.csv: one row per learner and assignment, the totals first, then one column per graded
cell (blank where the row's assignment has no such cell), then the grading seed, then
lateness: the raw score, the late penalty taken from it (``score`` is what is left) and
the submission time (UTC; blank when unknown).

Texts (learner ids, statuses) have their terminal control characters escaped
(:mod:`autograder.plain_text`): the file is read with cat and grep too.
"""

from __future__ import annotations

import csv
from datetime import timezone
from pathlib import Path

from autograder.results import Result, rounded
from autograder.plain_text import learner_key, plain

COLUMNS = ("learner_id", "assignment", "score", "max_score", "status")
LATENESS_COLUMNS = ("raw_score", "late_penalty", "submitted_at")


def _number(value: float) -> str:
    return f"{rounded(value):g}"


def header(grade_ids: list[str]) -> list[str]:
    """grades.csv's columns for an assignment (or class) with these graded cells."""
    return [*COLUMNS, *map(plain, grade_ids), "seed", *LATENESS_COLUMNS]


def row(result: Result, grade_ids: list[str]) -> dict[str, str]:
    """One result's row, each cell as the file holds it (and csv reads it back)."""
    by_id = {part.grade_id: part.score for part in result.parts}
    cells = [learner_key(result.learner_id), plain(result.assignment),
             _number(result.score), _number(result.max_score), plain(result.status),
             *(_number(by_id[g]) if g in by_id else "" for g in grade_ids),
             "" if result.seed is None else str(result.seed), *_lateness(result)]
    return dict(zip(header(grade_ids), cells))


def write_grades_csv(path: Path, results: list[Result], grade_ids: list[str]) -> None:
    """Write the class's grades; per-part columns are named after their grade_id."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, header(grade_ids))
        writer.writeheader()
        writer.writerows(row(result, grade_ids) for result in results)


def _lateness(result: Result) -> list[str]:
    raw = result.score if result.raw_score is None else result.raw_score
    when = result.submitted_at.astimezone(timezone.utc).isoformat(timespec="seconds") \
        if result.submitted_at else ""
    return [_number(raw), _number(result.late_penalty), when]

"""grades.csv: one row per learner, the totals first, then one column per graded cell.

Texts (learner ids, statuses) have their terminal control characters escaped
(:mod:`autograder.plain_text`): the file is read with cat and grep too.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.results import Result, rounded
from autograder.plain_text import learner_key, plain

COLUMNS = ("learner_id", "assignment", "score", "max_score", "status")


def _number(value: float) -> str:
    return f"{rounded(value):g}"


def write_grades_csv(path: Path, results: list[Result], grade_ids: list[str]) -> None:
    """Write the class's grades; per-part columns are named after their grade_id."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*COLUMNS, *map(plain, grade_ids)])
        for result in results:
            by_id = {part.grade_id: part.score for part in result.parts}
            writer.writerow([learner_key(result.learner_id), plain(result.assignment),
                             _number(result.score), _number(result.max_score),
                             plain(result.status),
                             *(_number(by_id.get(g, 0.0)) for g in grade_ids)])

"""Every row grades.csv holds: each learner's latest grade of each assignment graded into --out.

Grading a subset (``--only``) or another assignment into an existing --out never drops rows
already there, and leaves the rows of learners not graded in this run as they were:

- the learners graded (or resumed) in this run get new rows;
- every other (assignment, learner) row of the previous grades.csv is kept as it was, cell
  for cell (whatever produced it: late penalties of another run's --due included);
- a pair in no previous grades.csv (deleted, or a crash before it was written) gets its
  latest journaled result, from every journal in ``OUT/.journal/``.

A learner whose folder has since left the submissions keeps the row of their last grading.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Callable

from autograder import assignments, grades_csv, if_changed, journal
from autograder.plain_text import learner_key, plain
from autograder.results import Result

KEY = ("assignment", "learner_id")  # the columns that name a row


def every_result(out_dir: Path, this_run: list[Result], current: journal.Journal,
                 finish: Callable[[list[Result]], list[Result]] = list) -> list[Result]:
    """This run's results, and each other learner's latest journaled one, of every assignment
    graded into ``out_dir``; sorted by assignment, then learner. ``current`` is this run's
    journal (it has warned about its unreadable lines already); ``finish`` does to the
    journaled results of its assignment what this run did to its own (late penalties)."""
    latest: dict[tuple[str, str], Result] = {}
    for path in sorted((out_dir / journal.JOURNAL_DIR).glob("*.jsonl")):
        name = path.stem
        record = current if name == current.assignment else journal.Journal(path, name, {})
        for learner, entries in record.read().items():
            latest[name, learner] = entries[-1].result
    mine = {learner for name, learner in latest if name == current.assignment}
    for result in finish([latest[current.assignment, learner] for learner in sorted(mine)]):
        latest[current.assignment, result.learner_id] = result
    for result in this_run:
        latest[result.assignment, result.learner_id] = result
    return sorted(latest.values(), key=lambda result: (result.assignment, result.learner_id))


def grade_ids(results: list[Result], current: str) -> list[str]:
    """The per-part columns: each assignment's graded cells in notebook order, the
    assignments by name (the current one's columns even before anyone is graded)."""
    ids: dict[str, None] = {}
    for name in sorted({current, *(result.assignment for result in results)}):
        if name in assignments.ASSIGNMENTS:
            ids.update(dict.fromkeys(assignments.grade_cells(name)))
        else:  # an assignment since removed from the course: as its results name them
            ids.update(dict.fromkeys(part.grade_id for result in results
                                     if result.assignment == name for part in result.parts))
    return list(ids)


def _previous(path: Path) -> tuple[list[str], dict[tuple[str, str], dict]]:
    """The header and rows of the grades.csv there, by (assignment, learner_id) as written;
    none if there is none or it is not a grades.csv (said on stderr)."""
    try:
        with open(path, newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            header = list(reader.fieldnames or [])
            if not set(KEY) <= set(header):
                raise ValueError(f"no {' and '.join(KEY)} columns")
            return header, {tuple(row[c] or "" for c in KEY): row for row in reader}
    except FileNotFoundError:
        return [], {}
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        print(f"autograder: warning: {path} is rewritten without its old rows: it could not "
              f"be read as a grades.csv ({error})", file=sys.stderr)
        return [], {}


def write(path: Path, this_run: list[Result], every: list[Result], grade_ids: list[str]) -> None:
    """Write grades.csv: ``every`` (:func:`every_result`) as rows, except that a pair not
    graded in ``this_run`` keeps its row of the previous grades.csv, if it had one. A file
    that would not change is left as it is."""
    old_header, old_rows = _previous(path)
    header = grades_csv.header(grade_ids)
    rows = {tuple(row[c] for c in KEY): row
            for row in (grades_csv.row(result, grade_ids) for result in every)}
    graded = {(plain(r.assignment), learner_key(r.learner_id)) for r in this_run}
    rows |= {key: row for key, row in old_rows.items() if key not in graded}
    table = io.StringIO()  # as a file opened with newline="": the rows end in \r\n
    writer = csv.DictWriter(table, [*header, *(c for c in old_header if c not in header)],
                            restval="", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows[key] for key in sorted(rows))
    if_changed.write_text(path, table.getvalue())

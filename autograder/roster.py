"""The class roster: which learner (the submission folder's name, the gradebook's student id)
is which person in the LMS.

A roster is a CSV file with a header row. ``learner_id`` is required; the other columns are
optional, in any order:

    learner_id,name,lms_id,sis_id,login,email,section
    ada,"Lovelace, Ada",1001,S-17,ada.l,ada@example.org,Group A

``lms_id`` is the LMS's own user id (Canvas's "ID"), ``sis_id`` the student information
system's id (Canvas's "SIS User ID", Moodle's "ID number"), ``login`` the login name
(Canvas's "SIS Login ID", Moodle's "Username"). Anything wrong with the file is a
:class:`RosterError` whose message names the file and line and what was expected: an
unknown or missing column, an empty or duplicate learner id, an LMS identifier given to two
learners.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.plain_text import learner_key

COLUMNS = ("learner_id", "name", "lms_id", "sis_id", "login", "email", "section")
# Columns that name one person in the LMS: two learners sharing one would get one grade.
UNIQUE = ("lms_id", "sis_id", "login", "email")


class RosterError(ValueError):
    """A roster that cannot be used; str() is the one-line message."""


@dataclass(frozen=True)
class Learner:
    learner_id: str  # as the gradebook writes it (autograder.plain_text.learner_key)
    name: str = ""
    lms_id: str = ""
    sis_id: str = ""
    login: str = ""
    email: str = ""
    section: str = ""
    line: int = 0  # where the roster names this learner (0: not from a roster)


def read_roster(path: Path) -> list[Learner]:
    """The roster's learners, in the file's order."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:  # Excel writes a BOM
            rows = list(csv.reader(file))
    except OSError as error:
        raise RosterError(f"{path}: cannot read the roster: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"{path}: not a UTF-8 CSV file ({error})") from None
    if not rows:
        raise RosterError(f"{path} line 1: expected a header row with {', '.join(COLUMNS)}; "
                          "the file is empty")
    header = [name.strip() for name in rows[0]]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "learner_id" not in header or len(set(header)) < len(header):
        found = f"unknown column {unknown[0]!r}" if unknown else (
            "no learner_id column" if "learner_id" not in header else "a column twice")
        raise RosterError(f"{path} line 1: expected the columns learner_id and any of "
                          f"{', '.join(COLUMNS[1:])}; found {found}")
    learners, seen = [], {column: {} for column in ("learner_id", *UNIQUE)}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(row) != len(header):
            raise RosterError(f"{path} line {line}: expected {len(header)} fields "
                              f"({', '.join(header)}), found {len(row)}")
        values = {name: cell.strip() for name, cell in zip(header, row)}
        if not values["learner_id"]:
            raise RosterError(f"{path} line {line}: expected a learner_id, found none")
        values["learner_id"] = learner_key(values["learner_id"])
        for column, lines in seen.items():
            value = values.get(column, "")
            if not value:
                continue
            if value in lines:
                raise RosterError(f"{path} line {line}: duplicate {column} {value!r} "
                                  f"(already on line {lines[value]}): expected one row "
                                  "per learner")
            lines[value] = line
        learners.append(Learner(**values, line=line))
    return learners

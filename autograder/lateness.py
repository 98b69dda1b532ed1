"""Due dates, extensions and late penalties, with nbgrader's semantics.

nbgrader's ``LateSubmissionPlugin``: the penalty is ``none`` (0), ``zero`` (the whole
score) or a plugin's own rule; nbgrader then caps it at the notebook's score and at 0 from
below (``AssignLatePenalties``). ``subtract:P`` here is the per-hour rule of nbgrader's
plugin documentation, charged per *started* hour (a minute late costs P points, an hour and
a minute 2P), capped at the score. Lateness is measured against the learner's due date: an
extension (``--extensions FILE.csv``, columns ``learner_id,due``) replaces ``--due`` for
that learner, as nbgrader's per-submission extension does.

Applied when the outputs are written, from the journaled raw result: changing ``--due`` or
the policy needs no regrading. Times without a zone are UTC, as nbgrader reads them.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.messages import STATUS_SEPARATOR, english
from autograder.results import Result, rounded

DUE_EXAMPLE = "2026-12-01T17:00 or 2026-12-01T17:00+01:00"
EXTENSION_COLUMNS = ("learner_id", "due")
# Where a submission time came from (autograder.intake finds it); the status names the second.
FROM_TIMESTAMP = "timestamp.txt"
FROM_MTIME = "the file's modification time"


class LatenessError(Exception):
    """A date, policy or extensions file that cannot be used; str() is the one-line message."""


def parse_time(text: str) -> datetime:
    """ISO 8601 (``2026-12-01T17:00``, ``...+01:00``, ``...Z``) or nbgrader's timestamp
    (``2026-12-01 16:59:03.123456 UTC``, a zone name or ``+0100`` last); timezone-aware,
    UTC when no zone is given. Strict: LatenessError for anything else."""
    text = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        raise LatenessError(f"not a date: {text[:40]!r}")
    try:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = _nbgrader_time(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # e.g. 9999-12-31 23:59:59 -2359: past year 9999
        raise LatenessError(f"not a date: {text[:40]!r}") from None


def _nbgrader_time(text: str) -> datetime:
    """What nbgrader writes: a naive time, a space, then its zone (``%Z``): UTC, a numeric
    offset or an IANA zone name, never a path (a zone library would open it as a zone
    file)."""
    from zoneinfo import ZoneInfo, available_timezones

    head, _, zone = text.rpartition(" ")
    try:
        moment = datetime.fromisoformat(head)
    except ValueError:
        raise LatenessError(f"not a date: {text[:40]!r}") from None
    if re.fullmatch(r"[+-]\d{4}", zone) and int(zone[3:]) < 60:
        sign = 1 if zone[0] == "+" else -1
        info = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:])))
    elif zone.upper() in ("UTC", "GMT", "Z"):
        info = timezone.utc
    elif zone in available_timezones():
        info = ZoneInfo(zone)
    else:
        info = None
    if info is None or moment.tzinfo is not None:
        raise LatenessError(f"unknown time zone {zone[:20]!r}")
    return moment.replace(tzinfo=info)


@dataclass(frozen=True)
class Policy:
    kind: str = "none"  # none | zero | subtract
    points_per_hour: float = 0.0

    def __str__(self) -> str:
        return f"subtract:{self.points_per_hour:g}" if self.kind == "subtract" else self.kind


def parse_policy(text: str) -> Policy:
    """``none``, ``zero`` or ``subtract:POINTS_PER_HOUR``."""
    if text in ("none", "zero"):
        return Policy(text)
    match = re.fullmatch(r"subtract:([0-9]*\.?[0-9]+)", text)
    if not match or float(match.group(1)) <= 0:
        raise LatenessError(f"invalid late policy {text!r}: expected none, zero or "
                            "subtract:POINTS_PER_HOUR (e.g. subtract:0.5)")
    return Policy("subtract", float(match.group(1)))


def penalty(policy: Policy, score: float, seconds_late: float) -> float:
    """Points taken off a score for lateness; never more than the score, never below 0."""
    if seconds_late <= 0 or score <= 0 or policy.kind == "none":
        return 0.0
    if policy.kind == "zero":
        return rounded(score)
    started_hours = math.ceil(seconds_late / 3600)
    return rounded(min(score, policy.points_per_hour * started_hours))


@dataclass
class Deadlines:
    due: datetime | None = None
    extensions: dict[str, datetime] = field(default_factory=dict)
    policy: Policy = Policy()

    def due_for(self, learner_id: str) -> datetime | None:
        return self.extensions.get(learner_id, self.due)


def read_extensions(path: Path, learners: set[str]) -> dict[str, datetime]:
    """{learner_id: due} from a CSV with the columns learner_id,due; LatenessError naming
    the file and line for bad columns, dates, unknown or repeated learners."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = list(csv.reader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LatenessError(f"{path}: cannot read it: "
                            f"{getattr(error, 'strerror', None) or error}") from None
    if not rows or [cell.strip() for cell in rows[0]] != list(EXTENSION_COLUMNS):
        found = ",".join(rows[0]) if rows else "an empty file"
        raise LatenessError(f"{path}: line 1: expected the header "
                            f"{','.join(EXTENSION_COLUMNS)}, found {found[:60]!r}")
    extensions: dict[str, datetime] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise LatenessError(f"{path}: line {number}: expected 2 columns "
                                f"(learner_id,due), found {len(row)}")
        learner, due = row[0].strip(), row[1].strip()
        if learner not in learners:
            raise LatenessError(f"{path}: line {number}: unknown learner {learner[:40]!r}: "
                                "expected one of the learners in SUBMISSIONS")
        if learner in extensions:
            raise LatenessError(f"{path}: line {number}: learner {learner[:40]!r} is listed "
                                "twice: expected one due date per learner")
        try:
            extensions[learner] = parse_time(due)
        except LatenessError:
            raise LatenessError(f"{path}: line {number}: expected a due date like "
                                f"{DUE_EXAMPLE}, found {due[:40]!r}") from None
    return extensions


def _duration(seconds: float) -> str:
    """"2 h 5 min": the units that are not zero (a phrase of its own, read back into the
    learner's language with the status)."""
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    units = "_".join(unit for unit, value in (("d", days), ("h", hours), ("min", minutes))
                     if value) or "min"
    return english(f"status.duration.{units}", days=days, hours=hours, minutes=minutes)


def apply(result: Result, submitted_at: datetime | None, time_source: str | None,
          late_flag: bool | None, deadlines: Deadlines) -> Result:
    """The result with its raw score, late penalty and final score, and the status saying
    how late, against which due date, and where the time came from.

    ``late_flag``: an LMS's own verdict (Canvas's LATE), which decides late or on time (the
    LMS applied its own due dates and overrides). Its download holds no submission time, so
    a late one is charged as one started hour."""
    raw = result.score
    due = deadlines.due_for(result.learner_id)
    done = replace(result, raw_score=raw, late_penalty=0.0, submitted_at=submitted_at)
    if late_flag is not None:
        seconds = 1.0 if late_flag else 0.0
        against = english("status.late_lms")
    elif submitted_at is not None and due is not None:
        seconds = (submitted_at - due).total_seconds()
        against = english("status.due_extended" if result.learner_id in deadlines.extensions
                          else "status.due", due=due.strftime('%Y-%m-%d %H:%M'))
    else:
        return done
    phrases = []
    if seconds > 0:
        taken = penalty(deadlines.policy, raw, seconds)
        taking = (english("status.penalty", points=f"{taken:g}", policy=deadlines.policy)
                  if taken else english("status.no_penalty", policy=deadlines.policy))
        phrases.append(english("status.late", against=against, penalty=taking) if late_flag
                       else english("status.late_by", duration=_duration(seconds),
                                    against=against, penalty=taking))
        done = replace(done, score=rounded(raw - taken), late_penalty=taken)
    if late_flag is None and time_source == FROM_MTIME:
        phrases.append(english("status.time_from_mtime"))
    if phrases:
        done = replace(done, status=STATUS_SEPARATOR.join([result.status, *phrases]))
    return done


def parse_due(text: str) -> datetime:
    """``--due``: a date as :func:`parse_time` reads it; LatenessError saying what is
    expected."""
    try:
        return parse_time(text)
    except LatenessError:
        raise LatenessError(f"invalid due date {text[:40]!r}: expected a date like "
                            f"{DUE_EXAMPLE} (UTC unless a zone is given)") from None


def deadlines(due: datetime | None, extensions_file: Path | None, policy: Policy,
              learners: set[str]) -> Deadlines:
    """The batch's deadlines from its options; LatenessError for a bad extensions file."""
    extensions = read_extensions(extensions_file, learners) if extensions_file else {}
    return Deadlines(due, extensions, policy)


def apply_all(results: list[Result], submissions: dict, found_deadlines: Deadlines
              ) -> list[Result]:
    """:func:`apply` to each result, with the time :mod:`autograder.intake` found for its
    learner now (a journaled result may be older than the learner's latest timestamp)."""
    done = []
    for result in results:
        handed_in = submissions.get(result.learner_id)
        if handed_in is None or handed_in.problem:
            done.append(apply(result, None, None, None, found_deadlines))
        else:
            done.append(apply(result, handed_in.submitted_at, handed_in.time_source,
                              handed_in.late_flag, found_deadlines))
    return done

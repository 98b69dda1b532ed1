"""Reading what a learner's kernel wrote: every value is untrusted until checked here.

The probe writes one JSON line per graded part (format: :mod:`autograder.probe`). Only
finite plain numbers count (or the strings "nan"/"inf"/"-inf" for values that blew up). A
value of the wrong type or out of range (a 400-digit integer, a list where a string
belongs) raises :class:`MalformedReport`, and only its own part "could not be read"; the
judges see checked values only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from autograder.plain_text import plain
from autograder.protocol import MAX_ERROR_CHARS, REPORT_MAX_BYTES

NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class MalformedReport(ValueError):
    """The report does not have the shape the probe writes."""


def number(value) -> float:
    """A finite JSON number, or a non-finite one spelled as the probe spells it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedReport(f"expected a number, found {type(value).__name__}")
    if isinstance(value, str):
        if value not in NON_FINITE:
            raise MalformedReport("expected a number, found a string")
        return NON_FINITE[value]
    try:
        result = float(value)
    except OverflowError:  # an integer beyond float range, e.g. 10**400
        raise MalformedReport("a number out of range") from None
    if not math.isfinite(result):
        raise MalformedReport("non-finite number")
    return result


def numbers(value, *, max_length: int, allow_none: bool = False) -> list:
    if not isinstance(value, list) or len(value) > max_length:
        raise MalformedReport("expected a list of at most %d numbers" % max_length)
    return [None if (item is None and allow_none) else number(item) for item in value]


def flags(value, *, max_length: int) -> list[bool]:
    if not isinstance(value, list) or len(value) > max_length:
        raise MalformedReport("expected a list of flags")
    if not all(isinstance(item, bool) for item in value):
        raise MalformedReport("expected true/false flags")
    return value


def text_or_none(value) -> str | None:
    """An error message: at most MAX_ERROR_CHARS characters, control characters escaped."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedReport("expected an error message")
    return plain(value[:MAX_ERROR_CHARS])


def field(mapping, key):
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedReport(f"missing field {key!r}")
    return mapping[key]


def _reject_constant(name):
    raise MalformedReport(f"bare {name} is not valid JSON")


def read_report(report_path: Path) -> tuple[dict[str, list[dict]], int]:
    """``({grade_id: [records]}, number of unreadable lines)``, without judging anything."""
    records: dict[str, list[dict]] = {}
    unreadable = 0
    try:
        with open(report_path, "rb") as handle:
            data = handle.read(REPORT_MAX_BYTES + 1)
    except FileNotFoundError:
        return records, 0
    if len(data) > REPORT_MAX_BYTES:
        return records, 1
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_reject_constant)
        except (ValueError, MalformedReport, RecursionError):
            unreadable += 1
            continue
        if not isinstance(record, dict) or not isinstance(record.get("grade_id"), str):
            unreadable += 1
            continue
        records.setdefault(record["grade_id"], []).append(record)
    return records, unreadable

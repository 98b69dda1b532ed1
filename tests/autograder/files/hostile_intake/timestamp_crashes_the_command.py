"""A timestamp.txt whose date overflows or whose zone is a file path: a traceback."""
# earned (before): `python -m autograder grade` dies with an uncaught OverflowError ("date value
#   out of range") or ValueError ("Invalid TZif file: magic not found", dateutil reading
#   /etc/passwd as a zone file) or DeprecatedTzKeyWarning (a relative zone path), before any
#   learner is graded: one learner stops the class with a traceback, and the zone is a path
#   dateutil opens (any file the grader can read, parsed as TZif).
# should: a one-line IntakeError naming the file (or, see timestamp_stops_the_batch.py,
#   that learner's status), like every other bad timestamp.txt.
# fix: autograder/lateness.py:66 accept only zone names from zoneinfo.available_timezones()
#   (never a path: no "/" leading, no ".."), and :50/:45 catch OverflowError and ValueError
#   into LatenessError; parse_due and read_extensions get the same for free.
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
STAMPS = {"overflow": "9999-12-31 23:59:59 -2359", "zone_path": "2026-12-01 23:00:00 /etc/passwd",
          "zone_relative": "2026-12-01 23:00:00 ../../../../etc/hostname"}


def build(root: Path, kind: str = "overflow") -> None:
    folder = root / "mallory" / "tensors"
    folder.mkdir(parents=True)
    (folder / "tensors.ipynb").write_text(NOTEBOOK)
    (folder / "timestamp.txt").write_text(STAMPS[kind])


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    for kind in STAMPS:
        with tempfile.TemporaryDirectory() as folder:
            build(Path(folder), kind)
            try:
                print(kind, intake.find(Path(folder), "tensors").submissions["mallory"].notes)
            except Exception as error:  # noqa: BLE001 -- what got through
                print(kind, "escapes:", type(error).__name__, error)

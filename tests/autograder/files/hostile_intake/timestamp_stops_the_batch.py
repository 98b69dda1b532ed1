"""One learner's timestamp.txt that is not a time (or a FIFO, or a link) stops everyone."""
# earned (before): IntakeError "…/mallory/tensors/timestamp.txt: line 1: expected a time …": the
#   grade command exits before grading anyone; the 200 other learners wait until the
#   instructor edits Mallory's file. nbgrader's exchange lets the learner write that file
#   (`nbgrader submit` runs as the learner), and a Moodle/flat learner uploads it.
# should: that learner alone: graded with the time unknown (or the mtime) and the status
#   saying why ("timestamp.txt is not a time: …"), listed in skipped-<A>.csv; the batch runs.
# fix: autograder/intake.py:213-217 (_stamp_in) and :136: catch IntakeError per learner
#   folder and keep it as a note on that learner's Submission instead of raising from find().
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    for learner, stamp in (("alice", "2026-12-01 16:59:03.123456 UTC"), ("mallory", "soon")):
        folder = root / learner / "tensors"
        folder.mkdir(parents=True)
        (folder / "tensors.ipynb").write_text(NOTEBOOK)
        (folder / "timestamp.txt").write_text(stamp)


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        try:
            print(intake.find(Path(folder), "tensors").learners)
        except intake.IntakeError as error:
            print("whole batch stopped:", error)

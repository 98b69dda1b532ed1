"""A Moodle learner uploads a timestamp.txt beside their notebook: on time, whenever."""
# earned (before): Mallory's submission is dated 2020-01-01 (time source "timestamp.txt"), so
#   --due/--late-policy charge nothing; the same for a timestamp.txt in a flat-layout
#   learner folder, and her uploaded submission_secret.txt is copied beside her feedback.
# should: only nbgrader's collect layout (submitted/<learner>/<ASSIGNMENT>/timestamp.txt,
#   nbgrader's own file) gives the time; in a Moodle folder or a flat learner folder a
#   timestamp.txt/submission_secret.txt is the learner's upload: skipped as such, and the
#   time is the file's mtime (said in the status) or unknown.
# fix: autograder/intake.py:174 (learner_folder calls _stamp_in for every learner folder,
#   Moodle's too via :271) and :177-178 (NBGRADER_FILES never listed): read timestamp.txt
#   only in _assignment_folder (:197), list the others as skipped "a learner's upload".
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
FOLDER = "Mallory Jones_7_assignsubmission_file"


def build(root: Path) -> None:
    (root / FOLDER).mkdir(parents=True)
    (root / FOLDER / "tensors.ipynb").write_text(NOTEBOOK)
    (root / FOLDER / "timestamp.txt").write_text("2020-01-01 00:00:00.000000 UTC")
    (root / FOLDER / "submission_secret.txt").write_text("chosenbymallory")


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        found = intake.find(Path(folder), "tensors")
        mallory = found.submissions["Mallory Jones"]
        print(mallory.submitted_at, mallory.time_source, found.skipped)

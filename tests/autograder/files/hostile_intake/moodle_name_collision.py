"""A Moodle learner named "Alice Smith_5" takes the id given to the first Alice Smith."""
# earned (before): with two "Alice Smith" (ids 5 and 6) the grader names them "Alice Smith_5"
#   and "Alice Smith_6"; a third learner (id 99) named "Alice Smith_5" is learner
#   "Alice Smith_5" too. Newest wins: her later notebook is graded as Alice's (Alice's is
#   "an older copy of Alice Smith_5's notebook"), and learner 99 has no row at all.
# should: three learners, each with their own notebook; an id never made by joining name
#   and uid where a plain name can look the same.
# fix: autograder/intake.py:264-269 (_lms): key LMS learners by their user id (e.g.
#   "Alice Smith (5)" for everyone, or name_uid for everyone), and refuse (IntakeError)
#   any two entries that still map to one learner from different uids or layouts.
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    import os
    import time

    for folder in ("Alice Smith_5_assignsubmission_file", "Alice Smith_6_assignsubmission_file",
                   "Alice Smith_5_99_assignsubmission_file"):
        (root / folder).mkdir(parents=True)
        (root / folder / "tensors.ipynb").write_text(NOTEBOOK)
    later = time.time() + 60  # Mallory submitted after Alice
    os.utime(root / "Alice Smith_5_99_assignsubmission_file" / "tensors.ipynb", (later, later))


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        found = intake.find(Path(folder), "tensors")
        for learner, handed_in in found.submissions.items():
            print(learner, "->", handed_in.path.relative_to(folder))

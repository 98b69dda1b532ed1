"""A flat-layout learner named "submitted" turns SUBMISSIONS into a course root: theirs alone
is read, and their notebook is graded under any learner's name they choose."""
# earned (before): SUBMISSIONS = alice/ bob/ submitted/ (Mallory's folder, holding
#   alice/tensors/tensors.ipynb): intake reads only submitted/, so "alice" is graded from
#   Mallory's notebook, the real alice/ and bob/ are skipped ("in nbgrader's course folder:
#   only submitted/ is read") and bob gets no row at all.
# should: the course-root reading only when the instructor asks for it or when the folder
#   holds nothing else that is a learner's (here: alice/ and bob/ hold notebooks): refuse
#   the ambiguity with an IntakeError naming both readings.
# fix: autograder/intake.py:336-343 (_is_course_root) and :355-362 (find): treat the folder
#   as a course root only if every other entry is one nbgrader's course folder has
#   (source/, release/, autograded/, feedback/, gradebook.db, nbgrader_config.py ...), else
#   IntakeError; or a --layout nbgrader option.
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
MALLORYS = '{"cells": [], "metadata": {"who": "mallory"}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    for learner in ("alice", "bob"):
        (root / learner).mkdir(parents=True)
        (root / learner / "tensors.ipynb").write_text(NOTEBOOK)
    forged = root / "submitted" / "alice" / "tensors"  # inside Mallory's own folder
    forged.mkdir(parents=True)
    (forged / "tensors.ipynb").write_text(MALLORYS)


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        found = intake.find(Path(folder), "tensors")
        print({learner: str(s.path.relative_to(folder)) for learner, s in
               found.submissions.items()}, [s.path for s in found.skipped])

"""A learner folder the grader cannot list (mode 000, kept by `cp -a`/`rsync -a`) ends the
whole command with a traceback."""
# earned (before): PermissionError from os.scandir in intake._entries, out of intake.find: the
#   grade command stops with a traceback before anyone is graded (root does not see it:
#   run as the instructor's user, or `setpriv --bounding-set=-dac_override,-dac_read_search`).
# should: that learner alone: "unreadable: Permission denied" in their status and the
#   folder listed in skipped-<A>.csv; the batch goes on.
# fix: autograder/intake.py:323-325 (_entries): catch OSError, record a Skipped (or a
#   problem for a learner's own folder, like the symlink case at :250) and return [].
import os
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "tensors.ipynb").write_text(NOTEBOOK)
    locked = root / "mallory" / "tensors"
    locked.mkdir(parents=True)
    (locked / "tensors.ipynb").write_text(NOTEBOOK)
    os.chmod(locked, 0)


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    folder = tempfile.mkdtemp()
    build(Path(folder))
    try:
        print(intake.find(Path(folder), "tensors").learners)
    except OSError as error:
        print("escapes:", type(error).__name__, error)
    finally:
        os.chmod(Path(folder) / "mallory" / "tensors", 0o700)

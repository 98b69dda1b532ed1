"""A folder named submission_secret.txt beside the notebook (the learner's exchange copy)."""
# earned (before): feedback_exchange.read_secret opens the folder (O_RDONLY succeeds on one),
#   os.fdopen raises IsADirectoryError and leaks the descriptor; write_beside stops after
#   writing timestamp.txt, so a submission_secret.txt of an earlier grading stays beside
#   the new page (release_feedback publishes it under the old secret), and the command
#   warns "no feedback page for mallory" although the page was written.
# should: None (no secret), as for a FIFO or a link, and the stale secret removed.
# fix: autograder/feedback_exchange.py:34-37: fstat the descriptor before os.fdopen (close
#   it and return None when not S_ISREG), or add O_DIRECTORY-free check via os.lstat first.
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    folder = root / "mallory" / "tensors"
    (folder / "submission_secret.txt").mkdir(parents=True)
    (folder / "tensors.ipynb").write_text(NOTEBOOK)


if __name__ == "__main__":
    import tempfile

    from autograder import feedback_exchange

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        try:
            print(feedback_exchange.read_secret(Path(folder) / "mallory" / "tensors"))
        except OSError as error:
            print("escapes:", type(error).__name__, error)

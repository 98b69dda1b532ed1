"""A folder (or FIFO) named <ASSIGNMENT>.ipynb beats the learner's real renamed copy."""
# earned (before): bob/tensors.ipynb/ (a folder) is chosen over bob/"tensors (1).ipynb" (his
#   notebook): "exactly named" wins, bob gets 0 with "no submission: tensors.ipynb not
#   found", his real notebook is listed as "an older copy". A FIFO named tensors.ipynb the
#   same. Only the learner's own grade, but the status misleads the instructor.
# should: a candidate only when it is a regular file (or a link, to be refused by name);
#   a folder/FIFO/device named so is skipped with its kind ("a folder named tensors.ipynb").
# fix: autograder/intake.py:181 and :202: test entry.is_file(follow_symlinks=False) or
#   entry.is_symlink() before taking an exactly named entry as a candidate.
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root: Path) -> None:
    (root / "bob" / "tensors.ipynb").mkdir(parents=True)
    (root / "bob" / "tensors (1).ipynb").write_text(NOTEBOOK)


if __name__ == "__main__":
    import tempfile

    from autograder import intake

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        found = intake.find(Path(folder), "tensors")
        print(found.submissions["bob"].path.relative_to(folder), found.skipped)

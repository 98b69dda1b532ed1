"""A learner folder named with terminal escapes reaches the instructor's terminal raw."""
# earned (before): `autograder: error: /…/evil\x1b]0;PWNED\x07/timestamp.txt: line 1: …` is
#   printed with a real ESC and BEL (an OSC sequence: here the window title; OSC 52 writes
#   the clipboard), when that folder's timestamp.txt is not a time.
# should: every message built from a path or a learner id passes through plain_text.plain.
# fix: autograder/cli.py:345 print plain(str(error)) (UsageError carries paths from
#   SUBMISSIONS), or autograder/intake.py:118-139 build `shown` with plain().
from pathlib import Path

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
LEARNER = "evil\x1b]0;PWNED\x07"


def build(root: Path) -> None:
    """A learner folder and a Canvas user that would share one id: still a one-line error
    (the timestamp.txt of the review's tree is now the learner's own note, not an error)."""
    (root / LEARNER).mkdir(parents=True)
    (root / f"{LEARNER}_5").mkdir()
    (root / f"{LEARNER}_5_6_tensors.ipynb").write_text(NOTEBOOK)


if __name__ == "__main__":
    import tempfile

    from autograder import cli

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder) / "subs")
        cli.main(["grade", "tensors", f"{folder}/subs", "--out", f"{folder}/out",
                  "--db", f"sqlite:///{folder}/gb.db", "--no-sandbox"])  # see stderr

"""nbgrader configuration of the course: which folders are which, and how cells run.

nbgrader reads ``nbgrader_config.py`` from the working directory, and this one sets the
course root explicitly, so run nbgrader's own commands from this folder
(``cd autograder && ../.venv/bin/nbgrader export``); in Python,
:func:`autograder.course.config` loads it.

- ``solutions/<name>/<name>.ipynb`` is nbgrader's *source* step and ``exercises/`` its
  *release* step, so ``nbgrader generate_assignment`` writes the learners' copies next to
  the book.
- Submissions, autograded copies and feedback go under ``_build/grading/`` (never inside
  ``solutions/`` or ``exercises/``); the gradebook goes to ``gradebook/gradebook.db``, out of
  ``_build/``, which ``make clean`` empties (see autograder/gradebook_home.py).
- Output on stderr never costs points: nbgrader scores a test cell 0 for *any* stderr
  output (TensorFlow's logs, a learner's warning), unless ``IgnorePattern`` drops it first.
  Errors are ``error`` outputs, not stderr, so they still count.
- Cells get a timeout sized for CPU TensorFlow: importing it alone takes 6-8 s here, and
  the convergence check runs a few hundred eager steps.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- injected by traitlets when it executes this file

REPO_ROOT = Path(__file__).resolve().parent.parent
GRADING_ROOT = "_build/grading"

c.CourseDirectory.root = str(REPO_ROOT)
c.CourseDirectory.course_id = "tensors-tapes-training"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = f"{GRADING_ROOT}/submitted"
c.CourseDirectory.autograded_directory = f"{GRADING_ROOT}/autograded"
c.CourseDirectory.feedback_directory = f"{GRADING_ROOT}/feedback"
c.CourseDirectory.solution_directory = f"{GRADING_ROOT}/source_solutions"
c.CourseDirectory.source_with_tests_directory = f"{GRADING_ROOT}/source_with_tests"
# The exercises' translations (solutions/<name>/<language>.yml) make the release's language
# variants (autograder/exercise_translations.py): not files to hand out beside a notebook.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "zh-CN.yml"]
GRADEBOOK = REPO_ROOT / "gradebook" / "gradebook.db"  # git-ignored
c.CourseDirectory.db_url = f"sqlite:///{GRADEBOOK}"

# Any non-empty stderr text matches, so every stderr stream output is dropped before scoring.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?s)."

c.Execute.timeout = 180
c.Execute.startup_timeout = 120

# Kernels inherit this process's environment: keep TensorFlow's C++ logs quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# For nbgrader's own commands (not when the autograder package reads this file): nbgrader
# creates a new gradebook by running `alembic` from PATH, so find the venv's copy even when
# the venv is not activated; and SQLite cannot create the gradebook's folder itself.
if Path(sys.argv[0]).name.startswith("nbgrader"):
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent),
                                          os.environ.get("PATH", "")])
    (REPO_ROOT / GRADING_ROOT).mkdir(parents=True, exist_ok=True)
    GRADEBOOK.parent.mkdir(parents=True, exist_ok=True)
    from autograder.gradebook_home import rescue  # a gradebook at the old default: moved

    rescue(c.CourseDirectory.db_url)

# nbgrader's own `generate_feedback` on the grader's autograded copies (which hold the hidden
# tests): hidden test regions and their cells' outputs cleared. The grading command's own
# pages (OUT/feedback) are the ones to release; see README.md. Set only where nbconvert is
# loaded already (every nbgrader converter imports it before reading this file): importing
# it here would cost every reader of this file, the grading command included, 4-5 s.
if "nbconvert" in sys.modules:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from autograder.nbgrader_feedback import ClearHiddenTestsAndOutputs

    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTestsAndOutputs,
                                        CSSHTMLHeaderPreprocessor]

# Where the learners read the book: the feedback page links each named bug to the section
# that teaches it, under this address (the book's HTML, as `make book` builds it).
c.Feedback.book_url = "https://tensors-tapes-training.github.io/book/"

# `nbgrader export` writes its scores to two decimals, as grades.csv and the feedback do.
c.ExportApp.plugin_class = "autograder.nbgrader_export.RoundedCsvExportPlugin"

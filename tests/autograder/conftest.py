"""The autograder's tests: their shared helpers (grading_corpus, notebooks, host_memory,
reports) live in this folder and are imported by the tests in its sub-folders too."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

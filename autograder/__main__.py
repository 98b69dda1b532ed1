"""`python -m autograder ...`: see autograder.cli."""

import gc
import sys

# nbformat imports jsonschema, whose optional checker of IRI formats (rfc3987_syntax)
# compiles a grammar when imported: over a second at every start. Notebooks use no such
# format (see autograder/sandbox/runner.py, which does the same in every sandbox).
sys.modules.setdefault("rfc3987_syntax", None)

from autograder.cli import main  # noqa: E402

status = main()
# Ending the process collects the whole heap (nbgrader's import alone fills it: 0.2 s here)
# to free memory the system takes back anyway; every file is closed by now.
gc.freeze()
sys.exit(status)

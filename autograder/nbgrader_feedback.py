"""nbgrader's ``generate_feedback`` without the hidden tests, should an instructor run it.

The grading command writes each learner's feedback page itself (:mod:`autograder.feedback`,
from the verdict alone) and the executed copy for the formgrader
(:mod:`autograder.autograded_copy`), which holds the hidden tests and their outputs.
nbgrader's own ``generate_feedback`` turns that copy into a page for the learner and would
show them all; nbgrader_config.py puts this preprocessor in its list.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests


class ClearHiddenTestsAndOutputs(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, and the outputs of each cell it took a region from: a
    failing hidden test's traceback quotes the hidden lines."""

    def preprocess_cell(self, cell, resources, cell_index):
        before = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.source != before and cell.cell_type == "code":
            cell.outputs = []
        return cell, resources

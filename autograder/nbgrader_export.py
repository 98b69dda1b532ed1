"""nbgrader's CSV export with the scores as every other output shows them: two decimals.

nbgrader adds the cells' scores in floating point and writes the sum as Python prints it,
so parts of 0.1 and 0.2 points export as 0.30000000000000004. This plugin is nbgrader's own
CSV export, then its score columns rounded (:func:`autograder.results.rounded`).
nbgrader_config.py makes it the plugin of ``nbgrader export``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.plugins.export import CsvExportPlugin

from autograder.results import rounded

SCORE_COLUMNS = ("raw_score", "late_submission_penalty", "score", "max_score")


class RoundedCsvExportPlugin(CsvExportPlugin):
    """nbgrader's CSV export, its scores to two decimals."""

    def export(self, gradebook) -> None:
        super().export(gradebook)
        path = Path(self.to or "grades.csv")
        with open(path, newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))
        if not rows:
            return
        columns = [rows[0].index(name) for name in SCORE_COLUMNS if name in rows[0]]
        for row in rows[1:]:
            for column in columns:
                if column < len(row) and row[column]:
                    row[column] = f"{rounded(float(row[column])):g}"
        with open(path, "w", newline="", encoding="utf-8") as file:
            csv.writer(file, lineterminator="\n").writerows(rows)

"""Notebooks for the kernel template's tests: built from code cells, read back as printed text."""

from __future__ import annotations

import nbformat


def notebook(*sources: str) -> nbformat.NotebookNode:
    """A python3 notebook of these code cells."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def printed(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell's printed text, once the notebook has run."""
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            for cell in nb.cells]

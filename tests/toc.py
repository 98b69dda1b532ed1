"""The book's pages as _toc.yml names them: shared by the book's and the distribution's tests
(tests/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def toc_docnames() -> list[str]:
    """Every `root`/`file` entry of _toc.yml, in order (paths without suffix)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def collect(entry):
        if isinstance(entry, dict):
            names.extend(str(entry[key]) for key in ("root", "file") if key in entry)
            for value in entry.values():
                collect(value)
        elif isinstance(entry, list):
            for item in entry:
                collect(item)

    collect(toc)
    return names

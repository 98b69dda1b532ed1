"""An English page and its Chinese translation, compared cell by cell.

A translation changes the prose and nothing a reader runs or the build reads: the front
matter (jupytext's header, the kernel), the cells' order, kinds and metadata (tags put
cells into tabs, fold them, mark what the tests run) and every code cell's source, byte
for byte, stay the English page's. Only markdown cells' text differs. `differences` lists
every departure, naming the cell as Jupyter numbers it (from 1) and, for code cells, which
code cell it is, so that a failing check says where to look.

Used by tests/book/test_translated_pages.py (which fails on any difference) and by
`python tools/translations.py status`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jupytext

FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class Cell:
    kind: str  # "code", "markdown" or "raw"
    source: str
    metadata: dict


@dataclass(frozen=True)
class Difference:
    """One way a translated page departs from its English page."""

    where: str  # "front matter", "cell 7 (code cell 3)", "the page"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def front_matter(text: str) -> str:
    """The page's YAML header, between its first two `---` lines ("" if none)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return ""
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return "\n".join(lines[1:end])
    return ""


def read_cells(text: str) -> list[Cell]:
    notebook = jupytext.reads(text, fmt="md:myst")
    return [Cell(cell.cell_type, cell.source, dict(cell.metadata)) for cell in notebook.cells]


def _name(index: int, cells: list[Cell]) -> str:
    cell = cells[index]
    if cell.kind != "code":
        return f"cell {index + 1} ({cell.kind})"
    number = sum(c.kind == "code" for c in cells[:index + 1])
    return f"cell {index + 1} (code cell {number})"


def _first_changed_line(english: str, chinese: str) -> str:
    ours, theirs = english.splitlines(), chinese.splitlines()
    for number, (line, translated) in enumerate(zip(ours, theirs), start=1):
        if line != translated:
            return f"line {number}: {translated[:80]!r} instead of {line[:80]!r}"
    if len(ours) != len(theirs):
        return f"{len(theirs)} lines instead of {len(ours)}"
    return "they differ in whitespace at the end"


def differences(english_text: str, chinese_text: str) -> list[Difference]:
    """Every way the Chinese page departs from the English one (empty: none)."""
    found = []
    if front_matter(english_text) != front_matter(chinese_text):
        found.append(Difference("front matter", "differs from the English page's; copy it "
                                "byte for byte"))
    english, chinese = read_cells(english_text), read_cells(chinese_text)
    for index, (ours, theirs) in enumerate(zip(english, chinese)):
        where = _name(index, english)
        if ours.kind != theirs.kind:
            found.append(Difference(where, f"is {theirs.kind} in the Chinese page, so the "
                                    "cells no longer line up (a cell added, dropped or moved); "
                                    "nothing after it is compared"))
            return found
        if ours.metadata != theirs.metadata:
            found.append(Difference(where, f"metadata {json.dumps(theirs.metadata)} instead "
                                    f"of {json.dumps(ours.metadata)}"))
        if ours.kind == "code" and ours.source != theirs.source:
            found.append(Difference(where, "its code differs from the English page's "
                                    f"({_first_changed_line(ours.source, theirs.source)})"))
    if len(english) != len(chinese):
        extra = _name(min(len(english), len(chinese)), english if len(english) > len(chinese)
                      else chinese)
        found.append(Difference("the page", f"{len(english)} cells in English, "
                                f"{len(chinese)} in Chinese (from {extra} on)"))
    return found


def compare_files(english: Path, chinese: Path) -> list[Difference]:
    return differences(english.read_text(encoding="utf-8"), chinese.read_text(encoding="utf-8"))


def prose(text: str) -> list[str]:
    """The page's prose: its markdown (and raw) cells' text and its figures' alt texts
    (written on code cells, translated in the prose: book/_ext/figure_alt.py), in order."""
    found = []
    for cell in read_cells(text):
        if cell.kind != "code":
            found.append(cell.source)
        elif alt := (cell.metadata.get("mystnb") or {}).get("image", {}).get("alt"):
            found.append(f"alt: {alt}")
    return found

"""The executed notebook of each submission, kept where nbgrader's formgrader reads it.

The formgrader shows a submission from
``<autograded>/<learner>/<ASSIGNMENT>/<ASSIGNMENT>.ipynb`` (nbgrader's
``CourseDirectory.autograded_directory`` layout) and lists only submissions whose notebook
is there. The grading command writes that file under ``OUT/autograded/``.

What the sandbox sent back is untrusted, so the copy is built here, never taken whole:

- the cells, their sources and their nbgrader metadata (grade ids, points) are the grader's
  own prepared notebook (:mod:`autograder.submission` rebuilt it from the source notebook);
  only each code cell's outputs and execution count come from the run, matched by index;
- an output is rebuilt from checked fields of the kinds the formgrader needs to show: text
  streams, errors and results as plain text or PNG/JPEG images. HTML, JavaScript, SVG and
  Markdown outputs are dropped, and the learner's own Markdown and raw cells become fenced
  code blocks (:func:`as_text`): the formgrader renders them unsanitized (a raw cell as
  HTML, a ``javascript:`` link as a link) in the instructor's logged-in Jupyter server;
- at most :data:`autograder.protocol.OUTPUTS_MAX_BYTES` of outputs are kept (the runner caps
  them too; later cells lose theirs first);
- the path is made here from the learner's key and the assignment, never from the run.

The copy holds the hidden tests and their outputs: it is the instructor's, never handed back
(the learner's feedback page is built from the verdict alone, :mod:`autograder.feedback`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat import v4

from autograder import submission
from autograder.plain_text import learner_key, plain
from autograder.protocol import OUTPUTS_MAX_BYTES

AUTOGRADED_DIR = "autograded"  # inside --out, as nbgrader names the step
IMAGES = ("image/png", "image/jpeg")  # shown as <img>: no script can run from them
MAX_TRACEBACK_LINES = 200


def notebook_path(out_dir: Path, learner_id: str, assignment: str) -> Path:
    """OUT/autograded/<learner key>/<assignment>/<assignment>.ipynb (nbgrader's layout)."""
    key = learner_key(learner_id)
    if key in ("", ".", "..") or "/" in key:  # a folder name never is: refuse, never escape
        raise ValueError(f"not a learner id usable as a folder name: {key!r}")
    return out_dir / AUTOGRADED_DIR / key / assignment / f"{assignment}.ipynb"


def _text(value) -> str | None:
    """A string, or nbformat's list of strings joined, made writable (JSON may carry lone
    surrogates, UTF-8 not); None for anything else."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = "".join(value)
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else None


def _image(value) -> str | None:
    """Base64 data that decodes (so the page's <img> gets an image, not markup)."""
    text = _text(value)
    if text is None:
        return None
    try:
        base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return text


def _count(value) -> int | None:
    """An execution count nbformat accepts (a learner may set IPython's to anything)."""
    return value if type(value) is int and 0 <= value < 10**9 else None


def checked_output(raw) -> nbformat.NotebookNode | None:
    """One output rebuilt from checked fields, or None when it is of no kind kept here."""
    if not isinstance(raw, dict):
        return None
    kind = raw.get("output_type")
    if kind == "stream" and raw.get("name") in ("stdout", "stderr"):
        text = _text(raw.get("text"))
        return None if text is None else v4.new_output("stream", name=raw["name"], text=text)
    if kind == "error":
        traceback = raw.get("traceback")
        lines = [_text(line) for line in traceback if isinstance(line, str)] \
            if isinstance(traceback, list) else []
        return v4.new_output("error", ename=_text(raw.get("ename")) or "",
                             evalue=_text(raw.get("evalue")) or "",
                             traceback=lines[:MAX_TRACEBACK_LINES])
    if kind in ("execute_result", "display_data") and isinstance(raw.get("data"), dict):
        data = {}
        if _text(raw["data"].get("text/plain")) is not None:
            data["text/plain"] = _text(raw["data"]["text/plain"])
        for mime in IMAGES:
            if _image(raw["data"].get(mime)) is not None:
                data[mime] = _image(raw["data"][mime])
        if not data:
            return None
        if kind == "display_data":
            return v4.new_output("display_data", data=data)
        return v4.new_output("execute_result", data=data,
                             execution_count=_count(raw.get("execution_count")))
    return None


def as_text(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A learner's Markdown or raw cell as a Markdown cell holding one fenced code block:
    nbconvert renders it as escaped <pre>, so no link (``javascript:``, a reference link),
    image (a remote ``src`` fetched when the page opens) or HTML of the learner's is live.
    The fence is longer than any run of backticks in the text, so the text cannot close it;
    a raw cell becomes Markdown because nbconvert writes a raw cell out as HTML."""
    text = cell.source
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    shown = v4.new_markdown_cell(f"{fence}text\n{text}\n{fence}", metadata=cell.metadata)
    if "id" in cell:
        shown.id = cell.id
    return shown


def merge(prepared: nbformat.NotebookNode, outputs: list,
          max_bytes: int = OUTPUTS_MAX_BYTES) -> nbformat.NotebookNode:
    """The prepared notebook with the run's outputs put back into its code cells (changed
    in place and returned). ``outputs``: the runner's list of {index, execution_count,
    outputs}, unchecked."""
    code_cells = {index for index, cell in enumerate(prepared.cells)
                  if cell.cell_type == "code"}
    used = 0
    for entry in outputs if isinstance(outputs, list) else []:
        index = entry.get("index") if isinstance(entry, dict) else None
        if type(index) is not int or index not in code_cells:
            continue
        code_cells.discard(index)  # a cell's outputs once: the first entry for it
        cell = prepared.cells[index]
        cell.execution_count = _count(entry.get("execution_count"))
        raw_outputs = entry.get("outputs")
        for raw in raw_outputs if isinstance(raw_outputs, list) else []:
            output = checked_output(raw)
            if output is None:
                continue
            used += len(json.dumps(output))
            if used > max_bytes:
                break
            cell.outputs.append(output)
    for index, cell in enumerate(prepared.cells):  # the learner's text: shown, never markup
        if cell.cell_type in ("markdown", "raw") and not submission.is_protected(cell):
            prepared.cells[index] = as_text(cell)
    nbformat.validate(prepared)  # every output was made by nbformat: a failure is ours
    return prepared


def write(out_dir: Path, learner_id: str, assignment: str,
          notebook: nbformat.NotebookNode | None) -> Path:
    """Write the learner's copy (atomically: the formgrader may be reading the old one), or
    remove a stale one when nothing ran (``notebook`` None). Returns its path."""
    path = notebook_path(out_dir, learner_id, assignment)
    if notebook is None:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".ipynb")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            # \uXXXX for everything beyond ASCII: a learner's output may hold C1 controls or
            # bidirectional overrides, and the file is read with cat and grep too.
            nbformat.write(notebook, file, ensure_ascii=True)
        os.chmod(temporary, 0o644)  # as nbgrader's own copies (mkstemp made it private)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def keep(out_dir: Path, learner_id: str, assignment: str,
         notebook: nbformat.NotebookNode | None) -> None:
    """:func:`write`, warning instead of stopping the batch when the copy cannot be written
    (the grade does not depend on it)."""
    try:
        write(out_dir, learner_id, assignment, notebook)
    except (OSError, ValueError) as error:
        print(plain(f"autograder: warning: no formgrader copy for {learner_id}: "
                    f"{getattr(error, 'strerror', None) or error}"), file=sys.stderr)

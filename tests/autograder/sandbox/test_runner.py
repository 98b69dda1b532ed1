"""The runner, inside the sandbox: what it reads from the kernel's folder, which cell raised."""

from __future__ import annotations

import os

from autograder.sandbox import runner as run


def test_the_report_is_read_when_it_is_a_plain_file(tmp_path):
    (tmp_path / "report.jsonl").write_text('{"grade_id": "x"}\n')
    assert run.read_report(tmp_path / "report.jsonl") == '{"grade_id": "x"}\n'


def test_no_report_is_none(tmp_path):
    assert run.read_report(tmp_path / "report.jsonl") is None


def test_a_fifo_a_link_or_a_folder_in_place_of_the_report_is_no_report(tmp_path):
    # The kernel can leave these where the report should be: a FIFO would block a reader,
    # a link would make the runner read another file.
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "target").write_text("{}\n")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    (tmp_path / "folder").mkdir()
    for name in ("fifo", "link", "folder"):
        assert run.read_report(tmp_path / name) is None, name


def test_an_oversized_report_is_no_report(tmp_path):
    (tmp_path / "report.jsonl").write_bytes(b"x" * 101)
    assert run.read_report(tmp_path / "report.jsonl", max_bytes=100) is None
    assert run.read_report(tmp_path / "report.jsonl", max_bytes=101) == "x" * 101


def _error(*frames: str, ename="ValueError", evalue="bad shapes") -> dict:
    """An error output as IPython writes it: coloured frame headers, then the message."""
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": ["\x1b[0;31m---------\x1b[0m",
                          *(f"\x1b[0;32m{frame}\x1b[0m\n  1 x = 1" for frame in frames),
                          f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]}


def test_the_innermost_notebook_cell_of_a_traceback_is_found():
    cell_by_count = {3: 4, 7: 9}  # execution count -> cell index
    error = _error("Cell In[7], line 2", "Cell In[3], line 5, in train_step_numpy",
                   "File /venv/numpy/core.py:10, in dot")
    assert run.innermost_cell(error, cell_by_count) == 4
    assert run.innermost_cell(_error("File /x.py:1, in f"), cell_by_count) is None
    assert run.innermost_cell({"traceback": None}, cell_by_count) is None

"""The runner, inside the sandbox: what it reads from the kernel's folder, which cell raised."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbformat import v4

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


# A compiled TensorFlow loop cannot be interrupted: the interrupt lands when it returns.
UNINTERRUPTIBLE_SECONDS = """
import tensorflow as tf

@tf.function
def busy(seconds):
    end = tf.timestamp() + seconds
    return tf.while_loop(lambda i: tf.timestamp() < end, lambda i: i + 1,
                         [tf.constant(0.0, tf.float64)])

busy(tf.constant({seconds}, tf.float64))
"""


@pytest.mark.slow
def test_an_honest_op_that_ends_within_a_timeout_after_the_interrupt_lets_later_cells_run(
        tmp_path):
    cells = [UNINTERRUPTIBLE_SECONDS.format(seconds=9.0), "x = 1", "print(x + 1)"]
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells]),
                   tmp_path / "nb.ipynb")
    summary = run.execute(tmp_path / "nb.ipynb", cell_timeout=6)
    assert summary["outcome"] == "completed"
    assert [c["status"] for c in summary["cells"]] == ["timeout", "ok", "ok"]


@pytest.mark.slow
def test_a_kernel_that_ignores_the_interrupt_ends_the_run_after_one_more_timeout(tmp_path):
    cells = ["import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "time.sleep(600)", "x = 1", "x = 2"]
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(c) for c in cells]),
                   tmp_path / "nb.ipynb")
    summary = run.execute(tmp_path / "nb.ipynb", cell_timeout=3)
    assert summary["outcome"] == "kernel stopped responding"
    assert [c["status"] for c in summary["cells"]] == ["timeout"]

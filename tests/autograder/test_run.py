"""The runner's hand-over: what it reads from the kernel's folder, what the grader accepts."""

from __future__ import annotations

import json
import os

import pytest

from autograder import batch, run, watchdog


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


def _outcome(output: bytes, overflow: bool = False) -> watchdog.Outcome:
    return watchdog.Outcome(0, None, 0, 1.0, output, overflow)


def test_the_grader_accepts_a_well_formed_result_line():
    line = json.dumps({"outcome": "completed", "cells": [], "report": "{}\n"}).encode()
    assert batch.parse_runner_output(_outcome(line + b"\n"))["report"] == "{}\n"


@pytest.mark.parametrize("output", [
    b"",
    b"not json",
    b"[1, 2]",
    b'{"cells": "not a list"}',
    b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"cells": [], "x": ' + b"9" * 5000 + b"}",
    b"\xff\xfe",
])
def test_the_grader_refuses_a_malformed_result_line(output):
    assert batch.parse_runner_output(_outcome(output)) is None


def test_the_grader_refuses_a_result_line_cut_at_the_cap():
    line = json.dumps({"outcome": "completed", "cells": []}).encode()
    assert batch.parse_runner_output(_outcome(line, overflow=True)) is None

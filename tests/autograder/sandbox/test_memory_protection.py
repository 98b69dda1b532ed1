"""Without a control group: the host floor keeps the machine alive, and says it is the one."""

from __future__ import annotations

import csv
import sys

import psutil
import pytest

import grading_corpus
import host_memory
from autograder.sandbox import memory_protection
from autograder.sandbox.limits import GiB

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

ALLOWED_DROP = 3 * GiB  # below where the run starts, the floor; then a 1 GiB margin


def test_the_host_floor_stops_the_socket_hog_and_spares_its_neighbour(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    grading_corpus.build_class(submissions, ["correct_learner", "socket_hog"])
    floor = psutil.virtual_memory().available - (ALLOWED_DROP - GiB)
    command = [sys.executable, "-m", "autograder", "grade", "linear_fit", str(submissions),
               "--out", str(out), "--jobs", "2", "--db", f"sqlite:///{tmp_path / 'gb.db'}",
               "--memory", "1.5GiB", "--timeout", "60", "--seed", "1", "--no-cgroups",
               "--host-floor", str(floor)]
    finished, drop = host_memory.run_watching_memory(command, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert "memory protection: a floor of" in finished.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["learner_id"]: row for row in csv.DictReader(file)}
    assert rows["socket_hog"]["status"].startswith(
        grading_corpus.WITHOUT_CGROUPS["socket_hog"]), rows["socket_hog"]
    assert float(rows["correct_learner"]["score"]) == float(rows["correct_learner"]["max_score"]), \
        rows["correct_learner"]
    assert drop <= ALLOWED_DROP


def test_the_default_floor_leaves_room_on_any_machine():
    floor = memory_protection.default_host_floor()
    assert 512 * 2**20 <= floor <= min(4 * 2**30, psutil.virtual_memory().total // 2)


def test_switched_off_control_groups_fall_back_to_the_floor_and_say_why():
    protection = memory_protection.choose(use_cgroups=False, host_floor_bytes=2**30)
    assert protection.groups is None and protection.host_floor.floor_bytes == 2**30
    assert protection.describe() == ("memory protection: a floor of 1.0 GiB on the host's "
                                     "available memory, below which the submission holding "
                                     "the most is stopped (no control group: switched off)")

"""One writer per gradebook: a second holder waits until the first lets go, for a SQLite
file and for a PostgreSQL server alike."""

from __future__ import annotations

import threading
import time

import pytest

from autograder import gradebook_lock


def _second_holder_waits(db_url: str) -> None:
    events = []
    first_holds = threading.Event()

    def second():
        first_holds.wait()
        with gradebook_lock.held(db_url):
            events.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with gradebook_lock.held(db_url):
        first_holds.set()
        time.sleep(0.5)  # the second holder is waiting by now
        events.append("first done")
    thread.join(30)
    assert events == ["first done", "second"]


def test_a_sqlite_gradebook_has_one_writer_at_a_time(tmp_path):
    _second_holder_waits(f"sqlite:///{tmp_path / 'gradebook.db'}")


@pytest.mark.slow
def test_a_postgresql_gradebook_has_one_writer_at_a_time(postgres):
    _second_holder_waits(postgres.create_database("locking"))

"""One grading command at a time writes a gradebook, across processes and machines.

Two batches started at once into one new gradebook both try to create nbgrader's schema
(PostgreSQL answers the second with 'type "grade_cell_type" already exists'), and both may
add the same student. Within a batch there is one writer already (the grading process);
this lock makes it one writer per gradebook: a PostgreSQL advisory lock held on its own
connection (it works for every machine that reaches the server, and the server drops it if
the holder dies), or, for a SQLite file, an flock on a file beside it (SQLite gradebooks
are shared by processes of one machine only).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from typing import Iterator

from autograder.gradebook_home import sqlite_file

# Which advisory lock: a number derived from a name, the same in every process.
LOCK_NAME = b"tensors-tapes-training gradebook writer"
LOCK_KEY = int.from_bytes(hashlib.sha256(LOCK_NAME).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def held(db_url: str) -> Iterator[None]:
    """Hold the gradebook's writer lock for the block (waits for another holder)."""
    path = sqlite_file(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield  # closing the file releases it
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if make_url(db_url).get_backend_name() != "postgresql":
        yield  # another server: its own transactions are all we have
        return
    engine = create_engine(db_url, poolclass=None)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()

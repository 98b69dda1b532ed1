"""Write an output file only when its content changes.

A re-run of the grading command writes every output again from the journal, and most of
them hold what the last run wrote. Those are left untouched: their times then show what a
run changed (to ``ls -t``, a sync to the learners, a backup), and their writes are saved.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_text(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8) to ``path`` unless the file holds exactly that; True when
    written. The new content replaces the old at once (through ``.<name>.new`` beside it),
    so a reader never sees half a file."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:  # no such file yet, or not one to read: written below, or an error there
        pass
    scratch = path.with_name(f".{path.name}.new")
    try:
        scratch.write_bytes(data)
        os.replace(scratch, path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    return True

"""The course gradebook's default home, and the rescue of one left at the old default.

The default used to be ``_build/grading/gradebook.db``, under the folder ``make clean``
empties: a term's grades were one clean away from lost. It is now ``gradebook/gradebook.db``
at the repository's root (git-ignored; ``autograder/nbgrader_config.py`` names it), beside the
course rather than in a per-user data folder, so nbgrader's own commands, ``make grade`` and
every clone of the course find their own gradebook without further configuration.

A gradebook still at the old default is moved to the new one, with a message, the first time
the default is used. Nothing is ever replaced: if both exist, the old one stays where it is
and the message says so. (``make clean`` keeps every ``*.db`` file, the old one included.)
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
OLD_DEFAULT = REPO_ROOT / "_build" / "grading" / "gradebook.db"
# SQLite's files beside an open or interrupted database: a gradebook is moved without them
# only when there are none.
SIDE_FILES = ("-journal", "-wal", "-shm")


def sqlite_file(db_url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for other databases and ``:memory:``)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or db_url == f"{prefix}:memory:":
        return None
    return Path(db_url[len(prefix):])


def _say(text: str) -> None:
    print(f"autograder: {text}", file=sys.stderr)


def rescue(db_url: str, old: Path = OLD_DEFAULT, say: Callable[[str], None] = _say) -> None:
    """Move a gradebook at ``old`` to the file of ``db_url`` if that does not exist yet;
    never replaces, never deletes a gradebook: it says what it did, or why not."""
    new = sqlite_file(db_url)
    if new is None or not old.is_file() or old.resolve() == new.resolve():
        return
    if new.exists():
        say(f"an older gradebook is still at {old} (`make clean` keeps it); the gradebook "
            f"in use is {new}: merge or remove the old one yourself")
        return
    busy = [f"{old}{suffix}" for suffix in SIDE_FILES if Path(f"{old}{suffix}").exists()]
    if busy:
        say(f"the gradebook at {old} was not moved to {new}: it is in use or was "
            f"interrupted ({', '.join(busy)}); open it with nbgrader once, then run again")
        return
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, new)  # fails rather than replace a file created meanwhile
    except OSError as error:
        if error.errno == errno.EEXIST:
            return rescue(db_url, old, say)
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
            raise
        copy = new.with_name(f".{new.name}.moving")  # another file system: copy, then link
        shutil.copy2(old, copy)
        try:
            os.link(copy, new)
        finally:
            copy.unlink()
    old.unlink()
    say(f"moved the gradebook from {old} to {new} (its new home: `make clean` empties "
        f"_build/)")

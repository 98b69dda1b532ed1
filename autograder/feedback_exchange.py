"""The files nbgrader's exchange needs beside a feedback page to hand it back.

``nbgrader release_feedback`` reads ``<feedback>/<learner>/<ASSIGNMENT>/`` (nbgrader's
``CourseDirectory.feedback_directory`` layout): each ``<notebook>.html`` there, with
``timestamp.txt`` and ``submission_secret.txt`` beside it. It publishes the page under
md5(secret + notebook name), which ``nbgrader fetch_feedback`` recomputes from the secret the
learner's ``nbgrader submit`` kept. The secret travels with the submission
(``nbgrader collect`` puts it beside the notebook), so it is copied from there; submissions
that did not come through the exchange have none, and their pages are handed back by other
means (release_feedback cannot place them).
"""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime, timezone
from pathlib import Path

from autograder.intake import TIMESTAMP_FILE

SECRET_FILE = "submission_secret.txt"  # nbgrader's name, beside the submitted notebook
MAX_SECRET_BYTES = 256  # nbgrader writes a 32-character hex digest
_SECRET = re.compile(r"[0-9A-Za-z_-]{1,200}")
# As nbgrader writes timestamp.txt (nbgrader.utils.get_utc_timestamp's layout).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


def read_secret(folder: Path) -> str | None:
    """The submission's secret from ``folder``, or None: a regular file (never followed
    through a link, never a FIFO or a folder) of a short token, as nbgrader writes it."""
    try:
        descriptor = os.open(folder / SECRET_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # a folder opens too; fdopen refuses
        os.close(descriptor)
        return None
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(MAX_SECRET_BYTES + 1)
    try:
        secret = data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    return secret if len(data) <= MAX_SECRET_BYTES and _SECRET.fullmatch(secret) else None


def write_beside(page_folder: Path, submitted_at: datetime | None,
                 notebook: Path | None) -> None:
    """Write timestamp.txt (when the submission time is known) and copy the secret from
    beside the graded ``notebook`` (when there is one) into ``page_folder``; files of an
    earlier grading that no longer apply are removed, never left to mislead."""
    stamp, secret = page_folder / TIMESTAMP_FILE, page_folder / SECRET_FILE
    if submitted_at is None:
        stamp.unlink(missing_ok=True)
    else:
        stamp.write_text(submitted_at.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT),
                         encoding="ascii")
    found = read_secret(notebook.parent) if notebook is not None else None
    if found is None:
        secret.unlink(missing_ok=True)
    else:
        secret.write_text(found, encoding="ascii")

"""The grading template's processes, found from outside as the tests need them.

A run the template forked never exec's: all its processes show the template's command line
and environment. The template itself is the Python process right below its sandbox's bwrap
(whose own command line names the script too).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import psutil

from autograder.sandbox import bubblewrap

SCRIPT = f"{bubblewrap.RUNNER_DIR}/grading_template.py"


def templates(under: psutil.Process | None = None) -> list[psutil.Process]:
    """Every grading template's process (below ``under``, if given)."""
    found = []
    for process in (under.children(recursive=True) if under else psutil.process_iter()):
        try:
            if process.cmdline()[1:2] == [SCRIPT] and "bwrap" in process.parent().name():
                found.append(process)
        except (psutil.Error, AttributeError):
            continue  # ended meanwhile
    return found


def when(find: Callable[[], psutil.Process | None], action: Callable[[psutil.Process], None],
         seconds: float = 240) -> threading.Thread:
    """A started thread that calls ``action`` on what ``find`` returns, once it returns
    something (polled for at most ``seconds``)."""
    def watch():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                found = find()
            except psutil.Error:
                found = None
            if found is not None:
                action(found)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher

"""A one-line progress bar with an ETA, drawn on stderr only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        try:
            self.enabled = self.stream.isatty()
        except (AttributeError, ValueError):  # no stderr at all, or a closed one
            self.enabled = False
        self.start = time.monotonic()
        self.first: int | None = None  # done at the first call: resumed work took no time

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = WIDTH * done // total
        elapsed = time.monotonic() - self.start
        if self.first is None:
            self.first = done
        finished_here = done - self.first
        eta = ("--:--" if finished_here == 0
               else self._clock(elapsed / finished_here * (total - done)))
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
                          f"{done}/{total}  ETA {eta} ")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()

    @staticmethod
    def _clock(seconds: float) -> str:
        minutes, seconds = divmod(int(round(seconds)), 60)
        return f"{minutes:02d}:{seconds:02d}"

"""What judging found besides the score and the message: the named bugs it diagnosed and,
for a part whose steps can be drawn, the data of a picture of them.

A judge returns ``(fraction, stage, message)``; the structured findings travel beside that,
collected while :func:`autograder.verdict.judge_record` judges one part (a context variable:
judges need no extra return value, and findings never leak from one part into another).
A named bug counts only if its explanation made it into the part's final message: a rule
may word a bug and then choose another message.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class Findings:
    worded: list[tuple[str, str, str]] = field(default_factory=list)  # name, section, text
    figure: dict | None = None

    def bugs_in(self, message: str) -> list[tuple[str, str]]:
        """(name, section) of each bug worded into ``message``, once, in order."""
        found: list[tuple[str, str]] = []
        for name, section, text in self.worded:
            if text in message and (name, section) not in found:
                found.append((name, section))
        return found


_current: ContextVar[Findings | None] = ContextVar("findings", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[Findings]:
    """Collect the findings of the judging done inside the block."""
    findings = Findings()
    token = _current.set(findings)
    try:
        yield findings
    finally:
        _current.reset(token)


def bug_worded(name: str, section: str, text: str) -> None:
    """A named bug's explanation was written (by :func:`wording.named_bug`)."""
    findings = _current.get()
    if findings is not None:
        findings.worded.append((name, section, text))


def figure(data: dict) -> None:
    """The data of the part's picture (the first one given counts)."""
    findings = _current.get()
    if findings is not None and findings.figure is None:
        findings.figure = data

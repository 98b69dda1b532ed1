"""Text that came from a learner, made safe to show on a terminal, in a file or in a page.

A learner's exception message, or anything else their kernel wrote, may carry terminal
control sequences: ESC and BEL, an OSC sequence that sets a window title or writes the
clipboard (``"\\x1b]52;c;...\\x07"``), C1 codes such as CSI (U+009B). ``html.escape`` and
the csv module leave them alone, so an instructor who ``cat``s a feedback page or ``grep``s
grades.csv would hand them to their terminal. :func:`plain` shows each such character as
its Python escape instead (ESC becomes the four characters ``\\x1b``): the text stays
readable, and an attempt stays visible.

Kept as they are: newline, tab, and every printable character, accents and CJK included.
Escaped: the other C0 controls (U+0000-U+001F, carriage return too), DEL (U+007F), the C1
controls (U+0080-U+009F), and lone surrogates (U+D800-U+DFFF), which valid JSON can carry
but UTF-8 cannot encode.

Applied where untrusted text enters (the runner's summary, the probe's report) and again
by every writer (feedback, grades.csv, the gradebook, the command's output), as a last
guard for text that reached a result some other way.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def plain(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return _UNSAFE.sub(_escaped, text)


def is_plain(text: str) -> bool:
    """Does ``text`` hold no character that :func:`plain` would escape?"""
    return _UNSAFE.search(text) is None

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
controls (U+0080-U+009F), lone surrogates (U+D800-U+DFFF), which valid JSON can carry but
UTF-8 cannot encode, and Unicode's invisible format characters and line separators (a
right-to-left override makes ``mallory\u202eecila`` read as another name).

Applied where untrusted text enters (the runner's summary, the probe's report) and again
by every writer (feedback, grades.csv, the gradebook, the command's output), as a last
guard for text that reached a result some other way.
"""

from __future__ import annotations

import re

# Invisible characters that change how the text around them reads: Unicode's format
# characters (bidirectional overrides and isolates, zero-width ones, the soft hyphen, the
# byte-order mark, tags) and its line and paragraph separators (U+2028/U+2029: a new line
# to str.splitlines and some terminals and editors).
_FORMAT = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2028-\u202e"
           "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f")
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_FORMAT}]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def plain(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return _UNSAFE.sub(_escaped, text)


def is_plain(text: str) -> bool:
    """Does ``text`` hold no character that :func:`plain` would escape?"""
    return _UNSAFE.search(text) is None


# In an id, a backslash (doubled) and "~" (which only a shortened id holds) are escaped too.
_ID_UNSAFE = re.compile(f"[\\\\~\x00-\x1f\x7f-\x9f\ud800-\udfff{_FORMAT}]")
MAX_KEY_CHARS = 128  # nbgrader's student ids: VARCHAR(128)
MAX_KEY_BYTES = 200  # a folder name (255 bytes on most file systems), with room to spare


def _id_escaped(match: re.Match) -> str:
    return "\\\\" if match.group() == "\\" else _escaped(match)


def learner_key(learner_id: str) -> str:
    """How a learner's id is written everywhere (grades.csv, the feedback folder, the
    gradebook): plain, on one line, and one-to-one. Backslashes are doubled, so a folder
    named with a real ESC and one named with the four characters ``\\x1b`` stay two
    learners. An id too long for a folder name or the gradebook keeps its start and gets
    ``~`` and a digest of the whole: no other id's key holds a ``~`` (it is escaped), so a
    short id can never take a long one's key, and two long ids never meet either."""
    key = _ID_UNSAFE.sub(_id_escaped, learner_id)
    if len(key) <= MAX_KEY_CHARS and len(key.encode("utf-8")) <= MAX_KEY_BYTES:
        return key
    import hashlib

    digest = hashlib.sha256(learner_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    start = key[:MAX_KEY_CHARS - 17]
    while len(start.encode("utf-8")) > MAX_KEY_BYTES - 17:
        start = start[:-1]
    return f"{start}~{digest}"

"""How feedback words what a learner's code did: raised errors and numbers."""

from __future__ import annotations

from autograder.judging import findings
from autograder.protocol import RETURNED_NONE


def raised(function: str, error: str) -> str:
    """How feedback reports an error the learner's code raised."""
    if error.startswith("NotImplementedError"):
        return f"{function} is not written yet (it still raises NotImplementedError)"
    if error == f"TypeError: {RETURNED_NONE}":
        return f"{function} returned None"
    return f"{function} raised {error}"


# A message is lines of text. A line that starts with one of these is not read as prose by
# the feedback page: the fix is hidden behind "Show the fix" (the hint comes first), and a
# book section becomes a link. In grades.csv and the gradebook they read as they are.
FIX = "Fix: "
READ = "Read: "


def named_bug(name: str, advice: str, fix: str = "", section: str = "") -> str:
    """A named bug's explanation: the hint, then (own lines) the fix and the section."""
    lines = [f"Bug: {name}. {advice}".rstrip()]
    if fix:
        lines.append(FIX + fix)
    if section:
        lines.append(READ + section)
    text = "\n".join(lines)
    findings.bug_worded(name, section, text)
    return text


def case_names(names: list[str]) -> str:
    """“a”, or cases “a”, “b” and “c”."""
    quoted = [f"\u201c{name}\u201d" for name in names]
    if len(quoted) == 1:
        return f"case {quoted[0]}"
    return f"cases {', '.join(quoted[:-1])} and {quoted[-1]}"


def format_number(value: float) -> str:
    """A number as feedback shows it: four significant digits."""
    return f"{value:.4g}"

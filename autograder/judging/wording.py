"""How feedback words what a learner's code did: raised errors, numbers, named bugs.

Every phrase comes from the catalogue (:mod:`autograder.messages`), in the language being
spoken: the submission's while it is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograder.judging import findings
from autograder.messages import (CHINESE, ENGLISH, current, english, has, say, speaking,
                                 template_patterns)
from autograder.protocol import RETURNED_NONE


def raised(function: str, error: str) -> str:
    """How feedback reports an error the learner's code raised."""
    if error.startswith("NotImplementedError"):
        return say("judging.not_written", function=function)
    if error == f"TypeError: {RETURNED_NONE}":
        return say("judging.returned_none", function=function)
    return say("judging.raised", function=function, error=error)


# A message is lines of text. A line that starts with one of these is not read as prose by
# the feedback page: the fix is hidden behind "Show the fix" (the hint comes first), and a
# book section becomes a link. Markers, not words: they read the same in every language.
FIX = "Fix: "
READ = "Read: "


@dataclass(frozen=True)
class Named:
    """A named bug's words, by its key in the catalogue: ``bug.<key>.name``, ``.advice``
    (the hint: what went wrong and where to look, not the finished formula) and, when the
    catalogue has one, ``.fix`` (the formula or call that fixes it; the feedback shows it on
    request). ``texts``: another bug's key whose advice and fix this one shares (one cause,
    two ways to show it). ``section``: the book's section that teaches it,
    ``"tapes/numpy_tape.md#reductions"``."""

    key: str
    section: str = field(default="", kw_only=True)
    texts: str = field(default="", kw_only=True)

    @property
    def name(self) -> str:
        return say(f"bug.{self.key}.name")

    @property
    def english_name(self) -> str:
        """The name the instructor's class report counts it by."""
        return english(f"bug.{self.key}.name")

    @property
    def advice(self) -> str:
        return say(f"bug.{self.texts or self.key}.advice")

    @property
    def fix(self) -> str:
        key = f"bug.{self.texts or self.key}.fix"
        return say(key) if has(key) else ""

    def missing_words(self) -> list[str]:
        """The catalogue keys this bug needs and the catalogue lacks (a spec's slip)."""
        return [key for key in (f"bug.{self.key}.name", f"bug.{self.texts or self.key}.advice")
                if not has(key)]

    def explanation(self) -> str:
        return named_bug(self)


def named_bug(bug: Named, advice: str | None = None, fix: str | None = None) -> str:
    """A named bug's explanation: the hint (``advice``: the bug's own unless given), then
    (own lines) the fix and the section."""
    advice = bug.advice if advice is None else advice
    fix = bug.fix if fix is None else fix
    lines = [say("judging.bug", name=bug.name, advice=advice).rstrip()]
    if fix:
        lines.append(FIX + fix)
    if bug.section:
        lines.append(READ + bug.section)
    text = "\n".join(lines)
    findings.bug_worded(bug.english_name, bug.section, text)
    return text


CASE_NAMES = "case_name."  # the catalogue's group of case names


def case_label(name: str) -> str:
    """A case's name as the learner reads it. The name is data (the kernel and the grader
    match runs by it, in English); shown, it is the translation of the catalogue's
    ``case_name`` entry whose English template it fills, in the language being spoken."""
    if current() == ENGLISH:
        return name
    for pattern, key in template_patterns(CASE_NAMES):
        filled = pattern.fullmatch(name)
        if filled:
            return say(key, **filled.groupdict())
    return name


# A word of a name that is not a function's (``sin(``): a name without one is a formula,
# the same in every language.
_WORD = re.compile(r"[A-Za-z]{2,}(?!\w*\()")


def untranslated_case(template: str) -> bool:
    """True when a case's name ``template`` has words but no ``case_name`` entry of the
    catalogue translates it (checked as a part's spec loads)."""
    with speaking(CHINESE):
        return bool(_WORD.search(template)) and case_label(template) == template


def case_names(names: list[str]) -> str:
    """case “a”, or cases “a”, “b” and “c”."""
    quoted = [f"\u201c{case_label(name)}\u201d" for name in names]
    if len(quoted) == 1:
        return say("judging.case", name=quoted[0])
    return say("judging.cases", names=say("judging.list_separator").join(quoted[:-1]),
               last=quoted[-1])


def where(function: str, names: list[str], cause: str) -> str:
    """A problem of some cases of a function: "f, case “a”: <cause>"."""
    return say("judging.where", function=function, cases=case_names(names), cause=cause)


def start_name(name: str) -> str:
    """A linear_fit scenario's name as the learner reads it: "start 2" is data (the kernel
    and the grader match runs by it), shown in the language being spoken."""
    number = name.removeprefix("start ")
    return say("linear_fit.start", number=number) if number.isdigit() else name


def format_number(value: float) -> str:
    """A number as feedback shows it: four significant digits."""
    return f"{value:.4g}"

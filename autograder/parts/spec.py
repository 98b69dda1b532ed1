"""What a graded part is: the declarative spec each ``autograder/parts/<assignment>/<part>.py``
holds as ``PART``.

A spec has two halves, split where the grader's trust boundary runs:

- **kernel side** (data only: it is written into the part's hidden test block and runs in
  the learner's kernel): the case recipe (:mod:`autograder.cases`) and the call template
  (:mod:`autograder.calling`);
- **grader side** (never leaves the grader): the reference, the named bugs with their
  advice, hints for error messages, the points and the partial-credit rule.

A spec names its words (bugs, hints, the passed message) by their keys in the message
catalogue, ``autograder/messages.yml``, which holds each in English and Chinese.

Everything registered by hand before is derived from it: the grade id (``test_<part>``), the
stream its cases are drawn from, the hidden test block, the points in the notebook's
metadata, heading and intro table (:mod:`autograder.authoring` writes those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from autograder import cases as case_recipes
from autograder.calling import check_template, recorded_count
from autograder.judging.arrays import (ATOL, RTOL, Bug, CaseRun, Hint, judge_cases,
                                       parse_runs, summarize)
from autograder.judging.wording import untranslated_case
from autograder.messages import has, say
from autograder.source_rules import SourceRule

__all__ = ["ArrayPart", "Bug", "CustomPart", "Hint", "Part"]

Verdict = tuple[float, str, str]  # (fraction of the points, stage, feedback)


@dataclass(frozen=True)
class Part:
    """What every part has. ``name`` and ``assignment`` are filled in by the registry from
    the spec's file name and folder."""

    number: int  # its place in the notebook: "Part 1", "Part 2", ...
    points: float
    summary: str  # the intro table's "What you write" cell (Markdown)
    functions: tuple[str, ...]  # the notebook's names the test cell passes to the check
    # The stages the part is judged in, in order (the feedback explains them); none: case
    # by case, each call on its own.
    stages: tuple[str, ...] = ()
    # What the learner's code for the part may not use and must use, read from its source
    # by the grader (autograder.source_rules): a part that asks for the mechanism.
    source_rule: SourceRule | None = None
    name: str = ""
    assignment: str = ""

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.name}"

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"

    def hidden_code(self) -> str:
        """The hidden block at the top of the part's test cell."""
        raise NotImplementedError

    def judge(self, record: dict, seed: int) -> Verdict:
        """Judge one report line of this part (its values checked as they are read)."""
        raise NotImplementedError


def _counted(value) -> str:
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def _cases_literal(cases: list) -> str:
    """The recipe as a Python literal, a case a line."""
    return "[\n" + "".join(f"        {case!r},\n" for case in cases) + "    ]"


def _call_literal(call: dict) -> str:
    """The call template as a Python literal, a case's template a line."""
    if "by_case" not in call:
        return repr(call)
    return ('{"by_case": {\n' + "".join(f"        {name!r}: {template!r},\n"
                                         for name, template in call["by_case"].items())
            + "    }}")


def _check_words(part: "ArrayPart") -> None:
    """Every phrase the part names is in the catalogue (a slip stops the release)."""
    keys = [f"passed.{part.passed}"] + [f"hint.{hint.key}" for hint in part.hints]
    keys += [f"label.{part.label}"] * bool(part.label)
    keys += [f"near_miss.{part.near_miss}"] * bool(part.near_miss)
    keys += [key for bug in part.bugs for key in bug.missing_words()]
    if part.source_rule is not None:
        keys.append(f"asks.{part.source_rule.asks}")
    missing = [key for key in keys if not has(key)]
    if missing:
        raise ValueError(f"no phrase {missing[0]!r} in autograder/messages.yml: add it there, "
                         "in English and Chinese")
    untranslated = [entry["name"] for entry in part.cases if untranslated_case(entry["name"])]
    if untranslated:
        raise ValueError(f"case {untranslated[0]!r} has no entry in autograder/messages.yml's "
                         "case_name group (en: the name as written here, and zh-CN)")


@dataclass(frozen=True)
class ArrayPart(Part):
    """A part that calls the learner's functions on drawn arrays and compares the arrays
    they return (or change) with ``reference(case)``, case by case.

    ``bugs`` are tried in order on a wrong case; the first whose outputs match is named in
    the feedback. ``rule`` replaces the default judging (:meth:`grade`) when a part
    needs more, e.g. half the points for a right first step; it gets the part and the parsed
    runs, and returns ``(fraction, stage, message)``.
    """

    cases: list = field(default_factory=list)  # the recipe: cases.case(...) entries
    call: dict = field(default_factory=dict)  # the call template
    reference: Callable | None = None  # case -> [expected array, ...], float64
    bugs: tuple[Bug, ...] = ()
    hints: tuple[Hint, ...] = ()
    passed: str = ""  # the feedback when every case is right: ``passed.<key>``
    label: str = ""  # how feedback names the code, ``label.<key>``; else the first function
    require_tensor: bool = False  # a right result that is not a tf.Tensor earns half
    rtol: float = RTOL
    atol: float = ATOL
    # Feedback for a result right to 1e-2 but not exact, ``near_miss.<key>``; None: none.
    near_miss: str | None = None
    rule: Callable[["ArrayPart", list[CaseRun]], Verdict] | None = None

    @property
    def function_label(self) -> str:
        return say(f"label.{self.label}") if self.label else self.functions[0]

    @property
    def passed_message(self) -> str:
        return say(f"passed.{self.passed}", function=self.function_label)

    def draw(self, seed: int):
        return case_recipes.draw(self.key, self.cases, seed)

    def parse(self, record: dict, seed: int) -> list[CaseRun]:
        # A case records as many arrays as its reference has: more were not the probe's.
        return parse_runs(record, self.draw(seed),
                          max_outputs=lambda case: len(self.reference(case)))

    def verdicts(self, runs: list[CaseRun], bugs=None):
        """Each case judged with this part's reference, bugs and tolerances."""
        return judge_cases(runs, self.reference, self.bugs if bugs is None else bugs,
                           self.hints, function=self.function_label,
                           require_tensor=self.require_tensor, rtol=self.rtol, atol=self.atol,
                           near_miss=self.near_miss and say(f"near_miss.{self.near_miss}"))

    def grade(self, runs: list[CaseRun], bugs=None) -> Verdict:
        """The default judging: the share of cases right, the first problem named."""
        return summarize(self.verdicts(runs, bugs), self.passed_message)

    def judge(self, record: dict, seed: int) -> Verdict:
        runs = self.parse(record, seed)
        return self.rule(self, runs) if self.rule else self.grade(runs)

    def validate(self) -> None:
        """Raise ValueError naming the slip when the recipe, the template, the reference or a
        bug cannot work together (tried on the cases of seed 0)."""
        drawn = self.draw(0)
        check_template(self.call, drawn, self.functions)
        if self.reference is None or not self.passed:
            raise ValueError("an ArrayPart needs a reference and a passed message")
        _check_words(self)
        with np.errstate(all="ignore"):  # a bug may overflow, as the learner's code did
            self._check_outputs(drawn)

    def _check_outputs(self, drawn) -> None:
        for case in drawn:
            count = recorded_count(self.call, case)
            expected = self.reference(case)
            if not isinstance(expected, (list, tuple)) or len(expected) != count:
                raise ValueError(
                    f"case {case.name!r}: the reference must return a list of {count} "
                    f"array(s), one per array the call template records; it returned "
                    f"{_counted(expected)}")
            for bug in self.bugs:
                try:
                    outputs = bug.outputs(case)
                except (ValueError, IndexError):  # the bug cannot happen in this case
                    continue
                if not isinstance(outputs, (list, tuple)) or len(outputs) not in (0, count):
                    raise ValueError(
                        f"case {case.name!r}: bug {bug.name!r} must return a list of {count} "
                        f"array(s) (or [] where it cannot happen); it returned "
                        f"{_counted(outputs)}")

    def hidden_code(self) -> str:
        functions = "{" + ", ".join(f'"{name}": {name}' for name in self.functions) + "}"
        return ("from autograder import probe\n\n"
                "_points = probe.check(\n"
                f'    "{self.key}",\n'
                f"    {functions},\n"
                f"    cases={_cases_literal(self.cases)},\n"
                f"    call={_call_literal(self.call)},\n"
                ")\n")


@dataclass(frozen=True)
class CustomPart(Part):
    """A part with its own kernel-side check in :mod:`autograder.probe` and its own judge:
    linear_fit's steps, whose judging follows trajectories rather than single calls."""

    check: str = ""  # the probe function the test cell calls with ``functions``
    judge_record: Callable[[dict, int], Verdict] | None = None

    def validate(self) -> None:
        if not self.check.startswith("check_") or self.judge_record is None:
            raise ValueError(f"{self.key}: a CustomPart names a probe check_ function and "
                             "a judge")

    def hidden_code(self) -> str:
        return ("from autograder import probe\n\n"
                f"_points = probe.{self.check}({', '.join(self.functions)})\n")

    def judge(self, record: dict, seed: int) -> Verdict:
        return self.judge_record(record, seed)

"""A learner's grade: one record per graded part and one per submission, from the verdict to
grades.csv, the feedback page, the gradebook and the journal.

``stage`` of a part names how far the learner's code got (see :data:`STAGES`): for
linear_fit "one step", "trajectory" or "convergence" (the stage that failed); for the other
assignments "one step" (a single call gave a wrong result) or "trajectory" (state carried
from call to call went wrong); "passed"; "missing" (no result); "error" (the code raised,
or the report was unusable).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from autograder.messages import ENGLISH, LANGUAGES

STAGES = ("one step", "trajectory", "convergence", "passed", "missing", "error")
# Points carry two decimals everywhere: the verdict, grades.csv, the gradebook, the feedback.
SCORE_DIGITS = 2


def rounded(points: float) -> float:
    """Points as every output shows them (a sum of rounded parts is rounded again: floats
    add 2.83 + 2.84 to 5.67 plus a last-digit error)."""
    return round(points, SCORE_DIGITS)


@dataclass
class PartResult:
    """One graded cell's result."""

    grade_id: str
    score: float
    max_score: float
    stage: str
    message: str  # the learner's feedback: names the stage and the bug, never hidden code
    grader_error: bool = False  # the grader failed on this part: a bug to fix, said aloud
    # The named bugs diagnosed, as (name, book section "page.md#anchor" or ""): the class
    # report counts them. The message words them for the learner.
    bugs: list[tuple[str, str]] = field(default_factory=list)
    # Data of a picture of the learner's steps (autograder.step_picture draws it), or None.
    figure: dict | None = None

    def to_dict(self) -> dict:
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["bugs"] = [list(bug) for bug in self.bugs]
        return data

    @classmethod
    def from_dict(cls, data) -> PartResult:
        # bugs and figure came later: a journal line written before them has neither.
        _expect(data, {item.name for item in fields(cls)}, optional={"bugs", "figure"})
        _expect_types(data, ("grade_id", "stage", "message"), str)
        _expect_types(data, ("score", "max_score"), (int, float))
        if not isinstance(data["grader_error"], bool):
            raise ValueError("grader_error must be true or false")
        bugs = data.get("bugs", [])
        if not isinstance(bugs, list) or not all(
                isinstance(bug, list) and len(bug) == 2 and all(isinstance(t, str) for t in bug)
                for bug in bugs):
            raise ValueError("bugs must be a list of [name, section] pairs")
        figure = data.get("figure")
        if figure is not None and not isinstance(figure, dict):
            raise ValueError("figure must be an object or null")
        return cls(data["grade_id"], float(data["score"]), float(data["max_score"]),
                   data["stage"], data["message"], data["grader_error"],
                   [tuple(bug) for bug in bugs], figure)


@dataclass
class Result:
    """One learner's submission of one assignment, graded."""

    learner_id: str
    assignment: str
    score: float
    max_score: float
    status: str  # what happened, in the instructor's words
    parts: list[PartResult]
    learner_errors: list[str] = field(default_factory=list)
    submitted_at: datetime | None = None
    # The seed its data was drawn from: `--only LEARNER --seed SEED` grades it again alike.
    seed: int | None = None
    # Lateness (autograder.lateness), set when the outputs are written: ``score`` is then
    # the final score, ``raw_score`` the one before ``late_penalty`` (None: not applied).
    raw_score: float | None = None
    late_penalty: float = 0.0
    # The language of the learner's notebook: its feedback's, and its parts' messages'
    # (the status, like grades.csv and the gradebook, stays in the instructor's English).
    language: str = ENGLISH

    @property
    def full_marks(self) -> bool:
        return self.max_score > 0 and self.score >= self.max_score

    def to_dict(self) -> dict:
        """JSON-ready data (the grading journal's record); :meth:`from_dict` reverses it."""
        return {"learner_id": self.learner_id, "assignment": self.assignment,
                "score": self.score, "max_score": self.max_score, "status": self.status,
                "parts": [part.to_dict() for part in self.parts],
                "learner_errors": list(self.learner_errors),
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "seed": self.seed, "raw_score": self.raw_score,
                "late_penalty": self.late_penalty, "language": self.language}

    @classmethod
    def from_dict(cls, data) -> Result:
        """The Result that :meth:`to_dict` described; ValueError for anything else (a
        journal line can be torn or foreign: it is checked field by field)."""
        texts = ("learner_id", "assignment", "status")
        _expect(data, {*texts, "score", "max_score", "parts", "learner_errors",
                       "submitted_at", "seed", "raw_score", "late_penalty", "language"},
                optional={"seed", "raw_score", "late_penalty", "language"})  # came later
        _expect_types(data, texts, str)
        _expect_types(data, ("score", "max_score"), (int, float))
        if not isinstance(data["parts"], list) or not isinstance(data["learner_errors"], list)\
                or not all(isinstance(e, str) for e in data["learner_errors"]):
            raise ValueError("parts and learner_errors must be lists")
        submitted_at = data["submitted_at"]
        if submitted_at is not None:
            if not isinstance(submitted_at, str):
                raise ValueError("submitted_at must be a date or null")
            submitted_at = datetime.fromisoformat(submitted_at)
        seed = data.get("seed")
        if seed is not None and (type(seed) is not int or seed < 0):
            raise ValueError("seed must be a whole number from 0 or null")
        raw_score, late_penalty = data.get("raw_score"), data.get("late_penalty", 0.0)
        if not (raw_score is None or _is_number(raw_score)) or not _is_number(late_penalty):
            raise ValueError("raw_score and late_penalty must be numbers")
        language = data.get("language", ENGLISH)
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return cls(data["learner_id"], data["assignment"], float(data["score"]),
                   float(data["max_score"]), data["status"],
                   [PartResult.from_dict(part) for part in data["parts"]],
                   list(data["learner_errors"]), submitted_at, seed=seed,
                   raw_score=None if raw_score is None else float(raw_score),
                   late_penalty=float(late_penalty), language=language)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _expect(data, keys: set[str], optional: set[str] = frozenset()) -> None:
    """``data`` is an object with ``keys``, of which those in ``optional`` may be absent."""
    if not isinstance(data, dict) or not keys - optional <= set(data) <= keys:
        raise ValueError(f"expected an object with the keys {', '.join(sorted(keys))}")


def _expect_types(data: dict, keys: tuple[str, ...], kinds) -> None:
    for key in keys:  # bool is an int to Python, never a score
        if not isinstance(data[key], kinds) or isinstance(data[key], bool):
            raise ValueError(f"{key}: wrong type {type(data[key]).__name__}")

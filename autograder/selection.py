"""Which learners a grading run grades: ``--only``, ``--force`` and ``--seed`` against the journal.

- ``--only ada,grace`` grades just those learners, again even when the journal holds a
  result for their unchanged notebook (a learner asked for a regrade); everyone else's
  results stay as the journal has them, and so do their rows and feedback.
- ``--seed SEED`` grades with that seed: a journaled result drawn from another seed does not
  describe what was asked for, so it is graded again; one drawn from SEED is reused as usual.
- ``--force`` grades everyone (of ``--only``, or the class) again.
"""

from __future__ import annotations

import argparse
from typing import Collection, Mapping

from autograder.journal import Entry


class SelectionError(ValueError):
    """--only names learners that are not in the submissions; str() is the one-line message."""


def parse_only(text: str) -> tuple[str, ...]:
    """``"ada, grace"`` -> ``("ada", "grace")`` (the type of ``--only``)."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise argparse.ArgumentTypeError(
            f"invalid list {text!r}: name learners, e.g. --only ada,grace")
    return names


def chosen(only: Collection[str] | None, learners: Collection[str]) -> list[str]:
    """The learners to grade (all of ``learners`` without ``--only``), in their order."""
    if only is None:
        return list(learners)
    unknown = [name for name in only if name not in learners]
    if unknown:
        raise SelectionError(f"--only names learners not found in the submissions: "
                             f"{', '.join(unknown)}")
    return [learner for learner in learners if learner in only]


def same_seed(found: Mapping[str, Entry], seed: int | None) -> tuple[dict[str, Entry], int]:
    """Of the journal's reusable entries, those drawn from ``--seed`` (all of them without
    one), and how many were not."""
    kept = {learner: entry for learner, entry in found.items()
            if seed is None or entry.result.seed == seed}
    return kept, len(found) - len(kept)

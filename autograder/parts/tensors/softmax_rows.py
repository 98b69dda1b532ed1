"""Part 1 of tensors: a softmax for every row of a 2-D array, in NumPy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from autograder.cases import case, normal
from autograder.judging.arrays import summarize
from autograder.parts.spec import ArrayPart, Bug, Hint


def softmax(logits, axis=1, shift=True):
    x = np.asarray(logits, dtype=np.float64)
    if shift:
        x = x - x.max(axis=axis, keepdims=True)
    exponentials = np.exp(x)
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


OVERFLOW = Bug(  # named by the rule below: its outputs are not numbers, so never "match"
    "exp overflows", "exp(1000) is inf in floating point. The softmax of a row does not "
    "change when the same number is subtracted from all its logits: choose the number that "
    "keeps every exponent at 0 or below.",
    lambda case: [softmax(case.arrays["logits"], shift=False)],
    fix="subtract each row's maximum before `exp`: "
        "`logits - logits.max(axis=1, keepdims=True)`",
    section="tensors/broadcasting.md#reductions-along-an-axis")


def name_the_overflow(part, runs):
    """The default judging, but a large-logits case that blew up is called an overflow."""
    verdicts = part.verdicts(runs)
    large = verdicts[-1]  # the case whose logits are far from zero
    if large.credit == 0 and large.run.outputs and \
            not np.all(np.isfinite(large.run.outputs[0].values)):
        verdicts[-1] = replace(large, cause=OVERFLOW.explanation(), problem=(
            f"softmax_rows, case \u201c{large.run.case.name}\u201d: {OVERFLOW.explanation()}"))
    return summarize(verdicts, part.passed)

PART = ArrayPart(
    number=1, points=3, summary="`softmax_rows` (NumPy)", functions=("softmax_rows",),
    cases=[
        case("small logits", dims={"n": [4, 7], "k": [2, 4]},
             arrays={"logits": normal("n", "k", scale=2.0)}),
        case("one row", arrays={"logits": normal(1, 5, scale=2.0)}),
        case("large logits", arrays={"logits": normal(3, 6, scale=3.0, row_shift=1000.0)}),
    ],
    call={"function": "softmax_rows", "args": [["numpy", "logits"]], "record": [["result"]]},
    reference=lambda case: [softmax(case.arrays["logits"])],
    bugs=(
        Bug("normalised down the columns instead of along the rows",
            "Each row is one example, and its entries must sum to 1 on their own: your sums ran "
            "down the columns. Which axis runs along a row?",
            lambda case: [softmax(case.arrays["logits"], axis=0)],
            fix="reduce with `axis=1` (or `axis=-1`) and `keepdims=True`",
            section="tensors/broadcasting.md#reductions-along-an-axis"),
        Bug("normalised over the whole array",
            "Each row must sum to 1 on its own, but your sums ran over every element of the "
            "array.",
            lambda case: [softmax(case.arrays["logits"].reshape(1, -1)).reshape(
                case.arrays["logits"].shape)],
            fix="reduce along axis 1 only: `.sum(axis=1, keepdims=True)`",
            section="tensors/broadcasting.md#reductions-along-an-axis"),
        OVERFLOW,
    ),
    hints=(
        Hint("broadcast", "A reduction along axis 1 drops that axis, so (N, K) and (N,) do "
                          "not broadcast. Keep it with keepdims=True."),
    ),
    passed="softmax_rows is right, large logits included.",
    rule=name_the_overflow,
)

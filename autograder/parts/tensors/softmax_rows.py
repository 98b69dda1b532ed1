"""Part 1 of tensors: a softmax for every row of a 2-D array, in NumPy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from autograder.cases import case, normal
from autograder.judging.arrays import summarize
from autograder.judging.wording import where
from autograder.parts.spec import ArrayPart, Bug, Hint


def softmax(logits, axis=1, shift=True):
    x = np.asarray(logits, dtype=np.float64)
    if shift:
        x = x - x.max(axis=axis, keepdims=True)
    exponentials = np.exp(x)
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


OVERFLOW = Bug(  # named by the rule below: its outputs are not numbers, so never "match"
    "exp_overflow", lambda case: [softmax(case.arrays["logits"], shift=False)],
    section="tensors/broadcasting.md#reductions-along-an-axis")


def name_the_overflow(part, runs):
    """The default judging, but a large-logits case that blew up is called an overflow."""
    verdicts = part.verdicts(runs)
    large = verdicts[-1]  # the case whose logits are far from zero
    if large.credit == 0 and large.run.outputs and \
            not np.all(np.isfinite(large.run.outputs[0].values)):
        explanation = OVERFLOW.explanation()
        verdicts[-1] = replace(large, cause=explanation, problem=where(
            part.function_label, [large.run.case.name], explanation))
    return summarize(verdicts, part.passed_message)

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
        Bug("softmax_columns", lambda case: [softmax(case.arrays["logits"], axis=0)],
            section="tensors/broadcasting.md#reductions-along-an-axis"),
        Bug("softmax_whole_array",
            lambda case: [softmax(case.arrays["logits"].reshape(1, -1)).reshape(
                case.arrays["logits"].shape)],
            section="tensors/broadcasting.md#reductions-along-an-axis"),
        OVERFLOW,
    ),
    hints=(Hint("broadcast", "keepdims_dropped"),),
    passed="softmax_rows",
    rule=name_the_overflow,
)

"""What the two sparse-update parts share: the recipe, the call, the reference, the bugs."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, indices, normal
from autograder.parts.spec import ArrayPart, Bug


def sparse(case, *, buffered=False, sign=-1.0, no_update=False):
    table = case.arrays["table"].astype(np.float64).copy()
    rows, updates = case.arrays["indices"], case.arrays["updates"].astype(np.float64)
    if no_update:
        return [table]
    if buffered:
        table[rows] = table[rows] + sign * updates  # a repeated row: the last one wins
    else:
        np.add.at(table, rows, sign * updates)
    return [table]


BUGS = (
    Bug("sparse_repeated_once", lambda case: sparse(case, buffered=True),
        section="variables/sparse.md#applying-a-sparse-update"),
    Bug("sparse_added", lambda case: sparse(case, sign=1.0),
        section="variables/sparse.md#applying-a-sparse-update"),
    Bug("sparse_no_update", lambda case: sparse(case, no_update=True),
        section="variables/index.md#updating-a-variable"),
)


def _table(name):
    """An embedding table, row indices with at least one repeat, one update per index."""
    return case(name, dims={"rows": [5, 9], "width": [2, 4], "count": [3, 6]},
                arrays={"table": normal("rows", "width"), "indices": indices("count", "rows"),
                        "updates": normal("count", "width")})


def sparse_update_part(number: int, function: str, summary: str, *, tensorflow: bool) -> ArrayPart:
    """The spec of a sparse update: of a NumPy array, or of a tf.Variable with tensors."""
    table, others = ("variable", "tensor") if tensorflow else ("numpy", "numpy")
    return ArrayPart(
        number=number, points=2, summary=summary, functions=(function,),
        cases=[_table("table 1"), _table("table 2")],
        call={"function": function,
              "args": [[table, "table"], [others, "indices"], [others, "updates"]],
              "record": [["arg", "table"]]},
        reference=sparse, bugs=BUGS,
        passed="sparse_update")  # it names the part's function

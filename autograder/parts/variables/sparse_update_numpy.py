"""Part 2 of variables: a sparse update of a NumPy table, in place, repeated rows adding up."""

from autograder.parts.variables._sparse import sparse_update_part

PART = sparse_update_part(2, "sparse_update_numpy", "`sparse_update_numpy`", tensorflow=False)

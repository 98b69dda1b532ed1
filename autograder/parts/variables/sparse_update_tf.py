"""Part 3 of variables: the same sparse update of a tf.Variable."""

from autograder.parts.variables._sparse import sparse_update_part

PART = sparse_update_part(3, "sparse_update_tf", "`sparse_update_tf`", tensorflow=True)

# expect test_sparse_update_tf 0 one step | added instead of subtracted
def sparse_update_tf(table, indices, updates):
    table.scatter_add(tf.IndexedSlices(updates, indices))

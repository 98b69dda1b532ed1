# expect bug: added instead of subtracted
def sparse_update_tf(table, indices, updates):
    table.scatter_add(tf.IndexedSlices(updates, indices))

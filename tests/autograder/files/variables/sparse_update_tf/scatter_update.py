# expect bug: repeated indices applied once
def sparse_update_tf(table, indices, updates):
    rows = tf.gather(table, indices)
    table.scatter_update(tf.IndexedSlices(rows - updates, indices))

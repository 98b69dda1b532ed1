# expect test_with_row_replaced 0 one step | the row after i replaced
def with_row_replaced(t, i, row):
    return tf.concat([t[:i + 1], row[tf.newaxis, :], t[i + 2:]], axis=0)

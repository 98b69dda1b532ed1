# expect bug: rows and columns swapped
def pairwise_squared_distances(a, b):
    differences = b[:, tf.newaxis, :] - a[tf.newaxis, :, :]
    return tf.reduce_sum(tf.square(differences), axis=-1)

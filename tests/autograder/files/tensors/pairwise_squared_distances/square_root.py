# expect bug: square root taken
def pairwise_squared_distances(a, b):
    differences = a[:, tf.newaxis, :] - b[tf.newaxis, :, :]
    return tf.sqrt(tf.reduce_sum(tf.square(differences), axis=-1))

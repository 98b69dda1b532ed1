# expect bug: normalised down the columns instead of along the rows
def softmax_rows(logits):
    shifted = logits - np.max(logits, axis=0, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)

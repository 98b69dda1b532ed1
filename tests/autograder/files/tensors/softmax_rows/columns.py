# expect test_softmax_rows 0 one step | down the columns
def softmax_rows(logits):
    shifted = logits - np.max(logits, axis=0, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)

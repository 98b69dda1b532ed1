# expect test_softmax_rows 1 error | keepdims=True
def softmax_rows(logits):
    exponentials = np.exp(logits - np.max(logits, axis=1))
    return exponentials / np.sum(exponentials, axis=1)

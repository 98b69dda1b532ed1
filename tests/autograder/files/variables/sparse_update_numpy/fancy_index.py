# expect test_sparse_update_numpy 0 one step | repeated indices applied once
def sparse_update_numpy(table, indices, updates):
    table[indices] -= updates

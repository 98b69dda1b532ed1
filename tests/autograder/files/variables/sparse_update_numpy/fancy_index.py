# expect bug: repeated indices applied once
def sparse_update_numpy(table, indices, updates):
    table[indices] -= updates

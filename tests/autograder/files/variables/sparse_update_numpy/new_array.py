# expect bug: no update at all
def sparse_update_numpy(table, indices, updates):
    table = table.copy()
    np.subtract.at(table, indices, updates)
    return table

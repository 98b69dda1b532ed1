# expect test_with_row_replaced 0 error | immutable
def with_row_replaced(t, i, row):
    t[i] = row
    return t

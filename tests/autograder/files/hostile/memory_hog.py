# Grows without bound, 64 MiB at a time, actually touching the memory.
chunks = []
while True:
    chunks.append(b"x" * (64 * 2**20))

# Holds memory that no process's resident set shows: Unix socket pairs whose send buffers
# are filled without blocking, so the kernel queues megabytes for each. One process may
# only open so many files, so it starts small helper interpreters that do the same (not
# forks of the kernel, whose shared pages would trip the resident-memory cap first): up to
# 12 processes of 1 GiB each. Its control group must stop it; graded normally, it hands in
# steps that earn nothing with the status "graded", and the test expecting it stopped fails.
import subprocess
import sys
import time

HOLD = """
import socket, time
pairs, queued = [], 0
try:
    while queued < 2**30:
        sender, receiver = socket.socketpair()
        pairs.append((sender, receiver))
        sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 2**20)
        sender.setblocking(False)
        try:
            while True:
                queued += sender.send(b"x" * 65536)
        except BlockingIOError:
            pass
except OSError:  # out of file descriptors: this process holds all it may
    pass
print("held", flush=True)
time.sleep(60)
"""

helpers = []
for _ in range(12):
    helpers.append(subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE))
    helpers[-1].stdout.readline()  # wait until it holds its share (or died trying)

NOOP

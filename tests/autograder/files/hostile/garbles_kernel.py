# Writes garbage into every file descriptor the kernel holds: its ZeroMQ sockets among them,
# so the grader's connection to the kernel breaks and no reply ever comes back.
import os

for fd in range(3, 256):
    try:
        os.write(fd, b"\xff" * 256)
    except OSError:
        pass

NOOP

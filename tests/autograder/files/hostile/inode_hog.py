# Makes empty files with long names until stopped: each costs the kernel about 1 KiB (its
# inode and name) and its folder's size cap nothing, so neither that cap nor any process's
# resident memory sees them. Up to 3 million, about 3 GiB of kernel memory, in /tmp and the
# working folder. Graded normally it runs past the cell timeout, and the test expecting it
# stopped for its files fails.
import os

for folder in ("/tmp", "."):
    os.makedirs(os.path.join(folder, "many"), exist_ok=True)
    try:
        for number in range(1_500_000):
            open(os.path.join(folder, "many", f"{number:0200d}"), "w").close()
    except OSError:  # the folder's own limits, if it has any
        pass

NOOP

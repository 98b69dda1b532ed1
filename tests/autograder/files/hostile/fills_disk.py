# Writes up to 4 GiB into its working folder and into /tmp, in 64 MiB chunks. Both are
# size-capped in memory, so the writes must stop with "no space left" after a fraction of
# that; only then does it hand in correct steps. Had a write gone through (the grader's disk
# filling up), it hands in steps that earn nothing, and the test expecting full marks fails.
import os

chunk = b"\0" * 2**26
reached = {}
for folder in (".", "/tmp"):
    reached[folder] = 0
    try:
        with open(os.path.join(folder, "filler.bin"), "wb") as handle:
            while reached[folder] < 4 * 2**30:
                handle.write(chunk)
                handle.flush()
                reached[folder] += len(chunk)
    except OSError:
        pass
    finally:
        try:
            os.remove(os.path.join(folder, "filler.bin"))
        except OSError:
            pass

if max(reached.values()) < 2**30:
    SOLUTION
else:
    NOOP

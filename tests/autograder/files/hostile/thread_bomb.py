# Starts thousands of sleeping threads (each one a task in the machine's task table, which
# may hold only 32768). The grader stops it at its task cap; the count is bounded here so
# that a grader without the cap cannot take the test machine down with it.
import threading
import time

for _ in range(5000):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()

SOLUTION

# Correct steps, but it leaves processes running: a detached sleeper and a double-forked
# daemon in a new session. The grader must not let either outlive the submission.
import os
import subprocess
import sys

subprocess.Popen(["sleep", "987654"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c",
                                  "import time; time.sleep(987653)  # hostile daemon"])
    os._exit(0)

SOLUTION

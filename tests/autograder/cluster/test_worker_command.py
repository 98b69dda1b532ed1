"""`python -m autograder worker ADDRESS`: a malformed address is one line and exit 2, before
Dask starts (whose own start-up ends in a traceback or waits for ever); the address rules
are tested in test_scheduler_address.py."""

from __future__ import annotations

import subprocess
import sys

def test_the_command_says_it_in_one_line():
    done = subprocess.run([sys.executable, "-m", "autograder", "worker", "http://x:1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("autograder: error: not a scheduler address 'http://x:1': "
                           "unknown protocol 'http' (Dask knows ")
    assert "tcp" in line and line.endswith("expected e.g. tcp://10.0.0.5:8786")

"""`python -m autograder worker ADDRESS`: a malformed address is one line and exit 2, before
Dask starts (whose own start-up ends in a traceback or waits for ever)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.cluster import worker_command


@pytest.mark.parametrize("address, said", [
    ("foo", "missing port number"),
    ("tcp://", "missing port number"),
    ("http://scheduler:8786", "unknown protocol 'http'"),
    ("tcp://scheduler:99999", "port 99999 is not between 1 and 65535"),
])
def test_a_malformed_address_is_named(address, said):
    with pytest.raises(worker_command.WorkerSetupError) as refused:
        worker_command.checked_address(address)
    assert f"not a scheduler address {address!r}" in str(refused.value)
    assert said in str(refused.value)


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "tls://grader1:8786",
                                     "tcp://[::1]:8786"])
def test_a_scheduler_address_passes(address):
    assert worker_command.checked_address(address) == address


def test_the_command_says_it_in_one_line():
    done = subprocess.run([sys.executable, "-m", "autograder", "worker", "http://x:1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("autograder: error: not a scheduler address 'http://x:1': "
                           "unknown protocol 'http' (Dask knows ")
    assert "tcp" in line and line.endswith("expected e.g. tcp://10.0.0.5:8786")

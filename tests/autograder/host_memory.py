"""Watch the host's available memory while a command runs: how far did it fall?"""

from __future__ import annotations

import subprocess
import threading

import psutil


def run_watching_memory(command: list[str], **options) -> tuple[subprocess.CompletedProcess, int]:
    """subprocess.run(command, capture_output=True, text=True, **options), and the largest
    drop of the host's available memory below where it stood at the start, in bytes
    (sampled twenty times a second)."""
    start = psutil.virtual_memory().available
    lowest = [start]
    done = threading.Event()

    def sample():
        while not done.is_set():
            lowest[0] = min(lowest[0], psutil.virtual_memory().available)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        finished = subprocess.run(command, capture_output=True, text=True, **options)
    finally:
        done.set()
        sampler.join()
    return finished, start - lowest[0]

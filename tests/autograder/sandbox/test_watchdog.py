"""The watchdog's limits and pipes, on small Python children instead of notebooks."""

from __future__ import annotations

import sys
import threading

import psutil
import pytest

from autograder.sandbox import bubblewrap, watchdog

GENEROUS = {"wall_seconds": 60, "memory_bytes": 2**30}


def _run(tmp_path, code: str, **limits) -> watchdog.Outcome:
    return watchdog.run_limited([sys.executable, "-c", code], log_path=tmp_path / "log",
                                **(GENEROUS | limits))


def test_a_well_behaved_command_keeps_its_output_and_log(tmp_path):
    outcome = _run(tmp_path, "import sys; print('result'); print('note', file=sys.stderr)")
    assert (outcome.returncode, outcome.limit) == (0, None)
    assert outcome.output == b"result\n" and not outcome.output_overflow
    assert (tmp_path / "log").read_bytes() == b"note\n"


def test_memory_past_the_cap_stops_the_tree(tmp_path):
    # The memory is held by a grandchild: the cap is on the whole tree.
    code = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
            "'x = bytearray(400 * 2**20); import time; time.sleep(60)'])")
    outcome = _run(tmp_path, code, memory_bytes=200 * 2**20)
    assert outcome.limit == "memory"
    assert outcome.peak_rss > 200 * 2**20


# 300 MiB written, then four forks that share it (as a template's runs share its imports)
# and sleep; with WRITE, each child then writes its own copy.
FORKS_SHARING = """
import os, time
held = bytearray(os.urandom(1 << 20) * 300)
for _ in range(4):
    if os.fork() == 0:
        if {write}:
            for at in range(0, len(held), 4096):
                held[at] = 1
        time.sleep(60)
        os._exit(0)
time.sleep({seconds})
"""


def test_pages_forked_processes_share_count_once(tmp_path):
    # Resident sets sum to 1.5 GiB; the memory itself is 300 MiB.
    outcome = _run(tmp_path, FORKS_SHARING.format(write=False, seconds=4),
                   memory_bytes=600 * 2**20)
    assert (outcome.returncode, outcome.limit) == (0, None)
    assert outcome.peak_rss < 600 * 2**20


def test_pages_forked_processes_copy_count_each(tmp_path):
    outcome = _run(tmp_path, FORKS_SHARING.format(write=True, seconds=60),
                   memory_bytes=600 * 2**20)
    assert outcome.limit == "memory"


def test_between_readings_of_shared_pages_any_growth_counts_in_full(monkeypatch):
    readings = iter([500, 700])
    monkeypatch.setattr(watchdog, "proportional_bytes", lambda tree: next(readings))
    shared = watchdog._SharedPages()
    assert shared.counted_once([], 1500, 1000) == 500  # read
    assert shared.counted_once([], 1000, 1000) == 500  # a process ended: not read again
    assert shared.counted_once([], 1400, 1000) == 900  # grew since: all of it counts
    assert shared.counted_once([], 1700, 1000) == 700  # over the cap: read again first


def test_a_thread_bomb_is_stopped_by_the_task_cap(tmp_path):
    code = ("import threading, time\n"
            "for _ in range(2000):\n"
            "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
            "time.sleep(60)\n")
    outcome = _run(tmp_path, code, max_tasks=100)
    assert outcome.limit == "tasks"
    assert outcome.peak_tasks > 100


def test_forked_processes_count_as_tasks_too(tmp_path):
    code = ("import os, time\n"
            "for _ in range(300):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(60)\n"
            "        os._exit(0)\n"
            "time.sleep(60)\n")
    # Summed RSS counts the pages forks share once per fork: lift the memory cap out of
    # the way, so that this tests the task cap.
    outcome = _run(tmp_path, code, max_tasks=100, memory_bytes=64 * 2**30)
    assert outcome.limit == "tasks"
    leftovers = [p for p in psutil.process_iter(["cmdline"])
                 if p.info["cmdline"] and code in p.info["cmdline"]]
    assert leftovers == []


def test_busy_processes_past_their_cpu_share_are_stopped(tmp_path):
    # Two busy children: a share of 0.1 core plus 1 s of slack is spent within seconds.
    code = ("import subprocess, sys, time\n"
            "busy = [sys.executable, '-c', 'while True: pass']\n"
            "children = [subprocess.Popen(busy) for _ in range(2)]\n"
            "time.sleep(60)\n")
    outcome = _run(tmp_path, code, cpu_cores=0.1, cpu_slack=1.0)
    assert outcome.limit == "cpu"
    assert outcome.seconds < 30  # stopped by the CPU cap, long before the 60 s sleep


def test_a_sleeper_stays_within_any_cpu_share(tmp_path):
    outcome = _run(tmp_path, "import time; time.sleep(2)", cpu_cores=0.1, cpu_slack=1.0)
    assert (outcome.returncode, outcome.limit) == (0, None)


def test_the_wall_limit_stops_a_sleeper(tmp_path):
    outcome = _run(tmp_path, "import time; time.sleep(60)", wall_seconds=1)
    assert outcome.limit == "time"


def test_a_flood_of_output_is_capped_and_never_blocks(tmp_path):
    # 64 MiB on each stream: far more than a pipe holds, so an undrained pipe would block.
    code = ("import os\n"
            "chunk = b'x' * 2**20\n"
            "for _ in range(64):\n"
            "    os.write(1, chunk)\n"
            "    os.write(2, chunk)\n")
    outcome = _run(tmp_path, code, output_limit=1000)
    assert outcome.returncode == 0 and outcome.limit is None
    assert outcome.output == b"x" * 1000 and outcome.output_overflow
    log = (tmp_path / "log").read_bytes()
    assert len(log) < watchdog.LOG_LIMIT + 100 and log.endswith(b"bytes]\n")


def test_a_leftover_holding_the_pipes_does_not_hold_up_the_grader(tmp_path):
    # Without a sandbox a daemon in its own session can escape the process-group kill and
    # keep stdout open; the watchdog reads what came before and moves on.
    # The parent exits only once the daemon has left its session (told through a pipe), so
    # the process-group kill cannot catch the daemon first.
    code = ("import os, sys, time\n"
            "read, write = os.pipe()\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    os.write(write, b'x')\n"
            "    time.sleep(30)\n"
            "    os._exit(0)\n"
            "os.read(read, 1)\n"
            "print('done', flush=True)\n")
    finished = []
    thread = threading.Thread(target=lambda: finished.append(_run(tmp_path, code)))
    thread.start()
    thread.join(timeout=25)  # far less than the daemon's 30 s
    assert finished and finished[0].output == b"done\n"
    for process in psutil.process_iter(["cmdline"]):
        if process.info["cmdline"] and code in process.info["cmdline"]:
            process.kill()


@pytest.mark.parametrize("limit", ["memory", "tasks", "time"])
def test_nothing_of_a_stopped_tree_survives(tmp_path, limit):
    marker = f"watchdog-survivor-{limit}"
    code = ("import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)  # {marker}'])\n"
            + {"memory": "x = bytearray(400 * 2**20)\n",
               "tasks": "import threading\n[threading.Thread(target=time.sleep, args=(60,),"
                        " daemon=True).start() for _ in range(200)]\n",
               "time": ""}[limit]
            + "time.sleep(60)\n")
    limits = {"memory": {"memory_bytes": 200 * 2**20}, "tasks": {"max_tasks": 100},
              "time": {"wall_seconds": 2}}[limit]
    assert _run(tmp_path, code, **limits).limit == limit
    survivors = [p for p in psutil.process_iter(["cmdline"])
                 if p.info["cmdline"] and any(marker in part for part in p.info["cmdline"])]
    assert survivors == []


SOCKET_HOG = ("import socket, time\npairs = []\nwhile len(pairs) < 500:\n"
              "    s, r = socket.socketpair()\n"
              "    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 2**20)\n"
              "    s.setblocking(False)\n    pairs.append((s, r))\n    try:\n"
              "        while True:\n            s.send(b'x' * 65536)\n"
              "    except BlockingIOError:\n        pass\ntime.sleep(60)")


def test_memory_held_by_the_kernel_is_stopped_by_the_control_group(tmp_path):
    from autograder.sandbox import cgroups

    try:
        groups = cgroups.open_batch()
    except cgroups.CgroupUnavailable as error:
        pytest.skip(f"no control group here: {error}")
    try:
        group = groups.submission("hog", 150 * 2**20, 64)
        outcome = _run(tmp_path, SOCKET_HOG, memory_bytes=2**30, group=group)
        group.remove()
    finally:
        groups.remove()
    # Its resident memory stayed far below the 1 GiB cap: only the group saw the buffers.
    assert (outcome.limit, outcome.detail) == ("memory", watchdog.HELD)
    assert outcome.peak_rss < 2**30 and outcome.seconds < 30


def test_a_large_tree_is_read_less_often_where_a_group_caps_it():
    assert watchdog.poll_seconds(5, group=None) == watchdog.poll_seconds(5, group=object()) \
        == watchdog.POLL_SECONDS
    assert watchdog.poll_seconds(500, group=None) == watchdog.POLL_SECONDS
    assert watchdog.poll_seconds(128, group=object()) == pytest.approx(4 * watchdog.POLL_SECONDS)
    assert watchdog.poll_seconds(5000, group=object()) == watchdog.MAX_POLL_SECONDS


# 128 children that sleep for 3 s.
SLEEPERS = ("import os, time\n"
            "for _ in range(128):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(3)\n"
            "        os._exit(0)\n"
            "for _ in range(128):\n"
            "    os.wait()\n")


def test_a_tree_of_many_processes_costs_fewer_readings_in_a_group(tmp_path, monkeypatch):
    from autograder.sandbox import cgroups

    try:
        groups = cgroups.open_batch()
    except cgroups.CgroupUnavailable as error:
        pytest.skip(f"no control group here: {error}")
    readings = []
    usage = watchdog._usage
    monkeypatch.setattr(watchdog, "_usage", lambda tree: readings.append(len(tree)) or
                        usage(tree))
    try:
        _run(tmp_path, SLEEPERS)
        alone = len(readings)
        readings.clear()
        group = groups.submission("sleepers", 2**30, 512)
        outcome = _run(tmp_path, SLEEPERS, group=group)
        group.remove()
    finally:
        groups.remove()
    assert outcome.limit is None and outcome.peak_tasks > 128
    assert len(readings) < alone / 2, (len(readings), alone)


def test_without_a_group_the_host_floor_stops_the_largest_holder(tmp_path):
    from autograder.sandbox.held_memory import HostFloor

    floor = HostFloor(psutil.virtual_memory().available - 400 * 2**20)
    outcome = _run(tmp_path, SOCKET_HOG, memory_bytes=2**30, host_floor=floor)
    assert outcome.limit == "host memory"
    assert outcome.peak_rss < 2**30
    assert floor._footprints == {}  # forgotten once its tree ended


@pytest.mark.sandbox
def test_too_many_files_in_a_sandbox_folder_stop_the_tree(tmp_path):
    code = ("import os, time\nfor n in range(200000):\n"
            "    open(f'/tmp/{n:0100d}', 'w').close()\ntime.sleep(60)")
    command = bubblewrap.wrap([sys.executable, "-c", code], tmp_path, tmp_path,
                           tmp_path / "run.py", {"PATH": "/usr/bin:/bin"})
    outcome = watchdog.run_limited(command, log_path=tmp_path / "log",
                                   inode_caps={"/tmp": 5000, bubblewrap.SCRATCH: 5000},
                                   **GENEROUS)
    assert (outcome.limit, outcome.detail) == ("files", "/tmp")
    assert outcome.seconds < 30


# Maps a huge sparse region and reads one byte every 2 MiB: each read maps the shared zero
# page (RSS barely moves) but needs a page table of its own, 4 KiB of kernel memory.
PAGE_TABLE_HOG = ("import mmap, time\nsize = 300 * 2**30\n"
                  "m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000)\n"
                  "for offset in range(0, size, 2**21):\n    m[offset]\ntime.sleep(60)")


def test_page_tables_count_as_the_trees_memory(tmp_path):
    outcome = _run(tmp_path, PAGE_TABLE_HOG, memory_bytes=300 * 2**20)
    # 300 GiB mapped sparsely: about 600 MiB of page tables for a few MiB of RSS.
    assert outcome.limit == "memory"
    assert outcome.seconds < 30


def test_an_abandoned_run_is_ended_at_the_next_check(tmp_path):
    asked = []

    def abandon() -> bool:  # nobody waits any more from the second question on
        asked.append(True)
        return len(asked) >= 2

    code = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(120)']); time.sleep(120)")
    outcome = _run(tmp_path, code, abandon=abandon)
    assert outcome.limit == watchdog.ABANDONED
    assert len(asked) == 2 and outcome.seconds < 30
    assert not [p for p in psutil.process_iter(["cmdline"])
                if "time.sleep(120)" in " ".join(p.info["cmdline"] or [])]


def test_a_child_the_first_listing_missed_is_killed_with_its_tree(tmp_path, monkeypatch):
    # A process caught mid-fork: its new child is not in the first listing of the tree,
    # and it has left the process group (as bubblewrap's namespace init does with setsid).
    marker = f"missed-child-{tmp_path.name}"
    ready = tmp_path / "ready"
    code = ("import os, subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)  # {marker}'],"
            " start_new_session=True)\n"
            f"open({str(ready)!r}, 'w').close()\n"
            "time.sleep(60)\n")
    root = psutil.Popen([sys.executable, "-c", code])
    try:
        while not ready.exists():
            assert root.poll() is None
            threading.Event().wait(0.05)
        listings = []
        real_tree = watchdog._tree

        def first_listing_misses_the_child(process):
            listings.append(process.pid)
            return [process] if len(listings) == 1 else real_tree(process)

        monkeypatch.setattr(watchdog, "_tree", first_listing_misses_the_child)
        watchdog.kill_tree(root)
        root.wait(timeout=10)
        survivors = [p for p in psutil.process_iter(["cmdline"])
                     if any(marker in part for part in p.info["cmdline"] or [])]
        for survivor in survivors:
            survivor.kill()
        assert survivors == []
    finally:
        if root.poll() is None:
            root.kill()
            root.wait()

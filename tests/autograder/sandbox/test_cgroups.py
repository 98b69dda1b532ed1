"""Control groups per submission: found, capped, joined, counted, removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from autograder.sandbox import cgroups

MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:10 - cgroup cgroup rw,pids
32 25 0:28 / /sys/fs/cgroup/unified rw,relatime shared:11 - cgroup2 cgroup2 rw
33 25 0:29 / /tmp rw,relatime - tmpfs tmpfs rw,size=1024k
"""
PROC_CGROUP = "8:pids:/\n4:memory:/jobs/42\n0::/\n"

# Fills socket buffers (megabytes each, no process's resident memory) until killed.
SOCKET_HOG = """
import socket
pairs = []
while len(pairs) < 500:
    sender, receiver = socket.socketpair()
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 2**20)
    sender.setblocking(False)
    pairs.append((sender, receiver))
    try:
        while True:
            sender.send(b"x" * 65536)
    except BlockingIOError:
        pass
print("survived", flush=True)
"""


def test_the_hierarchies_and_this_process_groups_are_read_from_proc():
    mounts = cgroups.mounts(MOUNTINFO)
    assert [(str(m.root), m.version) for m in mounts] == [
        ("/sys/fs/cgroup/memory", 1), ("/sys/fs/cgroup/pids", 1), ("/sys/fs/cgroup/unified", 2)]
    assert "memory" in mounts[0].controllers and "pids" in mounts[1].controllers
    assert cgroups.own_groups(PROC_CGROUP) == {"pids": "/", "memory": "/jobs/42", "": "/"}


def test_a_v2_submission_group_caps_memory_swap_and_tasks(tmp_path):
    # No cgroup v2 with controllers on the test machines: the files it writes are checked.
    batch = cgroups.BatchGroups(2, tmp_path, None)
    group = batch.submission("3", 5 * 2**30, 576)
    assert group.memory == tmp_path / "3" and group.pids is None
    assert {name: (group.memory / name).read_text() for name in
            ("memory.max", "memory.swap.max", "memory.oom.group", "pids.max")} == \
        {"memory.max": str(5 * 2**30), "memory.swap.max": "0", "memory.oom.group": "1",
         "pids.max": "576"}
    (group.memory / "memory.events").write_text("low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\n")
    assert group.oom_kills() == 1


def test_a_process_that_cannot_join_its_group_never_runs(tmp_path):
    group = cgroups.SubmissionGroup(1, tmp_path / "no-such-group", None)
    marker = tmp_path / "ran"
    finished = subprocess.run(group.enter(["touch", str(marker)]), capture_output=True)
    assert finished.returncode == cgroups.ENTER_FAILED and not marker.exists()


@pytest.fixture
def batch():
    try:
        groups = cgroups.open_batch()
    except cgroups.CgroupUnavailable as error:
        pytest.skip(f"no control group here: {error}")
    yield groups
    groups.remove()
    assert not groups.memory.exists()


def test_socket_buffers_are_charged_and_stopped_at_the_cap(batch):
    group = batch.submission("hog", 128 * 2**20, 64)
    finished = subprocess.run(group.enter([sys.executable, "-c", SOCKET_HOG]),
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == -9 and "survived" not in finished.stdout
    assert group.oom_kills() >= 1
    assert group.peak_bytes() >= 100 * 2**20
    group.remove()
    assert not group.memory.exists()


def test_tasks_past_the_groups_cap_cannot_be_started(batch):
    group = batch.submission("threads", 2**30, 20)
    if group.pids is None and batch.version == 1:
        pytest.skip("no pids hierarchy here")
    code = ("import threading, time\nstarted = 0\ntry:\n    for _ in range(100):\n"
            "        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
            "        started += 1\nexcept RuntimeError:\n    pass\nprint(started)")
    finished = subprocess.run(group.enter([sys.executable, "-c", code]), capture_output=True,
                              text=True, timeout=60)
    assert int(finished.stdout) < 20, finished.stderr


# COUNT children spin on one CPU from START to END (monotonic clock, the same in every
# process); prints the CPU seconds they got.
SPINNERS = """
import os, sys, time
count, start, end, cpu = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
os.sched_setaffinity(0, {cpu})
for _ in range(count):
    if os.fork() == 0:
        while time.monotonic() < start:
            time.sleep(0.01)
        while time.monotonic() < end:
            pass
        os._exit(0)
for _ in range(count):
    os.wait()
times = os.times()
print(times.children_user + times.children_system)
"""


def test_many_busy_processes_of_one_submission_get_one_share_of_the_cpu(batch):
    if "cpu" not in batch.controllers():
        pytest.skip("no cpu controller here")
    # Eight spinners in one submission's group, one in another's, all on the same CPU:
    # scheduled process by process, the one would get a ninth; group by group, a half.
    cpu = min(os.sched_getaffinity(0))
    start = time.monotonic() + 2
    end = start + 3
    spinning = [subprocess.Popen(batch.submission(name, 2**30, 64).enter(
                    [sys.executable, "-c", SPINNERS, str(count), str(start), str(end),
                     str(cpu)]), stdout=subprocess.PIPE, text=True)
                for name, count in (("eight", 8), ("one", 1))]
    eight, one = (float(process.communicate(timeout=60)[0]) for process in spinning)
    assert one / (one + eight) > 0.3, (one, eight)


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_groups_left_by_a_killed_grader_are_removed_by_the_next(batch):
    stale = batch.memory.parent / f"{cgroups.PREFIX}{_dead_pid()}-0a0a0a"
    stale.mkdir()
    (stale / "7").mkdir()  # a submission's group, its processes long gone
    alive = batch.memory.parent / f"{cgroups.PREFIX}1-0b0b0b"  # pid 1 never dies
    alive.mkdir()
    try:
        cgroups.open_batch().remove()
        assert not stale.exists() and alive.exists()
    finally:
        alive.rmdir()


# Fills loopback TCP send buffers, which cgroup v1 counts apart from the memory limit.
TCP_HOG = """
import socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(512)
queued, held = 0, []
try:
    while queued < 2**30 and len(held) < 400:
        sender = socket.create_connection(server.getsockname())
        held.append((sender, server.accept()[0]))
        sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 2**20)
        sender.setblocking(False)
        try:
            while True:
                queued += sender.send(b"x" * 65536)
        except OSError:  # full (or refused): the next connection
            pass
except OSError:
    pass
print(queued)
"""


def test_tcp_buffers_have_a_small_cap_of_their_own(batch):
    if batch.version != 1:
        pytest.skip("cgroup v2 counts TCP buffers within memory.max")
    group = batch.submission("tcp", 2**30, 64)
    finished = subprocess.run(group.enter([sys.executable, "-c", TCP_HOG]),
                              capture_output=True, text=True, timeout=120)
    peak = int((group.memory / "memory.kmem.tcp.max_usage_in_bytes").read_text())
    group.remove()
    # Unchecked, the hog queues its whole gigabyte (the reviewer held 1.2 GiB this way).
    assert peak <= cgroups.TCP_BYTES * 9 // 8, peak  # the kernel overshoots a little
    assert int(finished.stdout) < 4 * cgroups.TCP_BYTES, finished.stdout

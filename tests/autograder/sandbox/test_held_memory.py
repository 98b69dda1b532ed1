"""Memory held outside processes, measured from outside: sandbox folders, sockets, the floor."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from autograder.sandbox import bubblewrap, held_memory

@pytest.mark.sandbox
def test_the_files_in_a_sandbox_folder_are_counted_from_outside(tmp_path):
    code = ("import os, time\nfor n in range(3000):\n    open(f'/tmp/{n:0100d}', 'w').close()\n"
            "open('/scratch/big', 'wb').write(b'x' * 2**20)\nprint('ready', flush=True)\n"
            "time.sleep(60)")
    command = bubblewrap.wrap([sys.executable, "-c", code], tmp_path, tmp_path,
                           tmp_path / "run.py", {"PATH": "/usr/bin:/bin"})
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        root = psutil.Process(child.pid)
        usage = held_memory.folder_usage([root, *root.children(recursive=True)],
                                         ("/tmp", bubblewrap.SCRATCH, "/no-such-folder"))
    finally:
        child.kill()
        child.wait()
    assert set(usage) == {"/tmp", bubblewrap.SCRATCH}
    assert 3000 <= usage["/tmp"][1] < 3100
    assert usage[bubblewrap.SCRATCH][0] >= 2**20


def test_outside_any_sandbox_no_folder_is_measured():
    # The grader's own /tmp is not a submission's: nothing is reported for this tree.
    assert held_memory.folder_usage([psutil.Process()], ("/tmp",)) == {}


def test_sockets_are_counted_once_however_many_processes_share_them():
    code = ("import os, socket, time\npairs = [socket.socketpair() for _ in range(40)]\n"
            "if os.fork():\n    print('ready', flush=True)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        time.sleep(0.2)
        root = psutil.Process(child.pid)
        tree = [root, *root.children(recursive=True)]
        assert len(tree) == 2
        assert held_memory.socket_bytes(tree, per_socket=1000) == 80 * 1000
    finally:
        for process in psutil.Process(child.pid).children(recursive=True):
            process.kill()
        child.kill()
        child.wait()


def test_every_open_file_slot_counts_a_pipes_buffers():
    # 600 pipes whose write ends are closed: their buffers are no process's memory.
    code = ("import os, time\nkept = []\nfor _ in range(600):\n    r, w = os.pipe()\n"
            "    os.write(w, b'x' * 4096)\n    os.close(w)\n    kept.append(r)\n"
            "print('ready', flush=True)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        counted = held_memory.open_file_bytes([psutil.Process(child.pid)])
    finally:
        child.kill()
        child.wait()
    assert counted >= 600 * held_memory.FILE_BYTES


def test_the_floor_stops_only_the_largest_and_only_below_it():
    below = held_memory.HostFloor(floor_bytes=psutil.virtual_memory().total * 2)
    assert below.should_stop(1, 100) is True  # alone: the largest
    assert below.should_stop(2, 300) is False  # 1's memory is on its way back
    below._stopped_at -= held_memory.RECOVERY_SECONDS  # and has had its time
    assert below.should_stop(2, 300) is True
    below._stopped_at -= held_memory.RECOVERY_SECONDS
    assert below.should_stop(1, 100) is False  # 2 holds more
    below.forget(2)
    assert below.should_stop(1, 100) is True
    above = held_memory.HostFloor(floor_bytes=0)
    assert above.should_stop(1, 10**15) is False


def test_a_neighbour_polled_first_is_not_taken_for_the_largest_on_a_stale_footprint(
        monkeypatch):
    # The hog reported 100 while the host was fine; the host drops below the floor (the
    # hog's buffers filling), and the honest neighbour, with 500, happens to poll first.
    available = {"bytes": 10**12}
    monkeypatch.setattr(held_memory.psutil, "virtual_memory",
                        lambda: type("Memory", (), {"available": available["bytes"]}))
    floor = held_memory.HostFloor(floor_bytes=10**9)
    assert floor.should_stop("hog", 100) is False and floor.should_stop("ada", 500) is False
    available["bytes"] = 10**6
    assert floor.should_stop("ada", 500) is False  # the hog's 100 is from before the drop
    assert floor.should_stop("hog", 9_000) is True
    assert floor.should_stop("ada", 500) is False
    # The hog's sandbox is gone; its memory is still on its way back: ada is left alone...
    floor.forget("hog")
    assert floor.should_stop("ada", 500) is False
    # ...unless the host keeps losing memory meanwhile: then the largest left is chosen.
    available["bytes"] = 10**6 - held_memory.RECOVERY_SLACK_BYTES - 1
    assert floor.should_stop("ada", 500) is True
    available["bytes"] = 10**12
    assert floor.should_stop("ada", 500) is False  # and above the floor, nobody


def test_a_footprint_counts_folders_inodes_and_socket_buffers():
    floor = held_memory.HostFloor(2**30)
    # A socket can queue twice the largest buffer a process may ask for.
    largest = max(int(open(f"/proc/sys/net/core/{name}").read())
                  for name in ("wmem_max", "rmem_max"))
    assert floor.socket_bytes == 2 * largest
    # Literal numbers: 5 resident + 7 bytes in /tmp + 2 inodes of about 1 KiB each, + 100
    # bytes and 1 inode in /scratch, + what the sockets may hold.
    assert floor.footprint(5, {"/tmp": (7, 2)}, 0) == 5 + 7 + 2 * 1024
    assert floor.footprint(5, {"/tmp": (7, 2), "/scratch": (100, 1)}, 0) == 5 + 7 + 2048 + 100 + 1024
    assert floor.footprint(5, {"/tmp": (7, 2)}, 3000) == 2060 + 3000


# Connections nobody accepts, each closed by its client once its buffer is full: no
# process holds them, their data stays queued. And a TCP connection whose reader stopped.
_UNACCEPTED = """
import socket, time
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind("/tmp/listener.sock")
listener.listen(100)
for _ in range(50):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect("/tmp/listener.sock")
    client.setblocking(False)
    try:
        while True:
            client.send(b"x" * 65536)
    except BlockingIOError:
        client.close()
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
sender = socket.create_connection(server.getsockname())
receiver, _ = server.accept()
sender.setblocking(False)
queued = 0
try:
    while True:
        queued += sender.send(b"y" * 65536)
except BlockingIOError:
    pass
print(queued, flush=True)
time.sleep(60)
"""


@pytest.mark.sandbox
def test_in_a_sandbox_every_socket_of_its_network_counts_open_or_not(tmp_path):
    command = bubblewrap.wrap([sys.executable, "-c", _UNACCEPTED], tmp_path, tmp_path,
                              tmp_path / "run.py", {"PATH": "/usr/bin:/bin"})
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        queued_over_tcp = int(child.stdout.readline())
        root = psutil.Process(child.pid)
        tree = [root, *root.children(recursive=True)]
        open_in_the_tree = held_memory._open_sockets(tree)
        counted = held_memory.socket_bytes(tree, per_socket=1)
    finally:
        child.kill()
        child.wait()
    assert open_in_the_tree == 4  # two listeners, the TCP pair: what the fd tables show
    # At 1 byte a socket: the 50 unaccepted ends (and the 4) one each; the TCP pair's
    # queue twice over (the kernel's overhead) on top.
    assert counted >= 50 + 2 * queued_over_tcp


def test_a_process_in_its_own_mount_namespace_but_the_hosts_root_is_not_measured():
    # As bubblewrap's child is while it sets the sandbox up: measuring it then would read
    # the host's /tmp, whose inodes are the whole file system's.
    child = subprocess.Popen(["unshare", "--mount", "sleep", "30"])
    try:
        time.sleep(0.3)
        tree = [psutil.Process(child.pid), *psutil.Process(child.pid).children(recursive=True)]
        assert held_memory.folder_usage(tree, ("/tmp",)) == {}
    finally:
        child.kill()
        child.wait()

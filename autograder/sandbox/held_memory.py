"""Memory a submission holds outside its processes' resident pages, measured from outside.

Summed RSS misses what the kernel holds on a submission's behalf: files (and their inodes)
on the sandbox's in-memory folders, and socket buffers. A control group (autograder.sandbox.cgroups)
charges and caps all of it; these measures serve where it is not enough or not there:

- :func:`folder_usage`: bytes and inodes used on each of the sandbox's tmpfs folders, read
  from outside through ``/proc/<pid>/root``. bubblewrap cannot cap a tmpfs's inodes, so the
  watchdog caps them by polling (an empty file costs about 1 KiB of kernel memory and 0 bytes
  of the folder's size).
- :class:`HostFloor`: without a control group, the last line of defence. When the host's
  available memory falls below a floor, the running submission with the largest footprint
  (resident memory, folder contents, inodes, and a worst-case estimate per socket and per
  open file) is stopped, before the kernel's OOM killer picks a neighbour or the grader.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psutil

INODE_BYTES = 1024  # about what an empty tmpfs file costs the kernel (inode + dentry)


def _sandboxed(processes: list[psutil.Process]) -> int | None:
    """The pid of a process of the tree whose root is the sandbox's, or None: its
    /proc/<pid>/root then shows the sandbox's own folders. (Not merely a process in another
    mount namespace: while bubblewrap sets the sandbox up, its child already has one, but
    its root, and so its /tmp, is still the host's.)"""
    own = os.stat("/")
    for process in processes:
        try:
            root = os.stat(f"/proc/{process.pid}/root")
        except OSError:
            continue
        if (root.st_dev, root.st_ino) != (own.st_dev, own.st_ino):
            return process.pid
    return None


def folder_usage(processes: list[psutil.Process],
                 folders: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """{folder: (bytes used, inodes used)} of the sandbox's folders (paths inside it);
    empty when no process of the tree is inside a sandbox (yet, or any more)."""
    pid = _sandboxed(processes)
    if pid is None:
        return {}
    usage = {}
    for folder in folders:
        try:
            stats = os.statvfs(f"/proc/{pid}/root{folder}")
        except OSError:
            continue
        usage[folder] = ((stats.f_blocks - stats.f_bfree) * stats.f_frsize,
                         stats.f_files - stats.f_ffree)
    return usage


def _socket_buffer_bytes() -> int:
    """The most one socket can queue: twice the largest buffer a process may ask for (the
    kernel doubles SO_SNDBUF and SO_RCVBUF requests)."""
    largest = 212992
    for name in ("wmem_max", "rmem_max"):
        try:
            largest = max(largest, int(Path(f"/proc/sys/net/core/{name}").read_text()))
        except (OSError, ValueError):
            pass
    return 2 * largest


def _open_sockets(processes: list[psutil.Process]) -> int:
    """Sockets open in the tree (each counted once, however many processes share it)."""
    sockets = set()
    for process in processes:
        try:
            for name in os.listdir(f"/proc/{process.pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{process.pid}/fd/{name}")
                except OSError:
                    continue
                if target.startswith("socket:"):
                    sockets.add(target)
        except OSError:
            continue
    return len(sockets)


# /proc/<pid>/net's tables of a network namespace's sockets, one line each after a header;
# those of the second kind give each socket's queued bytes (hex "tx_queue:rx_queue").
_SOCKET_TABLES = ("unix", "netlink", "packet")
_QUEUE_TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")


def _own_network(pid: int) -> bool:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino != os.stat("/proc/self/ns/net").st_ino
    except OSError:
        return False


def _namespace_socket_bytes(pid: int, per_socket: int) -> int | None:
    """What every socket of ``pid``'s network namespace may hold: ``per_socket`` each, or
    twice its queued bytes (the kernel's overhead) where the table shows more (a TCP
    socket's buffers grow past the per-socket maximum by autotuning). None: unreadable."""
    total = 0
    try:
        for table in (*_SOCKET_TABLES, *_QUEUE_TABLES):
            try:
                with open(f"/proc/{pid}/net/{table}", encoding="ascii",
                          errors="replace") as lines:
                    next(lines, None)  # the header
                    for line in lines:
                        queued = 0
                        if table in _QUEUE_TABLES:
                            fields = line.split()
                            sending, _, receiving = (fields[4] if len(fields) > 4
                                                     else "").partition(":")
                            try:
                                queued = int(sending, 16) + int(receiving, 16)
                            except ValueError:
                                pass
                        total += max(per_socket, 2 * queued)
            except FileNotFoundError:  # a protocol this machine has not (e.g. IPv6 off)
                continue
    except OSError:
        return None
    return total


def socket_bytes(processes: list[psutil.Process], per_socket: int) -> int:
    """The most the tree's sockets may hold. In a sandbox, every socket of its network
    namespace, which is the submission's alone, counts, open or not: a connection nobody
    accepted is in no process's file table and still holds what its peer sent before
    closing (gigabytes behind one listening socket). Without one, the sockets open in the
    tree, ``per_socket`` each."""
    pid = _sandboxed(processes)
    if pid is not None and _own_network(pid):
        held = _namespace_socket_bytes(pid, per_socket)
        if held is not None:
            return held
    return _open_sockets(processes) * per_socket


# What one open file may hold that no other measure sees: a pipe's buffers at its default
# capacity (16 pages). Pipes made larger (F_SETPIPE_SZ) are few: the kernel caps them per
# user (pipe-user-pages-soft, 64 MiB).
FILE_BYTES = 16 * 4096


def open_file_bytes(processes: list[psutil.Process]) -> int:
    """The most the tree's open files (pipes) may hold beyond its sockets: FILE_BYTES for
    every slot of each process's file table (``FDSize`` in /proc/<pid>/status, at least as
    many as it has open: one line to read per process, not one link per file)."""
    slots = 0
    for process in processes:
        try:
            with open(f"/proc/{process.pid}/status", encoding="ascii",
                      errors="replace") as status:
                for line in status:
                    if line.startswith("FDSize:"):
                        slots += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue
    return slots * FILE_BYTES


# After one submission is stopped, how long the host has to get its memory back (its
# processes dying, their socket buffers freed) before the next largest is chosen: without
# it, a neighbour polled while the memory is still on its way back would be stopped too.
RECOVERY_SECONDS = 2.0
RECOVERY_SLACK_BYTES = 256 * 2**20  # lost meanwhile: another is growing, choose again


class HostFloor:
    """Stops the largest submission when the host's available memory drops below a floor.

    Each watchdog reports its submission's footprint every poll; when the host is below the
    floor, only the one holding the most is told to stop (one at a time: the memory comes
    back once its sandbox is gone, and the next poll looks again). It is chosen only once
    every submission has reported since the host went below: a footprint from before can be
    gigabytes stale (socket buffers fill that fast), and an honest neighbour polled first
    would be taken for the largest."""

    def __init__(self, floor_bytes: int):
        self.floor_bytes = floor_bytes
        self.socket_bytes = _socket_buffer_bytes()
        self._footprints: dict[int, int] = {}
        self._reported_below: set[int] = set()  # commands polled since the host went below
        self._stopped_at: float | None = None  # when one was last told to stop
        self._available_at_stop = 0  # the host's available memory then
        self._lock = threading.Lock()

    def footprint(self, resident: int, folders: dict[str, tuple[int, int]],
                  kernel_bytes: int) -> int:
        """Resident memory, the in-memory folders' bytes and inodes, and what the kernel
        may hold for the tree (:func:`socket_bytes`, at ``self.socket_bytes`` a socket, and
        :func:`open_file_bytes`)."""
        held = sum(used + inodes * INODE_BYTES for used, inodes in folders.values())
        return resident + held + kernel_bytes

    def low(self) -> bool:
        """Is the host's available memory below the floor now?"""
        return psutil.virtual_memory().available < self.floor_bytes

    def should_stop(self, key: int, footprint: int) -> bool:
        """Record ``footprint`` for watched command ``key``; True when the host is below
        the floor and this command holds the most."""
        with self._lock:
            self._footprints[key] = footprint
            available = psutil.virtual_memory().available
            if available >= self.floor_bytes:
                self._reported_below.clear()
                self._stopped_at = None
                return False
            self._reported_below.add(key)
            if not self._reported_below.issuperset(self._footprints):
                return False  # someone's footprint is from before: wait for its poll
            if self._recovering(available):
                return False  # the one just stopped frees its memory as its processes die
            if footprint < max(self._footprints.values()):
                return False
            self._stopped_at, self._available_at_stop = time.monotonic(), available
            return True

    def _recovering(self, available: int) -> bool:
        """Is the memory of the submission last stopped still on its way back? For
        RECOVERY_SECONDS, unless the host keeps losing memory meanwhile (a second hog)."""
        return (self._stopped_at is not None
                and time.monotonic() - self._stopped_at < RECOVERY_SECONDS
                and available >= self._available_at_stop - RECOVERY_SLACK_BYTES)

    def forget(self, key: int) -> None:
        with self._lock:
            self._footprints.pop(key, None)
            self._reported_below.discard(key)

    def describe(self) -> str:
        return (f"a floor of {self.floor_bytes / 2**30:.1f} GiB on the host's available "
                "memory, below which the submission holding the most is stopped")

"""What a child of the grading template does to itself to become a sandbox of its own.

Runs INSIDE the template's sandbox (autograder.sandbox.grading_template), like confine.py
imports nothing from the repository, and makes the child what bubblewrap makes of a
submission's process today (autograder.sandbox.bubblewrap), starting from the template's
sandbox (the same read-only system, Python, venv, kernel library and runner):

- new user, mount, PID, IPC, network, UTS and cgroup namespaces (uid and gid 65534 mapped
  to the template's own 65534, setgroups denied);
- every mount of the template's made private, then fresh size-capped tmpfs on /scratch,
  /tmp, the report's folder and /dev/shm (nothing another child wrote is there; what the
  sandbox had mounted below them, such as a venv under /tmp, bound again at its path), the
  notebook written into a tmpfs of its own at the input folder, made read-only;
- the host's /proc, which the template holds at FULL_PROC only so that its children may
  mount a /proc of their own (Linux refuses a new proc mount in a namespace where no proc
  mount is fully visible), covered by an empty read-only tmpfs: beneath stays a locked
  mount nobody in the child can uncover;
- in the first process of the new PID namespace: a /proc listing that namespace alone, the
  loopback interface up (the kernel's ZeroMQ sockets), then every capability dropped.

The child and that first process each end the moment their parent does (die_with_parent):
a run never outlives the template that forked it, nor the template its grader.

Each step raises OSError naming itself when it fails: the child then ends before any
learner code runs, and the grader runs that submission the plain way.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import struct

FULL_PROC = "/run/fullproc"
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x08000000, 0x10000000, 0x20000000
CLONE_NEWNET = 0x40000000
ALL_NEW = (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET
           | CLONE_NEWUTS | CLONE_NEWCGROUP)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
SANDBOX_ID = 65534
_LIBC = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def mount(source: str, target: str, kind: str | None, flags: int, data: str = "") -> None:
    _check(_LIBC.mount(source.encode(), target.encode(), kind.encode() if kind else None,
                       ctypes.c_ulong(flags), data.encode() if data else None),
           f"mount {target}")


def tmpfs(target: str, size: int, flags: int = 0) -> None:
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | flags, f"size={size},mode=0755")


def enter_new_namespaces() -> None:
    """Into namespaces of its own; the next process this one forks is PID 1 of the new PID
    namespace (this one stays in the template's)."""
    _check(_LIBC.unshare(ALL_NEW), "unshare")
    with open("/proc/self/setgroups", "w") as setgroups:
        setgroups.write("deny")
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/self/{name}", "w") as mapping:
            mapping.write(f"{SANDBOX_ID} {SANDBOX_ID} 1")


def _unescape(path: str) -> str:
    """A mount point as /proc/self/mountinfo writes it (space, tab, newline, backslash as
    octal escapes)."""
    for escaped, character in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"),
                               ("\\134", "\\")):
        path = path.replace(escaped, character)
    return path


def mounts_below(folder: str) -> list[str]:
    """The mount points below ``folder``, outermost only (a recursive bind carries the
    ones inside them), in the order they were mounted."""
    with open("/proc/self/mountinfo") as info:
        points = [_unescape(line.split()[4]) for line in info]
    outermost: list[str] = []
    for point in points:
        if point.startswith(folder.rstrip("/") + "/") and not any(
                point == kept or point.startswith(kept + "/") for kept in outermost):
            outermost.append(point)
    return outermost


def fresh_tmpfs(folder: str, size: int, staging: str) -> None:
    """A new empty tmpfs at ``folder`` that still holds, at their paths, what the sandbox
    mounted below the old one: the venv or Python itself when they live under /tmp (a
    clone in /tmp often does), read-only as they were. Built at ``staging`` (an empty
    folder) and moved into place: the old mounts below ``folder`` are locked to it, so
    they are bound anew rather than moved."""
    kept = mounts_below(folder)
    tmpfs(staging, size)
    for point in kept:
        copy = staging + point[len(folder.rstrip("/")):]
        if os.path.isdir(point):
            os.makedirs(copy, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            open(copy, "wb").close()
        mount(point, copy, None, MS_BIND | MS_REC)
    mount(staging, folder, None, MS_MOVE)


def fresh_folders(sizes: dict[str, int], input_folder: str, notebook: bytes,
                  notebook_name: str) -> None:
    """Private mounts, the child's own empty folders, the notebook read-only, the host's
    /proc covered. ``sizes``: {folder: bytes} of the writable folders; ``input_folder``,
    empty until the notebook goes there, stages each."""
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    for folder, size in sizes.items():
        fresh_tmpfs(folder, size, input_folder)
    tmpfs(input_folder, max(len(notebook), 1) + (64 << 10))
    with open(f"{input_folder}/{notebook_name}", "wb") as copy:
        copy.write(notebook)
    mount("none", input_folder, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    tmpfs(FULL_PROC, 4096, MS_RDONLY | MS_NOEXEC)
    if os.listdir(FULL_PROC):
        raise OSError(f"{FULL_PROC} is still visible")


def own_proc() -> None:
    """In PID 1 of the new namespace: a /proc of that namespace. Read-only and without
    devices, set-uid or executables: Linux allows no more where the visible proc mount
    (FULL_PROC, beneath its cover) is read-only."""
    mount("proc", "/proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """SIGKILL when the parent ends, as bwrap's --die-with-parent (the parent forked this
    process from its only thread, so the link is to the parent process). ``parent``, where
    this process can see it, is checked afterwards: a parent gone before the link was made
    left no one to signal it. (The first process of a new PID namespace cannot see its
    parent: there the window is the few instructions between fork and this call.)
    Linux keeps the setting through the steps below: a new user namespace owned by the same
    user and dropping capabilities are not a change of credentials that clears it."""
    _check(_LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "parent-death signal")
    if parent is not None and os.getppid() != parent:
        raise OSError(f"the parent {parent} ended before this process was tied to it")


SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> None:
    """The new network namespace's `lo` is down: the kernel's sockets live on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as handle:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(handle, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(handle, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
_CAPABILITY_VERSION_3 = 0x20080522
LAST_CAPABILITY = 63  # beyond the kernel's last, PR_CAPBSET_DROP fails with EINVAL: skipped


def drop_capabilities() -> None:
    """Every capability the new user namespace gave: from the bounding set (none comes back
    through an executable), the ambient set, then the effective, permitted and inheritable
    sets (a uid that is not 0 gets none back at exec)."""
    for capability in range(LAST_CAPABILITY + 1):
        if _LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 \
                and ctypes.get_errno() != 22:  # EINVAL: not a capability of this kernel
            _check(-1, f"dropping capability {capability} from the bounding set")
    _check(_LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient set")
    header = struct.pack("Ii", _CAPABILITY_VERSION_3, 0)
    data = bytes(24)  # two {effective, permitted, inheritable} triples of 32 bits, zero
    _check(_LIBC.capset(header, data), "capset")

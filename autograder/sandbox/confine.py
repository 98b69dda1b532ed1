"""What the runner does to itself before any learner code runs (Linux; inherited by the kernel).

Runs INSIDE the sandbox, beside autograder/sandbox/runner.py, and like it imports nothing from the
repository. Two holes the sandbox's mounts and the watchdog's polling leave open:

- **Memory no cap sees.** ``memfd_create`` makes anonymous files that live only as open file
  descriptors, and System V ``shmget`` makes segments that outlive every mapping: neither is
  resident memory of any process nor on a size-capped tmpfs. A seccomp filter makes both
  calls fail with EPERM (nothing a notebook of this course needs uses them; POSIX shared
  memory, which multiprocessing uses, stays on the capped /dev/shm).
- **Files kept alive out of sight.** An ``io_uring`` instance's table of registered files
  holds pipes (and their buffers) whose descriptors were closed: one descriptor, a
  thousand pipes, gigabytes no open-file count shows. The filter refuses ``io_uring_setup``,
  ``io_uring_enter`` and ``io_uring_register`` too (as Docker's default profile does;
  nothing a notebook of this course runs uses them).
- **The runner's result pipe.** The kernel runs as the same user as the runner, so it could
  open ``/proc/<runner>/fd/<n>`` and write into the pipe the grader reads. A non-dumpable
  process's /proc entries belong to root, and the sandbox has no root.

- **New namespaces.** A kernel forked from the grading template (autograder.sandbox.
  grading_template) runs where user namespaces can still be made (its template's children
  make theirs); one of its own would give the learner's code every capability inside it.
  ``unshare``, ``setns`` and ``clone`` with any CLONE_NEW* flag are refused (EPERM), and
  ``clone3`` says it does not exist (ENOSYS: its flags sit in memory a filter cannot read;
  the C library then falls back to ``clone``), as Docker's default profile does.

- **The kernel's keyrings.** Keys are not namespaced: every process keeps the session
  keyring it inherited, the sandboxes' the grader's (and a forked run's its template's),
  so one learner's code could leave a key for the next, or read the grader's. ``add_key``,
  ``request_key`` and ``keyctl`` are refused, as Docker's default profile does.

- **Per-user budgets of the host.** The sandbox's user is the grader's on the host, and
  some kernel budgets are per user: 128 inotify instances and 128 fanotify groups by
  default, which one notebook could take from the grader and every other process of its
  user while it runs. ``inotify_init``, ``inotify_init1`` and ``fanotify_init`` are refused
  (nothing a notebook of this course runs watches files), and POSIX message queues get no
  bytes (RLIMIT_MSGQUEUE 0). (One such budget stays open: epoll watches, which ZeroMQ
  needs; see the README's "Left open".)

- **Socket buffers by the thousand.** Each open socket can make the kernel queue megabytes
  that are no process's resident memory. A low open-file limit (soft and hard, so the
  kernel cannot raise it again) bounds how many sockets one process holds; the control group
  (autograder.sandbox.cgroups) caps what they hold in all.

Filters and limits are inherited across fork and exec and cannot be lifted, so the learner's
code runs under them whatever it does.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import struct

PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2
# Open files per process: a TensorFlow kernel with its ZeroMQ sockets uses about a hundred.
MAX_OPEN_FILES = 1024

# Classic BPF over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}.
_LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JUMP_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RETURN = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_FAIL = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO
_NO_SUCH_CALL = 0x00050000 | errno.ENOSYS
_JUMP_ANY_BIT = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_FLAGS_LOW_WORD = 16  # seccomp_data.args[0], little-endian on both machines
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
NEW_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 \
    | 0x20000000 | 0x40000000
_X32_BIT = 0x40000000  # x86-64's x32 calls: other numbers for the same calls, so refused

# Per machine: the audit architecture, then the numbers of shmget, memfd_create, add_key,
# request_key, keyctl, inotify_init (x86-64 only), inotify_init1 and fanotify_init, and
# io_uring's three calls (425-427 on both).
_IO_URING = (425, 426, 427)
_DENIED_CALLS = {
    "x86_64": (0xC000003E, (29, 319, 248, 249, 250, 253, 294, 300, *_IO_URING)),
    "aarch64": (0xC00000B7, (194, 279, 217, 218, 219, 26, 262, *_IO_URING)),
}
# Per machine: (unshare, setns) refused, clone's number (refused with a CLONE_NEW* flag),
# clone3's (435 on both).
_NAMESPACE_CALLS = {"x86_64": ((272, 308), 56, 435), "aarch64": ((97, 268), 220, 435)}


def deny_unaccounted_memory_program(machine: str) -> bytes | None:
    """The seccomp program for this machine, or None when the machine is not known."""
    if machine not in _DENIED_CALLS:
        return None
    architecture, calls = _DENIED_CALLS[machine]
    program = [(_LOAD_WORD, 0, 0, 4),  # arch
               (_JUMP_EQUAL, 1, 0, architecture),
               (_RETURN, 0, 0, _FAIL),  # a foreign ABI (e.g. 32-bit calls): nothing at all
               (_LOAD_WORD, 0, 0, 0)]  # nr
    if machine == "x86_64":
        program += [(_JUMP_AT_LEAST, 0, 1, _X32_BIT), (_RETURN, 0, 0, _FAIL)]
    namespace_calls, clone, clone3 = _NAMESPACE_CALLS[machine]
    for number in (*calls, *namespace_calls):
        program += [(_JUMP_EQUAL, 0, 1, number), (_RETURN, 0, 0, _FAIL)]
    program += [(_JUMP_EQUAL, 0, 1, clone3), (_RETURN, 0, 0, _NO_SUCH_CALL),
                (_JUMP_EQUAL, 0, 3, clone),  # not clone: allowed
                (_LOAD_WORD, 0, 0, _FLAGS_LOW_WORD),
                (_JUMP_ANY_BIT, 0, 1, NEW_NAMESPACE_FLAGS), (_RETURN, 0, 0, _FAIL)]
    program.append((_RETURN, 0, 0, _ALLOW))
    return b"".join(struct.pack("HBBI", *instruction) for instruction in program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def confine() -> list[str]:
    """Apply every measure to this process; return what could not be applied (in words)."""
    missing = []
    try:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        cap = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, MAX_OPEN_FILES)
        resource.setrlimit(resource.RLIMIT_NOFILE, (cap, cap))
    except (OSError, ValueError):
        missing.append("open-file limit")
    try:
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    except (OSError, ValueError):
        missing.append("message-queue limit")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return [*missing, "no C library to call prctl"]
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        missing.append("non-dumpable runner")
    program = deny_unaccounted_memory_program(os.uname().machine)
    if program is None:
        missing.append(f"seccomp filter (unknown machine {os.uname().machine})")
        return missing
    buffer = ctypes.create_string_buffer(program)
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if (libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            or libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0):
        missing.append(f"seccomp filter ({os.strerror(ctypes.get_errno())})")
    return missing

"""A jupyter_client kernel provisioner that asks the kernel template for its kernels.

Named by the kernelspec that kernelspec.py writes (metadata.kernel_provisioner); registered
under the entry point group jupyter_client.kernel_provisioners in pyproject.toml. When no
template is running (no TEMPLATE_VARIABLE) or it cannot fork, the kernel starts the usual
way (jupyter_client's LocalProvisioner, which this extends) and one line on stderr says why.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import sys
import time
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from autograder.kernel_template import wire

# The environment variable naming the template's socket.
TEMPLATE_VARIABLE = "TTT_KERNEL_TEMPLATE"
# The imports take a few seconds; a busy 2-core machine, several times that.
ANSWER_SECONDS = 120.0


class NoTemplate(Exception):
    """The template cannot give this kernel; the message says why."""


class ForkedKernel:
    """What LocalProvisioner keeps of a kernel process (a Popen's part it uses), for a kernel
    that is the template's child, not ours: its end is seen through a pidfd (immune to PID
    reuse; where Linux has none, through kill(pid, 0), the template reaping its children)."""

    stdin = stdout = stderr = None
    POLL_SECONDS = 0.05  # without a pidfd

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._ended: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._ended, self.returncode = None, 0
        except OSError:
            self._ended = None

    def _has_ended(self, timeout: float | None) -> bool:
        if self._ended is not None:
            return bool(select.select([self._ended], [], [], timeout)[0])
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(self.POLL_SECONDS)

    def poll(self) -> int | None:
        if self.returncode is None and self._has_ended(0):
            # Its exit status went to the template, which reaped it: only its end is known.
            self.returncode = 0
            if self._ended is not None:
                os.close(self._ended)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._has_ended(timeout)
            if self.poll() is None:
                raise TimeoutError(f"kernel {self.pid} still runs after {timeout} s")
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            if self._ended is not None:
                signal.pidfd_send_signal(self._ended, signum)
            else:
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def ask_template(path: str, cmd: list[str], env: dict[str, str], cwd: str) -> int:
    """The PID of a kernel the template at `path` forked for `cmd` (blocking)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(ANSWER_SECONDS)
            client.connect(path)
            wire.send_object(client, {"argv": cmd, "env": env, "cwd": cwd})
            answer = wire.read_object(client)
    except EOFError:
        raise NoTemplate(f"{path} closed the connection without an answer") from None
    except OSError as error:
        raise NoTemplate(f"no answer at {path} ({error.strerror or error})") from None
    except wire.WireError as error:
        raise NoTemplate(f"an answer from {path} that is {error}") from None
    if not isinstance(answer.get("pid"), int):
        raise NoTemplate(str(answer.get("error") or f"an answer without a PID: {answer!r:.80}"))
    return answer["pid"]


class TemplateProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels are forked by the kernel template."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        path = os.environ.get(TEMPLATE_VARIABLE)
        if path:
            # As jupyter_client's launcher says: the kernel's client, whose end ends it.
            env = {**(kwargs.get("env") or os.environ), wire.CLIENT_VARIABLE: str(os.getpid())}
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                # In a thread: the wait (the template's imports, the first time) must not
                # hold the event loop of a client that runs several kernels.
                pid = await asyncio.to_thread(ask_template, path, cmd, env, cwd)
            except NoTemplate as why:
                print(f"kernel template: {why}; this kernel starts on its own",
                      file=sys.stderr, flush=True)
            else:
                self.process = ForkedKernel(pid)
                self.pid = self.pgid = pid  # it called setsid before the template answered
                self.cwd = cwd
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)

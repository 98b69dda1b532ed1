"""autograder/kernel_template/provisioner.py: jupyter_client's side of a forked kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import nbclient
import pytest
from jupyter_client.manager import KernelManager

from autograder.kernel_template.provisioner import TEMPLATE_VARIABLE, ForkedKernel
from template_notebooks import notebook, printed

pytestmark = pytest.mark.slow

TEMPLATE_IMPORTED_TENSORFLOW = notebook("import sys\nprint('tensorflow' in sys.modules)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def test_an_interrupt_and_a_shutdown_reach_the_forked_kernel(template):
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    try:
        assert isinstance(manager.provisioner.process, ForkedKernel)
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        started = time.monotonic()
        msg_id = client.execute("import time; time.sleep(120)")
        time.sleep(1)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 30
        client.stop_channels()
    finally:
        pid = manager.provisioner.pid
        manager.shutdown_kernel(now=True)
    assert _gone_within(pid, 10)
    assert manager.provisioner is None or not manager.has_kernel


def test_without_a_template_a_kernel_starts_the_usual_way_and_says_why(tmp_path, monkeypatch,
                                                                      capfd, template):
    monkeypatch.setenv(TEMPLATE_VARIABLE, str(tmp_path / "no-template.sock"))
    nb = nbclient.execute(TEMPLATE_IMPORTED_TENSORFLOW)
    assert printed(nb)[0].strip() == "False"  # a fresh Python: nothing imported before
    said = capfd.readouterr().err
    assert f"kernel template: no answer at {tmp_path / 'no-template.sock'}" in said
    assert "this kernel starts on its own" in said


def test_a_template_that_died_leaves_its_kernels_running_and_the_next_ones_start_alone(
        own_template):
    template = own_template
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        template.kill()
        template.wait()
        time.sleep(2)  # longer than ipykernel's parent watch takes to notice
        reply = client.execute_interactive("x = 6 * 7", timeout=30)
        assert reply["content"]["status"] == "ok"
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
    nb = nbclient.execute(TEMPLATE_IMPORTED_TENSORFLOW)
    assert printed(nb)[0].strip() == "False"


CLIENT_THAT_VANISHES = textwrap.dedent("""
    import os
    from jupyter_client.manager import KernelManager
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    manager.client().wait_for_ready(timeout=60)
    print(manager.provisioner.pid, type(manager.provisioner.process).__name__, flush=True)
    os._exit(0)  # no shutdown: a crashed notebook runner
""")


def test_a_kernel_ends_with_the_process_that_asked_for_it(template):
    ran = subprocess.run([sys.executable, "-c", CLIENT_THAT_VANISHES], capture_output=True,
                         text=True, timeout=120, check=True)
    pid, kind = ran.stdout.split()
    assert kind == "ForkedKernel"
    assert _gone_within(int(pid), 10)


# A parent like the template: it ignores SIGCHLD (so its children are reaped as they end) and
# forks a child that is not ours.
REAPING_PARENT = textwrap.dedent("""
    import os, signal, sys, time
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    print(pid, flush=True)
    time.sleep(60)
""")


@pytest.mark.parametrize("pidfds", [True, False], ids=["pidfd", "no-pidfd"])
def test_a_forked_kernel_handle_sees_a_process_it_did_not_start_end(pidfds, monkeypatch):
    parent = subprocess.Popen([sys.executable, "-c", REAPING_PARENT], stdout=subprocess.PIPE,
                              text=True)
    try:
        pid = int(parent.stdout.readline())
        if not pidfds:
            def no_pidfd(_pid):
                raise OSError(38, "Function not implemented")
            monkeypatch.setattr(os, "pidfd_open", no_pidfd)
        kernel = ForkedKernel(pid)
        assert kernel.poll() is None
        with pytest.raises(TimeoutError):
            kernel.wait(0.2)
        kernel.kill()
        assert kernel.wait(10) == 0 and kernel.poll() == 0
        assert not _alive(pid)
        kernel.kill()  # once it has ended: nothing to do, no error
    finally:
        parent.kill()
        parent.wait()

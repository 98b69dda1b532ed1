"""What crosses the template's socket: one JSON line each way.

A request: {"argv": [python, "-m", "ipykernel_launcher", "-f", CONNECTION_FILE],
"env": {...}, "cwd": FOLDER}; the env must name the client (JPY_PARENT_PID), whose end
ends the kernel. An answer: {"pid": N} or {"error": "..."}.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

# After the interpreter: the kernelspec's command (kernelspec.py). The template can become
# this ipykernel and nothing else: of options (which could run code: exec_lines), only
# what nbclient adds (no history file: a notebook run keeps none).
KERNEL_COMMAND = ["-m", "ipykernel_launcher", "-f"]
ALLOWED_OPTIONS = frozenset({"--HistoryManager.hist_file=:memory:"})
CLIENT_VARIABLE = "JPY_PARENT_PID"  # jupyter_client's name for the process that asked
MAX_LINE_BYTES = 1 << 20


class WireError(Exception):
    """A line that is not what the other side should send; the message says why."""


def read_line(connection: socket.socket, limit: int = MAX_LINE_BYTES) -> bytes:
    """One line from the other side (EOFError: it closed the connection first)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise EOFError("the connection closed before a whole line came")
        data += chunk
        if len(data) > limit:
            raise WireError(f"a line longer than {limit} bytes")
    return data


def read_object(connection: socket.socket) -> dict:
    """One JSON object on one line."""
    try:
        found = json.loads(read_line(connection))
    except ValueError as error:
        raise WireError(f"not JSON ({error})") from None
    if not isinstance(found, dict):
        raise WireError(f"not a JSON object: {found!r:.80}")
    return found


def send_object(connection: socket.socket, found: dict) -> None:
    connection.sendall(json.dumps(found).encode() + b"\n")


def checked_request(request: dict) -> dict:
    """The request, if it asks for the kernel command in a folder for a named client."""
    argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
    if not (isinstance(argv, list) and len(argv) >= 5 and all(isinstance(a, str) for a in argv)
            and argv[1:4] == KERNEL_COMMAND and ALLOWED_OPTIONS.issuperset(argv[5:])):
        raise WireError(f"not the kernel command: {argv!r:.200}")
    if not (isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in env.items())):
        raise WireError("env must map names to strings")
    if not env.get(CLIENT_VARIABLE, "").isdigit():
        raise WireError(f"env must name the client's PID ({CLIENT_VARIABLE})")
    if not (isinstance(cwd, str) and Path(cwd).is_dir()):
        raise WireError(f"cwd is not a folder: {cwd!r:.200}")
    return request

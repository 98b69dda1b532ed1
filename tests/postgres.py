"""A throwaway PostgreSQL cluster for the tests: a real server on a loopback port, owned by
the test session and removed afterwards.

PostgreSQL comes from Debian's packages (`make system` installs `postgresql`); its server
programs live in /usr/lib/postgresql/<version>/bin, off PATH. initdb refuses to run as root,
so as root the cluster belongs to the `postgres` user the package creates. Connections over
TCP need a password (scram-sha-256), so a wrong one is a real refusal, as on a course server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SUPERUSER, PASSWORD = "grader", "test-only-secret"


class PostgresUnavailable(Exception):
    """No PostgreSQL server programs here; str() says how to install them."""


def server_programs() -> Path:
    """The folder holding initdb and pg_ctl (the newest installed version)."""
    found = shutil.which("initdb")
    if found:  # through a symbolic link, maybe: its siblings (createdb) are where it points
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not versions:
        raise PostgresUnavailable("PostgreSQL's server is not installed: `make system` "
                                  "installs Debian's `postgresql`")
    return Path(versions[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    port: int
    socket_dir: Path
    bin: Path
    run_as: list[str]

    def url(self, database: str, password: str = PASSWORD) -> str:
        return (f"postgresql+psycopg://{SUPERUSER}:{password}@127.0.0.1:{self.port}/"
                f"{database}")

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self._run("createdb", "-h", str(self.socket_dir), "-p", str(self.port),
                  "-U", SUPERUSER, name)
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.run_as, str(self.bin / program), *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr[-1500:]}")


def _owner() -> tuple[list[str], int | None, int | None]:
    """(command prefix, uid, gid) the server runs as: ourselves, or `postgres` when root."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root needs the `postgres` user that Debian's "
                                  "`postgresql` package creates") from None
    return ["runuser", "-u", "postgres", "--"], user.pw_uid, user.pw_gid


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster in a temporary folder on a free loopback port; stop and delete it."""
    programs = server_programs()
    run_as, uid, gid = _owner()
    home = Path(tempfile.mkdtemp(prefix="ttt-postgres-"))
    if uid is not None:
        os.chown(home, uid, gid)
    data, sockets, pwfile = home / "data", home / "sockets", home / "pwfile"
    sockets.mkdir()
    pwfile.write_text(PASSWORD + "\n")
    if uid is not None:
        os.chown(sockets, uid, gid)
        os.chown(pwfile, uid, gid)
    cluster = Cluster(_free_port(), sockets, programs, run_as)
    try:
        cluster._run("initdb", "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8")
        options = (f"-p {cluster.port} -k {sockets} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=40")
        cluster._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(home / "log"),
                     "-w", "-t", "60", "start")
        try:
            yield cluster
        finally:
            cluster._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)

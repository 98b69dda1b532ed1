"""Where the Dask scheduler is: ``--scheduler``, else Dask's own configuration (its
``scheduler-address``: the ``DASK_SCHEDULER_ADDRESS`` variable or a YAML file in Dask's
configuration folders), else nowhere (grade on this machine).

Importing Dask costs about 0.15 s: it is imported only where it can have something to say
(a ``DASK_*`` variable or a configuration file exists), so local grading never pays for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


SETTING = "Dask's scheduler-address setting (DASK_SCHEDULER_ADDRESS or a Dask config file)"


class AddressError(ValueError):
    """Not a scheduler address: str() is the one-line reason."""


def _dask_may_be_configured() -> bool:
    if any(name.startswith("DASK_") for name in os.environ):
        return True
    # Dask's configuration folders (dask.config.paths), besides those named by DASK_ variables.
    folders = [Path("/etc/dask"), Path(sys.prefix) / "etc" / "dask",
               Path.home() / ".config" / "dask"]
    return any(folder.is_dir() and any(folder.glob("*.y*ml")) for folder in folders)


def find(given: str | None) -> str | None:
    if given:
        return given
    if not _dask_may_be_configured():
        return None
    import dask.config  # noqa: PLC0415 -- only where Dask may be configured

    address = dask.config.get("scheduler-address", None)
    return str(address) if address else None


def checked(address: str) -> str:
    """``address``, or AddressError naming what is wrong with it (Dask would end in a
    traceback, or wait for ever, on a malformed one)."""
    from distributed.comm import parse_address  # noqa: PLC0415
    from distributed.comm.registry import backends  # noqa: PLC0415

    try:
        scheme, _ = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown protocol {scheme!r} (Dask knows "
                             f"{', '.join(sorted(backends))})")
        endpoint = _endpoint(address)
        if endpoint is not None and not 0 < int(endpoint[1]) < 2**16:
            raise ValueError(f"port {endpoint[1]} is not between 1 and 65535")
    except ValueError as error:
        raise AddressError(f"not a scheduler address {address!r}: {error}; "
                           "expected e.g. tcp://10.0.0.5:8786") from None
    return address


def _endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a tcp:// or tls:// address; None for another protocol; ValueError
    when it lacks them."""
    from distributed.comm import parse_address  # noqa: PLC0415
    from distributed.comm.addressing import parse_host_port  # noqa: PLC0415

    scheme, location = parse_address(address)
    return parse_host_port(location) if scheme in ("tcp", "tls") else None


def tcp_endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a well-formed tcp:// or tls:// address, else None."""
    try:
        return _endpoint(address)
    except ValueError:
        return None

"""Whether ``serve`` could listen where it is told to, asked before anything else starts (the
demo tokens, loading data), so a busy port is one clear line rather than uvicorn's error at the
end."""

from __future__ import annotations

import errno
import socket


def port_problem(host: str, port: int) -> str | None:
    """Why ``serve`` could not listen on ``host:port`` (one line saying what to do), or None."""
    try:
        error = _bind_error(host, port)
    except socket.gaierror as unknown:
        return (
            f"ICN_HOST: cannot listen on {host} ({unknown.strerror}); use an address of this "
            "machine"
        )
    if error is None:
        return None
    if error.errno == errno.EADDRINUSE:
        nearby = range(port + 1, min(port + 100, 65536))
        free = next((other for other in nearby if _bind_error(host, other) is None), None)
        choose = f"ICN_PORT={free}" if free else "ICN_PORT to a free port"
        return (
            f"port {port} on {host} is already in use (another icn-graph serve?); stop it, or "
            f"set {choose} (e.g. `make run ICN_PORT={free or 'N'}` or "
            f"`icn-graph serve --port {free or 'N'}`)"
        )
    return f"cannot listen on {host}:{port} ({error.strerror}); check ICN_HOST and ICN_PORT"


def _bind_error(host: str, port: int) -> OSError | None:
    """What binding ``host:port`` as uvicorn does would raise, or None."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: a socket lingering in TIME_WAIT does not make the port busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error
    return None

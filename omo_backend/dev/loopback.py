"""Development endpoints answer only on a loopback listener, to a caller on this machine.

What decides is the address of the server's own socket for the connection
(``scope["server"]``), never the client's: a reverse proxy on the same machine makes every
client look local. A request that came through such a proxy says so in its forwarding
headers, and is refused too.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request

from omo_backend.errors import NotFound

_FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def is_loopback_listener(request: Request) -> bool:
    server = request.scope.get("server")
    if not server:
        return False
    try:
        address = ipaddress.ip_address(str(server[0]).split("%", 1)[0])
    except ValueError:
        return False
    if not address.is_loopback:
        return False
    return not any(header in request.headers for header in _FORWARDING_HEADERS)


def require_loopback(request: Request) -> None:
    """As if the route were not there: nothing tells a remote caller that it exists."""
    if not is_loopback_listener(request):
        raise NotFound("Not Found")


def is_loopback_host(host: str) -> bool:
    """Whether a ``--host`` to listen on is this machine only (``localhost`` is)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

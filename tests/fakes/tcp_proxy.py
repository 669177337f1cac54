"""A TCP proxy on a loopback port that cuts the network between a client and its server.

Real sockets, bytes forwarded as they come, one thread per direction of each connection.
Three modes:

- ``PASS``: forward both ways.
- ``DROP``: every open connection is reset (RST, as a router that lost its route answers), and
  each new one is accepted and reset at once.
- ``STALL``: connections are accepted and nothing more happens: no byte is forwarded either
  way, as on a network whose packets vanish. Connections held through a stall are reset when
  the proxy passes again (a real one would have timed out by then).

``cut_at_reply(marker, mode)`` cuts in the middle of one request: the request that contains
``marker`` reaches the server whole, and the moment the server's reply starts back, the proxy
goes into ``mode`` and the client never sees that reply. The server acted; the client does not
know whether it did.
"""

from __future__ import annotations

import contextlib
import enum
import select
import socket
import struct
import threading
from typing import Self

from tests.fakes.running import Running

_CHUNK = 65536
_TICK = 0.05


class Mode(enum.StrEnum):
    PASS = "pass"
    DROP = "drop"
    STALL = "stall"


def _reset(sock: socket.socket) -> None:
    """Close with RST (linger on, zero time) rather than an orderly FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Connection:
    def __init__(self, client: socket.socket, server: socket.socket) -> None:
        self.client = client
        self.server = server
        self.closed = threading.Event()
        # The request that carries the marker went up: cut when its reply comes down.
        self.armed = False
        self._ended = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            if self.closed.is_set():
                return
            self.closed.set()
            _reset(self.client)
            _reset(self.server)

    def ended(self, target: socket.socket) -> None:
        """One side closed: pass the FIN on, and close both once both sides have."""
        with self._lock:
            if self.closed.is_set():
                return
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)
            self._ended += 1
            if self._ended == 2:
                self.closed.set()
                self.client.close()
                self.server.close()


class TcpProxy(Running):
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._mode = Mode.PASS
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []
        self._held: list[_Connection] = []  # accepted or caught during a stall
        self._cut: tuple[bytes, Mode] | None = None
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.accepted = 0
        self.withheld_replies = 0

    # --- life ----------------------------------------------------------------------------

    def start(self) -> Self:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(_TICK)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.reset()

    @property
    def base_url(self) -> str:
        assert self._listener is not None, "start() the proxy first"
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    # --- the network ---------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode) -> None:
        with self._lock:
            previous, self._mode = self._mode, mode
            self._cut = None
            if mode is Mode.DROP or (previous is Mode.STALL and mode is Mode.PASS):
                doomed = list(self._connections) if mode is Mode.DROP else list(self._held)
                self._held.clear()
            else:
                doomed = []
        for connection in doomed:
            connection.reset()

    def cut_at_reply(self, marker: bytes, mode: Mode) -> None:
        """Go into ``mode`` when the reply to the next request containing ``marker`` starts."""
        assert mode is not Mode.PASS
        with self._lock:
            self._cut = (marker, mode)

    # --- inside --------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            if self._mode is Mode.DROP:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            connection = _Connection(client, server)
            with self._lock:
                self._connections.append(connection)
                if self._mode is Mode.STALL:
                    self._held.append(connection)
            for source, target, up in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(connection, source, target, up), daemon=True
                ).start()

    def _pump(
        self, connection: _Connection, source: socket.socket, target: socket.socket, up: bool
    ) -> None:
        try:
            while not connection.closed.is_set() and not self._stopping.is_set():
                if self._mode is not Mode.PASS:
                    self._hold(connection)
                    connection.closed.wait(_TICK)
                    continue
                readable, _, _ = select.select([source], [], [], _TICK)
                if not readable:
                    continue
                data = source.recv(_CHUNK)
                if not data:
                    connection.ended(target)
                    return
                if not self._forward(connection, data, up):
                    continue
                target.sendall(data)
        except OSError:
            connection.reset()
        finally:
            if connection.closed.is_set():
                with self._lock:
                    if connection in self._connections:
                        self._connections.remove(connection)

    def _forward(self, connection: _Connection, data: bytes, up: bool) -> bool:
        """Whether ``data`` goes on; here the network may be cut in the middle of a request."""
        with self._lock:
            cut = self._cut
            if up:
                if cut is not None and cut[0] in data:
                    connection.armed = True
                return self._mode is Mode.PASS
            if connection.armed and cut is not None:
                self._cut = None
                self.withheld_replies += 1
                mode = cut[1]
            else:
                return self._mode is Mode.PASS
        self.set_mode(mode)
        if mode is Mode.STALL:
            self._hold(connection)
        return False

    def _hold(self, connection: _Connection) -> None:
        with self._lock:
            if self._mode is Mode.STALL and connection not in self._held:
                self._held.append(connection)

"""The socket layer under the fetcher: who may be reached, and for how long.

Two defences that cannot live above the HTTP client, because the client itself resolves names and waits on
sockets:

* **SSRF guard, pinned.** ``HostGuard`` refuses every address that is not globally routable
  (``ipaddress``' ``is_global`` plus the transition ranges that embed another address). ``GuardedBackend``
  is the httpcore network backend that resolves a name once, vets the addresses and connects to a vetted
  one: a DNS answer that changes between the check and the connection (rebinding) never reaches a socket.
* **One wall-clock deadline per request.** httpx's timeouts are per socket operation, so a server sending
  its headers one byte a second never trips them. ``request_budget`` sets a deadline covering connect,
  TLS, headers and body; every socket read and write is given at most the time left, and the response
  head is capped in bytes (``MAX_HEADER_BYTES``) instead of h11's 100 KiB.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore

from scrapers.errors import ErrorKind, IngestError

Resolver = Callable[[str, int], Iterable[str]]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Largest response head (status line and headers) we read; real sites send a few KiB.
MAX_HEADER_BYTES = 32 * 1024

# Ranges Python 3.11's ``is_global`` still calls global although they reach somewhere else: 6to4 relays
# (RFC 7526 deprecated them) and the 6to4 prefix itself, whose embedded IPv4 may be private.
_NOT_PUBLIC = (
    ipaddress.ip_network("192.88.99.0/24"),
    ipaddress.ip_network("2002::/16"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<host>[a-z0-9._-]+)):(?P<port>\d{1,5})$")


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def is_public(address: Address) -> bool:
    """Globally routable, and so is every IPv4 address an IPv6 one carries inside it."""
    if not address.is_global or address.is_multicast:
        return False
    if any(address.version == net.version and address in net for net in _NOT_PUBLIC):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.teredo[1] if address.teredo else None]
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
    return True


class HostGuard:
    """SSRF guard: refuses hosts that resolve to addresses a public crawler has no business reaching.

    ``allow`` holds host names, addresses, networks (``127.0.0.1``, ``10.0.0.0/8``) or ``host:port`` pairs
    (``localhost:8080``, ``[::1]:8080``) allowed anyway, for tests and the local demo. An entry that is
    none of these raises ``ValueError`` at start rather than being silently ignored.
    """

    def __init__(self, allow: Iterable[str] = (), resolver: Resolver = system_resolver) -> None:
        self._names: set[str] = set()
        self._pairs: set[tuple[str, int]] = set()
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for raw in allow:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            pair = _HOST_PORT.match(entry)
            if pair:
                port = int(pair["port"])
                host = pair["v6"] or pair["host"]
                if not 0 < port < 65536 or (pair["v6"] and not _is_address(host)):
                    raise ValueError(f"allow-list entry {raw!r}: not a usable host:port")
                self._pairs.add((_normal_host(host), port))
            elif re.fullmatch(r"[a-z0-9._-]+", entry):
                self._names.add(entry)
            else:
                raise ValueError(
                    f"allow-list entry {raw!r} is not a host name, address, network or host:port"
                )
        self._resolver = resolver

    def _allowed_name(self, host: str, port: int) -> bool:
        return host in self._names or (host, port) in self._pairs

    def check(self, url: str) -> None:
        """Refuse ``url`` unless every address its host resolves to may be reached."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise IngestError(ErrorKind.FETCH, f"no host in {url}")
        try:
            port = parts.port or _default_port(parts.scheme)
        except ValueError:
            raise IngestError(ErrorKind.FETCH, f"bad port in {url}") from None
        self.vetted_addresses(host, port)

    def vetted_addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once and return the addresses that may be connected to (all of them, or an
        ``IngestError`` naming the first that may not)."""
        host = _normal_host(host)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in self._resolver(host, port)]
            except (OSError, UnicodeError) as error:
                raise IngestError(ErrorKind.FETCH, f"cannot resolve {host}: {error}") from None
        if not addresses:
            raise IngestError(ErrorKind.FETCH, f"cannot resolve {host}: no address")
        if not self._allowed_name(host, port):
            for address in addresses:
                self._check_address(host, port, address)
        return [str(address) for address in addresses]

    def check_peer(self, url: str, peer: str) -> None:
        """The address the connection actually reached, checked once more (defence in depth: the
        backend already connects only to vetted addresses)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or _default_port(parts.scheme)
        if self._allowed_name(host, port):
            return
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return
        self._check_address(host, port, address)

    def _check_address(self, host: str, port: int, address: Address) -> None:
        if any(address in network for network in self._networks) or (str(address), port) in self._pairs:
            return
        if not is_public(address):
            raise IngestError(
                ErrorKind.BLOCKED_HOST,
                f"{host} resolves to {address}, a non-public address "
                "(allow it with WIREFEED_ALLOW_PRIVATE_HOSTS)",
            )


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _normal_host(host: str) -> str:
    host = host.strip("[]").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


# -- the per-request deadline -------------------------------------------------------------------------
@dataclass(slots=True)
class _Budget:
    deadline: float
    clock: Callable[[], float]
    header_limit: int
    head_bytes: int = 0
    head_done: bool = False
    tail: bytes = b""

    def remaining(self, timeout: float | None) -> float:
        left = self.deadline - self.clock()
        if left <= 0:
            raise httpcore.ReadTimeout("the request's overall deadline has passed")
        return left if timeout is None else min(timeout, left)

    def saw(self, data: bytes) -> None:
        if self.head_done or not data:
            return
        window = self.tail + data
        end = window.find(b"\r\n\r\n")
        if end >= 0:
            self.head_done = True
            self.head_bytes += end + 4 - len(self.tail)
        else:
            self.head_bytes += len(data)
            self.tail = window[-3:]
        if self.head_bytes > self.header_limit:
            raise IngestError(ErrorKind.TOO_LARGE, f"response headers exceed {self.header_limit} bytes")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("wirefeed_budget", default=None)


@contextlib.contextmanager
def request_budget(
    seconds: float, *, clock: Callable[[], float] = time.monotonic, header_limit: int = MAX_HEADER_BYTES
) -> Iterator[None]:
    """Every socket operation of the request made inside this block ends by ``seconds`` from now."""
    token = _budget.set(_Budget(clock() + seconds, clock, header_limit))
    try:
        yield
    finally:
        _budget.reset(token)


class _BoundedStream(httpcore.NetworkStream):
    """A socket stream whose every wait is cut to the current request's deadline. It remembers the
    address it was connected to: asking the socket (``getpeername``) fails once the peer has reset the
    connection, and that ``OSError`` would escape the HTTP client's error handling."""

    def __init__(self, inner: httpcore.NetworkStream, peer: tuple[str, int] | None = None) -> None:
        self._inner = inner
        self._peer = peer

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _budget.get()
        if budget is None:
            return self._inner.read(max_bytes, timeout)
        data = self._inner.read(max_bytes, budget.remaining(timeout))
        budget.saw(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _budget.get()
        self._inner.write(buffer, timeout if budget is None else budget.remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = _budget.get()
        if budget is not None:
            timeout = budget.remaining(timeout)
        return _BoundedStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._peer)

    def get_extra_info(self, info: str) -> Any:
        if info == "server_addr" and self._peer is not None:
            return self._peer
        try:
            return self._inner.get_extra_info(info)
        except OSError:
            return None


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses ``guard`` vetted in the same lookup, within the request's deadline."""

    def __init__(self, guard: HostGuard) -> None:
        self._guard = guard
        self._plain = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._guard.vetted_addresses(host, port)
        budget = _budget.get()
        last: Exception | None = None
        for address in addresses:
            wait = budget.remaining(timeout) if budget is not None else timeout
            try:
                stream = self._plain.connect_tcp(address, port, wait, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
                continue
            return _BoundedStream(stream, (address, port))
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

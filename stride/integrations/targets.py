"""Where webhooks may be sent: HTTPS to public addresses, never into the clinic's own network.

A webhook URL is typed by staff, and the server posts to it, so an address inside the
server's network (a database, a cloud metadata service at 169.254.169.254) would let an admin
account reach what the internet cannot (server-side request forgery). URLs are checked when
saved, and every send resolves the host again, refuses private addresses and connects to the
address it checked (so a DNS answer that changes between check and connect does not matter).

``STRIDE_WEBHOOKS_ALLOW_PRIVATE`` (or ``DEBUG``) lifts the address rule for clinics whose
receiving system runs on their own network, and for development against ``http://127.0.0.1``.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL may not be posted to (scheme, host or resolved address)."""


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``address`` but speak to ``host`` (Host, TLS SNI)."""

    scheme: str
    host: str
    port: int
    address: str


def private_targets_allowed() -> bool:
    """Return whether webhooks may go to private, loopback and link-local addresses."""
    return bool(settings.DEBUG or getattr(settings, "STRIDE_WEBHOOKS_ALLOW_PRIVATE", False))


def address_is_private(address: IPAddress) -> bool:
    """Return whether ``address`` is not a public unicast address (private, loopback, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _url_problem(url: str, *, allow_private: bool) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return "Enter a valid URL."
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return "Enter a URL with a host name."
    if parts.username or parts.password:
        return "Leave user names and passwords out of the URL."
    loopback_name = host == "localhost" or host.endswith(".localhost")
    literal = _literal_address(host)
    if not allow_private and (
        loopback_name or (literal is not None and address_is_private(literal))
    ):
        return "Webhooks cannot be sent to private, loopback or link-local addresses."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_private and host in LOOPBACK_HOSTS:
        return None  # Development and on-host receivers only; never across a network.
    return "Use an https:// address."


def webhook_url_validate(url: str) -> None:
    """Raise ValidationError unless ``url`` is an allowed webhook address (see module)."""
    problem = _url_problem(url, allow_private=private_targets_allowed())
    if problem:
        raise ValidationError(problem)


def target_resolve(url: str) -> Target:
    """Check ``url`` and resolve its host; return where to connect, or raise TargetRefused.

    Every address the name resolves to must be public (unless private targets are allowed):
    a name with one private answer among public ones is refused rather than half-trusted.
    """
    allow_private = private_targets_allowed()
    problem = _url_problem(url, allow_private=allow_private)
    if problem:
        raise TargetRefused(problem)
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"Cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise TargetRefused(f"Cannot resolve {host}.")
    if not allow_private:
        for address in addresses:
            if address_is_private(ipaddress.ip_address(address.split("%", 1)[0])):
                raise TargetRefused(f"{host} resolves to a private address ({address}).")
    return Target(scheme=parts.scheme, host=host, port=port, address=addresses[0])

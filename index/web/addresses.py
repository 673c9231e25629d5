"""Which network addresses newsbot may connect to: public ones, checked on the socket about to connect."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from contextvars import ContextVar

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Why an address is refused, or None when it may be used.
AddressCheck = Callable[[IPAddress], str | None]

# Cloud instance metadata services (AWS, GCP and Azure share the first; AWS over IPv6; Alibaba Cloud).
_METADATA = frozenset(map(ipaddress.ip_address, ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")))
# NAT64: the well-known prefix and the local-use one (RFC 6052, RFC 8215); the last 32 bits are an IPv4 address.
_NAT64 = tuple(map(ipaddress.ip_network, ("64:ff9b::/96", "64:ff9b:1::/48")))
# IETF protocol assignments (RFC 6890): Python's tables call some of them global (192.0.0.8, .9, .10); none is a
# news site.
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
# Refusals made during the current fetch; the connector folds several into one "Multiple exceptions" line.
_refusals: ContextVar[list[str] | None] = ContextVar("newsbot_refusals", default=None)


class AddressRefused(OSError):
    """A connection to an address the policy refuses was stopped before it was made."""


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (IPv4-mapped, 6to4, NAT64), or None when it carries none."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in network for network in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def public_only(ip: IPAddress) -> str | None:
    """Why an address is not a public internet address newsbot may fetch from, or None if it is one."""
    # ::ffff:127.0.0.1, 2002:7f00:1:: (6to4) and 64:ff9b::7f00:1 (NAT64) all reach 127.0.0.1: judge that address.
    ip = embedded_ipv4(ip) or ip
    if ip in _METADATA:
        return "a cloud metadata address"
    for kind, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                       ("multicast", ip.is_multicast), ("private", ip.is_private),
                       ("reserved", ip.is_reserved or ip.is_unspecified or ip in _IETF_PROTOCOL)):
        if flag:
            return f"a {kind} address"
    return None if ip.is_global else "not a public address"


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names literally ("127.0.0.1", "::1"), or None for a host name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


class AddressGuard:
    """Refuses connections to addresses its check rejects, at connect time, so DNS rebinding cannot slip by."""

    def __init__(self, check: AddressCheck | None) -> None:
        # None: every address is allowed (allow_private_addresses on).
        self.check = check

    def refusal(self, host: str) -> str | None:
        """Why a literal address in a URL is refused (before any connection), or None."""
        ip = literal_address(host)
        if self.check is None or ip is None:
            return None
        reason = self.check(ip)
        return f"refusing to fetch from {ip}, {reason}" if reason else None

    def socket_factory(self, addr_info: tuple) -> socket.socket:
        """aiohttp's socket factory: the one place that sees the very address about to be connected."""
        family, kind, proto, _, address = addr_info
        ip = ipaddress.ip_address(address[0].split("%")[0])
        reason = self.check(ip) if self.check is not None else None
        if reason:
            refused = _refusals.get()
            if refused is not None:
                refused.append(f"refusing to fetch from {ip}, {reason}")
            raise AddressRefused(f"refusing to fetch from {ip}, {reason}")
        return socket.socket(family, kind, proto)


def start_recording() -> object:
    """Begin recording this fetch's refusals (returns the token for stop_recording)."""
    return _refusals.set([])


def recorded_refusal() -> str | None:
    """The first refusal recorded during this fetch."""
    refused = _refusals.get()
    return refused[0] if refused else None


def stop_recording(token: object) -> None:
    """Stop recording refusals."""
    _refusals.reset(token)  # type: ignore[arg-type]

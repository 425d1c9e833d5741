"""Client addresses and the subnets they belong to (pure: the throttles and the denial counts use them)."""

from __future__ import annotations

import ipaddress

# The block one household, office or cloud customer usually holds: IPv4 /24, IPv6 /64.
IPV4_PREFIX = 24
IPV6_PREFIX = 64
UNKNOWN = "unknown"


def normal_address(address: str | None) -> str:
    """The address in its canonical form ("::ffff:10.0.0.1" is 10.0.0.1), or "unknown"."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return str(parsed)


def subnet_of(address: str | None) -> str:
    """The /24 (IPv4) or /64 (IPv6) the address is in, as "192.0.2.0/24"; "unknown" for anything else."""
    normal = normal_address(address)
    if normal == UNKNOWN:
        return UNKNOWN
    parsed = ipaddress.ip_address(normal)
    prefix = IPV4_PREFIX if parsed.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{normal}/{prefix}", strict=False))

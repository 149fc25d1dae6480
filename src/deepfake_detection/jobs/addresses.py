"""Which addresses a webhook may be sent to: public ones only, also when IPv6 carries an IPv4 one.

An IPv6 address can embed an IPv4 address that a gateway on the way turns back into IPv4: the
IPv4-mapped and IPv4-compatible forms (``::ffff:a.b.c.d``, ``::a.b.c.d``), 6to4 (``2002::/16``),
Teredo (``2001::/32``) and NAT64 (``64:ff9b::/96``). On a network with such a gateway,
``[64:ff9b::a9fe:a9fe]`` is the cloud metadata address 169.254.169.254; Python's ``is_global``
judges only the IPv6 form, so the embedded address is checked as well. The local-use NAT64 prefix
(``64:ff9b:1::/48``) may embed an IPv4 address at several positions and is never public: refused.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: IPv6Address) -> list[IPv4Address]:
    """The IPv4 addresses ``address`` carries in any of the forms gateways translate."""
    found: list[IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        found.append(IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(text: str) -> bool:
    """Whether ``text`` (an IP address) is a public unicast address, and so is every IPv4
    address it embeds."""
    address = ipaddress.ip_address(text)
    candidates: list[IPv4Address | IPv6Address] = [address]
    if isinstance(address, IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        candidates.extend(embedded_ipv4(address))
    return all(a.is_global and not a.is_multicast for a in candidates)

import ipaddress

import pytest

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.addresses import embedded_ipv4, is_public
from deepfake_detection.jobs.webhook import check_callback_url

# IPv6 forms of loopback, private and metadata IPv4 addresses that a NAT64, 6to4 or Teredo
# gateway (or a dual-stack host) turns back into those IPv4 addresses.
EMBEDDED_INTERNAL = [
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",  # IPv4-mapped
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud metadata address
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::808:808",  # the local-use NAT64 prefix: never public
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:7f00:1::1",  # Teredo with server 127.0.0.1
]


@pytest.mark.parametrize("address", EMBEDDED_INTERNAL)
def test_ipv6_forms_of_internal_ipv4_addresses_are_refused(address: str) -> None:
    assert not is_public(address)
    with pytest.raises(InvalidOptions, match="private or internal"):
        check_callback_url(f"http://[{address}]:8080/hook", allow_private=False)


def test_public_addresses_pass_also_in_their_ipv6_forms() -> None:
    for address in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"]:
        assert is_public(address), address
    nat64 = ipaddress.IPv6Address("64:ff9b::5db8:d822")
    assert embedded_ipv4(nat64) == [ipaddress.IPv4Address("93.184.216.34")]

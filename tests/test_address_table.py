"""The address guard against a pinned table of tricky addresses: a Python upgrade that changes ipaddress's tables,
or a change here, shows up as a failing row."""

import ipaddress

import pytest

from index.web.addresses import embedded_ipv4, public_only

# (address, why it is refused; None: newsbot may fetch from it).
TABLE = [
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("93.184.216.34", None),
    ("2606:4700:4700::1111", None),
    ("2001:4860:4860::8888", None),
    ("2002:808:808::", None),  # 6to4 of a public address
    ("64:ff9b::808:808", None),  # NAT64 of a public address
    ("::ffff:8.8.8.8", None),
    ("127.0.0.1", 'a loopback address'),
    ("127.1.2.3", 'a loopback address'),
    ("0.0.0.0", 'a private address'),
    ("10.0.0.1", 'a private address'),
    ("172.16.0.1", 'a private address'),
    ("192.168.1.1", 'a private address'),
    ("169.254.169.254", 'a cloud metadata address'),
    ("169.254.1.1", 'a link-local address'),
    ("100.100.100.200", 'a cloud metadata address'),  # Alibaba Cloud metadata
    ("100.64.0.1", 'not a public address'),  # carrier-grade NAT
    ("192.0.0.1", 'a private address'),
    ("192.0.0.8", 'a reserved address'),  # IETF protocol assignment Python calls global
    ("192.0.0.9", 'a reserved address'),  # IETF protocol assignment Python calls global
    ("192.0.0.170", 'a private address'),
    ("192.0.2.1", 'a private address'),
    ("198.18.0.1", 'a private address'),  # benchmarking
    ("198.51.100.1", 'a private address'),
    ("203.0.113.1", 'a private address'),
    ("224.0.0.1", 'a multicast address'),
    ("239.255.255.250", 'a multicast address'),
    ("240.0.0.1", 'a private address'),  # class E
    ("255.255.255.255", 'a private address'),
    ("::1", 'a loopback address'),
    ("::", 'a private address'),
    ("fe80::1", 'a link-local address'),
    ("fc00::1", 'a private address'),
    ("fd00:ec2::254", 'a cloud metadata address'),  # AWS metadata over IPv6
    ("ff02::1", 'a multicast address'),
    ("::ffff:127.0.0.1", 'a loopback address'),
    ("::ffff:169.254.169.254", 'a cloud metadata address'),
    ("::ffff:10.0.0.1", 'a private address'),
    ("::127.0.0.1", 'a reserved address'),  # IPv4-compatible (deprecated)
    ("2002:7f00:1::", 'a loopback address'),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::", 'a cloud metadata address'),  # 6to4 of the metadata address
    ("2002:a00:1::", 'a private address'),  # 6to4 of 10.0.0.1
    ("2002:c0a8:101::", 'a private address'),  # 6to4 of 192.168.1.1
    ("64:ff9b::7f00:1", 'a loopback address'),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", 'a cloud metadata address'),  # NAT64 of the metadata address
    ("64:ff9b::a00:1", 'a private address'),  # NAT64 of 10.0.0.1
    ("64:ff9b:1::a00:1", 'a private address'),  # local-use NAT64 of 10.0.0.1
    ("2001:db8::1", 'a private address'),  # documentation
    ("100::1", 'a private address'),  # discard-only
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", 'a private address'),  # Teredo
    ("2001:10::1", 'a private address'),  # ORCHID
]


@pytest.mark.parametrize(("address", "refusal"), TABLE)
def test_each_address_is_judged_as_pinned(address, refusal):
    assert public_only(ipaddress.ip_address(address)) == refusal


def test_the_whole_table_passes_and_refuses_all_but_the_public_ones():
    judged = [public_only(ipaddress.ip_address(address)) == refusal for address, refusal in TABLE]
    assert sum(judged) == len(TABLE) == 52
    assert [address for address, refusal in TABLE if refusal is None] == [
        "8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2001:4860:4860::8888", "2002:808:808::",
        "64:ff9b::808:808", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("address", "carried"), [
    ("::ffff:10.0.0.1", "10.0.0.1"), ("2002:7f00:1::", "127.0.0.1"), ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
    ("64:ff9b:1::a00:1", "10.0.0.1"), ("2606:4700:4700::1111", None), ("8.8.8.8", None)])
def test_the_ipv4_address_an_ipv6_address_leads_to(address, carried):
    found = embedded_ipv4(ipaddress.ip_address(address))
    assert (str(found) if found else None) == carried

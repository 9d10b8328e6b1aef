# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attacker addresses to block (ec2_contain's block_ips): parsed once, here, for the module and
for contain.yml's pre-task check (filter bulwark.aws.address_problems)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress


def parse(value):
    """The network of one address or CIDR block; a bare address is its /32 or /128. ValueError
    with one line (quoting the value) for anything else, a CIDR whose host bits are set, or /0."""
    text = str(value).strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError("%r is not an IPv4 or IPv6 address or CIDR block (e.g. 203.0.113.7, 198.51.100.0/24, "
                             "2001:db8::1)" % (value,))
        raise ValueError("%r has host bits set: did you mean %s?" % (value, loose))
    if network.prefixlen == 0:
        raise ValueError("%r is every address: blocking it would cut the VPC off; give the attacker's addresses"
                         % (value,))
    return network


def problems(values):
    """One line per value that parse() refuses; [] when every value is an address or CIDR block."""
    out = []
    for value in values or []:
        try:
            parse(value)
        except ValueError as e:
            out.append(str(e))
    return out


def networks(values):
    """The networks of ``values``, in order, each once (``203.0.113.7`` and ``203.0.113.7/32`` are one)."""
    out = []
    for value in values or []:
        network = parse(value)
        if network not in out:
            out.append(network)
    return out

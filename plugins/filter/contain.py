# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters contain.yml checks its variables with before any AWS call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.contain import addresses


def address_problems(values):
    """One line per value that is not an IPv4/IPv6 address or CIDR block (ec2_contain's block_ips rule)."""
    return addresses.problems(values)


def as_list(value):
    """A list from what -e gives: a list, or a string like "a,b" or "[a, b]" (-e block_ips=[a,b])."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = str(value).strip().strip("[]").split(",")
    return [str(i).strip().strip("'\"") for i in items if str(i).strip().strip("'\"")]


class FilterModule(object):
    def filters(self):
        return {"address_problems": address_problems, "as_list": as_list}

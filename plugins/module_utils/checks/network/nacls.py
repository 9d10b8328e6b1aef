# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""network.nacl_admin_ports of network_security (CIS 5.1), per region, from one read of the
network ACLs.

A network ACL admits the internet to a port when, walking its inbound entries by rule number,
the first entry for the whole internet (0.0.0.0/0, and ::/0 apart) that covers the port over
TCP (protocol 6 with a port range holding it, or -1, every protocol) allows. The fix,
block_nacl_admin_ports, adds a TCP deny entry for that port and source just ahead of the
allowing entry (the highest free rule number below it): the walk then meets the deny first.
Nothing is replaced or deleted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from functools import partial

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.common import (
    ANY_IPV4,
    ANY_IPV6,
    NACL,
    R_NACLS,
    port_label,
    ports_text,
)
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.security_groups import admin_ports

FAMILIES = (("CidrBlock", ANY_IPV4), ("Ipv6CidrBlock", ANY_IPV6))
OPT_IN = "block_nacl_admin_ports"


def covers(entry, port):
    protocol = str(entry.get("Protocol"))
    if protocol == "-1":
        return True
    if protocol != "6":
        return False
    ports = entry.get("PortRange")
    return not ports or ports.get("From", 0) <= port <= ports.get("To", 65535)


def first_match(inbound, field, internet, port):
    """The entry that decides whether ``internet`` reaches ``port`` over TCP, or None."""
    for entry in inbound:
        if entry.get(field) == internet and covers(entry, port):
            return entry
    return None


def entry_text(entry, internet):
    protocol = str(entry.get("Protocol"))
    if protocol == "-1":
        what = "all traffic"
    else:
        name = {"6": "tcp", "17": "udp"}.get(protocol, "protocol %s" % protocol)
        ports = entry.get("PortRange")
        if not ports:
            what = "%s all ports" % name
        elif ports.get("From") == ports.get("To"):
            what = "%s %s" % (name, ports.get("From"))
        else:
            what = "%s %s-%s" % (name, ports.get("From"), ports.get("To"))
    return "rule %d %s %s from %s" % (entry["RuleNumber"], entry.get("RuleAction"), what, internet)


def open_entries(acl, ports):
    """[(field, internet, port, allowing entry)] of every family and admin port the ACL admits."""
    inbound = sorted((e for e in acl.get("Entries") or [] if not e.get("Egress")), key=lambda e: e["RuleNumber"])
    found = []
    for field, internet in FAMILIES:
        for port in ports:
            entry = first_match(inbound, field, internet, port)
            if entry is not None and entry.get("RuleAction") == "allow":
                found.append((field, internet, port, entry))
    return inbound, found


def plan_denies(inbound, found):
    """(denies, stuck): the deny entries to add, each (rule number, field, internet, port), at the
    highest free rule number below the entry it must precede; stuck, those with no free number."""
    used = set(e["RuleNumber"] for e in inbound)
    denies, stuck = [], []
    for field, internet, port, entry in found:
        number = next((n for n in range(entry["RuleNumber"] - 1, 0, -1) if n not in used), None)
        if number is None:
            stuck.append((field, internet, port, entry))
            continue
        used.add(number)
        denies.append((number, field, internet, port))
    return denies, stuck


def add_denies(ec2, acl_id, denies):
    for number, field, internet, port in denies:
        ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=number, Protocol="6", RuleAction="deny",
                                     Egress=False, PortRange={"From": port, "To": port}, **{field: internet})


def check_nacls(run):
    ec2 = run.client("ec2")
    acls = aws.paginate(ec2, "describe_network_acls", "NetworkAcls")
    ports = admin_ports(run)
    passing = 0
    for acl in acls:
        acl_id = acl["NetworkAclId"]
        inbound, found = open_entries(acl, ports)
        if not found:
            passing += 1
            continue
        by_entry = {}
        for _field, internet, port, entry in found:
            by_entry.setdefault((entry["RuleNumber"], internet), (entry, []))[1].append(port)
        problem = "network ACL %s (%s%s) admits the internet to admin ports: %s" % (
            acl_id, acl.get("VpcId") or "?", ", default" if acl.get("IsDefault") else "",
            "; ".join("%s (%s)" % (entry_text(entry, internet), port_label(open_ports))
                      for (_n, internet), (entry, open_ports) in sorted(by_entry.items())))
        denies, stuck = plan_denies(inbound, found)
        if stuck and not run.is_waived(NACL, acl_id):
            then = "run again" if run.params[OPT_IN] else "set %s: true" % run.m.option(OPT_IN)
            run.noncompliant(NACL, False, False, "%s; no free rule number below rule %s for a deny of %s: renumber "
                             "the entries to leave room ahead of the allow, then %s" % (
                                 problem, ", ".join(sorted(set(str(e["RuleNumber"]) for _f, _i, _p, e in stuck))),
                                 ", ".join("tcp %d from %s" % (p, i) for _f, i, p, _e in stuck), then), resource=acl_id)
            continue
        detail = "deny " + ", ".join("%d tcp %d from %s" % (n, port, internet) for n, _f, internet, port in denies)
        run.remediate(NACL, acl_id, problem, ["ec2:CreateNetworkAclEntry %s" % acl_id],
                      partial(add_denies, ec2, acl_id, denies), opt_in=OPT_IN, detail=detail,
                      todo="add inbound deny entries ahead of the allow (%s)" % detail.split(" ", 1)[1])
    if not acls:
        run.add(NACL, "pass", "no network ACLs in this region", resource=R_NACLS)
    elif passing:
        run.add(NACL, "pass", "%s: none admits %s or %s to %s" % (counted(passing, "network ACL"), ANY_IPV4, ANY_IPV6,
                                                                  ports_text(ports)), resource=R_NACLS)

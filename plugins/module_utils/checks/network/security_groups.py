# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups of network_security, per region, from one read of the groups and one of
their rules: network.admin_ports_ipv4 / network.admin_ports_ipv6 (CIS 5.2 / 5.3: no inbound rule
admits the whole internet to an admin port) and network.default_security_group (CIS 5.4: every
default security group has no rule at all)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from functools import partial

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.common import (
    ADMIN_V4,
    ADMIN_V6,
    ANY_IPV4,
    ANY_IPV6,
    DEFAULT_SG,
    R_SECURITY_GROUPS,
    listed,
    port_label,
    ports_text,
)

PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# (control, rule field, the whole internet) of the two admin_ports controls.
FAMILIES = ((ADMIN_V4, "CidrIpv4", ANY_IPV4), (ADMIN_V6, "CidrIpv6", ANY_IPV6))


def admin_ports(run):
    return sorted(set(run.params["admin_ports"]))


def all_ports(rule):
    return rule.get("FromPort") in (None, -1) or rule.get("ToPort") in (None, -1)


def covers(rule, port):
    """True when an inbound rule admits TCP traffic to ``port`` ("-1" is every protocol)."""
    protocol = str(rule.get("IpProtocol"))
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    return all_ports(rule) or rule["FromPort"] <= port <= rule["ToPort"]


def peer(rule):
    group = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
    return rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId") or group or "?"


def rule_text(rule):
    """One rule as an operator reads it: "sgr-0ab12 tcp 22 from 0.0.0.0/0"."""
    protocol = str(rule.get("IpProtocol"))
    if protocol == "-1":
        what = "all traffic"
    else:
        name = PROTOCOLS.get(protocol, protocol)
        if name.startswith("icmp") or all_ports(rule) or (rule["FromPort"], rule["ToPort"]) == (0, 65535):
            what = "%s all ports" % name if not name.startswith("icmp") else name
        elif rule["FromPort"] == rule["ToPort"]:
            what = "%s %d" % (name, rule["FromPort"])
        else:
            what = "%s %d-%d" % (name, rule["FromPort"], rule["ToPort"])
    return "%s %s %s %s" % (rule["SecurityGroupRuleId"], what, "to" if rule.get("IsEgress") else "from", peer(rule))


def rule_order(rule):
    """Messages list rules in a stable order: inbound first, by port."""
    port = rule.get("FromPort")
    return (bool(rule.get("IsEgress")), -1 if port is None else port, rule["SecurityGroupRuleId"])


def group_text(group):
    return "%s (%s, %s)" % (group["GroupId"], group.get("GroupName") or "?", group.get("VpcId") or "no VPC")


def summary(run, control, total, passing, text):
    """The one `pass` finding of a control and region for the groups that pass."""
    if not total:
        run.add(control, "pass", "no security groups in this region", resource=R_SECURITY_GROUPS)
    elif passing:
        run.add(control, "pass", "%s: %s" % (counted(passing, "security group"), text), resource=R_SECURITY_GROUPS)


def check_admin_ports(run, reads):
    """network.admin_ports_ipv4 and network.admin_ports_ipv6: one finding per group admitting
    0.0.0.0/0 (::/0) to an admin port, naming each rule; with revoke_open_admin_ports, those
    rules (and only those) are revoked."""
    groups = reads.security_groups()
    rules = reads.security_group_rules()
    ports = admin_ports(run)
    ec2 = run.client("ec2")
    for control, field, internet in FAMILIES:
        if not run.wants(control):
            continue
        passing = 0
        for group in groups:
            gid = group["GroupId"]
            found = [(r, [p for p in ports if covers(r, p)]) for r in rules.get(gid, [])
                     if not r.get("IsEgress") and r.get(field) == internet]
            found = sorted(((r, open_ports) for r, open_ports in found if open_ports), key=lambda f: rule_order(f[0]))
            if not found:
                passing += 1
                continue
            opened = sorted(set(p for _r, open_ports in found for p in open_ports))
            problem = "security group %s admits %s to %s: %s" % (
                group_text(group), internet, port_label(opened), "; ".join(rule_text(r) for r, _p in found))
            rule_ids = [r["SecurityGroupRuleId"] for r, _p in found]
            run.remediate(control, gid, problem, ["ec2:RevokeSecurityGroupIngress %s" % gid],
                          partial(revoke, ec2, reads, "ingress", gid, rule_ids),
                          opt_in="revoke_open_admin_ports",
                          todo="revoke %s (admit known addresses, or use Session Manager)"
                               % ("this rule" if len(found) == 1 else "these rules"))
        summary(run, control, len(groups), passing, "none admits %s to %s" % (internet, ports_text(ports)))


def revoke(ec2, reads, direction, group_id, rule_ids):
    rule_ids = [r for r in rule_ids if r not in reads.revoked]
    if not rule_ids:
        return
    if direction == "ingress":
        ec2.revoke_security_group_ingress(GroupId=group_id, SecurityGroupRuleIds=rule_ids)
    else:
        ec2.revoke_security_group_egress(GroupId=group_id, SecurityGroupRuleIds=rule_ids)
    reads.revoked.update(rule_ids)


def revoke_all(ec2, reads, group_id, ingress, egress):
    if ingress:
        revoke(ec2, reads, "ingress", group_id, ingress)
    if egress:
        revoke(ec2, reads, "egress", group_id, egress)


def check_default_groups(run, reads):
    """network.default_security_group: one finding per default security group with rules. With
    restrict_default_security_groups its rules are revoked, only when no network interface uses
    the group (revoking them would cut those interfaces off)."""
    groups = [g for g in reads.security_groups() if g.get("GroupName") == "default"]
    rules = reads.security_group_rules()
    ec2 = run.client("ec2")
    passing = 0
    for group in groups:
        gid = group["GroupId"]
        # Rules an admin_ports fix revoked in this run are gone.
        current = sorted((r for r in rules.get(gid, []) if r["SecurityGroupRuleId"] not in reads.revoked),
                         key=rule_order)
        if not current:
            passing += 1
            continue
        problem = "default security group %s of %s has %s: %s" % (
            gid, group.get("VpcId") or "no VPC", counted(len(current), "rule"),
            "; ".join(rule_text(r) for r in current))
        if run.is_waived(DEFAULT_SG, gid):
            run.add(DEFAULT_SG, "drift", problem, resource=gid)  # findings.add makes it `waived`
            continue
        used = reads.interfaces_by_group().get(gid, [])
        if used:
            then = "" if run.params["restrict_default_security_groups"] else \
                ", then set %s: true" % run.m.option("restrict_default_security_groups")
            run.noncompliant(DEFAULT_SG, False, False, "%s; used by %s: move them to a security group of their own "
                             "first%s" % (problem, listed(sorted(used)), then), resource=gid)
            continue
        ingress = [r["SecurityGroupRuleId"] for r in current if not r.get("IsEgress")]
        egress = [r["SecurityGroupRuleId"] for r in current if r.get("IsEgress")]
        actions = (["ec2:RevokeSecurityGroupIngress %s" % gid] if ingress else []) + \
            (["ec2:RevokeSecurityGroupEgress %s" % gid] if egress else [])
        run.remediate(DEFAULT_SG, gid, problem, actions, partial(revoke_all, ec2, reads, gid, ingress, egress),
                      opt_in="restrict_default_security_groups",
                      todo="revoke %s (no network interface uses the group)" % ("it" if len(current) == 1 else "them"))
    if not groups:
        run.add(DEFAULT_SG, "pass", "no default security groups in this region (no VPCs)", resource=R_SECURITY_GROUPS)
    elif passing:
        run.add(DEFAULT_SG, "pass", "%s: no inbound or outbound rule" % counted(passing, "default security group"),
                resource=R_SECURITY_GROUPS)

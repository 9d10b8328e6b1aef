# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every concern of network_security shares: the control ids, the resource labels of the
summary findings, and the region's reads (each made once, whatever the number of controls using
it). A non-compliant resource becomes its finding, and its fix, with RegionRun.remediate."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.domain import service_roles

CONTROLS = ids(module="network_security")
DEFAULT_SG = "network.default_security_group"
ADMIN_V4 = "network.admin_ports_ipv4"
ADMIN_V6 = "network.admin_ports_ipv6"
NACL = "network.nacl_admin_ports"
IMDS = "network.imdsv2"
FLOW_LOGS = "network.vpc_flow_logs"

# The resource of a control's summary finding (the resources that pass, counted).
R_SECURITY_GROUPS = "security-groups"
R_NACLS = "network-acls"
R_INSTANCES = "instances"
R_VPCS = "vpcs"
R_IMDS_DEFAULTS = "instance-metadata-defaults"

ANY_IPV4 = "0.0.0.0/0"
ANY_IPV6 = "::/0"
MANAGED_TAG = service_roles.MANAGED_TAG
MAX_LISTED = 5  # resources named in one message ("eni-1, eni-2, ... and 7 more")


def listed(names, limit=MAX_LISTED):
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return "%s and %d more" % (", ".join(names[:limit]), len(names) - limit)


def ports_text(ports):
    return ", ".join(str(p) for p in ports)


def port_label(ports):
    """"port 22" or "ports 22, 3389"."""
    return "%s %s" % ("port" if len(ports) == 1 else "ports", ports_text(ports))


def name_of(resource):
    """The Name tag of an EC2 resource, or None."""
    for tag in resource.get("Tags") or []:
        if tag.get("Key") == "Name" and tag.get("Value"):
            return tag["Value"]
    return None


class Reads:
    """One region's EC2 reads, each one paginated call made at most once: the security groups
    and their rules serve default_security_group and both admin_ports controls. A read that
    failed raises the same fault again for every control that needs it (each gets its error).

    ``revoked`` holds the security group rule ids revoked in this run, so that a rule two
    controls would revoke is revoked once."""

    def __init__(self, run):
        self.run = run
        self._done = {}
        self.revoked = set()

    def _once(self, key, read):
        if key not in self._done:
            try:
                self._done[key] = (True, read())
            except Exception as e:  # pylint: disable=broad-exception-caught  # re-raised below
                self._done[key] = (False, e)
        ok, value = self._done[key]
        if not ok:
            raise value
        return value

    def _paginate(self, operation, key, **kwargs):
        return aws.paginate(self.run.client("ec2"), operation, key, **kwargs)

    def security_groups(self):
        return self._once("groups", lambda: self._paginate("describe_security_groups", "SecurityGroups"))

    def security_group_rules(self):
        """{group id: [rule, ...]} of every rule in the region."""
        def read():
            out = {}
            for rule in self._paginate("describe_security_group_rules", "SecurityGroupRules"):
                out.setdefault(rule["GroupId"], []).append(rule)
            return out
        return self._once("rules", read)

    def interfaces_by_group(self):
        """{security group id: [network interface id, ...]} of every interface in the region."""
        def read():
            out = {}
            for eni in self._paginate("describe_network_interfaces", "NetworkInterfaces"):
                for group in eni.get("Groups") or []:
                    out.setdefault(group["GroupId"], []).append(eni["NetworkInterfaceId"])
            return out
        return self._once("interfaces", read)

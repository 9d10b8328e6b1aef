# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.network_security module (its file holds the documentation).

bulwark.aws.network_security runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.

The controls live in module_utils/checks/network/, a file per concern: security_groups.py
(default_security_group, admin_ports_ipv4, admin_ports_ipv6), nacls.py, imds.py and flow_logs.py
(with the delivery role made once per run); common.py has the control ids, the region's shared
reads and the finding helper. Every enabled region is evaluated in parallel, each concern guarded
on its own: an AWS fault there is an `error` finding for that region and concern only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network import flow_logs, imds, nacls, security_groups
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.common import (
    ADMIN_V4,
    ADMIN_V6,
    CONTROLS,
    DEFAULT_SG,
    FLOW_LOGS,
    IMDS,
    NACL,
    Reads,
)


def validate(params, _named):
    regions_util.validate_regions(params)
    ports = params["admin_ports"]
    if not ports:
        raise ValueError("admin_ports: give at least one port (default 22 and 3389)")
    bad = [p for p in ports if not 1 <= p <= 65535]
    if bad:
        raise ValueError("admin_ports: %s %s not a port number (1 to 65535)"
                         % (", ".join(str(p) for p in bad), "is" if len(bad) == 1 else "are"))
    ctu.validate_retention(params["flow_logs_retention_days"], option="flow_logs_retention_days")
    ctu.validate_log_group_name(params["flow_logs_log_group"], option="flow_logs_log_group")
    ctu.validate_role_name(params["flow_logs_role_name"], "flow_logs_role_name")


def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        admin_ports=dict(type="list", elements="int", default=[22, 3389]),
        restrict_default_security_groups=dict(type="bool", default=False),
        revoke_open_admin_ports=dict(type="bool", default=False),
        block_nacl_admin_ports=dict(type="bool", default=False),
        require_imdsv2_on_instances=dict(type="bool", default=False),
        flow_logs_traffic_type=dict(type="str", default="REJECT", choices=["REJECT", "ALL"]),
        flow_logs_log_group=dict(type="str", default="/bulwark/vpc-flow-logs"),
        flow_logs_retention_days=dict(type="int", default=365),
        flow_logs_role_name=dict(type="str", default="bulwark-vpc-flow-logs"),
    )
    return spec


def check_region(run, delivery):
    """Every control of one region, each concern guarded on its own; the security groups and
    their rules are read once for the three security group controls."""
    reads = Reads(run)
    # admin_ports first: a rule it revokes is not revoked again as a default security group's.
    run.guard([ADMIN_V4, ADMIN_V6], "ec2", security_groups.check_admin_ports, run, reads)
    run.guard([DEFAULT_SG], "ec2", security_groups.check_default_groups, run, reads)
    run.guard([NACL], "ec2", nacls.check_nacls, run)
    if run.wants(IMDS):
        imds.check_defaults(run)  # its own error finding (resource instance-metadata-defaults)
    run.guard([IMDS], "ec2", imds.check_instances, run)
    run.guard([FLOW_LOGS], "ec2", flow_logs.check_flow_logs, run, delivery)


def body(m):
    plan = regions_util.RegionPlan([])
    if m.wants(*CONTROLS):
        plan = regions_util.plan_regions(m, m.params["regions"], CONTROLS)
    delivery = flow_logs.delivery_role(m)
    if plan.regions:
        regions_util.for_each_region(m, plan.regions, lambda run: check_region(run, delivery), CONTROLS)
    result = dict(regions=plan.as_result())
    if delivery.role:
        result["flow_logs_role"] = delivery.role
    m.exit(**result)


DEFINITION = Definition("network_security", argument_spec, CONTROLS, body, validate)

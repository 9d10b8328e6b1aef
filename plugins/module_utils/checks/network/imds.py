# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""network.imdsv2 of network_security (CIS 5.6), per region: the account's default for new
instances requires IMDSv2 (fixed automatically: it changes no running instance), and every
instance requires it or has its metadata endpoint off (fixed with require_imdsv2_on_instances
only: software still using IMDSv1 on it stops getting credentials)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from functools import partial

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.common import (
    IMDS,
    R_IMDS_DEFAULTS,
    R_INSTANCES,
    name_of,
)

LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def named_error(exc, operation):
    """describe_error's line, naming the operation whatever the fault (an emulator's
    NotImplementedError or unparsable answer does not)."""
    message = aws.describe_error(exc, "ec2")
    if operation in message:
        return message
    if message.startswith("ec2: "):
        message = message[len("ec2: "):]
    return "ec2 %s failed: %s" % (operation, message)


def check_defaults(run):
    """The account default of the region (ec2:GetInstanceMetadataDefaults): its own `error`
    finding, resource instance-metadata-defaults, when the call fails."""
    ec2 = run.client("ec2")
    try:
        level = ec2.get_instance_metadata_defaults().get("AccountLevel") or {}
    except regions_util.AWS_FAULTS as e:
        run.error_for([IMDS], named_error(e, "GetInstanceMetadataDefaults"), resource=R_IMDS_DEFAULTS)
        return
    tokens = level.get("HttpTokens")
    if tokens == "required":
        run.add(IMDS, "pass", "instances launched in this region require IMDSv2 by default (account default)",
                resource=R_IMDS_DEFAULTS)
        return
    problem = "instances launched in this region allow IMDSv1 unless their AMI or launch asks for IMDSv2 " \
              "(account default HttpTokens: %s)" % (tokens or "no preference")
    if level.get("ManagedBy") == "declarative-policy" and not run.is_waived(IMDS, R_IMDS_DEFAULTS):
        run.noncompliant(IMDS, False, False, "%s; a declarative policy of the organization sets it%s: change it "
                         "there" % (problem, " (%s)" % level["ManagedExceptionMessage"]
                                    if level.get("ManagedExceptionMessage") else ""), resource=R_IMDS_DEFAULTS)
        return
    run.remediate(IMDS, R_IMDS_DEFAULTS, problem, ["ec2:ModifyInstanceMetadataDefaults"],
                  lambda: ec2.modify_instance_metadata_defaults(HttpTokens="required"), service="ec2")


def allows_imdsv1(instance):
    options = instance.get("MetadataOptions") or {}
    return options.get("HttpTokens") != "required" and options.get("HttpEndpoint") != "disabled"


def check_instances(run):
    """Every instance that is not terminated: one finding per instance allowing IMDSv1."""
    ec2 = run.client("ec2")
    instances = [i for r in aws.paginate(ec2, "describe_instances", "Reservations",
                                         Filters=[{"Name": "instance-state-name", "Values": LIVE_STATES}])
                 for i in r.get("Instances") or []]
    passing = 0
    for instance in instances:
        if not allows_imdsv1(instance):
            passing += 1
            continue
        iid = instance["InstanceId"]
        name = name_of(instance)
        problem = "instance %s%s (%s) allows IMDSv1 (HttpTokens %s)" % (
            iid, " %s" % name if name else "", (instance.get("State") or {}).get("Name", "?"),
            (instance.get("MetadataOptions") or {}).get("HttpTokens") or "optional")
        run.remediate(IMDS, iid, problem, ["ec2:ModifyInstanceMetadataOptions %s" % iid],
                      partial(ec2.modify_instance_metadata_options, InstanceId=iid, HttpTokens="required"),
                      opt_in="require_imdsv2_on_instances",
                      todo="require IMDSv2 on it, once you know its software uses IMDSv2")
    if not instances:
        run.add(IMDS, "pass", "no instances in this region (pending, running, stopping or stopped)",
                resource=R_INSTANCES)
    elif passing:
        run.add(IMDS, "pass", "%s: IMDSv2 required or the metadata endpoint off" % counted(passing, "instance"),
                resource=R_INSTANCES)

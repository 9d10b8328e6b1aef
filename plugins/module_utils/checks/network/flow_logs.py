# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""network.vpc_flow_logs of network_security (CIS 3.7), per region: every VPC has an active flow
log of rejected (or all) traffic, whatever its destination.

The fix (automatic, billed per GB ingested) sends the VPCs that have none to one CloudWatch Logs
group per region (flow_logs_log_group, made with flow_logs_retention_days; a retention is only
ever raised) through one IAM role (flow_logs_role_name), made once per run by the first region
that needs it; an existing role of that name is used as it is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import log_groups
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.domain import service_roles
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network.common import (
    FLOW_LOGS,
    MANAGED_TAG,
    R_VPCS,
    name_of,
)

SERVICE = "vpc-flow-logs.amazonaws.com"
ROLE_POLICY_NAME = "bulwark-vpc-flow-logs-delivery"
LOGGED = ("REJECT", "ALL")  # what CIS 3.7 asks for at least: rejected traffic
CREATE_BATCH = 25  # VPCs per ec2:CreateFlowLogs call
ALREADY_EXISTS = "FlowLogAlreadyExists"  # the same flow log (resource, traffic, destination) exists


def role_permissions(partition, account, log_group):
    return {"Version": policy.VERSION, "Statement": [{
        "Sid": "FlowLogsWriteToTheirLogGroup", "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        "Resource": "arn:%s:logs:*:%s:log-group:%s:*" % (partition, account, log_group)}]}


def delivery_role(m):
    """The role VPC flow logs deliver with (flow_logs_role_name), made once per run."""
    return service_roles.ServiceRole(
        m, m.params["flow_logs_role_name"], SERVICE, ROLE_POLICY_NAME,
        lambda ident: role_permissions(ident["partition"], ident["account_id"], m.params["flow_logs_log_group"]),
        "VPC flow logs deliver to CloudWatch Logs (bulwark.aws)")


def ensure_log_group(run):
    """The region's log group: made with the retention asked for, or its retention raised."""
    logs = run.client("logs")
    group = run.params["flow_logs_log_group"]
    days = run.params["flow_logs_retention_days"]
    found = log_groups.find(logs, group)
    if found is None:
        run.record_change("logs:CreateLogGroup %s" % group)
        run.record_change("logs:PutRetentionPolicy %s" % group)
        if run.may_change:
            log_groups.create(logs, group, days)
    elif log_groups.retention_too_short(found, days):
        run.record_change("logs:PutRetentionPolicy %s" % group)
        if run.may_change:
            logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    return True


def vpc_text(vpc):
    name = name_of(vpc)
    return "VPC %s%s%s" % (vpc["VpcId"], " %s" % name if name else "", " (default)" if vpc.get("IsDefault") else "")


def missing_text(flow_logs):
    if not flow_logs:
        return "has no flow log"
    return "has no active flow log of rejected traffic (%s)" % ", ".join(
        "%s: %s, %s" % (f.get("FlowLogId"), f.get("TrafficType"), f.get("FlowLogStatus")) for f in flow_logs)


def check_flow_logs(run, delivery):
    ec2 = run.client("ec2")
    vpcs = aws.paginate(ec2, "describe_vpcs", "Vpcs")
    if not vpcs:
        run.add(FLOW_LOGS, "pass", "no VPCs in this region", resource=R_VPCS)
        return
    by_vpc = {}
    for flow_log in aws.paginate(ec2, "describe_flow_logs", "FlowLogs"):
        by_vpc.setdefault(flow_log.get("ResourceId"), []).append(flow_log)
    missing = [v for v in vpcs if not any(f.get("TrafficType") in LOGGED and f.get("FlowLogStatus") == "ACTIVE"
                                          for f in by_vpc.get(v["VpcId"], []))]
    if len(missing) < len(vpcs):
        run.add(FLOW_LOGS, "pass", "%s: an active flow log of rejected traffic"
                % counted(len(vpcs) - len(missing), "VPC"), resource=R_VPCS)
    problems = dict((v["VpcId"], "%s %s" % (vpc_text(v), missing_text(by_vpc.get(v["VpcId"])))) for v in missing)
    to_fix = []
    for vpc in missing:
        if run.is_waived(FLOW_LOGS, vpc["VpcId"]):
            run.add(FLOW_LOGS, "drift", problems[vpc["VpcId"]], resource=vpc["VpcId"])  # becomes `waived`
        else:
            to_fix.append(vpc["VpcId"])
    if not to_fix:
        return
    role_arn = run.guard([FLOW_LOGS], "iam", delivery.arn)
    if role_arn is None or not run.guard([FLOW_LOGS], "logs", ensure_log_group, run):
        return
    group = run.params["flow_logs_log_group"]
    traffic = run.params["flow_logs_traffic_type"]
    failed, meanwhile = {}, set()

    def create(vpc_ids):
        try:
            answer = ec2.create_flow_logs(
                ResourceIds=vpc_ids, ResourceType="VPC", TrafficType=traffic, LogDestinationType="cloud-watch-logs",
                LogGroupName=group, DeliverLogsPermissionArn=role_arn,
                TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [MANAGED_TAG]}])
        except aws.ClientError as e:
            if aws.error_code(e) != ALREADY_EXISTS:
                raise
            if len(vpc_ids) > 1:  # which of them has one: each on its own
                for vpc_id in vpc_ids:
                    create([vpc_id])
            else:
                meanwhile.update(vpc_ids)
            return
        for item in answer.get("Unsuccessful") or []:
            error = item.get("Error") or {}
            if error.get("Code") == ALREADY_EXISTS:
                meanwhile.add(item.get("ResourceId"))
            else:
                failed[item.get("ResourceId")] = "%s (%s)" % (error.get("Code") or "?", error.get("Message") or "")

    for start in range(0, len(to_fix), CREATE_BATCH):
        batch = to_fix[start:start + CREATE_BATCH]
        run.record_change("ec2:CreateFlowLogs %s" % ", ".join(batch))
        if run.may_change:
            create(batch)
    what = "a flow log of %s traffic to log group %s" % ("rejected" if traffic == "REJECT" else "all", group)
    for vpc_id in to_fix:
        if vpc_id in meanwhile:
            # Another run at the same time made the same flow log first: there is one, once.
            run.add(FLOW_LOGS, "pass", "VPC %s: %s, made meanwhile by another run" % (vpc_id, what), resource=vpc_id)
        elif vpc_id in failed:
            run.add(FLOW_LOGS, "error", "%s: ec2 CreateFlowLogs failed for it: %s" % (problems[vpc_id], failed[vpc_id]),
                    resource=vpc_id)
        elif run.may_change:
            run.noncompliant(FLOW_LOGS, True, True, "%s: created %s with ec2:CreateFlowLogs" % (problems[vpc_id], what),
                             resource=vpc_id)
        else:
            run.noncompliant(FLOW_LOGS, True, False, "%s: would create %s with ec2:CreateFlowLogs"
                             % (problems[vpc_id], what), resource=vpc_id)

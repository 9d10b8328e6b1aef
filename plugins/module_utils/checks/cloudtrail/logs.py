# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Log delivery of the trail in cloudtrail_trail_ensure (cloudtrail.cloudwatch_logs): the log
group (made, its retention only ever raised) and the IAM role CloudTrail delivers to it with
(made or fixed: trust, and a policy to write to that group)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import log_groups
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.domain.service_roles import get_role
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import CLOUDWATCH

DEFAULT_LOG_GROUP = "bulwark-cloudtrail"
ROLE_POLICY_NAME = "bulwark-cloudtrail-to-cloudwatch-logs"


def plan(run):
    """The log group (the one given, the trail's, else the default) and the role: the trail's
    while it keeps its group, else the role of the options (after trail.plan)."""
    trail = run.found("trail")
    current_group = ctu.parse_log_group_arn(trail.get("CloudWatchLogsLogGroupArn"))
    run.log_group = run.p["log_group_name"] or (current_group[2] if current_group else DEFAULT_LOG_GROUP)
    run.log_group_arn = ctu.log_group_arn(run.partition, run.region, run.account, run.log_group)
    keep_role = current_group and current_group[2] == run.log_group and trail.get("CloudWatchLogsRoleArn")
    run.role_arn = trail.get("CloudWatchLogsRoleArn") if keep_role else role_arn(run)


def role_arn(run):
    return "arn:%s:iam::%s:role/%s" % (run.partition, run.account, run.p["cloudwatch_logs_role_name"])


def ensure_logs(run):
    if not run.m.findings.wants(CLOUDWATCH):
        return
    trail = run.found("trail")
    if run.foreign:
        if trail.get("CloudWatchLogsLogGroupArn"):
            run.verdict(CLOUDWATCH, "pass", "the organization trail delivers to CloudWatch Logs")
        else:
            run.verdict(CLOUDWATCH, "manual", "the organization trail does not deliver to CloudWatch Logs: fix it in "
                        "its account")
        return
    if run.trail_exists and not trail.get("CloudWatchLogsLogGroupArn"):
        run.problem(CLOUDWATCH, "the trail does not deliver to CloudWatch Logs")
    elif run.trail_exists and trail["CloudWatchLogsLogGroupArn"] != run.log_group_arn:
        run.problem(CLOUDWATCH, "the trail delivers to %s, not %s" % (trail["CloudWatchLogsLogGroupArn"], run.log_group))
    ensure_log_group(run)
    ensure_logs_role(run)
    error = run.found("status").get("LatestCloudWatchLogsDeliveryError")
    if error and not run.outcome(CLOUDWATCH).problems:
        run.verdict(CLOUDWATCH, "fail", "CloudTrail reports a delivery error to %s: %s; check the role %s and the log "
                    "group" % (run.log_group, error, run.role_arn))


def ensure_log_group(run):
    logs = run.m.client("logs", run.region)
    group = log_groups.find(logs, run.log_group)
    days = run.p["log_retention_days"]
    if group is None:
        run.problem(CLOUDWATCH, "log group %s does not exist" % run.log_group,
                    "create log group %s (retention %d days)" % (run.log_group, days))
        if not run.fixable(CLOUDWATCH):
            return
        run.m.record_change("logs:CreateLogGroup %s" % run.log_group)
        if run.m.may_change:
            log_groups.create(logs, run.log_group, days)
        return
    if log_groups.retention_too_short(group, days):
        run.problem(CLOUDWATCH, "log group %s keeps logs %d days" % (run.log_group, group["retentionInDays"]),
                    "raise its retention to %d days" % days)
        if not run.fixable(CLOUDWATCH):
            return
        run.m.record_change("logs:PutRetentionPolicy %s" % run.log_group)
        if run.m.may_change:
            logs.put_retention_policy(logGroupName=run.log_group, retentionInDays=days)


def ensure_logs_role(run):
    iam = run.m.client("iam")
    ours = run.p["cloudwatch_logs_role_name"]
    name = run.role_arn.rsplit("/", 1)[-1]
    if name != ours:
        if get_role(iam, name):
            return  # the account's own role: CloudTrail's delivery status tells whether it works
        run.problem(CLOUDWATCH, "the trail's role %s does not exist" % run.role_arn)
        run.role_arn = role_arn(run)
    statement = ctu.logs_role_statement(run.partition, run.region, run.account, run.log_group)
    role = get_role(iam, ours)
    if role is None:
        run.problem(CLOUDWATCH, "role %s does not exist" % ours, "create role %s for CloudTrail" % ours)
        if run.fixable(CLOUDWATCH):
            run.m.record_change("iam:CreateRole %s" % ours)
            run.m.record_change("iam:PutRolePolicy %s/%s" % (ours, ROLE_POLICY_NAME))
            if run.m.may_change:
                try:
                    iam.create_role(RoleName=ours, AssumeRolePolicyDocument=policy.dumps(ctu.logs_role_trust()),
                                    Description="CloudTrail delivers the security trail to CloudWatch Logs "
                                                "(bulwark.aws)",
                                    Tags=[{"Key": "managed-by", "Value": "bulwark.aws"}])
                except aws.ClientError as e:
                    if aws.error_code(e) != "EntityAlreadyExists":
                        raise
                    # Made meanwhile by another run (an apply at the same time): make sure it
                    # trusts CloudTrail, as the role this run would have made.
                    iam.update_assume_role_policy(RoleName=ours, PolicyDocument=policy.dumps(ctu.logs_role_trust()))
                put_role_policy(iam, ours, statement)
        return
    if not policy.allows(role.get("AssumeRolePolicyDocument"), ("Service", ctu.SERVICE), "sts:AssumeRole", "*"):
        run.problem(CLOUDWATCH, "role %s does not trust CloudTrail" % ours, "set its trust policy")
        if run.fixable(CLOUDWATCH):
            run.m.record_change("iam:UpdateAssumeRolePolicy %s" % ours)
            if run.m.may_change:
                iam.update_assume_role_policy(RoleName=ours, PolicyDocument=policy.dumps(ctu.logs_role_trust()))
    try:
        current = iam.get_role_policy(RoleName=ours, PolicyName=ROLE_POLICY_NAME)["PolicyDocument"]
    except aws.ClientError as e:
        if aws.error_code(e) != "NoSuchEntity":
            raise
        current = {}
    if not policy.grants_statement(current, statement):
        run.problem(CLOUDWATCH, "role %s may not write to %s" % (ours, run.log_group),
                    "set its policy %s" % ROLE_POLICY_NAME)
        if run.fixable(CLOUDWATCH):
            run.m.record_change("iam:PutRolePolicy %s/%s" % (ours, ROLE_POLICY_NAME))
            if run.m.may_change:
                put_role_policy(iam, ours, statement)


def put_role_policy(iam, name, statement):
    iam.put_role_policy(RoleName=name, PolicyName=ROLE_POLICY_NAME,
                        PolicyDocument=policy.dumps({"Version": policy.VERSION, "Statement": [statement]}))

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudWatch Logs groups that bulwark.aws delivers to (the trail's, the VPC flow logs'): found
by exact name, made with a retention, whose retention is only ever raised (a shorter one
deletes logs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

MANAGED_TAGS = {"managed-by": "bulwark.aws"}


def find(logs, name):
    """The log group named ``name`` (describe_log_groups' entry), or None."""
    return next((g for g in aws.paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name)
                 if g["logGroupName"] == name), None)


def create(logs, name, days):
    """Make the group with ``days`` of retention; one made meanwhile by another run is the same group."""
    try:
        logs.create_log_group(logGroupName=name, tags=dict(MANAGED_TAGS))
    except aws.ClientError as e:
        if aws.error_code(e) != "ResourceAlreadyExistsException":
            raise
    logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def retention_too_short(group, days):
    """True when the group keeps logs fewer than ``days`` days (no retention set: forever)."""
    current = group.get("retentionInDays")
    return current is not None and current < days

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM roles that an AWS service assumes to deliver for bulwark.aws (VPC flow logs to CloudWatch
Logs, EventBridge to the home region's bus). A run needs one such role in many regions at once:
the first region that needs it looks it up, or makes it, under a lock; every later region gets the
ARN, or the same AWS fault. An existing role of that name is used as it is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy

MANAGED_TAG = {"Key": "managed-by", "Value": "bulwark.aws"}


def get_role(iam, name):
    """The role, or None when there is none of that name."""
    try:
        return iam.get_role(RoleName=name)["Role"]
    except aws.ClientError as e:
        if aws.error_code(e) == "NoSuchEntity":
            return None
        raise


def trust(service, account):
    """Only ``service``, and only on behalf of ``account`` (the confused-deputy guard)."""
    return {"Version": policy.VERSION, "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}


class ServiceRole:
    """``name``, assumed by ``service``, with the inline policy ``policy_name``:
    ``permissions(identity)`` gives its document. ``role`` is {name, arn, created} once a region
    needed it (for the module's result)."""

    def __init__(self, m, name, service, policy_name, permissions, description):
        self.m = m
        self.name = name
        self.service = service
        self.policy_name = policy_name
        self.permissions = permissions
        self.description = description
        self._lock = threading.Lock()
        self._done = None
        self.role = None

    def arn(self):
        with self._lock:
            if self._done is None:
                try:
                    self._done = (True, self._ensure())
                except regions_util.AWS_FAULTS as e:
                    self._done = (False, e)
            ok, value = self._done
        if not ok:
            raise value
        return value

    def _ensure(self):
        m, name = self.m, self.name
        iam = m.client("iam")
        role = get_role(iam, name)
        if role is not None:
            self.role = dict(name=name, arn=role["Arn"], created=False)
            return role["Arn"]
        ident = m.identity()
        arn = "arn:%s:iam::%s:role/%s" % (ident["partition"], ident["account_id"], name)
        m.record_change("iam:CreateRole %s" % name)
        m.record_change("iam:PutRolePolicy %s/%s" % (name, self.policy_name))
        if m.may_change:
            try:
                made = iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy.dumps(trust(
                    self.service, ident["account_id"])), Tags=[MANAGED_TAG], Description=self.description)
                arn = made["Role"]["Arn"]
            except aws.ClientError as e:
                if aws.error_code(e) != "EntityAlreadyExists":
                    raise
                # Made meanwhile by another run: used as it is, like any existing role.
                arn = get_role(iam, name)["Arn"]
                self.role = dict(name=name, arn=arn, created=False)
                return arn
            iam.put_role_policy(RoleName=name, PolicyName=self.policy_name,
                                PolicyDocument=policy.dumps(self.permissions(ident)))
        self.role = dict(name=name, arn=arn, created=m.may_change)
        return arn

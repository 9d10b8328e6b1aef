# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWS Config needs once per run of account_guardrails, whatever the number of regions: its
service-linked role and its delivery bucket, made under a lock by the first region that asks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util

CONFIG_SERVICE = "config.amazonaws.com"
CONFIG_SLR_PATH = "/aws-service-role/config.amazonaws.com/"
BUCKET_ASPECTS = ("versioning", "not_public", "tls_only", "service_access")


def bucket_name_ok(name):
    return bool(re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", name or "")) and ".." not in name


class Shared:
    """Work that several regions need but that must happen once: done under a lock by the first
    region that asks, the result (or the AWS fault) handed to every later one."""

    def __init__(self, m, ident):
        self.m = m
        self.ident = ident
        self.home = m.conn.region
        self._lock = threading.Lock()
        self._done = {}
        self.bucket_result = None

    def once(self, key, fn):
        with self._lock:
            if key not in self._done:
                try:
                    self._done[key] = (True, fn())
                except regions_util.AWS_FAULTS as e:
                    self._done[key] = (False, e)
            ok, value = self._done[key]
        if not ok:
            raise value
        return value

    def config_role_arn(self):
        return self.once("config-role", self._config_role)

    def _config_role(self):
        """The AWS Config service-linked role (AWSServiceRoleForConfig; moto names it
        AWSServiceRoleForconfig), found by its path so the name's case does not matter."""
        iam = self.m.client("iam")
        roles = aws.paginate(iam, "list_roles", "Roles", PathPrefix=CONFIG_SLR_PATH)
        if roles:
            return roles[0]["Arn"]
        predicted = "arn:%s:iam::%s:role%sAWSServiceRoleForConfig" % (
            self.ident["partition"], self.ident["account_id"], CONFIG_SLR_PATH)
        self.m.record_change("iam:CreateServiceLinkedRole (config.amazonaws.com)")
        if not self.m.may_change:
            return predicted
        try:
            return iam.create_service_linked_role(AWSServiceName=CONFIG_SERVICE)["Role"]["Arn"]
        except aws.ClientError as e:
            # "has been taken" (InvalidInput on AWS, EntityAlreadyExists in moto): a concurrent run made it
            roles = aws.paginate(iam, "list_roles", "Roles", PathPrefix=CONFIG_SLR_PATH) \
                if aws.error_code(e) in ("InvalidInput", "EntityAlreadyExists") else None
            if not roles:
                raise
            return roles[0]["Arn"]

    def config_bucket_name(self):
        return self.m.params.get("config_bucket") or "bulwark-config-%s" % self.ident["account_id"]

    def config_bucket(self):
        return self.once("config-bucket", self._config_bucket)

    def _config_bucket(self):
        """Create the delivery bucket, or bring it up to standard, once, in the home region."""
        name = self.config_bucket_name()
        self.bucket_result = ensure_config_bucket(self.m, name, self.ident, self.home)
        return name


class ConfigBucketError(aws.BotoCoreError):
    """The Config delivery bucket could not be made ready: the regions needing it get an error."""

    fmt = "{message}"


def config_bucket_statements(bucket, account_id, partition):
    """What AWS Config needs on its delivery bucket (AWS Config developer guide, "Permissions
    for the Amazon S3 bucket"), pinned to this account with aws:SourceAccount."""
    arn = "arn:%s:s3:::%s" % (partition, bucket)
    source = {"StringEquals": {"aws:SourceAccount": account_id}}
    service = {"Service": CONFIG_SERVICE}
    return [
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": source},
        {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:ListBucket", "Resource": arn, "Condition": source},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": service,
         "Action": "s3:PutObject", "Resource": "%s/AWSLogs/%s/Config/*" % (arn, account_id),
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id,
                                        "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]


def ensure_config_bucket(m, name, ident, home):
    """The Config delivery bucket, created or brought up to standard by the code shared with the
    CloudTrail bucket (module_utils/domain/s3_bucket.py): versioning, Block Public Access and no public
    grant, TLS-only policy, and the statements AWS Config needs. Access logging and MFA delete are
    the CloudTrail bucket's controls and are not asked for here. Raises ConfigBucketError when an
    aspect could not be evaluated or fixed."""
    from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket

    result = s3_bucket.ensure_secure_bucket(
        m, name, home, service_statements=config_bucket_statements(name, ident["account_id"], ident["partition"]),
        aspects=BUCKET_ASPECTS)
    errors = ["%s: %s" % (aspect, r["message"]) for aspect, r in sorted(result["aspects"].items())
              if r["status"] == "error"]
    if errors:
        raise ConfigBucketError(message="the Config delivery bucket %s is not ready: %s" % (name, "; ".join(errors)))
    return result

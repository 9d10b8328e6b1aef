# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ec2.ebs_default_encryption of account_guardrails, per region: EBS encryption by default, with
the default key of the ebs_kms_key option when given."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import EBS, R_EBS, report


def kms_key_ok(key):
    return bool(re.match(r"^(alias/[A-Za-z0-9/_-]{1,250}|(mrk-)?[0-9a-f-]{32,36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:"
                         r"(key/(mrk-)?[0-9a-f-]{32,36}|alias/[A-Za-z0-9/_-]{1,250}))$", key or ""))


def same_kms_key(run, current, wanted):
    """True when the default EBS key is the wanted one (alias, id or ARN)."""
    if not current:
        return False
    if current == wanted or current.endswith(":" + wanted) or current.endswith("/" + wanted):
        return True
    kms = run.client("kms")

    def arn(key):
        return kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"]

    try:
        return arn(current) == arn(wanted)
    except aws.ClientError as e:
        if aws.error_code(e) == "NotFoundException":
            return False
        raise


def check_ebs(run):
    ec2 = run.client("ec2")
    enabled = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    wanted = run.params.get("ebs_kms_key")
    problems, actions, calls = [], [], []
    if not enabled:
        problems.append("EBS encryption by default is off")
        actions.append("ec2:EnableEbsEncryptionByDefault")
        calls.append(ec2.enable_ebs_encryption_by_default)
    if wanted:
        current_key = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
        if not same_kms_key(run, current_key, wanted):
            problems.append("the default EBS key is %s, not %s" % (current_key or "not set", wanted))
            actions.append("ec2:ModifyEbsDefaultKmsKeyId")
            calls.append(lambda: ec2.modify_ebs_default_kms_key_id(KmsKeyId=wanted))
    if not problems:
        run.add(EBS, "pass", "EBS encryption by default is on" + (" with %s" % wanted if wanted else ""), resource=R_EBS)
        return
    report(run, EBS, R_EBS, problems, actions, lambda: [call() for call in calls])

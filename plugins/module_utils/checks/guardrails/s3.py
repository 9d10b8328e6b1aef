# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""s3.account_public_access_block of account_guardrails: the four account-level S3 Block Public
Access settings (account-wide, not per region)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import PAB, R_PAB

PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def read_account_public_access_block(m, account_id):
    """The account-level Block Public Access settings, {} when none were ever set."""
    try:
        return m.client("s3control").get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]
    except aws.ClientError as e:
        if aws.error_code(e) != "NoSuchPublicAccessBlockConfiguration":
            raise
        return {}


def check_public_access_block(m, account_id):
    s3control = m.client("s3control")
    current = read_account_public_access_block(m, account_id)
    off = [flag for flag in PAB_FLAGS if not current.get(flag)]
    if not off:
        m.findings.add(PAB, "pass", "all four account-level S3 Block Public Access settings are on", resource=R_PAB)
        return
    problem = "account-level S3 Block Public Access is off" if not current else "%s off" % ", ".join(off)
    if m.findings.is_waived(PAB, R_PAB):
        m.findings.add(PAB, "drift", problem, resource=R_PAB)
        return
    target = dict((flag, True) for flag in PAB_FLAGS)
    m.record_change("s3control:PutPublicAccessBlock")
    fixed = False
    if m.may_change:
        s3control.put_public_access_block(AccountId=account_id, PublicAccessBlockConfiguration=target)
        fixed = True
    m.findings.noncompliant(PAB, True, fixed, "%s: %s" % (problem, "turned all four on" if fixed else
                                                          "would turn all four on"), resource=R_PAB)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every service of account_guardrails shares: the control ids, the resource names its
findings carry, and report(), which turns the problems found into one finding (and the fix)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids

CONTROLS = ids(module="account_guardrails")
PAB = "s3.account_public_access_block"
EBS = "ec2.ebs_default_encryption"
GUARDDUTY = "guardduty.enabled"
RECORDER = "config.recorder"
RULES = "config.rules"
HUB = "securityhub.enabled"
STANDARDS = "securityhub.standards"
ANALYZER = "iam.access_analyzer"
REGIONAL = (EBS, GUARDDUTY, RECORDER, HUB, STANDARDS, ANALYZER)

R_PAB = "account-public-access-block"
R_EBS = "ebs-encryption-by-default"
R_DETECTOR = "guardduty-detector"
R_HUB = "security-hub"
R_AGGREGATOR = "finding-aggregator"
R_STANDARDS = "security-hub-standards"
R_RULES = "config-rules"


def report(run, control, resource, problems, actions, fix, can_fix=True):
    """One finding from the problems found; fix() runs the writes when allowed (RegionRun.remediate).
    ``actions`` are the API actions, recorded as changes."""
    if not problems:
        return False
    problem = "; ".join(problems)
    if not can_fix:
        if run.is_waived(control, resource):
            run.add(control, "drift", problem, resource=resource)  # Findings.add makes it `waived`
        else:
            run.noncompliant(control, False, False, problem, resource=resource)
        return False
    return run.remediate(control, resource, problem, actions, fix)

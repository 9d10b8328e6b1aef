#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: account_guardrails
short_description: Audit and enforce the account-wide guardrails in every enabled region
version_added: 0.1.0
description:
  - Evaluates the controls of the C(guardrails) role in one run, every region in parallel
    (a bounded thread pool, one client per service and region), one finding per control and region.
  - C(s3.account_public_access_block) (CIS 2.1.4) is account-wide; C(ec2.ebs_default_encryption)
    (CIS 2.2.1), C(guardduty.enabled), C(config.recorder) (CIS 3.3), C(securityhub.enabled)
    (CIS 4.16), C(securityhub.standards) and C(iam.access_analyzer) (CIS 1.20) are evaluated in
    every region; C(config.rules) and the Security Hub finding aggregator live in the home region
    (O(region)).
  - The regions are the account's enabled regions (C(ec2:DescribeRegions)) unless O(regions) is
    given. An opt-in region that is not enabled is skipped and listed in RV(regions.skipped), not
    an error.
  - A region or service that fails (AccessDenied, a region that does not answer, throttling after
    botocore's retries, an API the endpoint does not implement) gives an V(error) finding for the
    controls it covers in that region; every other control and region is still evaluated.
  - Nothing is deleted or disabled. GuardDuty never gets a second detector; an existing Config
    recorder keeps its name and role; an existing delivery channel keeps its bucket; Config
    rules and Security Hub standards are only added.
  - "The Config delivery bucket is created, when a region needs a delivery channel, with the shared
    secure-bucket code of the CloudTrail bucket (module_utils/domain/s3_bucket.py): public access blocked,
    versioning, default encryption, TLS-only policy, plus the statements that let AWS Config deliver."
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  ebs_kms_key:
    description:
      - KMS key for EBS encryption by default, the same in every region. Use an alias
        (V(alias/ebs-default)) or a multi-Region key id; a key ARN only works in its own region.
      - Default, leave the current key (AWS's V(alias/aws/ebs) unless changed).
    type: str
  guardduty_finding_publishing_frequency:
    description: How often GuardDuty exports updated findings to EventBridge.
    type: str
    choices: [FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS]
    default: FIFTEEN_MINUTES
  guardduty_features:
    description:
      - GuardDuty protection plans to turn on in every region (names as in the GuardDuty API,
        for example V(S3_DATA_EVENTS), V(EKS_AUDIT_LOGS), V(EBS_MALWARE_PROTECTION),
        V(RDS_LOGIN_EVENTS), V(LAMBDA_NETWORK_LOGS), V(RUNTIME_MONITORING)). Each is billed.
      - Features already on and not listed are left on.
    type: list
    elements: str
    default: [S3_DATA_EVENTS]
  config_bucket:
    description:
      - S3 bucket for new AWS Config delivery channels, created (in the home region) and locked
        down when a region needs a channel. Default V(bulwark-config-<account id>).
    type: str
  config_recorder_name:
    description: Name of a recorder this module creates (an existing recorder keeps its name).
    type: str
    default: default
  config_rules:
    description:
      - AWS Config managed rules that must exist in the home region. Each item is a managed
        rule identifier or a dict with C(identifier), C(name) and C(parameters).
      - Only identifiers in C(module_utils/domain/config_rules.py) are accepted; anything else is an
        error before any AWS call. A rule with the same identifier under any name counts.
      - Default, the checklist's set (root MFA and keys, password policy, console MFA, unused
        credentials (45 days), key rotation (90 days), CloudTrail, KMS rotation, S3 public
        access and TLS, EBS encryption, default security groups, flow logs, GuardDuty, Security Hub).
    type: list
    elements: raw
  create_config_rules:
    description:
      - Create the missing O(config_rules). Config rules are billed per evaluation, so this is
        opt-in; without it a missing rule is V(fail).
    type: bool
    default: false
  securityhub_standards:
    description:
      - Security Hub standards that must be enabled in every region, as the part of the
        standard ARN after C(standards/) (or C(ruleset/...) for CIS 1.2.0).
    type: list
    elements: str
    default:
      - cis-aws-foundations-benchmark/v/3.0.0
      - aws-foundational-security-best-practices/v/1.0.0
  securityhub_aggregation:
    description:
      - Aggregate Security Hub findings of every region into the home region (a finding
        aggregator, reported as C(securityhub.enabled) with resource C(finding-aggregator)).
    type: bool
    default: true
  access_analyzer_name:
    description: Name of the account analyzer created in a region that has none.
    type: str
    default: bulwark-account-analyzer
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
notes:
  - "moto (the test emulator) has no IAM Access Analyzer, and no Security Hub standards or
    aggregator APIs: against it those findings are V(error); the unit tests cover them with
    botocore's Stubber."
  - Security Hub needs AWS Config recording in the region; both are evaluated in the same run,
    Config first.
"""

EXAMPLES = r"""
- name: Audit every enabled region
  bulwark.aws.account_guardrails:
    enforce: false
  register: guardrails

- name: Enforce in two regions, with a customer managed EBS key and the Config rules
  bulwark.aws.account_guardrails:
    region: eu-west-1
    regions: [eu-west-1, eu-central-1]
    ebs_kms_key: alias/ebs-default
    create_config_rules: true

- name: GuardDuty only, with more protection plans
  bulwark.aws.account_guardrails:
    controls: [guardduty.enabled]
    guardduty_features: [S3_DATA_EVENTS, EBS_MALWARE_PROTECTION]
"""

RETURN = r"""
findings:
  description: One finding per selected control and region (account-wide controls have region C(global)).
  returned: always
  type: list
  elements: dict
  sample:
    - control: guardduty.enabled
      status: fixed
      resource: guardduty-detector
      region: eu-west-1
      message: "no GuardDuty detector: created one (enabled, FIFTEEN_MINUTES, S3_DATA_EVENTS)"
regions:
  description: The regions evaluated, and those skipped with the reason.
  returned: always
  type: dict
  sample:
    evaluated: [eu-west-1, us-east-1]
    skipped:
      - region: ap-east-1
        reason: "opt-in region not enabled for this account: skipped (...)"
  contains:
    evaluated:
      description: The regions evaluated.
      type: list
      elements: str
    skipped:
      description: The regions skipped, each a dict with C(region) and C(reason).
      type: list
      elements: dict
config_bucket:
  description:
    - The Config delivery bucket as evaluated (and fixed) by the shared secure-bucket code, when a
      region needed a delivery channel in this run. C(aspects) maps versioning, not_public, tls_only
      and service_access to a status and message.
  returned: when a delivery channel was missing
  type: dict
  sample:
    bucket: bulwark-config-123456789012
    region: us-east-1
    created: true
    aspects: {versioning: {status: fixed, message: "bucket created: versioning enabled"}}
actions:
  description: The writes made (or, in check mode, that would be made), with their region.
  returned: always
  type: list
  elements: str
  sample: ["guardduty:CreateDetector (eu-west-1)", "ec2:EnableEbsEncryptionByDefault (eu-west-1)"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.account_guardrails import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

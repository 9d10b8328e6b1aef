#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: account_baseline
short_description: Run several bulwark.aws modules for one account in one module run
version_added: 0.1.0
description:
  - Runs the bulwark.aws modules given as options, each with its own options, in checklist order
    (root, IAM, CloudTrail, monitoring, guardrails, network, storage, account settings), in one
    module process that shares one AWS connection and the account-wide reads (credential report,
    account summary, MFA devices). Each module evaluates its controls exactly as it does when run alone.
  - Why it exists. Every module run costs the controller about 0.5 s of CPU before any AWS work
    (a worker process, packaging, Python, botocore, a session, C(sts:GetCallerIdentity)). Run over
    an Organization, that cost is paid per module and per account. In the bulwark.aws roles, each
    task names a module and its variables; this module then runs what they selected, once per
    role, and once per account in the C(bulwark.aws.harden) playbook. With no option set, its
    action takes the modules and options from the role tasks before it.
  - All input is checked before any AWS call; every problem is reported at once.
  - A module that fails (an AWS fault it cannot turn into findings) does not stop the others. Its
    controls left without a finding get an V(error) finding, the other modules go on, and the task
    fails at the end with every module's message.
  - C(log_group_name) of O(log_metric_alarms), when not set, is the log group that
    P(bulwark.aws.cloudtrail_trail_ensure#module) ensures in the same run (in check mode, the
    group the trail would get).
  - With C(--diff), the diff lists each control and resource a run fixes (or would fix), with
    what was found; the regions of a resource fold into one line.
  - O(enforce), O(waivers) and the connection options apply to every module. O(controls) limits
    every module to those controls.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  root_key_audit:
    description: Options of P(bulwark.aws.root_key_audit#module). Omitted, it does not run.
    type: dict
  mfa_status:
    description: Options of P(bulwark.aws.mfa_status#module). Omitted, it does not run.
    type: dict
  iam_password_policy_check:
    description: Options of P(bulwark.aws.iam_password_policy_check#module). Omitted, it does not run.
    type: dict
  iam_credential_audit:
    description: Options of P(bulwark.aws.iam_credential_audit#module). Omitted, it does not run.
    type: dict
  iam_admin_setup:
    description: Options of P(bulwark.aws.iam_admin_setup#module). Omitted, it does not run.
    type: dict
  cloudtrail_trail_ensure:
    description: Options of P(bulwark.aws.cloudtrail_trail_ensure#module). Omitted, it does not run.
    type: dict
  log_metric_alarms:
    description: Options of P(bulwark.aws.log_metric_alarms#module). Omitted, it does not run.
    type: dict
  account_guardrails:
    description: Options of P(bulwark.aws.account_guardrails#module). Omitted, it does not run.
    type: dict
  network_security:
    description: Options of P(bulwark.aws.network_security#module). Omitted, it does not run.
    type: dict
  storage_security:
    description: Options of P(bulwark.aws.storage_security#module). Omitted, it does not run.
    type: dict
  account_settings:
    description: Options of P(bulwark.aws.account_settings#module). Omitted, it does not run.
    type: dict
extends_documentation_fragment:
  - bulwark.aws.connection
"""

EXAMPLES = r"""
- name: Audit root credentials, the password policy and the CloudTrail trail in one module run
  bulwark.aws.account_baseline:
    root_key_audit: {}
    iam_password_policy_check:
      min_length: 16
    cloudtrail_trail_ensure:
      controls: [cloudtrail.multi_region, cloudtrail.log_file_validation]
  check_mode: true
  register: baseline

- name: The trail's result, as bulwark.aws.cloudtrail_trail_ensure returns it
  ansible.builtin.debug:
    var: baseline.modules.cloudtrail_trail_ensure.trail_arn
"""

RETURN = r"""
findings:
  description: The findings of every module run, in checklist order.
  returned: always
  type: list
  elements: dict
  sample:
    - control: iam.password_policy.min_length
      status: drift
      resource: account-password-policy
      region: global
      message: "no account password policy exists: would set MinimumPasswordLength to 16"
modules:
  description:
    - Each module's result by module name, as that module returns it when run alone (C(changed) and
      its own return values), plus C(failed) and C(msg) when it failed. Its findings and actions are
      in RV(findings) and RV(actions).
  returned: always
  type: dict
  sample:
    iam_password_policy_check:
      changed: true
      policy: {MinimumPasswordLength: 16}
actions:
  description: The writes made (or, in check mode, that would be made) by every module.
  returned: always
  type: list
  elements: str
  sample: ["iam:UpdateAccountPasswordPolicy"]
account_id:
  description: The account evaluated.
  returned: when a module ran
  type: str
  sample: "123456789012"
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.account_baseline import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

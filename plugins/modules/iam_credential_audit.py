#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_credential_audit
short_description: Audit IAM users, access keys, policies and certificates (CIS 1.11-1.16, 1.19, 1.22)
version_added: 0.1.0
description:
  - Evaluates the IAM hygiene controls of the account from account-wide reads only. The IAM
    credential report, C(GetAccountAuthorizationDetails) (paginated, 1000 entities a page) and
    C(ListServerCertificates). The number of audit calls does not grow with the number of users.
  - C(iam.no_keys_at_setup) follows the CIS 1.11 audit procedure (as Prowler's
    C(iam_user_no_setup_initial_access_key) does). It flags every active access key of a user
    with a console password that has never been used (C(password_enabled) true,
    C(access_key_N_active) true, C(access_key_N_last_used_date) N/A), whenever the key was
    created. O(deactivate_unused_keys) and O(deactivate_keys_older_than_days) resolve it once
    they deactivate the key; CIS itself says to delete such keys, which this module never does.
    C(iam.unused_credentials) flags passwords and active keys
    unused for O(unused_days) or more (never used counts from the creation date).
    C(iam.one_active_key) flags users with two active keys. C(iam.key_rotation) flags active
    keys older than O(key_rotation_days).
  - C(iam.permissions_via_groups) flags users with inline or attached policies.
    C(iam.no_full_admin_policies) flags customer managed policies whose default version allows
    full administrative access, statement by statement (C(*) or C(*:*) on C(*), and C(NotAction)
    lists that leave IAM allowed).
    C(iam.expired_server_certificates) flags expired IAM server certificates.
    C(iam.no_cloudshell_full_access) flags users, groups and roles with AWSCloudShellFullAccess.
  - C(iam.credential_report) passes when the credential report was generated (and exported,
    with O(export_dir)).
  - Remediation is opt-in only and never deletes a key or a user. O(deactivate_unused_keys)
    and O(deactivate_keys_older_than_days) set keys to Inactive, O(remove_unused_passwords)
    removes unused console passwords (the login profile; the user stays). Each action is
    listed in RV(actions) and in the finding's message.
  - B(The identity running the module is never touched.) The access key it signs with and
    every credential of the IAM user it runs as are left alone, and the finding says so.
  - Only remediation makes per-user calls (C(ListAccessKeys) for users whose keys are
    deactivated, to learn the key ids the credential report does not hold).
  - Each control is evaluated by exactly one module. M(bulwark.aws.mfa_status) evaluates
    C(iam.user_mfa); M(bulwark.aws.iam_admin_setup) evaluates C(iam.support_role),
    C(iam.admin_group) and C(iam.mfa_enforcement_policy). In an account run the credential report
    is read once for all of them.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  unused_days:
    description:
      - Passwords and active access keys not used for this many days are unused
        (CIS 1.12 and Security Hub IAM.22 use 45). 1 to 3650.
    type: int
    default: 45
  key_rotation_days:
    description: Active access keys older than this many days must be rotated (CIS 1.14 uses 90). 1 to 3650.
    type: int
    default: 90
  deactivate_unused_keys:
    description:
      - Opt-in. Set active access keys unused for O(unused_days) or more to Inactive (never deleted).
    type: bool
    default: false
  deactivate_keys_older_than_days:
    description:
      - Opt-in. Set active access keys created more than this many days ago to Inactive
        (never deleted). Unset means never. 1 to 3650.
    type: int
  remove_unused_passwords:
    description:
      - Opt-in. Remove the console password (login profile) of users who have not signed in
        for O(unused_days) or more. The user and its keys stay.
    type: bool
    default: false
  export_dir:
    description:
      - Write the credential report to this directory as C(credential-report-<account id>.csv)
        and C(.json) (mode 0600; a missing directory is created, mode 0700).
      - Each file is written to a new temporary file beside it (C(O_EXCL|O_NOFOLLOW), mode 0600),
        then renamed onto its name. An earlier export of the account is replaced; a file or symbolic
        link someone else left at the name never receives the report (the link itself is replaced).
      - The report holds no secrets (no passwords, no secret keys).
      - Only when C(iam.credential_report) is among O(controls).
      - Written where the module runs. With the usual C(localhost) and local connection that is
        the controller. Written in check mode too, like the drift report, and not counted as a change.
    type: path
extends_documentation_fragment:
  - bulwark.aws.connection
notes:
  - Audit calls are sts GetCallerIdentity, GenerateCredentialReport (polled until complete),
    GetCredentialReport, GetAccountAuthorizationDetails (one page per 1000 users, groups,
    roles and policies) and ListServerCertificates, whatever the number of users.
  - On moto every server certificate reports an expiration in 2012, so any uploaded
    certificate is expired there.
"""

EXAMPLES = r"""
- name: Audit IAM hygiene only
  bulwark.aws.iam_credential_audit:
    enforce: false

- name: Deactivate keys unused for 45 days and keys older than 180 days, export the report
  bulwark.aws.iam_credential_audit:
    deactivate_unused_keys: true
    deactivate_keys_older_than_days: 180
    export_dir: "{{ playbook_dir }}/reports"

- name: Only the policy controls
  bulwark.aws.iam_credential_audit:
    controls: [iam.permissions_via_groups, iam.no_full_admin_policies]
"""

RETURN = r"""
findings:
  description: Failing controls one finding per user, policy or certificate; a control with
    nothing failing has one V(pass) finding for the account.
  returned: always
  type: list
  elements: dict
  sample:
    - control: iam.unused_credentials
      status: fixed
      resource: gina-stale
      region: global
      message: "access key 1 unused for 210 days (never used; created 2025-04-27) -> deactivated key AKIAEXAMPLE"
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["iam:UpdateAccessKey gina-stale AKIAEXAMPLE Inactive", "iam:DeleteLoginProfile gina-stale"]
users:
  description: Number of IAM users in the credential report (the root user not counted).
  returned: when the credential report was read
  type: int
  sample: 42
exported:
  description: Paths of the exported credential report.
  returned: when O(export_dir) is set and the report was read
  type: dict
  sample:
    csv: /reports/credential-report-123456789012.csv
    json: /reports/credential-report-123456789012.json
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.iam_credential_audit import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_admin_setup
short_description: The admin group and user, the AWS Support role and the MFA enforcement policy (CIS 1.17)
version_added: 0.1.0
description:
  - Evaluates and creates the IAM objects an account's administration rests on, from one
    C(GetAccountAuthorizationDetails) read (and the credential report for the MFA policy's
    console users). The number of calls does not grow with the number of users.
  - C(iam.admin_group) passes when a group has the AWS managed policy AdministratorAccess.
    Opt-in O(create_admin_group) creates O(admin_group_name) with it and, with O(admin_user),
    an administrator in it.
  - The admin user's console password is generated (Python C(secrets)), must be changed at
    first sign-in, and is B(never printed, logged or returned). It is written to a new file,
    O(admin_user_password_file) (mode 0600), before the user is created; when the file cannot be
    written, no user is created. Without that option the user is created without a password.
    An existing user is left as it is (its password is never changed).
  - C(iam.support_role) (CIS 1.17, Security Hub IAM.18) passes when a role has
    AWSSupportAccess. O(create_support_role) (on by default, the control is C(auto)) creates
    O(support_role_name), assumable by the account (or O(support_role_trusted_arns)).
  - C(iam.mfa_enforcement_policy) checks the customer managed policy O(mfa_policy_name), which
    denies everything but self-service MFA enrolment and password change unless the request
    was made with MFA (C(BoolIfExists aws:MultiFactorAuthPresent false)), and reports every group
    whose console users lack it (and console users in no group). The policy is created (or its
    document updated) when O(create_mfa_policy) is on; it is attached only to the groups named
    in O(mfa_policy_groups) (opt-in, it locks out console users until they enrol MFA).
  - Each control is evaluated by exactly one module. M(bulwark.aws.iam_credential_audit) covers the
    other IAM hygiene controls.
  - Nothing is deleted or detached, ever. A policy with five versions is not updated (IAM would
    need one deleted) and is reported instead.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  create_admin_group:
    description: Opt-in. Create O(admin_group_name) with AdministratorAccess (and O(admin_user) in it).
    type: bool
    default: false
  admin_group_name:
    description: Name of the admin group. Letters, digits and C(+=,.@_-), no spaces, up to 128.
    type: str
    default: bulwark-admins
  admin_user:
    description:
      - Create this IAM user in the admin group when it does not exist. Needs O(create_admin_group).
      - Letters, digits and C(+=,.@_-), up to 64 characters.
    type: str
  admin_user_password_file:
    description:
      - Give the new admin user a console password that must be changed at first sign-in, and
        write it to this file, which the module creates (mode 0600, C(O_EXCL|O_NOFOLLOW)) before it
        creates the user. Its directory must exist.
      - The path must be free. An existing file, directory or symbolic link there (even a dangling
        one) is never written to or followed; C(iam.admin_group) gets an C(error) finding that names
        the path, and nothing is created. Remove it or choose another path. When the user exists
        already, no password is set and the file is not looked at.
      - A relative path is relative to the module's working directory; on the controller Ansible
        runs a module in the playbook's directory. Give an absolute path; the role C(bulwark.aws.iam)
        resolves C(bulwark_iam_admin_user_password_file) against where ansible-playbook runs. Messages
        and RV(password_file) name the absolute path.
      - Without it the user gets no password. Set one in the console or with C(aws iam create-login-profile).
    type: path
  create_support_role:
    description: Create O(support_role_name) with AWSSupportAccess when no role has that policy.
    type: bool
    default: true
  support_role_name:
    description: Name of the support role. Letters, digits and C(+=,.@_-), up to 64 characters.
    type: str
    default: bulwark-support
  support_role_trusted_arns:
    description:
      - Principals allowed to assume the support role (IAM user, role or account root ARNs).
      - Empty means the account itself (C(arn:aws:iam::<account id>:root)), so its IAM policies decide who may.
    type: list
    elements: str
    default: []
  create_mfa_policy:
    description: Create the MFA enforcement policy O(mfa_policy_name), or bring its document up to date.
    type: bool
    default: true
  mfa_policy_name:
    description: Name of the customer managed MFA enforcement policy.
    type: str
    default: bulwark-require-mfa
  mfa_policy_groups:
    description:
      - Opt-in. Attach the MFA enforcement policy to these groups. Their console users without
        MFA can then do nothing but enrol an MFA device and change their password.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - bulwark.aws.connection
"""

EXAMPLES = r"""
- name: Audit the admin group, the support role and the MFA policy
  bulwark.aws.iam_admin_setup:
    enforce: false

- name: Create the admin group with a first administrator (password in a 0600 file)
  bulwark.aws.iam_admin_setup:
    create_admin_group: true
    admin_group_name: admins
    admin_user: alice-admin
    admin_user_password_file: /root/alice-admin.password

- name: Enforce MFA for the developers group
  bulwark.aws.iam_admin_setup:
    mfa_policy_groups: [developers]
"""

RETURN = r"""
findings:
  description: One finding per control, plus one per group (or group-less console user) lacking the MFA policy.
  returned: always
  type: list
  elements: dict
  sample:
    - control: iam.support_role
      status: fixed
      resource: role/bulwark-support
      region: global
      message: "no role has AWSSupportAccess: created role bulwark-support with AWSSupportAccess"
actions:
  description: The writes made (or, in check mode, that would be made). Never holds a password.
  returned: always
  type: list
  elements: str
  sample: ["iam:CreateGroup bulwark-admins", "iam:AttachGroupPolicy bulwark-admins AdministratorAccess"]
password_file:
  description: Where the new admin user's password was written, an absolute path (the password itself is never returned).
  returned: when a password was set in this run
  type: str
  sample: /root/alice-admin.password
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.iam_admin_setup import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

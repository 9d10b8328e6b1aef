#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_password_policy_check
short_description: Audit and enforce the IAM account password policy (CIS 1.8, 1.9)
version_added: 0.1.0
description:
  - Compares the account password policy with a baseline, one finding per requirement
    (controls C(iam.password_policy.*)).
  - Enforces the baseline unless in check mode or O(enforce=false). The update merges the
    baseline into the existing policy and B(never weakens a stricter setting). A 20-character
    minimum stays 20, a 30-day maximum age stays 30, a required symbol stays required.
  - Controls not selected with O(controls) keep their current value when the policy is updated.
  - An account without a password policy is V(drift) for every requirement, not an error.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  min_length:
    description: Minimum password length (CIS 1.8 asks for 14 or more). 6 to 128.
    type: int
    default: 14
  require_uppercase:
    description: Require at least one uppercase letter.
    type: bool
    default: true
  require_lowercase:
    description: Require at least one lowercase letter.
    type: bool
    default: true
  require_numbers:
    description: Require at least one number.
    type: bool
    default: true
  require_symbols:
    description: Require at least one symbol.
    type: bool
    default: true
  max_age:
    description: Passwords expire after this many days (1 to 1095). A policy without expiry is drift.
    type: int
    default: 90
  reuse_prevention:
    description: Number of previous passwords a user may not reuse (CIS 1.9 asks for 24). 1 to 24.
    type: int
    default: 24
  allow_users_to_change:
    description: Let IAM users change their own password.
    type: bool
    default: true
  hard_expiry:
    description:
      - Set when the module creates a policy; an existing policy keeps its own value.
      - V(true) stops users with an expired password from choosing a new one; an administrator must reset it.
    type: bool
    default: false
extends_documentation_fragment:
  - bulwark.aws.connection
"""

EXAMPLES = r"""
- name: Audit the password policy only
  bulwark.aws.iam_password_policy_check:
    enforce: false
  register: password_policy

- name: Enforce the CIS baseline with a longer minimum length
  bulwark.aws.iam_password_policy_check:
    min_length: 16
    region: eu-west-1

- name: Check only length and reuse (the other requirements keep their values)
  bulwark.aws.iam_password_policy_check:
    controls:
      - iam.password_policy.min_length
      - iam.password_policy.reuse_prevention
"""

RETURN = r"""
findings:
  description: One finding per selected requirement.
  returned: always
  type: list
  elements: dict
  sample:
    - control: iam.password_policy.min_length
      status: fixed
      resource: account-password-policy
      region: global
      message: "MinimumPasswordLength was 8, baseline requires 14 or more: set to 14"
policy:
  description: The password policy after this run (in check mode, what it would be). Empty when none exists.
  returned: always
  type: dict
  sample:
    MinimumPasswordLength: 14
    RequireSymbols: true
    RequireNumbers: true
    RequireUppercaseCharacters: true
    RequireLowercaseCharacters: true
    AllowUsersToChangePassword: true
    MaxPasswordAge: 90
    PasswordReusePrevention: 24
    HardExpiry: false
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["iam:UpdateAccountPasswordPolicy"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.iam_password_policy_check import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

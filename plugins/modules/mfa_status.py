#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mfa_status
short_description: Audit MFA of the root user (virtual or hardware) and of every console user (CIS 1.5, 1.6, 1.10)
version_added: 0.1.0
description:
  - Evaluates C(root.mfa) (CIS 1.5), C(root.hardware_mfa) (CIS 1.6) and C(iam.user_mfa) (CIS 1.10).
  - Reads only account-wide data, so the number of API calls does not grow with the number of
    users. C(iam:GetAccountSummary) (C(AccountMFAEnabled)), C(iam:ListVirtualMFADevices) of
    assigned devices (paginated), and the IAM credential report, each read once per account run
    and shared with M(bulwark.aws.root_key_audit) and M(bulwark.aws.iam_credential_audit).
  - Root MFA that is a virtual device (one assigned to the C(:root) ARN) fails C(root.hardware_mfa).
  - Every IAM user with a console password and no MFA is one V(fail) finding (resource the
    user name). Users without a console password are not flagged. When every console user has
    MFA there is one V(pass) finding.
  - The credential report can be up to 4 hours old. A user whose report row shows no MFA but
    who has a virtual MFA device assigned now counts as having MFA.
  - Never changes anything. Only the root user can add root MFA, and each user enrols their own
    device. Check mode and the common options are supported all the same.
  - A root user without a password (AWS Organizations centralised root access) cannot sign in,
    so the root controls pass and say so.
author:
  - bulwark.aws contributors (@bulwark-aws)
extends_documentation_fragment:
  - bulwark.aws.connection
"""

EXAMPLES = r"""
- name: Audit root and user MFA
  bulwark.aws.mfa_status:
  register: mfa

- name: Console users without MFA only
  bulwark.aws.mfa_status:
    controls: [iam.user_mfa]
    waivers:
      - control: iam.user_mfa
        resource: break-glass-*
        reason: break-glass users keep their hardware token in the safe, outside IAM
        expires: "2026-12-31"
"""

RETURN = r"""
findings:
  description: One finding per selected root control, and for C(iam.user_mfa) one per console user without MFA (or one pass).
  returned: always
  type: list
  elements: dict
  sample:
    - control: iam.user_mfa
      status: fail
      resource: alice
      region: global
      message: "alice has a console password and no MFA device (password last used: never)"
root:
  description: Root MFA as found. Null values mean not read (control not selected) or unknown.
  returned: always
  type: dict
  contains:
    mfa_enabled:
      description: Summary C(AccountMFAEnabled).
      type: bool
    virtual_mfa:
      description: Whether the root MFA device is a virtual one.
      type: bool
    password_present:
      description: Summary C(AccountPasswordPresent), when the endpoint reports it.
      type: bool
users:
  description: Every IAM user of the credential report, when C(iam.user_mfa) is evaluated (else empty). No secrets.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user name.
      type: str
    password_enabled:
      description: Whether the user has a console password.
      type: bool
    mfa_active:
      description: Whether the user has MFA (credential report, or an assigned virtual device).
      type: bool
    mfa_devices:
      description:
        - MFA devices known from account-wide reads, the assigned virtual devices, or 1 when the report
          shows MFA and no virtual device is assigned (a hardware or FIDO device; an exact count
          would need a call per user).
      type: int
    password_last_used:
      description: Last console sign-in (ISO 8601); null when never or unknown.
      type: str
  sample:
    - name: alice
      password_enabled: true
      mfa_active: false
      mfa_devices: 0
      password_last_used: null
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.mfa_status import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: root_key_audit
short_description: Audit the root user's access keys, signing certificates and recent use (CIS 1.4, 1.7)
version_added: 0.1.0
description:
  - Evaluates C(root.no_access_keys) (CIS 1.4), C(root.no_recent_use) (CIS 1.7) and
    C(root.no_signing_certificates) from account-wide reads, the IAM credential report (its
    C(<root_account>) row) and C(iam:GetAccountSummary), read once per account run and shared
    with M(bulwark.aws.mfa_status), which evaluates root MFA.
  - Returns what it found about the root credentials (key numbers, whether active, last use
    date, region and service, last rotation; last console sign-in). It never returns a secret.
  - Only the root user can remove root credentials, so these controls are V(fail) with the
    console steps of the control catalogue, except when O(delete_root_keys) is set and the
    module runs with the root user's own credentials.
  - B(The access key this run signs its requests with is never deleted), even when it is a
    root key; the finding says so. Delete that one in the console after switching away from it.
  - A credential report without a C(<root_account>) row (AWS Organizations centralised root
    access removes root credentials; some emulators omit the row) is handled from the
    account summary, and the finding says so.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  usage_window_days:
    description:
      - C(root.no_recent_use) fails when root signed in to the console or used an access key
        within this many days. CIS sets no window. 1 to 3650.
    type: int
    default: 7
  delete_root_keys:
    description:
      - Delete the root user's access keys. Takes effect only when the module runs with root
        credentials, outside check mode and with O(enforce=true); otherwise the finding is
        V(fail) and says why nothing was deleted.
      - The key used by this run is never deleted. A waived C(root.no_access_keys) is never changed.
    type: bool
    default: false
extends_documentation_fragment:
  - bulwark.aws.connection
"""

EXAMPLES = r"""
- name: Audit root credentials; root use in the last 30 days fails
  bulwark.aws.root_key_audit:
    usage_window_days: 30
  register: root_credentials

- name: Delete root access keys (run with root credentials; the key in use is kept)
  bulwark.aws.root_key_audit:
    controls: [root.no_access_keys]
    delete_root_keys: true
"""

RETURN = r"""
findings:
  description: One finding per selected control, resource V(root).
  returned: always
  type: list
  elements: dict
  sample:
    - control: root.no_access_keys
      status: fail
      resource: root
      region: global
      message: "the root user has 1 access key: key 1 active, last used 2 days ago (2026-05-01) in us-east-1 by s3"
    - control: root.no_signing_certificates
      status: pass
      resource: root
      region: global
      message: the root user has no signing certificate
root:
  description: What the two reads say about the root credentials. No secret is ever part of it.
  returned: always
  type: dict
  contains:
    arn:
      description: The root user's ARN.
      type: str
    in_credential_report:
      description: Whether the credential report has a C(<root_account>) row.
      type: bool
    access_keys_present:
      description: Whether root has an access key, active or not (summary C(AccountAccessKeysPresent)); null when unread.
      type: bool
    signing_certificates_present:
      description: Whether root has a signing certificate (summary C(AccountSigningCertificatesPresent)); null when unread.
      type: bool
    password_present:
      description: Whether root has a console password (summary C(AccountPasswordPresent)); null when unknown.
      type: bool
    password_last_used:
      description: Last root console sign-in (ISO 8601); null when never or unknown.
      type: str
    last_used:
      description: Most recent root sign-in or key use (ISO 8601); null when never or unknown.
      type: str
    access_keys:
      description: The root access keys that exist, from the credential report.
      type: list
      elements: dict
      sample:
        - number: 1
          active: true
          last_rotated: "2024-01-02T03:04:05+00:00"
          last_used: "2026-05-01T10:00:00+00:00"
          last_used_region: us-east-1
          last_used_service: s3
    signing_certificates:
      description: The root signing certificates that exist, from the credential report.
      type: list
      elements: dict
caller_is_root:
  description: Whether this run used the root user's credentials (only then can keys be deleted).
  returned: always
  type: bool
actions:
  description: The deletions made (or, in check mode, that would be made), with the access key id.
  returned: always
  type: list
  elements: str
  sample: ["iam:DeleteAccessKey AKIAIOSFODNN7EXAMPLE"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.root_key_audit import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

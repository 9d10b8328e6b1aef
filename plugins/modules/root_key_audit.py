#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: root_key_audit
short_description: Audit the root user's access keys, MFA, signing certificates and recent use (CIS 1.4-1.7)
version_added: 0.1.0
description:
  - Evaluates C(root.no_access_keys) (CIS 1.4), C(root.mfa) (CIS 1.5), C(root.hardware_mfa)
    (CIS 1.6), C(root.no_recent_use) (CIS 1.7) and C(root.no_signing_certificates) from
    account-wide reads, the IAM credential report (its C(<root_account>) row, generated once
    per run), C(iam:GetAccountSummary) and, for C(root.hardware_mfa), the assigned virtual MFA
    devices.
  - Root MFA is evaluated exactly as M(bulwark.aws.mfa_status) does (shared code); the root
    role uses this module alone, so auditing root costs one module run per account.
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
    - control: root.mfa
      status: pass
      resource: root
      region: global
      message: the root user has MFA
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
root_mfa:
  description: What the reads say about root MFA, as M(bulwark.aws.mfa_status) returns it in its C(root) result.
  returned: when root.mfa or root.hardware_mfa is selected
  type: dict
  contains:
    mfa_enabled:
      description: Whether root has MFA (summary C(AccountMFAEnabled)); null when unread.
      type: bool
    virtual_mfa:
      description: Whether the root MFA device is a virtual one; null when unread.
      type: bool
    password_present:
      description: Whether root has a console password; null when unknown.
      type: bool
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

from datetime import datetime, timedelta, timezone

from ansible_collections.bulwark.aws.plugins.module_utils import aws
from ansible_collections.bulwark.aws.plugins.module_utils import credential_report as cr
from ansible_collections.bulwark.aws.plugins.module_utils import mfa
from ansible_collections.bulwark.aws.plugins.module_utils.module import BulwarkModule

CONTROLS = ["root.no_access_keys", "root.mfa", "root.hardware_mfa", "root.no_recent_use", "root.no_signing_certificates"]
RESOURCE = cr.ROOT_RESOURCE


def validate(params):
    days = params["usage_window_days"]
    if not 1 <= days <= 3650:
        raise ValueError("usage_window_days: %d is out of range; give 1 to 3650 days" % days)


def main():
    m = BulwarkModule(
        argument_spec=dict(
            usage_window_days=dict(type="int", default=7),
            delete_root_keys=dict(type="bool", default=False),
        ),
        control_ids=CONTROLS,
        validate=validate,
    )
    m.run(body)


def body(m):
    iam = m.client("iam")
    acct = cr.read_account(iam)
    now = datetime.now(timezone.utc)
    if m.wants("root.no_access_keys"):
        access_keys(m, iam, acct, now)
    if m.wants("root.no_recent_use"):
        recent_use(m, acct, now)
    if m.wants("root.no_signing_certificates"):
        signing_certificates(m, acct)
    extra = {}
    if m.wants(*mfa.ROOT_CONTROLS):
        devices, devices_error = mfa.virtual_devices(iam) if m.wants("root.hardware_mfa") else (None, None)
        extra["root_mfa"] = mfa.root_mfa(m, acct, devices, devices_error)
    m.exit(root=details(m, acct), caller_is_root=m.identity()["is_root"], **extra)


def unknown(acct):
    return "; ".join(e for e in (acct.summary_error, acct.report_error) if e) or "no root row in the credential report"


def present(acct, summary_key, from_report):
    """Whether root has any: the live summary's flag first, else the report's root row, else None."""
    if acct.summary is not None and summary_key in acct.summary:
        return bool(acct.summary[summary_key])
    if acct.root is not None:
        return bool(from_report(acct.root))
    return None


def how_many(items, what):
    """'2 access keys' from the report's root row; the summary only says whether there are any."""
    return "%d %s%s" % (len(items), what, "" if len(items) == 1 else "s") if items else what + "s"


def describe_key(key, now):
    text = "key %d %s, last used %s" % (key.number, "active" if key.active else "inactive", cr.age(key.last_used, now))
    if key.last_used and key.last_used_region:
        text += " in %s by %s" % (key.last_used_region, key.last_used_service or "?")
    return text


def access_keys(m, iam, acct, now):
    control = "root.no_access_keys"
    has_keys = present(acct, "AccountAccessKeysPresent", lambda r: r.present_keys)
    if has_keys is None:
        m.findings.add(control, "error", "cannot tell whether root has access keys: " + unknown(acct), resource=RESOURCE)
        return
    if not has_keys:
        m.findings.add(control, "pass", "the root user has no access key", resource=RESOURCE)
        return
    keys = acct.root.present_keys if acct.root is not None else []
    found = "the root user has " + how_many(keys, "access key")
    if keys:
        found += ": " + "; ".join(describe_key(k, now) for k in keys)
    if not m.params["delete_root_keys"] or m.findings.is_waived(control, RESOURCE):
        m.findings.add(control, "fail", found, resource=RESOURCE)  # "waived" when a waiver covers it
    elif not m.identity()["is_root"]:
        m.findings.add(control, "fail", "%s; not deleted: delete_root_keys works only with the root user's own "
                       "credentials, and this run is %s" % (found, m.identity()["arn"]), resource=RESOURCE)
    else:
        delete_keys(m, iam, found)


def delete_keys(m, iam, found):
    """As root: ListAccessKeys / DeleteAccessKey without UserName act on root's own keys."""
    control = "root.no_access_keys"
    try:
        keys = [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.add(control, "error", "%s; listing them failed: %s" % (found, aws.describe_error(e, "iam")),
                       resource=RESOURCE)
        return
    if not keys:
        m.findings.add(control, "pass", "the root user has no access key (ListAccessKeys lists none; the account "
                       "summary was not up to date)", resource=RESOURCE)
        return
    current = m.conn.current_access_key_id()
    doomed = [k for k in keys if k != current]
    kept = [k for k in keys if k == current]
    for key in doomed:
        if m.may_change:
            try:
                iam.delete_access_key(AccessKeyId=key)
            except (aws.ClientError, aws.BotoCoreError) as e:
                m.findings.add(control, "error", "%s; deleting %s failed: %s" % (found, key, aws.describe_error(e, "iam")),
                               resource=RESOURCE)
                return
        m.record_change("iam:DeleteAccessKey %s" % key, before=keys, after=kept, key="root_access_keys")
    verb = "deleted" if m.may_change else "would delete"
    message = "%s; %s %s" % (found, verb, ", ".join(doomed)) if doomed else found
    if kept:
        message += ("; kept %s: it is the key this run uses, and the key in use is never deleted; delete it in "
                    "the console after switching to other credentials" % kept[0])
        m.findings.add(control, "fail", message, resource=RESOURCE)
    else:
        m.findings.noncompliant(control, can_fix=True, fixed=m.may_change, message=message, resource=RESOURCE)


def signing_certificates(m, acct):
    control = "root.no_signing_certificates"
    has_certificates = present(acct, "AccountSigningCertificatesPresent", lambda r: r.present_certificates)
    if has_certificates is None:
        m.findings.add(control, "error", "cannot tell whether root has signing certificates: " + unknown(acct),
                       resource=RESOURCE)
    elif has_certificates:
        certificates = acct.root.present_certificates if acct.root is not None else []
        m.findings.add(control, "fail", "the root user has " + how_many(certificates, "X.509 signing certificate"),
                       resource=RESOURCE)
    else:
        m.findings.add(control, "pass", "the root user has no signing certificate", resource=RESOURCE)


def recent_use(m, acct, now):
    control = "root.no_recent_use"
    window = m.params["usage_window_days"]
    root = acct.root
    if root is None:
        if acct.report_error:
            m.findings.add(control, "error", "cannot tell when root was last used: " + acct.report_error,
                           resource=RESOURCE)
        elif cr.root_has_no_credentials(acct.summary):
            m.findings.add(control, "pass", "the credential report has no root row and the account summary shows "
                           "no root password and no root access key (centralised root access): root cannot "
                           "sign in", resource=RESOURCE)
        else:
            m.findings.add(control, "manual", "the credential report has no root row, so when root was last used "
                           "is unknown; look for userIdentity.type = Root in CloudTrail", resource=RESOURCE)
        return
    uses = [("signed in to the console", root.password_last_used)]
    uses += [("used access key %d" % k.number, k.last_used) for k in root.access_keys]
    uses = [(what, when) for what, when in uses if when is not None]
    recent = [(what, when) for what, when in uses if now - when <= timedelta(days=window)]
    if recent:
        m.findings.add(control, "fail", "root was used within the last %d days: %s" % (
            window, "; ".join("%s %s" % (what, cr.age(when, now)) for what, when in recent)), resource=RESOURCE)
    elif uses:
        what, when = max(uses, key=lambda use: use[1])
        m.findings.add(control, "pass", "root was not used in the last %d days (last: %s %s)"
                       % (window, what, cr.age(when, now)), resource=RESOURCE)
    else:
        m.findings.add(control, "pass", "the credential report shows no root sign-in and no root key use",
                       resource=RESOURCE)


def details(m, acct):
    ident = m.identity()
    summary = acct.summary or {}

    def flag(key):
        return None if summary.get(key) is None else bool(summary[key])

    out = dict(arn="arn:%s:iam::%s:root" % (ident["partition"], ident["account_id"]),
               in_credential_report=acct.root is not None,
               access_keys_present=flag("AccountAccessKeysPresent"),
               signing_certificates_present=flag("AccountSigningCertificatesPresent"),
               password_present=flag("AccountPasswordPresent"),
               password_last_used=None, last_used=None, access_keys=[], signing_certificates=[])
    root = acct.root
    if root is not None:
        out.update(password_last_used=cr.iso(root.password_last_used), last_used=cr.iso(root.last_activity()),
                   access_keys=[as_dict(k) for k in root.present_keys],
                   signing_certificates=[as_dict(c) for c in root.present_certificates])
    return out


def as_dict(item):
    return dict((field, cr.iso(value)) for field, value in item._asdict().items())


if __name__ == "__main__":
    main()

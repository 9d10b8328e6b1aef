# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.mfa_status module (its file holds the documentation): root MFA
(root.mfa, root.hardware_mfa) and every console user's MFA (iam.user_mfa), from account-wide
reads shared with the other modules of the account run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report as cr
from ansible_collections.bulwark.aws.plugins.module_utils.domain import mfa

CONTROLS = ids(module="mfa_status")
ROOT = cr.ROOT_RESOURCE


def argument_spec():
    return {}


def body(m):
    iam = m.client("iam")
    acct = cr.read_account(iam, summary=m.wants("root.mfa", "root.hardware_mfa"), report_rows=m.wants("iam.user_mfa"),
                           shared=m.shared)
    devices = devices_error = None
    if m.wants("root.hardware_mfa", "iam.user_mfa"):
        devices, devices_error = mfa.virtual_devices(iam, m.shared)
    root = root_mfa(m, acct, devices, devices_error)
    m.exit(root=root, users=user_mfa(m, acct.users, acct.report_error, devices))


def root_mfa(m, acct, devices, devices_error):
    summary = acct.summary or {}
    enabled = summary.get("AccountMFAEnabled")
    password = summary.get("AccountPasswordPresent")
    virtual = None
    if devices is not None:
        virtual = sorted(serial for arn, serials in devices.items() if arn.endswith(":root") for serial in serials)
    out = dict(mfa_enabled=None if enabled is None else bool(enabled),
               virtual_mfa=None if virtual is None else bool(virtual),
               password_present=None if password is None else bool(password))
    if not m.wants("root.mfa", "root.hardware_mfa"):
        return out
    if acct.summary is None:
        m.findings.error_for([c for c in ("root.mfa", "root.hardware_mfa") if m.wants(c)],
                             "cannot tell whether root has MFA: " + acct.summary_error, resource=ROOT)
        return out
    if not enabled and cr.root_has_no_credentials(acct.summary):
        for control in ("root.mfa", "root.hardware_mfa"):
            m.findings.add(control, "pass", "the root user has no password and no access key (centralised root "
                           "access): root cannot sign in, so root MFA does not apply", resource=ROOT)
        return out
    if not enabled:
        m.findings.add("root.mfa", "fail", "the root user has no MFA device", resource=ROOT)
        m.findings.add("root.hardware_mfa", "fail", "the root user has no MFA device at all", resource=ROOT)
        return out
    m.findings.add("root.mfa", "pass", "the root user has MFA", resource=ROOT)
    if virtual is None:
        m.findings.add("root.hardware_mfa", "error", "cannot tell whether root MFA is virtual: " + devices_error,
                       resource=ROOT)
    elif virtual:
        m.findings.add("root.hardware_mfa", "fail", "the root MFA device is a virtual device (%s), not hardware"
                       % ", ".join(virtual), resource=ROOT)
    else:
        m.findings.add("root.hardware_mfa", "pass", "the root MFA device is not a virtual device (hardware TOTP "
                       "token or FIDO security key)", resource=ROOT)
    return out


def user_mfa(m, users, report_error, devices):
    """iam.user_mfa findings from the credential report's users ({name: record}, None when the
    report could not be read, with report_error saying why) and the assigned virtual devices
    (None when they could not be listed: the report's own MFA column then decides).
    Returns the per-user detail (no secrets)."""
    control = "iam.user_mfa"
    devices = devices or {}
    if not m.wants(control):
        return []
    if users is None:
        m.findings.add(control, "error", "cannot list console users: " + report_error)
        return []
    out, missing = [], []
    for name in sorted(users):
        record = users[name]
        virtual = len(devices.get(record.arn, []))
        active = record.mfa_active or virtual > 0
        out.append(dict(name=name, password_enabled=bool(record.password_enabled), mfa_active=active,
                        mfa_devices=max(virtual, 1 if active else 0),
                        password_last_used=cr.iso(record.password_last_used)))
        if record.password_enabled and not active:
            missing.append(record)
    for record in missing:
        m.findings.add(control, "fail", "%s has a console password and no MFA device (password last used: %s)"
                       % (record.user, cr.age(record.password_last_used)), resource=record.user)
    if not missing:
        console = sum(1 for u in out if u["password_enabled"])
        m.findings.add(control, "pass", "every IAM user with a console password (%d) has MFA" % console
                       if console else "no IAM user has a console password")
    return out


DEFINITION = Definition("mfa_status", argument_spec, CONTROLS, body)

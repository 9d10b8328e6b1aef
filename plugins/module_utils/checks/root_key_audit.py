# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.root_key_audit module (its file holds the documentation).

bulwark.aws.root_key_audit runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report as cr
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

CONTROLS = ids(module="root_key_audit")
RESOURCE = cr.ROOT_RESOURCE


def validate(params, _named):
    days = params["usage_window_days"]
    if not 1 <= days <= 3650:
        raise ValueError("usage_window_days: %d is out of range; give 1 to 3650 days" % days)


def argument_spec():
    return dict(
        usage_window_days=dict(type="int", default=7),
        delete_root_keys=dict(type="bool", default=False),
    )


def body(m):
    iam = m.client("iam")
    acct = cr.read_account(iam, shared=m.shared)
    now = datetime.now(timezone.utc)
    if m.wants("root.no_access_keys"):
        access_keys(m, iam, acct, now)
    if m.wants("root.no_recent_use"):
        recent_use(m, acct, now)
    if m.wants("root.no_signing_certificates"):
        signing_certificates(m, acct)
    m.exit(root=details(m, acct), caller_is_root=m.identity()["is_root"])


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
        m.findings.add(control, "fail", "%s; not deleted: %s works only with the root user's own credentials, "
                       "and this run is %s" % (found, m.option("delete_root_keys"), m.identity()["arn"]),
                       resource=RESOURCE)
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
        m.record_change("iam:DeleteAccessKey %s" % key)
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


DEFINITION = Definition("root_key_audit", argument_spec, CONTROLS, body, validate)

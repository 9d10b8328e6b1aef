# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.iam_credential_audit module (its file holds the documentation).

bulwark.aws.iam_credential_audit runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report
from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

REPORT_CONTROLS = ["iam.no_keys_at_setup", "iam.unused_credentials", "iam.one_active_key", "iam.key_rotation"]
DETAILS_CONTROLS = ["iam.permissions_via_groups", "iam.no_full_admin_policies", "iam.no_cloudshell_full_access"]
CONTROLS = ids(module="iam_credential_audit")
NEEDS_REPORT = REPORT_CONTROLS + ["iam.credential_report"]

CLOUDSHELL_POLICY = "AWSCloudShellFullAccess"
DAY_RANGE = (1, 3650)
DAY_OPTIONS = ("unused_days", "key_rotation_days", "deactivate_keys_older_than_days")


def validate(params, _named):
    for option in DAY_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        if not DAY_RANGE[0] <= value <= DAY_RANGE[1]:
            raise ValueError("%s: %d is out of range; give a number of days from %d to %d%s" % (
                option, value, DAY_RANGE[0], DAY_RANGE[1],
                " (leave it unset to never deactivate by age)" if option == "deactivate_keys_older_than_days" else ""))
    export_dir = params.get("export_dir")
    if export_dir:
        if os.path.exists(export_dir) and not os.path.isdir(export_dir):
            raise ValueError("export_dir: %s exists and is not a directory" % export_dir)


# --- small helpers --------------------------------------------------------------------------

def days_since(when, now):
    return (now - when).days


def day(when):
    return when.strftime("%Y-%m-%d")


def caller_user_name(arn):
    """The IAM user name of a caller ARN, or None when the caller is not an IAM user."""
    if ":user/" not in (arn or ""):
        return None
    return arn.split(":user/", 1)[1].split("/")[-1]


def is_caller(record, identity):
    return record.arn == identity["arn"] or record.user == caller_user_name(identity["arn"])


def key_last_activity(record, key):
    """(date, text): when the key was last used, or its creation when never used."""
    if key.last_used:
        return key.last_used, "last used %s" % day(key.last_used)
    created = key.last_rotated or record.created
    return created, "never used; created %s" % day(created)


def password_last_activity(record):
    if record.password_last_used:
        return record.password_last_used, "last sign-in %s" % day(record.password_last_used)
    created = record.password_last_changed or record.created
    return created, "never used; set %s" % day(created)


# --- remediation plan -----------------------------------------------------------------------

class Plan:
    """The opt-in writes of this run and what became of each.

    Key targets are (user, key number in the credential report); outcomes are
    ("done" | "would" | "protected" | "error" | "skipped", text).
    """

    def __init__(self):
        self.keys = {}        # (user, n) -> [reasons]
        self.passwords = {}   # user -> reason
        self.outcome = {}     # target -> (state, text)

    def add_key(self, user, number, reason):
        self.keys.setdefault((user, number), []).append(reason)

    def add_password(self, user, reason):
        self.passwords[user] = reason

    def state(self, target):
        return self.outcome.get(target, (None, None))


def plan_remediation(m, users, identity, now):
    plan = Plan()
    p = m.params
    for name, record in sorted(users.items()):
        if is_caller(record, identity):
            continue  # the identity running the play: reported below, never changed
        for key in record.access_keys:
            if not key.active:
                continue
            last, _text = key_last_activity(record, key)
            if (p["deactivate_unused_keys"] and m.findings.wants("iam.unused_credentials")
                    and not m.findings.is_waived("iam.unused_credentials", name)
                    and days_since(last, now) >= p["unused_days"]):
                plan.add_key(name, key.number, "unused")
            older = p["deactivate_keys_older_than_days"]
            created = key.last_rotated or record.created
            if (older and m.findings.wants("iam.key_rotation")
                    and not m.findings.is_waived("iam.key_rotation", name)
                    and days_since(created, now) > older):
                plan.add_key(name, key.number, "older than %d days" % older)
        if (record.password_enabled and p["remove_unused_passwords"] and m.findings.wants("iam.unused_credentials")
                and not m.findings.is_waived("iam.unused_credentials", name)):
            last, _text = password_last_activity(record)
            if days_since(last, now) >= p["unused_days"]:
                plan.add_password(name, "unused")
    return plan


def _same_second(a, b):
    return a is not None and b is not None and abs((a - b).total_seconds()) < 1


def key_ids(record, listed):
    """{report key number: AccessKeyMetadata} for one user. The report has no key ids: its
    key N is matched by creation time (last_rotated), else by creation order."""
    ordered = sorted(listed, key=lambda k: k["CreateDate"])
    out = {}
    for key in record.access_keys:
        match = [k for k in ordered if _same_second(k["CreateDate"], key.last_rotated)]
        if len(match) == 1:
            out[key.number] = match[0]
        elif len(ordered) >= key.number:
            out[key.number] = ordered[key.number - 1]
    return out


def execute(m, iam, plan, users):
    current_key = m.conn.current_access_key_id()
    by_user = {}
    for (user, number) in sorted(plan.keys):
        by_user.setdefault(user, []).append(number)
    for user, numbers in sorted(by_user.items()):
        try:
            listed = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
        except (aws.ClientError, aws.BotoCoreError) as e:
            for n in numbers:
                plan.outcome[(user, n)] = ("error", "could not list the keys: %s" % aws.describe_error(e, "iam"))
            continue
        ids = key_ids(users[user], listed)
        for n in numbers:
            meta = ids.get(n)
            if meta is None:
                plan.outcome[(user, n)] = ("skipped", "key %d no longer exists" % n)
                continue
            key_id = meta["AccessKeyId"]
            if key_id == current_key:
                plan.outcome[(user, n)] = ("protected", "not deactivated: key %s signs this run" % key_id)
                continue
            if meta.get("Status") != "Active":
                plan.outcome[(user, n)] = ("done", "key %s is already inactive" % key_id)
                continue
            m.record_change("iam:UpdateAccessKey %s %s Inactive" % (user, key_id))
            if not m.may_change:
                plan.outcome[(user, n)] = ("would", "would deactivate key %s" % key_id)
                continue
            try:
                iam.update_access_key(UserName=user, AccessKeyId=key_id, Status="Inactive")
                plan.outcome[(user, n)] = ("done", "deactivated key %s" % key_id)
            except (aws.ClientError, aws.BotoCoreError) as e:
                plan.outcome[(user, n)] = ("error", "could not deactivate key %s: %s" % (
                    key_id, aws.describe_error(e, "iam")))
    for user in sorted(plan.passwords):
        target = ("password", user)
        m.record_change("iam:DeleteLoginProfile %s" % user)
        if not m.may_change:
            plan.outcome[target] = ("would", "would remove the console password")
            continue
        try:
            iam.delete_login_profile(UserName=user)
            plan.outcome[target] = ("done", "removed the console password")
        except (aws.ClientError, aws.BotoCoreError) as e:
            if aws.error_code(e) == "NoSuchEntity":
                plan.outcome[target] = ("done", "the console password was already removed")
            else:
                plan.outcome[target] = ("error", "could not remove the console password: %s"
                                        % aws.describe_error(e, "iam"))


# --- findings -------------------------------------------------------------------------------

HINTS = {
    "iam.no_keys_at_setup": "delete the key if the user does not need it (CIS 1.11), or use it; "
                            "%(deactivate_unused_keys)s deactivates it once unused for %(unused_days)s",
    "iam.unused_credentials": "%(deactivate_unused_keys)s / %(remove_unused_passwords)s fix this",
    "iam.one_active_key": "the owner deactivates the older key",
    "iam.key_rotation": "the owner rotates the key; %(deactivate_keys_older_than_days)s deactivates stale keys",
}


def report_issue(m, control, resource, issues, caller):
    """One finding from [(text, targets)]: targets is a list of remediation targets of which
    any one resolves the issue ([] = nothing this module may do)."""
    notes = []
    resolved = []
    errors = []
    for text, targets in issues:
        states = [m.plan.state(t) for t in targets]
        for state, note in states:
            if note and note not in notes:
                notes.append(note)
        if any(s == "error" for s, _n in states):
            errors.append(text)
        ok = [s for s, _n in states if s in ("done", "would")]
        resolved.append("done" if "done" in ok else ("would" if ok else None))
    message = "; ".join(text for text, _t in issues)
    if notes:
        message += " -> " + "; ".join(notes)
    if caller:
        message += " (this is the identity running the play: never changed by bulwark)"
    elif not all(resolved):
        message += " (%s)" % (HINTS[control] % dict((o, m.option(o)) for o in argument_spec()))
    if errors:
        m.findings.add(control, "error", message, resource=resource)
        return
    m.findings.noncompliant(control, can_fix=all(resolved), fixed=all(r == "done" for r in resolved),
                            message=message, resource=resource)


def evaluate_report(m, users, identity, now):
    p = m.params
    failing = dict((c, 0) for c in REPORT_CONTROLS)
    for name, record in sorted(users.items()):
        caller = is_caller(record, identity)
        active = record.active_keys
        by_control = dict((c, []) for c in REPORT_CONTROLS)
        for key in active:
            target = [(name, key.number)]
            last, activity = key_last_activity(record, key)
            created = key.last_rotated or record.created
            if record.password_enabled and key.last_used is None:
                # CIS 1.11's audit: password_enabled true, access_key_N_active true and
                # access_key_N_last_used_date N/A, whenever the key was created.
                by_control["iam.no_keys_at_setup"].append((
                    "active access key %d has never been used (created %s) and the user has a console password"
                    % (key.number, day(created)), target))
            unused = days_since(last, now)
            if unused >= p["unused_days"]:
                by_control["iam.unused_credentials"].append((
                    "access key %d unused for %d days (%s)" % (key.number, unused, activity), target))
            age = days_since(created, now)
            if age > p["key_rotation_days"]:
                by_control["iam.key_rotation"].append((
                    "access key %d is %d days old (created %s; rotate within %d)"
                    % (key.number, age, day(created), p["key_rotation_days"]), target))
        if record.password_enabled:
            last, activity = password_last_activity(record)
            unused = days_since(last, now)
            if unused >= p["unused_days"]:
                by_control["iam.unused_credentials"].append((
                    "console password unused for %d days (%s)" % (unused, activity), [("password", name)]))
        if len(active) > 1:
            by_control["iam.one_active_key"].append((
                "%d access keys are active" % len(active), [(name, k.number) for k in active]))
        for control, issues in by_control.items():
            if issues:
                failing[control] += 1
                report_issue(m, control, name, issues, caller)
    total = len(users)
    summaries = {
        "iam.no_keys_at_setup": "no user with a console password has an active access key that was never used",
        "iam.unused_credentials": "no password or active key unused for %d days or more" % p["unused_days"],
        "iam.one_active_key": "no user has more than one active key",
        "iam.key_rotation": "no active key is older than %d days" % p["key_rotation_days"],
    }
    for control in REPORT_CONTROLS:
        if not failing[control]:
            m.findings.add(control, "pass", "%d users: %s" % (total, summaries[control]))


def evaluate_details(m, details):
    if m.findings.wants("iam.permissions_via_groups"):
        bad = 0
        for user in details["UserDetailList"]:
            inline = [p["PolicyName"] for p in user.get("UserPolicyList") or []]
            attached = [p["PolicyName"] for p in user.get("AttachedManagedPolicies") or []]
            if not inline and not attached:
                continue
            bad += 1
            parts = []
            if inline:
                parts.append("inline policies %s" % ", ".join(sorted(inline)))
            if attached:
                parts.append("attached policies %s" % ", ".join(sorted(attached)))
            m.findings.add("iam.permissions_via_groups", "fail",
                           "user has %s: move them to a group and add the user to it" % " and ".join(parts),
                           resource=user["UserName"])
        if not bad:
            m.findings.add("iam.permissions_via_groups", "pass",
                           "%d users: none has inline or attached policies" % len(details["UserDetailList"]))

    if m.findings.wants("iam.no_full_admin_policies"):
        bad = 0
        for policy in details["Policies"]:
            document = iam_policy.default_document(policy)
            try:
                found = iam_policy.admin_statements(document) if document is not None else []
            except ValueError:
                m.findings.add("iam.no_full_admin_policies", "error",
                               "the default version's document could not be read", resource=policy.get("Arn"))
                continue
            if not found:
                continue
            bad += 1
            where = "; ".join("statement %s: %s" % (sid or n, reason) for n, sid, reason in found)
            attached = policy.get("AttachmentCount") or 0
            m.findings.add("iam.no_full_admin_policies", "fail",
                           "%s (%s, default version %s) grants full admin: %s" % (
                               iam_policy.policy_name(policy),
                               "attached to %d identit%s" % (attached, "y" if attached == 1 else "ies")
                               if attached else "not attached",
                               policy.get("DefaultVersionId"), where),
                           resource=policy.get("Arn"))
        if not bad:
            m.findings.add("iam.no_full_admin_policies", "pass",
                           "%d customer managed policies: none grants '*' on '*'" % len(details["Policies"]))

    if m.findings.wants("iam.no_cloudshell_full_access"):
        holders = []
        for kind, field, name in (("user", "UserDetailList", "UserName"), ("group", "GroupDetailList", "GroupName"),
                                  ("role", "RoleDetailList", "RoleName")):
            for entity in details[field]:
                arns = [p.get("PolicyArn", "") for p in entity.get("AttachedManagedPolicies") or []]
                if any(a.endswith(":policy/" + CLOUDSHELL_POLICY) for a in arns):
                    holders.append("%s/%s" % (kind, entity[name]))
        for holder in holders:
            m.findings.add("iam.no_cloudshell_full_access", "fail",
                           "%s has %s attached: detach it and grant a scoped CloudShell policy"
                           % (holder, CLOUDSHELL_POLICY), resource=holder)
        if not holders:
            m.findings.add("iam.no_cloudshell_full_access", "pass",
                           "%s is attached to no user, group or role" % CLOUDSHELL_POLICY)


def evaluate_certificates(m, iam, now):
    control = "iam.expired_server_certificates"
    try:
        certs = aws.paginate(iam, "list_server_certificates", "ServerCertificateMetadataList")
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.error_for([control], aws.describe_error(e, "iam"))
        return
    expired = [c for c in certs if c.get("Expiration") and c["Expiration"] < now]
    for cert in expired:
        m.findings.add(control, "fail", "server certificate %s expired on %s: delete it once nothing uses it"
                       % (cert["ServerCertificateName"], day(cert["Expiration"])),
                       resource=cert.get("Arn") or cert["ServerCertificateName"])
    if not expired:
        m.findings.add(control, "pass", "%d server certificates stored in IAM, none expired" % len(certs))


def export(export_dir, text, records, account_id):
    """Write the report as CSV and JSON (each 0600, replaced atomically). Returns {csv, json} paths."""
    if not os.path.isdir(export_dir):
        os.makedirs(export_dir, 0o700)  # missing parents too (with the umask's mode)
    base = os.path.join(export_dir, "credential-report-%s" % account_id)
    paths = {"csv": base + ".csv", "json": base + ".json"}
    payload = {
        "schema": "bulwark.aws/credential-report/v1",
        "account_id": account_id,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "users": [r.to_dict() for r in records],
    }
    for kind, content in (("csv", text), ("json", json.dumps(payload, indent=1, sort_keys=True) + "\n")):
        # A new 0600 file renamed onto the name: an earlier export is replaced, a file or link
        # someone else left there never receives the report (module_utils/files.py).
        files.replace_atomic(paths[kind], content)
    return paths


def argument_spec():
    return dict(
        unused_days=dict(type="int", default=45),
        key_rotation_days=dict(type="int", default=90, no_log=False),
        deactivate_unused_keys=dict(type="bool", default=False),
        deactivate_keys_older_than_days=dict(type="int", no_log=False),
        remove_unused_passwords=dict(type="bool", default=False),
        export_dir=dict(type="path"),
    )


def body(m):
    iam = m.client("iam")
    identity = m.identity()
    now = datetime.datetime.now(datetime.timezone.utc)
    result = {}
    m.plan = Plan()

    if m.wants(*NEEDS_REPORT):
        try:
            records, text = credential_report.report(iam, m.shared)
        except (aws.ClientError, aws.BotoCoreError, credential_report.CredentialReportError) as e:
            message = e.args[0] if isinstance(e, credential_report.CredentialReportError) else \
                aws.describe_error(e, "iam")
            m.findings.error_for(NEEDS_REPORT, message)
        else:
            _root, users = credential_report.by_user(records)
            result["users"] = len(users)
            m.plan = plan_remediation(m, users, identity, now)
            execute(m, iam, m.plan, users)
            evaluate_report(m, users, identity, now)
            exported = ""
            if m.params["export_dir"] and m.findings.wants("iam.credential_report"):
                try:
                    result["exported"] = export(m.params["export_dir"], text, records, identity["account_id"])
                    exported = "; exported to %s and %s" % (result["exported"]["csv"], result["exported"]["json"])
                except (OSError, IOError) as e:
                    m.findings.add("iam.credential_report", "error",
                                   "generated, but the export to %s failed: %s" % (m.params["export_dir"], e))
            if "exported" in result or not m.params["export_dir"] or not m.findings.wants("iam.credential_report"):
                m.findings.add("iam.credential_report", "pass",
                               "credential report generated (%d users)%s" % (len(users), exported))

    if m.wants(*DETAILS_CONTROLS):
        filters = ["User"]
        if m.findings.wants("iam.no_full_admin_policies"):
            filters.append("LocalManagedPolicy")
        if m.findings.wants("iam.no_cloudshell_full_access"):
            filters += ["Group", "Role"]
        try:
            details = iam_policy.authorization_details(iam, filters)
        except (aws.ClientError, aws.BotoCoreError) as e:
            m.findings.error_for(DETAILS_CONTROLS, aws.describe_error(e, "iam"))
        else:
            evaluate_details(m, details)

    if m.findings.wants("iam.expired_server_certificates"):
        evaluate_certificates(m, iam, now)

    m.exit(**result)


DEFINITION = Definition("iam_credential_audit", argument_spec, CONTROLS, body, validate)

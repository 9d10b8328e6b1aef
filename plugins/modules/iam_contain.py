#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_contain
short_description: Contain a compromised IAM user (and role) and export its CloudTrail evidence
version_added: 0.1.0
description:
  - Incident response for leaked or abused credentials of an IAM user. In order, it deactivates the
    user's access keys (or only O(access_key_id)), removes its console password (login
    profile), attaches an explicit deny-all inline policy, revokes the active sessions of
    O(role) (an inline deny for C(aws:TokenIssueTime) earlier than now, as the console's
    "Revoke active sessions" does), and exports the user's recent CloudTrail events
    (C(LookupEvents)) to a JSON evidence file with a C(.sha256) checksum file beside it.
  - This is the one bulwark.aws module that changes things without an opt-in, because running
    it is the operator's explicit request. It B(never deletes a key or a user). Keys are
    deactivated and can be reactivated, and the inline policies can be deleted to undo.
  - Every step is idempotent. An inactive key, a missing login profile, a deny policy already in
    place and an existing revoke policy are left as they are (an existing revoke policy keeps its
    cut-off time unless O(revoke_sessions_before) says otherwise).
  - In check mode it reports what it would do, writes nothing to AWS and exports nothing. With
    O(enforce=false) it changes nothing in AWS but still exports the evidence (a read).
  - Refuses to act on the identity running it (the IAM user, the access key it signs with, or
    the role it runs as) unless O(force=true). With O(force), the steps that would cut the
    caller off run last.
  - Returns no findings. Containment is an action, not a control evaluation, so it reports
    RV(steps) and RV(actions) instead of putting incident actions into a compliance report.
  - A failed containment step fails the module after every other step was tried. A failed
    evidence export (for example an endpoint without C(LookupEvents), such as moto) is a warning
    and a step with status V(error). The containment still happens.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  user:
    description:
      - The IAM user to contain.
      - Without O(user), give exactly one of O(access_key_id) (only that key is deactivated; its owner is
        found with C(GetAccessKeyLastUsed)) or O(role) (only its sessions are revoked).
    type: str
  access_key_id:
    description:
      - With O(user), deactivate only this access key of O(user). By default every active key of the user.
      - Without O(user), the long-term key (C(AKIA) and 16 capital letters or digits) to deactivate, alone (no
        console password, deny policy or role step). The evidence is its C(AccessKeyId) events.
    type: str
  role:
    description:
      - With O(user), also revoke the active sessions of this IAM role (role name).
      - Without O(user), only revoke the role's sessions. The evidence is the events naming the role
        (C(ResourceName), e.g. C(AssumeRole)).
    type: str
  deactivate_keys:
    description: Deactivate the user's access keys (never deleted).
    type: bool
    default: true
  remove_login_profile:
    description: Remove the user's console password (the login profile). The user stays.
    type: bool
    default: true
  deny_policy_name:
    description: Name of the inline deny-all policy put on the user.
    type: str
    default: bulwark-contain-deny-all
  revoke_policy_name:
    description: Name of the inline policy that revokes the role's older sessions.
    type: str
    default: bulwark-revoke-older-sessions
  revoke_sessions_before:
    description:
      - Revoke role sessions issued before this UTC time (C(YYYY-MM-DDTHH:MM:SSZ)).
      - Default is now when the role has no revoke policy yet, else the existing cut-off is kept.
    type: str
  export_evidence:
    description: Export the user's CloudTrail events of the last O(evidence_hours) hours.
    type: bool
    default: true
  evidence_dir:
    description:
      - Directory for the evidence file C(cloudtrail-<user>-<UTC time>.json) and its C(.sha256)
        file (created with mode 0700 when missing; files are 0600). Required with O(export_evidence).
      - Each file is written to a new temporary file beside it (C(O_EXCL|O_NOFOLLOW), mode 0600), then
        renamed onto its name. A file or symbolic link someone else left at the name never receives the
        evidence (the link itself is replaced).
      - Written where the module runs. With the usual C(localhost) and local connection that is the controller.
    type: path
  evidence_hours:
    description: How far back to look up CloudTrail events, 1 to 2160 hours (LookupEvents covers 90 days).
    type: int
    default: 72
  force:
    description: Act even when O(user), O(access_key_id) or O(role) is the identity running the module.
    type: bool
    default: false
extends_documentation_fragment:
  - bulwark.aws.connection
notes:
  - C(LookupEvents) is read in the module's home region (O(region)). CloudTrail's event history is
    per region, so look in the other regions the credentials could have been used in.
"""

EXAMPLES = r"""
- name: Contain a leaked key of a CI user and keep the evidence
  bulwark.aws.iam_contain:
    user: ci-deploy
    access_key_id: AKIAIOSFODNN7EXAMPLE
    evidence_dir: /srv/incidents/2026-11-23

- name: What would containment do (nothing is changed)
  bulwark.aws.iam_contain:
    user: ci-deploy
    role: deploy-role
    evidence_dir: /srv/incidents/2026-11-23
  check_mode: true
"""

RETURN = r"""
findings:
  description: Always empty. Containment reports RV(steps), not control findings.
  returned: always
  type: list
  elements: dict
  sample: []
steps:
  description: One entry per step, in the order they ran.
  returned: always
  type: list
  elements: dict
  sample:
    - step: deactivate_key
      target: AKIAIOSFODNN7EXAMPLE
      status: changed
      detail: "deactivated (it can be reactivated; never deleted)"
    - step: export_evidence
      target: ci-deploy
      status: error
      detail: "cloudtrail: the endpoint does not implement this call"
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["iam:UpdateAccessKey ci-deploy AKIAIOSFODNN7EXAMPLE Inactive", "iam:DeleteLoginProfile ci-deploy"]
evidence:
  description: The evidence export.
  returned: when the events were exported
  type: dict
  sample:
    path: /srv/incidents/2026-11-23/cloudtrail-ci-deploy-20261123T101500Z.json
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    checksum_file: /srv/incidents/2026-11-23/cloudtrail-ci-deploy-20261123T101500Z.json.sha256
    events: 42
"""

import datetime
import json
import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.module_utils.contain.steps import Steps
from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import BulwarkModule
from ansible_collections.bulwark.aws.plugins.module_utils.core.times import TIME_FORMAT, utc_now

_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
_LONG_TERM_KEY_ID = re.compile(r"^AKIA[A-Z0-9]{16}$")
_HTML_BODY = re.compile(r"\s*\(\s*<!doctype.*?</html>\s*\)|\s*\(\s*<(!doctype|html).*?\)(?=;|$)", re.I | re.S)
HOURS = (1, 2160)


def principal_kind(params):
    """user, access_key or role: what this run contains."""
    if params.get("user") is not None:
        return "user"
    return "access_key" if params.get("access_key_id") else "role"


def validate(params, named):
    if params.get("user") is not None and not params["user"].strip():
        raise ValueError("user: give the IAM user name to contain")
    if params.get("user") is None:
        given = [o for o in ("access_key_id", "role") if params.get(o)]
        if len(given) != 1:
            raise ValueError("user: give exactly one principal to contain: %s, %s or %s (%s)" % (
                named("user"), named("access_key_id"), named("role"),
                "none given" if not given else "got " + ", ".join(named(o) for o in given)))
    for option, pattern in (("user", _NAME), ("role", _NAME), ("deny_policy_name", _POLICY_NAME),
                            ("revoke_policy_name", _POLICY_NAME)):
        value = params.get(option)
        if value is not None and not pattern.match(value):
            raise ValueError("%s: %r is not a valid IAM name (letters, digits and +=,.@_-, no spaces)" % (option, value))
    key = params.get("access_key_id")
    if key is not None and not _KEY_ID.match(key):
        raise ValueError("access_key_id: %r is not an access key id (16 or more capital letters and digits, "
                         "e.g. AKIAIOSFODNN7EXAMPLE)" % key)
    if key is not None and params.get("user") is None and not _LONG_TERM_KEY_ID.match(key):
        raise ValueError("access_key_id: %r is not a long-term access key id (AKIA and 16 capital letters or digits); "
                         "a session key (ASIA...) cannot be deactivated: contain the role or user that issued it" % key)
    if params.get("revoke_sessions_before"):
        if not params.get("role"):
            raise ValueError("revoke_sessions_before: give the role whose sessions to revoke (%s)" % named("role"))
        try:
            datetime.datetime.strptime(params["revoke_sessions_before"], TIME_FORMAT)
        except ValueError:
            raise ValueError("revoke_sessions_before: %r is not a UTC time like 2026-11-23T10:15:00Z"
                             % params["revoke_sessions_before"])
    if not HOURS[0] <= params["evidence_hours"] <= HOURS[1]:
        raise ValueError("evidence_hours: %d is out of range; give %d to %d hours" % (
            params["evidence_hours"], HOURS[0], HOURS[1]))
    if params["export_evidence"]:
        path = params.get("evidence_dir")
        if not path:
            raise ValueError("evidence_dir: give a directory for the CloudTrail evidence (or %s: false)"
                             % named("export_evidence"))
        problem = files.evidence_dir_problem(path)
        if problem:
            raise ValueError(problem)


def caller_parts(identity):
    """(IAM user name or None, role name or None) of the caller ARN."""
    arn = identity["arn"]
    user = arn.split(":user/", 1)[1].split("/")[-1] if ":user/" in arn else None
    role = arn.split(":assumed-role/", 1)[1].split("/")[0] if ":assumed-role/" in arn else None
    return user, role


class Containment(Steps):
    """The steps of an IAM containment; writes go to IAM (module_utils/contain/steps.py)."""

    def __init__(self, m, iam):
        super(Containment, self).__init__(m, iam, "iam")
        self.iam = iam


def refuse_self(m, user_arn, kind="user"):
    """Fail before any write when asked to contain the caller's own identity without force."""
    p = m.params
    identity = m.identity()
    caller_user, caller_role = caller_parts(identity)
    reasons = []
    if kind == "user" and (identity["arn"] == user_arn or caller_user == p["user"]):
        reasons.append("user %s is the identity running this module (%s)" % (p["user"], identity["arn"]))
    current = m.conn.current_access_key_id()
    if p["access_key_id"] and p["access_key_id"] == current:
        reasons.append("access key %s signs this module's calls" % p["access_key_id"])
    if p["role"] and caller_role == p["role"]:
        reasons.append("role %s is the role this module runs as (%s)" % (p["role"], identity["arn"]))
    if reasons and not p["force"]:
        m.fail("refusing to contain the caller's own identity: %s. Run it with other credentials, or with "
               "%s=true to cut this identity off too (its own key and deny policy go last)"
               % ("; ".join(reasons), m.option("force")))
    return bool(reasons)


def main():
    m = BulwarkModule(
        argument_spec=dict(
            user=dict(type="str"),
            access_key_id=dict(type="str", no_log=False),
            role=dict(type="str"),
            deactivate_keys=dict(type="bool", default=True),
            remove_login_profile=dict(type="bool", default=True),
            deny_policy_name=dict(type="str", default="bulwark-contain-deny-all"),
            revoke_policy_name=dict(type="str", default="bulwark-revoke-older-sessions"),
            revoke_sessions_before=dict(type="str"),
            export_evidence=dict(type="bool", default=True),
            evidence_dir=dict(type="path"),
            evidence_hours=dict(type="int", default=72),
            force=dict(type="bool", default=False),
        ),
        control_ids=[],
        validate=validate,
    )
    m.run(body)


def owner_of_key(m, iam, account):
    """The IAM user owning access_key_id (GetAccessKeyLastUsed); an unknown key fails with one line."""
    key = m.params["access_key_id"]
    try:
        owner = iam.get_access_key_last_used(AccessKeyId=key).get("UserName")
    except aws.ClientError as e:
        if aws.error_code(e) not in ("NoSuchEntity", "AccessDenied"):
            raise
        owner = None
    if not owner:
        m.fail("%s: %s is no access key of account %s; nothing was changed" % (m.option("access_key_id"), key, account))
    return owner


def body(m):
    kind = principal_kind(m.params)
    if kind == "role":
        return body_role(m)
    p = m.params
    iam = m.client("iam")
    account = m.identity()["account_id"]
    if kind == "access_key":
        p["user"] = owner_of_key(m, iam, account)
    user = p["user"]
    # --- checks: nothing is written before every one of them passed ---------------------------
    try:
        user_arn = iam.get_user(UserName=user)["User"]["Arn"]
    except aws.ClientError as e:
        if aws.error_code(e) == "NoSuchEntity":
            m.fail("%s: %s does not exist in account %s; nothing was changed" % (m.option("user"), user, account))
        raise
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"] if p["deactivate_keys"] or p["access_key_id"] \
        else []
    if kind == "access_key":
        # The key alone: no console password, deny policy or role step for its owner.
        p.update(deactivate_keys=True, remove_login_profile=False, role=None)
    if p["access_key_id"] and p["access_key_id"] not in [k["AccessKeyId"] for k in keys]:
        m.fail("%s: %s is not an access key of user %s; nothing was changed"
               % (m.option("access_key_id"), p["access_key_id"], user))
    if p["role"]:
        try:
            iam.get_role(RoleName=p["role"])
        except aws.ClientError as e:
            if aws.error_code(e) == "NoSuchEntity":
                m.fail("%s: %s does not exist in account %s; nothing was changed" % (m.option("role"), p["role"], account))
            raise
    self_contained = refuse_self(m, user_arn, kind)
    current_key = m.conn.current_access_key_id()

    c = Containment(m, iam)
    deferred = []
    # --- 1. access keys ---------------------------------------------------------------------------
    if p["deactivate_keys"]:
        targets = [k for k in keys if not p["access_key_id"] or k["AccessKeyId"] == p["access_key_id"]]
        if not targets:
            c.step("deactivate_key", user, "unchanged", "the user has no access key")
        for key in targets:
            key_id = key["AccessKeyId"]
            if key["Status"] != "Active":
                c.step("deactivate_key", key_id, "unchanged", "already inactive")
                continue
            args = dict(name="deactivate_key", target=key_id,
                        action="iam:UpdateAccessKey %s %s Inactive" % (user, key_id), call="update_access_key",
                        done="deactivated (it can be reactivated; never deleted)", would="would deactivate",
                        UserName=user, AccessKeyId=key_id, Status="Inactive")
            if key_id == current_key:
                deferred.append(args)  # forced self-containment: the caller's key goes last
            else:
                c.write(**args)
    # --- 2. console password ---------------------------------------------------------------------
    if p["remove_login_profile"]:
        try:
            iam.get_login_profile(UserName=user)
            has_profile = True
        except aws.ClientError as e:
            if aws.error_code(e) != "NoSuchEntity":
                c.step("remove_login_profile", user, "error", aws.describe_error(e, "iam"))
                has_profile = None
            else:
                has_profile = False
        if has_profile:
            c.write("remove_login_profile", user, "iam:DeleteLoginProfile %s" % user, "delete_login_profile",
                    "console password removed (the user stays)", "would remove the console password",
                    UserName=user)
        elif has_profile is False:
            c.step("remove_login_profile", user, "unchanged", "the user has no console password")
    # --- 3. deny-all inline policy ---------------------------------------------------------------
    if kind == "user":
        deny_all(m, c, iam, user, self_contained, deferred)
    # --- 4. role sessions --------------------------------------------------------------------------
    if p["role"]:
        revoke_role(m, c, iam)
    # --- 5. evidence, then whatever cuts the caller off ----------------------------------------
    if kind == "user":
        principal = dict(kind="user", name=user, user=user, lookup=("Username", user), file=user)
    else:
        key = p["access_key_id"]
        principal = dict(kind="access_key", name=key, user=user, lookup=("AccessKeyId", key), file="key-" + key)
    finish(m, c, principal, deferred)


def body_role(m):
    p = m.params
    iam = m.client("iam")
    role = p["role"]
    try:
        arn = iam.get_role(RoleName=role)["Role"]["Arn"]
    except aws.ClientError as e:
        if aws.error_code(e) == "NoSuchEntity":
            m.fail("%s: %s does not exist in account %s; nothing was changed"
                   % (m.option("role"), role, m.identity()["account_id"]))
        raise
    refuse_self(m, None, "role")
    c = Containment(m, iam)
    revoke_role(m, c, iam)
    finish(m, c, dict(kind="role", name=role, arn=arn, lookup=("ResourceName", arn), file="role-" + role), [])


def finish(m, c, principal, deferred):
    p = m.params
    evidence = export_evidence(m, c, principal, deferred) if p["export_evidence"] else None
    if not p["export_evidence"]:
        c.step("export_evidence", principal["name"], "skipped", "%s is false" % m.option("export_evidence"))
    for args in deferred:
        c.write(**args)
    result = dict(steps=c.steps)
    if evidence:
        result["evidence"] = evidence
    if c.failed:
        label = principal["name"] if principal["kind"] == "user" else "%s %s" % (
            principal["kind"].replace("_", " "), principal["name"])
        m.fail("containment of %s is incomplete: %s" % (label, "; ".join(c.failed)), actions=m.actions, **result)
    m.exit(**result)


def deny_all(m, c, iam, user, self_contained, deferred):
    p = m.params
    deny = dict(name="deny_all", target=user, action="iam:PutUserPolicy %s %s" % (user, p["deny_policy_name"]),
                call="put_user_policy", done="inline policy %s denies every action" % p["deny_policy_name"],
                would="would put inline policy %s denying every action" % p["deny_policy_name"],
                UserName=user, PolicyName=p["deny_policy_name"],
                PolicyDocument=iam_policy.dumps(iam_policy.DENY_ALL_DOCUMENT))
    try:
        current = iam.get_user_policy(UserName=user, PolicyName=p["deny_policy_name"])["PolicyDocument"]
    except aws.ClientError as e:
        current = None
        if aws.error_code(e) != "NoSuchEntity":
            c.step("deny_all", user, "error", aws.describe_error(e, "iam"))
            deny = None
    if deny and current is not None and iam_policy.same(current, iam_policy.DENY_ALL_DOCUMENT):
        c.step("deny_all", user, "unchanged", "inline policy %s already denies every action" % p["deny_policy_name"])
    elif deny and self_contained:
        deferred.insert(0, deny)
    elif deny:
        c.write(**deny)


def revoke_role(m, c, iam):
    p = m.params
    role, name = p["role"], p["revoke_policy_name"]
    try:
        existing = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    except aws.ClientError as e:
        if aws.error_code(e) != "NoSuchEntity":
            c.step("revoke_sessions", role, "error", aws.describe_error(e, "iam"))
            return
        existing = None
    cutoff = iam_policy.revoke_time(existing) if existing is not None else None
    wanted = p["revoke_sessions_before"] or cutoff or \
        utc_now().strftime(TIME_FORMAT)
    document = iam_policy.revoke_sessions_document(wanted)
    if existing is not None and iam_policy.same(existing, document):
        c.step("revoke_sessions", role, "unchanged",
               "sessions issued before %s are already denied by %s (delete it, or set %s, to revoke again)"
               % (wanted, name, m.option("revoke_sessions_before")))
        return
    c.write("revoke_sessions", role, "iam:PutRolePolicy %s %s" % (role, name), "put_role_policy",
            "sessions issued before %s are denied (inline policy %s)" % (wanted, name),
            "would deny sessions issued before %s (inline policy %s)" % (wanted, name),
            RoleName=role, PolicyName=name, PolicyDocument=iam_policy.dumps(document))


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return dict((k, _jsonable(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def lookup_events(cloudtrail, user, start, end, attribute="Username"):
    events = []
    for event in aws.paginate(cloudtrail, "lookup_events", "Events", StartTime=start, EndTime=end,
                              LookupAttributes=[{"AttributeKey": attribute, "AttributeValue": user}]):
        event = _jsonable(event)
        raw = event.get("CloudTrailEvent")
        if isinstance(raw, str):
            try:
                event["CloudTrailEvent"] = json.loads(raw)
            except ValueError:
                pass
        events.append(event)
    return events


def write_evidence(directory, user, account_id, start, end, events, principal=None, containment=None):
    """principal: {kind, name, user?, arn?, lookup, file}; containment: the steps made before the
    export and the writes still to come (forced self-containment), listed in the file."""
    stamp = end.strftime("%Y%m%dT%H%M%SZ")
    principal = principal or dict(kind="user", name=user, user=user, lookup=("Username", user), file=user)
    payload = {"schema": "bulwark.aws/evidence/v1", "account_id": account_id, "user": principal.get("user"),
               "principal": dict((k, v) for k, v in principal.items() if k not in ("lookup", "file")),
               "start": start.strftime(TIME_FORMAT), "end": end.strftime(TIME_FORMAT),
               "source": "cloudtrail:LookupEvents (%s)" % principal["lookup"][0], "events": events}
    if containment is not None:
        payload["containment"] = containment
    # New 0600 files renamed onto the names: a file or link someone else left there never
    # receives the evidence (module_utils/core/files.py).
    evidence = files.write_with_checksum(directory, "cloudtrail-%s-%s.json" % (principal["file"], stamp),
                                         json.dumps(payload, indent=1, sort_keys=True) + "\n")
    evidence["events"] = len(events)
    return evidence


def export_evidence(m, c, principal, deferred=()):
    p = m.params
    user = principal["name"]
    attribute, value = principal["lookup"]
    end = utc_now()
    start = end - datetime.timedelta(hours=p["evidence_hours"])
    if m.check_mode:
        c.step("export_evidence", user, "would_change", "would export CloudTrail events of %s since %s to %s"
               % (user, start.strftime(TIME_FORMAT), p["evidence_dir"]))
        return None
    try:
        events = lookup_events(m.client("cloudtrail"), value, start, end, attribute)
    except (aws.ClientError, aws.BotoCoreError, NotImplementedError) as e:
        # An endpoint that does not know the call may answer with an HTML error page: keep one line.
        text = _HTML_BODY.sub("", aws.describe_error(e, "cloudtrail"))
        m.module.warn("evidence export failed, containment went on: %s" % text)
        c.step("export_evidence", user, "error", text)
        return None
    try:
        containment = {"steps": [dict(s) for s in c.steps],
                       "after_export": [a["action"] for a in deferred]}
        evidence = write_evidence(p["evidence_dir"], principal.get("user"), m.identity()["account_id"], start, end,
                                  events, principal, containment)
    except (OSError, IOError) as e:
        m.module.warn("evidence export failed, containment went on: %s" % e)
        c.step("export_evidence", user, "error", "could not write the evidence file: %s" % e)
        return None
    c.step("export_evidence", user, "exported", "%d events since %s in %s (sha256 %s)" % (
        evidence["events"], start.strftime(TIME_FORMAT), evidence["path"], evidence["sha256"]))
    return evidence


if __name__ == "__main__":
    main()

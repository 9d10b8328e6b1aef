# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM policy documents as data: decoding, normalising, comparing, and spotting full admin.

Policies are compared as data, never as strings: key order, a single string versus a
one-element list and the order of values inside Action/Resource lists do not matter.

Full administrative access (CIS 1.16, Security Hub IAM.1) is judged statement by statement:

- an ``Allow`` statement whose ``Action`` contains a pattern matching every action
  (``*``, ``*:*``, ``**``...) on every resource (``Resource`` ``*`` or an all-wildcard ARN,
  or any ``NotResource``) is full admin;
- an ``Allow`` statement with ``NotAction`` on every resource grants everything except the
  listed actions. It counts as full admin unless its ``NotAction`` list excludes IAM as a
  whole (``iam:*``, ``*``): whoever may still call IAM can grant themselves ``*`` on ``*``,
  so "everything but s3:DeleteBucket" is admin, while AWS's PowerUserAccess pattern
  (everything but ``iam:*``, ``organizations:*``, ``account:*``) is not.

Conditions do not clear a statement (an admin grant behind a condition is still an admin
grant); they are named in the reason so a reviewer can judge.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import json

# One reader for identity and resource policies (module_utils/policy.py); re-exported here.
from ansible_collections.bulwark.aws.plugins.module_utils.domain.policy import as_list, load, statements  # noqa: F401

VERSION = "2012-10-17"
_LIST_FIELDS = ("Action", "NotAction", "Resource", "NotResource")


def _only_stars(text):
    return bool(text) and set(text) <= set("*")


def matches_every_action(pattern):
    """True for an action pattern that matches every action of every service: ``*``, ``*:*``, ``**:*``."""
    if not isinstance(pattern, str):
        return False
    if ":" not in pattern:
        return _only_stars(pattern)
    service, action = pattern.split(":", 1)
    return _only_stars(service) and _only_stars(action)


_SAMPLE_ARNS = ("arn:%s:s3:::bucket/key", "arn:%s:iam::123456789012:user/x",
                "arn:%s:ec2:eu-west-1:123456789012:instance/i-0123")


def matches_every_resource(pattern):
    """True for ``*`` and ARN patterns matching every ARN of the partition (``arn:*``,
    ``arn:aws:*:*:*:*``)."""
    if not isinstance(pattern, str):
        return False
    if _only_stars(pattern):
        return True
    parts = pattern.split(":")
    if len(parts) < 2 or parts[0].lower() != "arn":
        return False
    partition = parts[1] if parts[1] and "*" not in parts[1] and "?" not in parts[1] else "aws"
    return all(fnmatch.fnmatchcase(sample % partition, pattern) for sample in _SAMPLE_ARNS)


def covers_service(pattern, service):
    """True when an action pattern matches every action of ``service`` (``iam:*``, ``i*:*``, ``*``)."""
    if not isinstance(pattern, str):
        return False
    if ":" not in pattern:
        return _only_stars(pattern)
    svc, action = pattern.split(":", 1)
    return fnmatch.fnmatchcase(service, svc.lower()) and _only_stars(action)


def _all_resources(statement):
    if "NotResource" in statement:
        return True  # every resource except a few: as broad as '*' for this purpose
    return any(matches_every_resource(r) for r in as_list(statement.get("Resource")))


def admin_reason(statement):
    """Why this statement grants full administrative access, or None when it does not."""
    if str(statement.get("Effect", "")).lower() != "allow" or not _all_resources(statement):
        return None
    resource = "NotResource %s" % json.dumps(statement["NotResource"]) if "NotResource" in statement else "'*'"
    condition = " (under a Condition on %s)" % ", ".join(sorted(statement["Condition"])) \
        if statement.get("Condition") else ""
    if "Action" in statement:
        actions = as_list(statement["Action"])
        wild = [a for a in actions if matches_every_action(a)]
        if wild:
            return "Allow %s on %s%s" % (json.dumps(wild[0]), resource, condition)
        iam_all = [a for a in actions if covers_service(a, "iam")]
        if iam_all:
            return "Allow %s on %s%s: every IAM action, so it can grant itself '*'" % (
                json.dumps(iam_all[0]), resource, condition)
        return None
    if "NotAction" in statement:
        excluded = as_list(statement["NotAction"])
        if any(covers_service(a, "iam") for a in excluded):
            return None
        return "Allow everything except %s on %s%s: IAM stays allowed, so it can grant itself '*'" % (
            json.dumps(excluded), resource, condition)
    return None


def admin_statements(document):
    """[(index, Sid or None, reason)] of the statements granting full administrative access."""
    out = []
    for n, statement in enumerate(statements(document)):
        reason = admin_reason(statement)
        if reason:
            out.append((n, statement.get("Sid"), reason))
    return out


def grants_full_admin(document):
    return bool(admin_statements(document))


# --- reading IAM -------------------------------------------------------------------------

DETAIL_FIELDS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(iam, filters):
    """GetAccountAuthorizationDetails with every page merged into {UserDetailList, GroupDetailList,
    RoleDetailList, Policies}. 1000 entities a page, the API's maximum: an account-wide read
    whose call count grows by one per 1000 entities, never per user."""
    out = dict((field, []) for field in DETAIL_FIELDS)
    paginator = iam.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=list(filters), PaginationConfig={"PageSize": 1000}):
        for field in DETAIL_FIELDS:
            out[field].extend(page.get(field) or [])
    return out


def policy_name(policy):
    """PolicyName, or the last part of the ARN (moto leaves PolicyName out of the details)."""
    return policy.get("PolicyName") or (policy.get("Arn") or "").rsplit("/", 1)[-1]


def default_document(policy):
    """The default version's document of a managed policy from the authorization details."""
    for version in policy.get("PolicyVersionList") or []:
        if version.get("IsDefaultVersion"):
            return version.get("Document")
    return None


def attached_arns(entity):
    return [p.get("PolicyArn", "") for p in entity.get("AttachedManagedPolicies") or []]


def managed_policy_arn(partition, name):
    return "arn:%s:iam::aws:policy/%s" % (partition, name)


# --- normalising and comparing -------------------------------------------------------------

def _normalise_value(value):
    if isinstance(value, dict):
        return dict((k, _normalise_value(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = [_normalise_value(v) for v in value]
        try:
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        except TypeError:  # pragma: no cover - json.dumps handles every JSON value
            return items
    return value


def normalise(document):
    """A canonical form: Statement always a list, string-or-list fields always sorted lists,
    condition values lists. Two documents that mean the same compare equal."""
    doc = load(document)
    out = dict((k, v) for k, v in doc.items() if k != "Statement")
    out.setdefault("Version", VERSION)
    norm = []
    for statement in statements(doc):
        s = {}
        for key, value in statement.items():
            if key in _LIST_FIELDS:
                s[key] = sorted(as_list(value))
            elif key == "Condition" and isinstance(value, dict):
                s[key] = dict((op, dict((k, sorted(str(x) for x in as_list(v))) for k, v in (kv or {}).items()))
                              for op, kv in value.items())
            else:
                s[key] = _normalise_value(value)
        norm.append(s)
    out["Statement"] = sorted(norm, key=lambda s: json.dumps(s, sort_keys=True))
    return out


def same(a, b):
    """True when two policy documents mean the same (compared as data)."""
    return normalise(a) == normalise(b)


def dumps(document):
    """Compact, stable JSON for API calls."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


# --- documents bulwark.aws writes ----------------------------------------------------------

# Everything that works without MFA (AWS's "manage own MFA" example, controls.md section 3):
# enrol a virtual device, see one's own devices, change the first-login password, and get an
# MFA session token. Never DeleteVirtualMFADevice.
MFA_SELF_SERVICE_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


def mfa_enforcement_document(partition="aws"):
    """Deny everything but self-service MFA enrolment and password change unless the request
    was made with MFA (BoolIfExists also catches long-term access keys, which carry no MFA flag)."""
    user = "arn:%s:iam::*:user/${aws:username}" % partition
    return {
        "Version": VERSION,
        "Statement": [
            {"Sid": "AllowListVirtualMFADevices", "Effect": "Allow",
             "Action": "iam:ListVirtualMFADevices", "Resource": "*"},
            {"Sid": "AllowCreateOwnVirtualMFADevice", "Effect": "Allow",
             "Action": "iam:CreateVirtualMFADevice", "Resource": "arn:%s:iam::*:mfa/*" % partition},
            {"Sid": "AllowManageOwnMFAAndPassword", "Effect": "Allow",
             "Action": ["iam:ChangePassword", "iam:EnableMFADevice", "iam:GetMFADevice", "iam:GetUser",
                        "iam:ListMFADevices", "iam:ResyncMFADevice"],
             "Resource": user},
            {"Sid": "AllowDeactivateOwnMFAOnlyWithMFA", "Effect": "Allow",
             "Action": "iam:DeactivateMFADevice", "Resource": user,
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Sid": "AllowReadPasswordPolicy", "Effect": "Allow",
             "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
            {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
             "NotAction": list(MFA_SELF_SERVICE_ACTIONS), "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        ],
    }


DENY_ALL_DOCUMENT = {
    "Version": VERSION,
    "Statement": [{"Sid": "BulwarkContainDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}],
}


def revoke_sessions_document(before_iso):
    """Deny everything to sessions issued before ``before_iso`` (what the console's
    "Revoke active sessions" does): credentials issued later keep working."""
    return {
        "Version": VERSION,
        "Statement": [{"Sid": "BulwarkRevokeOlderSessions", "Effect": "Deny", "Action": "*", "Resource": "*",
                       "Condition": {"DateLessThan": {"aws:TokenIssueTime": before_iso}}}],
    }


def revoke_time(document):
    """The aws:TokenIssueTime cut-off of a revoke-sessions document, or None when it is not one."""
    for statement in statements(document):
        if str(statement.get("Effect", "")).lower() != "deny":
            continue
        if not any(matches_every_action(a) for a in as_list(statement.get("Action"))):
            continue
        value = (statement.get("Condition") or {}).get("DateLessThan", {}).get("aws:TokenIssueTime")
        if value:
            return as_list(value)[0]
    return None


def trust_account_document(principal_arns):
    """Trust policy letting the given principals (account root ARNs, roles, users) assume a role."""
    return {
        "Version": VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": sorted(principal_arns)},
                       "Action": "sts:AssumeRole"}],
    }

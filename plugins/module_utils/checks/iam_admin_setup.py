# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.iam_admin_setup module (its file holds the documentation).

bulwark.aws.iam_admin_setup runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import secrets
import string

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report
from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

CONTROLS = ids(module="iam_admin_setup")
ADMIN_POLICY = "AdministratorAccess"
SUPPORT_POLICY = "AWSSupportAccess"
MAX_POLICY_VERSIONS = 5

_GROUP = re.compile(r"^[\w+=,.@-]{1,128}$")
_USER = re.compile(r"^[\w+=,.@-]{1,64}$")
_ROLE = _USER
_POLICY = _GROUP
_PRINCIPAL = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)$")
# IAM accepts these symbols in passwords.
SYMBOLS = "!@#$%^&*()_+-=[]{}|"
PASSWORD_LENGTH = 32


def _name(value, pattern, option, limit):
    if value is not None and not pattern.match(value):
        raise ValueError("%s: %r is not a valid IAM name; use up to %d letters, digits and +=,.@_- "
                         "(no spaces)" % (option, value, limit))


def validate(params, named):
    _name(params["admin_group_name"], _GROUP, "admin_group_name", 128)
    _name(params["admin_user"], _USER, "admin_user", 64)
    _name(params["support_role_name"], _ROLE, "support_role_name", 64)
    _name(params["mfa_policy_name"], _POLICY, "mfa_policy_name", 128)
    for n, group in enumerate(params["mfa_policy_groups"]):
        _name(group, _GROUP, "mfa_policy_groups[%d]" % n, 128)
    for n, arn in enumerate(params["support_role_trusted_arns"]):
        if not _PRINCIPAL.match(arn):
            raise ValueError("support_role_trusted_arns[%d]: %r is not an IAM principal ARN (expected "
                             "arn:aws:iam::123456789012:root, ...:user/NAME or ...:role/NAME)" % (n, arn))
    if params["admin_user"] and not params["create_admin_group"]:
        raise ValueError("admin_user: the admin user is created in the admin group; set %s: true"
                         % named("create_admin_group"))
    path = params["admin_user_password_file"]
    if path:
        if not params["admin_user"]:
            raise ValueError("admin_user_password_file: give %s, the user whose password it holds"
                             % named("admin_user"))
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise ValueError("admin_user_password_file: the directory %s does not exist" % parent)
        if os.path.isdir(path):
            raise ValueError("admin_user_password_file: %s is a directory; give a file path" % path)


def generate_password(length=PASSWORD_LENGTH):
    """A random password with every character class IAM password policies can require."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
    alphabet = "".join(classes)
    chars = [secrets.choice(c) for c in classes] + [secrets.choice(alphabet) for _n in range(length - len(classes))]
    # Fisher-Yates with the secrets generator, so the class characters are not at the front.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def taken(m, path, user):
    """The message when something is at the password file's path already."""
    return ("%s: %s already exists; the password of %s goes only into a new file that bulwark "
            "creates itself (never into an existing file, nor through a symbolic link): remove it or "
            "choose another path. No user was created and nothing else changed"
            % (m.option("admin_user_password_file"), path, user))


# Creations a concurrent run makes the same way: EntityAlreadyExists means "there, as wanted". Not
# create_user: this run's user gets a password only this run knows (admin_user_password_file).
CREATED_ALIKE = ("create_group", "create_role", "create_policy")


class Setup:
    """One run: the authorization details, the caller's partition/account, and helpers."""

    def __init__(self, m, iam, details):
        self.m = m
        self.iam = iam
        ident = m.identity()
        self.partition = ident["partition"]
        self.account_id = ident["account_id"]
        self.users = dict((u["UserName"], u) for u in details["UserDetailList"])
        self.groups = dict((g["GroupName"], g) for g in details["GroupDetailList"])
        self.roles = dict((r["RoleName"], r) for r in details["RoleDetailList"])
        self.policies = details["Policies"]

    def managed(self, name):
        return iam_policy.managed_policy_arn(self.partition, name)

    def write(self, action, call, **kwargs):
        """Record a write and make it when allowed. Returns True when it was made, or when what it
        creates was made meanwhile by another run (two applies at the same time): the group, role
        or policy of that name is there, made by the same code."""
        self.m.record_change(action)
        if not self.m.may_change:
            return False
        try:
            getattr(self.iam, call)(**kwargs)
        except aws.ClientError as e:
            if call not in CREATED_ALIKE or aws.error_code(e) != "EntityAlreadyExists":
                raise
        return True


# --- iam.admin_group ---------------------------------------------------------------------------

def admin_group(s):
    m, p = s.m, s.m.params
    control = "iam.admin_group"
    arn = s.managed(ADMIN_POLICY)
    holders = sorted(g for g, d in s.groups.items() if arn in iam_policy.attached_arns(d))
    name = p["admin_group_name"]
    resource = "group/%s" % name
    if not p["create_admin_group"] or m.findings.is_waived(control, resource):
        if holders:
            m.findings.add(control, "pass", "groups with %s: %s" % (ADMIN_POLICY, ", ".join(holders)),
                           resource="group/%s" % holders[0])
        else:
            m.findings.add(control, "fail", "no group has %s; set %s to create %s"
                           % (ADMIN_POLICY, m.option("create_admin_group"), name), resource=resource)
        return {}

    user, path = p["admin_user"], p["admin_user_password_file"]
    # A password only for a user created now; its file must be new. Checked before anything is
    # made, in check mode too; the file is then created (exclusively) before the first write, so
    # no user is ever created whose password could not be kept.
    new_password = bool(user and path and user not in s.users)
    if new_password and os.path.lexists(path):
        m.findings.add(control, "error", taken(m, path, user), resource=resource)
        return {}
    done, todo = [], []
    result = {}
    password = None
    try:
        if new_password and m.may_change:
            password = password_file(s, path)
        if name not in s.groups:
            todo.append("create group %s" % name)
            if s.write("iam:CreateGroup %s" % name, "create_group", GroupName=name):
                done.append(todo[-1])
        if name not in holders:
            todo.append("attach %s" % ADMIN_POLICY)
            if s.write("iam:AttachGroupPolicy %s %s" % (name, ADMIN_POLICY), "attach_group_policy",
                       GroupName=name, PolicyArn=arn):
                done.append(todo[-1])
        # What the account holds after this run, for the MFA policy's view of groups and users.
        group = s.groups.setdefault(name, {"GroupName": name, "AttachedManagedPolicies": []})
        if arn not in iam_policy.attached_arns(group):
            group["AttachedManagedPolicies"].append({"PolicyName": ADMIN_POLICY, "PolicyArn": arn})
        if user:
            admin_user(s, user, name, todo, done, result, password)
    except FileExistsError:  # made between the look above and the exclusive create
        m.findings.add(control, "error", taken(m, path, user), resource=resource)
        return result
    except (OSError, IOError) as e:
        m.findings.add(control, "error", "could not write the password file %s: %s. No user was created and "
                       "nothing else changed" % (path, e.strerror or e), resource=resource)
        return result
    except (aws.ClientError, aws.BotoCoreError) as e:
        unused = password is not None and "password_file" not in result
        m.findings.add(control, "error", "%s%s failed: %s%s" % (
            "; ".join(done) + "; then " if done else "", todo[-1] if todo else "reading", aws.describe_error(e, "iam"),
            " (no password was set; %s is removed)" % path if unused else ""), resource=resource)
        return result
    finally:
        if password is not None and "password_file" not in result:
            discard(path)  # no login profile has it: a password nobody can use must not linger
    if not todo:
        m.findings.add(control, "pass", "%s has %s%s" % (
            resource, ADMIN_POLICY, (" and %s is in it" % p["admin_user"]) if p["admin_user"] else ""),
            resource=resource)
        return result
    fixed = len(done) == len(todo)
    message = ("done: %s" % "; ".join(done)) if fixed else ("would %s" % "; ".join(todo))
    m.findings.noncompliant(control, can_fix=True, fixed=fixed, message=message, resource=resource)
    return result


def admin_user(s, user, group, todo, done, result, password=None):
    """Ensure the admin user exists and is in the group. A password only for a user created now:
    ``password``, already in its file (password_file) when this run may change."""
    p = s.m.params
    existing = s.users.get(user)
    if existing is None:
        todo.append("create user %s" % user)
        if s.write("iam:CreateUser %s" % user, "create_user", UserName=user):
            done.append(todo[-1])
        path = p["admin_user_password_file"]
        if path:
            todo.append("give %s a console password (to be changed at first sign-in) written to %s" % (user, path))
            s.m.record_change("iam:CreateLoginProfile %s" % user)
            if s.m.may_change:
                set_password(s, user, password)
                done.append(todo[-1])
                result["password_file"] = path
        else:
            todo.append("no console password for %s (%s not set)" % (user, s.m.option("admin_user_password_file")))
            done.append(todo[-1])
    if existing is None or group not in (existing.get("GroupList") or []):
        todo.append("add %s to %s" % (user, group))
        if s.write("iam:AddUserToGroup %s %s" % (group, user), "add_user_to_group", GroupName=group, UserName=user):
            done.append(todo[-1])
    entry = s.users.setdefault(user, {"UserName": user, "GroupList": []})
    if group not in entry.setdefault("GroupList", []):
        entry["GroupList"].append(group)


def password_file(s, path):
    """Generate the password (as long as the account's policy asks, at least PASSWORD_LENGTH)
    and write it to a new file at ``path`` (files.create_exclusive: never an existing file or a
    link; 0600). Returns it. It is never returned by the module or logged: Ansible masks it
    everywhere (no_log_values) should it ever end up in an error message."""
    minimum = PASSWORD_LENGTH
    try:
        policy = s.iam.get_account_password_policy()["PasswordPolicy"]
        minimum = max(minimum, policy.get("MinimumPasswordLength") or 0)
    except aws.ClientError as e:
        if aws.error_code(e) != "NoSuchEntity":
            raise
    password = generate_password(minimum)
    s.m.module.no_log_values.add(password)
    files.create_exclusive(path, password + "\n")
    return password


def set_password(s, user, password):
    """The user's console password, to be changed at first sign-in."""
    s.iam.create_login_profile(UserName=user, Password=password, PasswordResetRequired=True)


def discard(path):
    """Remove the password file this run created (its user has no such password)."""
    try:
        os.remove(path)
    except OSError:
        pass


# --- iam.support_role ---------------------------------------------------------------------------

def support_role(s):
    m, p = s.m, s.m.params
    control = "iam.support_role"
    arn = s.managed(SUPPORT_POLICY)
    holders = sorted(r for r, d in s.roles.items() if arn in iam_policy.attached_arns(d))
    if holders:
        m.findings.add(control, "pass", "roles with %s: %s" % (SUPPORT_POLICY, ", ".join(holders)),
                       resource="role/%s" % holders[0])
        return
    name = p["support_role_name"]
    resource = "role/%s" % name
    if not p["create_support_role"] or m.findings.is_waived(control, resource):
        m.findings.add(control, "fail", "no role has %s (%s is off)" % (SUPPORT_POLICY, m.option("create_support_role")),
                       resource=resource)
        return
    todo, done = [], []
    try:
        if name not in s.roles:
            principals = p["support_role_trusted_arns"] or ["arn:%s:iam::%s:root" % (s.partition, s.account_id)]
            todo.append("create role %s trusted by %s" % (name, ", ".join(principals)))
            trust = iam_policy.dumps(iam_policy.trust_account_document(principals))
            if s.write("iam:CreateRole %s" % name, "create_role", RoleName=name, AssumeRolePolicyDocument=trust,
                       Description="AWS Support access for incident management (CIS 1.17), made by bulwark.aws"):
                done.append(todo[-1])
        todo.append("attach %s" % SUPPORT_POLICY)
        if s.write("iam:AttachRolePolicy %s %s" % (name, SUPPORT_POLICY), "attach_role_policy",
                   RoleName=name, PolicyArn=arn):
            done.append(todo[-1])
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.add(control, "error", "no role has %s; %s failed: %s" % (
            SUPPORT_POLICY, todo[-1], aws.describe_error(e, "iam")), resource=resource)
        return
    fixed = len(done) == len(todo)
    m.findings.noncompliant(control, can_fix=True, fixed=fixed, resource=resource, message=(
        "no role had %s; done: %s" % (SUPPORT_POLICY, "; ".join(done)) if fixed else
        "no role has %s; would %s" % (SUPPORT_POLICY, "; ".join(todo))))


# --- iam.mfa_enforcement_policy --------------------------------------------------------------

def mfa_policy(s):
    m, p = s.m, s.m.params
    control = "iam.mfa_enforcement_policy"
    name = p["mfa_policy_name"]
    resource = "policy/%s" % name
    arn = "arn:%s:iam::%s:policy/%s" % (s.partition, s.account_id, name)
    wanted = iam_policy.mfa_enforcement_document(s.partition)
    found = [x for x in s.policies if iam_policy.policy_name(x) == name]
    policy = found[0] if found else None
    if policy:
        arn = policy.get("Arn") or arn
    waived = m.findings.is_waived(control, resource)
    exists = policy is not None
    try:
        if policy is None:
            if p["create_mfa_policy"] and not waived:
                exists = s.write("iam:CreatePolicy %s" % name, "create_policy", PolicyName=name,
                                 PolicyDocument=iam_policy.dumps(wanted),
                                 Description="Deny all but MFA self-service until signed in with MFA (bulwark.aws)")
                m.findings.noncompliant(control, can_fix=True, fixed=exists, resource=resource, message=(
                    "created %s" % name if exists else "%s does not exist: would create it" % name))
            else:
                m.findings.add(control, "fail", "%s does not exist (%s is off)" % (name, m.option("create_mfa_policy")),
                               resource=resource)
        elif not iam_policy.same(iam_policy.default_document(policy), wanted):
            versions = len(policy.get("PolicyVersionList") or [])
            if not p["create_mfa_policy"] or waived:
                m.findings.add(control, "fail", "%s allows other actions than the MFA enforcement pattern "
                               "(%s is off)" % (name, m.option("create_mfa_policy")), resource=resource)
            elif versions >= MAX_POLICY_VERSIONS:
                m.findings.add(control, "fail", "%s differs from the MFA enforcement pattern and has %d versions: "
                               "delete an old version (bulwark never deletes), then run again"
                               % (name, versions), resource=resource)
            else:
                fixed = s.write("iam:CreatePolicyVersion %s" % name, "create_policy_version", PolicyArn=arn,
                                PolicyDocument=iam_policy.dumps(wanted), SetAsDefault=True)
                m.findings.noncompliant(control, can_fix=True, fixed=fixed, resource=resource, message=(
                    "%s differed from the MFA enforcement pattern: %s" % (
                        name, "new default version set" if fixed else "would set a new default version")))
        else:
            m.findings.add(control, "pass", "%s has the MFA enforcement document" % name, resource=resource)
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.add(control, "error", "%s: %s" % (name, aws.describe_error(e, "iam")), resource=resource)
        return
    available = policy is not None or (p["create_mfa_policy"] and not waived)
    mfa_coverage(s, control, name, arn, available)


def mfa_coverage(s, control, name, arn, available):
    """Groups whose console users lack the policy (through any of their groups); attach where asked."""
    m, p = s.m, s.m.params
    try:
        records, _text = credential_report.report(s.iam, m.shared)
    except (aws.ClientError, aws.BotoCoreError, credential_report.CredentialReportError) as e:
        text = e.args[0] if isinstance(e, credential_report.CredentialReportError) else aws.describe_error(e, "iam")
        m.findings.add(control, "error", "console users unknown: %s" % text, resource="account")
        return
    _root, report = credential_report.by_user(records)
    console = sorted(u for u, r in report.items() if r.password_enabled)
    has = set(g for g, d in s.groups.items() if arn in iam_policy.attached_arns(d))
    asked = list(p["mfa_policy_groups"])
    missing_groups = [g for g in asked if g not in s.groups]
    for g in missing_groups:
        m.findings.add(control, "fail", "group %s (in %s) does not exist" % (g, m.option("mfa_policy_groups")),
                       resource="group/%s" % g)
    will_have = has | set(g for g in asked if g in s.groups and not m.findings.is_waived(control, "group/%s" % g))

    uncovered = {}  # group -> [console users lacking the policy]
    loners = []
    for user in console:
        groups = (s.users.get(user) or {}).get("GroupList") or []
        if not groups:
            loners.append(user)
        elif not any(g in has for g in groups):
            for g in groups:
                uncovered.setdefault(g, []).append(user)

    for group in sorted(set(uncovered) | (set(asked) - set(missing_groups))):
        if group in has:
            continue
        resource = "group/%s" % group
        users = uncovered.get(group, [])
        who = ("console users without the policy: %s" % ", ".join(users)) if users else "no console users yet"
        if group not in will_have:
            m.findings.add(control, "fail", "%s lacks %s; %s (add the group to %s to attach it)"
                           % (group, name, who, m.option("mfa_policy_groups")), resource=resource)
            continue
        if not available:
            m.findings.add(control, "fail", "%s lacks %s, which does not exist (%s is off); %s"
                           % (group, name, m.option("create_mfa_policy"), who), resource=resource)
            continue
        try:
            done = s.write("iam:AttachGroupPolicy %s %s" % (group, name), "attach_group_policy",
                           GroupName=group, PolicyArn=arn)
        except (aws.ClientError, aws.BotoCoreError) as e:
            m.findings.add(control, "error",
                           "attaching %s to %s failed: %s" % (name, group, aws.describe_error(e, "iam")),
                           resource=resource)
            continue
        m.findings.noncompliant(control, can_fix=True, fixed=done, resource=resource,
                                message="%s lacked %s (%s): %s" % (
                                    group, name, who, "attached" if done else "would attach"))
    for user in loners:
        m.findings.add(control, "fail", "console user %s is in no group, so no group policy reaches it: "
                       "add it to a group that has %s" % (user, name), resource="user/%s" % user)
    if not [g for g in set(uncovered) | set(asked) if g not in has] and not loners:
        m.findings.add(control, "pass", "%d console users, each in a group with %s" % (len(console), name),
                       resource="account")


def argument_spec():
    return dict(
        create_admin_group=dict(type="bool", default=False),
        admin_group_name=dict(type="str", default="bulwark-admins"),
        admin_user=dict(type="str"),
        admin_user_password_file=dict(type="path", no_log=False),
        create_support_role=dict(type="bool", default=True),
        support_role_name=dict(type="str", default="bulwark-support"),
        support_role_trusted_arns=dict(type="list", elements="str", default=[]),
        create_mfa_policy=dict(type="bool", default=True),
        mfa_policy_name=dict(type="str", default="bulwark-require-mfa"),
        mfa_policy_groups=dict(type="list", elements="str", default=[]),
    )


def body(m):
    iam = m.client("iam")
    filters = ["Group", "Role"]
    if m.wants("iam.admin_group", "iam.mfa_enforcement_policy"):
        filters.append("User")
    if m.findings.wants("iam.mfa_enforcement_policy"):
        filters.append("LocalManagedPolicy")
    try:
        details = iam_policy.authorization_details(iam, filters)
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.error_for(CONTROLS, aws.describe_error(e, "iam"))
        m.exit()
        return
    s = Setup(m, iam, details)
    if m.params["admin_user_password_file"]:
        # Relative to the module's working directory: Ansible runs a module on localhost in the
        # playbook's directory, so the role passes it joined to where ansible-playbook runs.
        # Messages and the result name the absolute path.
        m.params["admin_user_password_file"] = os.path.abspath(m.params["admin_user_password_file"])
    result = {}
    if m.findings.wants("iam.admin_group"):
        result.update(admin_group(s))
    if m.findings.wants("iam.support_role"):
        support_role(s)
    if m.findings.wants("iam.mfa_enforcement_policy"):
        mfa_policy(s)
    m.exit(**result)


DEFINITION = Definition("iam_admin_setup", argument_spec, CONTROLS, body, validate)

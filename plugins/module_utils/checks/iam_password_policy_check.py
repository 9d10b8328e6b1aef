# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.iam_password_policy_check module (its file holds the documentation).

bulwark.aws.iam_password_policy_check runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

RESOURCE = "account-password-policy"
CONTROLS = ids(module="iam_password_policy_check")

# control suffix -> (API field, option, how the baseline compares)
#   at_least: current >= baseline      required: baseline true needs current true
#   at_most:  0 / absent (never) fails, else current <= baseline
REQUIREMENTS = (
    ("min_length", "MinimumPasswordLength", "min_length", "at_least"),
    ("reuse_prevention", "PasswordReusePrevention", "reuse_prevention", "at_least"),
    ("uppercase", "RequireUppercaseCharacters", "require_uppercase", "required"),
    ("lowercase", "RequireLowercaseCharacters", "require_lowercase", "required"),
    ("numbers", "RequireNumbers", "require_numbers", "required"),
    ("symbols", "RequireSymbols", "require_symbols", "required"),
    ("max_age", "MaxPasswordAge", "max_age", "at_most"),
    ("allow_users_to_change", "AllowUsersToChangePassword", "allow_users_to_change", "required"),
)

# What IAM applies to a field an update leaves out.
API_DEFAULTS = {
    "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
    "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False, "MaxPasswordAge": 0, "PasswordReusePrevention": 0, "HardExpiry": False,
}
RANGES = {"min_length": (6, 128), "reuse_prevention": (1, 24), "max_age": (1, 1095)}


def validate(params, _named):
    for option, (low, high) in RANGES.items():
        value = params[option]
        if not low <= value <= high:
            raise ValueError("%s: %d is out of range; IAM accepts %d to %d" % (option, value, low, high))


def meets(kind, current, baseline):
    if kind == "at_least":
        return (current or 0) >= baseline
    if kind == "required":
        return bool(current) or not baseline
    return bool(current) and current <= baseline  # at_most; 0 means "never expires"


def stricter(kind, current, baseline):
    """The value to set: the baseline, unless the current value is already stricter."""
    if kind == "at_least":
        return max(current or 0, baseline)
    if kind == "required":
        return bool(current) or baseline
    return min(current, baseline) if current else baseline


def describe(field, kind, current, baseline):
    shown = "not set" if current in (None, 0) and kind != "required" else current
    if kind == "at_least":
        want = "%s or more" % baseline
    elif kind == "required":
        want = "true"
    else:
        want = "%s days or fewer" % baseline
    return "%s is %s, baseline requires %s" % (field, shown, want)


def desired_policy(current, params, selected):
    """The full policy to send: current values, with each selected requirement raised to the
    baseline. UpdateAccountPasswordPolicy replaces the whole policy, so nothing may be left out."""
    policy = dict(API_DEFAULTS)
    policy.update(dict((k, v) for k, v in current.items() if k in API_DEFAULTS))
    if not current:
        policy["HardExpiry"] = params["hard_expiry"]
    for suffix, field, option, kind in REQUIREMENTS:
        if "iam.password_policy." + suffix in selected:
            policy[field] = stricter(kind, current.get(field), params[option])
    return policy


def update_arguments(policy):
    args = dict(policy)
    for field in ("MaxPasswordAge", "PasswordReusePrevention"):
        if not args.get(field):
            args.pop(field)  # absent means "never expires" / "no reuse limit"
    return args


def read_policy(iam):
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
    except aws.ClientError as e:
        if aws.error_code(e) == "NoSuchEntity":
            return {}
        raise
    policy.pop("ExpirePasswords", None)  # derived from MaxPasswordAge, not settable
    return policy


def argument_spec():
    return dict(
        min_length=dict(type="int", default=14),
        require_uppercase=dict(type="bool", default=True),
        require_lowercase=dict(type="bool", default=True),
        require_numbers=dict(type="bool", default=True),
        require_symbols=dict(type="bool", default=True),
        max_age=dict(type="int", default=90),
        reuse_prevention=dict(type="int", default=24),
        allow_users_to_change=dict(type="bool", default=True),
        hard_expiry=dict(type="bool", default=False),
    )


def body(m):
    iam = m.client("iam")
    selected = m.params["controls"]
    try:
        current = read_policy(iam)
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.findings.error_for(selected, aws.describe_error(e, "iam"), resource=RESOURCE)
        m.exit(policy={})
        return

    # Waived requirements keep their current value: a waiver is an accepted exception.
    target = desired_policy(current, m.params, [c for c in selected if not m.findings.is_waived(c, RESOURCE)])
    must_update = target != dict(API_DEFAULTS, **current)
    fixed = False
    if must_update:
        m.record_change("iam:UpdateAccountPasswordPolicy")
        if m.may_change:
            try:
                iam.update_account_password_policy(**update_arguments(target))
                fixed = True
            except (aws.ClientError, aws.BotoCoreError) as e:
                m.findings.error_for(selected, aws.describe_error(e, "iam"), resource=RESOURCE)
                m.exit(policy=current)
                return

    for suffix, field, option, kind in REQUIREMENTS:
        control = "iam.password_policy." + suffix
        value, baseline = current.get(field), m.params[option]
        if not current:
            problem = "no account password policy exists"
        elif meets(kind, value, baseline):
            m.findings.add(control, "pass", "%s is %s" % (field, value), resource=RESOURCE)
            continue
        else:
            problem = describe(field, kind, value, baseline)
        if m.findings.is_waived(control, RESOURCE):
            m.findings.add(control, "drift", problem, resource=RESOURCE)  # becomes "waived"
            continue
        action = "set to %s" % target[field] if fixed else "would set %s to %s" % (field, target[field])
        m.findings.noncompliant(control, can_fix=True, fixed=fixed, message="%s: %s" % (problem, action),
                                resource=RESOURCE)
    m.exit(policy=target if (fixed or m.check_mode) else current)


DEFINITION = Definition("iam_password_policy_check", argument_spec, CONTROLS, body, validate)

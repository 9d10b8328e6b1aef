# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.account_settings module (its file holds the documentation).

bulwark.aws.account_settings runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import get as control_info, ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.core.regions import AWS_FAULTS

CONTROLS = ids(module="account_settings")
CONTACT_TYPES = (("account.security_contact", "SECURITY", "security_contact"),
                 ("account.billing_contact", "BILLING", "billing_contact"),
                 ("account.operations_contact", "OPERATIONS", "operations_contact"))
CONTACT_FIELDS = (("name", "Name", 64), ("title", "Title", 50), ("email", "EmailAddress", 254), ("phone", "PhoneNumber", 25))
# The patterns account:PutAlternateContact enforces.
EMAIL = re.compile(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$")
PHONE = re.compile(r"^[\s0-9()+-]+$")
ALIAS = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
BUDGET_NAME = re.compile(r"^[^:\\]{1,100}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")

R_CONTACT_INFO = "contact-information"
R_QUESTIONS = "security-questions"
R_ALIAS = "account-alias"
R_REGIONS = "opt-in-regions"


# --- input -------------------------------------------------------------------------------------

def validate(params, named):
    for _control, kind, option in CONTACT_TYPES:
        contact = params.get(option)
        if contact is None:
            continue
        for field, _api, limit in CONTACT_FIELDS:
            value = (contact.get(field) or "").strip()
            if not value or len(value) > limit:
                raise ValueError("%s.%s: 1 to %d characters" % (option, field, limit))
        if not EMAIL.match(contact["email"]):
            raise ValueError("%s.email: %r is not an email address" % (option, contact["email"]))
        if not PHONE.match(contact["phone"]):
            raise ValueError("%s.phone: %r is not a phone number (digits, spaces and + - ( ) only)"
                             % (option, contact["phone"]))
    alias = params.get("alias")
    if alias is not None and (not ALIAS.match(alias) or re.match(r"^\d{12}$", alias)):
        raise ValueError("alias: %r must be 3-63 lowercase letters, digits and single hyphens, not starting or "
                         "ending with a hyphen, and not a 12-digit number" % alias)
    known = aws.known_regions()
    bad = [r for r in params["allowed_opt_in_regions"] if r not in known]
    if bad:
        raise ValueError("allowed_opt_in_regions: %s not an AWS region" % ", ".join(repr(r) for r in bad))
    amount = params.get("budget_amount")
    if amount is not None and not amount > 0:
        raise ValueError("budget_amount: %s must be more than 0" % amount)
    if not 0 < params["budget_threshold_percent"] <= 1000:
        raise ValueError("budget_threshold_percent: %s is out of range; give 1 to 1000" % params["budget_threshold_percent"])
    emails = params["budget_emails"]
    bad = [e for e in emails if not EMAIL.match(e or "")]
    if bad:
        raise ValueError("budget_emails: %s not an email address" % ", ".join(repr(e) for e in bad))
    if len(emails) > 10:
        raise ValueError("budget_emails: at most 10 addresses (AWS Budgets' limit per notification)")
    if bool(amount) != bool(emails):
        raise ValueError("%s and %s go together: give both to create the budget, or neither"
                         % (named("budget_amount"), named("budget_emails")))
    if not BUDGET_NAME.match(params["budget_name"]):
        raise ValueError("budget_name: 1 to 100 characters, no ':' or '\\'")
    if not CURRENCY.match(params["budget_currency"]):
        raise ValueError("budget_currency: %r is not a currency code such as USD" % params["budget_currency"])


def same_field(field, current, wanted):
    """Email addresses compare without case; every field without surrounding blanks."""
    current = (current or "").strip()
    return current.lower() == wanted.lower() if field == "EmailAddress" else current == wanted


def api_contact(contact):
    return dict((api, contact[field].strip()) for field, api, _limit in CONTACT_FIELDS)


def console_steps(control):
    return control_info(control).remediation


# --- controls ----------------------------------------------------------------------------------

def apply(m, control, resource, problem, action, call):
    """The common tail: waived, or record the change and (when allowed) make it."""
    if m.findings.is_waived(control, resource):
        m.findings.add(control, "drift", problem, resource=resource)
        return
    m.record_change(action)
    fixed = False
    if m.may_change:
        call()
        fixed = True
    m.findings.noncompliant(control, True, fixed, "%s: %s %s" % (problem, "fixed with" if fixed else "would call", action),
                            resource=resource)


def check_contact(m, control, kind, option):
    account = m.client("account")
    resource = "alternate-contact/%s" % kind
    try:
        current = account.get_alternate_contact(AlternateContactType=kind)["AlternateContact"]
    except aws.ClientError as e:
        if aws.error_code(e) != "ResourceNotFoundException":
            raise
        current = None
    wanted = m.params.get(option)
    label = kind.lower()
    if wanted is None:
        if current:
            m.findings.add(control, "pass", "a %s alternate contact is registered" % label, resource=resource)
        else:
            m.findings.noncompliant(control, False, False, "no %s alternate contact (set %s)" % (label, m.option(option)),
                                    resource=resource)
        return
    target = api_contact(wanted)
    now = dict((k, (current or {}).get(k)) for k in target)
    differ = [k for k, v in target.items() if not same_field(k, now[k], v)]
    if current and not differ:
        m.findings.add(control, "pass", "the %s alternate contact is as given" % label, resource=resource)
        return
    problem = "no %s alternate contact" % label if not current else "the %s alternate contact differs (%s)" % (
        label, ", ".join(differ))
    apply(m, control, resource, problem, "account:PutAlternateContact (%s)" % kind,
          lambda: account.put_alternate_contact(AlternateContactType=kind, **target))


def check_contact_details(m):
    control = "account.contact_details"
    try:
        info = m.client("account").get_contact_information().get("ContactInformation") or {}
        state = "contact information is registered (%s)" % ", ".join(
            k for k in ("FullName", "AddressLine1", "City", "CountryCode", "PhoneNumber") if info.get(k))
    except aws.ClientError as e:
        if aws.error_code(e) == "ResourceNotFoundException":
            m.findings.add(control, "fail", "no contact information is registered: " + console_steps(control),
                           resource=R_CONTACT_INFO)
            return
        state = "the contact information could not be read (%s)" % aws.describe_error(e, "account")
    except AWS_FAULTS as e:
        state = "the contact information could not be read (%s)" % aws.describe_error(e, "account")
    m.findings.add(control, "manual", "%s; whether it is current needs a person: %s" % (state, console_steps(control)),
                   resource=R_CONTACT_INFO)


def check_security_questions(m):
    control = "account.security_questions"
    m.findings.add(control, "manual", "no API reads the security challenge questions: " + console_steps(control),
                   resource=R_QUESTIONS)


def check_alias(m):
    iam = m.client("iam")
    aliases = iam.list_account_aliases().get("AccountAliases") or []
    current = aliases[0] if aliases else None
    wanted = m.params.get("alias")
    control = "account.alias"
    if wanted is None:
        if current:
            m.findings.add(control, "pass", "the account alias is %s" % current, resource=R_ALIAS)
        else:
            m.findings.noncompliant(control, False, False, "the account has no alias (set %s)" % m.option("alias"),
                                    resource=R_ALIAS)
        return
    if current == wanted:
        m.findings.add(control, "pass", "the account alias is %s" % current, resource=R_ALIAS)
        return
    if current and not m.params["force_alias"]:
        m.findings.noncompliant(control, False, False, "the account alias is %s, not %s; it is renamed only with "
                                "%s" % (current, wanted, m.option("force_alias")), resource=R_ALIAS)
        return
    problem = "the account has no alias" if not current else "the account alias is %s, not %s" % (current, wanted)
    apply(m, control, R_ALIAS, problem, "iam:CreateAccountAlias", lambda: iam.create_account_alias(AccountAlias=wanted))


def opt_in_regions(m):
    """(enabled, not_enabled) opt-in regions of the home region's partition, from ec2:DescribeRegions.
    (account:ListRegions says the same with transitional states, but needs more permissions and
    moto lacks it.)"""
    known = aws.known_regions()
    partition = known.get(m.conn.region, "aws")
    enabled, not_enabled = [], []
    for entry in m.client("ec2").describe_regions(AllRegions=True)["Regions"]:
        name = entry["RegionName"]
        if known.get(name) != partition:
            continue
        if entry.get("OptInStatus") == "opted-in":
            enabled.append(name)
        elif entry.get("OptInStatus") == "not-opted-in":
            not_enabled.append(name)
    return sorted(enabled), sorted(not_enabled)


def check_opt_in_regions(m, result):
    control = "account.opt_in_regions"
    enabled, not_enabled = opt_in_regions(m)
    result["opt_in_regions"] = {"enabled": enabled, "not_enabled": not_enabled}
    allowed = m.params["allowed_opt_in_regions"]
    unlisted = [r for r in enabled if r not in allowed]
    to_enable = [r for r in allowed if r in not_enabled]
    if not unlisted and not to_enable:
        m.findings.add(control, "pass", "enabled opt-in regions: %s (allowed: %s)" % (
            ", ".join(enabled) or "none", ", ".join(allowed) or "none"), resource=R_REGIONS)
        return
    problems, writes = [], []
    if unlisted:
        problems.append("enabled opt-in regions not allowed: %s" % ", ".join(unlisted))
        if m.params["disable_unlisted_opt_in_regions"]:
            writes += [("DisableRegion", r) for r in unlisted]
    if to_enable:
        problems.append("allowed opt-in regions not enabled: %s" % ", ".join(to_enable))
        if m.params["enable_allowed_opt_in_regions"]:
            writes += [("EnableRegion", r) for r in to_enable]
    problem = "; ".join(problems)
    if len(writes) < len(unlisted) + len(to_enable) or m.findings.is_waived(control, R_REGIONS):
        hint = []
        if unlisted and not m.params["disable_unlisted_opt_in_regions"]:
            hint.append("disable them in Account > AWS Regions, list them in %s, or set %s"
                        % (m.option("allowed_opt_in_regions"), m.option("disable_unlisted_opt_in_regions")))
        if to_enable and not m.params["enable_allowed_opt_in_regions"]:
            hint.append("set %s to enable them" % m.option("enable_allowed_opt_in_regions"))
        status_problem = problem + (" (%s)" % "; ".join(hint) if hint else "")
        if m.findings.is_waived(control, R_REGIONS):
            m.findings.add(control, "drift", status_problem, resource=R_REGIONS)
        else:
            m.findings.noncompliant(control, False, False, status_problem, resource=R_REGIONS)
        return
    account = m.client("account")
    # A region being enabled or disabled shows in ec2 with its old state for a while: ask the
    # account API and leave transitional regions alone.
    pending, calls = [], []
    for op, region in writes:
        status = account.get_region_opt_status(RegionName=region).get("RegionOptStatus")
        if status in ("ENABLING", "DISABLING"):
            pending.append("%s %s" % (region, status.lower()))
            continue
        m.record_change("account:%s (%s)" % (op, region))
        calls.append((op, region))
    fixed = False
    if calls and m.may_change:
        for op, region in calls:
            if op == "EnableRegion":
                account.enable_region(RegionName=region)
            else:
                account.disable_region(RegionName=region)
        fixed = True
    message = problem + (": %s %s" % ("requested" if fixed else "would request", ", ".join(
        "%s %s" % (op, r) for op, r in calls)) if calls else "") + ("; in progress: %s" % ", ".join(pending) if pending else "")
    m.findings.noncompliant(control, True, fixed, message, resource=R_REGIONS)


def budget_ok(budget, notifications):
    return (budget.get("TimeUnit") == "MONTHLY" and budget.get("BudgetType") == "COST"
            and any(n.get("ComparisonOperator") == "GREATER_THAN" for n in notifications))


def check_budget(m, account_id):
    control = "account.budget_alert"
    budgets = m.client("budgets")
    all_budgets = aws.paginate(budgets, "describe_budgets", "Budgets", AccountId=account_id)
    name = m.params["budget_name"]
    amount = m.params.get("budget_amount")
    mine = [b for b in all_budgets if b["BudgetName"] == name]
    candidates = mine or [b for b in all_budgets if b.get("TimeUnit") == "MONTHLY" and b.get("BudgetType") == "COST"]
    for budget in candidates:
        notes = budgets.describe_notifications_for_budget(AccountId=account_id, BudgetName=budget["BudgetName"]).get(
            "Notifications") or []
        if budget_ok(budget, notes):
            limit = budget.get("BudgetLimit") or {}
            if amount and budget["BudgetName"] == name and float(limit.get("Amount") or 0) != float(amount):
                m.findings.noncompliant(control, False, False, "budget %s is %s %s, not %s: change it in Billing > "
                                        "Budgets (bulwark does not change an existing budget)"
                                        % (name, limit.get("Amount"), limit.get("Unit"), amount), resource=name)
                return
            m.findings.add(control, "pass", "monthly cost budget %s (%s %s) notifies at %s" % (
                budget["BudgetName"], limit.get("Amount"), limit.get("Unit"),
                ", ".join("%s%%" % n.get("Threshold") for n in notes)), resource=budget["BudgetName"])
            return
    if not amount:
        m.findings.noncompliant(control, False, False, "no monthly cost budget with an alert (set %s and %s)"
                                % (m.option("budget_amount"), m.option("budget_emails")), resource=name)
        return
    if mine:
        m.findings.noncompliant(control, False, False, "budget %s exists but is not a monthly cost budget with an "
                                "alert; fix it in Billing > Budgets" % name, resource=name)
        return
    threshold = m.params["budget_threshold_percent"]
    budget = {"BudgetName": name, "BudgetLimit": {"Amount": "%g" % amount, "Unit": m.params["budget_currency"]},
              "TimeUnit": "MONTHLY", "BudgetType": "COST"}
    notification = {"Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                                     "Threshold": threshold, "ThresholdType": "PERCENTAGE"},
                    "Subscribers": [{"SubscriptionType": "EMAIL", "Address": e} for e in m.params["budget_emails"]]}

    def create():
        try:
            budgets.create_budget(AccountId=account_id, Budget=budget, NotificationsWithSubscribers=[notification])
        except aws.ClientError as e:
            if aws.error_code(e) != "DuplicateRecordException":
                raise  # else a concurrent run made this budget, from the same settings, meanwhile

    apply(m, control, name, "no monthly cost budget with an alert", "budgets:CreateBudget", create)


# --- module ------------------------------------------------------------------------------------

def argument_spec():
    contact = dict(type="dict", options=dict(
        name=dict(type="str", required=True), title=dict(type="str", required=True),
        email=dict(type="str", required=True), phone=dict(type="str", required=True)))
    return dict(
        security_contact=dict(contact),
        billing_contact=dict(contact),
        operations_contact=dict(contact),
        alias=dict(type="str"),
        force_alias=dict(type="bool", default=False),
        allowed_opt_in_regions=dict(type="list", elements="str", default=[]),
        enable_allowed_opt_in_regions=dict(type="bool", default=False),
        disable_unlisted_opt_in_regions=dict(type="bool", default=False),
        budget_amount=dict(type="float"),
        budget_currency=dict(type="str", default="USD"),
        budget_threshold_percent=dict(type="float", default=80),
        budget_emails=dict(type="list", elements="str", default=[]),
        budget_name=dict(type="str", default="bulwark-monthly-cost"),
    )


def guarded(m, controls, service, fn, *args):
    """fn(*args); an AWS fault becomes an `error` finding for the controls, the others go on."""
    try:
        fn(*args)
    except AWS_FAULTS as e:
        m.findings.error_for([c for c in controls if m.findings.wants(c)], aws.describe_error(e, service))


def body(m):
    account_id = m.identity()["account_id"]
    result = {}
    if m.wants("account.contact_details"):
        check_contact_details(m)
    for control, kind, option in CONTACT_TYPES:
        if m.wants(control):
            guarded(m, [control], "account", check_contact, m, control, kind, option)
    if m.wants("account.security_questions"):
        check_security_questions(m)
    if m.wants("account.alias"):
        guarded(m, ["account.alias"], "iam", check_alias, m)
    if m.wants("account.opt_in_regions"):
        guarded(m, ["account.opt_in_regions"], "account", check_opt_in_regions, m, result)
    if m.wants("account.budget_alert"):
        guarded(m, ["account.budget_alert"], "budgets", check_budget, m, account_id)
    m.exit(**result)


DEFINITION = Definition("account_settings", argument_spec, CONTROLS, body, validate)

"""account_settings against moto (alternate contacts, alias, budgets); botocore Stubbers for what
moto lacks (account:GetContactInformation, region opt-in status, ec2 OptInStatus 'opted-in')."""

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_settings as mod

from tests.support.aws_faults import StubbedService, deny_region, on_new_clients
from tests.support.recorder import Recorder

ACCOUNT = "123456789012"
SECURITY = {"name": "Security Team", "title": "CISO", "email": "security@example.com", "phone": "+1 555 0100"}
BILLING = {"name": "Finance", "title": "Controller", "email": "billing@example.com", "phone": "+44 20 7946 0000"}
OPERATIONS = {"name": "Ops On-call", "title": "SRE", "email": "ops@example.com", "phone": "(555) 0199"}


def full_args(**extra):
    base = {"security_contact": SECURITY, "billing_contact": BILLING, "operations_contact": OPERATIONS,
            "alias": "bulwark-test", "budget_amount": 500, "budget_emails": ["finance@example.com"]}
    base.update(extra)
    return base


def statuses(result):
    return dict((f["control"], f["status"]) for f in result["findings"])


AUTO = ["account.security_contact", "account.billing_contact", "account.operations_contact", "account.alias",
        "account.budget_alert"]


@mock_aws
def test_fresh_account_is_drift_and_manual_controls_say_what_to_do(run_module):
    result = run_module(mod.DEFINITION.main, full_args(), check_mode=True)
    got = statuses(result)
    assert set(got) == set(mod.CONTROLS) and len(result["findings"]) == len(mod.CONTROLS)
    assert dict((c, got[c]) for c in AUTO) == dict((c, "drift") for c in AUTO)
    assert got["account.contact_details"] == "manual" and got["account.security_questions"] == "manual"
    details = [f for f in result["findings"] if f["control"] == "account.contact_details"][0]["message"]
    assert "could not be read" in details and "Account > Contact information" in details  # moto lacks the API
    questions = [f for f in result["findings"] if f["control"] == "account.security_questions"][0]["message"]
    assert "security challenge questions" in questions
    assert got["account.opt_in_regions"] == "pass"  # moto reports no region as opted-in
    assert result["changed"] is True
    with pytest.raises(boto3.client("account").exceptions.ResourceNotFoundException):
        boto3.client("account").get_alternate_contact(AlternateContactType="SECURITY")
    assert boto3.client("iam").list_account_aliases()["AccountAliases"] == []


@mock_aws
def test_apply_then_second_apply_changes_nothing(run_module):
    first = run_module(mod.DEFINITION.main, full_args(), diff=True)
    assert dict((c, statuses(first)[c]) for c in AUTO) == dict((c, "fixed") for c in AUTO)
    key = "account.security_contact alternate-contact/SECURITY"
    assert first["diff"]["before"][key] == "no security alternate contact: fixed with account:PutAlternateContact (SECURITY)"
    assert first["diff"]["after"][key] == "fixed"
    contact = boto3.client("account").get_alternate_contact(AlternateContactType="OPERATIONS")["AlternateContact"]
    assert contact["PhoneNumber"] == "(555) 0199" and contact["Name"] == "Ops On-call"
    assert boto3.client("iam").list_account_aliases()["AccountAliases"] == ["bulwark-test"]
    budget = boto3.client("budgets").describe_budget(AccountId=ACCOUNT, BudgetName="bulwark-monthly-cost")["Budget"]
    assert budget["TimeUnit"] == "MONTHLY" and float(budget["BudgetLimit"]["Amount"]) == 500
    [note] = boto3.client("budgets").describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="bulwark-monthly-cost")["Notifications"]
    assert note["Threshold"] == 80 and note["ComparisonOperator"] == "GREATER_THAN"

    second = run_module(mod.DEFINITION.main, full_args())
    assert second["changed"] is False and second["actions"] == []
    assert dict((c, statuses(second)[c]) for c in AUTO) == dict((c, "pass") for c in AUTO)


@mock_aws
def test_without_values_missing_settings_fail_and_existing_ones_pass(run_module):
    boto3.client("account").put_alternate_contact(AlternateContactType="BILLING", Name="x", Title="y",
                                                  EmailAddress="b@example.com", PhoneNumber="1")
    boto3.client("iam").create_account_alias(AccountAlias="already-named")
    result = run_module(mod.DEFINITION.main, {})
    got = statuses(result)
    assert got["account.security_contact"] == "fail" and got["account.billing_contact"] == "pass"
    assert got["account.alias"] == "pass" and got["account.budget_alert"] == "fail"
    assert result["changed"] is False


@mock_aws
def test_contact_that_differs_is_updated(run_module):
    account = boto3.client("account")
    account.put_alternate_contact(AlternateContactType="SECURITY", Name="Old", Title="CISO",
                                  EmailAddress="SECURITY@example.com", PhoneNumber="+1 555 0100")
    result = run_module(mod.DEFINITION.main, {"controls": ["account.security_contact"], "security_contact": SECURITY})
    [finding] = result["findings"]
    assert finding["status"] == "fixed" and "differs (Name)" in finding["message"]  # the email's case does not count
    assert account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Security Team"


@mock_aws
def test_alias_is_never_renamed_without_force(run_module):
    iam = boto3.client("iam")
    iam.create_account_alias(AccountAlias="legacy-name")
    result = run_module(mod.DEFINITION.main, {"controls": ["account.alias"], "alias": "new-name"})
    assert result["findings"][0]["status"] == "fail" and "force_alias" in result["findings"][0]["message"]
    assert iam.list_account_aliases()["AccountAliases"] == ["legacy-name"]
    forced = run_module(mod.DEFINITION.main, {"controls": ["account.alias"], "alias": "new-name", "force_alias": True})
    assert forced["findings"][0]["status"] == "fixed"
    assert iam.list_account_aliases()["AccountAliases"] == ["new-name"]


@mock_aws
def test_existing_budget_with_another_amount_is_reported_not_changed(run_module):
    boto3.client("budgets").create_budget(AccountId=ACCOUNT, Budget={
        "BudgetName": "bulwark-monthly-cost", "BudgetLimit": {"Amount": "100", "Unit": "USD"},
        "TimeUnit": "MONTHLY", "BudgetType": "COST"}, NotificationsWithSubscribers=[{
            "Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 90},
            "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "a@example.com"}]}])
    result = run_module(mod.DEFINITION.main, {"controls": ["account.budget_alert"], "budget_amount": 500,
                                              "budget_emails": ["finance@example.com"]})
    assert result["findings"][0]["status"] == "fail" and "not 500" in result["findings"][0]["message"]
    audit = run_module(mod.DEFINITION.main, {"controls": ["account.budget_alert"]})
    assert audit["findings"][0]["status"] == "pass" and "90" in audit["findings"][0]["message"]


def region_entry(name, status):
    return {"RegionName": name, "Endpoint": "ec2.%s.amazonaws.com" % name, "OptInStatus": status}


@mock_aws
def test_opt_in_regions_against_the_allow_list_with_stubbers(run_module, monkeypatch):
    """moto never reports a region 'opted-in' and lacks the account opt-in calls: Stubbers."""
    state = {"af-south-1": "opted-in", "ap-east-1": "not-opted-in", "me-south-1": "opted-in"}
    opt_status = {"af-south-1": "ENABLED", "ap-east-1": "DISABLED", "me-south-1": "DISABLED"}  # me-south-1 lags
    apply = {"on": False}

    def ec2_script(region, stubber):
        stubber.add_response("describe_regions", {"Regions": [region_entry("us-east-1", "opt-in-not-required")] + [
            region_entry(name, status) for name, status in sorted(state.items())]}, {"AllRegions": True})

    def account_script(region, stubber):
        if not apply["on"]:
            return
        # First the status of each region to change (transitional ones are left alone), then the writes.
        for name in ("af-south-1", "me-south-1", "ap-east-1"):
            stubber.add_response("get_region_opt_status", {"RegionName": name, "RegionOptStatus": opt_status[name]},
                                 {"RegionName": name})
        stubber.add_response("disable_region", {}, {"RegionName": "af-south-1"})
        stubber.add_response("enable_region", {}, {"RegionName": "ap-east-1"})

    ec2, account = StubbedService("ec2", ec2_script), StubbedService("account", account_script)
    on_new_clients(monkeypatch, ec2, account)
    base = {"controls": ["account.opt_in_regions"], "allowed_opt_in_regions": ["ap-east-1"]}
    audit = run_module(mod.DEFINITION.main, base)
    [finding] = audit["findings"]
    assert finding["status"] == "fail"
    assert "enabled opt-in regions not allowed: af-south-1, me-south-1" in finding["message"]
    assert "allowed opt-in regions not enabled: ap-east-1" in finding["message"]
    assert audit["opt_in_regions"] == {"enabled": ["af-south-1", "me-south-1"], "not_enabled": ["ap-east-1"]}
    assert audit["changed"] is False

    apply["on"] = True
    opt_status["me-south-1"] = "DISABLING"
    applied = run_module(mod.DEFINITION.main, dict(base, enable_allowed_opt_in_regions=True, disable_unlisted_opt_in_regions=True))
    [finding] = applied["findings"]
    assert finding["status"] == "fixed", finding["message"]
    assert "in progress: me-south-1 disabling" in finding["message"]
    assert sorted(applied["actions"]) == ["account:DisableRegion (af-south-1)", "account:EnableRegion (ap-east-1)"]
    ec2.assert_done()
    account.assert_done()


@mock_aws
def test_contact_details_with_stubber(run_module, monkeypatch):
    answers = iter([{"ContactInformation": {"FullName": "Jane Doe", "AddressLine1": "1 Main St", "City": "Town",
                                            "PostalCode": "12345", "CountryCode": "US", "PhoneNumber": "+15550100"}},
                    None])

    def script(region, stubber):
        answer = next(answers)
        if answer:
            stubber.add_response("get_contact_information", answer, {})
        else:
            stubber.add_client_error("get_contact_information", "ResourceNotFoundException", "none")

    on_new_clients(monkeypatch, StubbedService("account", script))
    present = run_module(mod.DEFINITION.main, {"controls": ["account.contact_details"]})
    assert present["findings"][0]["status"] == "manual"
    assert "registered (FullName, AddressLine1, City, CountryCode, PhoneNumber)" in present["findings"][0]["message"]
    assert "Jane" not in str(present["findings"]) and "Main St" not in str(present["findings"])  # no personal data
    missing = run_module(mod.DEFINITION.main, {"controls": ["account.contact_details"]})
    assert missing["findings"][0]["status"] == "fail"


@mock_aws
def test_access_denied_on_the_account_api_leaves_the_other_controls(run_module, monkeypatch):
    on_new_clients(monkeypatch, deny_region("aws-global", services=["account"]))  # account's one endpoint
    result = run_module(mod.DEFINITION.main, full_args(), check_mode=True)
    got = statuses(result)
    for control in ("account.security_contact", "account.billing_contact", "account.operations_contact"):
        assert got[control] == "error"
    assert got["account.alias"] == "drift" and got["account.budget_alert"] == "drift"
    assert got["account.contact_details"] == "manual"
    assert "AccessDenied" in [f for f in result["findings"] if f["control"] == "account.security_contact"][0]["message"]


def test_check_mode_makes_no_write_call(moto_server, run_module):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, full_args(), check_mode=True)
    assert statuses(result)["account.alias"] == "drift"
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []


@pytest.mark.parametrize("args,message", [
    ({"security_contact": dict(SECURITY, email="not-an-email")}, "security_contact.email: 'not-an-email' is not an email"),
    ({"billing_contact": dict(BILLING, phone="call me")}, "billing_contact.phone: 'call me' is not a phone number"),
    ({"operations_contact": dict(OPERATIONS, title="")}, "operations_contact.title: 1 to 50 characters"),
    ({"security_contact": {"name": "x"}}, "missing required arguments"),
    ({"alias": "Bad_Alias"}, "alias: 'Bad_Alias' must be 3-63 lowercase"),
    ({"alias": "123456789012"}, "not a 12-digit number"),
    ({"allowed_opt_in_regions": ["ap-east-9"]}, "allowed_opt_in_regions: 'ap-east-9' not an AWS region"),
    ({"budget_amount": 100}, "budget_amount and budget_emails go together"),
    ({"budget_amount": -5, "budget_emails": ["a@example.com"]}, "budget_amount: -5.0 must be more than 0"),
    ({"budget_amount": 5, "budget_emails": ["a@example"]}, "budget_emails: 'a@example' not an email"),
    ({"budget_threshold_percent": 0}, "budget_threshold_percent: 0.0 is out of range"),
    ({"budget_currency": "dollars"}, "budget_currency: 'dollars' is not a currency code"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []

"""account_baseline: several modules in one module process, each as it is alone.

The modules themselves are tested in their own files; here: the same findings in one run as in
separate runs, one connection, input checked for every module before any AWS call, a failing
module that does not stop the others, the account-wide reads made once, and the trail's log group
shared with the alarms.
"""

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_baseline as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_password_policy_check
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue

from tests.support import seed
from tests.support.aws_faults import error_response, on_new_clients
from tests.support.recorder import Recorder

REGIONS = ["us-east-1", "eu-west-1"]
# Every module, options as the roles pass them (regions cut to two to keep the test short).
OPTIONS = {
    "root_key_audit": {},
    "mfa_status": {},
    "iam_password_policy_check": {},
    "iam_credential_audit": {},
    "iam_admin_setup": {},
    "cloudtrail_trail_ensure": {"regions": REGIONS},
    "log_metric_alarms": {"alarm_email": "security@example.com"},
    "account_guardrails": {"regions": REGIONS},
    "account_settings": {},
}


@pytest.fixture(autouse=True)
def _no_aws_managed_policies(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


def comparable(findings):
    return sorted((f["control"], f["status"], f["resource"], f["region"], f["message"]) for f in findings)


def test_one_run_reports_what_each_module_reports_alone_with_one_identity_call_and_no_write(moto_server,
                                                                                            run_module):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        together = run_module(mod.DEFINITION.main, OPTIONS, check_mode=True)
    assert not together.get("failed"), together.get("msg")
    assert rec.writes() == []
    assert [c for c in rec.calls() if c[1] == "GetCallerIdentity"] == [("sts", "GetCallerIdentity", "us-east-1")]
    assert list(together["modules"]) == list(OPTIONS)  # checklist order
    # root_key_audit, mfa_status and iam_credential_audit share one credential report and summary
    for operation in ("GetCredentialReport", "GetAccountSummary", "ListVirtualMFADevices"):
        assert len([c for c in rec.calls() if c[1] == operation]) == 1, operation

    alone = []
    for name, options in OPTIONS.items():
        definition = next(d for d in mod.STEPS if d.name == name)
        if name == "log_metric_alarms":  # as the monitoring role passes the cloudtrail role's group
            options = dict(options, log_group_name=together["modules"]["cloudtrail_trail_ensure"]["log_group_name"])
        result = run_module(definition.main, options, check_mode=True)
        theirs = [f for f in together["findings"] if catalogue.get(f["control"]).module == name]
        assert comparable(result["findings"]) == comparable(theirs), name
        assert result["changed"] == together["modules"][name]["changed"], name
        alone.extend(result["findings"])
    assert comparable(together["findings"]) == comparable(alone)
    assert together["changed"] is True and together["account_id"] == "123456789012"
    assert len(together["findings"]) > 80 and {"drift", "fail", "pass"} <= set(together.statuses().values())


def test_bad_input_of_every_module_is_reported_at_once_before_any_aws_call(moto_server, run_module):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {
            "iam_password_policy_check": {"min_length": 3},
            "log_metric_alarms": {"topic_arn": "nope"},
            "account_settings": {"bogus": 1},
            "root_key_audit": {"controls": ["root.nope"]},
        })
    assert result["failed"] and result["findings"] == [] and rec.calls() == []
    msg = result["msg"]
    assert "iam_password_policy_check: min_length" in msg and "log_metric_alarms: topic_arn: 'nope'" in msg
    assert "account_settings: unsupported parameters: bogus" in msg
    assert "root_key_audit: value of controls must be one or more of" in msg and "root.nope" in msg


@mock_aws
def test_a_module_that_fails_leaves_error_findings_for_its_controls_and_the_others_still_run(run_module,
                                                                                             monkeypatch):
    def denied(m):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "GetAccountPasswordPolicy")

    monkeypatch.setattr(iam_password_policy_check.DEFINITION, "body", denied)
    result = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}, "root_key_audit": {},
                                              "iam_admin_setup": {}}, check_mode=True)
    assert result["failed"] and result["msg"].startswith("iam_password_policy_check: ")
    assert "AccessDenied" in result["msg"]
    statuses = result.statuses()
    for control in iam_password_policy_check.CONTROLS:
        assert statuses[control] == "error", control
    errors = [f for f in result["findings"] if f["control"].startswith("iam.password_policy.")]
    assert "iam_password_policy_check could not finish" in errors[0]["message"]
    # the modules after it ran
    assert statuses["root.no_access_keys"] != "error" and "iam.support_role" in statuses
    assert "findings" not in result["modules"]["iam_admin_setup"]  # once, in the run's findings
    assert not result["modules"]["iam_admin_setup"].get("failed")


def test_the_alarms_watch_the_log_group_of_the_trail_evaluated_in_the_same_run(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    result = run_module(mod.DEFINITION.main, {"cloudtrail_trail_ensure": {"regions": REGIONS},
                                              "log_metric_alarms": {"alarm_email": "security@example.com"}},
                        check_mode=True)
    group = result["modules"]["cloudtrail_trail_ensure"]["log_group_name"]
    assert group and result["modules"]["log_metric_alarms"]["log_group_name"] == group
    alarms = [f for f in result["findings"] if f["control"].startswith("monitoring.")]
    assert alarms and set(f["status"] for f in alarms) == {"drift"}, alarms


def test_a_log_group_given_to_the_alarms_is_kept(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    result = run_module(mod.DEFINITION.main, {"cloudtrail_trail_ensure": {"regions": REGIONS},
                                              "log_metric_alarms": {"log_group_name": "elsewhere"}},
                        check_mode=True)
    assert result["modules"]["log_metric_alarms"]["log_group_name"] == "elsewhere"


@mock_aws
def test_the_controls_option_narrows_every_module_and_modules_not_given_do_not_run(run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["root.mfa", "iam.password_policy.min_length"],
                                              "mfa_status": {}, "iam_password_policy_check": {}},
                        check_mode=True)
    assert sorted(result.statuses()) == ["iam.password_policy.min_length", "root.mfa"]
    assert list(result["modules"]) == ["mfa_status", "iam_password_policy_check"]


@mock_aws
def test_nothing_to_run_is_no_aws_call_and_no_finding(run_module):
    result = run_module(mod.DEFINITION.main, {})
    assert result["findings"] == [] and result["modules"] == {} and result["changed"] is False
    assert "account_id" not in result


def refuse(operation):
    """A client hook: ``operation`` answers AccessDenied (after-call sees a 403), the rest goes on."""
    def hook(service, region, client):
        client.meta.events.register_first("before-call.*.%s" % operation,
                                          lambda **_kw: error_response("AccessDenied", "refused by the test"))
    return hook


@mock_aws
def test_changed_only_when_aws_accepted_a_write(run_module, monkeypatch):
    # Seen: an apply with a read-only identity said changed=true although every write was refused.
    on_new_clients(monkeypatch, refuse("UpdateAccountPasswordPolicy"))
    refused = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}})
    assert refused["changed"] is False
    assert {f["status"] for f in refused["findings"]} == {"error"}
    assert refused["modules"]["iam_password_policy_check"]["changed"] is False


@mock_aws
def test_an_accepted_write_is_changed_and_check_mode_says_it_would(run_module):
    would = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}}, check_mode=True)
    assert would["changed"] is True  # check mode: a write would be made
    done = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}})
    assert done["changed"] is True and {f["status"] for f in done["findings"]} == {"fixed"}
    again = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}})
    assert again["changed"] is False


@mock_aws
def test_an_unexpected_exception_in_one_module_is_an_error_of_its_controls_only(run_module, monkeypatch):
    # Seen: a ValueError in one module's step failed the whole account run with 0 findings.
    def broken(m):
        raise ValueError("a user name with a comma")

    monkeypatch.setattr(iam_password_policy_check.DEFINITION, "body", broken)
    result = run_module(mod.DEFINITION.main, {"iam_password_policy_check": {}, "root_key_audit": {}})
    assert result["failed"] is True
    assert "iam_password_policy_check: unexpected ValueError: a user name with a comma" in result["msg"]
    policy = [f for f in result["findings"] if f["control"].startswith("iam.password_policy.")]
    assert policy and {f["status"] for f in policy} == {"error"}
    assert {f["control"] for f in result["findings"] if f["control"].startswith("root.")} == {
        "root.no_access_keys", "root.no_recent_use", "root.no_signing_certificates"}


def test_an_account_it_cannot_reach_gets_an_error_for_every_selected_control(run_module, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = run_module(mod.DEFINITION.main, {"mfa_status": {"controls": ["root.mfa"]},
                                              "iam_password_policy_check": {}})
    assert result["failed"] is True
    assert sorted(f["control"] for f in result["findings"]) == sorted(
        ["root.mfa"] + list(iam_password_policy_check.DEFINITION.control_ids))
    assert {f["status"] for f in result["findings"]} == {"error"}
    assert all(f["message"].startswith("not evaluated: ") for f in result["findings"])


def test_diff_speaks_in_controls_and_resources_with_regions_folded(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    result = run_module(mod.DEFINITION.main, dict(OPTIONS), check_mode=True, diff=True)
    before, after = result["diff"]["before"], result["diff"]["after"]
    drifted = set(f["control"] for f in result["findings"] if f["status"] == "drift")
    assert set(before) == set(after) and set(key.split(" ")[0] for key in before) == drifted
    assert before["guardduty.enabled guardduty-detector (2 regions)"] == "no GuardDuty detector: would call guardduty:CreateDetector"
    assert after["guardduty.enabled guardduty-detector (2 regions)"] == "would be fixed"
    # resources as the findings name them, never internal keys such as "af-south-1/config_recorder"
    resources = set(f["resource"] for f in result["findings"])
    assert all(key.split(" ")[1] in resources for key in before)

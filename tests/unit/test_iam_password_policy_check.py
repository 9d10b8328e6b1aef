import pytest
from moto import mock_aws

import boto3

from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_password_policy_check as mod

from tests.support.recorder import Recorder

PP = "iam.password_policy."


@pytest.mark.parametrize("kind,current,baseline,ok", [
    ("at_least", 14, 14, True), ("at_least", 20, 14, True), ("at_least", 8, 14, False), ("at_least", None, 24, False),
    ("required", True, True, True), ("required", False, True, False), ("required", False, False, True),
    ("required", None, True, False),
    ("at_most", 90, 90, True), ("at_most", 30, 90, True), ("at_most", 180, 90, False), ("at_most", 0, 90, False),
    ("at_most", None, 90, False),
])
def test_meets(kind, current, baseline, ok):
    assert mod.meets(kind, current, baseline) is ok


@pytest.mark.parametrize("kind,current,baseline,want", [
    ("at_least", 20, 14, 20), ("at_least", 8, 14, 14), ("at_least", None, 24, 24),
    ("required", True, False, True), ("required", False, True, True),
    ("at_most", 30, 90, 30), ("at_most", 180, 90, 90), ("at_most", 0, 90, 90),
])
def test_stricter_never_weakens(kind, current, baseline, want):
    assert mod.stricter(kind, current, baseline) == want


def defaults():
    return dict(min_length=14, require_uppercase=True, require_lowercase=True, require_numbers=True,
                require_symbols=True, max_age=90, reuse_prevention=24, allow_users_to_change=True, hard_expiry=False)


def test_desired_policy_keeps_unselected_fields():
    current = dict(mod.API_DEFAULTS, MinimumPasswordLength=8, RequireSymbols=False)
    target = mod.desired_policy(current, defaults(), [PP + "min_length"])
    assert target["MinimumPasswordLength"] == 14
    assert target["RequireSymbols"] is False  # not selected: left as it is


def test_update_arguments_drop_never_values():
    args = mod.update_arguments(dict(mod.API_DEFAULTS))
    assert "MaxPasswordAge" not in args and "PasswordReusePrevention" not in args


@mock_aws
def test_no_policy_is_drift_in_check_mode(run_module):
    result = run_module(mod.DEFINITION.main, {}, check_mode=True)
    assert result["changed"] is True
    assert set(result.statuses().values()) == {"drift"}
    assert len(result["findings"]) == 8
    assert "no account password policy" in result["findings"][0]["message"]
    with pytest.raises(boto3.client("iam").exceptions.NoSuchEntityException):
        boto3.client("iam").get_account_password_policy()


@mock_aws
def test_apply_fixes_then_second_run_is_unchanged(run_module):
    first = run_module(mod.DEFINITION.main, {}, diff=True)
    assert first["changed"] is True
    assert set(first.statuses().values()) == {"fixed"}
    key = "iam.password_policy.min_length account-password-policy"
    assert first["diff"]["before"][key] == "no account password policy exists: set to 14"
    assert first["diff"]["after"][key] == "fixed"
    policy = boto3.client("iam").get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24
    second = run_module(mod.DEFINITION.main, {})
    assert second["changed"] is False
    assert set(second.statuses().values()) == {"pass"}


@mock_aws
def test_stricter_setting_is_kept(run_module):
    iam = boto3.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=20, MaxPasswordAge=30, RequireSymbols=True)
    result = run_module(mod.DEFINITION.main, {})
    statuses = result.statuses()
    assert statuses[PP + "min_length"] == "pass" and statuses[PP + "max_age"] == "pass"
    assert statuses[PP + "numbers"] == "fixed"
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 20 and policy["MaxPasswordAge"] == 30


@mock_aws
def test_enforce_false_reports_drift_and_writes_nothing(run_module):
    result = run_module(mod.DEFINITION.main, {"enforce": False})
    assert result["changed"] is False
    assert set(result.statuses().values()) == {"drift"}
    with pytest.raises(boto3.client("iam").exceptions.NoSuchEntityException):
        boto3.client("iam").get_account_password_policy()


@mock_aws
def test_controls_option_limits_findings(run_module):
    result = run_module(mod.DEFINITION.main, {"controls": [PP + "symbols"]}, check_mode=True)
    assert list(result.statuses()) == [PP + "symbols"]


def test_check_mode_makes_no_write_call(moto_server, run_module):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {}, check_mode=True)
    assert set(result.statuses().values()) == {"drift"}
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []


@pytest.mark.parametrize("args,message", [
    ({"min_length": 3}, "min_length: 3 is out of range"),
    ({"min_length": 200}, "min_length: 200 is out of range"),
    ({"reuse_prevention": 30}, "reuse_prevention: 30 is out of range"),
    ({"max_age": -1}, "max_age: -1 is out of range"),
    ({"bogus": 1}, "Unsupported parameters"),
    ({"region": "us-east-9"}, "region: 'us-east-9' is not an AWS region"),
    ({"endpoint_url": "127.0.0.1:5000"}, "endpoint_url: '127.0.0.1:5000' is not a URL"),
    ({"controls": ["root.mfa"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


@mock_aws
def test_waived_requirement_is_not_changed(run_module):
    waiver = {"control": PP + "max_age", "reason": "NIST 800-63B: no forced expiry", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, {"waivers": [waiver]})
    assert result.statuses()[PP + "max_age"] == "waived"
    assert "NIST" in result.by_control(PP + "max_age")[0]["message"]
    assert not boto3.client("iam").get_account_password_policy()["PasswordPolicy"].get("MaxPasswordAge")


@mock_aws
def test_expired_waiver_no_longer_waives(run_module):
    waiver = {"control": PP + "max_age", "reason": "old exception", "expires": "2020-01-01"}
    result = run_module(mod.DEFINITION.main, {"waivers": [waiver]}, check_mode=True)
    finding = result.by_control(PP + "max_age")[0]
    assert finding["status"] == "drift"
    assert "waiver expired on 2020-01-01" in finding["message"]


def test_waiver_with_unknown_control_fails(run_module):
    result = run_module(mod.DEFINITION.main, {"waivers": [{"control": "iam.nope", "reason": "x", "expires": "2999-01-01"}]})
    assert result["failed"] and "waivers[0].control: unknown control id 'iam.nope'" in result["msg"]


def test_endpoint_that_does_not_answer_fails_with_clear_message(run_module):
    import socket

    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_module(mod.DEFINITION.main, {"endpoint_url": "http://127.0.0.1:%d" % port})
    assert result["failed"] and "cannot reach the endpoint" in result["msg"]

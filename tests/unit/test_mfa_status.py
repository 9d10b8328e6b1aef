"""mfa_status.

Users, virtual MFA devices and the credential report come from moto (mock_aws / moto_server).
moto has no root user and hard-codes the summary's AccountMFAEnabled to 0, so root MFA
(virtual vs hardware, centralised root access) is tested with botocore's Stubber
(tests/support/stub_iam.py), which fails the test on any call nobody queued.
"""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.modules import mfa_status as mod

from tests.support import seed
from tests.support.recorder import Recorder
from tests.support.stub_iam import ROOT_ARN, StubbedIam, ago, user_row

PASSWORD = "Moto-Test-Passw0rd!"  # a moto test value


def console_user(iam, name, mfa=False):
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=PASSWORD)
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")


def key_user(iam, name):
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)


@mock_aws
def test_console_user_without_mfa_is_flagged_others_are_not(run_module):
    iam = boto3.client("iam")
    console_user(iam, "alice")
    console_user(iam, "dana", mfa=True)
    key_user(iam, "erin-ci")
    result = run_module(mod.main, {"controls": ["iam.user_mfa"]})
    [finding] = result["findings"]  # dana has MFA, erin-ci has no console password
    assert finding["status"] == "fail" and finding["resource"] == "alice"
    assert "alice has a console password and no MFA device" in finding["message"]
    users = dict((u["name"], u) for u in result["users"])
    assert users["alice"] == dict(name="alice", password_enabled=True, mfa_active=False, mfa_devices=0,
                                  password_last_used=None)
    assert users["dana"]["mfa_active"] is True and users["dana"]["mfa_devices"] == 1
    assert users["erin-ci"]["password_enabled"] is False
    assert result["changed"] is False


@mock_aws
def test_console_users_with_mfa_give_one_pass(run_module):
    iam = boto3.client("iam")
    console_user(iam, "dana", mfa=True)
    console_user(iam, "frank", mfa=True)
    key_user(iam, "erin-ci")
    result = run_module(mod.main, {"controls": ["iam.user_mfa"]})
    assert result["findings"] == [dict(control="iam.user_mfa", status="pass", resource="account", region="global",
                                       message="every IAM user with a console password (2) has MFA")]


@mock_aws
def test_result_holds_no_mfa_seed_or_secret(run_module):
    # moto returns each virtual device's Base32StringSeed and QR code on the list call.
    iam = boto3.client("iam")
    console_user(iam, "dana", mfa=True)
    seed_value = iam.list_virtual_mfa_devices()["VirtualMFADevices"][0]["Base32StringSeed"].decode()
    text = json.dumps(run_module(mod.main, {}))
    assert seed_value not in text and "QRCode" not in text and "Base32" not in text
    assert PASSWORD not in text


@mock_aws
def test_moto_root_has_no_mfa(run_module):
    # moto's summary always says AccountMFAEnabled 0: both root controls fail.
    result = run_module(mod.main, {"controls": ["root.mfa", "root.hardware_mfa"]})
    assert result.statuses() == {"root.mfa": "fail", "root.hardware_mfa": "fail"}
    assert result["users"] == []  # iam.user_mfa not selected: the report is not even read


def test_root_virtual_mfa_fails_hardware(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=1, AccountPasswordPresent=1)
        iam.virtual_devices([("arn:aws:iam::123456789012:user/dana", "arn:aws:iam::123456789012:mfa/dana")],
                            [(ROOT_ARN, "arn:aws:iam::123456789012:mfa/root-account-mfa-device")])
        result = run_module(mod.main, {"controls": ["root.mfa", "root.hardware_mfa"]})
    assert result.statuses() == {"root.mfa": "pass", "root.hardware_mfa": "fail"}
    assert "mfa/root-account-mfa-device" in result.by_control("root.hardware_mfa")[0]["message"]
    assert result["root"] == dict(mfa_enabled=True, virtual_mfa=True, password_present=True)


def test_root_hardware_mfa_passes(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=1)
        # two pages, no root device on either: the paginator reads both
        iam.virtual_devices([("arn:aws:iam::123456789012:user/dana", "arn:aws:iam::123456789012:mfa/dana")],
                            [("arn:aws:iam::123456789012:user/frank", "arn:aws:iam::123456789012:mfa/frank")])
        result = run_module(mod.main, {"controls": ["root.mfa", "root.hardware_mfa"]})
    assert result.statuses() == {"root.mfa": "pass", "root.hardware_mfa": "pass"}
    assert result["root"]["virtual_mfa"] is False


def test_root_without_credentials_passes(monkeypatch, run_module):
    # AWS Organizations centralised root access: no root password, no root key, no MFA needed.
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=0, AccountPasswordPresent=0, AccountAccessKeysPresent=0)
        iam.virtual_devices([])
        result = run_module(mod.main, {"controls": ["root.mfa", "root.hardware_mfa"]})
    assert result.statuses() == {"root.mfa": "pass", "root.hardware_mfa": "pass"}
    assert "centralised root access" in result["findings"][0]["message"]


def test_stale_report_row_is_corrected_by_the_device_list(monkeypatch, run_module):
    # The report (up to 4 h old) says no MFA; a virtual device is assigned to the user now.
    with StubbedIam(monkeypatch) as iam:
        iam.report(user_row("gina", password_enabled="true", password_last_used=ago(1)),
                   user_row("hank", password_enabled="true", password_last_used=ago(5)))
        iam.virtual_devices([("arn:aws:iam::123456789012:user/gina", "arn:aws:iam::123456789012:mfa/gina")])
        result = run_module(mod.main, {"controls": ["iam.user_mfa"]})
    [finding] = result["findings"]
    assert finding["resource"] == "hank" and "password last used: 5 days ago" in finding["message"]
    gina = [u for u in result["users"] if u["name"] == "gina"][0]
    assert gina["mfa_active"] is True and gina["mfa_devices"] == 1


def test_denied_reads_become_error_findings_and_the_rest_is_evaluated(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=1)
        iam.report(user_row("alice", password_enabled="true"))
        iam.error("list_virtual_mfa_devices", "AccessDenied", params={"AssignmentStatus": "Assigned"})
        result = run_module(mod.main, {})
    assert "failed" not in result
    assert result.statuses() == {"root.mfa": "pass", "root.hardware_mfa": "error", "iam.user_mfa": "fail"}
    assert "grant iam:ListVirtualMFADevices" in result.by_control("root.hardware_mfa")[0]["message"]


def test_report_denied_is_an_error_finding(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.error("generate_credential_report", "AccessDenied")
        iam.virtual_devices([])
        result = run_module(mod.main, {"controls": ["iam.user_mfa"]})
    assert result.statuses() == {"iam.user_mfa": "error"}
    assert "grant iam:GenerateCredentialReport" in result["findings"][0]["message"]


@mock_aws
def test_waived_user(run_module):
    iam = boto3.client("iam")
    console_user(iam, "break-glass-1")
    console_user(iam, "alice")
    waiver = {"control": "iam.user_mfa", "resource": "break-glass-*", "reason": "token in the safe",
              "expires": "2999-01-01"}
    result = run_module(mod.main, {"controls": ["iam.user_mfa"], "waivers": [waiver]})
    statuses = dict((f["resource"], f["status"]) for f in result["findings"])
    assert statuses == {"break-glass-1": "waived", "alice": "fail"}


def test_check_mode_makes_no_write_call(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {}, check_mode=True)
    assert result.statuses()["iam.user_mfa"] == "fail"
    operations = set(op for _service, op, _region in rec.calls())
    assert {"GetAccountSummary", "ListVirtualMFADevices", "GetCredentialReport"} <= operations
    assert rec.writes() == []


def test_calls_do_not_grow_with_users(moto_server, run_module):
    def calls_with(users):
        moto_server.reset()
        seed.users(seed.session(moto_server.url), users)
        with Recorder(moto_server.url) as rec:
            result = run_module(mod.main, {})
        assert len([u for u in result["users"] if u["password_enabled"]]) == (users + 9) // 10
        return sorted(op for _service, op, _region in rec.calls())

    assert calls_with(3) == calls_with(40)


@pytest.mark.parametrize("args,message", [
    ({"bogus": 1}, "Unsupported parameters"),
    ({"controls": ["root.no_access_keys"]}, "controls"),
    ({"waivers": [{"control": "iam.user_mfa", "reason": "x", "expires": "someday"}]}, "waivers[0].expires"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, args)
    assert result["failed"] is True and message in result["msg"]
    assert rec.calls() == []


def test_root_mfa_alone_does_not_list_devices(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=0, AccountPasswordPresent=1)
        result = run_module(mod.main, {"controls": ["root.mfa"]})  # no report, no device list: none is read
    assert result.statuses() == {"root.mfa": "fail"}
    assert result["root"]["virtual_mfa"] is None

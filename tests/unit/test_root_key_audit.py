"""root_key_audit.

moto has no root user: its credential report lacks the <root_account> row and its account
summary hard-codes AccountAccessKeysPresent / AccountSigningCertificatesPresent to 0. Every
test of root keys, root use and deletion therefore runs on botocore's Stubber
(tests/support/stub_iam.py), which fails the test on any call nobody queued and on any queued
call not made (checked when the `with` block ends): that is how "no delete call" is proven.
What moto does simulate (an account whose report has no root row, check mode, input
validation) runs on mock_aws / the moto_server fixture.
"""

import json

import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import root_key_audit as mod

from tests.support.recorder import Recorder
from tests.support.stub_iam import CURRENT_KEY, ROOT_ARN, StubbedIam, ago, root_row, user_row

OTHER_KEY = "AKIAROOTOTHERKEY0002"
# The credential controls; root MFA (shared with mfa_status) has its own tests below.
KEYS = {"controls": ["root.no_access_keys", "root.no_recent_use", "root.no_signing_certificates"]}


def used_key(days, **extra):
    row = dict(access_key_1_active="true", access_key_1_last_rotated=ago(400), access_key_1_last_used_date=ago(days),
               access_key_1_last_used_region="us-east-1", access_key_1_last_used_service="iam")
    row.update(extra)
    return row


def list_keys(iam, *key_ids):
    iam.stub.add_response("list_access_keys", {"AccessKeyMetadata": [
        {"AccessKeyId": k, "Status": "Active"} for k in key_ids], "IsTruncated": False}, {})


def test_root_key_present_fails_with_details(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountAccessKeysPresent=1, AccountPasswordPresent=1)
        iam.report(root_row(**used_key(40)), user_row("bob"))
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    finding = result.by_control("root.no_access_keys")[0]
    assert finding["status"] == "fail" and finding["resource"] == "root"
    assert "1 access key: key 1 active, last used 40 days ago" in finding["message"]
    assert "in us-east-1 by iam" in finding["message"]
    root = result["root"]
    assert root["arn"] == ROOT_ARN and root["in_credential_report"] is True
    assert root["access_keys_present"] is True and root["password_present"] is True
    assert [(k["number"], k["active"], k["last_used_region"]) for k in root["access_keys"]] == [(1, True, "us-east-1")]
    assert result["changed"] is False and result["actions"] == []


@pytest.mark.parametrize("days,window,status", [(2, 7, "fail"), (30, 7, "pass"), (30, 60, "fail"), (0, 1, "fail")])
def test_recent_key_use(monkeypatch, run_module, days, window, status):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(days)))
        result = run_module(mod.DEFINITION.main, {"usage_window_days": window, "controls": ["root.no_recent_use"]})
    [finding] = result["findings"]
    assert finding["status"] == status
    assert "used access key 1 %d days ago" % days in finding["message"]


def test_recent_console_sign_in_fails(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary()
        iam.report(root_row(password_last_used=ago(2)))
        result = run_module(mod.DEFINITION.main, {"controls": ["root.no_recent_use"]})
    assert result.statuses() == {"root.no_recent_use": "fail"}
    assert "signed in to the console 2 days ago" in result["findings"][0]["message"]
    assert result["root"]["password_last_used"] == result["root"]["last_used"]


def test_never_used_root_passes(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary()
        iam.report(root_row())
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert set(result.statuses().values()) == {"pass"}
    assert "no root sign-in and no root key use" in result.by_control("root.no_recent_use")[0]["message"]


def test_signing_certificate_fails(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountSigningCertificatesPresent=1)
        iam.report(root_row(cert_1_active="true", cert_1_last_rotated=ago(10)))
        result = run_module(mod.DEFINITION.main, {"controls": ["root.no_signing_certificates"]})
    assert result.statuses() == {"root.no_signing_certificates": "fail"}
    assert [c["number"] for c in result["root"]["signing_certificates"]] == [1]


def test_delete_as_root_deletes_other_keys_never_the_current_one(monkeypatch, run_module):
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(1, access_key_2_active="true", access_key_2_last_rotated=ago(300))))
        list_keys(iam, CURRENT_KEY, OTHER_KEY)
        iam.stub.add_response("delete_access_key", {}, {"AccessKeyId": OTHER_KEY})  # and no other delete
        result = run_module(mod.DEFINITION.main, {"delete_root_keys": True, "controls": ["root.no_access_keys"]}, diff=True)
    [finding] = result["findings"]
    assert finding["status"] == "fail"  # the key in use remains
    assert "deleted %s" % OTHER_KEY in finding["message"]
    assert "kept %s: it is the key this run uses" % CURRENT_KEY in finding["message"]
    assert result["changed"] is True and result["caller_is_root"] is True
    assert result["actions"] == ["iam:DeleteAccessKey %s" % OTHER_KEY]
    assert result["diff"] == {"before": {}, "after": {}}  # still fail: nothing the diff calls fixed


def test_delete_as_root_fixes_when_the_run_uses_other_credentials(monkeypatch, run_module):
    # A root session from elsewhere (e.g. temporary root credentials): every listed key can go.
    with StubbedIam(monkeypatch, is_root=True, current_key="ASIATEMPORARYROOT001") as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(100)))
        list_keys(iam, OTHER_KEY)
        iam.stub.add_response("delete_access_key", {}, {"AccessKeyId": OTHER_KEY})
        result = run_module(mod.DEFINITION.main, {"delete_root_keys": True, "controls": ["root.no_access_keys"]})
    assert result.statuses() == {"root.no_access_keys": "fixed"}


def test_only_the_current_key_is_never_deleted(monkeypatch, run_module):
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(0)))
        list_keys(iam, CURRENT_KEY)
        result = run_module(mod.DEFINITION.main, {"delete_root_keys": True, "controls": ["root.no_access_keys"]})
    assert result.statuses() == {"root.no_access_keys": "fail"}
    assert "never deleted" in result["findings"][0]["message"]
    assert result["changed"] is False and result["actions"] == []


@pytest.mark.parametrize("run", [dict(check_mode=True), dict(args={"enforce": False})])
def test_delete_as_root_in_check_mode_or_audit_writes_nothing(monkeypatch, run_module, run):
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(3)))
        list_keys(iam, CURRENT_KEY, OTHER_KEY)  # reads only: a delete would find no queued response
        args = dict(run.get("args", {}), delete_root_keys=True, controls=["root.no_access_keys"])
        result = run_module(mod.DEFINITION.main, args, check_mode=run.get("check_mode", False))
    [finding] = result["findings"]
    assert finding["status"] == "fail" and "would delete %s" % OTHER_KEY in finding["message"]
    assert result["actions"] == ["iam:DeleteAccessKey %s" % OTHER_KEY]
    assert result["changed"] is run.get("check_mode", False)


def test_delete_when_not_root_fails_without_any_delete_call(monkeypatch, run_module):
    with StubbedIam(monkeypatch, is_root=False) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(3)))
        result = run_module(mod.DEFINITION.main, dict(KEYS, delete_root_keys=True))  # no list/delete queued
    finding = result.by_control("root.no_access_keys")[0]
    assert finding["status"] == "fail"
    assert "works only with the root user's own credentials" in finding["message"]
    assert "user/auditor" in finding["message"]
    assert result["changed"] is False and result["actions"] == []


def test_waived_root_key_is_not_deleted(monkeypatch, run_module):
    waiver = {"control": "root.no_access_keys", "reason": "legacy backup job, ticket SEC-42", "expires": "2999-01-01"}
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(3)))
        result = run_module(mod.DEFINITION.main, dict(KEYS, delete_root_keys=True, waivers=[waiver]))
    assert result.statuses()["root.no_access_keys"] == "waived"
    assert "SEC-42" in result.by_control("root.no_access_keys")[0]["message"]
    assert result["changed"] is False


def test_failed_delete_is_an_error_finding(monkeypatch, run_module):
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(3)))
        list_keys(iam, OTHER_KEY)
        iam.error("delete_access_key", "Throttling", "Rate exceeded", {"AccessKeyId": OTHER_KEY})
        result = run_module(mod.DEFINITION.main, dict(KEYS, delete_root_keys=True))
    statuses = result.statuses()
    assert statuses["root.no_access_keys"] == "error"
    assert "deleting %s failed: iam DeleteAccessKey failed: Throttling" % OTHER_KEY in \
        result.by_control("root.no_access_keys")[0]["message"]
    assert result["changed"] is False and result["actions"] == []
    assert statuses["root.no_recent_use"] == "fail" and statuses["root.no_signing_certificates"] == "pass"


def test_keys_from_the_summary_alone(monkeypatch, run_module):
    # No root row in the report: the summary's flags still decide keys and certificates.
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountAccessKeysPresent=1, AccountSigningCertificatesPresent=1, AccountPasswordPresent=1)
        iam.report(user_row("bob"))
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert result.statuses() == {"root.no_access_keys": "fail", "root.no_recent_use": "manual",
                                 "root.no_signing_certificates": "fail"}
    assert result.by_control("root.no_access_keys")[0]["message"] == "the root user has access keys"


def test_delete_finds_no_key_left(monkeypatch, run_module):
    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row())
        list_keys(iam)
        result = run_module(mod.DEFINITION.main, {"delete_root_keys": True, "controls": ["root.no_access_keys"]})
    assert result.statuses() == {"root.no_access_keys": "pass"} and result["changed"] is False


def test_summary_denied_falls_back_to_the_report(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.error("get_account_summary", "AccessDenied", "not allowed")
        iam.report(root_row(**used_key(20)))
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert result.statuses() == {"root.no_access_keys": "fail", "root.no_recent_use": "pass",
                                 "root.no_signing_certificates": "pass"}
    assert result["root"]["access_keys_present"] is None


def test_both_reads_denied_are_error_findings_not_a_traceback(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.error("get_account_summary", "AccessDenied")
        iam.error("generate_credential_report", "AccessDenied")
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert "failed" not in result
    assert set(result.statuses().values()) == {"error"} and len(result["findings"]) == 3
    assert all("grant iam:" in f["message"] for f in result["findings"])


def test_no_root_row_and_no_root_credentials_passes(monkeypatch, run_module):
    # AWS Organizations centralised root access: the member account's root has no credentials.
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountPasswordPresent=0, AccountAccessKeysPresent=0)
        iam.report(user_row("bob"))
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert set(result.statuses().values()) == {"pass"}
    assert "centralised root access" in result.by_control("root.no_recent_use")[0]["message"]
    assert result["root"]["in_credential_report"] is False and result["root"]["password_present"] is False


@mock_aws
def test_moto_account_without_root_row(run_module):
    # moto: no root row, summary root fields 0 and no AccountPasswordPresent -> last use unknown.
    result = run_module(mod.DEFINITION.main, dict(KEYS))
    assert result.statuses() == {"root.no_access_keys": "pass", "root.no_recent_use": "manual",
                                 "root.no_signing_certificates": "pass"}
    assert "no root row" in result.by_control("root.no_recent_use")[0]["message"]
    assert result["account_id"] == "123456789012"


@mock_aws
def test_controls_option_limits_findings(run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["root.no_signing_certificates"]}, check_mode=True)
    assert list(result.statuses()) == ["root.no_signing_certificates"]


def test_check_mode_makes_no_write_call(moto_server, run_module):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, dict(KEYS, delete_root_keys=True), check_mode=True)
    assert len(result["findings"]) == 3
    operations = [op for _service, op, _region in rec.calls()]
    assert "GetAccountSummary" in operations and "GetCredentialReport" in operations
    assert rec.writes() == []


@pytest.mark.parametrize("args,message", [
    ({"usage_window_days": 0}, "usage_window_days: 0 is out of range; give 1 to 3650 days"),
    ({"usage_window_days": 3651}, "usage_window_days: 3651 is out of range"),
    ({"usage_window_days": "a week"}, "usage_window_days"),
    ({"bogus": 1}, "Unsupported parameters"),
    ({"controls": ["iam.user_mfa"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


def test_result_holds_no_secret(monkeypatch, run_module):
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(**used_key(2)))
        result = run_module(mod.DEFINITION.main, dict(KEYS))
    text = json.dumps(result)
    assert "bulwark-moto-test-secret" not in text  # the secret key of this run
    assert "secret" not in json.dumps(result["root"]).lower()


# --- root MFA: the same evaluation as mfa_status (module_utils/mfa.py), in the same run -------------

def test_root_mfa_is_mfa_status_s(monkeypatch, run_module):
    # root.mfa and root.hardware_mfa belong to bulwark.aws.mfa_status: no MFA read here.
    assert not set(mod.CONTROLS) & {"root.mfa", "root.hardware_mfa"}
    with StubbedIam(monkeypatch) as iam:
        iam.summary(AccountMFAEnabled=0, AccountPasswordPresent=1)
        iam.report(root_row())
        result = run_module(mod.DEFINITION.main, {})
    assert set(result.statuses()) == {"root.no_access_keys", "root.no_recent_use", "root.no_signing_certificates"}
    assert "root_mfa" not in result

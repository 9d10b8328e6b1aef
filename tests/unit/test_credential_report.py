"""module_utils/credential_report.py: parsing, fetching with backoff, the account-wide reads.

moto's report has no <root_account> row, so root rows are built here (tests/support/stub_iam.py)
and fetch() is driven by botocore's Stubber or a tiny fake IAM client with a fake clock.
"""

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report as cr

from tests.support.stub_iam import ROOT_ARN, ago, report_csv, root_row, user_row


def test_parse_user_row_placeholders_are_none():
    # A console user who never signed in (no_information), without keys (N/A) or rotation
    # (not_supported): none of these placeholders may turn into a date or a value.
    row = user_row("alice", password_enabled="true", password_last_used="no_information",
                   password_next_rotation="not_supported", access_key_1_last_used_region="not_supported")
    [record] = cr.parse(report_csv(row))
    assert record.user == "alice" and not record.is_root
    assert record.password_enabled is True and record.mfa_active is False
    assert record.password_last_used is None and record.password_next_rotation is None
    assert record.created.tzinfo is not None
    key = record.access_keys[0]
    assert (key.active, key.last_rotated, key.last_used, key.last_used_region) == (False, None, None, None)
    assert record.present_keys == [] and record.present_certificates == []
    assert record.last_activity() is None


def test_parse_root_row():
    row = root_row(password_last_used=ago(3), access_key_1_active="true", access_key_1_last_rotated=ago(900),
                   access_key_1_last_used_date=ago(2), access_key_1_last_used_region="eu-west-1",
                   access_key_1_last_used_service="s3", access_key_2_last_rotated=ago(800),
                   cert_1_active="true", cert_1_last_rotated=ago(100))
    root, users = cr.by_user(cr.parse(report_csv(root_row(), user_row("bob"))))
    assert root.is_root and set(users) == {"bob"}
    [record] = cr.parse(report_csv(row).decode("utf-8"))  # str works as well as bytes
    assert record.is_root and record.arn == ROOT_ARN
    assert record.password_enabled is None  # root: not_supported
    assert record.mfa_active is True
    assert record.active_keys == [record.access_keys[0]]
    # key 2 is inactive but exists (it has a rotation date): it still counts as present
    assert [k.number for k in record.present_keys] == [1, 2]
    assert [c.number for c in record.present_certificates] == [1]
    assert record.access_keys[0].last_used_region == "eu-west-1"
    assert record.last_activity() == record.access_keys[0].last_used
    as_dict = record.to_dict()
    assert as_dict["access_keys"][0]["last_used_service"] == "s3"
    assert isinstance(as_dict["password_last_used"], str)


def test_parse_accepts_trailing_z():
    [record] = cr.parse(report_csv(user_row("z", password_last_used="2024-05-01T10:00:00Z")))
    assert record.password_last_used == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


class FakeClock:
    """sleep() advances time() instead of waiting: no test waits for real."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def stubbed_iam():
    iam = boto3.client("iam", region_name="us-east-1")
    return iam, Stubber(iam)


def test_fetch_backs_off_while_in_progress():
    iam, stub = stubbed_iam()
    for state in ("STARTED", "INPROGRESS", "INPROGRESS", "COMPLETE"):
        stub.add_response("generate_credential_report", {"State": state}, {})
    stub.add_response("get_credential_report", {"Content": report_csv(root_row(), user_row("bob"))}, {})
    clock = FakeClock()
    with stub:
        records, text = cr.fetch(iam, sleep=clock.sleep, clock=clock.time)
    stub.assert_no_pending_responses()
    assert clock.sleeps == [0.5, 1.0, 2.0]  # exponential
    assert [r.user for r in records] == ["<root_account>", "bob"]
    assert text.startswith("user,arn,")


def test_fetch_regenerates_when_the_report_is_gone():
    iam, stub = stubbed_iam()
    stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    stub.add_client_error("get_credential_report", service_error_code="ReportExpired", http_status_code=410)
    stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    stub.add_response("get_credential_report", {"Content": report_csv(user_row("bob"))}, {})
    clock = FakeClock()
    with stub:
        records, _text = cr.fetch(iam, sleep=clock.sleep, clock=clock.time)
    stub.assert_no_pending_responses()
    assert [r.user for r in records] == ["bob"]


class NeverReady:
    def __init__(self):
        self.calls = 0

    def generate_credential_report(self):
        self.calls += 1
        return {"State": "INPROGRESS"}

    def get_credential_report(self):  # pragma: no cover - must not be reached
        raise AssertionError("the report was never COMPLETE")


def test_fetch_gives_up_with_a_clear_error_after_the_bounded_wait():
    clock = FakeClock()
    iam = NeverReady()
    with pytest.raises(cr.CredentialReportError) as err:
        cr.fetch(iam, max_wait=30, sleep=clock.sleep, clock=clock.time)
    assert "still being generated after 30 seconds" in str(err.value)
    assert "run again" in str(err.value)
    assert sum(clock.sleeps) <= 30 and max(clock.sleeps) <= 8  # bounded, capped backoff
    assert iam.calls == len(clock.sleeps) + 1


def test_fetch_lets_other_errors_through():
    iam, stub = stubbed_iam()
    stub.add_client_error("generate_credential_report", service_error_code="AccessDenied", http_status_code=403)
    with stub, pytest.raises(cr.ClientError):
        cr.fetch(iam, sleep=FakeClock().sleep)


@mock_aws
def test_fetch_moto_report_has_users_and_no_root_row():
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Moto-Test-Passw0rd!")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    clock = FakeClock()
    root, users = cr.by_user(cr.fetch(iam, sleep=clock.sleep, clock=clock.time)[0])
    assert root is None  # moto writes IAM users only
    assert users["alice"].password_enabled is True and users["alice"].password_last_used is None
    assert users["ci"].password_enabled is False and [k.number for k in users["ci"].active_keys] == [1]


def test_read_account_keeps_going_when_one_read_fails():
    iam, stub = stubbed_iam()
    stub.add_client_error("get_account_summary", service_error_code="AccessDenied", http_status_code=403)
    stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    stub.add_response("get_credential_report", {"Content": report_csv(root_row(), user_row("bob"))}, {})
    with stub:
        acct = cr.read_account(iam)
    assert acct.summary is None and "grant iam:GetAccountSummary" in acct.summary_error
    assert acct.root.is_root and set(acct.users) == {"bob"} and acct.report_error is None


def test_read_account_report_errors_become_one_line():
    iam, stub = stubbed_iam()
    stub.add_response("get_account_summary", {"SummaryMap": {"AccountMFAEnabled": 1}}, {})
    stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    stub.add_response("get_credential_report", {"Content": b"not,a,credential,report\n1,2,3,4\n"}, {})
    with stub:
        acct = cr.read_account(iam)
    assert acct.summary == {"AccountMFAEnabled": 1}
    assert acct.root is None and acct.users is None
    assert "not the CSV IAM documents" in acct.report_error


def test_read_account_reads_only_what_is_asked():
    iam, stub = stubbed_iam()  # nothing queued: any call would fail
    with stub:
        acct = cr.read_account(iam, summary=False, report_rows=False)
    assert acct == cr.AccountCredentials(None, None, None, None, None)


@pytest.mark.parametrize("summary,expected", [
    ({"AccountPasswordPresent": 0, "AccountAccessKeysPresent": 0}, True),
    ({"AccountPasswordPresent": 1, "AccountAccessKeysPresent": 0}, False),
    ({"AccountPasswordPresent": 0, "AccountAccessKeysPresent": 1}, False),
    ({"AccountAccessKeysPresent": 0}, False),  # moto leaves AccountPasswordPresent out: unknown
    (None, False),
])
def test_root_has_no_credentials(summary, expected):
    assert cr.root_has_no_credentials(summary) is expected


def test_age():
    now = datetime(2024, 5, 10, 12, tzinfo=timezone.utc)
    assert cr.age(now - timedelta(days=2, hours=1), now) == "2 days ago (2024-05-08)"
    assert cr.age(None, now) == "never"


@mock_aws
def test_a_user_name_with_a_comma_is_read_whole():
    # seen: a user named "ops,admin" made the report's CSV shift a column: ValueError, no findings
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="ops,admin")
    iam.create_login_profile(UserName="ops,admin", Password="Moto-Test-Passw0rd!")
    iam.create_user(UserName="ci")
    clock = FakeClock()
    records, _text = cr.fetch(iam, sleep=clock.sleep, clock=clock.time)
    _root, users = cr.by_user(records)
    assert sorted(users) == ["ci", "ops,admin"]
    assert users["ops,admin"].arn.endswith(":user/ops,admin") and users["ops,admin"].password_enabled is True


def test_a_quoted_or_unquoted_comma_gives_the_same_record():
    quoted = report_csv(user_row("ops,admin"))
    header, row = quoted.decode("utf-8").splitlines()
    unquoted = "\n".join([header, row.replace('"ops,admin"', "ops,admin")]).encode("utf-8")
    assert cr.parse(quoted)[0].user == cr.parse(unquoted)[0].user == "ops,admin"
    with pytest.raises(ValueError):
        cr.parse("\n".join([header, "only,three,fields"]))

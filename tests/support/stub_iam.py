"""IAM states moto cannot build, served by botocore's Stubber.

moto 5.x has no root user: its credential report has no ``<root_account>`` row, and
GetAccountSummary hard-codes AccountMFAEnabled, AccountAccessKeysPresent and
AccountSigningCertificatesPresent to 0 (and leaves AccountPasswordPresent out). Root logic is
therefore tested against a real botocore IAM client whose responses a Stubber supplies. The
Stubber is strict: a call nobody queued (a delete that must not happen) fails the test.

    with StubbedIam(monkeypatch, is_root=True) as iam:
        iam.summary(AccountAccessKeysPresent=1)
        iam.report(root_row(access_key_1_active="true", ...))
        result = run_module(mod.DEFINITION.main, {...})
"""

import csv
import io
from datetime import datetime, timedelta, timezone

import boto3
from botocore.exceptions import StubResponseError
from botocore.stub import Stubber

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

ACCOUNT_ID = "123456789012"
ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT_ID
CURRENT_KEY = "AKIAROOTKEYINUSE0001"  # the key "this run" signs with: never deleted

COLUMNS = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
           "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
           "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
           "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
           "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
           "cert_2_active,cert_2_last_rotated").split(",")


def ago(days):
    """ISO 8601 text of ``days`` days before now, as the report writes dates."""
    return (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0).isoformat()


def user_row(name, **fields):
    """A report row for an IAM user: no password, no MFA, no key, no certificate unless given."""
    row = dict((c, "N/A") for c in COLUMNS)
    row.update(user=name, arn="arn:aws:iam::%s:user/%s" % (ACCOUNT_ID, name), user_creation_time=ago(400),
               password_enabled="false", password_next_rotation="N/A", mfa_active="false",
               access_key_1_active="false", access_key_2_active="false", cert_1_active="false",
               cert_2_active="false")
    for n in (1, 2):
        row["access_key_%d_last_used_region" % n] = row["access_key_%d_last_used_service" % n] = "N/A"
    row.update(fields)
    return row


def root_row(**fields):
    """The ``<root_account>`` row as AWS writes it: password_enabled not_supported, no key."""
    row = user_row("<root_account>", arn=ROOT_ARN, password_enabled="not_supported", password_last_used="no_information",
                   password_last_changed="not_supported", password_next_rotation="not_supported", mfa_active="true")
    row.update(fields)
    return row


def report_csv(*rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def summary_map(**values):
    """A SummaryMap with moto's root defaults (0) unless given."""
    out = dict(Users=1, MFADevices=0, MFADevicesInUse=0, AccountMFAEnabled=0, AccountAccessKeysPresent=0,
               AccountSigningCertificatesPresent=0)
    out.update(values)
    return out


def device(arn, serial):
    name = "root" if arn.endswith(":root") else arn.split("/")[-1]
    return {"SerialNumber": serial, "EnableDate": datetime(2024, 1, 1, tzinfo=timezone.utc),
            "User": {"Path": "/", "UserName": name, "UserId": ("AIDA" + name.upper() + "0" * 16)[:20], "Arn": arn,
                     "CreateDate": datetime(2023, 1, 1, tzinfo=timezone.utc)}}


class StrictStubber(Stubber):
    """A Stubber that remembers every unexpected call. Its errors are BotoCoreErrors, which a
    module turns into an ``error`` finding, so done() asserts on what it remembered."""

    def __init__(self, client):
        super().__init__(client)
        self.unexpected = []

    def _assert_expected_call_order(self, model, params):
        try:
            super()._assert_expected_call_order(model, params)
        except StubResponseError as e:
            self.unexpected.append(str(e))
            raise

    def _assert_expected_params(self, model, params, context, **kwargs):
        try:
            super()._assert_expected_params(model, params, context, **kwargs)
        except StubResponseError as e:
            self.unexpected.append(str(e))
            raise


class StubbedIam:
    """Patches AwsConnection so the module under test gets one stubbed IAM client and the
    given identity (no STS call); check mode still blocks writes as AwsConnection does."""

    def __init__(self, monkeypatch, is_root=False, current_key=CURRENT_KEY):
        self.client = boto3.client("iam", region_name="us-east-1")
        self.stub = StrictStubber(self.client)
        arn = ROOT_ARN if is_root else "arn:aws:iam::%s:user/auditor" % ACCOUNT_ID
        identity = dict(account_id=ACCOUNT_ID, arn=arn, user_id=ACCOUNT_ID if is_root else "AIDAAUDITOR",
                        partition="aws", is_root=is_root)
        stubbed = self.client

        def client(conn, service, region=None):
            assert service == "iam", "only IAM is stubbed, got %s" % service
            if getattr(stubbed, "_bulwark_watched", None) is not conn:
                conn.watch(stubbed)  # refuses writes in check mode, else counts them, as AwsConnection does
                stubbed._bulwark_watched = conn
            return stubbed

        monkeypatch.setattr(aws.AwsConnection, "client", client)
        monkeypatch.setattr(aws.AwsConnection, "identity", lambda conn: identity)
        monkeypatch.setattr(aws.AwsConnection, "current_access_key_id", lambda conn: current_key)

    def __enter__(self):
        self.stub.activate()
        return self

    def __exit__(self, exc_type, *exc):
        self.stub.deactivate()
        if exc_type is None:
            self.done()

    def summary(self, **values):
        self.stub.add_response("get_account_summary", {"SummaryMap": summary_map(**values)}, {})

    def report(self, *rows):
        self.stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
        self.stub.add_response("get_credential_report", {
            "Content": report_csv(*rows), "ReportFormat": "text/csv",
            "GeneratedTime": datetime.now(timezone.utc)}, {})

    def virtual_devices(self, *pages):
        """One list_virtual_mfa_devices page per argument, each a list of (user ARN, serial)."""
        for n, page in enumerate(pages):
            response = {"VirtualMFADevices": [device(arn, serial) for arn, serial in page],
                        "IsTruncated": n < len(pages) - 1}
            params = {"AssignmentStatus": "Assigned"}
            if n:
                params["Marker"] = "page%d" % n
            if response["IsTruncated"]:
                response["Marker"] = "page%d" % (n + 1)
            self.stub.add_response("list_virtual_mfa_devices", response, params)

    def error(self, operation, code, message="", params=None):
        self.stub.add_client_error(operation, service_error_code=code, service_message=message,
                                   http_status_code=403 if "Denied" in code else 400, expected_params=params)

    def done(self):
        """The module made exactly the queued calls: none missing, none unexpected."""
        assert self.stub.unexpected == [], self.stub.unexpected
        self.stub.assert_no_pending_responses()

"""Security Hub export (issue 21 item 4): plugins/plugin_utils/report/asff.py (findings as ASFF:
ids, status mapping, truncation, batches) and securityhub.py (BatchImportFindings, resolution of
findings that no longer fail), against moto's mock_aws; what moto 5.2 lacks
(BatchUpdateFindings, GetFindings filters, FailedFindings answers) with botocore's Stubber."""

import datetime
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import asff, securityhub

ACCOUNT = "123456789012"  # moto's account
OTHER = "210987654321"
REGION = "eu-west-1"
ARN = "arn:aws:securityhub:%s:%s:product/%s/default" % (REGION, ACCOUNT, ACCOUNT)
T1 = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
T2 = datetime.datetime(2026, 3, 2, 12, 0, 0, tzinfo=datetime.timezone.utc)
MIN_LENGTH = "iam.password_policy.min_length"
SYMBOLS = "iam.password_policy.symbols"
USER_MFA = "iam.user_mfa"


def fd(control, status, resource="account-password-policy", region="global", message="m", **extra):
    return dict({"control": control, "status": status, "resource": resource, "region": region,
                 "message": message, "remediation": "fix it"}, **extra)


def report(findings, account=ACCOUNT):
    return {"schema": "bulwark.aws/report/v1", "generated_at": "2026-03-01T12:00:00Z", "mode": "check",
            "accounts": [{"host": "acct", "account_id": account, "findings": findings, "errors": []}],
            "totals": {}}


def users(n, status="drift"):
    return [fd(USER_MFA, status, resource="user/u%03d" % i) for i in range(n)]


@pytest.fixture
def hub():
    with mock_aws():
        client = boto3.client("securityhub", region_name=REGION, config=securityhub.client_config())
        client.enable_security_hub()
        calls = []
        client.meta.events.register("before-call.securityhub.*",
                                    lambda model, **kw: calls.append(model.name))
        client.calls = calls
        yield client


def all_findings(client):
    out = []
    for page in client.get_paginator("get_findings").paginate():
        out.extend(page["Findings"])
    return dict((f["Id"], f) for f in out)


def run(client, rep, now, **kw):
    kw.setdefault("update_workflow", False)  # moto 5.2: BatchUpdateFindings is not implemented
    return securityhub.export({ACCOUNT: client}, rep, now=now, **kw)


# --- asff.py --------------------------------------------------------------------------------

def test_finding_id_stable_distinct_and_bounded():
    a = asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    assert a == asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    assert a.startswith("bulwark.aws/%s/global/" % MIN_LENGTH)
    others = {asff.finding_id(ACCOUNT, "eu-west-1", MIN_LENGTH, "account-password-policy"),
              asff.finding_id(ACCOUNT, "global", SYMBOLS, "account-password-policy"),
              asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "user/x"),
              asff.finding_id(OTHER, "global", MIN_LENGTH, "account-password-policy")}
    assert a not in others and len(others) == 4
    long_id = asff.finding_id(ACCOUNT, "r" * 300, "c" * 600, "x" * 10000)
    assert len(long_id) <= 512
    assert long_id == asff.finding_id(ACCOUNT, "r" * 300, "c" * 600, "x" * 10000)


@pytest.mark.parametrize("status,compliance,record,workflow", [
    ("drift", "FAILED", "ACTIVE", "NEW"), ("fail", "FAILED", "ACTIVE", "NEW"),
    ("manual", "WARNING", "ACTIVE", "NEW"), ("error", "NOT_AVAILABLE", "ACTIVE", "NEW"),
    ("pass", "PASSED", "ARCHIVED", "RESOLVED"), ("fixed", "PASSED", "ARCHIVED", "RESOLVED"),
    ("waived", "PASSED", "ARCHIVED", "SUPPRESSED"),
])
def test_status_mapping(status, compliance, record, workflow):
    a = asff.to_asff(fd(MIN_LENGTH, status), ACCOUNT, REGION, "aws", T1)
    assert (a["Compliance"]["Status"], a["RecordState"], a["Workflow"]["Status"]) == (compliance, record, workflow)
    assert a["ProductFields"]["bulwark.aws/status"] == status


def test_to_asff_required_fields_and_product():
    a = asff.to_asff(fd(MIN_LENGTH, "drift", message="MinimumPasswordLength is 8"), ACCOUNT, REGION, "aws", T2,
                     created_at="2026-01-01T00:00:00.000Z")
    assert a["SchemaVersion"] == "2018-10-08"
    assert a["Id"] == asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    assert a["ProductArn"] == ARN
    assert a["GeneratorId"] == "bulwark.aws/" + MIN_LENGTH
    assert a["AwsAccountId"] == ACCOUNT
    assert a["CreatedAt"] == "2026-01-01T00:00:00.000Z" and a["UpdatedAt"] == "2026-03-02T12:00:00.000Z"
    assert a["CompanyName"] == a["ProductName"] == "bulwark.aws"
    assert a["ProductFields"]["ProviderName"] == "bulwark.aws"
    assert a["ProductFields"]["ProviderVersion"] not in ("", "unknown")
    assert a["ProductFields"]["bulwark.aws/control"] == MIN_LENGTH
    # a v1 finding: title, severity and references from the catalogue
    assert a["Severity"] == {"Label": "MEDIUM"}
    assert a["Title"] and a["Title"] != MIN_LENGTH
    assert a["Types"] == [asff.TYPE_CIS]
    assert any(r.startswith("CIS AWS Foundations Benchmark") for r in a["Compliance"]["RelatedRequirements"])
    assert a["Description"] == "drift: MinimumPasswordLength is 8"
    assert a["Remediation"] == {"Recommendation": {"Text": "fix it"}}
    # a global finding sits in the home region
    assert a["Resources"] == [{"Type": "Other", "Id": "account-password-policy", "Partition": "aws", "Region": REGION}]
    acct = asff.to_asff(fd(MIN_LENGTH, "pass", resource="account", region="us-east-2"), ACCOUNT, REGION, "aws-cn", T1)
    assert acct["Resources"] == [{"Type": "AwsAccount", "Id": "AWS::::Account:" + ACCOUNT, "Partition": "aws-cn",
                                  "Region": "us-east-2"}]
    assert acct["ProductArn"].startswith("arn:aws-cn:securityhub:%s:" % REGION)


def test_v2_fields_win_over_the_catalogue():
    a = asff.to_asff(fd(MIN_LENGTH, "fail", severity="critical", title="T", refs={"securityhub": "IAM.7"}),
                     ACCOUNT, REGION, "aws", T1)
    assert a["Severity"] == {"Label": "CRITICAL"} and a["Title"] == "T"
    assert a["Types"] == [asff.TYPE_BEST_PRACTICES]
    assert a["Compliance"]["RelatedRequirements"] == ["AWS Foundational Security Best Practices/IAM.7"]


def test_description_truncated_to_1024():
    a = asff.to_asff(fd(MIN_LENGTH, "drift", message="\u00e9" * 5000), ACCOUNT, REGION, "aws", T1)
    assert len(a["Description"]) == 1024 and a["Description"].endswith("\u2026")
    b = asff.to_asff(fd(MIN_LENGTH, "drift", message="x" * (1024 - len("drift: "))), ACCOUNT, REGION, "aws", T1)
    assert len(b["Description"]) == 1024 and not b["Description"].endswith("\u2026")
    assert asff.truncate("abc", 2) == "a\u2026"


def test_asff_adds_nothing_the_report_lacks():
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    a = asff.to_asff(fd(MIN_LENGTH, "drift", message="m", unknown_field=secret), ACCOUNT, REGION, "aws", T1)
    assert secret not in json.dumps(a)


def test_batches():
    assert [len(b) for b in asff.batches(range(250))] == [100, 100, 50]
    assert asff.batches([]) == []
    assert [len(b) for b in asff.batches(range(5), 2)] == [2, 2, 1]
    with pytest.raises(ValueError):
        asff.batches([1], 0)


# --- securityhub.py against moto ----------------------------------------------------------

def test_first_export_creates_and_second_updates_without_duplicates(hub):
    rep = report([fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "pass"), fd(USER_MFA, "fail", resource="user/alice")])
    first = run(hub, rep, T1)
    assert first == {"imported": 3, "failed": [], "resolved": 0, "skipped": []}
    found = all_findings(hub)
    assert len(found) == 3
    assert set(found) == {asff.finding_id(ACCOUNT, f["region"], f["control"], f["resource"]) for f in rep["accounts"][0]["findings"]}
    assert all(f["ProductArn"] == ARN for f in found.values())

    second = run(hub, rep, T2)
    assert second == {"imported": 3, "failed": [], "resolved": 0, "skipped": []}
    again = all_findings(hub)
    assert set(again) == set(found) and len(again) == 3
    for fid, f in again.items():
        assert f["UpdatedAt"] == "2026-03-02T12:00:00.000Z"
        assert f["CreatedAt"] == found[fid]["CreatedAt"] == "2026-03-01T12:00:00.000Z"


def test_a_finding_that_passes_later_is_resolved_and_archived(hub):
    run(hub, report([fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "fail")]), T1)
    fid = asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    assert all_findings(hub)[fid]["RecordState"] == "ACTIVE"
    result = run(hub, report([fd(MIN_LENGTH, "pass"), fd(SYMBOLS, "fail")]), T2)
    assert result["resolved"] == 1 and result["failed"] == []
    f = all_findings(hub)[fid]
    assert (f["RecordState"], f["Workflow"]["Status"], f["Compliance"]["Status"]) == ("ARCHIVED", "RESOLVED", "PASSED")
    assert f["CreatedAt"] == "2026-03-01T12:00:00.000Z"
    other = all_findings(hub)[asff.finding_id(ACCOUNT, "global", SYMBOLS, "account-password-policy")]
    assert other["RecordState"] == "ACTIVE"


def test_a_finding_absent_later_is_resolved_only_within_the_evaluated_scope(hub):
    run(hub, report([fd(USER_MFA, "fail", resource="user/gone"), fd(USER_MFA, "fail", resource="user/stays"),
                     fd(MIN_LENGTH, "drift")]), T1)
    # second run: user/gone deleted; the password policy controls not evaluated at all
    result = run(hub, report([fd(USER_MFA, "fail", resource="user/stays")]), T2)
    assert result == {"imported": 1, "failed": [], "resolved": 1, "skipped": []}
    found = all_findings(hub)
    gone = found[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/gone")]
    assert (gone["RecordState"], gone["Workflow"]["Status"]) == ("ARCHIVED", "RESOLVED")
    assert gone["ProductFields"]["bulwark.aws/status"] == "absent"
    assert found[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/stays")]["RecordState"] == "ACTIVE"
    assert found[asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")]["RecordState"] == "ACTIVE"


def test_previous_ids_narrow_what_absence_resolves(hub):
    run(hub, report([fd(USER_MFA, "fail", resource="user/a"), fd(USER_MFA, "fail", resource="user/b"),
                     fd(USER_MFA, "fail", resource="user/c")]), T1)
    keep = asff.finding_id(ACCOUNT, "global", USER_MFA, "user/a")
    result = run(hub, report([fd(USER_MFA, "fail", resource="user/c")]), T2, previous_ids=[keep])
    assert result["resolved"] == 1
    found = all_findings(hub)
    assert found[keep]["RecordState"] == "ARCHIVED"
    assert found[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/b")]["RecordState"] == "ACTIVE"


def test_findings_of_other_products_are_left_alone(hub):
    foreign = asff.to_asff(fd(USER_MFA, "fail", resource="user/x"), ACCOUNT, REGION, "aws", T1)
    foreign.update(Id="someone-else/1", ProductFields={"ProviderName": "other"})
    hub.batch_import_findings(Findings=[foreign])
    run(hub, report([fd(USER_MFA, "fail", resource="user/y")]), T1)
    result = run(hub, report([fd(USER_MFA, "pass", resource="user/y")]), T2)
    assert result["resolved"] == 1
    assert all_findings(hub)["someone-else/1"]["RecordState"] == "ACTIVE"


def test_250_findings_go_in_three_batches(hub):
    result = run(hub, report(users(250)), T1)
    assert result["imported"] == 250 and result["failed"] == []
    assert hub.calls.count("BatchImportFindings") == 3
    assert len(all_findings(hub)) == 250


def test_only_the_three_operations_are_called(hub):
    run(hub, report(users(3)), T1)
    run(hub, report(users(2, "pass")), T2)
    assert set(hub.calls) == {"GetFindings", "BatchImportFindings"}
    assert set(hub.calls) <= set(securityhub.OPERATIONS)


def test_accounts_without_a_client_are_skipped(hub):
    rep = report(users(1))
    rep["accounts"].append({"host": "other", "account_id": OTHER, "findings": users(2), "errors": []})
    result = securityhub.export({ACCOUNT: hub}, rep, now=T1, update_workflow=False)
    assert result == {"imported": 1, "failed": [], "resolved": 0, "skipped": [OTHER]}
    assert set(f["AwsAccountId"] for f in all_findings(hub).values()) == {ACCOUNT}
    assert securityhub.export(lambda account_id: None, rep, now=T1)["skipped"] == [ACCOUNT, OTHER]


def test_client_config_uses_standard_retries():
    assert securityhub.client_config().retries["mode"] == "standard"


# --- what moto lacks: Stubber -------------------------------------------------------------

def stubbed():
    client = boto3.client("securityhub", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    return client, Stubber(client)


def test_failed_findings_become_failed_entries():
    client, stub = stubbed()
    rep = report([fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "fail")])
    bad = asff.finding_id(ACCOUNT, "global", SYMBOLS, "account-password-policy")
    stub.add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
    stub.add_response("batch_import_findings", {
        "FailedCount": 1, "SuccessCount": 1,
        "FailedFindings": [{"Id": bad, "ErrorCode": "InvalidInput", "ErrorMessage": "Title is too long"}]},
        {"Findings": ANY})
    with stub:
        result = securityhub.export({ACCOUNT: client}, rep, now=T1)
    stub.assert_no_pending_responses()
    assert result["imported"] == 1
    assert result["failed"] == [{"account_id": ACCOUNT, "id": bad, "code": "InvalidInput", "message": "Title is too long"}]


def test_an_api_error_becomes_a_failed_entry_and_other_accounts_go_on():
    denied, stub_denied = stubbed()
    ok, stub_ok = stubbed()
    stub_denied.add_client_error("get_findings", "AccessDeniedException", "not authorized")
    stub_ok.add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
    stub_ok.add_client_error("batch_import_findings", "InvalidAccessException", "Security Hub is not enabled")
    rep = report(users(1), account=OTHER)
    rep["accounts"].append(report(users(2))["accounts"][0])
    with stub_denied, stub_ok:
        result = securityhub.export({OTHER: denied, ACCOUNT: ok}, rep, now=T1)
    assert result["imported"] == 0
    assert {"account_id": OTHER, "id": None, "code": "AccessDeniedException", "message": "not authorized"} in result["failed"]
    per_finding = [f for f in result["failed"] if f["account_id"] == ACCOUNT]
    assert len(per_finding) == 2 and all(f["code"] == "InvalidAccessException" for f in per_finding)


def test_get_findings_filters_and_resolution_with_batch_update_findings():
    """moto ignores GetFindings filters and lacks BatchUpdateFindings: the request shapes here."""
    client, stub = stubbed()
    fid = asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    previous = asff.to_asff(fd(MIN_LENGTH, "drift"), ACCOUNT, REGION, "aws", T1)
    stub.add_response("get_findings", {"Findings": [previous]}, {
        "Filters": {
            "ProductArn": [{"Value": ARN, "Comparison": "EQUALS"}],
            "AwsAccountId": [{"Value": ACCOUNT, "Comparison": "EQUALS"}],
            "ProductFields": [{"Key": "ProviderName", "Value": "bulwark.aws", "Comparison": "EQUALS"}]},
        "MaxResults": 100})
    stub.add_response("batch_import_findings", {"FailedCount": 0, "SuccessCount": 1, "FailedFindings": []},
                      {"Findings": ANY})
    stub.add_response("batch_update_findings", {
        "ProcessedFindings": [], "UnprocessedFindings": [{
            "FindingIdentifier": {"Id": fid, "ProductArn": ARN}, "ErrorCode": "FindingNotFound",
            "ErrorMessage": "gone"}]},
        {"FindingIdentifiers": [{"Id": fid, "ProductArn": ARN}], "Workflow": {"Status": "RESOLVED"}})
    with stub:
        result = securityhub.export({ACCOUNT: client}, report([fd(MIN_LENGTH, "pass")]), now=T2)
    stub.assert_no_pending_responses()
    assert result["resolved"] == 1 and result["imported"] == 1
    assert result["failed"] == [{"account_id": ACCOUNT, "id": fid, "code": "FindingNotFound", "message": "gone"}]


def test_waived_is_suppressed_by_batch_update_findings():
    client, stub = stubbed()
    fid = asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    stub.add_response("get_findings", {"Findings": [asff.to_asff(fd(MIN_LENGTH, "drift"), ACCOUNT, REGION, "aws", T1)]},
                      {"Filters": ANY, "MaxResults": 100})
    stub.add_response("batch_import_findings", {"FailedCount": 0, "SuccessCount": 1, "FailedFindings": []},
                      {"Findings": ANY})
    stub.add_response("batch_update_findings", {"ProcessedFindings": [{"Id": fid, "ProductArn": ARN}],
                                                "UnprocessedFindings": []},
                      {"FindingIdentifiers": [{"Id": fid, "ProductArn": ARN}], "Workflow": {"Status": "SUPPRESSED"}})
    with stub:
        result = securityhub.export({ACCOUNT: client}, report([fd(MIN_LENGTH, "waived")]), now=T2)
    stub.assert_no_pending_responses()
    assert result == {"imported": 1, "failed": [], "resolved": 1, "skipped": []}


def test_archived_findings_are_not_resolved_again_and_keep_created_at(hub):
    run(hub, report([fd(USER_MFA, "pass", resource="user/a"), fd(USER_MFA, "fail", resource="user/b")]), T1)
    result = run(hub, report([fd(USER_MFA, "fail", resource="user/b")]), T2)
    assert result["resolved"] == 0  # user/a was ARCHIVED already
    a = all_findings(hub)[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/a")]
    assert a["UpdatedAt"] == "2026-03-01T12:00:00.000Z"  # not touched
    result = run(hub, report([fd(USER_MFA, "pass", resource="user/a"), fd(USER_MFA, "fail", resource="user/b")]),
                 T2 + datetime.timedelta(days=1))
    assert result["resolved"] == 0
    a = all_findings(hub)[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/a")]
    assert a["CreatedAt"] == "2026-03-01T12:00:00.000Z" and a["UpdatedAt"] == "2026-03-03T12:00:00.000Z"


def test_size_limit_of_one_finding(hub, monkeypatch):
    a = asff.to_asff(fd(MIN_LENGTH, "drift", message="x" * 5000), ACCOUNT, REGION, "aws", T1)
    assert asff.size_ok(a)
    monkeypatch.setattr(asff, "MAX_FINDING_BYTES", len(json.dumps(a, separators=(",", ":"))) - 1)
    assert not asff.size_ok(a)
    result = run(hub, report([fd(MIN_LENGTH, "drift", message="x" * 5000)]), T1)
    assert result["imported"] == 0
    assert [(f["id"], f["code"]) for f in result["failed"]] == [(a["Id"], "TooLarge")]
    assert all_findings(hub) == {}


def test_timestamps_are_utc():
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    assert asff.timestamp(datetime.datetime(2026, 3, 1, 14, 0, 0, tzinfo=plus2)) == "2026-03-01T12:00:00.000Z"
    assert asff.timestamp(datetime.datetime(2026, 3, 1, 12, 0, 0)) == "2026-03-01T12:00:00.000Z"
    assert asff.timestamp("2026-01-01T00:00:00.000Z") == "2026-01-01T00:00:00.000Z"


def test_each_account_goes_to_its_own_security_hub(hub):
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn="arn:aws:iam::%s:role/bulwark" % OTHER, RoleSessionName="bulwark")["Credentials"]
    other = boto3.client("securityhub", region_name="us-east-2", aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    rep = report(users(2))
    rep["accounts"].append({"host": "other", "account_id": OTHER, "findings": users(3), "errors": []})
    result = securityhub.export({ACCOUNT: hub, OTHER: other}, rep, now=T1, update_workflow=False)
    assert result == {"imported": 5, "failed": [], "resolved": 0, "skipped": []}
    mine, theirs = all_findings(hub), all_findings(other)
    assert len(mine) == 2 and set(f["AwsAccountId"] for f in mine.values()) == {ACCOUNT}
    assert len(theirs) == 3 and set(f["AwsAccountId"] for f in theirs.values()) == {OTHER}
    assert set(f["ProductArn"] for f in theirs.values()) == {
        "arn:aws:securityhub:us-east-2:%s:product/%s/default" % (OTHER, OTHER)}

"""Security Hub export (bulwark.aws.securityhub_export): module_utils/securityhub/asff.py (findings
as ASFF: ids, status mapping, truncation, batches) and export.py (what is sent, BatchImportFindings,
resolution), against moto's mock_aws and moto_server. moto 5.2 lacks BatchUpdateFindings: it is
EMULATED (tests/support/securityhub_workflow.py) and its request shape held with botocore's
Stubber, as are what moto never answers (FailedFindings, UnprocessedFindings, GetFindings
filters, which moto ignores)."""

import datetime
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.securityhub import asff, export
from ansible_collections.bulwark.aws.plugins.modules import securityhub_export as mod

from tests.support import securityhub_workflow
from tests.support.recorder import Recorder

ACCOUNT = "123456789012"  # moto's account
OTHER = "210987654321"
REGION = "eu-west-1"
ARN = "arn:aws:securityhub:%s:%s:product/%s/default" % (REGION, ACCOUNT, ACCOUNT)
T1 = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
T2 = datetime.datetime(2026, 3, 2, 12, 0, 0, tzinfo=datetime.timezone.utc)
LATER = T1 + export.REFRESH_AFTER + datetime.timedelta(hours=1)
MIN_LENGTH = "iam.password_policy.min_length"
SYMBOLS = "iam.password_policy.symbols"
USER_MFA = "iam.user_mfa"

securityhub_workflow.install()


def fd(control, status, resource="account-password-policy", region="global", message="m", **extra):
    return dict({"control": control, "status": status, "resource": resource, "region": region,
                 "message": message, "remediation": "fix it"}, **extra)


def users(n, status="drift"):
    return [fd(USER_MFA, status, resource="user/u%03d" % i) for i in range(n)]


@pytest.fixture
def hub():
    with mock_aws():
        client = boto3.client("securityhub", region_name=REGION)
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


def run(client, findings, now, **kw):
    return export.export_account(client, ACCOUNT, "aws", findings, now, **kw)


def counts(**kw):
    return dict(dict((k, 0) for k in export.KINDS), **kw)


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
    assert a["ProductFields"]["ProviderVersion"] == aws.COLLECTION_VERSION
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


# --- export.py against moto -----------------------------------------------------------------

def test_first_export_creates_a_second_sends_nothing_and_a_later_one_refreshes(hub):
    findings = [fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "pass"), fd(USER_MFA, "fail", resource="user/alice")]
    first = run(hub, findings, T1)
    # the pass has nothing to resolve in Security Hub: not sent
    assert first["counts"] == counts(new=2, passing=1) and first["errors"] == []
    assert first["product_arn"] == ARN and first["region"] == REGION
    found = all_findings(hub)
    assert set(found) == {asff.finding_id(ACCOUNT, f["region"], f["control"], f["resource"])
                          for f in findings if f["status"] != "pass"}
    assert all(f["ProductArn"] == ARN for f in found.values())

    del hub.calls[:]
    second = run(hub, findings, T2)  # nothing a reader sees changed: nothing is sent
    assert second["counts"] == counts(unchanged=2, passing=1)
    assert hub.calls == ["GetFindings"]
    assert all(f["UpdatedAt"] == "2026-03-01T12:00:00.000Z" for f in all_findings(hub).values())

    later = run(hub, findings, LATER)  # last sent more than REFRESH_AFTER ago: sent again, the same findings
    assert later["counts"] == counts(refreshed=2, passing=1)
    again = all_findings(hub)
    assert set(again) == set(found)
    for fid, f in again.items():
        assert f["UpdatedAt"] == asff.timestamp(LATER)
        assert f["CreatedAt"] == found[fid]["CreatedAt"] == "2026-03-01T12:00:00.000Z"


def test_a_pass_whose_resource_was_renamed_by_its_fix_is_not_a_change(hub):
    """guardduty.enabled fixes resource guardduty-detector; the next run passes detector/<id>."""
    run(hub, [fd("guardduty.enabled", "drift", resource="guardduty-detector", region=REGION)], T1)
    fixed = run(hub, [fd("guardduty.enabled", "fixed", resource="guardduty-detector", region=REGION)], T2)
    assert fixed["counts"] == counts(resolved=1)
    again = run(hub, [fd("guardduty.enabled", "pass", resource="detector/0123", region=REGION)], T2)
    assert again["counts"] == counts(passing=1)
    assert [f["RecordState"] for f in all_findings(hub).values()] == ["ARCHIVED"]


def test_a_finding_whose_message_changed_is_updated(hub):
    run(hub, [fd(MIN_LENGTH, "drift", message="MinimumPasswordLength is 8")], T1)
    result = run(hub, [fd(MIN_LENGTH, "drift", message="MinimumPasswordLength is 10")], T2)
    assert result["counts"] == counts(updated=1)
    [f] = all_findings(hub).values()
    assert f["Description"] == "drift: MinimumPasswordLength is 10" and f["CreatedAt"] == "2026-03-01T12:00:00.000Z"


def test_a_finding_that_passes_later_is_resolved_archived_and_its_workflow_set(hub):
    run(hub, [fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "fail")], T1)
    fid = asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")
    assert all_findings(hub)[fid]["RecordState"] == "ACTIVE"
    result = run(hub, [fd(MIN_LENGTH, "fixed"), fd(SYMBOLS, "fail")], T2)
    assert result["counts"] == counts(resolved=1, unchanged=1) and result["errors"] == []
    assert hub.calls.count("BatchUpdateFindings") == 1
    f = all_findings(hub)[fid]
    assert (f["RecordState"], f["Workflow"]["Status"], f["Compliance"]["Status"]) == ("ARCHIVED", "RESOLVED", "PASSED")
    assert f["CreatedAt"] == "2026-03-01T12:00:00.000Z"
    assert all_findings(hub)[asff.finding_id(ACCOUNT, "global", SYMBOLS, "account-password-policy")]["RecordState"] == "ACTIVE"
    # resolved once: the next run finds it ARCHIVED and passing, and sends nothing
    assert run(hub, [fd(MIN_LENGTH, "pass"), fd(SYMBOLS, "fail")], T2)["counts"] == counts(unchanged=2)


def test_a_waived_finding_is_suppressed(hub):
    run(hub, [fd(MIN_LENGTH, "drift")], T1)
    result = run(hub, [fd(MIN_LENGTH, "waived", message="accepted until 2026-12-31")], T2)
    assert result["counts"] == counts(resolved=1)
    [f] = all_findings(hub).values()
    assert (f["RecordState"], f["Workflow"]["Status"]) == ("ARCHIVED", "SUPPRESSED")


def test_an_absent_finding_is_resolved_only_within_the_evaluated_scope(hub):
    run(hub, [fd(USER_MFA, "fail", resource="user/gone"), fd(USER_MFA, "fail", resource="user/stays"),
              fd(MIN_LENGTH, "drift")], T1)
    # user/gone was deleted; the password policy controls were not evaluated at all
    result = run(hub, [fd(USER_MFA, "fail", resource="user/stays")], T2)
    assert result["counts"] == counts(resolved=1, unchanged=1)
    found = all_findings(hub)
    gone = found[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/gone")]
    assert (gone["RecordState"], gone["Workflow"]["Status"]) == ("ARCHIVED", "RESOLVED")
    assert gone["ProductFields"]["bulwark.aws/status"] == "absent"
    assert found[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/stays")]["RecordState"] == "ACTIVE"
    assert found[asff.finding_id(ACCOUNT, "global", MIN_LENGTH, "account-password-policy")]["RecordState"] == "ACTIVE"


def test_resolve_absent_off_leaves_absent_findings_active(hub):
    run(hub, [fd(USER_MFA, "fail", resource="user/a"), fd(USER_MFA, "fail", resource="user/b")], T1)
    result = run(hub, [fd(USER_MFA, "fail", resource="user/b")], T2, resolve_absent=False)
    assert result["counts"] == counts(unchanged=1)
    assert all_findings(hub)[asff.finding_id(ACCOUNT, "global", USER_MFA, "user/a")]["RecordState"] == "ACTIVE"


def test_findings_of_other_products_are_left_alone(hub):
    foreign = asff.to_asff(fd(USER_MFA, "fail", resource="user/x"), ACCOUNT, REGION, "aws", T1)
    foreign.update(Id="someone-else/1", ProductFields={"ProviderName": "other"})
    hub.batch_import_findings(Findings=[foreign])
    run(hub, [fd(USER_MFA, "fail", resource="user/y")], T1)
    result = run(hub, [fd(USER_MFA, "pass", resource="user/y")], T2)
    assert result["counts"] == counts(resolved=1)
    assert all_findings(hub)["someone-else/1"]["RecordState"] == "ACTIVE"


def test_250_findings_go_in_three_batches(hub):
    result = run(hub, users(250), T1)
    assert result["counts"] == counts(new=250) and result["errors"] == []
    assert hub.calls.count("BatchImportFindings") == 3
    assert len(all_findings(hub)) == 250


def test_only_its_three_operations_are_called(hub):
    run(hub, users(3), T1)
    run(hub, users(2, "pass"), T2)
    assert set(hub.calls) == set(export.OPERATIONS)


def test_without_write_it_reads_only_and_counts_what_it_would_send(hub):
    run(hub, users(3), T1)
    del hub.calls[:]
    preview = run(hub, users(2, "pass") + [fd(MIN_LENGTH, "drift")], T2, write=False)
    assert hub.calls == ["GetFindings"]
    assert preview["counts"] == counts(new=1, resolved=3)  # u000, u001 pass; u002 is absent
    assert all(f["RecordState"] == "ACTIVE" for f in all_findings(hub).values())
    assert run(hub, users(2, "pass") + [fd(MIN_LENGTH, "drift")], T2)["counts"] == preview["counts"]


def test_size_limit_of_one_finding(hub, monkeypatch):
    a = asff.to_asff(fd(MIN_LENGTH, "drift", message="x" * 5000), ACCOUNT, REGION, "aws", T1)
    assert asff.size_ok(a)
    monkeypatch.setattr(asff, "MAX_FINDING_BYTES", len(json.dumps(a, separators=(",", ":"))) - 1)
    assert not asff.size_ok(a)
    result = run(hub, [fd(MIN_LENGTH, "drift", message="x" * 5000)], T1)
    assert result["counts"] == counts()
    assert [(f["id"], f["code"]) for f in result["errors"]] == [(a["Id"], "TooLarge")]
    assert all_findings(hub) == {}


def test_each_account_gets_its_own_product(hub):
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn="arn:aws:iam::%s:role/bulwark" % OTHER, RoleSessionName="bulwark")["Credentials"]
    other = boto3.client("securityhub", region_name="us-east-2", aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    run(hub, users(2), T1)
    result = export.export_account(other, OTHER, "aws", users(3), T1)
    assert result["product_arn"] == "arn:aws:securityhub:us-east-2:%s:product/%s/default" % (OTHER, OTHER)
    mine, theirs = all_findings(hub), all_findings(other)
    assert len(mine) == 2 and set(f["AwsAccountId"] for f in mine.values()) == {ACCOUNT}
    assert len(theirs) == 3 and set(f["AwsAccountId"] for f in theirs.values()) == {OTHER}


def test_the_emulated_batch_update_findings_refuses_unknown_ids(hub):
    answer = hub.batch_update_findings(FindingIdentifiers=[{"Id": "bulwark.aws/x", "ProductArn": ARN}],
                                       Workflow={"Status": "RESOLVED"})
    assert [u["ErrorCode"] for u in answer["UnprocessedFindings"]] == ["FindingNotFound"]


# --- what moto lacks or never answers: Stubber ---------------------------------------------

def stubbed():
    client = boto3.client("securityhub", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    return client, Stubber(client)


def test_failed_findings_become_errors():
    client, stub = stubbed()
    bad = asff.finding_id(ACCOUNT, "global", SYMBOLS, "account-password-policy")
    stub.add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
    stub.add_response("batch_import_findings", {
        "FailedCount": 1, "SuccessCount": 1,
        "FailedFindings": [{"Id": bad, "ErrorCode": "InvalidInput", "ErrorMessage": "Title is too long"}]},
        {"Findings": ANY})
    with stub:
        result = run(client, [fd(MIN_LENGTH, "drift"), fd(SYMBOLS, "fail")], T1)
    stub.assert_no_pending_responses()
    assert result["counts"] == counts(new=2)
    assert result["errors"] == [{"id": bad, "code": "InvalidInput", "message": "Title is too long"}]


def test_security_hub_not_enabled_names_the_region_and_what_to_do():
    client, stub = stubbed()
    stub.add_client_error("get_findings", "InvalidAccessException",
                          "Account 123456789012 is not subscribed to AWS Security Hub")
    with stub:
        result = run(client, users(1), T1)
    [error] = result["errors"]
    assert error["code"] == "InvalidAccessException" and error["id"] is None
    assert "not enabled in eu-west-1 for account 123456789012" in error["message"]
    assert "bulwark_securityhub_export" in error["message"] and "not subscribed" in error["message"]


def test_an_import_error_is_an_error_per_finding():
    client, stub = stubbed()
    stub.add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
    stub.add_client_error("batch_import_findings", "AccessDeniedException", "not authorized")
    with stub:
        result = run(client, users(2), T1)
    assert [e["code"] for e in result["errors"]] == ["AccessDeniedException"] * 2


def test_get_findings_filters_and_batch_update_findings_request():
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
        result = run(client, [fd(MIN_LENGTH, "pass")], T2)
    stub.assert_no_pending_responses()
    assert result["counts"] == counts(resolved=1)
    assert result["errors"] == [{"id": fid, "code": "FindingNotFound", "message": "gone"}]


def test_timestamps_are_utc():
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    assert asff.timestamp(datetime.datetime(2026, 3, 1, 14, 0, 0, tzinfo=plus2)) == "2026-03-01T12:00:00.000Z"
    assert asff.timestamp(datetime.datetime(2026, 3, 1, 12, 0, 0)) == "2026-03-01T12:00:00.000Z"
    assert asff.timestamp("2026-01-01T00:00:00.000Z") == "2026-01-01T00:00:00.000Z"


# --- the module, against moto_server with the recorder --------------------------------------

@pytest.fixture
def endpoint(moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("securityhub", region_name=REGION, endpoint_url=moto_server.url).enable_security_hub()
    return moto_server


def test_module_check_mode_writes_nothing_and_says_what_it_would_send(endpoint, run_module):
    with Recorder(endpoint.url) as rec:
        result = run_module(mod.main, {"findings": users(2)}, check_mode=True)
    assert "failed" not in result, result.get("msg")
    assert rec.writes() == []
    assert result["changed"] is True and result["counts"] == counts(new=2)
    assert result["msg"].startswith("would send 2 new")


def test_module_apply_then_again_is_unchanged(endpoint, run_module):
    with Recorder(endpoint.url) as rec:
        first = run_module(mod.main, {"findings": users(2)})
    assert "failed" not in first, first.get("msg")
    assert first["changed"] is True and first["counts"] == counts(new=2)
    assert [w[1] for w in rec.writes()] == ["BatchImportFindings"]
    with Recorder(endpoint.url) as rec:
        second = run_module(mod.main, {"findings": users(2)})
    assert second["changed"] is False and second["counts"] == counts(unchanged=2)
    assert rec.writes() == []


def test_module_enforce_off_reads_only(endpoint, run_module):
    with Recorder(endpoint.url) as rec:
        result = run_module(mod.main, {"findings": users(1), "enforce": False})
    assert rec.writes() == [] and result["changed"] is False and result["counts"] == counts(new=1)


def test_module_fails_naming_what_security_hub_refused(endpoint, run_module, monkeypatch):
    monkeypatch.setattr(asff, "MAX_FINDING_BYTES", 10)
    result = run_module(mod.main, {"findings": users(1)})
    assert result["failed"] is True
    assert result["msg"].startswith("Security Hub export of account %s: 1 error(s), the first: TooLarge on bulwark.aws/"
                                    % ACCOUNT)
    assert result["errors"][0]["code"] == "TooLarge"


@pytest.mark.parametrize("findings,message", [
    ([{"control": USER_MFA, "status": "fail", "resource": "user/a"}], "findings: item 0 has no region"),
    ([fd(USER_MFA, "broken")], "findings: item 0 has status 'broken'"),
])
def test_module_bad_findings_fail_before_any_call(endpoint, run_module, findings, message):
    with Recorder(endpoint.url) as rec:
        result = run_module(mod.main, {"findings": findings})
    assert result["failed"] is True and message in result["msg"]
    assert rec.calls() == []


# --- what the report makes of the export task's result ------------------------------------

def test_the_report_turns_a_failed_export_into_an_account_error_and_a_sent_one_into_a_summary_line():
    from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run
    from ansible_collections.bulwark.aws.plugins.plugin_utils.report import summary

    key = account_run.SECURITYHUB_EXPORT
    assert account_run.export_outcome({}) == ([], [])
    assert account_run.export_outcome({key: {"skipped": True, "changed": False}}) == ([], [])
    errors, notes = account_run.export_outcome({key: {"failed": True, "msg": "Security Hub export of account 1: x"}})
    assert notes == [] and errors == [{"task": "Report | Send each account's findings to its own Security Hub",
                                       "message": "Security Hub export of account 1: x"}]
    assert account_run.export_outcome({key: {"failed": True}})[0][0]["message"] == "the export failed (no message)"
    errors, notes = account_run.export_outcome({key: {"changed": True, "msg": "sent 2 new ..."}})
    assert errors == [] and notes == ["Security Hub: sent 2 new ..."]
    report = {"mode": "apply", "accounts": [{"host": "acct", "account_id": ACCOUNT, "findings": [], "errors": []}]}
    lines = summary.summary_lines(report, notes={"acct": notes})
    assert lines[2] == "  Security Hub: sent 2 new ..."

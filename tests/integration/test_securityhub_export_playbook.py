"""BULWARK_SECURITYHUB_EXPORT=1 in a real ansible-playbook run against moto_server: the report
role sends each account's findings to its Security Hub (moto implements BatchImportFindings
and GetFindings; BatchUpdateFindings is EMULATED, tests/support/securityhub_workflow.py), --check
sends nothing, bulwark_audit_only does not stop it, a second run sends nothing, and a failed
export is an error of the account's report."""

import boto3
import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.securityhub import asff

from tests.support.fault_proxy import FaultProxy, Rule
from tests.support.moto_server import ACCOUNT_ID, TEST_CREDENTIALS
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

PLAYBOOK = "tests/integration/playbooks/drift_report.yml"
INVENTORY = "tests/integration/playbooks/drift_report_hosts.ini"
REGION = "us-east-1"
EXPORT_TASK = "Report | Send each account's findings to its own Security Hub"


@pytest.fixture
def hub(moto_server):
    client = boto3.client("securityhub", region_name=REGION, endpoint_url=moto_server.url,
                          aws_access_key_id=TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    client.enable_security_hub()
    return client


@pytest.fixture
def play(moto_server, tmp_path):

    def run(name, *args, url=None, env=None):
        server_env = dict(moto_server.env(), AWS_ENDPOINT_URL=url or moto_server.url)
        return run_playbook(PLAYBOOK, server_env, "-i", INVENTORY, "--limit", "acct-a",
                            "--tags", "iam.password_policy", *args, report_dir=tmp_path / name,
                            extra_env=dict({"BULWARK_FAIL_ON": "error", "BULWARK_SECURITYHUB_EXPORT": "1"},
                                           **(env or {})))
    return run


def hub_findings(client):
    out = []
    for page in client.get_paginator("get_findings").paginate():
        out.extend(page["Findings"])
    return dict((f["Id"], f) for f in out if f["Id"].startswith("bulwark.aws/"))


def changed_tasks(run):
    lines = run.stdout.splitlines()
    return [lines[i - 1] for i, line in enumerate(lines) if line.startswith("changed:")]


def expected_ids(run):
    return set(asff.finding_id(ACCOUNT_ID, f["region"], f["control"], f["resource"]) for f in run.findings())


def test_check_sends_nothing_audit_only_sends_apply_resolves_and_a_rerun_sends_nothing(play, hub, moto_server):
    with Recorder(moto_server.url) as rec:
        check = play("check", "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    assert "Security Hub: would send 8 new, 0 updated, 0 refreshed, 0 resolved finding(s) to Security Hub in us-east-1; " \
        "not sent: 0 unchanged, 0 passing" \
        in check.stdout
    assert hub_findings(hub) == {}

    audit = play("audit", "-e", "bulwark_audit_only=true")
    assert audit.returncode == 0, audit
    found = hub_findings(hub)
    assert set(found) == expected_ids(audit) and len(found) == 8
    for f in found.values():
        assert (f["RecordState"], f["Compliance"]["Status"], f["Workflow"]["Status"]) == ("ACTIVE", "FAILED", "NEW")
        assert f["ProductArn"] == asff.product_arn("aws", REGION, ACCOUNT_ID)
        assert f["ProductFields"]["ProviderName"] == "bulwark.aws"
        assert f["GeneratorId"].startswith("bulwark.aws/iam.password_policy.")
    assert audit.report["accounts"][0]["errors"] == []

    apply = play("apply")
    assert apply.returncode == 0, apply
    assert {f["status"] for f in apply.findings()} == {"fixed"}
    resolved = hub_findings(hub)
    assert set(resolved) == set(found)
    for f in resolved.values():
        assert (f["RecordState"], f["Compliance"]["Status"], f["Workflow"]["Status"]) == (
            "ARCHIVED", "PASSED", "RESOLVED")
        assert f["CreatedAt"] == found[f["Id"]]["CreatedAt"]

    with Recorder(moto_server.url) as rec:
        again = play("again")
    assert again.returncode == 0, again
    assert again.recap["acct-a"]["changed"] == 0, changed_tasks(again)
    assert rec.writes() == []
    assert "Security Hub: sent 0 new, 0 updated, 0 refreshed, 0 resolved finding(s) to Security Hub in us-east-1; " \
        "not sent: 8 unchanged, 0 passing" in again.stdout


def test_off_by_default(play, hub, moto_server):
    with Recorder(moto_server.url) as rec:
        run = play("off", "-e", "bulwark_audit_only=true", env={"BULWARK_SECURITYHUB_EXPORT": ""})
    assert run.returncode == 0, run
    assert not [c for c in rec.calls() if c[0] == "securityhub"]
    assert hub_findings(hub) == {}


def test_a_failed_export_is_an_error_of_the_account_and_fails_the_run(play, hub, moto_server):
    with FaultProxy(moto_server.url, Rule("deny", service="securityhub", operation="BatchImportFindings")) as proxy:
        run = play("denied", "-e", "bulwark_audit_only=true", url=proxy.url)
    assert proxy.total("deny") >= 1
    assert run.returncode == 2, run  # BULWARK_FAIL_ON=error
    [account] = run.report["accounts"]
    [error] = account["errors"]
    assert error["task"] == EXPORT_TASK
    assert "Security Hub export of account %s: 8 error(s), the first: AccessDeniedException" % ACCOUNT_ID \
        in error["message"]
    # the findings are all there, each with its verdict: the export failed, not the audit
    assert {f["status"] for f in account["findings"]} == {"drift"} and len(account["findings"]) == 8
    with open(run.report_dir + "/report.md") as f:
        assert EXPORT_TASK in f.read()

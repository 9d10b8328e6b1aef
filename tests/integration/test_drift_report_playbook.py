"""The drift_report callback in a real ansible-playbook run: three hosts in parallel (--forks 3)
against moto_server, the three report files, the summary, and BULWARK_FAIL_ON's exit code."""

import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils import controls

from tests.support.moto_server import ACCOUNT_ID, TEST_CREDENTIALS
from tests.support.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/drift_report.yml"
INVENTORY = "tests/integration/playbooks/drift_report_hosts.ini"
HOSTS = ("acct-a", "acct-b", "acct-c")
PASSWORD_POLICY = controls.ids(prefix="iam.password_policy.")


@pytest.fixture
def play(moto_server, tmp_path, monkeypatch):
    monkeypatch.delenv("BULWARK_FAIL_ON", raising=False)

    def run(name, *args, fail_on=None):
        extra = {"BULWARK_FAIL_ON": fail_on} if fail_on else None
        return run_playbook(PLAYBOOK, moto_server.env(), "-i", INVENTORY, "--forks", "3", *args,
                            report_dir=tmp_path / name, extra_env=extra)
    return run


def files(run):
    base = run.report_dir
    with open(base + "/report.md") as f:
        md = f.read()
    with open(base + "/report.json") as f:
        raw_json = f.read()
    with open(base + "/report.junit.xml", "rb") as f:
        raw_junit = f.read()
    return json.loads(raw_json), md, ET.fromstring(raw_junit), raw_json + md + raw_junit.decode("utf-8")


def test_check_run_writes_the_three_reports_and_a_summary(play):
    run = play("check", "--check")
    assert run.returncode == 0, run
    assert set(run.recap) == set(HOSTS) and all(r["failed"] == 0 for r in run.recap.values())
    report, md, junit, everything = files(run)

    assert report["schema"] == "bulwark.aws/report/v1" and report["mode"] == "check"
    assert sorted(a["host"] for a in report["accounts"]) == sorted(HOSTS)
    for account in report["accounts"]:
        assert account["account_id"] == ACCOUNT_ID and account["errors"] == []
        assert sorted(f["control"] for f in account["findings"]) == sorted(PASSWORD_POLICY)
        assert {f["status"] for f in account["findings"]} == {"drift"}  # a fresh account has no policy
        for f in account["findings"]:
            assert f["remediation"] == controls.get(f["control"]).remediation
    assert report["totals"]["drift"] == 3 * len(PASSWORD_POLICY)
    assert sum(report["totals"].values()) == 3 * len(PASSWORD_POLICY)

    for host in HOSTS:
        assert "| %s | `%s` | 0 | 8 | 0 | 0 | 0 | 0 | 0 | 0 |" % (ACCOUNT_ID, host) in md
        assert "## %s (%s)" % (ACCOUNT_ID, host) in md
    assert md.count("  - Remediation: ") == 3 * len(PASSWORD_POLICY)

    suites = junit.findall("testsuite")
    assert len(suites) == 3 and junit.get("tests") == str(3 * len(PASSWORD_POLICY))
    for suite in suites:
        cases = suite.findall("testcase")
        assert sorted(c.get("name") for c in cases) == sorted(PASSWORD_POLICY)
        assert {c.find("failure").get("type") for c in cases} == {"drift"}
        assert suite.get("failures") == str(len(PASSWORD_POLICY)) and suite.get("errors") == "0"

    # The summary at the end of the run: one line per account, the totals, where the files are.
    out = run.stdout
    assert "BULWARK DRIFT REPORT (check)" in out
    tail = out[out.index("BULWARK DRIFT REPORT"):]
    for host in HOSTS:
        assert "%s  %s     0      8      0     0       0      0       0            0" % (ACCOUNT_ID, host) in tail
    assert "total                    0     24      0     0       0      0       0            0" in tail
    assert "reports: %s (report.md, report.json, report.junit.xml)" % run.report_dir in tail

    secret = TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    assert secret not in everything and secret not in run.stdout + run.stderr


def test_fail_on_drift_ends_the_run_non_zero_and_only_then(play):
    audit = play("fail-on", "--check", fail_on="drift")
    assert audit.returncode == 10, audit
    assert "BULWARK_FAIL_ON=drift: 24 finding(s) or task error(s) are drift or worse" in audit.stdout + audit.stderr
    assert files(audit)[0]["totals"]["drift"] == 24  # the reports are written before the run ends

    # Nothing at fail or worse: BULWARK_FAIL_ON=fail lets the same audit pass.
    assert play("fail-on-fail", "--check", fail_on="fail").returncode == 0

    # Apply (no --check): the policy is set, every finding is fixed; then the audit passes.
    applied = play("apply", fail_on="drift")
    assert applied.returncode == 0, applied
    assert files(applied)[0]["mode"] == "apply"
    assert {f["status"] for a in files(applied)[0]["accounts"] for f in a["findings"]} <= {"fixed", "pass"}
    verify = play("verify", "--check", fail_on="drift")
    assert verify.returncode == 0, verify
    assert verify.report["totals"]["pass"] == 24
    assert "BULWARK_FAIL_ON=drift: no finding is drift or worse" in verify.stdout


def test_bad_fail_on_value_fails_closed(play):
    run = play("typo", "--check", fail_on="drfit")
    assert run.returncode == 5, run
    assert "BULWARK_FAIL_ON=drfit is not a status" in run.stdout + run.stderr


def test_an_account_that_fails_still_appears_with_its_error(play):
    run = play("broken", "--check", "-e", "broken_host=acct-b", fail_on="drift")
    assert run.returncode == 2, run  # Ansible's own code for a failed host is kept
    assert run.recap["acct-b"]["failed"] == 1
    report, md, junit, _everything = files(run)
    first = report["accounts"][0]
    assert first["host"] == "acct-b" and first["findings"] == []
    assert first["errors"] == [{"task": "Password policy",
                                "message": "min_length: 200 is out of range; IAM accepts 6 to 128"}]
    assert sorted(a["host"] for a in report["accounts"][1:]) == ["acct-a", "acct-c"]
    assert "- **error** in task `Password policy`: min_length: 200 is out of range" in md
    suite = junit.find("testsuite")
    assert suite.get("hostname") == "acct-b" and suite.get("errors") == "1"
    assert "acct-b" in run.stdout[run.stdout.index("BULWARK DRIFT REPORT"):]

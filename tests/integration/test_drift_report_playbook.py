"""The report role in a real ansible-playbook run: an embedded role over three hosts in parallel
(--forks 3) against moto_server, the three report files, the summary, and BULWARK_FAIL_ON's exit
code."""

import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support.moto_server import ACCOUNT_ID, TEST_CREDENTIALS
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

PLAYBOOK = "tests/integration/playbooks/drift_report.yml"
INVENTORY = "tests/integration/playbooks/drift_report_hosts.ini"
HOSTS = ("acct-a", "acct-b", "acct-c")
PASSWORD_POLICY = controls.ids(prefix="iam.password_policy.")


@pytest.fixture
def play(moto_server, tmp_path):

    def run(name, *args, fail_on="none", env=None):
        return run_playbook(PLAYBOOK, moto_server.env(), "-i", INVENTORY, "--forks", "3",
                            "--tags", "iam.password_policy", *args, report_dir=tmp_path / name,
                            extra_env=dict({"BULWARK_FAIL_ON": fail_on}, **(env or {})))
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

    assert report["schema"] == "bulwark.aws/report/v2" and report["mode"] == "check"
    # v2 keeps every v1 field (a v1 reader still works) and adds controls, frameworks and changes.
    assert {"schema", "generated_at", "mode", "accounts", "totals"} <= set(report)
    assert {"controls", "frameworks", "changes"} <= set(report)
    assert sorted(a["host"] for a in report["accounts"]) == sorted(HOSTS)
    for account in report["accounts"]:
        assert account["account_id"] == ACCOUNT_ID and account["errors"] == []
        assert sorted(f["control"] for f in account["findings"]) == sorted(PASSWORD_POLICY)
        assert {f["status"] for f in account["findings"]} == {"drift"}  # a fresh account has no policy
        for f in account["findings"]:
            assert {"control", "status", "resource", "region", "message", "remediation"} <= set(f)
            assert f["remediation"] == controls.get(f["control"]).remediation
            assert f["severity"] == controls.get(f["control"]).severity and f["title"]
    assert report["totals"]["drift"] == 3 * len(PASSWORD_POLICY)
    # Three hosts of one account id: one controls entry per host and control, all drift.
    assert len(report["controls"]) == 3 * len(PASSWORD_POLICY)
    assert {c["status"] for c in report["controls"]} == {"drift"}
    cis = report["frameworks"]["cis_v3"]
    assert [r["status"] for r in cis["requirements"] if r["id"] in ("1.8", "1.9")] == ["fail", "fail"]
    assert cis["score"]["overall"] == 0.0  # every evaluated requirement fails
    # Its own directory (tmp_path/check, not a timestamp) and no BULWARK_BASELINE: nothing to compare with.
    assert report["changes"]["baseline"] is None and report["changes"]["new"] == []
    assert sum(report["totals"].values()) == 3 * len(PASSWORD_POLICY)

    for host in HOSTS:
        assert "| %s | `%s` | 0 | 8 | 0 | 0 | 0 | 0 | 0 | 0 |" % (ACCOUNT_ID, host) in md
        assert "### %s (%s)" % (ACCOUNT_ID, host) in md
    # One line per control over the three hosts, each with its remediation and the hosts it drifts on.
    control_lines = [line for line in md.splitlines() if ". Remediation: " in line]
    assert len(control_lines) == len(PASSWORD_POLICY)
    hosts = "in accounts %s" % ", ".join("%s (%s)" % (ACCOUNT_ID, host) for host in sorted(HOSTS))
    assert all(line.startswith("- **drift** `iam.password_policy.") and hosts in line for line in control_lines)

    suites = junit.findall("testsuite")
    assert len(suites) == 3 and junit.get("tests") == str(3 * len(PASSWORD_POLICY))
    for suite in suites:
        cases = suite.findall("testcase")
        assert sorted(c.get("name") for c in cases) == sorted(PASSWORD_POLICY)
        assert {c.find("failure").get("type") for c in cases} == {"drift"}
        assert suite.get("failures") == str(len(PASSWORD_POLICY)) and suite.get("errors") == "0"

    # The summary at the end of the run: one line per account, the totals, where the files are.
    out = run.stdout
    tail = out[out.index("Report | Summary"):]
    for host in HOSTS:
        assert '"%s (%s): 8 drift",' % (host, ACCOUNT_ID) in tail
    assert '"  iam.password_policy.min_length drift",' in tail
    assert '"3 accounts in all: 24 drift",' in tail
    assert "reports: %s (report.md, report.html, report.json, report.junit.xml)" % run.report_dir in tail

    secret = TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    assert secret not in everything and secret not in run.stdout + run.stderr


def test_fail_on_drift_ends_the_run_non_zero_and_only_then(play):
    audit = play("fail-on", "--check", fail_on="drift")
    assert audit.returncode == 2, audit
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


def test_changes_against_the_previous_run_and_fail_on_new(play, tmp_path):
    # Run directories named as ./bulwark-reports/<UTC timestamp>: the second finds the first.
    first = play("bulwark-reports/20260101T000000Z", "--check", fail_on="new")
    assert first.returncode == 0, first  # nothing to compare with: nothing is new
    assert first.report["changes"]["baseline"] is None
    assert "BULWARK_FAIL_ON=new: the run passes, no drift, fail or error finding is new" in first.stdout

    # acct-b now fails before any AWS call: its eight controls are error findings, new since the first run.
    broken = play("bulwark-reports/20260102T000000Z", "--check", "-e", "broken_host=acct-b", fail_on="new")
    assert broken.returncode == 2, broken
    changes = broken.report["changes"]
    assert changes["baseline"] == str(tmp_path / "bulwark-reports" / "20260101T000000Z" / "report.json")
    assert changes["baseline_generated_at"] == first.report["generated_at"]
    assert sorted(e["control"] for e in changes["new"]) == sorted(PASSWORD_POLICY)
    assert {(e["host"], e["status"], e["resource"]) for e in changes["new"]} == {("acct-b", "error", "account")}
    # The three hosts share one account id: its drift on the password policy persists, once per control.
    assert sorted(e["control"] for e in changes["persisting"]) == sorted(PASSWORD_POLICY)
    assert changes["resolved"] == []
    assert "BULWARK_FAIL_ON=new: the run fails, 8 drift, fail or error finding(s) are new" in broken.stdout

    # BULWARK_BASELINE names the first run's directory: the same audit again has nothing new.
    again = play("elsewhere", "--check", fail_on="new",
                 env={"BULWARK_BASELINE": str(tmp_path / "bulwark-reports" / "20260101T000000Z")})
    assert again.returncode == 0, again
    assert again.report["changes"]["baseline"] == changes["baseline"] and again.report["changes"]["new"] == []
    assert len(again.report["changes"]["persisting"]) == len(PASSWORD_POLICY)
    assert "## Changes since the last report" in files(again)[1]


def test_bad_fail_on_value_stops_before_any_aws_call(play, moto_server):
    with Recorder(moto_server.url) as rec:
        run = play("typo", "--check", fail_on="drfit")
    assert run.returncode == 2, run
    assert "BULWARK_FAIL_ON (or bulwark_fail_on) is 'drfit': set it to one of error, fail, drift, manual, new, none" \
        in run.stdout + run.stderr
    assert rec.calls() == []


def test_the_default_fail_on_is_error(play):
    clean = play("default-clean", "--check", fail_on="")
    assert clean.returncode == 0, clean  # drift only: not an error
    assert "BULWARK_FAIL_ON=error: no finding is error" in clean.stdout


def test_an_account_that_fails_still_appears_with_an_error_for_each_control(play):
    run = play("broken", "--check", "-e", "broken_host=acct-b", fail_on="")
    assert run.returncode == 2, run  # the default BULWARK_FAIL_ON=error fails the run, after the report
    assert run.recap["acct-b"]["failed"] == 0 and "acct-b: iam_password_policy_check: " in run.stdout + run.stderr
    report, md, junit, _everything = files(run)
    first = report["accounts"][0]
    assert first["host"] == "acct-b"
    message = "iam_password_policy_check: bulwark_iam_password_min_length: 200 is out of range; IAM accepts 6 to 128"
    assert first["errors"] == [{"task": "Common | Run the selected checks of the account in one module run", "message": message}]
    assert sorted(f["control"] for f in first["findings"]) == sorted(PASSWORD_POLICY)
    assert {f["status"] for f in first["findings"]} == {"error"}
    assert all(f["message"] == "not evaluated: " + message for f in first["findings"])
    assert sorted(a["host"] for a in report["accounts"][1:]) == ["acct-a", "acct-c"]
    assert "- **error** in task `Common | Run the selected checks of the account in one module run`: " in md
    suite = junit.find("testsuite")
    assert suite.get("hostname") == "acct-b" and suite.get("errors") == str(1 + len(PASSWORD_POLICY))
    assert "BULWARK_FAIL_ON=error: 9 finding(s) or task error(s) are error" in run.stdout + run.stderr

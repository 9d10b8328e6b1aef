"""playbooks/merge_reports.yml: the reports of two slices (one account in both) into one report
of every account, in every format; bad input stops before anything is written. No AWS call."""

import json
import os

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect, write

from tests.support.playbook import run_playbook

PLAYBOOK = "playbooks/merge_reports.yml"


def slice_run(directory, generated_at, accounts):
    """A run directory with the report a slice of the sliced job wrote."""
    import datetime

    sections = [collect.account_section(host, account_id, findings, selected=[f["control"] for f in findings])
                for host, account_id, findings in accounts]
    when = datetime.datetime.strptime(generated_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    write.write_report(collect.build_report(sections, "check", when), str(directory))
    return str(directory)


def test_two_slices_make_one_report_in_every_format(tmp_path):
    one = slice_run(tmp_path / "slice-1" / "run", "2026-03-01T10:00:00Z", [
        ("prod", "111111111111", [finding("iam.user_mfa", "fail", "alice has no MFA", resource="alice")]),
        ("shared", "333333333333", [finding("guardduty.enabled", "drift", "off", resource="gd", region="eu-west-1")])])
    two = slice_run(tmp_path / "slice-2" / "run", "2026-03-01T11:00:00Z", [
        ("dev", "222222222222", [finding("root.mfa", "pass", "root has MFA")]),
        ("shared", "333333333333", [finding("guardduty.enabled", "pass", "on", resource="gd", region="eu-west-1")])])
    merged_dir = tmp_path / "merged"
    run = run_playbook(PLAYBOOK, {}, "-e", json.dumps({"reports": [str(tmp_path / "slice-*" / "run")]}),
                       report_dir=merged_dir)
    assert run.returncode == 0, run
    assert sorted(os.listdir(str(merged_dir))) == sorted(write.FILES)
    with open(str(merged_dir / "report.json")) as f:
        merged = json.load(f)
    assert merged["schema"] == collect.SCHEMA
    assert sorted(a["account_id"] for a in merged["accounts"]) == ["111111111111", "222222222222", "333333333333"]
    shared = [a for a in merged["accounts"] if a["account_id"] == "333333333333"][0]
    assert [f["status"] for f in shared["findings"]] == ["pass"]  # the later slice's
    assert merged["totals"]["fail"] == 1 and merged["totals"]["drift"] == 0
    assert len(merged["merged"]["notes"]) == 1 and "333333333333" in merged["merged"]["notes"][0]
    assert [os.path.dirname(p) for p in merged["merged"]["slices"] and [one, two]] == [
        os.path.dirname(one), os.path.dirname(two)]
    assert str(merged_dir) in run.stdout and "333333333333 is in more than one report" in run.stdout
    with open(str(merged_dir / "report.html")) as f:
        assert "222222222222" in f.read()


def test_a_pattern_matching_nothing_stops_before_anything_is_written(tmp_path):
    merged_dir = tmp_path / "merged"
    run = run_playbook(PLAYBOOK, {}, "-e", "reports=[%s]" % (tmp_path / "nowhere-*"), report_dir=merged_dir)
    assert run.returncode != 0
    assert "reports: %s holds no report.json" % (tmp_path / "nowhere-*") in run.stdout + run.stderr
    assert not merged_dir.exists() or os.listdir(str(merged_dir)) == []


def test_no_reports_names_the_variable(tmp_path):
    run = run_playbook(PLAYBOOK, {}, report_dir=tmp_path / "merged")
    assert run.returncode != 0
    assert "reports: give the runs to merge, e.g. -e 'reports=[" in run.stdout + run.stderr

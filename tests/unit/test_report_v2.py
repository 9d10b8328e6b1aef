"""report.json v2 (plugins/plugin_utils/report/{frameworks,changes,baseline}.py) and the report.md
that leads with totals, framework scores, changes and one line per control that is not pass:
the finding details, the controls view, the framework requirement rules and scores, the changes
against a v1 or v2 baseline, how the baseline is found and read, BULWARK_FAIL_ON=new, and the
report action putting them together."""

import datetime
import json
import os

import pytest

from ansible_collections.bulwark.aws.plugins.action import report as report_action
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import (baseline, changes, collect, frameworks,
                                                                         gate, render)
from tests.unit.test_report import _action, _kept

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
EARLIER = datetime.datetime(2026, 2, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
A, B = "111111111111", "222222222222"


def f(control, status, resource=None, region=None, message="m"):
    return finding(control, status, message, resource=resource, region=region)


def report(*accounts, **kwargs):
    return collect.build_report([collect.account_section(h, a, fs) for h, a, fs in accounts], "check",
                                kwargs.pop("now", NOW), **kwargs)


def requirement(document, framework, rid):
    return next(r for r in document["frameworks"][framework]["requirements"] if r["id"] == rid)


# --- finding details -----------------------------------------------------------------------------

@pytest.mark.parametrize("control,refs", [
    ("root.no_access_keys", {"cis_v3": "1.4", "securityhub": "IAM.4", "config_rule": "IAM_ROOT_ACCESS_KEY_CHECK"}),
    ("root.no_recent_use", {"cis_v3": "1.7"}),  # no Security Hub control, no Config rule: no key
    ("iam.password_policy.allow_users_to_change", {}),
])
def test_finding_details_only_the_refs_the_catalogue_has(control, refs):
    c = controls.get(control)
    assert frameworks.finding_details(control) == {"severity": c.severity, "title": c.title, "refs": refs}
    item = report(("h", A, [f(control, "fail")]))["accounts"][0]["findings"][0]
    assert item["refs"] == refs and item["severity"] == c.severity and item["title"] == c.title


# --- controls ------------------------------------------------------------------------------------

def test_controls_one_entry_per_account_and_control_worst_first():
    document = report(
        ("a", A, [f("guardduty.enabled", "pass", "det", "eu-west-1"), f("guardduty.enabled", "drift", "none", "us-east-1"),
                  f("guardduty.enabled", "drift", "none", "eu-central-1"), f("root.mfa", "pass")]),
        ("b", B, [f("guardduty.enabled", "error", "account", "us-east-1"), f("root.mfa", "fail"),
                  f("root.no_access_keys", "fail")]))
    entries = [(c["account_id"], c["control"], c["status"]) for c in document["controls"]]
    assert entries == [(B, "guardduty.enabled", "error"), (B, "root.no_access_keys", "fail"), (B, "root.mfa", "fail"),
                       (A, "guardduty.enabled", "drift"), (A, "root.mfa", "pass")]
    gd = next(c for c in document["controls"] if c["account_id"] == A and c["control"] == "guardduty.enabled")
    assert gd == {"host": "a", "account_id": A, "control": "guardduty.enabled",
                  "title": controls.get("guardduty.enabled").title,
                  "severity": controls.get("guardduty.enabled").severity, "status": "drift",
                  "counts": {"drift": 2, "pass": 1},
                  "regions": {"drift": ["eu-central-1", "us-east-1"], "pass": ["eu-west-1"]},
                  "resources": {"drift": ["none"], "pass": ["det"]}}


# --- frameworks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("statuses,expected", [
    ([], "not_evaluated"),
    (["pass"], "pass"),
    (["pass", "waived", "fixed"], "pass"),
    (["pass", "drift"], "fail"),
    (["waived", "fail"], "fail"),
    (["manual", "pass"], "manual"),
    (["manual", "drift"], "fail"),
    (["error", "fail", "manual", "pass"], "error"),
    (["error"], "error"),
])
def test_requirement_status(statuses, expected):
    assert frameworks.requirement_status(statuses) == expected


@pytest.mark.parametrize("statuses,expected", [
    (["pass", "pass", "fail"], 0.6667),
    (["pass", "manual", "error", "not_evaluated"], 1.0),
    (["fail"], 0.0),
    (["manual", "error", "not_evaluated"], None),  # nothing passed or failed: no score, not 0
    ([], None),
])
def test_score(statuses, expected):
    assert frameworks.score(statuses) == expected


def test_a_requirement_of_two_controls_passes_only_when_both_do():
    # CIS 2.1.1 and FSBP S3.5 are met by cloudtrail.bucket_tls_only and s3.bucket_tls_only together.
    ok = report(("a", A, [f("cloudtrail.bucket_tls_only", "pass"), f("s3.bucket_tls_only", "waived", "b1"),
                          f("s3.bucket_tls_only", "fixed", "b2")]))
    assert requirement(ok, "cis_v3", "2.1.1")["controls"] == ["cloudtrail.bucket_tls_only", "s3.bucket_tls_only"]
    assert requirement(ok, "cis_v3", "2.1.1")["status"] == "pass"
    assert requirement(ok, "fsbp", "S3.5")["status"] == "pass"
    bad = report(("a", A, [f("cloudtrail.bucket_tls_only", "pass"), f("s3.bucket_tls_only", "drift", "b1")]))
    assert requirement(bad, "cis_v3", "2.1.1")["status"] == "fail"


def test_frameworks_per_account_and_overall():
    document = report(
        ("a", A, [f("root.no_access_keys", "pass"), f("root.mfa", "pass"), f("root.no_recent_use", "manual")]),
        ("b", B, [f("root.no_access_keys", "fail"), f("root.mfa", "error"), f("root.no_recent_use", "pass")]))
    cis = document["frameworks"]["cis_v3"]
    assert cis["name"] == "CIS AWS Foundations Benchmark v3.0.0"
    assert document["frameworks"]["fsbp"]["name"] == "AWS Foundational Security Best Practices"
    assert requirement(document, "cis_v3", "1.4") == {"id": "1.4", "controls": ["root.no_access_keys"],
                                                      "status": "fail", "accounts": {A: "pass", B: "fail"}}
    assert requirement(document, "cis_v3", "1.5")["accounts"] == {A: "pass", B: "error"}
    assert requirement(document, "cis_v3", "1.5")["status"] == "error"
    assert requirement(document, "cis_v3", "1.7")["status"] == "manual"  # manual in a, pass in b: manual
    assert requirement(document, "cis_v3", "1.8")["status"] == "not_evaluated"
    # a: 1.4 and 1.5 pass, 1.7 manual -> 2/2; b: 1.4 fail, 1.5 error, 1.7 pass -> 1/2; overall 1.4 fail only -> 0/1
    assert cis["score"] == {"overall": 0.0, "accounts": {A: 1.0, B: 0.5}}
    assert cis["counts"]["fail"] == 1 and cis["counts"]["error"] == 1 and cis["counts"]["manual"] == 1
    assert sum(cis["counts"].values()) == len(cis["requirements"])
    # Every CIS number of the catalogue is a requirement, in natural order (1.2 before 1.10).
    ids = [r["id"] for r in cis["requirements"]]
    assert set(ids) == {c.cis for c in controls.all_controls() if c.cis}
    assert ids.index("1.2") < ids.index("1.10") < ids.index("2.1.1")
    # fsbp: IAM.4 (root.no_access_keys) fails overall; IAM.9 (root.mfa) error
    assert requirement(document, "fsbp", "IAM.4")["status"] == "fail"
    assert requirement(document, "fsbp", "IAM.9")["status"] == "error"


def test_score_is_null_when_nothing_passed_or_failed():
    document = report(("a", A, [f("root.no_recent_use", "manual"), f("root.mfa", "error")]))
    for fw in document["frameworks"].values():
        assert fw["score"] == {"overall": None, "accounts": {A: None}}
    assert json.loads(render.render_json(document))["frameworks"]["cis_v3"]["score"]["overall"] is None


# --- changes -------------------------------------------------------------------------------------

def _v1(document):
    """The document as a v1 report was: v1 fields only, findings without severity, title and refs."""
    out = {k: document[k] for k in ("generated_at", "mode", "accounts", "totals")}
    out["schema"] = "bulwark.aws/report/v1"
    v1_keys = ("control", "status", "resource", "region", "message", "remediation")
    out["accounts"] = [dict(a, findings=[{k: x[k] for k in v1_keys} for x in a["findings"]])
                       for a in document["accounts"]]
    return out


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_changes_new_resolved_persisting(version):
    before = report(("a", A, [f("root.mfa", "fail"), f("guardduty.enabled", "drift", "d", "us-east-1"),
                              f("guardduty.enabled", "drift", "d", "eu-west-1"), f("iam.user_mfa", "pass", "bob")]),
                    now=EARLIER)
    if version == "v1":
        before = _v1(before)
    now = report(("a", A, [f("root.mfa", "error"),  # still bad (status changed): persisting
                           f("guardduty.enabled", "pass", "d", "us-east-1"),  # resolved
                           f("guardduty.enabled", "drift", "d", "eu-west-1"),  # persisting
                           f("iam.user_mfa", "fail", "bob")]),  # was pass: new
                 previous=before, baseline_path="/r/old/report.json")
    c = now["changes"]
    assert c["baseline"] == "/r/old/report.json" and c["baseline_generated_at"] == "2026-02-01T12:00:00Z"

    def key(control, resource, region, status):
        return {"host": "a", "account_id": A, "control": control, "resource": resource, "region": region,
                "status": status}

    assert c["new"] == [key("iam.user_mfa", "bob", "global", "fail")]
    assert c["resolved"] == [key("guardduty.enabled", "d", "us-east-1", "drift")]
    assert sorted(c["persisting"], key=lambda e: e["control"]) == [
        key("guardduty.enabled", "d", "eu-west-1", "drift"), key("root.mfa", "account", "global", "error")]


def test_changes_match_by_account_id_not_host():
    before = report(("old-name", A, [f("root.mfa", "fail")]), ("b", B, [f("root.mfa", "fail")]))
    now = report(("new-name", A, [f("root.mfa", "fail")]), ("b", B, [f("root.mfa", "pass")]),
                 previous=before, baseline_path="p")
    assert [e["host"] for e in now["changes"]["persisting"]] == ["new-name"]
    assert [e["account_id"] for e in now["changes"]["resolved"]] == [B] and now["changes"]["new"] == []


def test_changes_without_baseline_are_empty():
    assert report(("a", A, [f("root.mfa", "fail")]))["changes"] == {
        "baseline": None, "baseline_generated_at": None, "new": [], "resolved": [], "persisting": []}


def test_changes_skip_what_a_baseline_holds_malformed():
    account = {"host": "a", "account_id": A, "findings": [None, {"status": "fail"}]}
    previous = {"schema": "bulwark.aws/report/v1", "accounts": ["x", account]}
    c = changes.changes(report(("a", A, [f("root.mfa", "fail")])), previous, "p")
    assert len(c["new"]) == 1 and c["resolved"][0]["control"] == "" and c["baseline_generated_at"] is None


# --- BULWARK_FAIL_ON=new -----------------------------------------------------------------------------

def test_fail_on_new_counts_only_new_bad_findings():
    before = report(("a", A, [f("root.mfa", "fail")]), now=EARLIER)
    same = report(("a", A, [f("root.mfa", "fail")]), previous=before, baseline_path="p")
    assert gate.parse_fail_on("NEW") == ("new", None)
    verdict = gate.gate(same, "new", "/r")
    assert verdict == {"fail_on": "new", "failed": False, "count": 0,
                       "message": "BULWARK_FAIL_ON=new: no drift, fail or error finding is new since the report "
                                  "of 2026-02-01T12:00:00Z"}
    assert gate.gate(same, "fail")["failed"] is True  # the old threshold still fails on it
    worse = report(("a", A, [f("root.mfa", "fail"), f("root.no_access_keys", "fail"), f("iam.user_mfa", "drift", "x")]),
                   previous=before, baseline_path="p")
    verdict = gate.gate(worse, "new", "/r")
    assert (verdict["failed"], verdict["count"]) == (True, 2)
    assert verdict["message"] == ("BULWARK_FAIL_ON=new: 2 drift, fail or error finding(s) are new since the report "
                                  "of 2026-02-01T12:00:00Z; read /r/report.md")
    assert gate.outcome(verdict) == "BULWARK_FAIL_ON=new: the run fails, 2 drift, fail or error finding(s) are new"


# --- finding and reading the baseline ----------------------------------------------------------------

def _run(base, name, document=None, raw=None):
    path = base / name
    path.mkdir(parents=True)
    if document is not None or raw is not None:
        (path / "report.json").write_text(raw if raw is not None else json.dumps(document))
    return path


def test_baseline_is_the_newest_earlier_run_directory(tmp_path):
    base = tmp_path / "bulwark-reports"
    _run(base, "20260101T000000Z", {})
    newest = _run(base, "20260201T000000Z-2", {})
    _run(base, "20260201T000000Z", {})
    _run(base, "20260215T000000Z")  # no report.json (a run that wrote nothing): skipped
    _run(base, "notes", {})  # not a run directory
    current = _run(base, "20260301T000000Z")
    _run(base, "20260401T000000Z", {})  # later than this run (a clock skew): not earlier, skipped
    os.symlink("20260401T000000Z", str(base / "latest"))
    assert baseline.find(str(current)) == str(newest / "report.json")
    # The current run's own report.json is never its baseline.
    (current / "report.json").write_text("{}")
    assert baseline.find(str(current)) == str(newest / "report.json")
    assert baseline.find(str(base / "20260101T000000Z")) is None  # the first run
    assert baseline.find(str(_run(tmp_path, "ci-out"))) is None  # BULWARK_REPORT_DIR of another name


def test_baseline_explicit_file_or_directory(tmp_path):
    run = _run(tmp_path, "keep", {})
    assert baseline.find("/anything/20260301T000000Z", str(run)) == str(run / "report.json")
    assert baseline.find("/anything", str(run / "report.json")) == str(run / "report.json")
    assert baseline.find("/anything", str(tmp_path / "missing.json")) == str(tmp_path / "missing.json")


@pytest.mark.parametrize("raw,why", [
    (None, "could not be read"),
    ("{not json", "is not JSON"),
    ('{"schema": "other/v9", "accounts": []}', "is not a bulwark.aws report"),
    ('["a list"]', "is not a bulwark.aws report"),
    ('{"schema": "bulwark.aws/report/v2", "accounts": {}}', "has no accounts list"),
])
def test_unreadable_baseline_says_why(tmp_path, raw, why):
    path = tmp_path / "report.json"
    if raw is not None:
        path.write_text(raw)
    document, note = baseline.load(str(path))
    assert document is None and note.startswith("the baseline %s " % path) and why in note


def test_baseline_v1_and_v2_are_read(tmp_path):
    v2 = report(("a", A, [f("root.mfa", "fail")]))
    for document in (v2, _v1(v2)):
        (tmp_path / "report.json").write_text(json.dumps(document))
        assert baseline.load(str(tmp_path / "report.json")) == (document, None)


# --- the report action --------------------------------------------------------------------------------

def _task_vars(findings):
    return {"hostvars": {"a": _kept(A, findings, sorted(set(x["control"] for x in findings)))},
            "ansible_play_hosts_all": ["a"], "ansible_play_hosts": ["a"], "ansible_check_mode": True}


def test_report_action_compares_with_the_previous_run(tmp_path, monkeypatch):
    monkeypatch.delenv("BULWARK_BASELINE", raising=False)
    base = tmp_path / "bulwark-reports"
    first, second = base / "20260201T000000Z", base / "20260301T000000Z"
    first.mkdir(parents=True)
    second.mkdir()
    plugin, _c = _action(report_action, {"report_dir": str(first), "fail_on": "new"})
    result = plugin.run(task_vars=_task_vars([f("root.mfa", "fail")]))
    assert result["gate"]["failed"] is False  # the first run has nothing to compare with
    plugin, _c = _action(report_action, {"report_dir": str(second), "fail_on": "new"})
    result = plugin.run(task_vars=_task_vars([f("root.mfa", "fail"), f("root.no_access_keys", "fail")]))
    document = json.loads((second / "report.json").read_text())
    assert document["changes"]["baseline"] == str(first / "report.json")
    assert [e["control"] for e in document["changes"]["new"]] == ["root.no_access_keys"]
    assert [e["control"] for e in document["changes"]["persisting"]] == ["root.mfa"]
    assert (result["gate"]["failed"], result["gate"]["count"]) == (True, 1)


def test_report_action_unreadable_baseline_is_a_note_not_a_crash(tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text("{truncated")
    monkeypatch.setenv("BULWARK_BASELINE", str(bad))
    out = tmp_path / "out"
    out.mkdir()
    plugin, _c = _action(report_action, {"report_dir": str(out), "fail_on": "new"})
    result = plugin.run(task_vars=_task_vars([f("root.mfa", "fail")]))
    assert not result.get("failed") and result["gate"]["failed"] is False
    assert result["gate"]["message"].startswith("BULWARK_FAIL_ON=new: no drift, fail or error finding is new (the "
                                                "baseline %s is not JSON" % bad)
    document = json.loads((out / "report.json").read_text())
    c = document["changes"]
    # The contract: no baseline read, baseline null; the note names the file and why.
    assert c["baseline"] is None and c["new"] == [] and c["note"].startswith("the baseline %s is not JSON" % bad)
    assert "No comparison: %s." % render._md(c["note"]) in (out / "report.md").read_text()


def test_the_baseline_option_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BULWARK_BASELINE", str(tmp_path / "nowhere"))
    keep = _run(tmp_path, "keep", report(("a", A, [f("root.mfa", "fail")]), now=EARLIER))
    out = tmp_path / "out"
    out.mkdir()
    plugin, _c = _action(report_action, {"report_dir": str(out), "baseline": str(keep)})
    plugin.run(task_vars=_task_vars([f("root.mfa", "fail")]))
    c = json.loads((out / "report.json").read_text())["changes"]
    assert c["baseline"] == str(keep / "report.json") and len(c["persisting"]) == 1 and "note" not in c


# --- report.md ---------------------------------------------------------------------------------------

def test_markdown_leads_with_totals_scores_changes_then_controls_worst_first(tmp_path):
    before = report(("a", A, [f("root.mfa", "pass"), f("ec2.ebs_default_encryption", "drift", "account", "us-east-1")]),
                    now=EARLIER)
    regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"]
    document = report(
        ("a", A, [f("guardduty.enabled", "drift", "det", r) for r in regions]
         + [f("ec2.ebs_default_encryption", "drift", "account", r) for r in regions[:2]]
         + [f("root.mfa", "fail"), f("root.no_recent_use", "manual"), f("root.no_access_keys", "pass"),
            f("iam.access_analyzer", "error", "account", "us-east-1")]),
        previous=before, baseline_path="/r/20260201T120000Z/report.json")
    md = render.render_markdown(document)
    heads = ["| **total** |", "## Framework scores", "## Changes since the last report",
             "## Controls that are not pass, worst first", "## Detail per account"]
    assert [md.index(h) for h in heads] == sorted(md.index(h) for h in heads)
    cis = document["frameworks"]["cis_v3"]
    assert "| CIS AWS Foundations Benchmark v3.0.0 | %d%% |" % round(cis["score"]["overall"] * 100) in md
    assert ("Against the report of 2026-02-01T12:00:00Z (`/r/20260201T120000Z/report.json`): **7 new**, 0 resolved, "
            "1 persisting drift, fail or error finding(s).") in md  # 4 + 1 + 1 + 1 new
    section = md[md.index(heads[3]):md.index(heads[4])]
    lines = [x for x in section.splitlines() if x.startswith("- **")]
    assert [x.split("`")[1] for x in lines] == ["iam.access_analyzer", "root.mfa", "ec2.ebs_default_encryption",
                                                "guardduty.enabled", "root.no_recent_use"]
    # one line per control with its remediation, its regions folded: up to three named, every
    # region of the account as such; one account: its id is in the table, not on each line
    gd = controls.get("guardduty.enabled")
    assert lines[3] == "- **drift** `guardduty.enabled` (high) on `det` in every region (4): %s. Remediation: %s" % (
        gd.title, gd.remediation)
    assert "(medium) on `account` in eu-west-1, us-east-1: " in lines[2]
    assert "(critical) on `account`: %s. " % controls.get("root.mfa").title in lines[1]  # global: no region named
    # The new findings, folded too: one line per account, control and status.
    new = md[md.index("New:"):md.index(heads[3])]
    assert "- %s `guardduty.enabled` drift on `det` in every region (4)\n" % A in new
    assert "- %s `ec2.ebs_default_encryption` drift on `account` in eu-west-1\n" % A in new  # us-east-1 persists
    assert new.count("\n- ") == 4
    assert section.count(". Remediation: ") == 5
    assert ". Remediation: " + controls.get("guardduty.enabled").remediation.replace("_", "\\_")[:40] in section
    assert "root.no_access_keys" not in section  # pass: only in the detail


def test_markdown_without_baseline_says_so():
    md = render.render_markdown(report(("a", A, [f("root.mfa", "pass")])))
    assert "No earlier report to compare with" in md and "Every control passes." in md


def test_finding_and_reading_the_baseline_write_nothing(tmp_path):
    base = tmp_path / "bulwark-reports"
    _run(base, "20260201T000000Z", report(("a", A, [f("root.mfa", "fail")])))
    current = _run(base, "20260301T000000Z")
    before = sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    document, note = baseline.load(baseline.find(str(current)))
    assert note is None and document["schema"] == "bulwark.aws/report/v2"
    assert sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before


def test_report_md_detail_folds_findings_that_differ_only_in_region():
    same = [f("guardduty.enabled", "drift", "detector", region, "GuardDuty is off") for region in
            ("eu-west-1", "us-east-1", "ap-south-1")]
    other = f("guardduty.enabled", "drift", "detector", "sa-east-1", "GuardDuty is suspended")
    md = render.render_markdown(report(("a", A, same + [other])))
    detail = md.split("#### Findings that are not pass, worst first")[1]
    lines = [line for line in detail.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, lines
    folded = [line for line in lines if "GuardDuty is off" in line][0]
    assert " on `detector` in ap-south-1, eu-west-1, us-east-1: GuardDuty is off" in folded
    assert " on `detector` in sa-east-1: GuardDuty is suspended" in [line for line in lines if "suspended" in line][0]


# The 20 regions of a default run, as the demo's account has them.
TWENTY = ["af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
          "ap-southeast-2", "ap-southeast-3", "ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1",
          "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"]


def _md_lines(md, heading):
    """The list lines of a report.md section (## or ####), up to the next heading."""
    part = md.split(heading, 1)[1].split("\n#", 1)[0]
    return [line for line in part.splitlines() if line.startswith(("- ", "  - "))]


def test_report_md_a_control_in_every_region_names_no_region():
    # seen: the demo's report.md named all 20 regions on 18 lines ("20 regions: af-south-1, ...")
    md = render.render_markdown(report(("a", A, [f("guardduty.enabled", "drift", "detector", r, "GuardDuty is off")
                                                 for r in TWENTY])))
    assert not [r for r in TWENTY if r in md]
    control = _md_lines(md, "## Controls that are not pass")
    gd = controls.get("guardduty.enabled")
    assert control == ["- **drift** `guardduty.enabled` (high) on `detector` in every region (20): %s. Remediation: %s"
                       % (gd.title, gd.remediation)]
    assert _md_lines(md, "#### Findings that are not pass") == [
        "- **drift** `guardduty.enabled` on `detector` in every region (20): GuardDuty is off"]


def test_report_md_every_region_leaves_the_pseudo_regions_out():
    # seen at 100 accounts: "in every region but all (20)", kms.key_rotation passing in region "all"
    findings = [f("guardduty.enabled", "drift", "detector", r, "off") for r in TWENTY]
    findings += [f("kms.key_rotation", "pass", "account", "all"), f("root.mfa", "pass")]
    md = render.render_markdown(report(("a", A, findings)))
    assert _md_lines(md, "#### Findings that are not pass") == [
        "- **drift** `guardduty.enabled` on `detector` in every region (20): off"]
    assert " on `detector` in every region (20): " in _md_lines(md, "## Controls that are not pass")[0]


def test_report_md_names_the_regions_of_a_subset_the_shorter_way():
    # every region but two: named by what is missing; three of twenty: named
    findings = [f("guardduty.enabled", "pass" if r in ("us-east-1", "eu-west-1") else "drift", "detector", r, "off")
                for r in TWENTY]
    findings += [f("ec2.ebs_default_encryption", "drift" if r in TWENTY[:3] else "pass", "ebs", r, "off")
                 for r in TWENTY]
    md = render.render_markdown(report(("a", A, findings)))
    control = _md_lines(md, "## Controls that are not pass")
    assert " on `ebs` in af-south-1, ap-northeast-1, ap-northeast-2: " in control[0]
    assert " on `detector` in every region but eu-west-1, us-east-1 (18): " in control[1]
    detail = _md_lines(md, "#### Findings that are not pass")
    assert detail == [
        "- **drift** `ec2.ebs_default_encryption` on `ebs` in af-south-1, ap-northeast-1, ap-northeast-2: off",
        "- **drift** `guardduty.enabled` on `detector` in every region but eu-west-1, us-east-1 (18): off"]


def test_report_md_resources_whose_messages_differ_only_in_their_name_share_a_line():
    # seen: 20 lines "VPC vpc-... (default) has no flow log: would create a flow log ..." in the demo
    vpcs = [("vpc-%02d" % n, r) for n, r in enumerate(TWENTY)]
    md = render.render_markdown(report(("a", A, [
        f("network.vpc_flow_logs", "drift", vpc, r, "VPC %s (default) has no flow log: would create one" % vpc)
        for vpc, r in vpcs])))
    detail = _md_lines(md, "#### Findings that are not pass")
    assert detail == [
        u"- **drift** `network.vpc_flow_logs` on 20 resources in every region (20): VPC \u2026 (default) has no flow "
        u"log: would create one",
        "  - " + "; ".join("`%s` in %s" % (vpc, r) for vpc, r in vpcs)]  # every resource with its region
    assert _md_lines(md, "## Controls that are not pass")[0].startswith(
        "- **drift** `network.vpc_flow_logs` (medium) on 20 resources in every region (20): ")


def test_report_md_other_differing_words_share_a_line_only_for_four_resources_or_more():
    nacls = [f("network.nacl_admin_ports", "drift", "acl-%d" % n, r,
               "network ACL acl-%d (vpc-%d, default) admits the internet to admin ports: rule 100 allow all" % (n, n))
             for n, r in enumerate(TWENTY[:4])]
    keys = [f("iam.key_rotation", "fail", user, None, "access key 1 is %d days old (created %s; rotate within 90)"
              % (days, created)) for user, days, created in (("gina", 200, "2026-05-20"), ("hank", 120, "2026-08-08"))]
    md = render.render_markdown(report(("a", A, nacls + keys)))
    detail = _md_lines(md, "#### Findings that are not pass")
    assert detail == [
        # two users: each message whole, clearer than "… days old (created …": 200, 2026-05-20
        "- **fail** `iam.key_rotation` on `gina`: access key 1 is 200 days old (created 2026-05-20; rotate within 90)",
        "- **fail** `iam.key_rotation` on `hank`: access key 1 is 120 days old (created 2026-08-08; rotate within 90)",
        # four network ACLs: the message once, each ACL's own VPC after it
        u"- **drift** `network.nacl_admin_ports` on 4 resources in every region (4): "
        u"network ACL \u2026 (\u2026, default) admits the internet to admin ports: rule 100 allow all",
        "  - `acl-0` in af-south-1: vpc-0; `acl-1` in ap-northeast-1: vpc-1; `acl-2` in ap-northeast-2: vpc-2; "
        "`acl-3` in ap-northeast-3: vpc-3"]


def test_report_md_consecutive_controls_on_one_resource_share_a_line():
    # seen: the fifteen CIS metric filters of one log group, fifteen 330-character lines
    group = "arn:aws:logs:us-east-1:%s:log-group:trail-logs" % A
    names = ["monitoring.unauthorized_api_calls", "monitoring.console_signin_without_mfa", "monitoring.root_usage",
             "monitoring.iam_policy_changes"]
    md = render.render_markdown(report(("a", A, [
        f(c, "drift", group, "us-east-1", "log group trail-logs does not exist; would put metric filter cis-%d-x, "
                                          "put alarm cis-%d-x, notifying the topic" % (n, n))
        for n, c in enumerate(names)])))
    assert _md_lines(md, "#### Findings that are not pass") == [
        u"- **drift** 4 controls on `logs:log-group:trail-logs` in us-east-1: log group trail-logs does not exist; "
        u"would put metric filter \u2026, put alarm \u2026, notifying the topic",
        "  - " + "; ".join("`%s`: cis-%d-x" % (c, n) for n, c in enumerate(names))]  # one word in both gaps: once
    control = _md_lines(md, "## Controls that are not pass")
    assert len(control) == 4  # still one line per control, each with its remediation
    assert all(" on `logs:log-group:trail-logs` in us-east-1: " in line and ". Remediation: " in line
               for line in control)


@pytest.mark.parametrize("resource,shown", [
    ("arn:aws:logs:us-east-1:%s:log-group:trail-logs" % A, "logs:log-group:trail-logs"),  # the account's own
    ("arn:aws:s3:::bucket-a", "s3:bucket-a"),  # no region, no account in the ARN
    ("arn:aws:iam::%s:policy/Broad" % A, "iam:policy/Broad"),
    ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),  # AWS's: whole
    ("arn:aws:sns:us-east-1:%s:topic" % B, "arn:aws:sns:us-east-1:%s:topic" % B),  # another account's: whole
    ("arn:aws:sns:eu-west-1:%s:topic" % A, "arn:aws:sns:eu-west-1:%s:topic" % A),  # another region's: whole
    ("plain-name", "plain-name"),
])
def test_report_md_shortens_only_the_arns_of_the_accounts_own_resources(resource, shown):
    md = render.render_markdown(report(("a", A, [f("iam.no_full_admin_policies", "fail", resource, "us-east-1", "m")])))
    assert "- **fail** `iam.no_full_admin_policies` on `%s` in us-east-1: m" % shown in md
    assert resource in json.dumps(report(("a", A, [f("iam.no_full_admin_policies", "fail", resource, "us-east-1")])))


def test_report_md_one_line_per_control_over_every_account():
    # seen: one line and one remediation per account and control: 100 accounts, 100 times each
    C, D = "333333333333", "444444444444"
    document = report(("a", A, [f("root.mfa", "fail", "root"), f("iam.user_mfa", "fail", "alice")]),
                      ("b", B, [f("root.mfa", "fail", "root"), f("iam.user_mfa", "drift", "bob")]),
                      ("c", C, [f("root.mfa", "fail", "root"), f("iam.user_mfa", "pass", "carol")]),
                      ("d", D, [f("root.mfa", "fail", "root"), f("root.hardware_mfa", "fail", "root")]),
                      ("d2", D, [f("root.mfa", "fail", "root"), f("root.hardware_mfa", "fail", "root")]))
    control = _md_lines(render.render_markdown(document), "## Controls that are not pass")
    assert [line.split(". Remediation: ")[0] for line in control] == [
        "- **fail** `root.mfa` (critical) in every account (5) on `root`: %s" % controls.get("root.mfa").title,
        # two hosts of one account id are told apart by their host
        "- **fail** `root.hardware_mfa` (high) in accounts %s (d), %s (d2) on `root`: %s" % (
            D, D, controls.get("root.hardware_mfa").title),
        # the worst status names its accounts; the others are counted
        "- **fail** `iam.user_mfa` (high) in account %s on `alice` (also 1 drift): %s" % (
            A, controls.get("iam.user_mfa").title)]


def test_report_md_folded_lines_keep_the_markdown_escaping():
    users = ["a*b", "c`d", "<img>", "e|f"]
    md = render.render_markdown(report(("a", A, [
        f("iam.mfa_enforcement_policy", "fail", u, None, "console user %s is in no group <b>x</b>" % u)
        for u in users])))
    detail = _md_lines(md, "#### Findings that are not pass")
    assert detail == [
        u"- **fail** `iam.mfa_enforcement_policy` on 4 resources: console user \u2026 is in no group \\<b>x\\</b>",
        "  - `<img>`; `a*b`; `` c`d ``; `e|f`"]


def test_report_md_a_message_that_repeats_the_remediation_points_to_it():
    remediation = controls.get("account.security_questions").remediation
    md = render.render_markdown(report(("a", A, [f("account.security_questions", "manual", "questions",
                                                   message="no API reads them: " + remediation)])))
    assert _md_lines(md, "#### Findings that are not pass") == [
        "- **manual** `account.security_questions` on `questions`: no API reads them: see the control's remediation."]
    assert md.count(remediation[:40]) == 1  # on the control's line only

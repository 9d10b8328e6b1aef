"""harden.yml end to end against moto_server: the audit, apply, idempotence, tags, waivers."""

import json

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder


def harden(moto_server, tmp_path, name, *args, extra_env=None):
    """harden.yml with the owner's values the seed expects (access-log bucket, alarm email)."""
    owner = ["-e", json.dumps(seed.playbook_vars())]
    return run_playbook("harden.yml", moto_server.env(), *owner, *args, report_dir=tmp_path / name,
                        extra_env=extra_env)


@pytest.fixture
def insecure(moto_server):
    seed.seed("insecure", moto_server.url)
    return moto_server


def test_audit_apply_idempotent_verify(insecure, tmp_path):
    with Recorder(insecure.url) as rec:
        audit = harden(insecure, tmp_path, "audit", "--check")
    assert audit.returncode == 0, audit
    assert rec.calls(), "the audit made no API call at all"
    assert rec.writes() == [], "check mode wrote to AWS"
    report = audit.report
    assert report["schema"] == "bulwark.aws/report/v2" and report["mode"] == "check"
    assert {"generated_at", "accounts", "totals", "controls", "frameworks", "changes"} <= set(report)  # v1 fields kept
    # A verdict for every control of the catalogue, and no task failed.
    assert set(audit.statuses()) == set(controls.CONTROLS), set(controls.CONTROLS) ^ set(audit.statuses())
    assert [a["errors"] for a in report["accounts"]] == [[]]
    statuses = audit.statuses()
    assert statuses["iam.password_policy.min_length"] == {"drift"}
    assert statuses["iam.user_mfa"] == {"fail"}
    for name in ("report.json", "report.md", "report.html", "report.junit.xml"):
        assert (tmp_path / "audit" / name).is_file()

    apply = harden(insecure, tmp_path, "apply")
    assert apply.returncode == 0, apply
    assert apply.recap["localhost"]["changed"] > 0
    assert apply.statuses()["iam.password_policy.min_length"] == {"fixed"}

    again = harden(insecure, tmp_path, "apply-again")
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0, again

    verify = harden(insecure, tmp_path, "verify", "--check")
    assert verify.returncode == 0, verify
    auto = [c for c, s in verify.statuses().items() if controls.get(c).remediation_kind == "auto"]
    assert auto, "no auto control was evaluated"
    assert verify.auto_left() == [], verify.auto_left()


EVERY = set(controls.CONTROLS)


@pytest.mark.parametrize("args,expect", [
    (["--tags", "iam.user_mfa"], lambda ids: ids == {"iam.user_mfa"}),
    # seen: --skip-tags config and s3 dropped the guardrails' other controls; --tags kms evaluated nothing
    (["--skip-tags", "config"], lambda ids: ids == EVERY - {"config.recorder", "config.rules"}),
    (["--skip-tags", "s3"], lambda ids: ids == EVERY - set(controls.ids(prefix="s3."))),
    (["--tags", "kms"], lambda ids: ids == {"kms.key_rotation"}),
    (["--skip-tags", "root"], lambda ids: ids and not any(i.startswith("root.") for i in ids)),
    (["--skip-tags", "iam.password_policy.max_age"],
     lambda ids: "iam.password_policy.max_age" not in ids and "iam.password_policy.min_length" in ids
     and "root.mfa" in ids),
    (["--tags", "iam.password_policy"], lambda ids: ids == set(controls.ids(prefix="iam.password_policy."))),
])
def test_tags_select_controls(insecure, tmp_path, args, expect):
    run = harden(insecure, tmp_path, "tags", "--check", *args)
    assert run.returncode == 0, run
    ids = set(run.statuses())
    assert expect(ids), sorted(ids)


def test_toggle_off_drops_the_control(insecure, tmp_path):
    run = harden(insecure, tmp_path, "toggle", "--check", "-e", "bulwark_control_iam_user_mfa=false")
    assert run.returncode == 0, run
    assert "iam.user_mfa" not in run.statuses() and "iam.password_policy.symbols" in run.statuses()


def test_audit_only_writes_nothing_without_check(insecure, tmp_path):
    with Recorder(insecure.url) as rec:
        run = harden(insecure, tmp_path, "audit-only", "-e", "bulwark_audit_only=true")
    assert run.returncode == 0, run
    assert rec.writes() == []
    assert run.statuses()["iam.password_policy.min_length"] == {"drift"}
    assert run.recap["localhost"]["changed"] == 0
    assert run.report["mode"] == "audit"  # seen: labelled "apply"


def test_unknown_waiver_control_stops_the_play_before_any_call(insecure, tmp_path):
    waivers = json.dumps({"bulwark_waivers": [{"control": "iam.no_such_control", "reason": "x",
                                               "expires": "2999-01-01"}]})
    with Recorder(insecure.url) as rec:
        run = harden(insecure, tmp_path, "bad-waiver", "--check", "-e", waivers)
    assert run.returncode != 0
    assert "unknown control id 'iam.no_such_control'" in run.stdout + run.stderr
    assert rec.calls() == []


def test_waiver_turns_finding_into_waived(insecure, tmp_path):
    waivers = json.dumps({"bulwark_waivers": [
        {"control": "iam.user_mfa", "resource": "alice-*", "reason": "break-glass user, hardware token in safe",
         "expires": "2999-01-01"}]})
    run = harden(insecure, tmp_path, "waiver", "--check", "-e", waivers)
    assert run.returncode == 0, run
    mfa = [f for f in run.findings() if f["control"] == "iam.user_mfa"]
    assert mfa and all(f["status"] == "waived" for f in mfa)
    assert "break-glass" in mfa[0]["message"]


@pytest.mark.parametrize("args,message", [
    (["-e", "bulwark_iam_password_min_lenght=20"],
     "unknown variable bulwark_iam_password_min_lenght (did you mean bulwark_iam_password_min_length"),
    (["--tags", "iam.user_mfaa"], "--tags iam.user_mfaa names no control, prefix or role of bulwark.aws "
                                  "(did you mean iam.user_mfa?)"),
])
def test_a_typo_stops_the_run_before_any_call(insecure, tmp_path, args, message):
    with Recorder(insecure.url) as rec:
        run = harden(insecure, tmp_path, "typo", "--check", *args)
    assert run.returncode == 2, run
    assert message in run.stdout + run.stderr
    assert rec.calls() == []


def test_wrong_variable_type_fails_at_role_start(insecure, tmp_path):
    run = harden(insecure, tmp_path, "bad-type", "--check", "-e", "bulwark_iam_password_min_length=long")
    assert run.returncode != 0
    assert "bulwark_iam_password_min_length" in run.stdout + run.stderr


def test_an_empty_selection_fails_the_run(insecure, tmp_path):
    # seen: BULWARK_FAIL_ON=drift with a selection of nothing evaluated 0 controls and exited 0
    with Recorder(insecure.url) as rec:
        run = harden(insecure, tmp_path, "empty", "--check", "--tags", "iam.user_mfa", "-e", "bulwark_control_iam_user_mfa=false",
                     extra_env={"BULWARK_FAIL_ON": "drift"})
    assert run.returncode == 2, run
    assert run.report["accounts"][0]["findings"] == []
    assert "no control was selected" in run.report["accounts"][0]["errors"][0]["message"]
    assert "BULWARK_FAIL_ON=drift: 1 finding(s) or task error(s) are drift or worse" in run.stdout
    assert rec.calls() == []


def test_a_report_directory_that_cannot_be_made_stops_the_run_before_any_call(insecure, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the report directory should be\n")
    with Recorder(insecure.url) as rec:
        run = run_playbook("harden.yml", insecure.env(), "--check", report_dir=blocker / "reports")
    assert run.returncode == 2, run
    assert "cannot create the report directory" in run.stdout and "BULWARK_REPORT_DIR" in run.stdout
    assert rec.calls() == []

"""harden.yml's IAM hygiene controls against moto_server: the insecure seed (dates moved into the
past through moto's in-process backend) fails or drifts on every one; apply with the opt-ins
on fixes what the opt-ins fix; nothing is deleted; the credential report lands in the report dir."""

import json

import pytest

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder
from tests.support.seeds import iam_hygiene

CONTROLS = ["iam.no_keys_at_setup", "iam.unused_credentials", "iam.one_active_key", "iam.key_rotation",
            "iam.permissions_via_groups", "iam.no_full_admin_policies", "iam.expired_server_certificates",
            "iam.no_cloudshell_full_access", "iam.credential_report", "iam.support_role", "iam.admin_group",
            "iam.mfa_enforcement_policy"]
OPT_INS = json.dumps({"bulwark_iam_deactivate_unused_keys": True, "bulwark_iam_remove_unused_passwords": True,
                      "bulwark_iam_deactivate_keys_older_than_days": 100, "bulwark_iam_create_admin_group": True,
                      "bulwark_iam_mfa_enforcement_groups": ["shell-users"]})


def harden(server, tmp_path, name, *args):
    return run_playbook("harden.yml", server.env(), "--tags", ",".join(CONTROLS), "-e", OPT_INS, *args,
                        report_dir=tmp_path / name)


@pytest.fixture
def insecure(moto_server):
    seed.seed("insecure", moto_server.url)
    assert iam_hygiene.BACKDATED, "moto runs in this process: the seed must have moved dates into the past"
    return moto_server


def test_insecure_audit_apply_verify(insecure, tmp_path):
    with Recorder(insecure.url) as rec:
        audit = harden(insecure, tmp_path, "audit", "--check")
    assert audit.returncode == 0, audit
    assert rec.writes() == []
    statuses = audit.statuses()
    assert set(statuses) == set(CONTROLS), sorted(statuses)
    for control in CONTROLS:
        if control != "iam.credential_report":
            assert statuses[control] & {"drift", "fail"}, (control, statuses[control])
    assert statuses["iam.credential_report"] == {"pass"}
    assert (tmp_path / "audit" / "credential-report-123456789012.csv").is_file()
    assert (tmp_path / "audit" / "credential-report-123456789012.json").is_file()

    iam = seed.client(seed.session(insecure.url), "iam")
    with Recorder(insecure.url) as rec:
        apply = harden(insecure, tmp_path, "apply")
    assert apply.returncode == 0, apply
    assert not [op for _s, op, _r in rec.writes() if op.startswith(("Delete", "Detach", "Remove"))
                and op != "DeleteLoginProfile"], rec.writes()
    statuses = apply.statuses()
    for control in ("iam.unused_credentials", "iam.key_rotation", "iam.support_role", "iam.admin_group"):
        assert "fixed" in statuses[control], (control, statuses[control])
    assert all(k["Status"] == "Inactive" for k in iam.list_access_keys(UserName="gina-stale")["AccessKeyMetadata"])
    assert all(k["Status"] == "Inactive" for k in iam.list_access_keys(UserName="hank-old-key")["AccessKeyMetadata"])
    assert all(k["Status"] == "Active" for k in iam.list_access_keys(UserName="bob-two-keys")["AccessKeyMetadata"])
    iam.get_user(UserName="gina-stale")                                        # users are never deleted

    verify = harden(insecure, tmp_path, "verify", "--check")
    assert verify.returncode == 0, verify
    statuses = verify.statuses()
    for control in ("iam.unused_credentials", "iam.key_rotation", "iam.support_role", "iam.admin_group",
                    "iam.credential_report"):
        assert statuses[control] == {"pass"}, (control, statuses[control])
    # What no opt-in fixes stays failing: a person has to act.
    for control in ("iam.one_active_key", "iam.permissions_via_groups", "iam.no_full_admin_policies",
                    "iam.expired_server_certificates", "iam.no_cloudshell_full_access"):
        assert statuses[control] == {"fail"}, (control, statuses[control])
    assert verify.recap["localhost"]["changed"] == 0

"""Roles embedded on their own run their checks at their end, one module run per role, and
report what harden.yml (one run per account, at the end of the play) reports for them."""

import json

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder


def identity_calls(rec):
    return len([c for c in rec.calls() if c[1] == "GetCallerIdentity"])


def comparable(findings):
    return sorted((f["control"], f["status"], f["resource"], f["region"], f["message"]) for f in findings)


def test_embedded_roles_evaluate_per_role_and_match_harden(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)
    owner = ["-e", json.dumps(seed.playbook_vars())]
    out = tmp_path / "registered.json"
    with Recorder(moto_server.url) as rec:
        embedded = run_playbook("tests/integration/playbooks/embedded_roles.yml", moto_server.env(), *owner,
                                "--check", report_dir=tmp_path / "embedded", extra_env={"BULWARK_TEST_OUT": str(out)})
    assert embedded.returncode == 0, embedded
    assert rec.writes() == []
    # one module run per role: each makes its one identity call
    assert identity_calls(rec) == 2

    registered = json.loads(out.read_text())
    group = registered["cloudtrail"]["log_group_name"]
    # the monitoring role took the log group from bulwark_cloudtrail_trail_ensure_result (check mode: not created yet)
    assert group and registered["monitoring"]["log_group_name"] == group
    assert set(f["status"] for f in embedded.findings() if f["control"].startswith("monitoring.")) == {"drift"}

    with Recorder(moto_server.url) as rec:
        harden = run_playbook("harden.yml", moto_server.env(), *owner, "--check", "--tags", "cloudtrail,monitoring",
                              report_dir=tmp_path / "harden")
    assert harden.returncode == 0, harden
    assert identity_calls(rec) == 1  # one module run for the account
    assert comparable(embedded.findings()) == comparable(harden.findings())
    assert len(embedded.findings()) > 20

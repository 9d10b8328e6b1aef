"""ansible-playbook drives the three foundation modules against moto_server:
check run -> drift; apply -> fixed; check again -> pass."""

import json

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

PLAYBOOK = "tests/integration/playbooks/three_modules.yml"


def _run(moto_server, tmp_path, name, *args):
    out = tmp_path / (name + ".json")
    run = run_playbook(PLAYBOOK, moto_server.env(), *args, report_dir=tmp_path / name,
                       extra_env={"BULWARK_TEST_OUT": str(out)})
    assert run.returncode == 0, run
    results = json.loads(out.read_text())
    statuses = {}
    for result in results.values():
        for f in result["findings"]:
            statuses.setdefault(f["control"], set()).add(f["status"])
    return run, results, statuses


def test_check_apply_check(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)

    with Recorder(moto_server.url) as rec:
        _check_run, results, before = _run(moto_server, tmp_path, "check1", "--check")
    assert rec.writes() == []
    assert before["iam.password_policy.min_length"] == {"drift"}
    assert before["iam.user_mfa"] == {"fail"}  # alice-console has a password and no MFA
    assert any(f["resource"] == "alice-console" for f in results["mfa"]["findings"])
    assert "root.no_access_keys" in before

    run, results, applied = _run(moto_server, tmp_path, "apply")
    assert applied["iam.password_policy.min_length"] == {"fixed"}
    assert results["password_policy"]["changed"] is True

    _check_run, results, after = _run(moto_server, tmp_path, "check2", "--check")
    for control, statuses in after.items():
        if control.startswith("iam.password_policy."):
            assert statuses == {"pass"}, control
    assert after["iam.user_mfa"] == {"fail"}  # manual: a person enrols MFA
    assert results["password_policy"]["changed"] is False

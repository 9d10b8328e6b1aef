"""playbooks/contain.yml end to end against moto_server: check, contain, idempotent, no user."""

import pytest

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

PLAYBOOK = "playbooks/contain.yml"
# moto_server has no LookupEvents (HTTP 500): few retries, the module notes the error and goes on.
FAST_FAIL = {"AWS_MAX_ATTEMPTS": "2"}


@pytest.fixture
def compromised(moto_server):
    sess = seed.session(moto_server.url)
    iam = seed.client(sess, "iam")
    iam.create_user(UserName="mallory")
    iam.create_login_profile(UserName="mallory", Password=seed.CONSOLE_PASSWORD)
    key = seed.create_key(iam, "mallory")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    return moto_server, iam, key


def contain(server, tmp_path, name, *args):
    return run_playbook(PLAYBOOK, server.env(), "-e", "evidence_dir=%s" % (tmp_path / "evidence"), *args,
                        report_dir=tmp_path / name, extra_env=FAST_FAIL)


def test_check_then_contain_then_idempotent(compromised, tmp_path):
    server, iam, key = compromised
    with Recorder(server.url) as rec:
        check = contain(server, tmp_path, "check", "-e", "user=mallory", "-e", "role=deploy", "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    assert "would deactivate" in check.stdout
    assert iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"][0]["Status"] == "Active"

    run = contain(server, tmp_path, "apply", "-e", "user=mallory", "-e", "role=deploy")
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    assert iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"] == [
        dict(iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"][0], AccessKeyId=key, Status="Inactive")]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="mallory")
    iam.get_user_policy(UserName="mallory", PolicyName="bulwark-contain-deny-all")
    iam.get_role_policy(RoleName="deploy", PolicyName="bulwark-revoke-older-sessions")
    assert "export_evidence: error" in run.stdout                  # moto has no LookupEvents
    assert "<html" not in run.stdout                               # its HTML error page is not echoed
    assert seed.CONSOLE_PASSWORD not in run.stdout + run.stderr

    again = contain(server, tmp_path, "again", "-e", "user=mallory", "-e", "role=deploy")
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0


def test_without_a_user_it_stops_before_any_call(compromised, tmp_path):
    server, _iam, _key = compromised
    with Recorder(server.url) as rec:
        run = contain(server, tmp_path, "no-user")
    assert run.returncode != 0
    assert "contain.yml needs the IAM user to contain" in run.stdout + run.stderr
    assert rec.calls() == []


def test_containing_the_operators_own_user_says_to_add_minus_e_force_true(compromised, tmp_path):
    server, iam, _key = compromised
    own = iam.create_access_key(UserName="mallory")["AccessKey"]  # the playbook runs as mallory
    creds = {"AWS_ACCESS_KEY_ID": own["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": own["SecretAccessKey"]}
    with Recorder(server.url) as rec:
        run = run_playbook(PLAYBOOK, server.env(), "-e", "evidence_dir=%s" % (tmp_path / "evidence"),
                           "-e", "user=mallory", report_dir=tmp_path / "self", extra_env=dict(FAST_FAIL, **creds))
    assert run.returncode != 0, run
    # The message names what the operator types, not the module option (force: true).
    assert "or with -e force=true to cut this identity off too" in run.stdout, run
    assert rec.writes() == []

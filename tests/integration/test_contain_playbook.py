"""playbooks/contain.yml end to end against moto_server: check, contain, idempotent, for a user, an
access key alone and a role alone; no principal, two principals, a malformed key."""

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
        check = contain(server, tmp_path, "check", "-e", "user=mallory", "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    assert "would deactivate" in check.stdout
    assert iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"][0]["Status"] == "Active"

    run = contain(server, tmp_path, "apply", "-e", "user=mallory")
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    assert iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"] == [
        dict(iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"][0], AccessKeyId=key, Status="Inactive")]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="mallory")
    iam.get_user_policy(UserName="mallory", PolicyName="bulwark-contain-deny-all")
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == []   # a role is its own run
    assert "export_evidence: error" in run.stdout                  # moto has no LookupEvents
    assert "<html" not in run.stdout                               # its HTML error page is not echoed
    assert seed.CONSOLE_PASSWORD not in run.stdout + run.stderr

    again = contain(server, tmp_path, "again", "-e", "user=mallory")
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0


@pytest.mark.parametrize("args,message", [
    ((), "contain.yml needs exactly one principal to contain"),
    (("-e", "user=mallory", "-e", "role=deploy"), "contain.yml needs exactly one principal to contain"),
    (("-e", "access_key_id=AKIAIOSFODNN7EXAMPLE", "-e", "role=deploy"), "needs exactly one principal"),
    (("-e", "access_key_id=akia-secret",), '-e access_key_id: "akia-secret" is not a long-term access key id'),
    (("-e", "access_key_id=ASIAIOSFODNN7EXAMPLE",), "is not a long-term access key id"),
])
def test_without_exactly_one_principal_it_stops_before_any_call(compromised, tmp_path, args, message):
    server, _iam, _key = compromised
    with Recorder(server.url) as rec:
        run = contain(server, tmp_path, "bad", *args)
    assert run.returncode != 0
    assert message in run.stdout + run.stderr, run
    assert rec.calls() == []


def test_access_key_alone(compromised, tmp_path):
    server, iam, key = compromised
    other = seed.create_key(iam, "mallory")
    with Recorder(server.url) as rec:
        check = contain(server, tmp_path, "check", "-e", "access_key_id=%s" % key, "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    assert "deactivate_key: would_change: would deactivate" in check.stdout

    run = contain(server, tmp_path, "apply", "-e", "access_key_id=%s" % key)
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    status = dict((k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"])
    assert status == {key: "Inactive", other: "Active"}
    iam.get_login_profile(UserName="mallory")                      # the key only
    assert iam.list_user_policies(UserName="mallory")["PolicyNames"] == []

    with Recorder(server.url) as rec:
        again = contain(server, tmp_path, "again", "-e", "access_key_id=%s" % key)
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0 and rec.writes() == []
    assert "deactivate_key: unchanged: already inactive" in again.stdout


def test_unknown_access_key_is_one_line(compromised, tmp_path):
    server, _iam, _key = compromised
    with Recorder(server.url) as rec:
        run = contain(server, tmp_path, "unknown", "-e", "access_key_id=AKIAIOSFODNN7EXAMPLE")
    assert run.returncode != 0
    assert "-e access_key_id: AKIAIOSFODNN7EXAMPLE is no access key of account" in run.stdout, run
    assert rec.writes() == []


def test_role_alone(compromised, tmp_path):
    server, iam, _key = compromised
    with Recorder(server.url) as rec:
        check = contain(server, tmp_path, "check", "-e", "role=deploy", "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    assert "revoke_sessions: would_change: would deny sessions issued before" in check.stdout

    run = contain(server, tmp_path, "apply", "-e", "role=deploy")
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == ["AWSRevokeOlderSessions"]
    document = iam.get_role_policy(RoleName="deploy", PolicyName="AWSRevokeOlderSessions")["PolicyDocument"]
    assert "aws:TokenIssueTime" in document["Statement"][0]["Condition"]["DateLessThan"]
    assert iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"][0]["Status"] == "Active"

    again = contain(server, tmp_path, "again", "-e", "role=deploy")
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0
    forward = contain(server, tmp_path, "forward", "-e", "role=deploy", "-e", "revoke_sessions_before=2030-01-01T00:00:00Z")
    assert forward.returncode == 0, forward
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == ["AWSRevokeOlderSessions"]


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

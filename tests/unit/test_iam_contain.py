"""iam_contain against moto, and botocore's Stubber for CloudTrail LookupEvents (moto has none:
mock_aws raises NotImplementedError, moto_server answers HTTP 500)."""

import datetime
import hashlib
import json
import os
import stat

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import BulwarkModule
from ansible_collections.bulwark.aws.plugins.modules import iam_contain as mod

from tests.support import seed
from tests.support.recorder import Recorder

TRUST = json.dumps(iam_policy.trust_account_document(["arn:aws:iam::123456789012:root"]))


@pytest.fixture
def iam():
    with mock_aws():
        client = boto3.client("iam")
        client.create_user(UserName="mallory")
        client.create_login_profile(UserName="mallory", Password=seed.CONSOLE_PASSWORD)
        client.create_access_key(UserName="mallory")
        client.create_access_key(UserName="mallory")
        client.create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST)
        yield client


def keys(iam, user="mallory"):
    return dict((k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"])


def steps(result):
    return [(s["step"], s["status"]) for s in result["steps"]]


def test_contain_everything_then_idempotent(iam, run_module, tmp_path):
    args = {"user": "mallory", "role": "deploy", "evidence_dir": str(tmp_path / "evidence")}
    result = run_module(mod.main, args)
    assert "failed" not in result, result.get("msg")
    assert result["changed"] is True
    assert result["findings"] == []                               # an action module: steps, not findings
    assert set(keys(iam).values()) == {"Inactive"}                # deactivated, never deleted
    assert len(keys(iam)) == 2
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="mallory")
    iam.get_user(UserName="mallory")                              # the user stays
    deny = iam.get_user_policy(UserName="mallory", PolicyName="bulwark-contain-deny-all")["PolicyDocument"]
    assert iam_policy.same(deny, iam_policy.DENY_ALL_DOCUMENT)
    revoke = iam.get_role_policy(RoleName="deploy", PolicyName="bulwark-revoke-older-sessions")["PolicyDocument"]
    cutoff = iam_policy.revoke_time(revoke)
    issued = datetime.datetime.strptime(cutoff, mod.TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - issued).total_seconds()) < 120
    # moto has no LookupEvents: the evidence step is an error note, the containment still happened.
    assert steps(result) == [("deactivate_key", "changed"), ("deactivate_key", "changed"),
                             ("remove_login_profile", "changed"), ("deny_all", "changed"),
                             ("revoke_sessions", "changed"), ("export_evidence", "error")]
    assert "not implement" in result["steps"][-1]["detail"]
    # (It is also a module warning; ansible-core de-duplicates identical warnings within one
    # process, so whether an in-process run's result carries it depends on earlier tests.)
    assert len(result["actions"]) == 5

    again = run_module(mod.main, args)
    assert again["changed"] is False and again["actions"] == []
    assert [s for s in again["steps"] if s["step"] != "export_evidence"] and all(
        s["status"] == "unchanged" for s in again["steps"] if s["step"] != "export_evidence")
    assert iam_policy.revoke_time(iam.get_role_policy(RoleName="deploy", PolicyName="bulwark-revoke-older-sessions")[
        "PolicyDocument"]) == cutoff                                # the cut-off is kept


def test_only_the_given_key(iam, run_module):
    first, second = sorted(keys(iam))
    result = run_module(mod.main, {"user": "mallory", "access_key_id": second, "export_evidence": False})
    assert keys(iam) == {first: "Active", second: "Inactive"}
    assert ("export_evidence", "skipped") in steps(result)


def test_explicit_revoke_time_replaces_the_cutoff(iam, run_module):
    base = {"user": "mallory", "role": "deploy", "export_evidence": False}
    run_module(mod.main, base)
    result = run_module(mod.main, dict(base, revoke_sessions_before="2030-01-01T00:00:00Z"))
    assert ("revoke_sessions", "changed") in steps(result)
    document = iam.get_role_policy(RoleName="deploy", PolicyName="bulwark-revoke-older-sessions")["PolicyDocument"]
    assert iam_policy.revoke_time(document) == "2030-01-01T00:00:00Z"


def test_check_mode_makes_no_write_and_exports_nothing(moto_server, run_module, tmp_path):
    sess = seed.session(moto_server.url)
    iam = seed.client(sess, "iam")
    iam.create_user(UserName="mallory")
    iam.create_login_profile(UserName="mallory", Password=seed.CONSOLE_PASSWORD)
    seed.create_key(iam, "mallory")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"user": "mallory", "role": "deploy", "evidence_dir": str(tmp_path / "ev")},
                            check_mode=True)
    assert rec.calls() and rec.writes() == []
    assert result["changed"] is True
    assert set(s["status"] for s in result["steps"]) == {"would_change"}
    assert [s["step"] for s in result["steps"]] == ["deactivate_key", "remove_login_profile", "deny_all",
                                                    "revoke_sessions", "export_evidence"]
    assert not (tmp_path / "ev").exists()
    assert set(keys(iam).values()) == {"Active"}


def test_refuses_the_callers_own_user_without_force(iam, run_module):
    iam.create_user(UserName="ops")
    iam.create_login_profile(UserName="ops", Password=seed.CONSOLE_PASSWORD)
    other = iam.create_access_key(UserName="ops")["AccessKey"]["AccessKeyId"]
    own = iam.create_access_key(UserName="ops")["AccessKey"]
    creds = {"access_key": own["AccessKeyId"], "secret_key": own["SecretAccessKey"]}
    result = run_module(mod.main, dict(creds, user="ops", export_evidence=False))
    assert result["failed"] is True
    assert "refusing to contain the caller's own identity" in result["msg"] and "with force=true" in result["msg"]
    assert set(keys(iam, "ops").values()) == {"Active"}           # nothing changed
    iam.get_login_profile(UserName="ops")

    forced = run_module(mod.main, dict(creds, user="ops", export_evidence=False, force=True))
    assert "failed" not in forced, forced.get("msg")
    # The steps that cut the caller off come last: its deny policy, then its own key.
    assert [(s["step"], s["target"]) for s in forced["steps"]] == [
        ("deactivate_key", other), ("remove_login_profile", "ops"), ("export_evidence", "ops"),
        ("deny_all", "ops"), ("deactivate_key", own["AccessKeyId"])]
    assert set(keys(iam, "ops").values()) == {"Inactive"}


def test_refuses_the_callers_own_role_without_force(iam, run_module):
    iam.create_user(UserName="responder")
    key = iam.create_access_key(UserName="responder")["AccessKey"]
    sts = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/deploy", RoleSessionName="ir")["Credentials"]
    result = run_module(mod.main, {"user": "mallory", "role": "deploy", "export_evidence": False,
                                   "access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                                   "session_token": creds["SessionToken"]})
    assert result["failed"] is True and "role deploy is the role this module runs as" in result["msg"]
    assert set(keys(iam).values()) == {"Active"}


@pytest.mark.parametrize("args,message", [
    ({"user": "nobody", "export_evidence": False}, "user: nobody does not exist"),
    ({"user": "mallory", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "export_evidence": False},
     "access_key_id: AKIAIOSFODNN7EXAMPLE is not an access key of user mallory"),
    ({"user": "mallory", "role": "ghost", "export_evidence": False}, "role: ghost does not exist"),
])
def test_unknown_targets_fail_before_any_write(iam, run_module, args, message):
    result = run_module(mod.main, args)
    assert result["failed"] is True and message in result["msg"] and "nothing was changed" in result["msg"]
    assert set(keys(iam).values()) == {"Active"}


@pytest.mark.parametrize("args,message", [
    ({}, "user: give exactly one principal to contain: user, access_key_id or role (none given)"),
    ({"access_key_id": "AKIAIOSFODNN7EXAMPLE", "role": "deploy", "export_evidence": False},
     "give exactly one principal to contain: user, access_key_id or role (got access_key_id, role)"),
    ({"access_key_id": "AKIA-not-a-key", "export_evidence": False}, "is not an access key id"),
    ({"access_key_id": "ASIAIOSFODNN7EXAMPLE", "export_evidence": False}, "a session key (ASIA...) cannot be"),
    ({"user": ""}, "user: give the IAM user name"),
    ({"user": "mal lory", "export_evidence": False}, "user: 'mal lory' is not a valid IAM name"),
    ({"user": "mallory"}, "evidence_dir: give a directory"),
    ({"user": "mallory", "export_evidence": False, "access_key_id": "secret"}, "is not an access key id"),
    ({"user": "mallory", "export_evidence": False, "evidence_hours": 0}, "evidence_hours: 0 is out of range"),
    ({"user": "mallory", "export_evidence": False, "revoke_sessions_before": "2030-01-01T00:00:00Z"},
     "give the role"),
    ({"user": "mallory", "export_evidence": False, "role": "r", "revoke_sessions_before": "tomorrow"},
     "is not a UTC time"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


def test_a_failed_step_fails_the_module_after_trying_the_others(iam, run_module, monkeypatch):
    from botocore.exceptions import ClientError

    real = BulwarkModule.client

    def client(self, service, region=None):
        c = real(self, service, region)
        if service == "iam":
            def denied(**_kw):
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "PutUserPolicy")
            c.put_user_policy = denied
        return c

    monkeypatch.setattr(BulwarkModule, "client", client)
    result = run_module(mod.main, {"user": "mallory", "export_evidence": False})
    assert result["failed"] is True
    assert "containment of mallory is incomplete: deny_all mallory" in result["msg"]
    assert "iam:PutUserPolicy" in result["msg"]
    assert set(keys(iam).values()) == {"Inactive"}                 # the other steps were done
    assert ("remove_login_profile", "changed") in steps(result)


# --- evidence: LookupEvents through botocore's Stubber ------------------------------------------------

def stubbed_cloudtrail(pages):
    client = boto3.client("cloudtrail", region_name="us-east-1")
    stub = Stubber(client)
    for n, events in enumerate(pages):
        expected = {"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "mallory"}],
                    "StartTime": ANY, "EndTime": ANY}
        if n:
            expected["NextToken"] = "page%d" % n
        response = {"Events": events}
        if n < len(pages) - 1:
            response["NextToken"] = "page%d" % (n + 1)
        stub.add_response("lookup_events", response, expected)
    stub.activate()
    return client, stub


def event(n, name):
    when = datetime.datetime(2026, 11, 23, 10, n, tzinfo=datetime.timezone.utc)
    return {"EventId": "e%d" % n, "EventName": name, "EventTime": when, "Username": "mallory",
            "CloudTrailEvent": json.dumps({"eventName": name, "sourceIPAddress": "203.0.113.7"})}


def test_evidence_export_with_checksum(iam, run_module, tmp_path, monkeypatch):
    cloudtrail, stub = stubbed_cloudtrail([[event(1, "ListBuckets"), event(2, "GetObject")],
                                           [event(3, "CreateUser")]])
    real = BulwarkModule.client
    monkeypatch.setattr(BulwarkModule, "client",
                        lambda self, service, region=None: cloudtrail if service == "cloudtrail"
                        else real(self, service, region))
    result = run_module(mod.main, {"user": "mallory", "evidence_dir": str(tmp_path / "ev"), "evidence_hours": 24})
    stub.assert_no_pending_responses()
    assert "failed" not in result, result.get("msg")
    evidence = result["evidence"]
    assert evidence["events"] == 3
    data = open(evidence["path"], "rb").read()
    assert hashlib.sha256(data).hexdigest() == evidence["sha256"]
    assert open(evidence["checksum_file"]).read() == "%s  %s\n" % (
        evidence["sha256"], os.path.basename(evidence["path"]))
    for path in (evidence["path"], evidence["checksum_file"]):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "ev").st_mode) == 0o700
    payload = json.loads(data)
    assert payload["user"] == "mallory" and payload["account_id"] == "123456789012"
    assert [e["EventName"] for e in payload["events"]] == ["ListBuckets", "GetObject", "CreateUser"]
    assert payload["events"][0]["CloudTrailEvent"]["sourceIPAddress"] == "203.0.113.7"   # parsed, not a string
    start = datetime.datetime.strptime(payload["start"], mod.TIME_FORMAT)
    end = datetime.datetime.strptime(payload["end"], mod.TIME_FORMAT)
    assert end - start == datetime.timedelta(hours=24)
    assert ("export_evidence", "exported") in steps(result)
    assert seed.CONSOLE_PASSWORD not in data.decode()


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink"])
def test_evidence_never_goes_into_a_file_or_link_someone_planted(tmp_path, kind):
    """Another local user leaves a file anyone may write (0666, kept open) or a symbolic link
    at the evidence file's path or its checksum's: the evidence replaces the name with a new
    0600 file; what they hold never sees the events."""
    directory = tmp_path / "ev"
    directory.mkdir()
    other = tmp_path / "other-user"
    other.mkdir()
    end = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.timezone.utc)
    start = end - datetime.timedelta(hours=1)
    path = directory / "cloudtrail-mallory-20261123T120000Z.json"
    held = []
    for n, target in enumerate((path, directory / (path.name + ".sha256"))):
        victim = other / ("theirs-%d" % n)
        if kind == "file":
            target.write_text("")
            os.chmod(str(target), 0o666)
            held.append(open(str(target)))
        else:
            if kind == "symlink":
                victim.write_text("")
                os.chmod(str(victim), 0o666)
                held.append(open(str(victim)))
            os.symlink(str(victim), str(target))
    events = [{"EventId": "e1", "EventName": "CreateUser", "sourceIPAddress": "203.0.113.7"}]
    try:
        evidence = mod.write_evidence(str(directory), "mallory", "123456789012", start, end, events)
        assert evidence["path"] == str(path)
        for written in (evidence["path"], evidence["checksum_file"]):
            assert not os.path.islink(written) and stat.S_IMODE(os.lstat(written).st_mode) == 0o600
        data = open(evidence["path"], "rb").read()
        assert b"203.0.113.7" in data and hashlib.sha256(data).hexdigest() == evidence["sha256"]
        assert all(f.read() == "" for f in held), "a planted file received the evidence"
        if kind == "dangling-symlink":
            assert os.listdir(str(other)) == []
        else:
            assert all(stat.S_IMODE(os.stat(str(other / n)).st_mode) == 0o666 for n in os.listdir(str(other)))
        assert sorted(os.listdir(str(directory))) == [path.name, path.name + ".sha256"]  # no temporary file
    finally:
        for f in held:
            f.close()


def test_evidence_throttled_is_a_note_not_a_failure(iam, run_module, tmp_path, monkeypatch):
    client = boto3.client("cloudtrail", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error("lookup_events", service_error_code="ThrottlingException", service_message="Rate exceeded")
    stub.activate()
    real = BulwarkModule.client
    monkeypatch.setattr(BulwarkModule, "client",
                        lambda self, service, region=None: client if service == "cloudtrail"
                        else real(self, service, region))
    result = run_module(mod.main, {"user": "mallory", "evidence_dir": str(tmp_path)})
    assert "failed" not in result
    assert result["steps"][-1]["status"] == "error" and "ThrottlingException" in result["steps"][-1]["detail"]
    assert set(keys(iam).values()) == {"Inactive"}


# --- one principal: an access key alone, a role alone ------------------------------------------------

def test_access_key_alone_deactivates_only_that_key_of_its_owner(iam, run_module):
    first, second = sorted(keys(iam))
    result = run_module(mod.main, {"access_key_id": second, "export_evidence": False})
    assert "failed" not in result, result.get("msg")
    assert result["changed"] is True
    assert keys(iam) == {first: "Active", second: "Inactive"}      # the owner was found, the other key kept
    assert result["actions"] == ["iam:UpdateAccessKey mallory %s Inactive" % second]
    assert [(s["step"], s["target"], s["status"]) for s in result["steps"]] == [
        ("deactivate_key", second, "changed"), ("export_evidence", second, "skipped")]
    iam.get_login_profile(UserName="mallory")                     # nothing else of the user touched
    assert iam.list_user_policies(UserName="mallory")["PolicyNames"] == []

    again = run_module(mod.main, {"access_key_id": second, "export_evidence": False})
    assert again["changed"] is False and again["actions"] == []
    assert again["steps"][0]["status"] == "unchanged" and again["steps"][0]["detail"] == "already inactive"


def test_unknown_access_key_fails_with_one_line(iam, run_module):
    result = run_module(mod.main, {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "export_evidence": False})
    assert result["failed"] is True
    assert result["msg"] == ("access_key_id: AKIAIOSFODNN7EXAMPLE is no access key of account 123456789012; "
                             "nothing was changed")
    assert set(keys(iam).values()) == {"Active"}


def test_inactive_key_makes_no_write(moto_server, run_module):
    iam = seed.client(seed.session(moto_server.url), "iam")
    iam.create_user(UserName="mallory")
    key = seed.create_key(iam, "mallory")
    iam.update_access_key(UserName="mallory", AccessKeyId=key, Status="Inactive")
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"access_key_id": key, "export_evidence": False})
    assert "failed" not in result, result.get("msg")
    assert rec.calls() and rec.writes() == []
    assert result["changed"] is False
    assert ("deactivate_key", "unchanged") in steps(result)


def test_role_alone_puts_one_revoke_policy(iam, run_module):
    args = {"role": "deploy", "revoke_policy_name": "AWSRevokeOlderSessions", "export_evidence": False}
    result = run_module(mod.main, args)
    assert "failed" not in result, result.get("msg")
    assert result["actions"] == ["iam:PutRolePolicy deploy AWSRevokeOlderSessions"]
    assert [(s["step"], s["status"]) for s in result["steps"]] == [("revoke_sessions", "changed"),
                                                                   ("export_evidence", "skipped")]
    assert set(keys(iam).values()) == {"Active"}                  # no user touched
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == ["AWSRevokeOlderSessions"]
    document = iam.get_role_policy(RoleName="deploy", PolicyName="AWSRevokeOlderSessions")["PolicyDocument"]
    [statement] = document["Statement"]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == ("Deny", "*", "*")
    cutoff = statement["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
    issued = datetime.datetime.strptime(cutoff, mod.TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - issued).total_seconds()) < 120

    again = run_module(mod.main, args)                             # one policy, its cut-off kept
    assert again["changed"] is False and ("revoke_sessions", "unchanged") in steps(again)
    forward = run_module(mod.main, dict(args, revoke_sessions_before="2030-01-01T00:00:00Z"))
    assert ("revoke_sessions", "changed") in steps(forward)
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == ["AWSRevokeOlderSessions"]


def test_unknown_role_alone_fails_with_one_line(iam, run_module):
    result = run_module(mod.main, {"role": "ghost", "export_evidence": False})
    assert result["failed"] is True and result["msg"] == (
        "role: ghost does not exist in account 123456789012; nothing was changed")


@pytest.mark.parametrize("principal", ["access_key_id", "role"])
def test_check_mode_alone_makes_no_write(moto_server, run_module, tmp_path, principal):
    iam = seed.client(seed.session(moto_server.url), "iam")
    iam.create_user(UserName="mallory")
    key = seed.create_key(iam, "mallory")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST)
    args = {"access_key_id": key} if principal == "access_key_id" else {"role": "deploy"}
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, dict(args, evidence_dir=str(tmp_path / "ev")), check_mode=True)
    assert "failed" not in result, result.get("msg")
    assert rec.calls() and rec.writes() == []
    assert result["changed"] is True
    assert [(s["step"], s["status"]) for s in result["steps"]] == [
        ("deactivate_key" if principal == "access_key_id" else "revoke_sessions", "would_change"),
        ("export_evidence", "would_change")]
    assert result["steps"][0]["detail"].startswith("would ")
    assert not (tmp_path / "ev").exists()
    assert set(keys(iam).values()) == {"Active"}
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == []


def _stub_cloudtrail(monkeypatch, attribute, value):
    client = boto3.client("cloudtrail", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("lookup_events", {"Events": [event(1, "ListBuckets")]},
                      {"LookupAttributes": [{"AttributeKey": attribute, "AttributeValue": value}],
                       "StartTime": ANY, "EndTime": ANY})
    stub.activate()
    real = BulwarkModule.client
    monkeypatch.setattr(BulwarkModule, "client",
                        lambda self, service, region=None: client if service == "cloudtrail"
                        else real(self, service, region))
    return stub


def test_access_key_evidence_lists_the_key_it_touched(iam, run_module, tmp_path, monkeypatch):
    key = sorted(keys(iam))[0]
    stub = _stub_cloudtrail(monkeypatch, "AccessKeyId", key)
    result = run_module(mod.main, {"access_key_id": key, "evidence_dir": str(tmp_path)})
    stub.assert_no_pending_responses()
    assert "failed" not in result, result.get("msg")
    path = result["evidence"]["path"]
    assert os.path.basename(path).startswith("cloudtrail-key-%s-" % key)
    payload = json.loads(open(path).read())
    assert payload["principal"] == {"kind": "access_key", "name": key, "user": "mallory"}
    assert payload["source"] == "cloudtrail:LookupEvents (AccessKeyId)"
    assert [(s["step"], s["target"], s["status"]) for s in payload["containment"]["steps"]] == [
        ("deactivate_key", key, "changed")]


def test_role_evidence_lists_the_revoke_policy(iam, run_module, tmp_path, monkeypatch):
    arn = iam.get_role(RoleName="deploy")["Role"]["Arn"]
    stub = _stub_cloudtrail(monkeypatch, "ResourceName", arn)
    result = run_module(mod.main, {"role": "deploy", "evidence_dir": str(tmp_path)})
    stub.assert_no_pending_responses()
    assert "failed" not in result, result.get("msg")
    payload = json.loads(open(result["evidence"]["path"]).read())
    assert payload["principal"] == {"kind": "role", "name": "deploy", "arn": arn}
    [step] = payload["containment"]["steps"]
    assert (step["step"], step["target"], step["status"]) == ("revoke_sessions", "deploy", "changed")
    assert "bulwark-revoke-older-sessions" in step["detail"]

"""playbooks/contain.yml end to end against moto_server: check, contain, idempotent, for a user, an
access key alone, a role alone, an instance and attacker addresses; no principal, two principals,
a malformed key, instance id, address or VPC id."""

import json
import stat

import pytest

from tests.support import seed
from tests.support.seeds import network
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


# --- an instance and attacker addresses (bulwark.aws.ec2_contain) ------------------------------------

@pytest.fixture
def instance(moto_server):
    """tests/support/seeds/network.py's insecure instance (us-east-1, default VPC, group web-admin)."""
    sess = seed.session(moto_server.url)
    network.insecure(sess)
    ec2 = seed.client(sess, "ec2", network.HOME)
    [found] = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [network.INSECURE_INSTANCE]}])[
        "Reservations"] for i in r["Instances"]]
    return moto_server, ec2, found


def evidence_files(tmp_path):
    directory = tmp_path / "evidence"
    return sorted(p for p in directory.iterdir() if p.name.startswith("ec2-contain-") and p.suffix == ".json")


def test_instance_check_then_quarantine_then_idempotent(instance, tmp_path):
    server, ec2, found = instance
    iid = found["InstanceId"]
    with Recorder(server.url) as rec:
        check = contain(server, tmp_path, "check", "-e", "instance_id=%s" % iid, "--check")
    assert check.returncode == 0, check
    assert rec.calls() and rec.writes() == []
    assert "isolate_interface: %s: would_change: would move it to bulwark-quarantine (new) only" \
        % found["NetworkInterfaces"][0]["NetworkInterfaceId"] in check.stdout, check
    assert "stop_instance: %s: skipped" % iid in check.stdout
    assert not (tmp_path / "evidence").exists()

    run = contain(server, tmp_path, "apply", "-e", "instance_id=%s" % iid)
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["bulwark-quarantine"]}])[
        "SecurityGroups"]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []
    now = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert [g["GroupId"] for g in now["SecurityGroups"]] == [group["GroupId"]]
    assert now["State"]["Name"] == "running"
    snaps = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:bulwark:instance", "Values": [iid]}])[
        "Snapshots"]
    assert len(snaps) == len(now["BlockDeviceMappings"]) >= 1
    assert "tracked connections" in run.stdout + run.stderr        # the warning points at block_ips

    again = contain(server, tmp_path, "again", "-e", "instance_id=%s" % iid)
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0
    first, second = evidence_files(tmp_path)
    for path in (first, second):
        text = path.read_text()
        ids = [iid, group["GroupId"], found["NetworkInterfaces"][0]["NetworkInterfaceId"]] + [s["SnapshotId"] for s in snaps]
        assert all(i in text for i in ids), (path, ids)
        assert json.loads(text)["resources"]["security_groups"][0]["group_id"] == group["GroupId"]
        assert (path.parent / (path.name + ".sha256")).exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_block_ips_in_the_named_vpcs(instance, tmp_path):
    server, ec2, found = instance
    vpc = found["VpcId"]
    args = ("-e", "block_ips=[203.0.113.7,2001:db8::/64]", "-e", "vpc_ids=[%s]" % vpc)
    with Recorder(server.url) as rec:
        check = contain(server, tmp_path, "check", *args, "--check")
    assert check.returncode == 0, check
    assert rec.writes() == []
    run = contain(server, tmp_path, "apply", *args)
    assert run.returncode == 0, run
    assert run.recap["localhost"]["changed"] == 1
    [acl] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    denies = sorted((e["RuleNumber"], e["Egress"]) for e in acl["Entries"] if e.get("CidrBlock") == "203.0.113.7/32")
    assert denies == [(99, False), (99, True)]
    assert "no allow entry admits inbound from 2001:db8::/64" in run.stdout, run.stdout[-3000:]
    again = contain(server, tmp_path, "again", *args)
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0
    [path] = evidence_files(tmp_path)[-1:]
    assert acl["NetworkAclId"] in path.read_text()


@pytest.mark.parametrize("args,message", [
    (("-e", "block_ips=[203.0.113.7]"), "-e block_ips: no VPC to put the deny entries in: add -e vpc_ids=[vpc-...]"),
    (("-e", "block_ips=[203.0.113.7]", "-e", "user=mallory"), "-e block_ips: no VPC to put the deny entries in"),
    (("-e", "instance_id=i-12345"), '-e instance_id: "i-12345" is not an EC2 instance id'),
    (("-e", "block_ips=[203.0.113.300]", "-e", "vpc_ids=[vpc-0123456789abcdef0]"),
     "-e block_ips: '203.0.113.300' is not an IPv4 or IPv6 address or CIDR block"),
    (("-e", "block_ips=203.0.113.7", "-e", "vpc_ids=[vpc-12]"), '-e vpc_ids: "vpc-12" is not a VPC id'),
    (("-e", "instance_id=i-0123456789abcdef0", "-e", "user=mallory"), "needs exactly one principal"),
    (("-e", "user=mallory", "-e", "stop_instance=true"), "-e stop_instance: give the instance to stop"),
])
def test_ec2_bad_input_stops_before_any_call(moto_server, tmp_path, args, message):
    with Recorder(moto_server.url) as rec:
        run = contain(moto_server, tmp_path, "bad", *args)
    assert run.returncode != 0
    assert message in run.stdout + run.stderr, run
    assert rec.calls() == []

"""investigate_principal against moto for the inventory, and botocore's Stubber for CloudTrail
LookupEvents (moto has none): tests/support/aws_faults.StubbedService queues each region's pages."""

import datetime
import hashlib
import json
import os
import stat

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.investigate import timeline
from ansible_collections.bulwark.aws.plugins.modules import investigate_principal as mod

from tests.support import seed
from tests.support.aws_faults import StubbedService, deny_region, on_new_clients
from tests.support.recorder import Recorder

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
REGIONS = ["eu-west-1", "us-east-1"]


def event(minutes_ago, name, region, ip="203.0.113.7", resources=(), response=None, request=None, key=None):
    when = NOW - datetime.timedelta(minutes=minutes_ago)
    record = {"eventTime": when.isoformat(), "eventName": name, "awsRegion": region, "sourceIPAddress": ip,
              "userAgent": "aws-cli/2.15", "userIdentity": {"type": "IAMUser", "userName": "mallory",
                                                            "arn": "arn:aws:iam::123456789012:user/mallory",
                                                            "accessKeyId": key or "AKIAEXAMPLEEXAMPLE01"},
              "requestParameters": request, "responseElements": response}
    return {"EventId": "%s-%s-%d" % (region, name, minutes_ago), "EventName": name, "EventTime": when,
            "EventSource": "ec2.amazonaws.com", "Username": "mallory", "ReadOnly": "false",
            "AccessKeyId": key or "AKIAEXAMPLEEXAMPLE01",
            "Resources": [{"ResourceType": "AWS::EC2::Instance", "ResourceName": r} for r in resources],
            "CloudTrailEvent": json.dumps(record)}


def lookup_service(pages_by_region):
    """A StubbedService answering LookupEvents with ``pages_by_region[region]`` (a list of
    pages, each a list of events); a region not listed answers one empty page."""
    def script(region, stubber):
        pages = pages_by_region.get(region) or [[]]
        for number, page in enumerate(pages):
            response = {"Events": page}
            if number < len(pages) - 1:
                response["NextToken"] = "page-%d" % (number + 1)
            stubber.add_response("lookup_events", response)
    return StubbedService("cloudtrail", script)


@pytest.fixture
def account():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="mallory")
        secret = iam.create_access_key(UserName="mallory")["AccessKey"]
        iam.create_user(UserName="backdoor")
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        sg = ec2.create_security_group(GroupName="wide-open", Description="x")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="leaky-bucket")
        public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::leaky-bucket/*"}
        s3.put_bucket_policy(Bucket="leaky-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]}))
        s3.create_bucket(Bucket="quiet-bucket")
        yield dict(secret=secret, instance=instance, sg=sg)


def read(path):
    with open(path) as f:
        return f.read()


def test_timeline_of_two_regions_newest_first_and_what_the_principal_created(
        account, run_module, tmp_path, monkeypatch):
    instance = account["instance"]
    stub = lookup_service({
        "us-east-1": [[event(5, "CreateUser", "us-east-1", response={"user": {"userName": "backdoor"}}),
                       event(50, "ListUsers", "us-east-1")]],
        "eu-west-1": [[event(10, "RunInstances", "eu-west-1", ip="198.51.100.9", resources=[instance],
                             response={"instancesSet": {"items": [{"instanceId": instance}]}})],
                      [event(70, "DescribeInstances", "eu-west-1", ip="198.51.100.9")]],
    })
    on_new_clients(monkeypatch, stub)
    out = tmp_path / "case"
    result = run_module(mod.main, {"user": "mallory", "regions": REGIONS, "evidence_dir": str(out)})
    assert "failed" not in result, result.get("msg")
    stub.assert_done()
    assert result["changed"] is False and result["findings"] == [] and result["errors"] == []
    assert result["events"] == 4 and result["created_by_principal"] == 2
    assert result["timeline_regions_read"] == len(REGIONS)
    tl = json.loads(read(out / "timeline.json"))
    assert [(e["region"], e["event"]) for e in tl["events"]] == [
        ("us-east-1", "CreateUser"), ("eu-west-1", "RunInstances"), ("us-east-1", "ListUsers"),
        ("eu-west-1", "DescribeInstances")]
    assert tl["summary"]["source_ips"] == {"198.51.100.9": 2, "203.0.113.7": 2}
    assert tl["events"][0]["user_agent"] == "aws-cli/2.15"
    inv = json.loads(read(out / "inventory.json"))
    marked = dict((i["id"], i["created_by_principal"]) for i in inv["items"])
    assert marked[instance] is True and marked["backdoor"] is True and marked["mallory"] is False
    assert marked[account["sg"]] is False and marked["leaky-bucket"] is False and "quiet-bucket" not in marked
    summary = read(out / "summary.md")
    assert "ansible-playbook bulwark.aws.contain -e user=mallory" in summary and "198.51.100.9" in summary
    assert "RunInstances" in read(out / "timeline.md")


def test_files_are_0600_checksummed_and_hold_no_secret(account, run_module, tmp_path, monkeypatch):
    secret = account["secret"]["SecretAccessKey"]
    response = {"accessKey": {"accessKeyId": account["secret"]["AccessKeyId"], "secretAccessKey": secret},
                "credentials": {"sessionToken": "FQoGZXIvYXdzEXAMPLETOKEN"}}
    on_new_clients(monkeypatch, lookup_service({"us-east-1": [[event(3, "CreateAccessKey", "us-east-1",
                                                                     response=response)]]}))
    out = tmp_path / "case"
    result = run_module(mod.main, {"user": "mallory", "regions": ["us-east-1"], "evidence_dir": str(out)})
    assert "failed" not in result, result.get("msg")
    names = sorted(os.listdir(out))
    assert names == sorted(["timeline.json", "timeline.md", "inventory.json", "inventory.md", "summary.md",
                            "SHA256SUMS"]) == result["files"]
    for name in names:
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o600, name
        text = read(out / name)
        assert secret not in text and "FQoGZXIvYXdzEXAMPLETOKEN" not in text, name
    for line in read(out / "SHA256SUMS").splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert len(read(out / "SHA256SUMS").splitlines()) == 5


def test_a_region_that_fails_is_an_error_line_and_the_rest_goes_on(account, run_module, tmp_path, monkeypatch):
    stub = lookup_service({"us-east-1": [[event(5, "ListUsers", "us-east-1")]]})
    on_new_clients(monkeypatch, deny_region("eu-west-1"), stub)
    out = tmp_path / "case"
    result = run_module(mod.main, {"user": "mallory", "regions": REGIONS, "evidence_dir": str(out)})
    assert "failed" not in result, result.get("msg")
    assert result["events"] == 1 and result["timeline_regions_read"] == len(REGIONS) - 1
    assert any(e.startswith("eu-west-1 cloudtrail LookupEvents") and "AccessDenied" in e for e in result["errors"])
    assert any(e.startswith("eu-west-1 ec2 instances") for e in result["errors"])
    assert "eu-west-1 cloudtrail LookupEvents" in read(out / "summary.md")
    assert "eu-west-1 cloudtrail LookupEvents" in read(out / "timeline.md")


def test_an_access_key_names_its_user_in_the_containment_command(account, run_module, tmp_path, monkeypatch):
    key = account["secret"]["AccessKeyId"]
    on_new_clients(monkeypatch, lookup_service({}))
    result = run_module(mod.main, {"access_key_id": key, "regions": ["us-east-1"], "evidence_dir": str(tmp_path / "c")})
    assert "failed" not in result, result.get("msg")
    assert result["principal"]["owner"] == "mallory"
    assert "ansible-playbook bulwark.aws.contain -e access_key_id=%s" % key in result["containment"]


@pytest.mark.parametrize("args,message", [
    ({"user": "nobody"}, "user: nobody does not exist"),
    ({"role": "ghost"}, "role: ghost does not exist"),
    ({"access_key_id": "AKIAIOSFODNN7EXAMPLE"}, "access_key_id: AKIAIOSFODNN7EXAMPLE is no access key"),
])
def test_an_unknown_principal_fails_with_one_line_and_writes_nothing(account, run_module, tmp_path, args, message):
    result = run_module(mod.main, dict(args, regions=["us-east-1"], evidence_dir=str(tmp_path / "c")))
    assert result["failed"] is True and message in result["msg"] and "\n" not in result["msg"]
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("args,message", [
    ({}, "give exactly one principal"),
    ({"user": "a", "role": "b"}, "got user, role"),
    ({"access_key_id": "AKIA123"}, "is not an access key id"),
    ({"access_key_id": "akiaiosfodnn7example"}, "is not an access key id"),
    ({"user": "mal lory"}, "is not a valid IAM name"),
    ({"user": "a", "since": "91d"}, "since: 91d is over 90 days"),
    ({"user": "a", "since": "2161h"}, "is over 90 days"),
    ({"user": "a", "since": "3 weeks"}, "is not a window like 72h"),
    ({"user": "a", "regions": ["mars-1"]}, "regions: 'mars-1' is not an AWS region"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, tmp_path, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, dict(args, evidence_dir=str(tmp_path / "c")))
    assert result["failed"] is True and message in result["msg"] and "\n" not in result["msg"]
    assert rec.calls() == []


def test_an_evidence_directory_already_used_is_refused_before_any_call(moto_server, run_module, tmp_path):
    (tmp_path / "summary.md").write_text("earlier case")
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"user": "a", "evidence_dir": str(tmp_path)})
    assert result["failed"] is True and "already holds summary.md" in result["msg"]
    assert rec.calls() == [] and (tmp_path / "summary.md").read_text() == "earlier case"


@pytest.mark.parametrize("check_mode", [False, True])
def test_no_write_call_in_apply_or_check_mode(moto_server, run_module, tmp_path, monkeypatch, check_mode):
    sess = seed.session(moto_server.url)
    iam = seed.client(sess, "iam")
    iam.create_user(UserName="mallory")
    seed.create_key(iam, "mallory")
    seed.client(sess, "s3").create_bucket(Bucket="evidence-of-nothing")
    on_new_clients(monkeypatch, lookup_service({}))   # moto_server answers LookupEvents with HTTP 500
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"user": "mallory", "regions": REGIONS, "evidence_dir": str(tmp_path / "c")},
                            check_mode=check_mode)
    assert "failed" not in result, result.get("msg")
    assert rec.calls() and rec.writes() == []
    assert result["changed"] is False and (tmp_path / "c" / "SHA256SUMS").exists()


def test_lookup_pages_within_two_requests_per_second():
    clock = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = timeline.RateLimiter(clock=lambda: clock[0], sleep=sleep)
    calls = []

    class Client:
        def lookup_events(self, **kwargs):
            calls.append((clock[0], kwargs.get("NextToken")))
            n = len(calls)
            return {"Events": [{"EventId": str(n)}], "NextToken": "t%d" % n} if n < 5 else {"Events": []}

    events = timeline.lookup(Client(), "Username", "mallory", NOW, NOW, limiter)
    assert len(events) == 4 and [c[1] for c in calls] == [None, "t1", "t2", "t3", "t4"]
    assert all(b[0] - a[0] >= 0.5 - 1e-9 for a, b in zip(calls, calls[1:]))
    assert calls[-1][0] - calls[0][0] == pytest.approx(2.0)


def test_secret_looking_keys_are_redacted_wherever_they_are():
    scrubbed = timeline.scrub({"a": [{"SecretAccessKey": "x", "password": "y", "sessionToken": "z", "ok": "v"}]})
    assert scrubbed == {"a": [{"SecretAccessKey": "(redacted)", "password": "(redacted)",
                               "sessionToken": "(redacted)", "ok": "v"}]}


def test_a_role_is_found_by_its_arn_and_by_its_name_then_its_sessions(account, run_module, tmp_path, monkeypatch):
    """AssumeRole events name the role by ARN, IAM's changes to it by name: both are looked up,
    then the events of the session key AssumeRole issued."""
    from botocore.stub import ANY

    iam = boto3.client("iam", region_name="us-east-1")
    arn = iam.create_role(RoleName="deploy", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assume = event(30, "AssumeRole", "us-east-1", resources=[arn],
                   response={"credentials": {"accessKeyId": "ASIASESSION000000001", "sessionToken": "x"}})
    attach = event(40, "AttachRolePolicy", "us-east-1", resources=["deploy"])
    in_session = event(20, "ListBuckets", "us-east-1", key="ASIASESSION000000001")

    def script(region, stubber):
        for attribute, value, found in (("ResourceName", arn, [assume]), ("ResourceName", "deploy", [attach]),
                                        ("AccessKeyId", "ASIASESSION000000001", [in_session])):
            stubber.add_response("lookup_events", {"Events": found}, dict(
                LookupAttributes=[{"AttributeKey": attribute, "AttributeValue": value}],
                StartTime=ANY, EndTime=ANY, MaxResults=50))

    stub = StubbedService("cloudtrail", script)
    on_new_clients(monkeypatch, stub)
    out = tmp_path / "case"
    result = run_module(mod.main, {"role": "deploy", "regions": ["us-east-1"], "evidence_dir": str(out)})
    assert "failed" not in result, result.get("msg")
    stub.assert_done()
    tl = json.loads(read(out / "timeline.json"))
    assert [e["event"] for e in tl["events"]] == ["ListBuckets", "AssumeRole", "AttachRolePolicy"]
    assert "ansible-playbook bulwark.aws.contain -e role=deploy" in result["containment"]
    assert "ansible-playbook bulwark.aws.contain -e user=mallory" in result["containment"]  # who assumed it


def test_containment_commands_name_the_instances_and_the_addresses_to_block_per_region():
    from ansible_collections.bulwark.aws.plugins.module_utils.investigate.run import contain_commands

    principal = dict(kind="user", name="mallory")
    events = [dict(source_ip="203.0.113.7"), dict(source_ip="198.51.100.9"), dict(source_ip="203.0.113.7"),
              dict(source_ip="ec2.amazonaws.com"), dict(source_ip=None)]
    items = [dict(kind="ec2_instance", id="i-1", region="eu-west-1", vpc="vpc-e", created_by_principal=True),
             dict(kind="ec2_instance", id="i-2", region="us-east-1", vpc="vpc-u", created_by_principal=True),
             dict(kind="ec2_instance", id="i-owners", region="us-east-1", vpc="vpc-u", created_by_principal=False),
             dict(kind="security_group_open", id="sg-1", region="us-east-1", created_by_principal=True)]
    run = [c for c in contain_commands(principal, events, items) if "--check" not in c]
    base = "ansible-playbook bulwark.aws.contain "
    assert run == [base + "-e user=mallory",
                   base + "-e instance_id=i-1 -e bulwark_aws_region=eu-west-1",
                   base + "-e instance_id=i-2 -e bulwark_aws_region=us-east-1",
                   base + "-e 'block_ips=[198.51.100.9,203.0.113.7]' -e 'vpc_ids=[vpc-e]' -e bulwark_aws_region=eu-west-1",
                   base + "-e 'block_ips=[198.51.100.9,203.0.113.7]' -e 'vpc_ids=[vpc-u]' -e bulwark_aws_region=us-east-1"]
    assert len(contain_commands(principal, events, items)) == 2 * len(run)
    # No instance of the principal's: nothing to block, only the principal.
    assert [c for c in contain_commands(principal, events, items[2:]) if "--check" not in c] == [base + "-e user=mallory"]


def test_the_earliest_create_event_is_what_made_a_resource_and_its_arn_is_not_listed_again():
    from ansible_collections.bulwark.aws.plugins.module_utils.investigate import inventory

    arn = "arn:aws:iam::123456789012:user/backdoor"
    new_key = {"accessKey": {"accessKeyId": "AKIABACKDOOR00000001", "userName": "backdoor"}}
    raw = [event(5, "CreateAccessKey", "us-east-1", response=new_key),
           event(9, "CreateUser", "us-east-1", response={"user": {"userName": "backdoor", "arn": arn}})]
    events = timeline.merge({"us-east-1": [timeline.record(e, "us-east-1") for e in raw]})
    made = timeline.created(events)
    assert made["backdoor"]["event"] == "CreateUser" and made["AKIABACKDOOR00000001"]["event"] == "CreateAccessKey"
    items = [dict(kind="iam_user", id="backdoor", arn=arn), dict(kind="iam_user", id="alice")]
    elsewhere = inventory.mark(items, made)  # the user's ARN is the user, not something else created
    assert [e["name"] for e in elsewhere] == ["AKIABACKDOOR00000001"]  # no key item given: from the timeline
    assert items[0]["created_by_principal"] is True and "CreateUser" in items[0]["created_by_event"]
    assert items[1]["created_by_principal"] is False

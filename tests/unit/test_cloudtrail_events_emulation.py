"""The EMULATED CloudTrail LookupEvents of tests/support/cloudtrail_events.py (moto lacks the
call), checked through boto3 against moto_server so that the tests relying on it can trust it:
paging, each lookup attribute, the time window, newest first, AWS's errors for bad input, reset."""

import datetime
import json

import boto3
import botocore.config
import botocore.exceptions
import pytest

from tests.support import cloudtrail_events

NOW = datetime.datetime(2026, 12, 6, 12, 0, 0, tzinfo=datetime.timezone.utc)
MALLORY = {"type": "IAMUser", "userName": "mallory", "accountId": "123456789012",
           "arn": "arn:aws:iam::123456789012:user/mallory", "accessKeyId": "AKIAMALLORY000000001"}
SESSION = {"type": "AssumedRole", "accountId": "123456789012", "accessKeyId": "ASIASESSION000000001",
           "arn": "arn:aws:sts::123456789012:assumed-role/deploy/mallory-session"}


def at(minutes_ago):
    return NOW - datetime.timedelta(minutes=minutes_ago)


def client(server, region="us-east-1"):
    return boto3.client("cloudtrail", endpoint_url=server.url, region_name=region)


def lookup_all(server, region="us-east-1", page_size=50, **kwargs):
    """Every page of a LookupEvents query: ([event ids per page], every event)."""
    pages = client(server, region).get_paginator("lookup_events").paginate(
        StartTime=at(10000), EndTime=NOW, PaginationConfig={"PageSize": page_size}, **kwargs)
    ids, events = [], []
    for page in pages:
        ids.append([e["EventId"] for e in page["Events"]])
        events += page["Events"]
    return ids, events


def by(key, value):
    return dict(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])


@pytest.fixture
def history(moto_server):
    """us-east-1: 120 reads by mallory, one per minute; one RunInstances and a failed CreateUser;
    an AssumeRole naming the role's ARN and a session's call. eu-west-1: one event."""
    east = [cloudtrail_events.entry(at(m), "DescribeInstances", "ec2.amazonaws.com", "us-east-1", MALLORY,
                                    "203.0.113.7", read_only=True, event_id="read-%03d" % m)
            for m in range(1, 121)]
    east += [
        cloudtrail_events.entry(at(30) + datetime.timedelta(seconds=1), "RunInstances", "ec2.amazonaws.com",
                                "us-east-1", MALLORY, "198.51.100.9", event_id="run",
                                resources=[("AWS::EC2::Instance", "i-0123456789abcdef0")]),
        cloudtrail_events.entry(at(40) + datetime.timedelta(seconds=1), "CreateUser", "iam.amazonaws.com",
                                "us-east-1", MALLORY, "198.51.100.9", event_id="denied",
                                error=("AccessDenied", "not authorized")),
        cloudtrail_events.entry(at(50) + datetime.timedelta(seconds=1), "AssumeRole", "sts.amazonaws.com",
                                "us-east-1", MALLORY, "203.0.113.7", event_id="assume",
                                resources=[("AWS::IAM::Role", "arn:aws:iam::123456789012:role/deploy")]),
        cloudtrail_events.entry(at(49), "ListBuckets", "s3.amazonaws.com", "us-east-1", SESSION, "203.0.113.7",
                                read_only=True, event_id="session"),
    ]
    west = [cloudtrail_events.entry(at(5), "ListUsers", "iam.amazonaws.com", "eu-west-1", MALLORY, "203.0.113.7",
                                    read_only=True, event_id="west")]
    cloudtrail_events.seed(moto_server.url, {"us-east-1": east, "eu-west-1": west})
    return moto_server


def test_emulated_lookup_pages_newest_first_in_pages_of_at_most_50(history):
    ids, events = lookup_all(history, **by("Username", "mallory"))
    assert [len(page) for page in ids] == [50, 50, 23]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True) and len(set(e["EventId"] for e in events)) == 123
    assert ids[0][:2] == ["read-001", "read-002"]
    small, _events = lookup_all(history, page_size=7, **by("Username", "mallory"))
    assert [len(page) for page in small] == [7] * 17 + [4]


def test_emulated_lookup_event_has_the_real_shape(history):
    _ids, events = lookup_all(history, **by("EventId", "run"))
    (event,) = events
    assert set(event) == {"EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource", "Username",
                          "Resources", "CloudTrailEvent"}
    assert event["EventName"] == "RunInstances" and event["ReadOnly"] == "false"
    assert event["AccessKeyId"] == MALLORY["accessKeyId"] and event["Username"] == "mallory"
    assert event["EventTime"] == at(30) + datetime.timedelta(seconds=1)  # epoch seconds, parsed by botocore
    assert event["Resources"] == [{"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-0123456789abcdef0"}]
    record = json.loads(event["CloudTrailEvent"])
    assert record["sourceIPAddress"] == "198.51.100.9" and record["awsRegion"] == "us-east-1"
    _ids, failed = lookup_all(history, **by("EventId", "denied"))
    assert json.loads(failed[0]["CloudTrailEvent"])["errorCode"] == "AccessDenied"


@pytest.mark.parametrize("key,value,expected", [
    ("EventName", "RunInstances", ["run"]),
    ("ReadOnly", "false", ["run", "denied", "assume"]),
    ("ResourceName", "arn:aws:iam::123456789012:role/deploy", ["assume"]),
    ("ResourceName", "deploy", []),  # exact match, as AWS: the ARN is not the name
    ("ResourceType", "AWS::EC2::Instance", ["run"]),
    ("EventSource", "sts.amazonaws.com", ["assume"]),
    ("AccessKeyId", "ASIASESSION000000001", ["session"]),
    ("Username", "mallory-session", ["session"]),  # a role session's name
    ("EventId", "west", []),  # another region's event
])
def test_emulated_lookup_by_each_attribute(history, key, value, expected):
    _ids, events = lookup_all(history, **by(key, value))
    assert [e["EventId"] for e in events] == expected


def test_emulated_lookup_honours_the_time_window_inclusively_and_the_region(history):
    cloudtrail = client(history)
    window = cloudtrail.lookup_events(StartTime=at(3), EndTime=at(1), **by("EventName", "DescribeInstances"))
    assert [e["EventId"] for e in window["Events"]] == ["read-001", "read-002", "read-003"]
    none = cloudtrail.lookup_events(StartTime=at(10000), EndTime=at(9000))
    assert none["Events"] == [] and "NextToken" not in none
    west = client(history, "eu-west-1").lookup_events(StartTime=at(60), EndTime=NOW)
    assert [e["EventId"] for e in west["Events"]] == ["west"]
    assert client(history, "ap-southeast-2").lookup_events(StartTime=at(60), EndTime=NOW)["Events"] == []


@pytest.mark.parametrize("kwargs,code", [
    (dict(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "a"},
                            {"AttributeKey": "EventName", "AttributeValue": "b"}]), "InvalidLookupAttributesException"),
    (dict(StartTime=NOW, EndTime=at(5)), "InvalidTimeRangeException"),
    (dict(NextToken="made-up"), "InvalidNextTokenException"),
])
def test_emulated_lookup_refuses_bad_input_like_aws(history, kwargs, code):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client(history).lookup_events(**kwargs)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_emulated_lookup_refuses_what_botocore_lets_through(history):
    """botocore checks the attribute key and MaxResults itself; the emulator refuses them too."""
    no_validation = boto3.client("cloudtrail", endpoint_url=history.url, region_name="us-east-1",
                                 config=botocore.config.Config(parameter_validation=False))
    for kwargs, code in ((by("Colour", "red"), "InvalidLookupAttributesException"),
                         (dict(MaxResults=51), "InvalidMaxResultsException"),
                         (dict(MaxResults=0), "InvalidMaxResultsException")):
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            no_validation.lookup_events(**kwargs)
        assert caught.value.response["Error"]["Code"] == code, kwargs


def test_emulated_next_token_of_another_query_is_refused(history):
    first = client(history).lookup_events(MaxResults=5, **by("Username", "mallory"))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client(history).lookup_events(NextToken=first["NextToken"], **by("Username", "someone-else"))
    assert caught.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_emulated_failure_for_one_region(moto_server):
    cloudtrail_events.seed(moto_server.url, failures={"eu-west-1": {"code": "AccessDeniedException",
                                                                    "message": "denied by the test"}})
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client(moto_server, "eu-west-1").lookup_events()
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert client(moto_server).lookup_events()["Events"] == []


def test_reset_empties_the_emulated_history_and_moto_answers_again(history):
    assert client(history).lookup_events(MaxResults=1)["Events"]
    history.reset()
    with pytest.raises(botocore.exceptions.ClientError) as caught:  # moto's own gap, as before any seed
        boto3.client("cloudtrail", endpoint_url=history.url, region_name="us-east-1",
                     config=botocore.config.Config(retries={"total_max_attempts": 1})).lookup_events()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] >= 500

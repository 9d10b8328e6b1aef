"""The fault-injecting proxy itself: boto3 -> proxy -> moto_server, with botocore's retries."""

import socket
import urllib.parse

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

from tests.support.fault_proxy import FaultProxy, Rule

# The codes botocore's standard and adaptive retry modes treat as throttling.
BOTOCORE_THROTTLING = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown"}


def client(url, service, region="us-east-1", attempts=5):
    return boto3.client(service, endpoint_url=url, region_name=region,
                        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))


def test_throttling_is_retried_by_botocore_and_succeeds(moto_server):
    with FaultProxy(moto_server.url, Rule("throttle", service="iam", limit=3)) as proxy:
        summary = client(proxy.url, "iam").get_account_summary()
    assert "SummaryMap" in summary
    assert proxy.injected == {("throttle", "iam", "GetAccountSummary", "us-east-1"): 3}
    assert [s[:2] for s in proxy.seen] == [("iam", "GetAccountSummary")] * 4  # 3 throttled + the answer


@pytest.mark.parametrize("service,call,code", [
    ("iam", lambda c: c.get_account_summary(), "Throttling"),                 # query: XML ErrorResponse
    ("sts", lambda c: c.get_caller_identity(), "Throttling"),
    ("ec2", lambda c: c.describe_regions(), "RequestLimitExceeded"),          # ec2: <Response><Errors>
    ("cloudtrail", lambda c: c.describe_trails(), "ThrottlingException"),     # json: X-Amz-Target
    ("guardduty", lambda c: c.list_detectors(), "ThrottlingException"),       # rest-json
    ("s3", lambda c: c.list_buckets(), "SlowDown"),                           # rest-xml
])
def test_throttling_has_the_protocols_shape(moto_server, service, call, code):
    with FaultProxy(moto_server.url, Rule("throttle", service=service)) as proxy:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            call(client(proxy.url, service, attempts=2))
    assert err.value.response["Error"]["Code"] == code
    assert code in BOTOCORE_THROTTLING
    assert "throttled" in aws.describe_error(err.value, service)
    assert proxy.total("throttle") == 2  # botocore retried once: it recognised the throttle


def test_access_denied_on_one_service_names_the_permission(moto_server):
    with FaultProxy(moto_server.url, Rule("deny", service="iam")) as proxy:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            client(proxy.url, "iam").get_account_password_policy()
        identity = client(proxy.url, "sts").get_caller_identity()  # another service is untouched
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    message = aws.describe_error(err.value, "iam")
    assert "\n" not in message
    assert "grant iam:GetAccountPasswordPolicy to the identity running bulwark" in message
    assert identity["Account"] == "123456789012"
    assert proxy.injected == {("deny", "iam", "GetAccountPasswordPolicy", "us-east-1"): 1}  # not retried


@pytest.mark.parametrize("service,call,code,action", [
    ("ec2", lambda c: c.describe_regions(), "UnauthorizedOperation", "ec2:DescribeRegions"),
    ("cloudtrail", lambda c: c.describe_trails(), "AccessDeniedException", "cloudtrail:DescribeTrails"),
    ("guardduty", lambda c: c.list_detectors(), "AccessDeniedException", "guardduty:ListDetectors"),
    ("s3", lambda c: c.list_buckets(), "AccessDenied", "s3:ListBuckets"),
])
def test_access_denied_has_the_protocols_code(moto_server, service, call, code, action):
    with FaultProxy(moto_server.url, Rule("deny", service=service)) as proxy:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            call(client(proxy.url, service))
    assert err.value.response["Error"]["Code"] == code
    assert "grant %s " % action in aws.describe_error(err.value, service)


def test_operation_rule_leaves_other_operations_alone(moto_server):
    with FaultProxy(moto_server.url, Rule("deny", service="iam", operation="GetAccountPasswordPolicy")) as proxy:
        iam = client(proxy.url, "iam")
        iam.list_users()
        with pytest.raises(botocore.exceptions.ClientError):
            iam.get_account_password_policy()
    assert proxy.total() == 1 and [s[1] for s in proxy.seen] == ["ListUsers", "GetAccountPasswordPolicy"]


def test_503_for_one_region_affects_that_region_only(moto_server):
    with FaultProxy(moto_server.url, Rule("503", region="eu-west-1")) as proxy:
        home = client(proxy.url, "ec2", region="us-east-1", attempts=2).describe_security_groups()
        with pytest.raises(botocore.exceptions.ClientError) as err:
            client(proxy.url, "ec2", region="eu-west-1", attempts=2).describe_security_groups()
        other = client(proxy.url, "ec2", region="eu-central-1", attempts=2).describe_security_groups()
    assert home["SecurityGroups"] and other["SecurityGroups"]
    assert err.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert proxy.injected == {("503", "ec2", "DescribeSecurityGroups", "eu-west-1"): 2}  # retried, then given up


def test_500_is_retried_and_succeeds(moto_server):
    with FaultProxy(moto_server.url, Rule("500", limit=2)) as proxy:
        client(proxy.url, "cloudtrail").describe_trails()
    assert proxy.total("500") == 2


def test_dropped_connection_is_retried_by_botocore(moto_server):
    with FaultProxy(moto_server.url, Rule("drop", service="sts", limit=1)) as proxy:
        identity = client(proxy.url, "sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert proxy.total("drop") == 1 and len(proxy.seen) == 2


def test_dropped_connection_without_retries_is_one_clear_line(moto_server):
    with FaultProxy(moto_server.url, Rule("drop", service="sts")) as proxy:
        with pytest.raises(botocore.exceptions.BotoCoreError) as err:
            client(proxy.url, "sts", attempts=1).get_caller_identity()
    message = aws.describe_error(err.value, "sts")
    assert "\n" not in message and message.startswith("sts: ")
    assert proxy.total("drop") == 1


def test_faulted_writes_never_reach_moto(moto_server):
    with FaultProxy(moto_server.url, Rule("deny", service="iam", operation="CreateUser")) as proxy:
        iam = client(proxy.url, "iam")
        with pytest.raises(botocore.exceptions.ClientError):
            iam.create_user(UserName="never-made")
        iam.create_group(GroupName="made")
    users = client(moto_server.url, "iam").list_users()["Users"]
    assert "never-made" not in [u["UserName"] for u in users]
    assert proxy.forwarded_writes == 1  # CreateGroup only


def test_share_is_seeded_and_reproducible(moto_server):
    def pattern(seed):
        with FaultProxy(moto_server.url, Rule("throttle", share=0.3), seed=seed) as proxy:
            sts = client(proxy.url, "sts", attempts=1)
            out = []
            for _attempt in range(40):
                try:
                    sts.get_caller_identity()
                    out.append(False)
                except botocore.exceptions.ClientError:
                    out.append(True)
        assert sum(out) == proxy.total("throttle")
        return out

    first = pattern(7)
    assert first == pattern(7)
    assert 4 <= sum(first) <= 24, sum(first)  # about 30 % of 40


def test_wait_for_writes(moto_server):
    with FaultProxy(moto_server.url) as proxy:
        assert not proxy.wait_for_writes(1, timeout=0.1)
        client(proxy.url, "iam").create_group(GroupName="g1")
        assert proxy.wait_for_writes(1, timeout=5)


def test_moto_api_calls_are_never_faulted(moto_server):
    import urllib.request

    with FaultProxy(moto_server.url, Rule("503")) as proxy:
        req = urllib.request.Request(proxy.url + "/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
    assert proxy.total() == 0


@pytest.mark.parametrize("target", ["http://10.0.0.1:5000", "https://127.0.0.1:5000", "http://localhost:5000",
                                    "http://iam.amazonaws.com:80", "http://127.0.0.1"])
def test_forwards_only_to_a_local_moto_url(target):
    with pytest.raises(ValueError, match="only to a local moto_server"):
        FaultProxy(target)


def test_stops_with_the_block(moto_server):
    with FaultProxy(moto_server.url) as proxy:
        port = urllib.parse.urlparse(proxy.url).port
        client(proxy.url, "sts").get_caller_identity()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_unknown_fault_and_share_are_refused():
    with pytest.raises(ValueError, match="fault must be one of"):
        Rule("explode")
    with pytest.raises(ValueError, match="share must be between 0 and 1"):
        Rule("throttle", share=1.5)


# --- the collection's own connection (module_utils/aws.py) through the proxy ----------------------

def connection(url):
    return aws.AwsConnection(dict(access_key="testing", secret_key="bulwark-moto-test-secret", region="us-east-1",
                                  endpoint_url=url, validate_certs=True), read_only=True)


def test_identity_preflight_outlasts_throttling(moto_server, monkeypatch):
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    with FaultProxy(moto_server.url, Rule("throttle", service="sts", limit=3)) as proxy:
        identity = connection(proxy.url).identity()
    assert identity["account_id"] == "123456789012"
    assert proxy.total("throttle") == 3  # more than the preflight's two fast attempts


def test_identity_preflight_gives_up_fast_on_a_dropping_endpoint(moto_server):
    with FaultProxy(moto_server.url, Rule("drop", service="sts")) as proxy:
        with pytest.raises(botocore.exceptions.BotoCoreError) as err:
            connection(proxy.url).identity()
    assert proxy.total("drop") == 2
    assert "check endpoint_url" in aws.describe_error(err.value, "sts")


def test_aws_max_attempts_counts_every_attempt(moto_server, monkeypatch):
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    with FaultProxy(moto_server.url, Rule("503", service="iam")) as proxy:
        with pytest.raises(botocore.exceptions.ClientError):
            connection(proxy.url).client("iam").get_account_summary()
    assert proxy.total("503") == 3


def test_hold_after_writes_freezes_the_caller_after_the_nth_write(moto_server):
    with FaultProxy(moto_server.url, hold_after_writes=1) as proxy:
        iam = boto3.client("iam", endpoint_url=proxy.url, region_name="us-east-1",
                           config=Config(retries={"total_max_attempts": 1}, read_timeout=3))
        iam.create_group(GroupName="first")
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            iam.create_group(GroupName="second")  # held: never answered
    groups = [g["GroupName"] for g in client(moto_server.url, "iam").list_groups()["Groups"]]
    assert "first" in groups and "second" not in groups
    assert proxy.forwarded_writes == 1 and proxy.held == 1

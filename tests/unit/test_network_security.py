"""network_security against moto: security groups, network ACLs, IMDSv2 and VPC flow logs.

moto has no EC2 instance metadata defaults API (Get/ModifyInstanceMetadataDefaults): against it
the account default of network.imdsv2 is an `error` finding naming the operation
(tests/support/moto_gaps.py); its logic is tested with a botocore Stubber on one region's EC2
client (MetadataDefaultsFake).
"""

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import network_security as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks.network import flow_logs

from tests.support.aws_faults import deny_region, on_new_clients
from tests.support.moto_gaps import is_moto_gap, real_errors
from tests.support.recorder import Recorder

HOME = "us-east-1"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
AMI = "ami-12c6146b"  # in every moto region
ADMIN_V4 = "network.admin_ports_ipv4"
ADMIN_V6 = "network.admin_ports_ipv6"
DEFAULT_SG = "network.default_security_group"
NACL = "network.nacl_admin_ports"
IMDS = "network.imdsv2"
FLOW_LOGS = "network.vpc_flow_logs"
OPT_INS = {"restrict_default_security_groups": True, "revoke_open_admin_ports": True, "block_nacl_admin_ports": True,
           "require_imdsv2_on_instances": True}


@pytest.fixture(autouse=True)
def _lean_moto(monkeypatch):
    """In-process moto (mock_aws) without what this module never reads and moto builds again for
    every test: IAM's ~1,300 AWS managed policies (for each partition) and EC2's AMI catalogue
    (instances launch from AMI without it). Seconds per test. moto_server, started once per
    session, keeps both."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def args(controls=None, regions=(REGION,), **extra):
    base = {"regions": list(regions)}
    if controls is not None:
        base["controls"] = list(controls)
    base.update(extra)
    return base


def findings(result, control=None, status=None):
    return [f for f in result["findings"] if (control is None or f["control"] == control)
            and (status is None or f["status"] == status)]


def one(result, control, resource):
    [found] = [f for f in result["findings"] if f["control"] == control and f["resource"] == resource]
    return found


def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def default_group(ec2, vpc):
    return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]},
                                                 {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]["GroupId"]


def rules_of(ec2, group):
    return ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]


def open_group(ec2, name="web-admin"):
    """A group admitting 0.0.0.0/0 and ::/0 to 22, 0.0.0.0/0 to 3000-4000 (3389 within), and
    rules that must stay: 443 from anywhere, 22 from 10.0.0.0/8."""
    group = ec2.create_security_group(GroupName=name, Description="admin", VpcId=default_vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 4000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    return group


def instance(ec2, tokens="optional", groups=None):
    kwargs = {"SecurityGroupIds": groups} if groups else {}
    return ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             MetadataOptions={"HttpTokens": tokens}, **kwargs)["Instances"][0]


# --- security groups ----------------------------------------------------------------------------------

@mock_aws
def test_open_admin_ports_fail_without_the_opt_in_and_only_those_rules_are_revoked_with_it(run_module):
    ec2 = boto3.client("ec2", REGION)
    group = open_group(ec2)
    before = dict((r["SecurityGroupRuleId"], r) for r in rules_of(ec2, group))
    result = run_module(mod.DEFINITION.main, args([ADMIN_V4, ADMIN_V6]))
    v4, v6 = one(result, ADMIN_V4, group), one(result, ADMIN_V6, group)
    assert (v4["status"], v6["status"]) == ("fail", "fail")
    assert "admits 0.0.0.0/0 to ports 22, 3389" in v4["message"]
    assert "set revoke_open_admin_ports: true" in v4["message"] and "set revoke_open_admin_ports: true" in v6["message"]
    rule_id = dict(((r.get("CidrIpv4") or r.get("CidrIpv6"), r["FromPort"]), i) for i, r in before.items()
                   if not r["IsEgress"])
    opened = [rule_id[("0.0.0.0/0", 22)], rule_id[("0.0.0.0/0", 3000)]]
    opened_v6 = rule_id[("::/0", 22)]
    # Each offending rule named exactly; the others not at all.
    assert "%s tcp 22 from 0.0.0.0/0; %s tcp 3000-4000 from 0.0.0.0/0" % tuple(opened) in v4["message"]
    assert "10.0.0.0/8" not in v4["message"] and "443" not in v4["message"]
    assert v6["message"].startswith("security group %s (web-admin, %s) admits ::/0 to port 22: %s tcp 22 from ::/0; "
                                    % (group, default_vpc(ec2), opened_v6))
    # The default group passes these controls: counted in the summary.
    assert one(result, ADMIN_V4, "security-groups")["message"] == "1 security group: none admits 0.0.0.0/0 to 22, 3389"
    assert result["changed"] is False and set(before) == set(r["SecurityGroupRuleId"] for r in rules_of(ec2, group))

    fixed = run_module(mod.DEFINITION.main, args([ADMIN_V4, ADMIN_V6], revoke_open_admin_ports=True))
    assert (one(fixed, ADMIN_V4, group)["status"], one(fixed, ADMIN_V6, group)["status"]) == ("fixed", "fixed")
    assert fixed["changed"] is True
    left = dict((r["SecurityGroupRuleId"], r) for r in rules_of(ec2, group))
    assert set(left) == set(before) - set(opened) - {opened_v6}
    kept = sorted((r.get("CidrIpv4") or r.get("CidrIpv6"), r["FromPort"]) for r in left.values() if not r["IsEgress"])
    assert kept == [("0.0.0.0/0", 443), ("10.0.0.0/8", 22), ("::/0", 443)]
    again = run_module(mod.DEFINITION.main, args([ADMIN_V4, ADMIN_V6], revoke_open_admin_ports=True))
    assert set(f["status"] for f in again["findings"]) == {"pass"} and again["changed"] is False


@mock_aws
def test_all_traffic_from_anywhere_counts_and_admin_ports_are_configurable(run_module):
    ec2 = boto3.client("ec2", REGION)
    group = ec2.create_security_group(GroupName="wide", Description="d", VpcId=default_vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    result = run_module(mod.DEFINITION.main, args([ADMIN_V4], admin_ports=[5985]))
    found = one(result, ADMIN_V4, group)
    assert found["status"] == "fail" and "all traffic from 0.0.0.0/0" in found["message"]
    assert "to port 5985" in found["message"]


@mock_aws
def test_unused_default_group_is_emptied_with_the_opt_in(run_module):
    ec2 = boto3.client("ec2", REGION)
    vpc = default_vpc(ec2)
    group = default_group(ec2, vpc)
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}])
    [egress] = [r["SecurityGroupRuleId"] for r in rules_of(ec2, group) if r["IsEgress"]]
    result = run_module(mod.DEFINITION.main, args([DEFAULT_SG]))
    found = one(result, DEFAULT_SG, group)
    assert found["status"] == "fail"
    assert "default security group %s of %s has 2 rules" % (group, vpc) in found["message"]
    assert "all traffic from %s; %s all traffic to 0.0.0.0/0" % (group, egress) in found["message"]
    assert "set restrict_default_security_groups: true to revoke them" in found["message"]
    assert len(rules_of(ec2, group)) == 2

    fixed = run_module(mod.DEFINITION.main, args([DEFAULT_SG], restrict_default_security_groups=True))
    found = one(fixed, DEFAULT_SG, group)
    assert found["status"] == "fixed"
    assert "ec2:RevokeSecurityGroupIngress, ec2:RevokeSecurityGroupEgress" in found["message"]
    assert rules_of(ec2, group) == []
    again = run_module(mod.DEFINITION.main, args([DEFAULT_SG], restrict_default_security_groups=True))
    assert [(f["status"], f["message"]) for f in again["findings"]] == [
        ("pass", "1 default security group: no inbound or outbound rule")]
    assert again["changed"] is False


@mock_aws
def test_default_group_used_by_an_instance_fails_naming_its_interface_even_with_the_opt_in(run_module):
    ec2 = boto3.client("ec2", REGION)
    group = default_group(ec2, default_vpc(ec2))
    launched = instance(ec2, "required")  # no group given: the default group
    eni = launched["NetworkInterfaces"][0]["NetworkInterfaceId"]
    result = run_module(mod.DEFINITION.main, args([DEFAULT_SG], restrict_default_security_groups=True))
    found = one(result, DEFAULT_SG, group)
    assert found["status"] == "fail"
    assert "used by %s: move them to a security group of their own first" % eni in found["message"]
    assert result["changed"] is False and len(rules_of(ec2, group)) == 1
    without = run_module(mod.DEFINITION.main, args([DEFAULT_SG]))
    assert "then set restrict_default_security_groups: true" in one(without, DEFAULT_SG, group)["message"]


@mock_aws
def test_a_default_group_rule_open_to_admin_ports_is_revoked_once_by_both_fixes(run_module):
    ec2 = boto3.client("ec2", REGION)
    group = default_group(ec2, default_vpc(ec2))
    ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="0.0.0.0/0")
    result = run_module(mod.DEFINITION.main, args([ADMIN_V4, DEFAULT_SG], restrict_default_security_groups=True,
                                                  revoke_open_admin_ports=True))
    assert one(result, ADMIN_V4, group)["status"] == "fixed"
    assert one(result, DEFAULT_SG, group)["status"] == "fixed"
    assert rules_of(ec2, group) == []


@mock_aws
def test_a_waived_group_is_reported_waived_and_not_revoked(run_module):
    ec2 = boto3.client("ec2", REGION)
    group = open_group(ec2)
    waiver = {"control": ADMIN_V4, "resource": group, "reason": "bastion behind a WAF", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, args([ADMIN_V4, ADMIN_V6], revoke_open_admin_ports=True, waivers=[waiver]))
    assert one(result, ADMIN_V4, group)["status"] == "waived"
    assert "bastion behind a WAF" in one(result, ADMIN_V4, group)["message"]
    assert one(result, ADMIN_V6, group)["status"] == "fixed"  # the waiver names the IPv4 control only
    assert [r for r in rules_of(ec2, group) if r.get("CidrIpv4") == "0.0.0.0/0" and r["FromPort"] in (22, 3000)]
    assert "ec2:RevokeSecurityGroupIngress %s (%s)" % (group, REGION) in result["actions"]
    assert len(result["actions"]) == 1  # the IPv6 revoke only


# --- network ACLs -----------------------------------------------------------------------------------

def inbound(ec2, acl):
    [got] = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
    return sorted((e["RuleNumber"], e["RuleAction"], e.get("CidrBlock") or e.get("Ipv6CidrBlock"),
                   (e.get("PortRange") or {}).get("From")) for e in got["Entries"] if not e["Egress"])


@mock_aws
def test_default_acl_gets_deny_entries_below_rule_100_then_passes(run_module):
    ec2 = boto3.client("ec2", REGION)
    [acl] = ec2.describe_network_acls()["NetworkAcls"]
    acl = acl["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=101, Protocol="-1", RuleAction="allow", Egress=False,
                                 Ipv6CidrBlock="::/0")
    audit = run_module(mod.DEFINITION.main, args([NACL]))
    found = one(audit, NACL, acl)
    assert found["status"] == "fail"
    assert "rule 100 allow all traffic from 0.0.0.0/0 (ports 22, 3389)" in found["message"]
    assert "rule 101 allow all traffic from ::/0 (ports 22, 3389)" in found["message"]
    assert "set block_nacl_admin_ports: true" in found["message"]

    fixed = run_module(mod.DEFINITION.main, args([NACL], block_nacl_admin_ports=True))
    assert one(fixed, NACL, acl)["status"] == "fixed"
    assert "deny 99 tcp 22 from 0.0.0.0/0, 98 tcp 3389 from 0.0.0.0/0, 97 tcp 22 from ::/0, 96 tcp 3389 from ::/0" \
        in one(fixed, NACL, acl)["message"]
    assert inbound(ec2, acl) == [(96, "deny", "::/0", 3389), (97, "deny", "::/0", 22), (98, "deny", "0.0.0.0/0", 3389),
                                 (99, "deny", "0.0.0.0/0", 22), (100, "allow", "0.0.0.0/0", None),
                                 (101, "allow", "::/0", None), (32767, "deny", "0.0.0.0/0", None)]
    again = run_module(mod.DEFINITION.main, args([NACL], block_nacl_admin_ports=True))
    assert [(f["status"], f["resource"]) for f in again["findings"]] == [("pass", "network-acls")]
    assert again["changed"] is False


@mock_aws
def test_acl_with_a_deny_ahead_passes_and_one_without_room_fails(run_module):
    ec2 = boto3.client("ec2", REGION)
    vpc = default_vpc(ec2)
    [default] = ec2.describe_network_acls()["NetworkAcls"]
    for number, port in ((90, 22), (91, 3389)):
        ec2.create_network_acl_entry(NetworkAclId=default["NetworkAclId"], RuleNumber=number, Protocol="6",
                                     RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": port, "To": port})
    cramped = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=cramped, RuleNumber=1, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 0, "To": 65535})
    result = run_module(mod.DEFINITION.main, args([NACL], block_nacl_admin_ports=True))
    assert one(result, NACL, "network-acls")["message"] == "1 network ACL: none admits 0.0.0.0/0 or ::/0 to 22, 3389"
    found = one(result, NACL, cramped)
    assert found["status"] == "fail" and "no free rule number below rule 1" in found["message"]
    assert "rule 1 allow tcp 0-65535 from 0.0.0.0/0" in found["message"] and found["message"].endswith("run again")
    assert result["changed"] is False
    audit = run_module(mod.DEFINITION.main, args([NACL]))
    assert one(audit, NACL, cramped)["message"].endswith("then set block_nacl_admin_ports: true")


# --- IMDSv2 -----------------------------------------------------------------------------------------

@mock_aws
def test_instance_allowing_imdsv1_fails_then_is_fixed_with_the_opt_in(run_module):
    ec2 = boto3.client("ec2", REGION)
    weak = instance(ec2, "optional")["InstanceId"]
    instance(ec2, "required")
    result = run_module(mod.DEFINITION.main, args([IMDS]))
    found = one(result, IMDS, weak)
    assert found["status"] == "fail" and "allows IMDSv1 (HttpTokens optional)" in found["message"]
    assert "set require_imdsv2_on_instances: true" in found["message"]
    assert one(result, IMDS, "instances")["message"] == "1 instance: IMDSv2 required or the metadata endpoint off"
    assert is_moto_gap(one(result, IMDS, "instance-metadata-defaults"))

    fixed = run_module(mod.DEFINITION.main, args([IMDS], require_imdsv2_on_instances=True))
    assert one(fixed, IMDS, weak)["status"] == "fixed"
    got = ec2.describe_instances(InstanceIds=[weak])["Reservations"][0]["Instances"][0]
    assert got["MetadataOptions"]["HttpTokens"] == "required"
    again = run_module(mod.DEFINITION.main, args([IMDS], require_imdsv2_on_instances=True))
    assert one(again, IMDS, "instances")["message"] == "2 instances: IMDSv2 required or the metadata endpoint off"
    assert again["changed"] is False


class MetadataDefaultsFake:
    """A Stubber on the EC2 client of REGION only (moto lacks the metadata defaults API). It
    queues exactly the calls network.imdsv2 makes there: the account default, its change when
    this run may make it, then the instances (none)."""

    def __init__(self, tokens, apply):
        self.tokens = tokens
        self.apply = apply
        self.stubbers = []

    def __call__(self, service, region, client):
        if service != "ec2" or region != REGION:
            return
        stubber = Stubber(client)
        level = {"HttpTokens": self.tokens} if self.tokens else {}
        stubber.add_response("get_instance_metadata_defaults", {"AccountLevel": level}, {})
        if self.apply and self.tokens != "required":
            stubber.add_response("modify_instance_metadata_defaults", {"Return": True}, {"HttpTokens": "required"})
        stubber.add_response("describe_instances", {"Reservations": []})
        stubber.activate()
        self.stubbers.append(stubber)

    def assert_done(self):
        assert self.stubbers, "no EC2 client of %s was made" % REGION
        for stubber in self.stubbers:
            stubber.assert_no_pending_responses()


@pytest.mark.parametrize("tokens,check_mode,status", [
    (None, True, "drift"),
    ("optional", False, "fixed"),
    ("required", False, "pass"),
])
@mock_aws
def test_account_default_through_a_stubber(run_module, monkeypatch, tokens, check_mode, status):
    fake = MetadataDefaultsFake(tokens, apply=not check_mode)
    on_new_clients(monkeypatch, fake)
    result = run_module(mod.DEFINITION.main, args([IMDS]), check_mode=check_mode)
    found = one(result, IMDS, "instance-metadata-defaults")
    assert found["status"] == status, found
    assert found["region"] == REGION
    if status != "pass":
        assert "allow IMDSv1" in found["message"] and "ec2:ModifyInstanceMetadataDefaults" in found["message"]
        assert "HttpTokens: %s" % (tokens or "no preference") in found["message"]
    assert result["changed"] is (status != "pass")
    assert one(result, IMDS, "instances")["status"] == "pass"
    fake.assert_done()


@mock_aws
def test_account_default_against_moto_alone_is_an_error_naming_the_operation(run_module):
    result = run_module(mod.DEFINITION.main, args([IMDS]), check_mode=True)
    found = one(result, IMDS, "instance-metadata-defaults")
    assert found["status"] == "error" and "GetInstanceMetadataDefaults" in found["message"]
    assert is_moto_gap(found) and real_errors(result["findings"]) == []
    assert one(result, IMDS, "instances")["status"] == "pass"  # the rest of the control is evaluated


# --- VPC flow logs ----------------------------------------------------------------------------------

def test_flow_logs_check_mode_writes_nothing_then_apply_makes_them_once(moto_server, run_module):
    params = args([FLOW_LOGS], regions=[REGION, HOME], flow_logs_retention_days=90)
    with Recorder(moto_server.url) as rec:
        audit = run_module(mod.DEFINITION.main, params, check_mode=True)
    assert rec.calls() and rec.writes() == []
    assert set(f["status"] for f in audit["findings"]) == {"drift"} and len(audit["findings"]) == 2
    assert "has no flow log: would create a flow log of rejected traffic to log group /bulwark/vpc-flow-logs" \
        in audit["findings"][0]["message"]
    assert audit["actions"][:2] == ["iam:CreateRole bulwark-vpc-flow-logs",
                                    "iam:PutRolePolicy bulwark-vpc-flow-logs/bulwark-vpc-flow-logs-delivery"]
    assert audit["flow_logs_role"] == {"name": "bulwark-vpc-flow-logs", "created": False,
                                       "arn": "arn:aws:iam::%s:role/bulwark-vpc-flow-logs" % ACCOUNT}

    applied = run_module(mod.DEFINITION.main, params)
    assert set(f["status"] for f in applied["findings"]) == {"fixed"} and applied["changed"] is True
    assert applied["flow_logs_role"]["created"] is True
    assert [a for a in applied["actions"] if a.startswith("iam:CreateRole")] == ["iam:CreateRole bulwark-vpc-flow-logs"]
    sess = boto3.session.Session(region_name=HOME)
    iam = sess.client("iam", endpoint_url=moto_server.url)
    role = iam.get_role(RoleName="bulwark-vpc-flow-logs")["Role"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    document = iam.get_role_policy(RoleName="bulwark-vpc-flow-logs", PolicyName=flow_logs.ROLE_POLICY_NAME)
    [allowed] = document["PolicyDocument"]["Statement"]
    assert allowed["Resource"] == "arn:aws:logs:*:%s:log-group:/bulwark/vpc-flow-logs:*" % ACCOUNT
    assert "logs:PutLogEvents" in allowed["Action"]
    for region in (REGION, HOME):
        logs = sess.client("logs", region_name=region, endpoint_url=moto_server.url)
        [group] = logs.describe_log_groups(logGroupNamePrefix="/bulwark/vpc-flow-logs")["logGroups"]
        assert group["retentionInDays"] == 90
        ec2 = sess.client("ec2", region_name=region, endpoint_url=moto_server.url)
        [flow] = ec2.describe_flow_logs()["FlowLogs"]
        assert (flow["ResourceId"], flow["TrafficType"], flow["LogGroupName"], flow["DeliverLogsPermissionArn"]) == (
            default_vpc(ec2), "REJECT", "/bulwark/vpc-flow-logs", role["Arn"])

    with Recorder(moto_server.url) as rec:
        again = run_module(mod.DEFINITION.main, params)
    assert again["changed"] is False and rec.writes() == []
    assert [f["message"] for f in again["findings"]] == ["1 VPC: an active flow log of rejected traffic"] * 2
    assert "flow_logs_role" not in again


@mock_aws
def test_existing_role_is_used_as_it_is_and_a_short_retention_is_raised(run_module):
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName="flow-logs", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    logs = boto3.client("logs", REGION)
    logs.create_log_group(logGroupName="vpc-logs")
    logs.put_retention_policy(logGroupName="vpc-logs", retentionInDays=30)
    ec2 = boto3.client("ec2", REGION)
    vpc = default_vpc(ec2)
    # An ACCEPT-only flow log does not count.
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ACCEPT", LogGroupName="accepted",
                         DeliverLogsPermissionArn=arn)
    params = args([FLOW_LOGS], flow_logs_role_name="flow-logs", flow_logs_log_group="vpc-logs",
                  flow_logs_traffic_type="ALL")
    result = run_module(mod.DEFINITION.main, params)
    found = one(result, FLOW_LOGS, vpc)
    assert found["status"] == "fixed" and "has no active flow log of rejected traffic (fl-" in found["message"]
    assert ": ACCEPT, ACTIVE)" in found["message"]
    assert "a flow log of all traffic to log group vpc-logs" in found["message"]
    assert result["flow_logs_role"] == {"name": "flow-logs", "arn": arn, "created": False}
    assert not [a for a in result["actions"] if a.startswith("iam:")]
    assert iam.list_role_policies(RoleName="flow-logs")["PolicyNames"] == []
    assert logs.describe_log_groups(logGroupNamePrefix="vpc-logs")["logGroups"][0]["retentionInDays"] == 365
    kinds = sorted(f["TrafficType"] for f in ec2.describe_flow_logs()["FlowLogs"])
    assert kinds == ["ACCEPT", "ALL"]


@mock_aws
def test_a_vpc_create_flow_logs_reports_unsuccessful_is_an_error_for_that_vpc_only(run_module, monkeypatch):
    ec2 = boto3.client("ec2", REGION)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    def unsuccessful(service, region, client):
        def answer(parsed, **_kwargs):
            parsed.setdefault("Unsuccessful", []).append(
                {"ResourceId": other, "Error": {"Code": "400", "Message": "Access error (injected by the test)"}})
        if service == "ec2" and region == REGION:
            client.meta.events.register("after-call.ec2.CreateFlowLogs", answer)

    on_new_clients(monkeypatch, unsuccessful)
    result = run_module(mod.DEFINITION.main, args([FLOW_LOGS]))
    assert one(result, FLOW_LOGS, default_vpc(ec2))["status"] == "fixed"
    failed = one(result, FLOW_LOGS, other)
    assert failed["status"] == "error" and "Access error (injected by the test)" in failed["message"]


# --- the whole module ---------------------------------------------------------------------------------

def test_check_mode_with_every_opt_in_makes_no_write_call(moto_server, run_module):
    from tests.support.seed import client, session

    ec2 = client(session(moto_server.url), "ec2", REGION)
    group = open_group(ec2)
    weak = instance(ec2, "optional", groups=[group])["InstanceId"]
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args(**OPT_INS), check_mode=True)
    assert rec.calls() and rec.writes() == []
    statuses = dict(((f["control"], f["resource"]), f["status"]) for f in result["findings"])
    assert statuses[(ADMIN_V4, group)] == statuses[(ADMIN_V6, group)] == statuses[(IMDS, weak)] == "drift"
    assert statuses[(DEFAULT_SG, default_group(ec2, default_vpc(ec2)))] == "drift"
    assert statuses[(FLOW_LOGS, default_vpc(ec2))] == "drift"
    assert [s for (c, _r), s in statuses.items() if c == NACL] == ["drift"]
    assert real_errors(result["findings"]) == []
    assert result["changed"] is True
    # One paginated read per kind and region, whatever the number of controls sharing it.
    operations = [op for _service, op, _region in rec.calls()]
    for op in ("DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeNetworkInterfaces",
               "DescribeNetworkAcls", "DescribeInstances", "DescribeVpcs", "DescribeFlowLogs"):
        assert operations.count(op) == 1, (op, operations)


@mock_aws
def test_a_region_denying_ec2_is_an_error_there_only(run_module, monkeypatch):
    denied = deny_region("eu-west-2")
    on_new_clients(monkeypatch, denied)
    result = run_module(mod.DEFINITION.main, args(regions=[REGION, "eu-west-2"], **OPT_INS), check_mode=True)
    assert "failed" not in result
    errors = [f for f in result["findings"] if f["status"] == "error" and not is_moto_gap(f)]
    assert set(f["region"] for f in errors) == {"eu-west-2"}
    assert sorted(set(f["control"] for f in errors)) == sorted(mod.CONTROLS)
    assert all("AccessDenied" in f["message"] for f in errors)
    [defaults] = [f for f in result["findings"] if f["region"] == "eu-west-2"
                  and f["resource"] == "instance-metadata-defaults"]
    assert defaults["status"] == "error"
    assert defaults["message"].startswith("ec2 GetInstanceMetadataDefaults failed: AccessDenied")
    assert not [f for f in result["findings"] if f["region"] == REGION and f["status"] == "error"
                and not is_moto_gap(f)]
    assert set(f["status"] for f in result["findings"] if f["region"] == REGION) >= {"pass", "drift"}
    assert denied.denied


@pytest.mark.parametrize("extra,message", [
    ({"admin_ports": [22, 70000]}, "admin_ports: 70000 is not a port number"),
    ({"admin_ports": []}, "admin_ports: give at least one port"),
    ({"flow_logs_retention_days": 13}, "flow_logs_retention_days: 13 is not a value CloudWatch Logs accepts"),
    ({"flow_logs_log_group": "bad group"}, "flow_logs_log_group: 'bad group' is not a valid log group name"),
    ({"flow_logs_role_name": "bad/role"}, "flow_logs_role_name: 'bad/role' is not a valid IAM role name"),
    ({"flow_logs_traffic_type": "ACCEPT"}, "flow_logs_traffic_type"),
    ({"regions": ["eu-west-9"]}, "regions: 'eu-west-9' is not an AWS region"),
    ({"controls": ["network.nope"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, extra, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, dict(args(), **extra))
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


def test_a_role_variable_names_the_opt_in(run_module):
    with mock_aws():
        result = run_module(mod.DEFINITION.main, args([NACL], option_names={
            "block_nacl_admin_ports": "bulwark_network_block_nacl_admin_ports"}))
    [found] = findings(result, NACL, "fail")
    assert "set bulwark_network_block_nacl_admin_ports: true to add inbound deny entries" in found["message"]
    assert json.dumps(result)  # plain data

"""Network seed steps (role network: security groups, network ACLs, IMDSv2, VPC flow logs).

insecure: moto already gives every region what a new account has: a default VPC whose default
security group has an outbound allow-all rule, whose default network ACL admits all inbound
traffic (rule 100) and which has no flow log. So every region fails
network.default_security_group, network.nacl_admin_ports and network.vpc_flow_logs without a
call here; nothing more of those is made. In the home region the steps add a security group
"web-admin" in the default VPC admitting tcp 22 from 0.0.0.0/0 and tcp 3389 from ::/0, and an
EC2 instance that allows IMDSv1 (HttpTokens optional), launched with web-admin only (its network
interface does not use the default security group, so emptying that group breaks nothing).
hardened: what a careful team set up by hand, in every enabled region: every default security
group emptied, inbound deny entries for tcp 22 and 3389 from 0.0.0.0/0 and ::/0 ahead of rule
100 in every default network ACL, and a flow log of rejected traffic on every VPC to a log group
and through a delivery role of their own names. In the home region an instance requiring IMDSv2,
in a security group of its own admitting only the VPC's own addresses to 443.

moto has no EC2 instance metadata defaults API (Get/ModifyInstanceMetadataDefaults), so neither
state can say anything about the account's default for new instances.

Plain API calls only: nothing here uses the module code it seeds for.
"""

import json

from tests.support.seed import client
from tests.support.seeds import guardrails

HOME = "us-east-1"
# An AMI every moto region and account has (moto.ec2.models.amis.AMIS; moto's own tests use it).
AMI = "ami-12c6146b"
ADMIN_GROUP = "web-admin"
INSECURE_INSTANCE = "insecure-web"
HARDENED_GROUP = "app-internal"
HARDENED_INSTANCE = "hardened-app"
DEFAULT_VPC_CIDR = "172.31.0.0/16"  # AWS's and moto's default VPC
FLOW_LOG_GROUP = "vpc-flow-logs"
FLOW_LOG_ROLE = "VpcFlowLogsRole"
# The hardened network ACL entries: (rule number, port, IPv4 or IPv6 source).
NACL_DENIES = ((90, 22, "0.0.0.0/0"), (91, 3389, "0.0.0.0/0"), (92, 22, "::/0"), (93, 3389, "::/0"))
# The role's opt-ins (all default false), on for `make demo` only (seed.demo_vars): never in
# PLAYBOOK_VARS, which other tests pass and which must keep the roles' default behaviour.
DEMO_OPT_INS = {
    "bulwark_network_restrict_default_security_groups": True,
    "bulwark_network_revoke_open_admin_ports": True,
    "bulwark_network_block_nacl_admin_ports": True,
    "bulwark_network_require_imdsv2_on_instances": True,
}


def _default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def _instance(ec2, name, group, http_tokens):
    ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SecurityGroupIds=[group],
                      MetadataOptions={"HttpTokens": http_tokens, "HttpEndpoint": "enabled"},
                      TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}])


def insecure(sess):
    """web-admin open to the internet on 22 (IPv4) and 3389 (IPv6); an instance allowing IMDSv1."""
    ec2 = client(sess, "ec2", HOME)
    group = ec2.create_security_group(GroupName=ADMIN_GROUP, Description="remote administration",
                                      VpcId=_default_vpc(ec2))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    _instance(ec2, INSECURE_INSTANCE, group, "optional")


def _flow_log_role(sess):
    """The delivery role flow logs assume (IAM is global: one for every region); its ARN."""
    iam = client(sess, "iam", HOME)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=FLOW_LOG_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=FLOW_LOG_ROLE, PolicyName="flow-logs-to-cloudwatch", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Resource": "*",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
                       "logs:DescribeLogStreams"]}]}))
    return arn


def _harden_region(sess, region, role):
    """About ten calls: the default security groups (one per VPC) name every VPC of the region."""
    ec2, logs = client(sess, "ec2", region), client(sess, "logs", region)
    defaults = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    for group in defaults:
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    acls = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    for acl in acls:
        for number, port, source in NACL_DENIES:
            entry = dict(NetworkAclId=acl["NetworkAclId"], RuleNumber=number, Protocol="6", RuleAction="deny",
                         Egress=False, PortRange={"From": port, "To": port})
            entry["Ipv6CidrBlock" if ":" in source else "CidrBlock"] = source
            ec2.create_network_acl_entry(**entry)
    logs.create_log_group(logGroupName=FLOW_LOG_GROUP)
    logs.put_retention_policy(logGroupName=FLOW_LOG_GROUP, retentionInDays=365)
    vpcs = sorted(set(group["VpcId"] for group in defaults))
    if vpcs:
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=vpcs, TrafficType="REJECT",
                             LogDestinationType="cloud-watch-logs", LogGroupName=FLOW_LOG_GROUP,
                             DeliverLogsPermissionArn=role)
    return ec2


def hardened(sess):
    """Default security groups empty, admin ports denied in the default network ACLs and flow logs
    on every VPC, in every enabled region; an IMDSv2-only instance in the home region."""
    role = _flow_log_role(sess)
    for region in guardrails.enabled_regions(sess):  # through the module: tests may narrow it
        ec2 = _harden_region(sess, region, role)
        if region == HOME:
            group = ec2.create_security_group(GroupName=HARDENED_GROUP, Description="HTTPS from inside the VPC",
                                              VpcId=_default_vpc(ec2))["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": DEFAULT_VPC_CIDR}]}])
            _instance(ec2, HARDENED_INSTANCE, group, "required")

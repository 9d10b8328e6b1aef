"""A compromised account, for investigate.yml's tests, benchmark and documented example.

    python -m tests.support.seed compromised --endpoint http://127.0.0.1:5000

Before the incident (made by the account's admin, not in the attacker's timeline): an IAM user
"mallory-ci" (a CI user) with an access key, a role "ci-deploy" it may assume, an instance
"prod-web" and a user "alice-admin" that are the owners' own.

The attacker holds mallory-ci's key. With it, for real against moto: in us-east-1 a backdoor
user "svc-backup" and its access key, a role "ops-lambda-exec", a bucket made public by its
policy, AdministratorAccess attached to ci-deploy, then an AssumeRole of ci-deploy whose session
lists the buckets; in each of us-east-1, eu-west-1 and ap-southeast-2 a security group open to
0.0.0.0/0 on port 22 and a tagged instance in it; in eu-west-1 a Lambda function.

moto keeps no CloudTrail event history (it has no LookupEvents), so the matching records are
seeded into the EMULATED event history of tests/support/cloudtrail_events.py, with the real
ids moto gave: the attacker's calls above, reads before them (GetCallerIdentity, ListUsers,
DescribeInstances per region), one failed call (AttachUserPolicy, AccessDenied), from two source
IPs; and one event of alice-admin's, which is not the attacker's. The role's AssumeRole names it
by ARN (as AWS does), the AttachRolePolicy by name.

Plain API calls only: nothing here uses the module code it seeds for.
"""

import datetime
import io
import json
import zipfile

import boto3

from tests.support import cloudtrail_events
from tests.support.seed import ACCOUNT_ID, SECRETS, account_id, client, create_key

HOME = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
AMI = "ami-12c6146b"  # an AMI every moto region has (seeds/network.py)
ATTACKER = "mallory-ci"
BACKDOOR_USER = "svc-backup"
ROLE = "ci-deploy"
LAMBDA_ROLE = "ops-lambda-exec"
FUNCTION = "ops-metrics-sync"
GROUP = "mallory-ssh"
OWNERS_USER = "alice-admin"
OWNERS_INSTANCE = "prod-web"
# The attacker's two addresses (documentation ranges, RFC 5737) and the owners' own.
ATTACKER_IPS = ("203.0.113.50", "198.51.100.23")
OWNERS_IP = "192.0.2.10"
ATTACKER_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.kali"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def bucket(account=ACCOUNT_ID):
    return "exfil-drop-%s" % account


def _trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})


def _identity(account, user, key):
    return {"type": "IAMUser", "principalId": "AIDA" + user.upper().replace("-", "")[:16], "accountId": account,
            "arn": "arn:aws:iam::%s:user/%s" % (account, user), "accessKeyId": key, "userName": user}


def _function_zip():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("lambda_function.py", "def handler(event, context):\n    return None\n")
    return data.getvalue()


def _before_the_incident(sess):
    """The owners' account: mallory-ci and its key, the ci-deploy role, alice-admin, prod-web."""
    iam = client(sess, "iam", HOME)
    iam.create_user(UserName=ATTACKER)
    key = iam.create_access_key(UserName=ATTACKER)["AccessKey"]
    SECRETS.add(key["SecretAccessKey"])
    iam.create_user(UserName=OWNERS_USER)
    account = account_id(sess)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::%s:root" % account}))
    ec2 = client(sess, "ec2", HOME)
    owners = ec2.run_instances(ImageId=AMI, InstanceType="t3.small", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": OWNERS_INSTANCE}]}])["Instances"][0]
    return key, owners["InstanceId"]


def _session_of(sess, key_id, secret, token=None):
    """A session acting with someone else's credentials, to the same moto_server."""
    other = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token,
                                  region_name=HOME)
    other.endpoint_url = sess.endpoint_url
    return other


def compromised(sess):
    """Seed the account and its emulated event history; returns what was made:
    {attacker_key, instances: {region: id}, groups: {region: id}, vpcs: {region: id}, backdoor_key,
    bucket, function, role_arn, session_key, owners_instance, regions, source_ips, events: {region: n}}."""
    key, owners_instance = _before_the_incident(sess)
    account = account_id(sess)
    attacker = _session_of(sess, key["AccessKeyId"], key["SecretAccessKey"])
    me = _identity(account, ATTACKER, key["AccessKeyId"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    clock = [now - datetime.timedelta(hours=5)]
    events = dict((r, []) for r in REGIONS)
    made = dict(attacker_key=key["AccessKeyId"], instances={}, groups={}, vpcs={}, owners_instance=owners_instance,
                regions=list(REGIONS), source_ips=list(ATTACKER_IPS), bucket=bucket(account), function=FUNCTION)

    def log(region, name, source, ip=ATTACKER_IPS[0], identity=None, minutes=3, **kwargs):
        """Record one call in ``region``'s history, ``minutes`` after the one before (mallory-ci's unless told)."""
        identity = identity or me
        clock[0] += datetime.timedelta(minutes=minutes)
        kwargs.setdefault("user_agent", ATTACKER_AGENT)
        events[region].append(cloudtrail_events.entry(clock[0], name, source, region, identity, ip, **kwargs))

    # Reconnaissance, from the first address.
    client(attacker, "sts", HOME).get_caller_identity()
    log(HOME, "GetCallerIdentity", "sts.amazonaws.com", read_only=True)
    iam = client(attacker, "iam", HOME)
    iam.list_users()
    log(HOME, "ListUsers", "iam.amazonaws.com", read_only=True)

    # Persistence: a backdoor user and its key; admin rights for it are refused.
    user = iam.create_user(UserName=BACKDOOR_USER)["User"]
    log(HOME, "CreateUser", "iam.amazonaws.com", request={"userName": BACKDOOR_USER},
        response={"user": {"userName": BACKDOOR_USER, "userId": user["UserId"], "arn": user["Arn"]}},
        resources=[("AWS::IAM::User", BACKDOOR_USER)])
    backdoor_key = create_key(iam, BACKDOOR_USER)
    made["backdoor_key"] = backdoor_key
    log(HOME, "CreateAccessKey", "iam.amazonaws.com", request={"userName": BACKDOOR_USER},
        response={"accessKey": {"accessKeyId": backdoor_key, "userName": BACKDOOR_USER, "status": "Active"}},
        resources=[("AWS::IAM::AccessKey", backdoor_key), ("AWS::IAM::User", BACKDOOR_USER)])
    log(HOME, "AttachUserPolicy", "iam.amazonaws.com", request={"userName": BACKDOOR_USER, "policyArn": ADMIN_POLICY},
        error=("AccessDenied", "User: %s is not authorized to perform: iam:AttachUserPolicy" % me["arn"]),
        resources=[("AWS::IAM::User", BACKDOOR_USER), ("AWS::IAM::Policy", ADMIN_POLICY)])

    # Escalation through the CI role, from the second address: admin rights, then a session.
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=ADMIN_POLICY)
    log(HOME, "AttachRolePolicy", "iam.amazonaws.com", ip=ATTACKER_IPS[1],
        request={"roleName": ROLE, "policyArn": ADMIN_POLICY},
        resources=[("AWS::IAM::Role", ROLE), ("AWS::IAM::Policy", ADMIN_POLICY)])
    role_arn = "arn:aws:iam::%s:role/%s" % (account, ROLE)
    creds = client(attacker, "sts", HOME).assume_role(RoleArn=role_arn, RoleSessionName="ci-run")["Credentials"]
    SECRETS.add(creds["SecretAccessKey"])
    SECRETS.add(creds["SessionToken"])
    made.update(role_arn=role_arn, session_key=creds["AccessKeyId"])
    log(HOME, "AssumeRole", "sts.amazonaws.com", ip=ATTACKER_IPS[1],
        request={"roleArn": role_arn, "roleSessionName": "ci-run"},
        response={"credentials": {"accessKeyId": creds["AccessKeyId"], "sessionToken": creds["SessionToken"],
                                  "expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")},
                  "assumedRoleUser": {"arn": "arn:aws:sts::%s:assumed-role/%s/ci-run" % (account, ROLE)}},
        resources=[("AWS::IAM::Role", role_arn)])
    role_session = _session_of(sess, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    client(role_session, "s3", HOME).list_buckets()
    session_identity = {"type": "AssumedRole", "accountId": account, "accessKeyId": creds["AccessKeyId"],
                        "arn": "arn:aws:sts::%s:assumed-role/%s/ci-run" % (account, ROLE)}
    log(HOME, "ListBuckets", "s3.amazonaws.com", ip=ATTACKER_IPS[1], identity=session_identity, read_only=True)

    # Exfiltration: a bucket anyone may read.
    s3 = client(attacker, "s3", HOME)
    s3.create_bucket(Bucket=made["bucket"])
    log(HOME, "CreateBucket", "s3.amazonaws.com", request={"bucketName": made["bucket"]},
        resources=[("AWS::S3::Bucket", made["bucket"])])
    s3.put_bucket_policy(Bucket=made["bucket"], Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::%s/*" % made["bucket"]}]}))
    log(HOME, "PutBucketPolicy", "s3.amazonaws.com", request={"bucketName": made["bucket"]},
        resources=[("AWS::S3::Bucket", made["bucket"])])

    # Compute in three regions, each reached from alternating addresses.
    for number, region in enumerate(REGIONS):
        ip = ATTACKER_IPS[number % 2]
        ec2 = client(attacker, "ec2", region)
        ec2.describe_instances()
        log(region, "DescribeInstances", "ec2.amazonaws.com", ip=ip, read_only=True)
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        group = ec2.create_security_group(GroupName=GROUP, Description="ssh", VpcId=vpc)["GroupId"]
        log(region, "CreateSecurityGroup", "ec2.amazonaws.com", ip=ip,
            request={"groupName": GROUP, "vpcId": vpc}, response={"_return": True, "groupId": group},
            resources=[("AWS::EC2::SecurityGroup", group), ("AWS::EC2::VPC", vpc)])
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        log(region, "AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", ip=ip,
            request={"groupId": group, "ipPermissions": {"items": [
                {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "0.0.0.0/0"}]}},
            resources=[("AWS::EC2::SecurityGroup", group)])
        instance = ec2.run_instances(
            ImageId=AMI, InstanceType="c5.4xlarge", MinCount=1, MaxCount=1, SecurityGroupIds=[group],
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "ci-runner"}]}],
        )["Instances"][0]["InstanceId"]
        log(region, "RunInstances", "ec2.amazonaws.com", ip=ip,
            request={"instanceType": "c5.4xlarge", "groupSet": {"items": [{"groupId": group}]}},
            response={"instancesSet": {"items": [{"instanceId": instance, "vpcId": vpc}]}},
            resources=[("AWS::EC2::Instance", instance), ("AWS::EC2::SecurityGroup", group)])
        made["instances"][region], made["groups"][region], made["vpcs"][region] = instance, group, vpc

    # A function in eu-west-1 under a role of the attacker's.
    role = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=_trust(
        {"Service": "lambda.amazonaws.com"}))["Role"]
    log(HOME, "CreateRole", "iam.amazonaws.com", request={"roleName": LAMBDA_ROLE},
        response={"role": {"roleName": LAMBDA_ROLE, "arn": role["Arn"]}}, resources=[("AWS::IAM::Role", LAMBDA_ROLE)])
    function = client(attacker, "lambda", "eu-west-1").create_function(
        FunctionName=FUNCTION, Runtime="python3.11", Role=role["Arn"], Handler="lambda_function.handler",
        Code={"ZipFile": _function_zip()})
    log("eu-west-1", "CreateFunction20150331", "lambda.amazonaws.com", ip=ATTACKER_IPS[1],
        request={"functionName": FUNCTION, "role": role["Arn"]},
        response={"functionName": FUNCTION, "functionArn": function["FunctionArn"]},
        resources=[("AWS::Lambda::Function", FUNCTION)])

    # The owners at work meanwhile: not the attacker's, never in mallory-ci's timeline.
    owner = _identity(account, OWNERS_USER, "AKIAOWNERSKEY0000001")
    log(HOME, "DescribeInstances", "ec2.amazonaws.com", ip=OWNERS_IP, identity=owner, read_only=True,
        user_agent="console.amazonaws.com")

    cloudtrail_events.seed(sess.endpoint_url, events)
    made["events"] = dict((r, len(e)) for r, e in events.items())
    made["attacker_events"] = dict((r, len([x for x in e if x["record"]["userIdentity"].get("userName") == ATTACKER]))
                                   for r, e in events.items())
    return made

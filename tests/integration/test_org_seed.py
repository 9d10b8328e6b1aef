"""tests/support/org.py: an Organization whose member accounts hold the seeds' named states.

moto keeps every account apart, as AWS does, except where AWS does not either: S3 bucket
names are global. So each member's seed must name its own account (ARNs, policies, the
s3control and budgets account ids) and buckets of its own, and the owner's values
(seed.playbook_vars) must name that account's buckets.
"""

import json

import pytest

from tests.support import org as org_support
from tests.support import seed
from tests.support.seeds import cloudtrail, guardrails, network, storage

DEFAULT = seed.ACCOUNT_ID  # moto's default account: the management account here


def members(url):
    """[(member n, account id)] of the Organization in moto, in creation (name) order."""
    org = seed.client(seed.session(url), "organizations")
    accounts = org.list_accounts()["Accounts"]
    named = sorted((a["Name"], a["Id"]) for a in accounts if a["Id"] != DEFAULT)
    return [(int(name.split("-")[-1]), account) for name, account in named]


def buckets(sess):
    return sorted(b["Name"] for b in seed.client(sess, "s3").list_buckets()["Buckets"])


def policy_texts(sess):
    """Every resource policy the seeds wrote in this account (buckets, KMS keys) and its roles' trust."""
    s3, kms, iam = (seed.client(sess, name) for name in ("s3", "kms", "iam"))
    texts = []
    for name in buckets(sess):
        try:
            texts.append(s3.get_bucket_policy(Bucket=name)["Policy"])
        except s3.exceptions.ClientError:
            pass
    for key in kms.list_keys()["Keys"]:
        texts.append(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    for role in iam.list_roles()["Roles"]:
        if role["RoleName"] != org_support.ROLE:  # moto's, trusting the management account
            texts.append(json.dumps(role["AssumeRolePolicyDocument"]))
    return texts


def assert_insecure(sess, account):
    vars_ = seed.playbook_vars(account)
    target = vars_["bulwark_cloudtrail_access_log_bucket"]
    assert target == "%s-%s" % (cloudtrail.ACCESS_LOG_TARGET, account)
    app_data = "%s-%s" % (storage.INSECURE_BUCKET, account)
    assert buckets(sess) == sorted([target, app_data])  # the owner's value names a bucket of this account
    policy = json.loads(seed.client(sess, "s3").get_bucket_policy(Bucket=target)["Policy"])
    assert policy["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == account
    policy = json.loads(seed.client(sess, "s3").get_bucket_policy(Bucket=app_data)["Policy"])
    assert policy["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::%s:root" % account
    # The network and storage examples are this account's own.
    ec2 = seed.client(sess, "ec2")
    reservations = ec2.describe_instances()["Reservations"]
    assert [(r["OwnerId"], i["MetadataOptions"]["HttpTokens"], [g["GroupName"] for g in i["SecurityGroups"]])
            for r in reservations for i in r["Instances"]] == [(account, "optional", [network.ADMIN_GROUP])]
    dbs = seed.client(sess, "rds").describe_db_instances()["DBInstances"]
    assert [(d["DBInstanceIdentifier"], d["StorageEncrypted"], d["PubliclyAccessible"]) for d in dbs] == [
        (storage.INSECURE_DB, False, True)]
    shares = seed.client(sess, "efs").describe_file_systems()["FileSystems"]
    assert [(f["CreationToken"], f["Encrypted"], f["OwnerId"]) for f in shares] == [
        (storage.INSECURE_SHARE, False, account)]
    # The shell-users group got the AWS managed policy: this account's IAM has them.
    attached = seed.client(sess, "iam").list_attached_group_policies(GroupName="shell-users")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSCloudShellFullAccess"]


def assert_hardened(sess, account):
    names = buckets(sess)
    assert names == sorted("%s-%s" % (b, account) for b in (cloudtrail.BUCKET, cloudtrail.ACCESS_LOG_BUCKET,
                                                            guardrails.CONFIG_BUCKET, storage.HARDENED_BUCKET)), names
    trail = seed.client(sess, "cloudtrail").describe_trails()["trailList"]
    assert [(t["Name"], t["S3BucketName"]) for t in trail] == [
        (cloudtrail.TRAIL, "%s-%s" % (cloudtrail.BUCKET, account))]
    assert trail[0]["TrailARN"].split(":")[4] == account
    for text in policy_texts(sess):
        assert DEFAULT not in text, text  # nothing names the management account
    assert any(account in text for text in policy_texts(sess))
    block = guardrails._s3control(sess).get_public_access_block(AccountId=account)
    assert all(block["PublicAccessBlockConfiguration"].values())
    budgets = seed.client(sess, "budgets").describe_budgets(AccountId=account)["Budgets"]
    assert [b["BudgetName"] for b in budgets] == [guardrails.BUDGET]
    channel = seed.client(sess, "config").describe_delivery_channels()["DeliveryChannels"]
    assert [c["s3BucketName"] for c in channel] == ["%s-%s" % (guardrails.CONFIG_BUCKET, account)]
    iam = seed.client(sess, "iam")
    admins = iam.list_attached_group_policies(GroupName="admins")["AttachedPolicies"]
    assert [p["PolicyName"] for p in admins] == ["AdministratorAccess"]
    support = iam.list_attached_role_policies(RoleName="support")["AttachedPolicies"]
    assert [p["PolicyName"] for p in support] == ["AWSSupportAccess"]
    ec2 = seed.client(sess, "ec2")
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    logs = ec2.describe_flow_logs()["FlowLogs"]
    assert [(f["ResourceId"], f["LogGroupName"]) for f in logs] == [(vpc, network.FLOW_LOG_GROUP) for vpc in vpcs]
    assert logs[0]["DeliverLogsPermissionArn"] == "arn:aws:iam::%s:role/%s" % (account, network.FLOW_LOG_ROLE)
    defaults = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert [(g["IpPermissions"], g["IpPermissionsEgress"]) for g in defaults] == [([], [])]
    dbs = seed.client(sess, "rds").describe_db_instances()["DBInstances"]
    assert [(d["DBInstanceIdentifier"], d["StorageEncrypted"], d["PubliclyAccessible"]) for d in dbs] == [
        (storage.HARDENED_DB, True, False)]
    shares = seed.client(sess, "efs").describe_file_systems()["FileSystems"]
    assert [(f["CreationToken"], f["Encrypted"]) for f in shares] == [(storage.HARDENED_SHARE, True)]


@pytest.fixture(autouse=True)
def _cheap_reset(moto_server, monkeypatch):
    """Reset after each test with AWS managed policies off: a reset rebuilds every account the
    test made, and with them that costs seconds per account (the next test's reset, with them
    on again, is then quick)."""
    yield
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
    org_support.reset(moto_server)


@pytest.fixture
def no_managed_policies(moto_server, monkeypatch):
    """moto builds an account's IAM without AWS managed policies while this is false (as the
    organization tests and benchmarks/org_scale.py set it, for speed)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


def test_the_cli_seeds_insecure_and_hardened_members(moto_server, capsys, monkeypatch):
    """python -m tests.support.org --insecure-every 2: member 0 insecure, member 1 hardened, every
    domain. The hardened guardrails and network steps go to the home region only here (both ask
    guardrails.enabled_regions): in every enabled region they took most of the test's time, and
    the account ids they name are the same in each."""
    monkeypatch.setattr(guardrails, "enabled_regions", lambda sess: [guardrails.HOME])
    assert org_support.main(["--endpoint", moto_server.url, "--members", "2", "--insecure-every", "2"]) == 0
    out = capsys.readouterr().out
    assert "organization with 2 members" in out
    found = members(moto_server.url)
    assert [n for n, _account in found] == [0, 1]
    for n, account in found:
        assert "%s  member-%02d" % (account, n) in out
        sess = org_support.member_session(moto_server.url, account)
        assert seed.account_id(sess) == account
        (assert_insecure if n % 2 == 0 else assert_hardened)(sess, account)
    # The management account was not seeded: nothing of the members' landed in it.
    assert buckets(seed.session(moto_server.url)) == []


def test_every_account_gets_buckets_of_its_own(moto_server, no_managed_policies):
    """The same seed in the default account and in members, side by side: no BucketAlreadyExists.
    The default account keeps the names tests, molecule and the demo have always used. (The
    buckets' seeds need no AWS managed policy: members are made without them, for speed.)"""
    default = seed.session(moto_server.url)
    cloudtrail.insecure(default)
    assert guardrails._config_bucket(default) == guardrails.CONFIG_BUCKET
    assert seed.playbook_vars() == seed.playbook_vars(DEFAULT)
    assert seed.playbook_vars()["bulwark_cloudtrail_access_log_bucket"] == cloudtrail.ACCESS_LOG_TARGET
    assert buckets(default) == sorted([cloudtrail.ACCESS_LOG_TARGET, guardrails.CONFIG_BUCKET])

    layout = org_support.create_organization(seed.client(default, "organizations"), members=4)
    for member, state in zip(layout["members"], ("insecure", "insecure", "hardened", "hardened")):
        account = member["id"]
        sess = org_support.seed_account(moto_server.url, account, state, domains=["cloudtrail"])
        assert guardrails._config_bucket(sess) == "%s-%s" % (guardrails.CONFIG_BUCKET, account)
        if state == "insecure":
            target = seed.playbook_vars(account)["bulwark_cloudtrail_access_log_bucket"]
            assert buckets(sess) == sorted([target, "%s-%s" % (guardrails.CONFIG_BUCKET, account)])
            assert target == "%s-%s" % (cloudtrail.ACCESS_LOG_TARGET, account)
        else:
            assert buckets(sess) == sorted("%s-%s" % (b, account) for b in (
                cloudtrail.BUCKET, cloudtrail.ACCESS_LOG_BUCKET, guardrails.CONFIG_BUCKET))
            for text in policy_texts(sess):
                assert DEFAULT not in text, text
        # Only the bucket differs from the default account's owner values.
        assert dict(seed.playbook_vars(account), bulwark_cloudtrail_access_log_bucket=None) == dict(
            seed.playbook_vars(), bulwark_cloudtrail_access_log_bucket=None)


def test_a_member_without_aws_managed_policies_is_refused_before_anything_is_made(moto_server, no_managed_policies):
    layout = org_support.create_organization(seed.client(seed.session(moto_server.url), "organizations"), members=1)
    account = layout["members"][0]["id"]
    # What the organization tests seed there still works: the IAM domain needs no AWS managed policy.
    org_support.seed_account(moto_server.url, account, "hardened", domains=["iam"])
    with pytest.raises(RuntimeError, match="MOTO_IAM_LOAD_MANAGED_POLICIES=true") as raised:
        org_support.seed_account(moto_server.url, account, "hardened", domains=["iam_hygiene"])
    assert "AdministratorAccess" in str(raised.value) and account in str(raised.value)
    iam = seed.client(org_support.member_session(moto_server.url, account), "iam")
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["readers"]  # no half-made admins group


def test_the_cli_refuses_a_moto_without_aws_managed_policies(moto_server, no_managed_policies, capsys):
    org_support.reset(moto_server)  # rebuilds the management account's IAM without them
    with pytest.raises(SystemExit) as raised:
        org_support.main(["--endpoint", moto_server.url, "--members", "2", "--insecure-every", "2"])
    assert raised.value.code == 2
    assert "MOTO_IAM_LOAD_MANAGED_POLICIES=true" in capsys.readouterr().err
    organizations = seed.client(seed.session(moto_server.url), "organizations")
    with pytest.raises(organizations.exceptions.AWSOrganizationsNotInUseException):
        organizations.describe_organization()  # refused before anything was made


def test_the_seed_cli_writes_the_owner_values_of_the_account_it_seeded(moto_server, tmp_path, capsys):
    """python -m tests.support.seed insecure --vars-file PATH: what docs/getting-started.md runs."""
    path = tmp_path / "owner-values.json"
    assert seed.main(["insecure", "--endpoint", moto_server.url, "--vars-file", str(path)]) == 0
    assert "seeded insecure" in capsys.readouterr().out
    assert json.loads(path.read_text()) == seed.playbook_vars()
    assert seed.playbook_vars()["bulwark_cloudtrail_access_log_bucket"] in buckets(seed.session(moto_server.url))

"""storage_security against moto: every bucket (TLS policy, Block Public Access), every RDS DB
instance and EFS file system of the evaluated regions.

Faults are injected on the module's own clients (tests/support/aws_faults.py): a hook that refuses
one bucket's GetBucketPolicy, deny_region for one region's RDS. Calls are counted by hooks on the
clients, or by moto's request recorder when the test runs against the moto_server.
"""

import json

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import storage_security as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage import common

from tests.support.aws_faults import deny_region, on_new_clients
from tests.support.recorder import Recorder

HOME = "us-east-1"
REGIONS = [HOME, "eu-west-1"]
ACCOUNT = "123456789012"
TLS, PAB = "s3.bucket_tls_only", "s3.bucket_public_access_block"
ENCRYPTED, MINOR, PUBLIC, EFS = ("rds.storage_encrypted", "rds.auto_minor_version_upgrade", "rds.no_public_access",
                                 "efs.encrypted")
OPT_INS = dict(enforce_bucket_tls=True, block_bucket_public_access=True, rds_enable_auto_minor_version_upgrade=True,
               rds_remove_public_access=True)
READ_STATEMENT = {"Sid": "TeamRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bucket/*"}
ALL_FOUR = dict(BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True)


@pytest.fixture(autouse=True)
def _no_managed_policies(monkeypatch):
    """moto builds its IAM backends (every partition) on the first EC2 call; without AWS's managed
    policies, which nothing here reads, that takes milliseconds instead of seconds (in-process moto)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


def args(**extra):
    base = {"regions": list(REGIONS)}
    base.update(extra)
    return base


def statuses(result):
    return dict(((f["control"], f["resource"], f["region"]), f["status"]) for f in result["findings"])


def finding(result, control, resource):
    [found] = [f for f in result["findings"] if f["control"] == control and f["resource"] == resource]
    return found


def make_bucket(name, region=HOME, statements=None):
    s3 = boto3.client("s3", region)
    kwargs = {} if region == HOME else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **kwargs)
    if statements:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def make_db(name, region="eu-west-1", encrypted=False, public=True, minor=False):
    boto3.client("rds", region).create_db_instance(
        DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin1",
        MasterUserPassword="password-123", AllocatedStorage=20, StorageEncrypted=encrypted, PubliclyAccessible=public,
        AutoMinorVersionUpgrade=minor)


def seed():
    """data-bucket (us-east-1, a policy of its own), logs-bucket (eu-west-1, no policy), one insecure DB
    instance and one unencrypted file system in eu-west-1."""
    make_bucket("data-bucket", statements=[READ_STATEMENT])
    make_bucket("logs-bucket", "eu-west-1")
    make_db("orders-db")
    return boto3.client("efs", "eu-west-1").create_file_system(CreationToken="shared", Encrypted=False)["FileSystemId"]


def policy_of(bucket, region=HOME):
    return json.loads(boto3.client("s3", region).get_bucket_policy(Bucket=bucket)["Policy"])


class Calls:
    """A hook (on_new_clients) that notes every call of the module's clients: (service, operation, region, bucket)."""

    def __init__(self):
        self.calls = []

    def __call__(self, service, region, client):
        def note(params, model, **_kwargs):
            self.calls.append((service, model.name, region, params.get("Bucket")))
        client.meta.events.register("provide-client-params.*.*", note)

    def operations(self, name):
        return [c for c in self.calls if c[1] == name]


class DenyBucketCall:
    """A hook: ``operation`` on ``bucket`` answers AccessDenied (before it reaches moto)."""

    def __init__(self, operation, bucket):
        self.operation, self.bucket = operation, bucket

    def __call__(self, service, region, client):
        if service != "s3":
            return

        def refuse(params, **_kwargs):
            if params.get("Bucket") == self.bucket:
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "Access Denied (injected by the test)"},
                     "ResponseMetadata": {"HTTPStatusCode": 403}}, self.operation)
        client.meta.events.register("before-parameter-build.s3.%s" % self.operation, refuse)


def test_the_module_s_controls_are_the_catalogue_s():
    assert mod.CONTROLS == list(common.S3_CONTROLS + common.REGIONAL)


# --- the whole cycle ------------------------------------------------------------------------------

@mock_aws
def test_without_opt_ins_every_control_fails_naming_its_option_and_nothing_changes(run_module):
    fs = seed()
    result = run_module(mod.DEFINITION.main, args())
    assert result["changed"] is False and result["actions"] == []
    assert result["buckets"] == 2
    got = statuses(result)
    for bucket, region in (("data-bucket", HOME), ("logs-bucket", "eu-west-1")):
        assert got[(TLS, bucket, region)] == "fail"
        assert got[(PAB, bucket, region)] == "fail"
    assert "set enforce_bucket_tls: true" in finding(result, TLS, "data-bucket")["message"]
    assert "set block_bucket_public_access: true" in finding(result, PAB, "logs-bucket")["message"]
    assert "off both in its own Block Public Access setting and in the account-level one" in finding(
        result, PAB, "logs-bucket")["message"]
    assert got[(ENCRYPTED, "orders-db", "eu-west-1")] == "fail"
    assert "cannot be turned on in place" in finding(result, ENCRYPTED, "orders-db")["message"]
    assert "set rds_enable_auto_minor_version_upgrade: true" in finding(result, MINOR, "orders-db")["message"]
    public = finding(result, PUBLIC, "orders-db")["message"]
    assert "set rds_remove_public_access: true" in public and "clients outside the VPC lose access" in public
    assert got[(EFS, fs, "eu-west-1")] == "fail"
    # us-east-1 has no DB instance nor file system: one pass per control, said so.
    for control in (ENCRYPTED, MINOR, PUBLIC):
        assert finding(result, control, "db-instances")["message"] == "no DB instances in this region"
    assert got[(EFS, "file-systems", HOME)] == "pass"
    assert [s["Sid"] for s in policy_of("data-bucket")["Statement"]] == ["TeamRead"]
    db = boto3.client("rds", "eu-west-1").describe_db_instances()["DBInstances"][0]
    assert db["PubliclyAccessible"] and not db["AutoMinorVersionUpgrade"]


@mock_aws
def test_through_a_role_the_messages_name_the_variables(run_module):
    make_bucket("data-bucket")
    names = {"enforce_bucket_tls": "bulwark_storage_enforce_bucket_tls"}
    result = run_module(mod.DEFINITION.main, args(controls=[TLS], option_names=names))
    assert "set bulwark_storage_enforce_bucket_tls: true" in result["findings"][0]["message"]


@mock_aws
def test_opt_ins_fix_what_can_be_fixed_then_a_second_apply_changes_nothing(run_module):
    fs = seed()
    first = run_module(mod.DEFINITION.main, args(**OPT_INS), diff=True)
    assert first["changed"] is True
    got = statuses(first)
    for bucket, region in (("data-bucket", HOME), ("logs-bucket", "eu-west-1")):
        assert got[(TLS, bucket, region)] == "fixed" and got[(PAB, bucket, region)] == "fixed"
    assert got[(MINOR, "orders-db", "eu-west-1")] == "fixed"
    assert got[(PUBLIC, "orders-db", "eu-west-1")] == "fixed"
    assert got[(ENCRYPTED, "orders-db", "eu-west-1")] == "fail"  # manual: no opt-in makes it fixable
    assert got[(EFS, fs, "eu-west-1")] == "fail"
    assert "keeping its 1 other statement" in finding(first, TLS, "data-bucket")["message"]
    assert "s3:PutBucketPolicy data-bucket (us-east-1)" in first["actions"]
    assert "rds:ModifyDBInstance orders-db PubliclyAccessible (eu-west-1)" in first["actions"]
    assert first["diff"]["after"]["s3.bucket_tls_only logs-bucket (eu-west-1)"] == "fixed"

    # The TLS deny was merged in: the old statement is kept, unchanged.
    statements = policy_of("data-bucket")["Statement"]
    assert statements[0] == READ_STATEMENT
    assert statements[1]["Sid"] == "DenyInsecureTransport" and statements[1]["Effect"] == "Deny"
    assert statements[1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert len(policy_of("logs-bucket", "eu-west-1")["Statement"]) == 1
    for bucket, region in (("data-bucket", HOME), ("logs-bucket", "eu-west-1")):
        got_pab = boto3.client("s3", region).get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert got_pab == ALL_FOUR
    db = boto3.client("rds", "eu-west-1").describe_db_instances()["DBInstances"][0]
    assert not db["PubliclyAccessible"] and db["AutoMinorVersionUpgrade"] and not db["StorageEncrypted"]

    second = run_module(mod.DEFINITION.main, args(**OPT_INS))
    assert second["changed"] is False and second["actions"] == []
    assert set(f["status"] for f in second["findings"] if f["control"] not in (ENCRYPTED, EFS)) == {"pass"}
    summaries = [(f["control"], f["region"], f["message"]) for f in second["findings"] if f["resource"] == "s3-buckets"]
    assert summaries == [(TLS, HOME, "1 bucket denies requests without TLS"),
                         (TLS, "eu-west-1", "1 bucket denies requests without TLS"),
                         (PAB, HOME, "1 bucket: public access blocked by its own setting"),
                         (PAB, "eu-west-1", "1 bucket: public access blocked by its own setting")]


@mock_aws
def test_enforce_false_reports_drift_and_writes_nothing(run_module):
    seed()
    result = run_module(mod.DEFINITION.main, args(enforce=False, **OPT_INS))
    assert result["changed"] is False
    got = statuses(result)
    assert got[(TLS, "data-bucket", HOME)] == "drift" and got[(PUBLIC, "orders-db", "eu-west-1")] == "drift"
    assert "would call s3:PutBucketPolicy (a Deny of s3:*" in finding(result, TLS, "data-bucket")["message"]
    assert [s["Sid"] for s in policy_of("data-bucket")["Statement"]] == ["TeamRead"]


def test_check_mode_makes_no_write_call(moto_server, run_module):
    seed()
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args(**OPT_INS), check_mode=True)
    assert result["changed"] is True
    got = statuses(result)
    assert got[(TLS, "data-bucket", HOME)] == "drift" and got[(PAB, "logs-bucket", "eu-west-1")] == "drift"
    assert got[(MINOR, "orders-db", "eu-west-1")] == "drift" and got[(PUBLIC, "orders-db", "eu-west-1")] == "drift"
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []
    assert ("s3", "GetBucketPolicy", "eu-west-1") in rec.calls()  # the bucket's own region
    assert ("s3", "GetPublicAccessBlock", HOME) in rec.calls()


# --- buckets in detail ----------------------------------------------------------------------------

@mock_aws
def test_account_level_block_passes_every_bucket_without_reading_theirs(run_module, monkeypatch):
    boto3.client("s3control", HOME).put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=ALL_FOUR)
    make_bucket("a-bucket")
    make_bucket("b-bucket")
    make_bucket("c-bucket", "eu-west-1")
    calls = Calls()
    on_new_clients(monkeypatch, calls)
    result = run_module(mod.DEFINITION.main, args(controls=[PAB], **OPT_INS))
    assert result["changed"] is False
    assert statuses(result) == {(PAB, "s3-buckets", HOME): "pass", (PAB, "s3-buckets", "eu-west-1"): "pass"}
    messages = [f["message"] for f in result["findings"]]
    assert messages[0].startswith("2 buckets: public access blocked by the account-level setting")
    assert messages[1].startswith("1 bucket: public access blocked by the account-level setting")
    # The account-level setting read once; no bucket's own setting read.
    assert [c[:2] for c in calls.operations("GetPublicAccessBlock")] == [("s3control", "GetPublicAccessBlock")]


@mock_aws
def test_each_finding_says_which_setting_blocks_public_access(run_module):
    boto3.client("s3control", HOME).put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=dict(
        ALL_FOUR, BlockPublicPolicy=False, RestrictPublicBuckets=False))
    for name in ("own-bucket", "both-bucket", "open-bucket"):
        make_bucket(name)
    s3 = boto3.client("s3", HOME)
    s3.put_public_access_block(Bucket="own-bucket", PublicAccessBlockConfiguration=ALL_FOUR)
    s3.put_public_access_block(Bucket="both-bucket", PublicAccessBlockConfiguration=dict(
        BlockPublicAcls=False, IgnorePublicAcls=False, BlockPublicPolicy=True, RestrictPublicBuckets=True))
    s3.put_public_access_block(Bucket="open-bucket", PublicAccessBlockConfiguration=dict(
        ALL_FOUR, RestrictPublicBuckets=False))
    result = run_module(mod.DEFINITION.main, args(controls=[PAB]))
    assert finding(result, PAB, "s3-buckets")["message"] == (
        "2 buckets: public access blocked 1 by its own setting, 1 by the account-level and its own settings together")
    open_bucket = finding(result, PAB, "open-bucket")
    assert open_bucket["status"] == "fail" and "RestrictPublicBuckets off both" in open_bucket["message"]


@mock_aws
def test_bucket_region_from_list_buckets_spares_get_bucket_location(run_module, monkeypatch):
    """AWS says each bucket's region in ListBuckets (moto does not): then no GetBucketLocation, and a
    bucket of a region not evaluated is not read at all."""
    make_bucket("here-bucket", "eu-west-1")
    make_bucket("there-bucket", "eu-west-2")
    calls = Calls()

    def add_region(service, region, client):
        def with_region(parsed, **_kwargs):
            for bucket in parsed.get("Buckets") or []:
                bucket["BucketRegion"] = "eu-west-1" if bucket["Name"] == "here-bucket" else "eu-west-2"
        if service == "s3":
            client.meta.events.register("after-call.s3.ListBuckets", with_region)

    on_new_clients(monkeypatch, calls, add_region)
    result = run_module(mod.DEFINITION.main, args(controls=[TLS, PAB]))
    assert result["buckets"] == 1
    assert statuses(result) == {(TLS, "here-bucket", "eu-west-1"): "fail", (PAB, "here-bucket", "eu-west-1"): "fail"}
    s3_calls = [c for c in calls.calls if c[0] == "s3"]
    assert s3_calls == [("s3", "ListBuckets", HOME, None), ("s3", "GetBucketPolicy", "eu-west-1", "here-bucket"),
                        ("s3", "GetPublicAccessBlock", "eu-west-1", "here-bucket")]


@mock_aws
def test_a_waived_bucket_is_waived_and_left_alone(run_module):
    make_bucket("www-bucket")
    make_bucket("data-bucket")
    waiver = {"control": PAB, "resource": "www-*", "reason": "static website", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, args(controls=[PAB], waivers=[waiver], **OPT_INS))
    www = finding(result, PAB, "www-bucket")
    assert www["status"] == "waived" and "static website" in www["message"]
    assert finding(result, PAB, "data-bucket")["status"] == "fixed"
    assert result["actions"] == ["s3:PutPublicAccessBlock data-bucket (us-east-1)"]
    with pytest.raises(botocore.exceptions.ClientError, match="NoSuchPublicAccessBlockConfiguration"):
        boto3.client("s3").get_public_access_block(Bucket="www-bucket")


@mock_aws
def test_a_bucket_whose_policy_read_is_denied_is_an_error_for_that_bucket_only(run_module, monkeypatch):
    for name in ("a-bucket", "secret-bucket", "z-bucket"):
        make_bucket(name)
    on_new_clients(monkeypatch, DenyBucketCall("GetBucketPolicy", "secret-bucket"))
    result = run_module(mod.DEFINITION.main, args(controls=[TLS, PAB], **OPT_INS))
    assert "failed" not in result
    errors = [(f["control"], f["resource"], f["region"]) for f in result["findings"] if f["status"] == "error"]
    assert errors == [(TLS, "secret-bucket", HOME)]
    message = finding(result, TLS, "secret-bucket")["message"]
    assert "AccessDenied" in message and "s3:GetBucketPolicy" in message
    got = statuses(result)
    assert got[(PAB, "secret-bucket", HOME)] == "fixed"  # its other control is still evaluated
    assert got[(TLS, "a-bucket", HOME)] == "fixed" and got[(TLS, "z-bucket", HOME)] == "fixed"


@mock_aws
def test_a_bucket_policy_that_is_not_a_policy_document_is_an_error_for_that_bucket_only(run_module):
    # seen: a probe's bucket policy "bulwark-probe" (moto stores any text) failed the whole module
    make_bucket("a-bucket")
    make_bucket("odd-bucket")
    boto3.client("s3", region_name=HOME).put_bucket_policy(Bucket="odd-bucket", Policy="bulwark-probe")
    result = run_module(mod.DEFINITION.main, args(controls=[TLS]))
    assert "failed" not in result
    assert statuses(result) == {(TLS, "odd-bucket", HOME): "error", (TLS, "a-bucket", HOME): "fail"}
    assert "cannot be read as a policy document" in finding(result, TLS, "odd-bucket")["message"]


@mock_aws
def test_a_refused_write_is_an_error_for_that_bucket_and_control_only(run_module, monkeypatch):
    make_bucket("a-bucket")
    make_bucket("locked-bucket")
    on_new_clients(monkeypatch, DenyBucketCall("PutBucketPolicy", "locked-bucket"))
    result = run_module(mod.DEFINITION.main, args(controls=[TLS, PAB], **OPT_INS))
    got = statuses(result)
    assert got == {(TLS, "a-bucket", HOME): "fixed", (PAB, "a-bucket", HOME): "fixed",
                   (TLS, "locked-bucket", HOME): "error", (PAB, "locked-bucket", HOME): "fixed"}
    message = finding(result, TLS, "locked-bucket")["message"]
    assert message.startswith("bucket locked-bucket has no bucket policy") and "s3:PutBucketPolicy" in message
    with pytest.raises(botocore.exceptions.ClientError, match="NoSuchBucketPolicy"):
        boto3.client("s3").get_bucket_policy(Bucket="locked-bucket")


@mock_aws
def test_account_level_setting_unreadable_leaves_only_buckets_blocked_on_their_own(run_module, monkeypatch):
    make_bucket("own-bucket")
    make_bucket("open-bucket")
    boto3.client("s3").put_public_access_block(Bucket="own-bucket", PublicAccessBlockConfiguration=ALL_FOUR)
    on_new_clients(monkeypatch, deny_region(HOME, services=["s3control"]))
    result = run_module(mod.DEFINITION.main, args(controls=[PAB], **OPT_INS))
    assert statuses(result) == {(PAB, "open-bucket", HOME): "error", (PAB, "s3-buckets", HOME): "pass"}
    assert "account-level setting cannot be read" in finding(result, PAB, "open-bucket")["message"]
    assert result["actions"] == []


@mock_aws
def test_a_statement_already_named_deny_insecure_transport_is_kept(run_module):
    narrow = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
              "Resource": "arn:aws:s3:::data-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    make_bucket("data-bucket", statements=[narrow])
    result = run_module(mod.DEFINITION.main, args(controls=[TLS], enforce_bucket_tls=True))
    assert result["findings"][0]["status"] == "fixed"
    statements = policy_of("data-bucket")["Statement"]
    assert statements[0] == narrow
    assert statements[1]["Sid"] == "BulwarkDenyInsecureTransport" and statements[1]["Action"] == "s3:*"


@mock_aws
def test_findings_come_in_bucket_order_whatever_the_concurrency(run_module):
    names = ["bucket-%02d" % n for n in range(12)]
    for n, name in enumerate(reversed(names)):
        make_bucket(name, REGIONS[n % 2])
    pooled = run_module(mod.DEFINITION.main, args(controls=[TLS], bucket_concurrency=8))
    assert [f["resource"] for f in pooled["findings"]] == names
    alone = run_module(mod.DEFINITION.main, args(controls=[TLS], bucket_concurrency=1))
    assert alone["findings"] == pooled["findings"]
    assert pooled["buckets"] == 12


@mock_aws
def test_an_account_without_buckets_passes_once(run_module):
    result = run_module(mod.DEFINITION.main, args(controls=[TLS, PAB]))
    assert statuses(result) == {(TLS, "s3-buckets", "global"): "pass", (PAB, "s3-buckets", "global"): "pass"}
    assert result["findings"][0]["message"] == "no S3 buckets in this account"
    assert result["buckets"] == 0


# --- RDS and EFS in detail ------------------------------------------------------------------------

@mock_aws
def test_compliant_instances_are_summed_up_per_region(run_module):
    make_db("a-db", encrypted=True, public=False, minor=True)
    make_db("b-db", encrypted=True, public=False, minor=True)
    make_db("c-db", encrypted=True, public=True, minor=True)
    boto3.client("efs", "eu-west-1").create_file_system(CreationToken="ok", Encrypted=True)
    result = run_module(mod.DEFINITION.main, args(regions=["eu-west-1"], controls=[ENCRYPTED, PUBLIC, EFS]))
    assert [(f["control"], f["status"], f["resource"], f["message"]) for f in result["findings"]] == [
        (ENCRYPTED, "pass", "db-instances", "3 DB instances are encrypted at rest"),
        (PUBLIC, "fail", "c-db", finding(result, PUBLIC, "c-db")["message"]),
        (PUBLIC, "pass", "db-instances", "2 DB instances are not publicly accessible"),
        (EFS, "pass", "file-systems", "1 file system is encrypted at rest"),
    ]


@mock_aws
def test_rds_denied_in_one_region_is_an_error_there_only(run_module, monkeypatch):
    make_db("orders-db", region="eu-west-2")
    make_db("other-db", region="eu-west-1")
    denied = deny_region("eu-west-2", services=["rds"])
    on_new_clients(monkeypatch, denied)
    result = run_module(mod.DEFINITION.main, args(regions=["eu-west-1", "eu-west-2"], controls=mod.CONTROLS[2:]))
    errors = [(f["control"], f["region"]) for f in result["findings"] if f["status"] == "error"]
    assert errors == [(ENCRYPTED, "eu-west-2"), (MINOR, "eu-west-2"), (PUBLIC, "eu-west-2")]
    assert all("AccessDenied" in f["message"] for f in result["findings"] if f["status"] == "error")
    got = statuses(result)
    assert got[(EFS, "file-systems", "eu-west-2")] == "pass"  # the region's other service goes on
    assert got[(PUBLIC, "other-db", "eu-west-1")] == "fail"
    assert denied.denied == [("rds", "DescribeDBInstances")]


@mock_aws
def test_a_waived_instance_is_not_made_private(run_module):
    make_db("public-db")
    waiver = {"control": PUBLIC, "resource": "public-db", "reason": "vendor access", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, args(regions=["eu-west-1"], controls=[PUBLIC], waivers=[waiver],
                                                  rds_remove_public_access=True))
    assert finding(result, PUBLIC, "public-db")["status"] == "waived"
    assert result["changed"] is False and result["actions"] == []
    assert boto3.client("rds", "eu-west-1").describe_db_instances()["DBInstances"][0]["PubliclyAccessible"]


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra,message", [
    ({"bucket_concurrency": 0}, "bucket_concurrency: 0 is out of range; give 1 to 64"),
    ({"bucket_concurrency": 65}, "bucket_concurrency: 65 is out of range"),
    ({"bucket_concurrency": 0, "option_names": {"bucket_concurrency": "bulwark_storage_bucket_concurrency"}},
     "bulwark_storage_bucket_concurrency: 0 is out of range"),
    ({"regions": ["us-east-9"]}, "regions: 'us-east-9' is not an AWS region"),
    ({"region_concurrency": 0}, "region_concurrency: 0 is out of range"),
    ({"controls": ["s3.account_public_access_block"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, extra, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, dict({"regions": REGIONS}, **extra))
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []

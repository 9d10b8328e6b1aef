"""cloudtrail_trail_ensure against moto (mock_aws in-process, moto_server for the recorder).

moto quirks met here (moto 5.2.5):
- get_bucket_versioning never reports MFADelete, even after put_bucket_versioning set it with
  an MFA: cloudtrail.bucket_mfa_delete cannot pass in moto (its pass path: Stubber test below).
- get_event_selectors of a trail without custom selectors returns empty lists (AWS returns its
  default selector, all management events); both mean "all management events".
- describe_trails answers HasCustomEventSelectors=False even after put_event_selectors.
- get_trail_status has no LatestCloudWatchLogsDeliveryError / delivery time: delivery is never
  simulated, so the delivery-error branch is tested with an after-call hook.
- logs.put_retention_policy accepts any number and create_trail / update_trail accept a KMS
  key from another region: the module's own validation is what refuses them.
- every email subscription is confirmed at once (AWS: pending until the recipient confirms).
"""

import datetime
import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy, s3_bucket
from ansible_collections.bulwark.aws.plugins.module_utils.checks import cloudtrail_trail_ensure as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail import run as run_state

from tests.support import seed
from tests.support.aws_faults import on_new_clients
from tests.support.recorder import Recorder
from tests.support.seeds import cloudtrail as seeds

ACCOUNT = "123456789012"
REGIONS = {"regions": ["us-east-1", "eu-west-1"]}  # kms.key_rotation: two regions keep the tests quick
TRAIL_ONLY = {"controls": mod.TRAIL_CONTROLS}  # no kms.key_rotation: no region listing, quicker
AUTO = [c for c in mod.CONTROLS
        if c not in ("cloudtrail.bucket_mfa_delete", "cloudtrail.bucket_access_logging",
                     "cloudtrail.s3_object_write_events", "cloudtrail.s3_object_read_events")]
DEFAULT_BUCKET = "bulwark-cloudtrail-%s-us-east-1" % ACCOUNT
DEFAULT_TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:%s:trail/bulwark-security-trail" % ACCOUNT


@pytest.fixture(autouse=True)
def _no_aws_managed_policies(monkeypatch):
    """Nothing here needs AWS managed policies; loading them makes every IAM call slower."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


def session():
    return seed.session(None)  # clients without endpoint: mock_aws answers


def only(result, control):
    found = result.by_control(control)
    assert len(found) == 1, found
    return found[0]


def deny(service_name, operation):
    """A hook making one operation answer AccessDenied."""
    from botocore.exceptions import ClientError

    def hook(service, _region, client):
        if service != service_name:
            return

        def refuse(**_kwargs):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "injected by the test"}}, operation)

        client.meta.events.register("before-call.%s.%s" % (client.meta.service_model.service_id.hyphenize(),
                                                           operation), refuse)
    return hook


# --- no trail ------------------------------------------------------------------------------

def test_no_trail_check_mode_is_drift_for_every_auto_control_and_writes_nothing(moto_server, run_module):
    seeds.insecure(seed.session(moto_server.url))
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, REGIONS, check_mode=True)
    statuses = result.statuses()
    assert all(statuses[c] == "drift" for c in AUTO), statuses
    assert statuses["cloudtrail.bucket_mfa_delete"] == "fail"
    assert statuses["cloudtrail.s3_object_write_events"] == "fail"
    assert "s3_data_events" in only(result, "cloudtrail.s3_object_read_events")["message"]
    assert result["changed"] is True and result["trail"]["exists"] is False
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []


@mock_aws
def test_no_trail_apply_creates_a_compliant_trail_and_a_second_apply_changes_nothing(run_module):
    first = run_module(mod.DEFINITION.main, REGIONS)
    assert first["changed"] is True
    statuses = first.statuses()
    assert all(statuses[c] == "fixed" for c in AUTO if c != "kms.key_rotation"), statuses
    assert statuses["kms.key_rotation"] == "pass"  # the key was created with rotation on

    ct = boto3.client("cloudtrail")
    trails = ct.describe_trails()["trailList"]
    assert [t["Name"] for t in trails] == ["bulwark-security-trail"]
    trail = trails[0]
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["IncludeGlobalServiceEvents"]
    assert ct.get_trail_status(Name=trail["TrailARN"])["IsLogging"]
    assert trail["KmsKeyId"] == first["kms_key_arn"]
    assert trail["CloudWatchLogsLogGroupArn"] == first["log_group_arn"]
    assert first["trail_arn"] == trail["TrailARN"] == DEFAULT_TRAIL_ARN

    second = run_module(mod.DEFINITION.main, REGIONS)
    assert second["changed"] is False, second["actions"]
    assert all(second.statuses()[c] == "pass" for c in AUTO), second.statuses()
    assert len(ct.describe_trails()["trailList"]) == 1


@mock_aws
def test_created_bucket_and_key_policies_check_out_statement_by_statement(run_module):
    result = run_module(mod.DEFINITION.main, {"controls": [c for c in mod.CONTROLS if c != "kms.key_rotation"]})
    s3 = boto3.client("s3")
    bucket_arn = "arn:aws:s3:::" + DEFAULT_BUCKET
    bucket_policy = policy.load(s3.get_bucket_policy(Bucket=DEFAULT_BUCKET)["Policy"])
    assert policy.has_tls_deny(bucket_policy, bucket_arn)
    assert not policy.grants_public(bucket_policy)
    for statement in ctu.bucket_statements(bucket_arn, None, ACCOUNT, DEFAULT_TRAIL_ARN):
        assert policy.grants_statement(bucket_policy, statement)
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == DEFAULT_TRAIL_ARN
    log_file = bucket_arn + "/AWSLogs/%s/CloudTrail/us-east-1/x.json.gz" % ACCOUNT
    context = {"aws:SourceArn": DEFAULT_TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control",
               "aws:SecureTransport": "true"}
    assert policy.allows(bucket_policy, ("Service", ctu.SERVICE), "s3:PutObject", log_file, context)
    other_trail = dict(context, **{"aws:SourceArn": DEFAULT_TRAIL_ARN.replace(ACCOUNT, "999999999999")})
    assert not policy.allows(bucket_policy, ("Service", ctu.SERVICE), "s3:PutObject", log_file, other_trail)
    block = s3.get_public_access_block(Bucket=DEFAULT_BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert s3.get_bucket_versioning(Bucket=DEFAULT_BUCKET)["Status"] == "Enabled"

    kms = boto3.client("kms")
    key_policy = policy.load(kms.get_key_policy(KeyId=result["kms_key_arn"], PolicyName="default")["Policy"])
    assert not policy.grants_public(key_policy)
    encrypt = {"aws:SourceArn": DEFAULT_TRAIL_ARN, "kms:EncryptionContext:aws:cloudtrail:arn": DEFAULT_TRAIL_ARN}
    assert policy.allows(key_policy, ("Service", ctu.SERVICE), "kms:GenerateDataKey", "*", encrypt)
    assert not policy.allows(key_policy, ("Service", ctu.SERVICE), "kms:GenerateDataKey", "*",
                             ctu.foreign_trail_context("aws"))
    assert kms.get_key_rotation_status(KeyId=result["kms_key_arn"])["KeyRotationEnabled"]
    group = boto3.client("logs").describe_log_groups(logGroupNamePrefix=result["log_group_name"])["logGroups"][0]
    assert group["retentionInDays"] == 365
    trust = boto3.client("iam").get_role(RoleName="bulwark-cloudtrail-cloudwatch-logs")["Role"]
    assert policy.allows(trust["AssumeRolePolicyDocument"], ("Service", ctu.SERVICE), "sts:AssumeRole", "*")


# --- an existing trail ----------------------------------------------------------------------

def single_region_trail_without_validation():
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="legacy-trail-logs")
    auditors = {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::legacy-trail-logs/*"}
    s3.put_bucket_policy(Bucket="legacy-trail-logs", Policy=json.dumps({"Version": "2012-10-17",
                                                                        "Statement": [auditors]}))
    boto3.client("cloudtrail").create_trail(Name="legacy-trail", S3BucketName="legacy-trail-logs")
    return auditors


@mock_aws
def test_single_region_trail_without_validation_is_fixed_in_place(run_module):
    auditors = single_region_trail_without_validation()
    check = run_module(mod.DEFINITION.main, TRAIL_ONLY, check_mode=True)
    assert "it logs one region only" in only(check, "cloudtrail.multi_region")["message"]
    assert "logging is stopped" in only(check, "cloudtrail.multi_region")["message"]
    assert only(check, "cloudtrail.log_file_validation")["message"].startswith("log file validation is off")

    result = run_module(mod.DEFINITION.main, TRAIL_ONLY, diff=True)
    assert result.statuses()["cloudtrail.multi_region"] == "fixed"
    assert result.statuses()["cloudtrail.log_file_validation"] == "fixed"
    trails = boto3.client("cloudtrail").describe_trails()["trailList"]
    assert [t["Name"] for t in trails] == ["legacy-trail"]  # same trail, no second one
    assert trails[0]["IsMultiRegionTrail"] and trails[0]["LogFileValidationEnabled"]
    assert trails[0]["S3BucketName"] == "legacy-trail-logs"
    [key] = [k for k in result["diff"]["before"] if k.startswith("cloudtrail.log_file_validation ")]
    assert result["diff"]["before"][key] == only(result, "cloudtrail.log_file_validation")["message"]
    assert result["diff"]["after"][key] == "fixed"
    assert any(k.startswith("cloudtrail.multi_region ") for k in result["diff"]["after"])
    # The bucket policy got CloudTrail's and the TLS statements; the auditors' one stayed.
    document = boto3.client("s3").get_bucket_policy(Bucket="legacy-trail-logs")["Policy"]
    assert any(policy.same_statement(auditors, s) for s in policy.statements(document))
    assert policy.has_tls_deny(document, "arn:aws:s3:::legacy-trail-logs")
    assert run_module(mod.DEFINITION.main, TRAIL_ONLY)["changed"] is False


@mock_aws
def test_compliant_trail_of_another_name_passes_and_nothing_is_created(run_module):
    seeds.hardened(session())
    result = run_module(mod.DEFINITION.main, REGIONS)
    statuses = result.statuses()
    assert result["changed"] is False, result["actions"]
    assert all(s == "pass" for c, s in statuses.items() if c != "cloudtrail.bucket_mfa_delete"), statuses
    assert statuses["cloudtrail.bucket_mfa_delete"] == "fail"  # moto never reports MFADelete
    assert "only the root user" in only(result, "cloudtrail.bucket_mfa_delete")["message"]
    assert result["trail"]["name"] == seeds.TRAIL and result["log_group_name"] == seeds.LOG_GROUP
    assert [t["Name"] for t in boto3.client("cloudtrail").describe_trails()["trailList"]] == [seeds.TRAIL]
    assert boto3.client("kms").list_aliases()["Aliases"] == [] or all(
        a["AliasName"] != "alias/bulwark-cloudtrail" for a in boto3.client("kms").list_aliases()["Aliases"])


@mock_aws
def test_multi_region_trail_homed_in_another_region_is_used_and_fixed_there(run_module):
    boto3.client("s3").create_bucket(Bucket="eu-trail-logs")
    eu = boto3.client("cloudtrail", region_name="eu-west-1")
    eu.create_trail(Name="eu-trail", S3BucketName="eu-trail-logs", IsMultiRegionTrail=True)
    result = run_module(mod.DEFINITION.main, dict(TRAIL_ONLY, controls=["cloudtrail.multi_region",
                                                                        "cloudtrail.log_file_validation"]))
    assert result["trail"]["home_region"] == "eu-west-1" and result["trail"]["name"] == "eu-trail"
    assert only(result, "cloudtrail.log_file_validation")["region"] == "eu-west-1"
    assert eu.describe_trails()["trailList"][0]["LogFileValidationEnabled"] is True
    assert eu.get_trail_status(Name="eu-trail")["IsLogging"] is True
    assert boto3.client("cloudtrail").describe_trails(includeShadowTrails=False)["trailList"] == []


def organization_trail(service, _region, client, selectors=None):
    """Answers as if the account were a member of an organization whose management account
    (111111111111) runs a compliant organization trail; moto has no organization trails."""
    from botocore.awsrequest import AWSResponse

    arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"
    answers = {
        "DescribeTrails": {"trailList": [{"Name": "org-trail", "TrailARN": arn, "HomeRegion": "us-east-1",
                                          "S3BucketName": "org-cloudtrail-logs", "IsMultiRegionTrail": True,
                                          "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": True,
                                          "LogFileValidationEnabled": True,
                                          "KmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/org"}]},
        "GetTrailStatus": {"IsLogging": True},
        "GetEventSelectors": dict({"TrailARN": arn}, **(selectors or {
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]})),
    }
    if service != "cloudtrail":
        return

    def answer(model, **_kwargs):
        if model.name in answers:
            return AWSResponse("https://stub.invalid/", 200, {}, None), dict(answers[model.name])
        return None
    client.meta.events.register("before-call.cloudtrail", answer)


@mock_aws
def test_organization_trail_of_the_management_account_counts_and_is_not_duplicated(run_module, monkeypatch):
    on_new_clients(monkeypatch, organization_trail)
    result = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    statuses = result.statuses()
    assert statuses["cloudtrail.multi_region"] == "pass" and statuses["cloudtrail.kms_encryption"] == "pass"
    assert statuses["cloudtrail.log_file_validation"] == "pass"
    assert statuses["cloudtrail.bucket_versioning"] == "manual"
    assert "account 111111111111" in only(result, "cloudtrail.bucket_versioning")["message"]
    assert statuses["cloudtrail.s3_object_write_events"] == "manual"
    assert result["changed"] is False
    assert boto3.client("s3").list_buckets()["Buckets"] == []


@mock_aws
def test_organization_trail_with_a_selector_prowler_does_not_recognise_is_manual(run_module, monkeypatch):
    old_name = {"AdvancedEventSelectors": [{"Name": "Management events", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}]}]}
    on_new_clients(monkeypatch, lambda service, region, client: organization_trail(service, region, client, old_name))
    result = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.multi_region"]})
    finding = only(result, "cloudtrail.multi_region")
    assert finding["status"] == "manual" and "account 111111111111" in finding["message"]
    assert "Management events selector" in finding["message"] and result["changed"] is False


@mock_aws
def test_bucket_policy_granting_s3_star_to_everyone_is_drift_and_only_that_statement_goes(run_module):
    seeds.hardened(session())
    s3 = boto3.client("s3")
    document = policy.load(s3.get_bucket_policy(Bucket=seeds.BUCKET)["Policy"])
    document["Statement"].append({"Sid": "Oops", "Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                  "Resource": ["arn:aws:s3:::%s" % seeds.BUCKET, "arn:aws:s3:::%s/*" % seeds.BUCKET]})
    s3.delete_public_access_block(Bucket=seeds.BUCKET)  # S3 refuses a public policy behind the block
    s3.put_bucket_policy(Bucket=seeds.BUCKET, Policy=json.dumps(document))

    check = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.bucket_not_public"]}, check_mode=True)
    finding = only(check, "cloudtrail.bucket_not_public")
    assert finding["status"] == "drift"
    assert "Allow s3:* to * on" in finding["message"] and "Sid Oops" in finding["message"]

    fixed = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.bucket_not_public"]})
    assert only(fixed, "cloudtrail.bucket_not_public")["status"] == "fixed"
    after = policy.load(s3.get_bucket_policy(Bucket=seeds.BUCKET)["Policy"])
    assert [s["Sid"] for s in after["Statement"]] == ["AWSCloudTrailAclCheck20150319", "AWSCloudTrailWrite20150319",
                                                      "HttpsOnly"]
    assert run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.bucket_not_public"]}).statuses() == {
        "cloudtrail.bucket_not_public": "pass"}


@mock_aws
def test_key_policy_open_to_everyone_or_unscoped_is_drift_and_is_rewritten(run_module):
    seeds.hardened(session())
    kms = boto3.client("kms")
    key = boto3.client("cloudtrail").describe_trails()["trailList"][0]["KmsKeyId"]
    document = policy.load(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    document["Statement"] += [
        {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"},
        {"Sid": "AnyTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*"},
    ]
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(document))

    finding = only(run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.kms_encryption"]}, check_mode=True),
                   "cloudtrail.kms_encryption")
    assert finding["status"] == "drift"
    assert "open to everyone: Allow kms:* to * on * (Sid Everyone)" in finding["message"]
    assert "any account's trail" in finding["message"] and "Sid AnyTrail" in finding["message"]

    assert run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.kms_encryption"]}).statuses() == {
        "cloudtrail.kms_encryption": "fixed"}
    sids = [s["Sid"] for s in policy.statements(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])]
    assert sids == ["Enable IAM User Permissions", "Allow CloudTrail to encrypt logs", "Allow CloudTrail to describe key"]


@mock_aws
def test_given_key_gets_cloudtrail_statements_merged_without_losing_its_own(run_module):
    kms = boto3.client("kms")
    key = kms.create_key(Description="team key")["KeyMetadata"]
    result = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.kms_encryption"], "kms_key_id": key["Arn"]})
    assert only(result, "cloudtrail.kms_encryption")["status"] == "fixed"
    document = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    assert [s["Sid"] for s in policy.statements(document)] == [
        "Enable IAM User Permissions", "AllowCloudTrailEncryptLogs", "AllowCloudTrailDescribeKey"]
    assert boto3.client("cloudtrail").describe_trails()["trailList"][0]["KmsKeyId"] == key["Arn"]


# --- the trail's key disabled or scheduled for deletion (a known way to silence CloudTrail) ----

KMS = "cloudtrail.kms_encryption"


def key_ids(kms):
    return sorted(k["KeyId"] for k in kms.list_keys()["Keys"])


def alias_target(kms, alias="alias/bulwark-cloudtrail"):
    return [a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias]


def test_trail_key_scheduled_for_deletion_is_reported_and_restored_without_a_new_key(moto_server, run_module):
    """Seen: the key was found PendingDeletion, a new key was created, CreateAlias failed (the alias
    still pointed at the doomed key), the trail stayed on the doomed key; every apply leaked a key."""
    seed.seed("insecure", moto_server.url)
    sess = seed.session(moto_server.url)
    kms, ct = seed.client(sess, "kms"), seed.client(sess, "cloudtrail")
    key = run_module(mod.DEFINITION.main, TRAIL_ONLY)["kms_key_arn"]
    keys = key_ids(kms)
    # by key id: moto 5.2 answers a key ARN here with a 500 (KeyError)
    deletion = kms.schedule_key_deletion(KeyId=key.rsplit("/", 1)[-1], PendingWindowInDays=7)["DeletionDate"]
    day = deletion.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d")

    with Recorder(moto_server.url) as rec:
        check = run_module(mod.DEFINITION.main, TRAIL_ONLY, check_mode=True)
    assert rec.writes() == []
    finding = only(check, KMS)
    assert finding["status"] == "drift", finding
    assert "%s is scheduled for deletion on %s" % (key, day) in finding["message"]
    assert "would cancel the key deletion and enable the key" in finding["message"]
    assert check.statuses()["cloudtrail.multi_region"] == "pass"

    fixed = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    assert only(fixed, KMS)["status"] == "fixed", only(fixed, KMS)
    assert "fixed: cancel the key deletion and enable the key" in only(fixed, KMS)["message"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert ct.describe_trails()["trailList"][0]["KmsKeyId"] == key == fixed["kms_key_arn"]
    assert alias_target(kms) == [key.rsplit("/", 1)[-1]]
    assert key_ids(kms) == keys, "a new key was created"

    again = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    assert again["changed"] is False, again["actions"]
    assert only(again, KMS)["status"] == "pass" and key_ids(kms) == keys


@mock_aws
def test_disabled_trail_key_is_enabled_again(run_module):
    key = run_module(mod.DEFINITION.main, {"controls": [KMS]})["kms_key_arn"]
    kms = boto3.client("kms")
    kms.disable_key(KeyId=key.rsplit("/", 1)[-1])  # by id: moto 5.2 fails on an ARN
    check = only(run_module(mod.DEFINITION.main, {"controls": [KMS]}, check_mode=True), KMS)
    assert check["status"] == "drift" and "%s is disabled" % key in check["message"]
    assert only(run_module(mod.DEFINITION.main, {"controls": [KMS]}), KMS)["status"] == "fixed"
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert len(kms.list_keys()["Keys"]) == 1
    assert run_module(mod.DEFINITION.main, {"controls": [KMS]})["changed"] is False


@mock_aws
def test_alias_key_scheduled_for_deletion_before_the_trail_used_it_is_restored_not_replaced(run_module):
    kms = boto3.client("kms")
    key = kms.create_key(Description="made by an earlier run")["KeyMetadata"]
    kms.create_alias(AliasName="alias/bulwark-cloudtrail", TargetKeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    result = run_module(mod.DEFINITION.main, {"controls": [KMS, "cloudtrail.multi_region"]})
    assert only(result, KMS)["status"] == "fixed" and result["kms_key_arn"] == key["Arn"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert key_ids(kms) == [key["KeyId"]]
    assert boto3.client("cloudtrail").describe_trails()["trailList"][0]["KmsKeyId"] == key["Arn"]


def answer_describe_key(metadata):
    """A hook: kms DescribeKey of metadata's key answers ``metadata`` (a key moto cannot hold)."""
    from botocore.awsrequest import AWSResponse

    def hook(service, _region, client):
        if service != "kms":
            return

        def answer(params, **_kwargs):
            if json.loads(params["body"]).get("KeyId") in (metadata["Arn"], metadata["KeyId"]):
                return AWSResponse("https://stub.invalid/", 200, {}, None), {"KeyMetadata": dict(metadata)}
            return None
        client.meta.events.register("before-call.kms.DescribeKey", answer)
    return hook


@mock_aws
def test_doomed_key_of_another_account_is_a_fail_saying_what_to_do_and_no_key_is_made(run_module, monkeypatch):
    seeds.hardened(session())
    other = "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    boto3.client("cloudtrail").update_trail(Name=seeds.TRAIL, KmsKeyId=other)
    kms = boto3.client("kms")
    keys = key_ids(kms)
    on_new_clients(monkeypatch, answer_describe_key({
        "KeyId": other.rsplit("/", 1)[-1], "Arn": other, "AWSAccountId": "999999999999", "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "PendingDeletion", "Enabled": False,
        "DeletionDate": datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone.utc)}))
    for _run in range(2):
        result = run_module(mod.DEFINITION.main, {"controls": [KMS]})
        finding = only(result, KMS)
        assert finding["status"] == "fail", finding
        assert "scheduled for deletion on 2030-01-02" in finding["message"]
        assert "account 999999999999" in finding["message"] and "cancel-key-deletion" in finding["message"]
        assert result["changed"] is False and key_ids(kms) == keys
    assert boto3.client("cloudtrail").describe_trails()["trailList"][0]["KmsKeyId"] == other


@mock_aws
def test_key_deletion_that_cannot_be_cancelled_is_an_error_saying_what_to_do_and_no_key_is_made(run_module, monkeypatch):
    key = run_module(mod.DEFINITION.main, {"controls": [KMS]})["kms_key_arn"]
    kms = boto3.client("kms")
    kms.schedule_key_deletion(KeyId=key.rsplit("/", 1)[-1], PendingWindowInDays=7)
    on_new_clients(monkeypatch, deny("kms", "CancelKeyDeletion"))
    for _run in range(2):
        finding = only(run_module(mod.DEFINITION.main, {"controls": [KMS]}), KMS)
        assert finding["status"] == "error", finding
        assert "CancelKeyDeletion" in finding["message"] and "scheduled for deletion on" in finding["message"]
        assert "cancel-key-deletion" in finding["message"]
        assert len(kms.list_keys()["Keys"]) == 1


@mock_aws
def test_a_key_created_while_another_run_took_the_alias_is_retired_and_the_winners_key_used(run_module, monkeypatch):
    """Two applies at once: both find no alias and create a key; the one whose CreateAlias comes
    second must not leave its key behind (seen: an orphan key) nor end in error findings."""
    kms = boto3.client("kms")
    winner = {}

    def race(service, _region, client):
        if service != "kms":
            return

        def other_run_wins(**_kwargs):
            if not winner:
                winner.update(kms.create_key(Description="the other run's key")["KeyMetadata"])
                kms.create_alias(AliasName="alias/bulwark-cloudtrail", TargetKeyId=winner["KeyId"])
        client.meta.events.register("before-call.kms.CreateAlias", other_run_wins)
    on_new_clients(monkeypatch, race)
    result = run_module(mod.DEFINITION.main, {"controls": [KMS, "cloudtrail.multi_region"]})
    assert only(result, KMS)["status"] == "fixed", only(result, KMS)
    assert result["kms_key_arn"] == winner["Arn"]
    assert boto3.client("cloudtrail").describe_trails()["trailList"][0]["KmsKeyId"] == winner["Arn"]
    states = dict((k["KeyId"], kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"])
                  for k in kms.list_keys()["Keys"])
    assert states.pop(winner["KeyId"]) == "Enabled"
    assert list(states.values()) == ["PendingDeletion"], states  # this run's own, never used
    assert any(a.startswith("kms:ScheduleKeyDeletion") for a in result["actions"])


@mock_aws
def test_bucket_log_group_role_and_trail_made_meanwhile_by_another_run_are_taken_not_errors(run_module, monkeypatch):
    """Two applies at once: both find nothing and create it all; the second create of each answers
    AlreadyExists (AWS; moto answers a second CreateTrail and CreateBucket in us-east-1 with success,
    so those errors are raised here as AWS does). Seen: error findings for the run that came second."""
    from botocore.exceptions import ClientError

    plain = dict((name, boto3.client(name)) for name in ("s3", "logs", "iam", "cloudtrail"))
    made = []
    raises = {"CreateBucket": "BucketAlreadyOwnedByYou", "CreateTrail": "TrailAlreadyExistsException"}

    def other_run_first(service, _region, client):
        def create_first(params, model, **_kwargs):
            made.append(model.name)
            getattr(plain[service], {"CreateBucket": "create_bucket", "CreateLogGroup": "create_log_group",
                                     "CreateRole": "create_role", "CreateTrail": "create_trail"}[model.name])(**params)
            if model.name in raises:
                raise ClientError({"Error": {"Code": raises[model.name], "Message": "made by the other run"}},
                                  model.name)
        for operation in {"s3": ["CreateBucket"], "logs": ["CreateLogGroup"], "iam": ["CreateRole"],
                          "cloudtrail": ["CreateTrail"]}.get(service, []):
            client.meta.events.register("provide-client-params.%s.%s" % (
                client.meta.service_model.service_id.hyphenize(), operation), create_first)
    on_new_clients(monkeypatch, other_run_first)
    result = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    assert sorted(made) == ["CreateBucket", "CreateLogGroup", "CreateRole", "CreateTrail"]
    assert [f for f in result["findings"] if f["status"] == "error"] == []
    statuses = result.statuses()
    assert all(statuses[c] == "fixed" for c in AUTO if c != "kms.key_rotation"), statuses
    trail = boto3.client("cloudtrail").describe_trails()["trailList"][0]
    assert trail["KmsKeyId"] == result["kms_key_arn"] and trail["CloudWatchLogsLogGroupArn"] == result["log_group_arn"]
    again = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    assert again["changed"] is False, again["actions"]


@mock_aws
def test_log_retention_is_raised_but_never_shortened(run_module):
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName="short")
    logs.put_retention_policy(logGroupName="short", retentionInDays=30)
    logs.create_log_group(logGroupName="forever")
    for name, expected in (("short", 365), ("forever", None)):
        run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.cloudwatch_logs"], "log_group_name": name})
        group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        assert group.get("retentionInDays") == expected


# --- data events (opt-in) --------------------------------------------------------------------

@mock_aws
def test_s3_write_events_only_when_asked_and_existing_selectors_kept(run_module):
    single_region_trail_without_validation()
    ct = boto3.client("cloudtrail")
    lambda_events = {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}
    ct.put_event_selectors(TrailName="legacy-trail", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": [lambda_events]}])
    controls = ["cloudtrail.multi_region", "cloudtrail.s3_object_write_events", "cloudtrail.s3_object_read_events"]
    result = run_module(mod.DEFINITION.main, {"controls": controls, "s3_data_events": ["write"]})
    statuses = result.statuses()
    assert statuses == {"cloudtrail.multi_region": "fixed", "cloudtrail.s3_object_write_events": "fixed",
                        "cloudtrail.s3_object_read_events": "fail"}
    assert "read management events are not logged" in only(result, "cloudtrail.multi_region")["message"]
    selectors = ct.get_event_selectors(TrailName="legacy-trail")
    assert ctu.management_gap(selectors) is None
    assert ctu.s3_data_events(selectors) == {"write"}
    assert any(lambda_events in s["DataResources"] for s in selectors["EventSelectors"])
    assert run_module(mod.DEFINITION.main, {"controls": controls, "s3_data_events": ["write"]})["changed"] is False


@mock_aws
def test_s3_read_events_when_asked_are_added_to_the_write_events(run_module):
    single_region_trail_without_validation()
    controls = ["cloudtrail.s3_object_write_events", "cloudtrail.s3_object_read_events"]
    first = run_module(mod.DEFINITION.main, {"controls": controls, "s3_data_events": ["write"]})
    assert first.statuses() == {"cloudtrail.s3_object_write_events": "fixed", "cloudtrail.s3_object_read_events": "fail"}
    check = run_module(mod.DEFINITION.main, {"controls": controls, "s3_data_events": ["read", "write"]}, check_mode=True)
    assert check.statuses() == {"cloudtrail.s3_object_write_events": "pass", "cloudtrail.s3_object_read_events": "drift"}
    both = run_module(mod.DEFINITION.main, {"controls": controls, "s3_data_events": ["read", "write"]})
    assert both.statuses() == {"cloudtrail.s3_object_write_events": "pass", "cloudtrail.s3_object_read_events": "fixed"}
    assert ctu.s3_data_events(boto3.client("cloudtrail").get_event_selectors(TrailName="legacy-trail")) == {"read", "write"}


@pytest.mark.parametrize("selectors,gap", [
    ({}, None),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}, None),
    ({"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True},
                         {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}, None),
    ({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]},
     "read management events are not logged"),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]},
     "read and write management events are not logged"),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                          "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]},
     "read and write management events are not logged (a selector excludes or filters kms.amazonaws.com)"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}, None),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                     {"Field": "readOnly", "Equals": ["false"]}]}]},
     "read management events are not logged"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                     {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]}]},
     "read and write management events are not logged (a selector excludes or filters eventSource)"),
])
def test_management_gap(selectors, gap):
    assert ctu.management_gap(selectors) == gap


@pytest.mark.parametrize("selectors,logged", [
    ({"EventSelectors": [{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object",
                                                                     "Values": ["arn:aws:s3"]}]}]}, {"read", "write"}),
    ({"EventSelectors": [{"ReadWriteType": "WriteOnly", "DataResources": [{"Type": "AWS::S3::Object",
                                                                           "Values": ["arn:aws:s3:::"]}]}]}, {"write"}),
    ({"EventSelectors": [{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object",
                                                                     "Values": ["arn:aws:s3:::one-bucket/"]}]}]}, set()),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                     {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                                     {"Field": "readOnly", "Equals": ["true"]}]}]}, {"read"}),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::one-bucket/"]}]}]}, set()),
])
def test_s3_data_events_cover_every_bucket_only(selectors, logged):
    assert ctu.s3_data_events(selectors) == logged


def test_desired_advanced_selectors_replace_the_management_selector_and_keep_data_ones():
    lambda_selector = {"Name": "lambda", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                            {"Field": "resources.type",
                                                             "Equals": ["AWS::Lambda::Function"]}]}
    writes_only = {"Name": "writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                        {"Field": "readOnly", "Equals": ["false"]}]}
    current = {"AdvancedEventSelectors": [writes_only, lambda_selector]}
    desired = ctu.desired_selectors(current, True, {"read", "write"})
    assert ctu.management_gap(desired) is None and ctu.management_selector_issue(desired) is None
    assert ctu.s3_data_events(desired) == {"read", "write"}
    assert lambda_selector in desired["AdvancedEventSelectors"]
    management = [s for s in desired["AdvancedEventSelectors"]
                  if s["FieldSelectors"][0] == {"Field": "eventCategory", "Equals": ["Management"]}]
    # The name the AWS console gives it and Prowler's check reads; one selector, no readOnly field.
    assert management == [{"Name": "Management events selector",
                           "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]


MANAGEMENT_ONLY = [{"Field": "eventCategory", "Equals": ["Management"]}]


@pytest.mark.parametrize("selectors,issue", [
    ({}, None),  # AWS's default selector (moto: empty lists)
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]}, None),
    ({"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True},
                         {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]},
     "no event selector logs all management events with ReadWriteType All"),
    ({"AdvancedEventSelectors": [{"Name": "Management events selector", "FieldSelectors": MANAGEMENT_ONLY}]}, None),
    ({"AdvancedEventSelectors": [{"Name": "Management events", "FieldSelectors": MANAGEMENT_ONLY}]},
     "the advanced event selector logging management events is named 'Management events'"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": MANAGEMENT_ONLY}]},
     "the advanced event selector logging management events has no name"),
    ({"AdvancedEventSelectors": [
        {"Name": "Management events selector", "FieldSelectors": MANAGEMENT_ONLY + [
            {"Field": "readOnly", "Equals": ["false"]}]},
        {"Name": "reads", "FieldSelectors": MANAGEMENT_ONLY + [{"Field": "readOnly", "Equals": ["true"]}]}]},
     "no advanced event selector logs read and write management events together"),
])
def test_management_selector_issue_is_what_cis_and_prowler_do_not_recognise(selectors, issue):
    found = ctu.management_selector_issue(selectors)
    if issue is None:
        assert found is None
    else:
        assert found.startswith(issue), found
    assert ctu.management_gap(selectors) is None  # every one logs all management events


def test_a_selector_named_otherwise_still_logs_everything_for_the_log_group_lookup():
    """log_metric_alarms looks for the trail that logs everything: the selector's name is no logging gap."""
    state = {"trail": {"Name": "t", "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True,
                       "TrailARN": "arn:aws:cloudtrail:us-east-1:%s:trail/t" % ACCOUNT},
             "status": {"IsLogging": True},
             "selectors": {"AdvancedEventSelectors": [{"Name": "Management events", "FieldSelectors": MANAGEMENT_ONLY}]}}
    assert ctu.logging_gaps(state) == []


def advanced_trail(management_selectors):
    """A compliant multi-region trail of its own whose advanced selectors are given, plus a Lambda data selector."""
    seeds.hardened(session())
    lambda_selector = {"Name": "lambda", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                            {"Field": "resources.type",
                                                             "Equals": ["AWS::Lambda::Function"]}]}
    ct = boto3.client("cloudtrail")
    ct.put_event_selectors(TrailName=seeds.TRAIL, AdvancedEventSelectors=management_selectors + [lambda_selector])
    return ct, lambda_selector


@mock_aws
def test_bulwarks_old_selector_name_is_drift_and_renamed_without_a_second_selector(run_module):
    ct, lambda_selector = advanced_trail([{"Name": "Management events", "FieldSelectors": MANAGEMENT_ONLY}])
    args = {"controls": ["cloudtrail.multi_region"]}
    check = only(run_module(mod.DEFINITION.main, args, check_mode=True), "cloudtrail.multi_region")
    assert check["status"] == "drift"
    assert "named 'Management events'" in check["message"] and "Management events selector" in check["message"]

    fixed = run_module(mod.DEFINITION.main, args)
    assert only(fixed, "cloudtrail.multi_region")["status"] == "fixed"
    selectors = ct.get_event_selectors(TrailName=seeds.TRAIL)["AdvancedEventSelectors"]
    assert selectors == [{"Name": "Management events selector", "FieldSelectors": MANAGEMENT_ONLY}, lambda_selector]
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and again.statuses() == {"cloudtrail.multi_region": "pass"}


@mock_aws
def test_management_events_split_over_read_and_write_selectors_become_one(run_module):
    ct, lambda_selector = advanced_trail([
        {"Name": "writes", "FieldSelectors": MANAGEMENT_ONLY + [{"Field": "readOnly", "Equals": ["false"]}]},
        {"Name": "reads", "FieldSelectors": MANAGEMENT_ONLY + [{"Field": "readOnly", "Equals": ["true"]}]}])
    result = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.multi_region"]})
    assert only(result, "cloudtrail.multi_region")["status"] == "fixed"
    selectors = ct.get_event_selectors(TrailName=seeds.TRAIL)["AdvancedEventSelectors"]
    assert selectors == [{"Name": "Management events selector", "FieldSelectors": MANAGEMENT_ONLY}, lambda_selector]


@mock_aws
def test_classic_read_only_and_write_only_selectors_become_one_all_selector(run_module):
    seeds.hardened(session())
    ct = boto3.client("cloudtrail")
    s3_events = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}
    ct.put_event_selectors(TrailName=seeds.TRAIL, EventSelectors=[
        {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True, "DataResources": [s3_events]},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": [s3_events]}])
    controls = ["cloudtrail.multi_region", "cloudtrail.s3_object_write_events", "cloudtrail.s3_object_read_events"]
    check = run_module(mod.DEFINITION.main, {"controls": controls}, check_mode=True)
    assert check.statuses() == {"cloudtrail.multi_region": "drift", "cloudtrail.s3_object_write_events": "pass",
                                "cloudtrail.s3_object_read_events": "pass"}
    assert "ReadWriteType All" in only(check, "cloudtrail.multi_region")["message"]
    run_module(mod.DEFINITION.main, {"controls": controls})
    selectors = ct.get_event_selectors(TrailName=seeds.TRAIL)["EventSelectors"]
    assert [s for s in selectors if s.get("IncludeManagementEvents")] == [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]
    assert ctu.s3_data_events({"EventSelectors": selectors}) == {"read", "write"}  # the data events stay
    assert run_module(mod.DEFINITION.main, {"controls": controls}).statuses() == dict((c, "pass") for c in controls)


# --- KMS key rotation -------------------------------------------------------------------------

@mock_aws
def test_key_rotation_covers_customer_symmetric_enabled_keys_in_each_region(run_module):
    seeds.insecure(session())
    eu = boto3.client("kms", region_name="eu-west-1")
    rotated = eu.create_key(Description="already rotated")["KeyMetadata"]
    eu.enable_key_rotation(KeyId=rotated["KeyId"])
    disabled = eu.create_key(Description="disabled")["KeyMetadata"]
    eu.disable_key(KeyId=disabled["KeyId"])
    eu.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    result = run_module(mod.DEFINITION.main, dict(REGIONS, controls=["kms.key_rotation"]))
    findings = result.by_control("kms.key_rotation")
    assert sorted((f["region"], f["status"]) for f in findings) == [("eu-west-1", "pass"), ("us-east-1", "fixed")]
    assert sorted(result["regions"]["evaluated"]) == ["eu-west-1", "us-east-1"]
    app_key = [f for f in findings if f["region"] == "us-east-1"][0]["resource"]
    assert boto3.client("kms").get_key_rotation_status(KeyId=app_key)["KeyRotationEnabled"]


@mock_aws
def test_waived_key_keeps_rotation_off(run_module):
    seeds.insecure(session())
    waiver = {"control": "kms.key_rotation", "resource": "arn:aws:kms:us-east-1:*", "reason": "HSM-backed rotation",
              "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, {"controls": ["kms.key_rotation"], "regions": ["us-east-1"], "waivers": [waiver]})
    assert result.statuses() == {"kms.key_rotation": "waived"} and result["changed"] is False


# --- modes, waivers, faults ---------------------------------------------------------------------

@mock_aws
def test_enforce_false_reports_drift_and_creates_nothing(run_module):
    result = run_module(mod.DEFINITION.main, dict(TRAIL_ONLY, enforce=False))
    assert result["changed"] is False
    assert result.statuses()["cloudtrail.multi_region"] == "drift"
    assert boto3.client("cloudtrail").describe_trails()["trailList"] == []
    assert boto3.client("s3").list_buckets()["Buckets"] == []


@mock_aws
def test_waived_control_is_not_changed_while_the_others_are(run_module):
    waiver = {"control": "cloudtrail.log_file_validation", "reason": "validated downstream", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, dict(TRAIL_ONLY, waivers=[waiver]))
    assert result.statuses()["cloudtrail.log_file_validation"] == "waived"
    assert result.statuses()["cloudtrail.multi_region"] == "fixed"
    trail = boto3.client("cloudtrail").describe_trails()["trailList"][0]
    assert trail["LogFileValidationEnabled"] is False and trail["IsMultiRegionTrail"] is True


@mock_aws
def test_access_logging_to_a_given_target_and_lifecycle_rule(run_module):
    boto3.client("s3").create_bucket(Bucket="access-logs-target")
    boto3.client("s3").put_bucket_policy(Bucket="access-logs-target",
                                         Policy=json.dumps(seeds.access_log_target_policy("access-logs-target")))
    args = {"controls": ["cloudtrail.bucket_access_logging", "cloudtrail.multi_region"],
            "access_log_bucket": "access-logs-target", "lifecycle": {"transition_days": 90, "expiration_days": 2555}}
    result = run_module(mod.DEFINITION.main, args)
    assert result.statuses()["cloudtrail.bucket_access_logging"] == "fixed"
    s3 = boto3.client("s3")
    logging = s3.get_bucket_logging(Bucket=DEFAULT_BUCKET)["LoggingEnabled"]
    assert logging == {"TargetBucket": "access-logs-target", "TargetPrefix": DEFAULT_BUCKET + "/"}
    rules = s3.get_bucket_lifecycle_configuration(Bucket=DEFAULT_BUCKET)["Rules"]
    assert [(r["ID"], r["Expiration"]["Days"]) for r in rules] == [("bulwark-log-lifecycle", 2555)]
    assert run_module(mod.DEFINITION.main, args)["changed"] is False


@mock_aws
def test_an_aws_fault_in_one_place_is_an_error_finding_and_the_rest_still_runs(run_module, monkeypatch):
    on_new_clients(monkeypatch, deny("s3", "PutBucketVersioning"))
    result = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    statuses = result.statuses()
    assert statuses["cloudtrail.bucket_versioning"] == "error"
    assert "AccessDenied" in only(result, "cloudtrail.bucket_versioning")["message"]
    assert statuses["cloudtrail.bucket_mfa_delete"] == "fail"
    assert statuses["cloudtrail.multi_region"] == "fixed" and statuses["cloudtrail.bucket_tls_only"] == "fixed"


@mock_aws
def test_a_bucket_that_cannot_be_read_gives_errors_for_what_the_read_serves(run_module, monkeypatch):
    single_region_trail_without_validation()
    on_new_clients(monkeypatch, deny("s3", "GetBucketVersioning"))
    statuses = run_module(mod.DEFINITION.main, TRAIL_ONLY, check_mode=True).statuses()
    assert statuses["cloudtrail.bucket_versioning"] == statuses["cloudtrail.bucket_mfa_delete"] == "error"
    assert statuses["cloudtrail.bucket_tls_only"] == "drift" and statuses["cloudtrail.multi_region"] == "drift"


@mock_aws
def test_trails_that_cannot_be_listed_are_errors_and_key_rotation_still_runs(run_module, monkeypatch):
    seeds.insecure(session())
    on_new_clients(monkeypatch, deny("cloudtrail", "DescribeTrails"))
    result = run_module(mod.DEFINITION.main, REGIONS)
    statuses = result.statuses()
    assert all(statuses[c] == "error" for c in mod.TRAIL_CONTROLS)
    assert "cloudtrail:DescribeTrails" in only(result, "cloudtrail.multi_region")["message"]
    assert statuses["kms.key_rotation"] == "fixed"
    buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    assert buckets == [seeds.ACCESS_LOG_TARGET]  # the seed's only: nothing built on an unknown state


@mock_aws
def test_cloudwatch_delivery_error_reported_by_cloudtrail_is_a_fail(run_module, monkeypatch):
    run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.cloudwatch_logs"]})

    def hook(service, _region, client):
        def add_error(parsed, **_kwargs):
            parsed["LatestCloudWatchLogsDeliveryError"] = "AccessDeniedException: not authorized to PutLogEvents"
        if service == "cloudtrail":
            client.meta.events.register("after-call.cloudtrail.GetTrailStatus", add_error)
    on_new_clients(monkeypatch, hook)
    finding = only(run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.cloudwatch_logs"]}), "cloudtrail.cloudwatch_logs")
    assert finding["status"] == "fail" and "PutLogEvents" in finding["message"]


def test_propagation_errors_are_retried_only_after_this_run_made_something(monkeypatch):
    from botocore.exceptions import ClientError

    sleeps = []
    monkeypatch.setattr(run_state.time, "sleep", sleeps.append)
    calls = []

    def create_trail(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise ClientError({"Error": {"Code": "InvalidCloudWatchLogsRoleArnException"}}, "CreateTrail")
        return {"ok": True}

    class FakeModule:
        actions = ["iam:CreateRole bulwark-cloudtrail-cloudwatch-logs"]

    run = mod.TrailEnsure.__new__(mod.TrailEnsure)
    run.m = FakeModule()
    assert run.call_with_propagation_retry(create_trail, Name="t") == {"ok": True}
    assert sleeps == [2, 4] and len(calls) == 3
    FakeModule.actions = []
    calls[:] = []
    with pytest.raises(ClientError):
        run.call_with_propagation_retry(create_trail, Name="t")
    assert len(calls) == 1


# --- a trail bucket of another account (a central log archive) ---------------------------------

ARCHIVE_ACCOUNT = "222222222222"
ARCHIVE_BUCKET = "central-log-archive"
MEMBER_TRAIL = "member-trail"
BUCKET_CONTROLS = sorted(mod.BUCKET_ASPECTS)


def log_archive(endpoint):
    """A bucket of account 222222222222 (the log archive) that lets this account's trail deliver,
    and this account's trail pointed at it. Returns the archive's S3 client."""
    from tests.support.org import member_session

    s3 = seed.client(member_session(endpoint, ARCHIVE_ACCOUNT, role="x"), "s3")
    s3.create_bucket(Bucket=ARCHIVE_BUCKET)
    trail = "arn:aws:cloudtrail:us-east-1:%s:trail/%s" % (ACCOUNT, MEMBER_TRAIL)
    s3.put_bucket_policy(Bucket=ARCHIVE_BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "MemberTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::" + ARCHIVE_BUCKET,
         "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
        {"Sid": "MemberTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/AWSLogs/%s/*" % (ARCHIVE_BUCKET, ACCOUNT),
         "Condition": {"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    seed.client(seed.session(endpoint), "cloudtrail").create_trail(Name=MEMBER_TRAIL, S3BucketName=ARCHIVE_BUCKET)
    return s3


def archive_state(s3):
    try:
        block = s3.get_public_access_block(Bucket=ARCHIVE_BUCKET)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        block = None
    return (s3.get_bucket_policy(Bucket=ARCHIVE_BUCKET)["Policy"], s3.get_bucket_versioning(Bucket=ARCHIVE_BUCKET).get("Status"),
            block, s3.get_bucket_logging(Bucket=ARCHIVE_BUCKET).get("LoggingEnabled"))


@pytest.mark.parametrize("owner_given", [True, False])
def test_trail_bucket_of_another_account_is_reported_and_never_written(moto_server, run_module, owner_given):
    """Seen: the archive's policy, versioning, public access block and logging were rewritten from
    the member account; on AccessDenied the advice was to choose another bucket name."""
    archive = log_archive(moto_server.url)
    before = archive_state(archive)
    args = dict(TRAIL_ONLY, access_log_bucket="member-access-logs")
    if owner_given:
        args["bucket_owner"] = ARCHIVE_ACCOUNT
    with Recorder(moto_server.url) as rec:
        check = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert rec.writes() == []
    with Recorder(moto_server.url) as rec:
        applied = run_module(mod.DEFINITION.main, args)
    assert [w for w in rec.writes() if w[0] == "s3"] == [], rec.writes()
    assert archive_state(archive) == before
    whose = "account %s" % ARCHIVE_ACCOUNT if owner_given else "another AWS account"
    for result in (check, applied):
        for control in BUCKET_CONTROLS:
            finding = only(result, control)
            assert finding["status"] in ("pass", "fail", "manual"), finding
            assert "bucket %s belongs to %s" % (ARCHIVE_BUCKET, whose) in finding["message"], finding
            assert "the log archive" in finding["message"] and "checked and fixed there" in finding["message"]
            assert "choose another" not in finding["message"]
    assert only(applied, "cloudtrail.bucket_versioning")["status"] == "fail"  # read, found off, left alone
    assert applied.statuses()["cloudtrail.multi_region"] == "fixed"  # the trail itself is this account's
    trail = boto3.client("cloudtrail", endpoint_url=moto_server.url).describe_trails()["trailList"][0]
    assert trail["S3BucketName"] == ARCHIVE_BUCKET and trail["IsMultiRegionTrail"]
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False, again["actions"]


@mock_aws
def test_bucket_owner_given_for_a_bucket_of_this_account_is_an_error_and_nothing_is_written(run_module):
    single_region_trail_without_validation()
    result = run_module(mod.DEFINITION.main, {"controls": ["cloudtrail.bucket_versioning"],
                                              "bucket_owner": ARCHIVE_ACCOUNT})
    finding = only(result, "cloudtrail.bucket_versioning")
    assert finding["status"] == "error" and "bucket_owner" in finding["message"], finding
    assert boto3.client("s3").get_bucket_versioning(Bucket="legacy-trail-logs").get("Status") is None


def test_default_bucket_name_taken_by_another_account_gets_no_trail(moto_server, run_module):
    """No trail yet and the default bucket name is another account's: a trail delivering there would
    hand the logs to that account, so none is made, and the finding says to choose a bucket."""
    from tests.support.org import member_session

    seed.client(member_session(moto_server.url, "333333333333", role="x"), "s3").create_bucket(Bucket=DEFAULT_BUCKET)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, TRAIL_ONLY)
    assert [w for w in rec.writes() if w[0] in ("s3", "cloudtrail")] == [], rec.writes()
    finding = only(result, "cloudtrail.multi_region")
    assert finding["status"] == "error" and "belongs to another AWS account" in finding["message"], finding
    assert "bucket_name" in finding["message"]
    assert only(result, "cloudtrail.bucket_versioning")["status"] == "error"
    assert seed.client(seed.session(moto_server.url), "cloudtrail").describe_trails()["trailList"] == []


# --- MFA delete: moto never reports it, so its pass path runs on a Stubber --------------------

class StubModule:
    """What ensure_secure_bucket uses of a BulwarkModule, with one stubbed S3 client."""

    def __init__(self, s3):
        self.s3, self.may_change, self.actions = s3, False, []

    def client(self, service, region=None):
        return self.s3

    def identity(self):
        return {"partition": "aws", "account_id": ACCOUNT}

    def record_change(self, action, **_kwargs):
        self.actions.append(action)


def test_mfa_delete_enabled_passes_and_versioning_is_read_once():
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    mine = {"Bucket": "logs-bucket", "ExpectedBucketOwner": ACCOUNT}
    with Stubber(s3) as stub:
        stub.add_response("get_bucket_location", {"LocationConstraint": "eu-west-1"}, mine)
        stub.add_response("list_buckets", {"Buckets": [{"Name": "logs-bucket"}]}, {"Prefix": "logs-bucket"})
        # A bucket of this account: every call on it names the owner, so S3 refuses it on anyone else's.
        stub.add_response("get_bucket_versioning", {"Status": "Enabled", "MFADelete": "Enabled"}, mine)
        result = s3_bucket.ensure_secure_bucket(StubModule(s3), "logs-bucket", "us-east-1", [],
                                                aspects=["versioning", "mfa_delete"])
        stub.assert_no_pending_responses()
    assert result["region"] == "eu-west-1" and result["foreign"] is False
    assert result["aspects"] == {"versioning": {"status": "pass", "message": "versioning is Enabled"},
                                 "mfa_delete": {"status": "pass", "message": "MFA delete is enabled"}}


def test_bucket_owned_by_another_account_is_an_error_for_every_aspect_and_never_read_or_written():
    """AWS: GetBucketLocation with ExpectedBucketOwner = this account is refused on another
    account's bucket, and ListBuckets does not list it. Not a bucket this account should own
    (foreign="refuse", the default): every aspect is an error saying whose it is."""
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_location", "AccessDenied", "Access Denied", 403)
        stub.add_response("list_buckets", {"Buckets": []}, {"Prefix": "taken-name"})
        result = s3_bucket.ensure_secure_bucket(StubModule(s3), "taken-name", "us-east-1", [],
                                                aspects=["versioning", "tls_only"])
        stub.assert_no_pending_responses()
    assert set(a["status"] for a in result["aspects"].values()) == {"error"}
    assert result["foreign"] is True
    assert "belongs to another AWS account" in result["aspects"]["tls_only"]["message"]


def test_log_archive_bucket_s3_refuses_to_show_is_manual_and_never_written():
    """AWS: another account's bucket reads are refused (GetBucketPolicy always is, cross-account).
    foreign="report": each aspect is manual, and nothing but those reads is called."""
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    theirs = {"Bucket": "central-log-archive"}
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_location", "AccessDenied", "Access Denied", 403)
        stub.add_response("list_buckets", {"Buckets": []}, {"Prefix": "central-log-archive"})
        stub.add_client_error("get_bucket_policy", "AccessDenied", "Access Denied", 403, expected_params=theirs)
        stub.add_client_error("get_bucket_versioning", "AccessDenied", "Access Denied", 403, expected_params=theirs)
        result = s3_bucket.ensure_secure_bucket(StubModule(s3), "central-log-archive", "us-east-1", [],
                                                aspects=["versioning", "tls_only", "not_public", "service_access"],
                                                foreign="report", owner=ARCHIVE_ACCOUNT)
        stub.assert_no_pending_responses()
    assert result["foreign"] is True and result["owner"] == "account %s" % ARCHIVE_ACCOUNT
    assert dict((a, r["status"]) for a, r in result["aspects"].items()) == {
        "versioning": "manual", "tls_only": "manual", "not_public": "manual"}
    assert "S3 does not let this account read it" in result["aspects"]["versioning"]["message"]


def test_bucket_whose_owner_cannot_be_told_is_never_changed():
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_location", "AccessDenied", "Access Denied", 403)
        stub.add_client_error("list_buckets", "AccessDenied", "Access Denied", 403)
        result = s3_bucket.ensure_secure_bucket(StubModule(s3), "some-bucket", "us-east-1", [],
                                                aspects=["versioning"])
        stub.assert_no_pending_responses()
    assert result["aspects"]["versioning"]["status"] == "error"
    assert "cannot tell whether bucket some-bucket belongs to this account" in result["aspects"]["versioning"]["message"]


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    ({"log_retention_days": 366}, "log_retention_days: 366 is not a value CloudWatch Logs accepts"),
    ({"bucket_name": "My-Trail-Logs"}, "bucket_name: 'My-Trail-Logs' has uppercase letters"),
    ({"bucket_name": "a..b"}, "bucket_name: 'a..b' is not a valid S3 bucket name"),
    ({"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
     "kms_key_id: the key arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab is in "
     "eu-west-1, but the trail's home region is us-east-1"),
    ({"kms_key_id": "alias/aws/cloudtrail"}, "is an AWS managed key"),
    ({"kms_key_id": "not a key"}, "kms_key_id: 'not a key' is not a KMS key id"),
    ({"trail_name": "x"}, "trail_name: 'x' is not a valid trail name"),
    ({"bucket_name": "trail-logs", "access_log_bucket": "trail-logs"}, "cannot log its own access"),
    ({"lifecycle": {"transition_days": 90, "expiration_days": 30}}, "expiration_days (30) must be later"),
    ({"bucket_prefix": "/logs"}, "bucket_prefix: '/logs' must not start with '/'"),
    ({"s3_data_events": ["all"]}, "s3_data_events"),
    ({"regions": ["us-east-1", "mars-north-1"]}, "regions: 'mars-north-1' is not an AWS region"),
    ({"cloudwatch_logs_role_name": "bad role"}, "cloudwatch_logs_role_name: 'bad role' is not a valid IAM role name"),
    ({"controls": ["monitoring.root_usage"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []

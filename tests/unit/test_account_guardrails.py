"""account_guardrails against moto (EBS, GuardDuty, Config, Security Hub on/off, s3control).

moto has no IAM Access Analyzer and no Security Hub standards or finding-aggregator APIs:
those are answered by botocore Stubbers (AnalyzerFake, SecurityHubFake below), which also
pin the calls the module makes. Tests without the Stubbers show that against moto alone
those controls are `error` findings and the module does not crash.
"""

import datetime
import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import config_rules
from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_guardrails as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails import securityhub

from tests.support.aws_faults import StubbedService, deny_region, on_new_clients
from tests.support.fault_proxy import FaultProxy, Rule
from tests.support.recorder import Recorder

HOME = "us-east-1"
REGIONS = ["eu-west-1", HOME]
REGIONAL = list(mod.REGIONAL)
ACCOUNT = "123456789012"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
CIS = "cis-aws-foundations-benchmark/v/3.0.0"
FSBP = "aws-foundational-security-best-practices/v/1.0.0"


def standard_arn(name, region):
    return "arn:aws:securityhub:%s::standards/%s" % (region, name)


class AnalyzerFake:
    """IAM Access Analyzer per region, answered by a Stubber (moto has none)."""

    def __init__(self, analyzers=None, apply=False, name="bulwark-account-analyzer"):
        self.analyzers = dict((r, list(a)) for r, a in (analyzers or {}).items())
        self.apply = apply
        self.name = name

    def script(self, region, stubber):
        current = self.analyzers.setdefault(region, [])
        stubber.add_response("list_analyzers", {"analyzers": list(current)}, {})
        usable = any(a["status"] in ("ACTIVE", "CREATING") for a in current)
        if not usable and not any(a["name"] == self.name for a in current) and self.apply:
            arn = "arn:aws:access-analyzer:%s:%s:analyzer/%s" % (region, ACCOUNT, self.name)
            stubber.add_response("create_analyzer", {"arn": arn}, {"analyzerName": self.name, "type": "ACCOUNT"})
            current.append(analyzer(region, self.name))


def analyzer(region, name, status="ACTIVE", kind="ACCOUNT"):
    return {"arn": "arn:aws:access-analyzer:%s:%s:analyzer/%s" % (region, ACCOUNT, name), "name": name,
            "type": kind, "createdAt": NOW, "status": status}


class SecurityHubFake:
    """Security Hub per region, answered by a Stubber: the hub, its standards and the finding
    aggregator in the home region. It queues exactly the calls the module should make."""

    def __init__(self, hub=(), standards=None, aggregator=None, apply=False, wants=None, aggregation=True):
        self.hub = set(hub)
        self.standards = dict((r, dict(s)) for r, s in (standards or {}).items())
        self.aggregator = aggregator
        self.apply = apply
        self.wants = set(wants or ["securityhub.enabled", "securityhub.standards"])
        self.aggregation = aggregation

    def script(self, region, stubber):
        if self.wants & {"securityhub.enabled", "securityhub.standards"}:
            self.regional(region, stubber)
        if region == HOME and self.aggregation and "securityhub.enabled" in self.wants:
            self.home(region, stubber)

    def regional(self, region, stubber):
        if region in self.hub:
            stubber.add_response("describe_hub", {"HubArn": "arn:aws:securityhub:%s:%s:hub/default" % (region, ACCOUNT)}, {})
        else:
            stubber.add_client_error("describe_hub", "InvalidAccessException", "Account is not subscribed")
            if self.apply and "securityhub.enabled" in self.wants:
                stubber.add_response("enable_security_hub", {}, {"EnableDefaultStandards": False})
                self.hub.add(region)
        if "securityhub.standards" not in self.wants or region not in self.hub:
            return
        current = self.standards.setdefault(region, {})
        stubber.add_response("get_enabled_standards", {"StandardsSubscriptions": [
            {"StandardsSubscriptionArn": arn + "/sub", "StandardsArn": arn, "StandardsInput": {},
             "StandardsStatus": status} for arn, status in sorted(current.items())]}, {})
        missing = [standard_arn(n, region) for n in (CIS, FSBP) if standard_arn(n, region) not in current]
        if missing and self.apply:
            stubber.add_response("batch_enable_standards", {"StandardsSubscriptions": []},
                                 {"StandardsSubscriptionRequests": [{"StandardsArn": a} for a in missing]})
            current.update(dict((a, "PENDING") for a in missing))

    def home(self, region, stubber):
        if region not in self.hub:
            return
        if not self.aggregator:
            stubber.add_response("list_finding_aggregators", {"FindingAggregators": []}, {})
            if self.apply:
                arn = "arn:aws:securityhub:%s:%s:finding-aggregator/1" % (region, ACCOUNT)
                stubber.add_response("create_finding_aggregator", {
                    "FindingAggregatorArn": arn, "FindingAggregationRegion": region,
                    "RegionLinkingMode": "ALL_REGIONS"}, {"RegionLinkingMode": "ALL_REGIONS"})
                self.aggregator = {"FindingAggregatorArn": arn, "FindingAggregationRegion": region,
                                   "RegionLinkingMode": "ALL_REGIONS"}
            return
        stubber.add_response("list_finding_aggregators", {"FindingAggregators": [
            {"FindingAggregatorArn": self.aggregator["FindingAggregatorArn"]}]}, {})
        stubber.add_response("get_finding_aggregator", dict(self.aggregator),
                             {"FindingAggregatorArn": self.aggregator["FindingAggregatorArn"]})


def stubbed(monkeypatch, analyzers=None, hub=None, *more):
    """Stubbers for the services moto lacks; returns them for assert_done()."""
    hooks = list(more) + [StubbedService("accessanalyzer", (analyzers or AnalyzerFake()).script),
                          StubbedService("securityhub", (hub or SecurityHubFake()).script)]
    on_new_clients(monkeypatch, *hooks)
    return hooks[len(more):]


def args(**extra):
    base = {"regions": list(REGIONS), "create_config_rules": True}
    base.update(extra)
    return base


def by_region(result):
    out = {}
    for f in result["findings"]:
        out.setdefault((f["control"], f["region"], f["resource"]), f["status"])
    return out


# --- the whole cycle -------------------------------------------------------------------------------

@mock_aws
def test_fresh_account_is_drift_for_every_control_in_every_region(run_module, monkeypatch):
    hooks = stubbed(monkeypatch)
    result = run_module(mod.DEFINITION.main, args(), check_mode=True)
    assert result["changed"] is True
    statuses = by_region(result)
    assert set(statuses.values()) == {"drift"}, result["findings"]
    for region in REGIONS:
        for control in REGIONAL:
            assert [f for f in result["findings"] if f["control"] == control and f["region"] == region
                    and f["resource"] != "finding-aggregator"], (control, region)
    assert statuses[("s3.account_public_access_block", "global", "account-public-access-block")] == "drift"
    assert statuses[("config.rules", HOME, "config-rules")] == "drift"
    assert statuses[("securityhub.enabled", HOME, "finding-aggregator")] == "drift"
    # One finding per control and region (+ the home region's aggregator and rules, + the account's PAB).
    assert len(result["findings"]) == len(REGIONAL) * len(REGIONS) + 3
    assert result["regions"] == {"evaluated": REGIONS, "skipped": []}
    for hook in hooks:
        hook.assert_done()
    # Nothing was created.
    assert boto3.client("guardduty", "eu-west-1").list_detectors()["DetectorIds"] == []
    assert not boto3.client("ec2", "eu-west-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


@mock_aws
def test_apply_fixes_everything_then_second_apply_changes_nothing(run_module, monkeypatch):
    analyzers, hub = AnalyzerFake(apply=True), SecurityHubFake(apply=True)
    hooks = stubbed(monkeypatch, analyzers, hub)
    first = run_module(mod.DEFINITION.main, args(), diff=True)
    assert first["changed"] is True
    assert set(by_region(first).values()) == {"fixed"}, [f for f in first["findings"] if f["status"] != "fixed"]
    assert first["diff"]["after"]["guardduty.enabled guardduty-detector (2 regions)"] == "fixed"
    assert "guardduty:CreateDetector (eu-west-1)" in first["actions"]
    for hook in hooks:
        hook.assert_done()

    # What moto now holds.
    for region in REGIONS:
        assert boto3.client("ec2", region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
        gd = boto3.client("guardduty", region)
        [detector] = gd.list_detectors()["DetectorIds"]
        got = gd.get_detector(DetectorId=detector)
        assert got["Status"] == "ENABLED" and got["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
        assert {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"} in got["Features"]
        cfg = boto3.client("config", region)
        [recorder] = cfg.describe_configuration_recorders()["ConfigurationRecorders"]
        assert recorder["recordingGroup"]["allSupported"] is True
        assert recorder["recordingGroup"]["includeGlobalResourceTypes"] is (region == HOME)
        assert recorder["roleARN"].endswith("/aws-service-role/config.amazonaws.com/AWSServiceRoleForconfig")
        assert cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]["recording"]
        [channel] = cfg.describe_delivery_channels()["DeliveryChannels"]
        assert channel["s3BucketName"] == "bulwark-config-%s" % ACCOUNT
    rules = boto3.client("config", HOME).describe_config_rules()["ConfigRules"]
    assert sorted(r["Source"]["SourceIdentifier"] for r in rules) == sorted(config_rules.DEFAULT_RULES)
    assert boto3.client("config", "eu-west-1").describe_config_rules()["ConfigRules"] == []
    pab = boto3.client("s3control").get_public_access_block(AccountId=ACCOUNT)["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    # The delivery bucket, locked down by the shared secure-bucket code.
    s3 = boto3.client("s3")
    bucket = "bulwark-config-%s" % ACCOUNT
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert {"AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck", "AWSConfigBucketDelivery"} <= set(
        s.get("Sid") for s in statements)
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in statements)
    assert first["config_bucket"]["created"] is True

    second = run_module(mod.DEFINITION.main, args())
    assert second["changed"] is False, second["actions"]
    assert second["actions"] == []
    assert set(by_region(second).values()) == {"pass"}, [f for f in second["findings"] if f["status"] != "pass"]
    assert "config_bucket" not in second
    for hook in hooks:
        hook.assert_done()


@mock_aws
def test_enforce_false_reports_drift_and_writes_nothing(run_module, monkeypatch):
    stubbed(monkeypatch)
    result = run_module(mod.DEFINITION.main, args(enforce=False))
    assert result["changed"] is False
    assert set(by_region(result).values()) == {"drift"}
    assert boto3.client("config", HOME).describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_check_mode_makes_no_write_call(moto_server, run_module, monkeypatch):
    stubbed(monkeypatch)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args(), check_mode=True)
    assert set(by_region(result).values()) == {"drift"}
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []
    assert ("s3", "GetPublicAccessBlock", HOME) in rec.calls()  # s3control signs as s3


def test_apply_against_moto_server_then_unchanged(moto_server, run_module, monkeypatch):
    """Through HTTP: s3control's account-id host prefix is rewritten for the loopback endpoint."""
    stubbed(monkeypatch, AnalyzerFake(apply=True), SecurityHubFake(apply=True))
    first = run_module(mod.DEFINITION.main, args())
    assert set(by_region(first).values()) == {"fixed"}, [f for f in first["findings"] if f["status"] != "fixed"]
    sess = boto3.session.Session(region_name=HOME)
    s3control = sess.client("s3control", endpoint_url=moto_server.url)
    s3control.meta.events.register("before-sign.s3-control", _strip_account_prefix)
    assert all(s3control.get_public_access_block(AccountId=ACCOUNT)["PublicAccessBlockConfiguration"].values())
    with Recorder(moto_server.url) as rec:
        second = run_module(mod.DEFINITION.main, args())
    assert second["changed"] is False and set(by_region(second).values()) == {"pass"}
    assert rec.writes() == []


def _strip_account_prefix(request, **_kwargs):
    request.url = request.url.replace("http://%s." % ACCOUNT, "http://")


# --- faults ----------------------------------------------------------------------------------------

@mock_aws
def test_one_region_answering_access_denied_is_an_error_there_only(run_module, monkeypatch):
    denied = deny_region("eu-west-2")
    stubbed(monkeypatch, None, None, denied)
    regions = ["eu-west-1", "eu-west-2", HOME]
    result = run_module(mod.DEFINITION.main, args(regions=regions), check_mode=True)
    assert "failed" not in result
    errors = [f for f in result["findings"] if f["status"] == "error"]
    assert set(f["region"] for f in errors) == {"eu-west-2"}
    # One error per regional control there: the region's calls were each refused.
    assert sorted(f["control"] for f in errors) == sorted(REGIONAL)
    assert all("AccessDenied" in f["message"] for f in errors)
    for region in ("eu-west-1", HOME):
        assert set(s for (c, r, _res), s in by_region(result).items() if r == region) == {"drift"}
    assert denied.denied, "nothing was denied"


def test_access_denied_from_one_region_through_the_fault_proxy(moto_server, run_module, monkeypatch):
    """The same over HTTP: the fault proxy answers every eu-west-2 request with the service's own
    AccessDenied shape (ec2 UnauthorizedOperation, json AccessDeniedException...)."""
    stubbed(monkeypatch, AnalyzerFake(apply=True), SecurityHubFake(apply=True))
    with FaultProxy(moto_server.url, Rule("deny", region="eu-west-2")) as proxy:
        result = run_module(mod.DEFINITION.main, args(regions=["eu-west-1", "eu-west-2", HOME], endpoint_url=proxy.url))
    statuses = by_region(result)
    denied = dict((k, s) for k, s in statuses.items() if k[1] == "eu-west-2")
    # Stubbed services never reach the proxy; every moto-served one is refused there.
    assert sorted(c for (c, _r, _res), s in denied.items() if s == "error") == sorted(
        ["ec2.ebs_default_encryption", "guardduty.enabled", "config.recorder"])
    others = set(s for (c, r, _res), s in statuses.items() if r != "eu-west-2")
    assert others == {"fixed"}, [f for f in result["findings"] if f["region"] != "eu-west-2" and f["status"] != "fixed"]
    assert proxy.total("deny") >= 3


def test_throttling_is_retried_by_botocore(moto_server, run_module, monkeypatch):
    stubbed(monkeypatch, AnalyzerFake(apply=True), SecurityHubFake(apply=True))
    with FaultProxy(moto_server.url, Rule("throttle", share=0.3, limit=12), seed=3) as proxy:
        result = run_module(mod.DEFINITION.main, args(endpoint_url=proxy.url))
    assert proxy.total("throttle") > 0
    assert set(by_region(result).values()) == {"fixed"}, [f for f in result["findings"] if f["status"] != "fixed"]


@mock_aws
def test_one_service_denied_in_one_region_leaves_the_rest(run_module, monkeypatch):
    stubbed(monkeypatch, None, None, deny_region("eu-west-1", services=["guardduty"]))
    result = run_module(mod.DEFINITION.main, args(), check_mode=True)
    errors = [(f["control"], f["region"]) for f in result["findings"] if f["status"] == "error"]
    assert errors == [("guardduty.enabled", "eu-west-1")]
    assert by_region(result)[("ec2.ebs_default_encryption", "eu-west-1", "ebs-encryption-by-default")] == "drift"


@mock_aws
def test_against_moto_alone_the_missing_apis_are_errors_not_a_crash(run_module):
    result = run_module(mod.DEFINITION.main, args())
    assert "failed" not in result
    statuses = by_region(result)
    for region in REGIONS:
        assert statuses[("iam.access_analyzer", region, "account")] == "error"
        assert statuses[("securityhub.standards", region, "account")] == "error"
        assert statuses[("guardduty.enabled", region, "guardduty-detector")] == "fixed"
    assert statuses[("securityhub.enabled", HOME, "account")] == "error"  # the aggregator API
    messages = [f["message"] for f in result["findings"] if f["status"] == "error"]
    assert all("does not implement" in m for m in messages), messages


# --- regions -----------------------------------------------------------------------------------------

@mock_aws
def test_opt_in_region_not_enabled_is_skipped_and_said_so(run_module, monkeypatch):
    stubbed(monkeypatch)
    result = run_module(mod.DEFINITION.main, args(regions=["eu-west-1", "ap-east-1"], controls=["ec2.ebs_default_encryption"]),
                        check_mode=True)
    assert "failed" not in result
    assert result["regions"]["evaluated"] == ["eu-west-1"]
    assert result["regions"]["skipped"][0]["region"] == "ap-east-1"
    assert "not enabled" in result["regions"]["skipped"][0]["reason"]
    assert set(f["region"] for f in result["findings"]) == {"eu-west-1"}


@mock_aws
def test_default_is_every_enabled_region_of_the_partition(run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["ec2.ebs_default_encryption"]}, check_mode=True)
    evaluated = result["regions"]["evaluated"]
    assert HOME in evaluated and "eu-west-1" in evaluated and len(evaluated) > 10
    assert not [r for r in evaluated if r.startswith(("cn-", "us-gov-"))]
    skipped = [s["region"] for s in result["regions"]["skipped"]]
    assert "ap-east-1" in skipped and "ap-east-1" not in evaluated
    assert sorted(f["region"] for f in result["findings"]) == sorted(evaluated)


# --- controls in detail -------------------------------------------------------------------------------

@mock_aws
def test_existing_detector_is_updated_never_duplicated(run_module):
    gd = boto3.client("guardduty", "eu-west-1")
    detector = gd.create_detector(Enable=False, FindingPublishingFrequency="SIX_HOURS")["DetectorId"]
    result = run_module(mod.DEFINITION.main, {"regions": ["eu-west-1"], "controls": ["guardduty.enabled"]})
    [finding] = result["findings"]
    assert finding["status"] == "fixed" and finding["resource"] == "detector/%s" % detector
    assert "suspended" in finding["message"] and "SIX_HOURS" in finding["message"]
    assert gd.list_detectors()["DetectorIds"] == [detector]
    got = gd.get_detector(DetectorId=detector)
    assert got["Status"] == "ENABLED" and got["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
    again = run_module(mod.DEFINITION.main, {"regions": ["eu-west-1"], "controls": ["guardduty.enabled"],
                                             "guardduty_features": ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS"]})
    assert again["findings"][0]["status"] == "fixed" and "EKS_AUDIT_LOGS off" in again["findings"][0]["message"]
    assert gd.list_detectors()["DetectorIds"] == [detector]


@mock_aws
def test_global_resource_types_belong_to_the_home_region_only(run_module):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="config-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for region in REGIONS:
        cfg = boto3.client("config", region)
        cfg.put_configuration_recorder(ConfigurationRecorder={
            "name": "custom", "roleARN": role,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region != HOME}})
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "existing-bucket"})
        cfg.start_configuration_recorder(ConfigurationRecorderName="custom")
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS, "controls": ["config.recorder"]})
    messages = dict((f["region"], f["message"]) for f in result["findings"])
    assert "recorded here too" in messages["eu-west-1"] and "not recorded" in messages[HOME]
    assert set(by_region(result).values()) == {"fixed"}
    for region in REGIONS:
        [recorder] = boto3.client("config", region).describe_configuration_recorders()["ConfigurationRecorders"]
        assert recorder["name"] == "custom" and recorder["roleARN"] == role  # kept
        assert recorder["recordingGroup"]["includeGlobalResourceTypes"] is (region == HOME)
        [channel] = boto3.client("config", region).describe_delivery_channels()["DeliveryChannels"]
        assert channel["s3BucketName"] == "existing-bucket"  # kept
    assert boto3.client("s3").list_buckets()["Buckets"] == []  # no bucket needed, none made


@mock_aws
def test_config_rules_are_opt_in_and_only_in_the_home_region(run_module):
    result = run_module(mod.DEFINITION.main, {"regions": ["eu-west-1"], "controls": ["config.rules"]})
    [finding] = result["findings"]
    assert finding["status"] == "fail" and finding["region"] == HOME
    assert "create_config_rules" in finding["message"] and "ACCESS_KEYS_ROTATED" in finding["message"]
    assert boto3.client("config", HOME).describe_config_rules()["ConfigRules"] == []


@mock_aws
def test_a_rule_under_another_name_counts_and_custom_parameters_are_sent(run_module):
    boto3.client("config", HOME).put_config_rule(ConfigRule={
        "ConfigRuleName": "securityhub-root-mfa-1a2b", "MaximumExecutionFrequency": "One_Hour",
        "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}})
    rules = ["ROOT_ACCOUNT_MFA_ENABLED", {"identifier": "ACCESS_KEYS_ROTATED", "parameters": {"maxAccessKeyAge": 30}}]
    result = run_module(mod.DEFINITION.main, {"regions": [HOME], "controls": ["config.rules"], "config_rules": rules,
                                              "create_config_rules": True})
    assert result["findings"][0]["status"] == "fixed"
    assert "1 of 2 managed rules missing: ACCESS_KEYS_ROTATED" in result["findings"][0]["message"]
    got = dict((r["ConfigRuleName"], r) for r in boto3.client("config", HOME).describe_config_rules()["ConfigRules"])
    assert sorted(got) == ["bulwark-access-keys-rotated", "securityhub-root-mfa-1a2b"]
    assert json.loads(got["bulwark-access-keys-rotated"]["InputParameters"]) == {"maxAccessKeyAge": "30"}


@mock_aws
def test_waived_region_is_reported_waived_and_left_alone(run_module):
    waiver = {"control": "guardduty.enabled", "resource": "guardduty-detector", "reason": "sandbox account",
              "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, {"regions": ["eu-west-1"], "controls": ["guardduty.enabled"], "waivers": [waiver]})
    assert result["findings"][0]["status"] == "waived" and "sandbox" in result["findings"][0]["message"]
    assert result["changed"] is False
    assert boto3.client("guardduty", "eu-west-1").list_detectors()["DetectorIds"] == []


@mock_aws
def test_ebs_default_key_is_compared_and_set(run_module, monkeypatch):
    """moto lacks ec2:GetEbsDefaultKmsKeyId: a Stubber answers for eu-west-1's EC2 client."""
    kms = boto3.client("kms", "eu-west-1")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/ebs-default", TargetKeyId=key["KeyId"])
    state = {"key": "arn:aws:kms:eu-west-1:%s:alias/aws/ebs" % ACCOUNT}

    def script(region, stubber):
        if region != "eu-west-1":
            return
        stubber.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {})
        stubber.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": state["key"]}, {})
        if state["key"].endswith("alias/aws/ebs"):
            stubber.add_response("modify_ebs_default_kms_key_id", {"KmsKeyId": key["Arn"]},
                                 {"KmsKeyId": "alias/ebs-default"})
            state["key"] = key["Arn"]

    ec2 = StubbedService("ec2", script)
    on_new_clients(monkeypatch, ec2)
    params = {"regions": ["eu-west-1"], "controls": ["ec2.ebs_default_encryption"], "ebs_kms_key": "alias/ebs-default"}
    first = run_module(mod.DEFINITION.main, params)
    assert first["findings"][0]["status"] == "fixed", first["findings"]
    assert "not alias/ebs-default" in first["findings"][0]["message"]
    second = run_module(mod.DEFINITION.main, params)
    assert second["findings"][0]["status"] == "pass" and second["changed"] is False
    ec2.assert_done()


@mock_aws
def test_ebs_key_read_that_moto_lacks_is_an_error_for_that_control_only(run_module):
    args = {"regions": ["eu-west-1"], "controls": ["ec2.ebs_default_encryption", "guardduty.enabled"],
            "ebs_kms_key": "alias/ebs-default"}
    result = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert by_region(result) == {("ec2.ebs_default_encryption", "eu-west-1", "account"): "error",
                                 ("guardduty.enabled", "eu-west-1", "guardduty-detector"): "drift"}


# --- Security Hub and Access Analyzer through Stubbers ---------------------------------------------------

@mock_aws
def test_standards_failed_or_missing(run_module, monkeypatch):
    hub = SecurityHubFake(hub=REGIONS, standards={
        "eu-west-1": {standard_arn(CIS, "eu-west-1"): "READY", standard_arn(FSBP, "eu-west-1"): "READY"},
        HOME: {standard_arn(CIS, HOME): "FAILED"}}, aggregator={
        "FindingAggregatorArn": "arn:aws:securityhub:us-east-1:%s:finding-aggregator/1" % ACCOUNT,
        "FindingAggregationRegion": HOME, "RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": ["eu-west-1"]})
    hooks = stubbed(monkeypatch, AnalyzerFake(), hub)
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS, "controls": ["securityhub.enabled", "securityhub.standards"]},
                        check_mode=True)
    statuses = by_region(result)
    assert statuses[("securityhub.standards", "eu-west-1", "security-hub-standards")] == "pass"
    home = [f for f in result["findings"] if f["control"] == "securityhub.standards" and f["region"] == HOME][0]
    assert home["status"] == "drift"
    assert "aws-foundational-security-best-practices/v/1.0.0 not enabled" in home["message"]
    assert "cis-aws-foundations-benchmark/v/3.0.0 is FAILED" in home["message"]
    # SPECIFIED_REGIONS listing every other evaluated region aggregates them all.
    assert statuses[("securityhub.enabled", HOME, "finding-aggregator")] == "pass"
    for hook in hooks:
        hook.assert_done()


@mock_aws
def test_aggregator_in_another_region_is_not_moved(run_module, monkeypatch):
    hub = SecurityHubFake(hub=REGIONS, wants=["securityhub.enabled"], aggregator={
        "FindingAggregatorArn": "arn:aws:securityhub:eu-west-1:%s:finding-aggregator/1" % ACCOUNT,
        "FindingAggregationRegion": "eu-west-1", "RegionLinkingMode": "ALL_REGIONS"})
    hooks = stubbed(monkeypatch, AnalyzerFake(), hub)
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS, "controls": ["securityhub.enabled"]})
    [aggregation] = [f for f in result["findings"] if f["resource"] == "finding-aggregator"]
    assert aggregation["status"] == "fail" and "aggregated into eu-west-1" in aggregation["message"]
    assert result["changed"] is False
    for hook in hooks:
        hook.assert_done()


@mock_aws
def test_existing_analyzers_count_and_a_failed_one_is_not_replaced(run_module, monkeypatch):
    analyzers = AnalyzerFake({"eu-west-1": [analyzer("eu-west-1", "org", kind="ORGANIZATION")],
                              HOME: [analyzer(HOME, "bulwark-account-analyzer", status="FAILED")]}, apply=True)
    hooks = stubbed(monkeypatch, analyzers, SecurityHubFake())
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS, "controls": ["iam.access_analyzer"]})
    statuses = dict((f["region"], (f["status"], f["message"])) for f in result["findings"])
    assert statuses["eu-west-1"][0] == "pass" and "organization analyzer org" in statuses["eu-west-1"][1]
    assert statuses[HOME][0] == "fail" and "FAILED" in statuses[HOME][1]
    assert result["changed"] is False
    hooks[0].stubbers[-1][1].assert_no_pending_responses()


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra,message", [
    ({"regions": ["us-east-9"]}, "regions: 'us-east-9' is not an AWS region"),
    ({"regions": ["cn-north-1"]}, "cn-north-1 is not in the aws partition"),
    ({"region_concurrency": 0}, "region_concurrency: 0 is out of range"),
    ({"config_rules": ["ROOT_ACCOUNT_MFA_ENABLED", "NO_SUCH_RULE"]},
     "config_rules[1]: 'NO_SUCH_RULE' is not a managed Config rule bulwark knows"),
    ({"config_rules": [{"identifier": "ACCESS_KEYS_ROTATED", "parameters": {"maxAge": 1}}]},
     "config_rules[0].parameters: ACCESS_KEYS_ROTATED has no parameter maxAge"),
    ({"config_rules": [{"identifier": "IAM_POLICY_IN_USE"}]}, "IAM_POLICY_IN_USE needs policyARN"),
    ({"guardduty_features": ["S3_LOGS"]}, "guardduty_features: 'S3_LOGS' not a GuardDuty feature"),
    ({"guardduty_finding_publishing_frequency": "HOURLY"}, "guardduty_finding_publishing_frequency"),
    ({"securityhub_standards": ["arn:aws:securityhub:::cis"]}, "securityhub_standards: 'arn:aws:securityhub:::cis'"),
    ({"ebs_kms_key": "my key"}, "ebs_kms_key: 'my key' is not a KMS key"),
    ({"config_bucket": "Bad_Bucket"}, "config_bucket: 'Bad_Bucket' is not a valid S3 bucket name"),
    ({"controls": ["root.mfa"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, extra, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, dict({"regions": REGIONS}, **extra))
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


def test_known_rules_cover_the_checklist():
    for rule in ("ROOT_ACCOUNT_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
                 "CLOUD_TRAIL_ENABLED", "S3_BUCKET_SSL_REQUESTS_ONLY", "IAM_PASSWORD_POLICY", "ACCESS_KEYS_ROTATED"):
        assert rule in config_rules.DEFAULT_RULES and rule in config_rules.KNOWN_RULES
    args_ = config_rules.put_config_rule_arguments(config_rules.normalise_rules(["S3_BUCKET_SSL_REQUESTS_ONLY"])[0])
    assert args_["ConfigRule"]["Scope"] == {"ComplianceResourceTypes": ["AWS::S3::Bucket"]}
    assert "MaximumExecutionFrequency" not in args_["ConfigRule"]
    periodic = config_rules.put_config_rule_arguments(config_rules.normalise_rules(["ACCESS_KEYS_ROTATED"])[0])
    assert periodic["ConfigRule"]["MaximumExecutionFrequency"] == "TwentyFour_Hours"
    assert json.loads(periodic["ConfigRule"]["InputParameters"]) == {"maxAccessKeyAge": "90"}


def test_standard_arns_follow_the_partition_and_region():
    assert securityhub.standard_arn(CIS, "aws-us-gov", "us-gov-west-1") == (
        "arn:aws-us-gov:securityhub:us-gov-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0")
    assert securityhub.standard_arn("ruleset/cis-aws-foundations-benchmark/v/1.2.0", "aws", "eu-west-1") == (
        "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0")


# --- the shared seeds ---------------------------------------------------------------------------------

def test_insecure_seed_is_drift_everywhere_and_hardened_seed_passes(moto_server, run_module, monkeypatch):
    """Every enabled region (the default). The hardened seed holds what moto can; the Stubbers
    stand for the rest (an active analyzer, both standards ready, an aggregator)."""
    from tests.support.seed import session
    from tests.support.seeds import guardrails as seeds

    hooks = []
    on_new_clients(monkeypatch, lambda *made: [hook(*made) for hook in hooks])
    sess = session(moto_server.url)
    seeds.insecure(sess)
    hooks[:] = [StubbedService("accessanalyzer", AnalyzerFake().script),
                StubbedService("securityhub", SecurityHubFake().script)]
    audit = run_module(mod.DEFINITION.main, {"create_config_rules": True}, check_mode=True)
    evaluated = audit["regions"]["evaluated"]
    assert len(evaluated) == len(seeds.enabled_regions(sess)) > 10
    assert set(by_region(audit).values()) == {"drift"}, [f for f in audit["findings"] if f["status"] != "drift"]
    for control in REGIONAL:
        assert sorted(f["region"] for f in audit["findings"]
                      if f["control"] == control and f["resource"] != "finding-aggregator") == evaluated

    hooks[:] = []  # the seed's own clients reach moto
    moto_server.reset()
    seeds.hardened(sess)
    ready = dict((r, {standard_arn(CIS, r): "READY", standard_arn(FSBP, r): "READY"}) for r in evaluated)
    aggregator = {"FindingAggregatorArn": "arn:aws:securityhub:us-east-1:%s:finding-aggregator/1" % ACCOUNT,
                  "FindingAggregationRegion": HOME, "RegionLinkingMode": "ALL_REGIONS"}
    hooks[:] = [StubbedService("accessanalyzer", AnalyzerFake(dict(
        (r, [analyzer(r, "org-analyzer")]) for r in evaluated)).script),
        StubbedService("securityhub", SecurityHubFake(hub=evaluated, standards=ready, aggregator=aggregator).script)]
    with Recorder(moto_server.url) as rec:
        hardened = run_module(mod.DEFINITION.main, {"create_config_rules": True})
    assert set(by_region(hardened).values()) == {"pass"}, [f for f in hardened["findings"] if f["status"] != "pass"]
    assert hardened["changed"] is False and rec.writes() == []

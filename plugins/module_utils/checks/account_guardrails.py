# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.account_guardrails module (its file holds the documentation).

bulwark.aws.account_guardrails runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import config_rules as rules_util
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

CONTROLS = ids(role="guardrails")
PAB = "s3.account_public_access_block"
EBS = "ec2.ebs_default_encryption"
GUARDDUTY = "guardduty.enabled"
RECORDER = "config.recorder"
RULES = "config.rules"
HUB = "securityhub.enabled"
STANDARDS = "securityhub.standards"
ANALYZER = "iam.access_analyzer"
REGIONAL = (EBS, GUARDDUTY, RECORDER, HUB, STANDARDS, ANALYZER)

PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
DEFAULT_STANDARDS = ["cis-aws-foundations-benchmark/v/3.0.0", "aws-foundational-security-best-practices/v/1.0.0"]
CONFIG_SERVICE = "config.amazonaws.com"
CONFIG_SLR_PATH = "/aws-service-role/config.amazonaws.com/"
READY_STANDARD = ("READY", "PENDING")
BUCKET_ASPECTS = ("versioning", "not_public", "tls_only", "service_access")

R_PAB = "account-public-access-block"
R_EBS = "ebs-encryption-by-default"
R_DETECTOR = "guardduty-detector"
R_HUB = "security-hub"
R_AGGREGATOR = "finding-aggregator"
R_STANDARDS = "security-hub-standards"
R_RULES = "config-rules"


# --- input -------------------------------------------------------------------------------------

def guardduty_feature_names():
    import botocore.session

    model = botocore.session.get_session().get_service_model("guardduty")
    return list(model.shape_for("DetectorFeature").enum)


def validate(params, _named):
    regions_util.validate_regions(params)
    known = guardduty_feature_names()
    bad = [f for f in params["guardduty_features"] if f not in known]
    if bad:
        raise ValueError("guardduty_features: %s not a GuardDuty feature (one of %s)"
                         % (", ".join(repr(f) for f in bad), ", ".join(known)))
    for name in params["securityhub_standards"]:
        if not standard_name_ok(name):
            raise ValueError("securityhub_standards: %r is not a standard name; give the ARN part after "
                             "'standards/', e.g. cis-aws-foundations-benchmark/v/3.0.0" % name)
    key = params.get("ebs_kms_key")
    if key is not None and not kms_key_ok(key):
        raise ValueError("ebs_kms_key: %r is not a KMS key id, alias (alias/NAME) or key ARN" % key)
    bucket = params.get("config_bucket")
    if bucket is not None and not bucket_name_ok(bucket):
        raise ValueError("config_bucket: %r is not a valid S3 bucket name (3-63 lowercase letters, digits, "
                         "'-' and '.')" % bucket)
    if not 1 <= len(params["access_analyzer_name"]) <= 255:
        raise ValueError("access_analyzer_name: 1 to 255 characters")
    if not 1 <= len(params["config_recorder_name"]) <= 256:
        raise ValueError("config_recorder_name: 1 to 256 characters")
    wanted_rules(params)


def wanted_rules(params):
    """The normalised config_rules (default: the checklist's set). Raises ValueError."""
    entries = params["config_rules"]
    return rules_util.normalise_rules(rules_util.DEFAULT_RULES if entries is None else entries)


def standard_name_ok(name):
    return bool(re.match(r"^(ruleset/)?[a-z0-9][a-z0-9-]*/v/\d+(\.\d+)*$", name or ""))


def kms_key_ok(key):
    return bool(re.match(r"^(alias/[A-Za-z0-9/_-]{1,250}|(mrk-)?[0-9a-f-]{32,36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:"
                         r"(key/(mrk-)?[0-9a-f-]{32,36}|alias/[A-Za-z0-9/_-]{1,250}))$", key or ""))


def bucket_name_ok(name):
    return bool(re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", name or "")) and ".." not in name


def standard_arn(name, partition, region):
    if name.startswith("ruleset/"):
        return "arn:%s:securityhub:::%s" % (partition, name)
    return "arn:%s:securityhub:%s::standards/%s" % (partition, region, name)


# --- shared, once-per-run resources (the Config role and bucket) ---------------------------------

class Shared:
    """Work that several regions need but that must happen once: done under a lock by the first
    region that asks, the result (or the AWS fault) handed to every later one."""

    def __init__(self, m, ident):
        self.m = m
        self.ident = ident
        self.home = m.conn.region
        self._lock = threading.Lock()
        self._done = {}
        self.bucket_result = None

    def once(self, key, fn):
        with self._lock:
            if key not in self._done:
                try:
                    self._done[key] = (True, fn())
                except regions_util.AWS_FAULTS as e:
                    self._done[key] = (False, e)
            ok, value = self._done[key]
        if not ok:
            raise value
        return value

    def config_role_arn(self):
        return self.once("config-role", self._config_role)

    def _config_role(self):
        """The AWS Config service-linked role (AWSServiceRoleForConfig; moto names it
        AWSServiceRoleForconfig), found by its path so the name's case does not matter."""
        iam = self.m.client("iam")
        roles = aws.paginate(iam, "list_roles", "Roles", PathPrefix=CONFIG_SLR_PATH)
        if roles:
            return roles[0]["Arn"]
        predicted = "arn:%s:iam::%s:role%sAWSServiceRoleForConfig" % (
            self.ident["partition"], self.ident["account_id"], CONFIG_SLR_PATH)
        self.m.record_change("iam:CreateServiceLinkedRole (config.amazonaws.com)", before=None,
                             after=predicted, key="config_service_linked_role")
        if not self.m.may_change:
            return predicted
        try:
            return iam.create_service_linked_role(AWSServiceName=CONFIG_SERVICE)["Role"]["Arn"]
        except aws.ClientError as e:
            # "has been taken" (InvalidInput on AWS, EntityAlreadyExists in moto): a concurrent run made it
            roles = aws.paginate(iam, "list_roles", "Roles", PathPrefix=CONFIG_SLR_PATH) \
                if aws.error_code(e) in ("InvalidInput", "EntityAlreadyExists") else None
            if not roles:
                raise
            return roles[0]["Arn"]

    def config_bucket_name(self):
        return self.m.params.get("config_bucket") or "bulwark-config-%s" % self.ident["account_id"]

    def config_bucket(self):
        return self.once("config-bucket", self._config_bucket)

    def _config_bucket(self):
        """Create the delivery bucket, or bring it up to standard, once, in the home region."""
        name = self.config_bucket_name()
        self.bucket_result = ensure_config_bucket(self.m, name, self.ident, self.home)
        return name


class ConfigBucketError(aws.BotoCoreError):
    """The Config delivery bucket could not be made ready: the regions needing it get an error."""

    fmt = "{message}"


def config_bucket_statements(bucket, account_id, partition):
    """What AWS Config needs on its delivery bucket (AWS Config developer guide, "Permissions
    for the Amazon S3 bucket"), pinned to this account with aws:SourceAccount."""
    arn = "arn:%s:s3:::%s" % (partition, bucket)
    source = {"StringEquals": {"aws:SourceAccount": account_id}}
    service = {"Service": CONFIG_SERVICE}
    return [
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": source},
        {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:ListBucket", "Resource": arn, "Condition": source},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": service,
         "Action": "s3:PutObject", "Resource": "%s/AWSLogs/%s/Config/*" % (arn, account_id),
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id,
                                        "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]


def ensure_config_bucket(m, name, ident, home):
    """The Config delivery bucket, created or brought up to standard by the code shared with the
    CloudTrail bucket (module_utils/domain/s3_bucket.py): versioning, Block Public Access and no public
    grant, TLS-only policy, and the statements AWS Config needs. Access logging and MFA delete are
    the CloudTrail bucket's controls and are not asked for here. Raises ConfigBucketError when an
    aspect could not be evaluated or fixed."""
    from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket

    result = s3_bucket.ensure_secure_bucket(
        m, name, home, service_statements=config_bucket_statements(name, ident["account_id"], ident["partition"]),
        aspects=BUCKET_ASPECTS)
    errors = ["%s: %s" % (aspect, r["message"]) for aspect, r in sorted(result["aspects"].items())
              if r["status"] == "error"]
    if errors:
        raise ConfigBucketError(message="the Config delivery bucket %s is not ready: %s" % (name, "; ".join(errors)))
    return result


# --- account-wide: S3 Block Public Access -----------------------------------------------------------

def check_public_access_block(m, account_id):
    s3control = m.client("s3control")
    try:
        current = s3control.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]
    except aws.ClientError as e:
        if aws.error_code(e) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = {}
    off = [flag for flag in PAB_FLAGS if not current.get(flag)]
    if not off:
        m.findings.add(PAB, "pass", "all four account-level S3 Block Public Access settings are on", resource=R_PAB)
        return
    problem = "account-level S3 Block Public Access is off" if not current else "%s off" % ", ".join(off)
    if m.findings.is_waived(PAB, R_PAB):
        m.findings.add(PAB, "drift", problem, resource=R_PAB)
        return
    target = dict((flag, True) for flag in PAB_FLAGS)
    m.record_change("s3control:PutPublicAccessBlock", before=current, after=target, key="account_public_access_block")
    fixed = False
    if m.may_change:
        s3control.put_public_access_block(AccountId=account_id, PublicAccessBlockConfiguration=target)
        fixed = True
    m.findings.noncompliant(PAB, True, fixed, "%s: %s" % (problem, "turned all four on" if fixed else
                                                          "would turn all four on"), resource=R_PAB)


# --- per region ---------------------------------------------------------------------------------

def report(run, control, resource, problems, actions, fix, can_fix=True):
    """One finding from the problems found; fix() runs the writes when allowed.
    ``actions`` are (api action, before, after, diff key) recorded as changes."""
    if not problems:
        return False
    problem = "; ".join(problems)
    if run.is_waived(control, resource):
        run.add(control, "drift", problem, resource=resource)
        return False
    if not can_fix:
        run.noncompliant(control, False, False, problem, resource=resource)
        return False
    for action, before, after, key in actions:
        run.record_change(action, before=before, after=after, key=key)
    fixed = False
    if run.may_change:
        fix()
        fixed = True
    verb = "fixed with" if fixed else "would call"
    run.noncompliant(control, True, fixed, "%s: %s %s" % (problem, verb, ", ".join(a[0] for a in actions)),
                     resource=resource)
    return fixed


def same_kms_key(run, current, wanted):
    """True when the default EBS key is the wanted one (alias, id or ARN)."""
    if not current:
        return False
    if current == wanted or current.endswith(":" + wanted) or current.endswith("/" + wanted):
        return True
    kms = run.client("kms")

    def arn(key):
        return kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"]

    try:
        return arn(current) == arn(wanted)
    except aws.ClientError as e:
        if aws.error_code(e) == "NotFoundException":
            return False
        raise


def check_ebs(run):
    ec2 = run.client("ec2")
    enabled = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    wanted = run.params.get("ebs_kms_key")
    problems, actions, calls = [], [], []
    if not enabled:
        problems.append("EBS encryption by default is off")
        actions.append(("ec2:EnableEbsEncryptionByDefault", False, True, "ebs_encryption_by_default"))
        calls.append(ec2.enable_ebs_encryption_by_default)
    current_key = None
    if wanted:
        current_key = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
        if not same_kms_key(run, current_key, wanted):
            problems.append("the default EBS key is %s, not %s" % (current_key or "not set", wanted))
            actions.append(("ec2:ModifyEbsDefaultKmsKeyId", current_key, wanted, "ebs_default_kms_key"))
            calls.append(lambda: ec2.modify_ebs_default_kms_key_id(KmsKeyId=wanted))
    if not problems:
        run.add(EBS, "pass", "EBS encryption by default is on" + (" with %s" % wanted if wanted else ""), resource=R_EBS)
        return
    report(run, EBS, R_EBS, problems, actions, lambda: [call() for call in calls])


def check_guardduty(run):
    gd = run.client("guardduty")
    frequency = run.params["guardduty_finding_publishing_frequency"]
    features = run.params["guardduty_features"]
    detector_ids = sorted(aws.paginate(gd, "list_detectors", "DetectorIds"))
    if not detector_ids:
        create = dict(Enable=True, FindingPublishingFrequency=frequency)
        if features:
            create["Features"] = [{"Name": f, "Status": "ENABLED"} for f in features]
        report(run, GUARDDUTY, R_DETECTOR, ["no GuardDuty detector"],
               [("guardduty:CreateDetector", None, {"Status": "ENABLED", "FindingPublishingFrequency": frequency,
                                                    "Features": features}, "guardduty")],
               lambda: gd.create_detector(**create))
        return
    detector_id = detector_ids[0]  # one detector per region: never a second one
    resource = "detector/%s" % detector_id
    detector = gd.get_detector(DetectorId=detector_id)
    current_features = dict((f.get("Name"), f.get("Status")) for f in detector.get("Features") or [])
    problems, update = [], {}
    if detector.get("Status") != "ENABLED":
        problems.append("the detector is suspended")
        update["Enable"] = True
    if detector.get("FindingPublishingFrequency") != frequency:
        problems.append("findings are published every %s, not %s" % (
            detector.get("FindingPublishingFrequency"), frequency))
        update["FindingPublishingFrequency"] = frequency
    off = [f for f in features if current_features.get(f) != "ENABLED"]
    if off:
        problems.append("protection %s off" % ", ".join(off))
        update["Features"] = [{"Name": f, "Status": "ENABLED"} for f in off]
    if not problems:
        run.add(GUARDDUTY, "pass", "GuardDuty is enabled (%s%s)" % (
            frequency, ", " + ", ".join(features) if features else ""), resource=resource)
        return
    before = {"Status": detector.get("Status"), "FindingPublishingFrequency": detector.get("FindingPublishingFrequency"),
              "Features": sorted(f for f, s in current_features.items() if s == "ENABLED")}
    after = dict(before, Status="ENABLED", FindingPublishingFrequency=frequency,
                 Features=sorted(set(before["Features"]) | set(features)))
    report(run, GUARDDUTY, resource, problems, [("guardduty:UpdateDetector", before, after, "guardduty")],
           lambda: gd.update_detector(DetectorId=detector_id, **update))


def check_config_recorder(run, shared):
    cfg = run.client("config")
    home = run.region == shared.home
    recorders = [r for r in cfg.describe_configuration_recorders().get("ConfigurationRecorders", [])
                 if not r.get("servicePrincipal")]  # service-linked recorders belong to other services
    channels = cfg.describe_delivery_channels().get("DeliveryChannels", [])
    recorder = recorders[0] if recorders else None
    name = recorder["name"] if recorder else run.params["config_recorder_name"]
    status = {}
    if recorder:
        statuses = cfg.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])
        status = (statuses.get("ConfigurationRecordersStatus") or [{}])[0]
    group = (recorder or {}).get("recordingGroup") or {}
    problems, actions, steps = [], [], []
    want_group = {"allSupported": True, "includeGlobalResourceTypes": home, "resourceTypes": []}
    if not recorder:
        problems.append("no configuration recorder")
    elif not group.get("allSupported"):
        problems.append("the recorder does not record all supported resource types")
    elif bool(group.get("includeGlobalResourceTypes")) != home:
        problems.append("global resource types (IAM) are %s, they belong in the home region %s only" % (
            "recorded here too" if not home else "not recorded", shared.home))
    if problems:
        before = recorder and {"name": name, "recordingGroup": group}
        after = {"name": name, "recordingGroup": want_group}
        actions.append(("config:PutConfigurationRecorder", before, after, "config_recorder"))

        def put_recorder():
            body = {"name": name, "recordingGroup": want_group,
                    "roleARN": (recorder or {}).get("roleARN") or shared.config_role_arn()}
            if recorder and recorder.get("recordingMode"):
                body["recordingMode"] = recorder["recordingMode"]
            cfg.put_configuration_recorder(ConfigurationRecorder=body)
        steps.append(put_recorder)
    if not channels:
        problems.append("no delivery channel")
        bucket = shared.config_bucket_name()
        if not run.is_waived(RECORDER, name):
            # Once per run, in every mode (in check mode it only reads and records what it would do).
            shared.config_bucket()
        actions.append(("config:PutDeliveryChannel", None, {"name": "default", "s3BucketName": bucket},
                        "config_delivery_channel"))
        steps.append(lambda: cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket}))
    if not status.get("recording"):
        problems.append("the recorder is not recording" if recorder else "recording not started")
        actions.append(("config:StartConfigurationRecorder", False, True, "config_recording"))
        steps.append(lambda: cfg.start_configuration_recorder(ConfigurationRecorderName=name))
    if not problems:
        if (status.get("lastStatus") or "").upper() == "FAILURE":
            run.noncompliant(RECORDER, False, False, "recorder %s is on but its last delivery failed: %s" % (
                name, status.get("lastErrorMessage") or status.get("lastErrorCode") or "no reason given"), resource=name)
            return
        run.add(RECORDER, "pass", "recorder %s records all supported types%s and is recording" % (
            name, " including global types" if home else ""), resource=name)
        return
    report(run, RECORDER, name, problems, actions, lambda: [step() for step in steps])


def hub_state(sh):
    try:
        sh.describe_hub()
        return True
    except aws.ClientError as e:
        if aws.error_code(e) == "InvalidAccessException":
            return False
        raise


def check_securityhub(run, shared):
    """securityhub.enabled and securityhub.standards; returns whether the hub is on afterwards."""
    sh = run.client("securityhub")
    on = hub_state(sh)
    if run.wants(HUB):
        if on:
            run.add(HUB, "pass", "Security Hub is enabled", resource=R_HUB)
        else:
            on = report(run, HUB, R_HUB, ["Security Hub is not enabled"],
                        [("securityhub:EnableSecurityHub", False, True, "securityhub")],
                        lambda: sh.enable_security_hub(EnableDefaultStandards=False))
    if run.wants(STANDARDS):
        run.guard([STANDARDS], "securityhub", check_standards, run, sh, on, shared)
    return on


def check_standards(run, sh, on, shared):
    partition = shared.ident["partition"]
    wanted = [(name, standard_arn(name, partition, run.region)) for name in run.params["securityhub_standards"]]
    if not on:
        names = ", ".join(name for name, _arn in wanted)
        if run.wants(HUB) and not run.is_waived(HUB, R_HUB) and not run.may_change:
            # Enabling the hub is this run's drift (check mode / audit): the standards follow it.
            report(run, STANDARDS, R_STANDARDS, ["Security Hub is not enabled, so no standard runs"],
                   [("securityhub:BatchEnableStandards", [], names, "securityhub_standards")], lambda: None)
        else:
            run.noncompliant(STANDARDS, False, False, "Security Hub is not enabled, so %s cannot run "
                             "(select securityhub.enabled to enable it)" % names, resource=R_STANDARDS)
        return
    subscriptions = aws.paginate(sh, "get_enabled_standards", "StandardsSubscriptions")
    by_arn = dict((s["StandardsArn"], s) for s in subscriptions)
    missing, broken = [], []
    for name, arn in wanted:
        sub = by_arn.get(arn)
        if not sub:
            missing.append((name, arn))
        elif sub.get("StandardsStatus") not in READY_STANDARD:
            reason = (sub.get("StandardsStatusReason") or {}).get("StatusReasonCode") or "no reason given"
            broken.append("%s is %s (%s)" % (name, sub.get("StandardsStatus"), reason))
    if not missing and not broken:
        run.add(STANDARDS, "pass", "enabled: %s" % ", ".join(name for name, _arn in wanted), resource=R_STANDARDS)
        return
    if missing:
        report(run, STANDARDS, R_STANDARDS, ["%s not enabled" % ", ".join(name for name, _arn in missing)] + broken,
               [("securityhub:BatchEnableStandards", sorted(by_arn), [arn for _n, arn in missing],
                 "securityhub_standards")],
               lambda: sh.batch_enable_standards(
                   StandardsSubscriptionRequests=[{"StandardsArn": arn} for _n, arn in missing]))
    else:
        run.noncompliant(STANDARDS, False, False, "; ".join(broken) + ": see Security Hub > Security standards",
                         resource=R_STANDARDS)


def check_analyzer(run):
    aa = run.client("accessanalyzer")
    name = run.params["access_analyzer_name"]
    analyzers = [a for a in aws.paginate(aa, "list_analyzers", "analyzers") if a.get("type") in ("ACCOUNT", "ORGANIZATION")]
    usable = [a for a in analyzers if a.get("status") in ("ACTIVE", "CREATING")]
    if usable:
        a = usable[0]
        run.add(ANALYZER, "pass", "%s analyzer %s is %s" % (a["type"].lower(), a["name"], a["status"]),
                resource=a.get("arn") or a["name"])
        return
    same_name = [a for a in analyzers if a.get("name") == name]
    if same_name:
        reason = (same_name[0].get("statusReason") or {}).get("code") or "no reason given"
        run.noncompliant(ANALYZER, False, False, "analyzer %s is %s (%s)" % (name, same_name[0].get("status"), reason),
                         resource=same_name[0].get("arn") or name)
        return
    report(run, ANALYZER, name, ["no account or organization analyzer"],
           [("access-analyzer:CreateAnalyzer", None, {"analyzerName": name, "type": "ACCOUNT"}, "access_analyzer")],
           lambda: aa.create_analyzer(analyzerName=name, type="ACCOUNT"))


def check_region(run, shared):
    """Every regional control of one region, each service guarded on its own."""
    run.guard([EBS], "ec2", check_ebs, run)
    run.guard([GUARDDUTY], "guardduty", check_guardduty, run)
    run.guard([RECORDER], "config", check_config_recorder, run, shared)
    hub_on = run.guard([HUB, STANDARDS], "securityhub", check_securityhub, run, shared)
    run.guard([ANALYZER], "access-analyzer", check_analyzer, run)
    return {"securityhub": hub_on}


# --- home region -------------------------------------------------------------------------------------

def check_rules(run):
    cfg = run.client("config")
    rules = wanted_rules(run.params)
    existing = aws.paginate(cfg, "describe_config_rules", "ConfigRules")
    present = set(r["Source"]["SourceIdentifier"] for r in existing
                  if r.get("Source", {}).get("Owner") == "AWS" and not str(r.get("ConfigRuleState", "")).startswith("DELET"))
    missing = [r for r in rules if r["identifier"] not in present]
    if not missing:
        run.add(RULES, "pass", "all %d managed rules exist" % len(rules), resource=R_RULES)
        return
    names = ", ".join(r["identifier"] for r in missing)
    problem = "%d of %d managed rules missing: %s" % (len(missing), len(rules), names)
    if not run.params["create_config_rules"]:
        run.noncompliant(RULES, False, False, problem + " (billed per evaluation: set %s to create them)"
                         % run.m.option("create_config_rules"), resource=R_RULES)
        return
    report(run, RULES, R_RULES, [problem],
           [("config:PutConfigRule", None, [r["name"] for r in missing], "config_rules")],
           lambda: [cfg.put_config_rule(**rules_util.put_config_rule_arguments(r)) for r in missing])


def aggregator_covers(aggregator, home, evaluated):
    mode = aggregator.get("RegionLinkingMode")
    listed = set(aggregator.get("Regions") or [])
    others = set(evaluated) - set([home])
    if mode == "ALL_REGIONS":
        return True
    if mode == "SPECIFIED_REGIONS":
        return others <= listed
    if mode == "ALL_REGIONS_EXCEPT_SPECIFIED":
        return not (others & listed)
    return False


def check_aggregator(run, hub_on, evaluated):
    if hub_on is None:
        hub_on = hub_state(run.client("securityhub"))
    sh = run.client("securityhub")
    if not hub_on:
        problem = "findings of other regions are not aggregated into %s (Security Hub is off here)" % run.region
        if run.region in evaluated and not run.is_waived(HUB, R_HUB) and not run.may_change:
            # This run would enable the hub here first (check mode / audit).
            report(run, HUB, R_AGGREGATOR, [problem],
                   [("securityhub:CreateFindingAggregator", None, "ALL_REGIONS", "securityhub_aggregator")],
                   lambda: None)
        else:
            run.noncompliant(HUB, False, False, problem, resource=R_AGGREGATOR)
        return
    aggregators = aws.paginate(sh, "list_finding_aggregators", "FindingAggregators")
    if not aggregators:
        report(run, HUB, R_AGGREGATOR, ["findings of other regions are not aggregated into %s" % run.region],
               [("securityhub:CreateFindingAggregator", None, "ALL_REGIONS", "securityhub_aggregator")],
               lambda: sh.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS"))
        return
    arn = aggregators[0]["FindingAggregatorArn"]
    aggregator = sh.get_finding_aggregator(FindingAggregatorArn=arn)
    region = aggregator.get("FindingAggregationRegion")
    if region and region != run.region:
        run.noncompliant(HUB, False, False, "findings are aggregated into %s, not the home region %s (bulwark does "
                         "not delete an aggregator: move it by hand or set region to %s)" % (region, run.region, region),
                         resource=R_AGGREGATOR)
        return
    if aggregator_covers(aggregator, run.region, evaluated):
        run.add(HUB, "pass", "findings are aggregated into %s (%s)" % (run.region, aggregator.get("RegionLinkingMode")),
                resource=R_AGGREGATOR)
        return
    report(run, HUB, R_AGGREGATOR, ["the aggregator (%s %s) leaves regions out" % (
        aggregator.get("RegionLinkingMode"), ",".join(aggregator.get("Regions") or []))],
        [("securityhub:UpdateFindingAggregator", aggregator.get("RegionLinkingMode"), "ALL_REGIONS",
          "securityhub_aggregator")],
        lambda: sh.update_finding_aggregator(FindingAggregatorArn=arn, RegionLinkingMode="ALL_REGIONS"))


def check_home(run, hub_on, evaluated):
    run.guard([RULES], "config", check_rules, run)
    if run.params["securityhub_aggregation"] and run.wants(HUB):
        run.guard([HUB], "securityhub", check_aggregator, run, hub_on, evaluated)


# --- module ------------------------------------------------------------------------------------------

def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        ebs_kms_key=dict(type="str", no_log=False),
        guardduty_finding_publishing_frequency=dict(type="str", default="FIFTEEN_MINUTES",
                                                    choices=["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]),
        guardduty_features=dict(type="list", elements="str", default=["S3_DATA_EVENTS"]),
        config_bucket=dict(type="str"),
        config_recorder_name=dict(type="str", default="default"),
        config_rules=dict(type="list", elements="raw"),
        create_config_rules=dict(type="bool", default=False),
        securityhub_standards=dict(type="list", elements="str", default=list(DEFAULT_STANDARDS)),
        securityhub_aggregation=dict(type="bool", default=True),
        access_analyzer_name=dict(type="str", default="bulwark-account-analyzer"),
    )
    return spec


def body(m):
    ident = m.identity()
    shared = Shared(m, ident)
    if m.wants(PAB):
        try:
            check_public_access_block(m, ident["account_id"])
        except regions_util.AWS_FAULTS as e:
            m.findings.error_for([PAB], aws.describe_error(e, "s3control"), resource=R_PAB)
    plan = regions_util.RegionPlan([])
    if m.wants(*REGIONAL + (RULES,)):
        plan = regions_util.plan_regions(m, m.params["regions"], REGIONAL + (RULES,))
    results = {}
    if m.wants(*REGIONAL):
        results = regions_util.for_each_region(m, plan.regions, lambda run: check_region(run, shared), REGIONAL)
    if m.wants(RULES, HUB) and (plan.regions or plan.error is None):
        hub_on = (results.get(shared.home) or {}).get("securityhub") if m.wants(HUB) else None
        regions_util.for_each_region(m, [shared.home], lambda run: check_home(run, hub_on, plan.regions), [RULES])
    result = dict(regions=plan.as_result())
    if shared.bucket_result:
        result["config_bucket"] = shared.bucket_result
    m.exit(**result)


DEFINITION = Definition("account_guardrails", argument_spec, CONTROLS, body, validate)

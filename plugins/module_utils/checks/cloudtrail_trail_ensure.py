# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.cloudtrail_trail_ensure module (its file holds the documentation).

bulwark.aws.cloudtrail_trail_ensure runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition

CONTROLS = ids(role="cloudtrail")
MULTI_REGION = "cloudtrail.multi_region"
VALIDATION = "cloudtrail.log_file_validation"
KMS = "cloudtrail.kms_encryption"
ROTATION = "kms.key_rotation"
CLOUDWATCH = "cloudtrail.cloudwatch_logs"
WRITE_EVENTS = "cloudtrail.s3_object_write_events"
READ_EVENTS = "cloudtrail.s3_object_read_events"
DATA_EVENTS = {WRITE_EVENTS: "write", READ_EVENTS: "read"}
BUCKET_ASPECTS = {
    "cloudtrail.bucket_versioning": "versioning",
    "cloudtrail.bucket_not_public": "not_public",
    "cloudtrail.bucket_tls_only": "tls_only",
    "cloudtrail.bucket_access_logging": "access_logging",
    "cloudtrail.bucket_mfa_delete": "mfa_delete",
}
TRAIL_CONTROLS = [c for c in CONTROLS if c != ROTATION]
DEFAULT_TRAIL = "bulwark-security-trail"
DEFAULT_LOG_GROUP = "bulwark-cloudtrail"
ROLE_POLICY_NAME = "bulwark-cloudtrail-to-cloudwatch-logs"
FAULTS = regions_util.AWS_FAULTS
# CloudTrail checks bucket, key and role as it changes a trail; IAM changes take seconds to
# show. Waits between attempts when a fresh resource is not visible yet (about a minute in all).
PROPAGATION_DELAYS = (2, 4, 8, 15, 30)
# Key states CloudTrail cannot encrypt in that a key of this account can be brought back from.
RESTORABLE_STATES = ("PendingDeletion", "Disabled")


def validate(params, _named):
    home = params.get("region") or "us-east-1"
    if params.get("trail_name"):
        ctu.validate_trail_name(params["trail_name"])
    for option in ("bucket_name", "access_log_bucket"):
        if params.get(option):
            ctu.validate_bucket_name(params[option], option)
    owner = params.get("bucket_owner")
    if owner is not None and not (len(owner) == 12 and owner.isdigit()):
        raise ValueError("bucket_owner: %r is not an AWS account id (12 digits): give the account that owns the trail "
                         "bucket (the log archive)" % owner)
    if params.get("access_log_bucket") and params["access_log_bucket"] == params.get("bucket_name"):
        raise ValueError("access_log_bucket: the trail bucket cannot log its own access (every log write would "
                         "log again); give another bucket")
    prefix = params.get("bucket_prefix")
    if prefix is not None and (prefix.startswith("/") or len(prefix) > 200 or "AWSLogs" in prefix.split("/")):
        raise ValueError("bucket_prefix: %r must not start with '/', exceed 200 characters or contain AWSLogs "
                         "(CloudTrail adds AWSLogs/ACCOUNT/ itself)" % prefix)
    if params.get("kms_key_id"):
        ctu.validate_kms_key_id(params["kms_key_id"], home)
    alias = params["kms_key_alias"]
    if not alias.startswith("alias/") or alias.startswith("alias/aws/") or len(alias) > 256:
        raise ValueError("kms_key_alias: %r must start with alias/ and not alias/aws/ (reserved for AWS)" % alias)
    if params.get("log_group_name"):
        ctu.validate_log_group_name(params["log_group_name"])
    ctu.validate_retention(params["log_retention_days"])
    ctu.validate_role_name(params["cloudwatch_logs_role_name"], "cloudwatch_logs_role_name")
    s3_bucket.validate_lifecycle(params.get("lifecycle"))
    regions_util.validate_regions(params)


def deletion_day(meta):
    """The day (UTC, YYYY-MM-DD) a key scheduled for deletion goes."""
    when = meta.get("DeletionDate")
    if isinstance(when, datetime.datetime):
        if when.tzinfo is not None:
            when = when.astimezone(datetime.timezone.utc)
        return when.strftime("%Y-%m-%d")
    return str(when)[:10] if when else "a date KMS did not give"


def rotatable(meta):
    """Customer managed symmetric keys KMS can rotate: enabled, key material from KMS, not a replica."""
    return (meta.get("KeyManager") == "CUSTOMER" and meta.get("KeySpec", meta.get("CustomerMasterKeySpec"))
            == "SYMMETRIC_DEFAULT" and meta.get("KeyState") == "Enabled" and meta.get("Origin", "AWS_KMS") == "AWS_KMS"
            and (meta.get("MultiRegionConfiguration") or {}).get("MultiRegionKeyType") != "REPLICA")


def check_key_rotation(run):
    """One region: every rotatable key gets a finding; returns how many there were."""
    kms = run.client("kms")
    keys = aws.paginate(kms, "list_keys", "Keys")
    found = 0
    for key in keys:
        try:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if not rotatable(meta):
                continue
            found += 1
            arn = meta["Arn"]
            if kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled"):
                run.add(ROTATION, "pass", "automatic rotation is enabled", resource=arn)
                continue
            if run.is_waived(ROTATION, arn):
                run.add(ROTATION, "drift", "automatic rotation is off", resource=arn)
                continue
            run.record_change("kms:EnableKeyRotation %s" % arn, before=False, after=True,
                              key="kms/%s/rotation" % key["KeyId"])
            if run.may_change:
                kms.enable_key_rotation(KeyId=key["KeyId"])
            run.noncompliant(ROTATION, can_fix=True, fixed=run.may_change,
                             message="automatic rotation is off: %s" % (
                                 "enabled it (yearly)" if run.may_change else "would enable it (yearly)"),
                             resource=arn)
        except FAULTS as e:
            # One key the caller may not read (its key policy) does not hide the others.
            found += 1
            run.add(ROTATION, "error", aws.describe_error(e, "kms"), resource=key.get("KeyArn") or key["KeyId"])
    return found


class TrailEnsure:
    """One run: choose the trail, plan the names, fix bucket, key, logs and trail, report."""

    def __init__(self, m):
        self.m = m
        self.p = m.params
        ident = m.identity()
        self.account = ident["account_id"]
        self.partition = ident["partition"]
        self.home = m.conn.region
        self.state = None        # the chosen trail's {"trail", "status", "selectors", "region"}
        self.foreign = False     # an organization trail of another account: read-only
        self.verdicts = {}       # control -> (status, message)
        self.problems = {}       # control -> [what is wrong], [] when compliant as found
        self.fixes = {}          # control -> [what was / would be done]
        self.errors = {}         # control -> message
        self.key_arn = None
        self.bucket_refused = False  # the default bucket name is another account's: no trail
        self.trail_exists = False
        self.trail_arn = self.bucket = None  # set by plan()

    # --- helpers ----------------------------------------------------------------------------
    def fixable(self, control):
        return self.m.findings.wants(control) and not self.m.findings.is_waived(control, self.resource(control))

    def resource(self, control):
        if control in BUCKET_ASPECTS:
            return s3_bucket.bucket_arn(self.bucket, self.partition) if self.bucket else None
        return self.trail_arn

    def problem(self, control, what, fix=None):
        self.problems.setdefault(control, []).append(what)
        if fix:
            self.fixes.setdefault(control, []).append(fix)

    def error(self, controls, exc, service):
        message = aws.describe_error(exc, service)
        for control in controls:
            self.errors.setdefault(control, message)

    def wanted(self, controls):
        return [c for c in controls if self.m.findings.wants(c)]

    # --- 1. which trail ---------------------------------------------------------------------
    def choose_trail(self):
        trails = ctu.describe_trails(self.m.client("cloudtrail"))
        own = [t for t in trails if ctu.trail_account(t) == self.account]
        foreign = [t for t in trails if ctu.trail_account(t) != self.account]
        states = [ctu.read_trail(self.m, t, self.home) for t in own]
        named = [s for s in states if s["trail"]["Name"] == (self.p["trail_name"] or DEFAULT_TRAIL)]
        if named:
            return named[0], False
        if states:
            return min(states, key=self.closeness), False
        for trail in foreign:
            state = ctu.read_trail(self.m, trail, self.home)
            if not ctu.logging_gaps(state):
                return state, True
        return None, False

    def closeness(self, state):
        """Sort key: the trail with the fewest gaps, then one in the home region, then by name."""
        trail = state["trail"]
        gaps = len(ctu.logging_gaps(state)) + (not trail.get("LogFileValidationEnabled")) \
            + (not trail.get("KmsKeyId")) + (not trail.get("CloudWatchLogsLogGroupArn"))
        return gaps, state["region"] != self.home, trail["Name"]

    # --- 2. names -----------------------------------------------------------------------------
    def plan(self):
        trail = self.state["trail"] if self.state else {}
        self.trail_exists = bool(trail)
        self.region = self.state["region"] if self.state else self.home
        self.trail_name = trail.get("Name") or self.p["trail_name"] or DEFAULT_TRAIL
        self.trail_arn = trail.get("TrailARN") or ctu.trail_arn(
            self.partition, self.region, self.account, self.trail_name)
        default_bucket = "bulwark-cloudtrail-%s-%s" % (self.account, self.region)
        self.bucket = self.p["bucket_name"] or trail.get("S3BucketName") or default_bucket
        self.prefix = trail.get("S3KeyPrefix") if trail.get("S3BucketName") == self.bucket else self.p["bucket_prefix"]
        current_group = ctu.parse_log_group_arn(trail.get("CloudWatchLogsLogGroupArn"))
        self.log_group = self.p["log_group_name"] or (current_group[2] if current_group else DEFAULT_LOG_GROUP)
        self.log_group_arn = ctu.log_group_arn(self.partition, self.region, self.account, self.log_group)
        keep_role = current_group and current_group[2] == self.log_group and trail.get("CloudWatchLogsRoleArn")
        self.role_arn = trail.get("CloudWatchLogsRoleArn") if keep_role else "arn:%s:iam::%s:role/%s" % (
            self.partition, self.account, self.p["cloudwatch_logs_role_name"])
        if not self.trail_exists:
            for control in self.wanted([MULTI_REGION, VALIDATION, KMS, CLOUDWATCH]):
                self.problem(control, "the account has no trail")

    def settings(self, trail, status=None):
        """The trail settings this module manages, for --diff."""
        return {
            "Name": trail.get("Name"), "S3BucketName": trail.get("S3BucketName"),
            "IsMultiRegionTrail": trail.get("IsMultiRegionTrail", False),
            "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents", False),
            "LogFileValidationEnabled": trail.get("LogFileValidationEnabled", False),
            "KmsKeyId": trail.get("KmsKeyId"), "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
            "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
            "IsLogging": bool((status or {}).get("IsLogging")),
        }

    # --- 3. bucket ----------------------------------------------------------------------------
    def ensure_bucket(self):
        controls = [c for c in BUCKET_ASPECTS if self.m.findings.wants(c)]
        if self.foreign:
            for control in controls:
                self.verdicts[control] = ("manual", "the organization trail's bucket %s belongs to account %s: "
                                          "evaluate it there" % (self.bucket, ctu.trail_account(self.state["trail"])))
            return
        if not controls and self.trail_exists and self.bucket == self.state["trail"].get("S3BucketName") \
                and not self.m.findings.wants(MULTI_REGION):
            return
        aspects = [BUCKET_ASPECTS[c] for c in controls] + ["service_access"]
        leave_alone = [BUCKET_ASPECTS[c] for c in controls if not self.fixable(c)]
        bucket_arn = s3_bucket.bucket_arn(self.bucket, self.partition)
        # A bucket the trail delivers to, or one given, may be a central log archive of another
        # account: read, never changed. The default name, found to be another account's, is not.
        chosen = bool(self.p["bucket_name"]) or (self.trail_exists
                                                 and self.bucket == self.state["trail"].get("S3BucketName"))
        result = s3_bucket.ensure_secure_bucket(
            self.m, self.bucket, self.region,
            ctu.bucket_statements(bucket_arn, self.prefix, self.account, self.trail_arn),
            access_log_target=self.p["access_log_bucket"], access_log_prefix=self.p["access_log_prefix"],
            lifecycle=self.p["lifecycle"], aspects=aspects + (["lifecycle"] if self.p["lifecycle"] else []),
            leave_alone=leave_alone, foreign="report" if chosen else "refuse", owner=self.p["bucket_owner"])
        owner = self.p["bucket_owner"]
        if owner and owner != self.account and not result.get("foreign") and result.get("exists"):
            for aspect in result["aspects"].values():
                if aspect["status"] == "error":
                    aspect["message"] = "%s: %s" % (self.m.option("bucket_owner"), aspect["message"])
        if result.get("foreign") and not chosen:
            # A trail delivering there would hand this account's logs to that account.
            message = ("bucket name %s belongs to %s, not this account: no trail delivers there; set %s to a bucket "
                       "of this account, or to the log archive's bucket of another account"
                       % (self.bucket, result["owner"], self.m.option("bucket_name")))
            for control in self.wanted(TRAIL_CONTROLS):
                self.errors.setdefault(control, message)
            self.bucket_refused = True
            return
        if result.get("foreign"):
            where = ("bucket %s belongs to %s (the log archive), not this account (%s): it is checked and fixed "
                     "there, never changed from here" % (self.bucket, result["owner"], self.account))
            if result["owner"] == "another AWS account":
                where += " (give %s to name it)" % self.m.option("bucket_owner")
            for control in controls:
                aspect = result["aspects"].get(BUCKET_ASPECTS[control])
                if aspect:
                    self.verdicts[control] = (aspect["status"], "%s; %s" % (where, aspect["message"]))
            return
        for control in controls:
            aspect = result["aspects"].get(BUCKET_ASPECTS[control])
            if aspect:
                self.verdicts[control] = (aspect["status"], aspect["message"])
        access = result["aspects"].get("service_access")
        if access and access["status"] == "error":
            self.errors.setdefault(MULTI_REGION, access["message"])
        elif access and access["status"] != "pass" and self.trail_exists:
            self.problem(MULTI_REGION, "the bucket policy of %s does not let CloudTrail deliver: %s"
                         % (self.bucket, access["message"]))

    # --- 4. KMS key ---------------------------------------------------------------------------
    def usable_key(self, kms, key_id):
        """(metadata, None) for a key CloudTrail can use, else (metadata or None, why not)."""
        try:
            meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        except aws.ClientError as e:
            if aws.error_code(e) == "NotFoundException":
                return None, "key %s does not exist" % key_id
            raise
        if meta.get("KeyManager") != "CUSTOMER":
            return meta, "key %s is AWS managed, not customer managed" % meta["Arn"]
        if meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) != "SYMMETRIC_DEFAULT":
            return meta, "key %s is not a symmetric encryption key" % meta["Arn"]
        if meta.get("KeyState") == "PendingDeletion":
            return meta, ("key %s is scheduled for deletion on %s: CloudTrail cannot encrypt with it, and the logs "
                          "it encrypted become unreadable that day" % (meta["Arn"], deletion_day(meta)))
        if meta.get("KeyState") == "Disabled":
            return meta, "key %s is disabled: CloudTrail cannot encrypt with it" % meta["Arn"]
        if meta.get("KeyState") != "Enabled":
            return meta, "key %s is %s" % (meta["Arn"], meta.get("KeyState"))
        return meta, None

    def restore_key(self, kms, meta, why_not, subject):
        """A customer managed symmetric key disabled or scheduled for deletion (a known way to silence
        CloudTrail): cancel the deletion and enable it again. Restoring rather than replacing keeps the
        logs it encrypted readable and makes no new key. True when the key is (or in check mode would
        be) usable; else the finding says what to do."""
        arn = meta["Arn"]
        pending = meta.get("KeyState") == "PendingDeletion"
        steps = ("aws kms cancel-key-deletion --key-id %s, then aws kms enable-key --key-id %s" % (arn, arn)
                 if pending else "aws kms enable-key --key-id %s" % arn)
        owner = meta.get("AWSAccountId") or arn.split(":")[4]
        if owner != self.account:
            self.verdicts[KMS] = ("fail", "%s %s; the key belongs to account %s, where only it can be restored: %s "
                                  "(or give %s)" % (subject, why_not, owner, steps, self.m.option("kms_key_id")))
            return False
        self.problem(KMS, "%s %s" % (subject, why_not),
                     "cancel the key deletion and enable the key (the logs it encrypted stay readable)"
                     if pending else "enable the key")
        if not self.fixable(KMS):
            return True
        if pending:
            self.m.record_change("kms:CancelKeyDeletion %s" % arn)
        self.m.record_change("kms:EnableKey %s" % arn, before=meta.get("KeyState"), after="Enabled", key="kms_key_state")
        if self.m.may_change:
            try:
                if pending:
                    try:
                        kms.cancel_key_deletion(KeyId=meta["KeyId"])
                    except aws.ClientError as e:
                        # Cancelled meanwhile by another run (an apply at the same time)?
                        if aws.error_code(e) != "KMSInvalidStateException" or kms.describe_key(
                                KeyId=meta["KeyId"])["KeyMetadata"].get("KeyState") == "PendingDeletion":
                            raise
                kms.enable_key(KeyId=meta["KeyId"])
            except FAULTS as e:
                self.errors[KMS] = "%s; %s %s: restore it yourself (%s) or grant kms:CancelKeyDeletion and " \
                    "kms:EnableKey" % (aws.describe_error(e, "kms"), subject, why_not, steps)
                return False
        return True

    def key_to_use(self, kms, key_id, subject):
        """(metadata of a key CloudTrail can use, or will once restored, else None; why not; whether
        the key exists). False as metadata: stop, the finding is made (a key that cannot be restored
        from here)."""
        meta, why_not = self.usable_key(kms, key_id)
        if why_not and meta is not None and meta.get("KeyManager") == "CUSTOMER" \
                and meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT" \
                and meta.get("KeyState") in RESTORABLE_STATES:
            return (meta if self.restore_key(kms, meta, why_not, subject) else False), None, True
        return (None if why_not else meta), why_not, meta is not None

    def ensure_key(self):
        current = self.state["trail"].get("KmsKeyId") if self.state else None
        if self.foreign:
            if self.m.findings.wants(KMS):
                self.verdicts[KMS] = ("pass", "the organization trail encrypts with %s" % current) if current else (
                    "manual", "the organization trail of account %s has no KMS key: fix it there"
                    % ctu.trail_account(self.state["trail"]))
            return
        self.key_arn = current
        if not self.m.findings.wants(KMS):
            return
        kms = self.m.client("kms", self.region)
        alias = self.p["kms_key_alias"]
        if self.p["kms_key_id"]:
            meta, why_not, _exists = self.key_to_use(kms, self.p["kms_key_id"], "%s:" % self.m.option("kms_key_id"))
            if meta is False:
                return
            if why_not:
                self.errors[KMS] = "%s: %s; give an enabled customer managed symmetric key" % (
                    self.m.option("kms_key_id"), why_not)
                return
        else:
            meta = None
            if current:
                meta, why_not, _exists = self.key_to_use(kms, current, "the trail's")
                if meta is False:
                    return
                if why_not:
                    self.problem(KMS, "the trail's %s" % why_not)
            if meta is None:  # the key an earlier run created, found by its alias
                meta, why_not, exists = self.key_to_use(kms, alias, "%s:" % alias)
                if meta is False:
                    return
                if why_not and exists:
                    # A new key could not take the alias: it would be one more key each run.
                    self.errors[KMS] = ("alias %s points at a %s; point the alias at an enabled customer managed "
                                        "symmetric key (aws kms update-alias), or give %s"
                                        % (alias, why_not, self.m.option("kms_key_id")))
                    return
        if self.trail_exists and not current:
            self.problem(KMS, "the trail's logs are not encrypted with a KMS key")
        if meta is None:
            self.create_key(kms)
            return
        self.key_arn = meta["Arn"]
        if current and current != meta["Arn"] and not self.problems.get(KMS):
            self.problem(KMS, "the trail uses %s, not %s" % (current, self.p["kms_key_id"]))
        if self.key_arn != current:
            self.fixes.setdefault(KMS, []).append("set %s on the trail" % self.key_arn)
        self.ensure_key_policy(kms, meta)

    def create_key(self, kms):
        """A new key for the trail, named by the alias at once. KMS has no way to name a key as it is
        made (an alias needs an existing key), so two runs at once may both make one: the run whose
        CreateAlias comes second retires the key it made seconds ago (no alias, no trail, nothing
        encrypted with it) and uses the other run's."""
        document = {"Version": policy.VERSION, "Statement": [ctu.key_admin_statement(self.partition, self.account)]
                    + ctu.key_statements(self.partition, self.account, self.trail_arn)}
        alias = self.p["kms_key_alias"]
        self.fixes.setdefault(KMS, []).append("create customer managed key %s (rotation on, policy scoped to %s) "
                                              "and set it on the trail" % (alias, self.trail_arn))
        if not self.fixable(KMS):
            return
        self.m.record_change("kms:CreateKey %s" % alias, before=None, after=document, key="kms_key_policy")
        self.m.record_change("kms:CreateAlias %s" % alias)
        self.m.record_change("kms:EnableKeyRotation %s" % alias)
        if not self.m.may_change:
            return
        meta = kms.create_key(Description="CloudTrail log encryption for %s (bulwark.aws)" % self.trail_arn,
                              KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                              Policy=policy.dumps(document),
                              Tags=[{"TagKey": "managed-by", "TagValue": "bulwark.aws"}])["KeyMetadata"]
        try:
            kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
        except FAULTS as e:
            self.retire_new_key(kms, meta, alias)
            if aws.error_code(e) != "AlreadyExistsException":
                raise
            # Another run (an apply at the same time) named its key first: that key is the one.
            winner, why_not = self.usable_key(kms, alias)
            if why_not:
                self.errors[KMS] = ("alias %s was created by another run meanwhile and points at a %s; run again"
                                    % (alias, why_not))
                return
            self.key_arn = winner["Arn"]
            self.fixes[KMS][-1] = ("use key %s, made at the same time by another run (the key this run made is "
                                   "scheduled for deletion, never used), and set it on the trail" % winner["Arn"])
            self.ensure_key_policy(kms, winner)
            return
        self.key_arn = meta["Arn"]
        kms.enable_key_rotation(KeyId=meta["KeyId"])

    def retire_new_key(self, kms, meta, alias):
        """Schedule the deletion (7 days, cancellable) of a key this run made seconds ago that did not
        get the alias: nothing uses it, and left behind, every run would leave one more key."""
        self.m.record_change("kms:ScheduleKeyDeletion %s (made by this run, did not get %s)" % (meta["Arn"], alias))
        try:
            kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
        except FAULTS as e:
            self.errors.setdefault(KMS, "key %s made by this run did not get alias %s and could not be retired (%s): "
                                   "schedule its deletion (nothing uses it)"
                                   % (meta["Arn"], alias, aws.describe_error(e, "kms")))

    def ensure_key_policy(self, kms, meta):
        """The key policy lets CloudTrail encrypt for this trail only, and nothing is open to everyone."""
        current = policy.load(kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"])
        public = policy.public_statements(current)
        drop = [n for n, _s in public]
        problems = ["statement open to everyone: %s" % policy.describe_statement(s) for _n, s in public]
        for n, statement in enumerate(policy.statements(current)):
            if n in drop or str(statement.get("Effect")).lower() != "allow":
                continue
            # Evaluated alone: would it let CloudTrail encrypt for another account's trail?
            if policy.allows({"Statement": [statement]}, ("Service", ctu.SERVICE), "kms:GenerateDataKey", "*",
                             ctu.foreign_trail_context(self.partition)):
                drop.append(n)
                problems.append("CloudTrail may use it for any account's trail: %s" % policy.describe_statement(
                    statement))
        kept = policy.remove_statements(current, drop)
        missing = [s for s in ctu.key_statements(self.partition, self.account, self.trail_arn)
                   if not policy.grants_statement(kept, s)]
        if missing:
            problems.append("its policy does not let CloudTrail encrypt this trail's logs")
        if not problems:
            return
        self.problem(KMS, "key %s: %s" % (meta["Arn"], "; ".join(problems)),
                     "rewrite the key policy (CloudTrail scoped to this trail, nothing open to everyone)")
        if not self.fixable(KMS):
            return
        desired, _changed = policy.merge_statements(kept, missing)
        self.m.record_change("kms:PutKeyPolicy %s" % meta["Arn"], before=current, after=desired,
                             key="kms_key_policy")
        if self.m.may_change:
            kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=policy.dumps(desired))

    # --- 5. CloudWatch Logs ---------------------------------------------------------------------
    def ensure_logs(self):
        if not self.m.findings.wants(CLOUDWATCH):
            return
        trail = self.state["trail"] if self.state else {}
        if self.foreign:
            ok = bool(trail.get("CloudWatchLogsLogGroupArn"))
            self.verdicts[CLOUDWATCH] = ("pass", "the organization trail delivers to CloudWatch Logs") if ok else (
                "manual", "the organization trail does not deliver to CloudWatch Logs: fix it in its account")
            return
        if self.trail_exists and not trail.get("CloudWatchLogsLogGroupArn"):
            self.problem(CLOUDWATCH, "the trail does not deliver to CloudWatch Logs")
        elif self.trail_exists and trail["CloudWatchLogsLogGroupArn"] != self.log_group_arn:
            self.problem(CLOUDWATCH, "the trail delivers to %s, not %s"
                         % (trail["CloudWatchLogsLogGroupArn"], self.log_group))
        self.ensure_log_group()
        self.ensure_logs_role()
        error = (self.state or {}).get("status", {}).get("LatestCloudWatchLogsDeliveryError")
        if error and not self.problems.get(CLOUDWATCH):
            self.verdicts[CLOUDWATCH] = ("fail", "CloudTrail reports a delivery error to %s: %s; check the role %s "
                                         "and the log group" % (self.log_group, error, self.role_arn))

    def ensure_log_group(self):
        logs = self.m.client("logs", self.region)
        groups = logs.describe_log_groups(logGroupNamePrefix=self.log_group).get("logGroups", [])
        group = next((g for g in groups if g["logGroupName"] == self.log_group), None)
        days = self.p["log_retention_days"]
        if group is None:
            self.problem(CLOUDWATCH, "log group %s does not exist" % self.log_group,
                         "create log group %s (retention %d days)" % (self.log_group, days))
            if not self.fixable(CLOUDWATCH):
                return
            self.m.record_change("logs:CreateLogGroup %s" % self.log_group, before=None,
                                 after={"retentionInDays": days}, key="log_group")
            if self.m.may_change:
                try:
                    logs.create_log_group(logGroupName=self.log_group, tags={"managed-by": "bulwark.aws"})
                except aws.ClientError as e:
                    if aws.error_code(e) != "ResourceAlreadyExistsException":
                        raise
                    # Made meanwhile by another run (an apply at the same time): the same group.
                logs.put_retention_policy(logGroupName=self.log_group, retentionInDays=days)
            return
        current = group.get("retentionInDays")
        if current is not None and current < days:
            # Only raised, never shortened: a shorter retention deletes logs.
            self.problem(CLOUDWATCH, "log group %s keeps logs %d days" % (self.log_group, current),
                         "raise its retention to %d days" % days)
            if not self.fixable(CLOUDWATCH):
                return
            self.m.record_change("logs:PutRetentionPolicy %s" % self.log_group, before={"retentionInDays": current},
                                 after={"retentionInDays": days}, key="log_group")
            if self.m.may_change:
                logs.put_retention_policy(logGroupName=self.log_group, retentionInDays=days)

    def get_role(self, iam, name):
        try:
            return iam.get_role(RoleName=name)["Role"]
        except aws.ClientError as e:
            if aws.error_code(e) == "NoSuchEntity":
                return None
            raise

    def ensure_logs_role(self):
        iam = self.m.client("iam")
        ours = self.p["cloudwatch_logs_role_name"]
        name = self.role_arn.rsplit("/", 1)[-1]
        if name != ours:
            if self.get_role(iam, name):
                return  # the account's own role: CloudTrail's delivery status tells whether it works
            self.problem(CLOUDWATCH, "the trail's role %s does not exist" % self.role_arn)
            self.role_arn = "arn:%s:iam::%s:role/%s" % (self.partition, self.account, ours)
        statement = ctu.logs_role_statement(self.partition, self.region, self.account, self.log_group)
        role = self.get_role(iam, ours)
        if role is None:
            self.problem(CLOUDWATCH, "role %s does not exist" % ours, "create role %s for CloudTrail" % ours)
            if self.fixable(CLOUDWATCH):
                self.m.record_change("iam:CreateRole %s" % ours, before=None, after=ctu.logs_role_trust(),
                                     key="logs_role")
                self.m.record_change("iam:PutRolePolicy %s/%s" % (ours, ROLE_POLICY_NAME), before=None,
                                     after=statement, key="logs_role_policy")
                if self.m.may_change:
                    try:
                        iam.create_role(RoleName=ours, AssumeRolePolicyDocument=policy.dumps(ctu.logs_role_trust()),
                                        Description="CloudTrail delivers the security trail to CloudWatch Logs "
                                                    "(bulwark.aws)",
                                        Tags=[{"Key": "managed-by", "Value": "bulwark.aws"}])
                    except aws.ClientError as e:
                        if aws.error_code(e) != "EntityAlreadyExists":
                            raise
                        # Made meanwhile by another run (an apply at the same time): make sure it
                        # trusts CloudTrail, as the role this run would have made.
                        iam.update_assume_role_policy(RoleName=ours, PolicyDocument=policy.dumps(ctu.logs_role_trust()))
                    self.put_role_policy(iam, ours, statement)
            return
        if not policy.allows(role.get("AssumeRolePolicyDocument"), ("Service", ctu.SERVICE), "sts:AssumeRole", "*"):
            self.problem(CLOUDWATCH, "role %s does not trust CloudTrail" % ours, "set its trust policy")
            if self.fixable(CLOUDWATCH):
                self.m.record_change("iam:UpdateAssumeRolePolicy %s" % ours, after=ctu.logs_role_trust(),
                                     before=role.get("AssumeRolePolicyDocument"), key="logs_role")
                if self.m.may_change:
                    iam.update_assume_role_policy(RoleName=ours, PolicyDocument=policy.dumps(ctu.logs_role_trust()))
        try:
            current = iam.get_role_policy(RoleName=ours, PolicyName=ROLE_POLICY_NAME)["PolicyDocument"]
        except aws.ClientError as e:
            if aws.error_code(e) != "NoSuchEntity":
                raise
            current = {}
        if not policy.grants_statement(current, statement):
            self.problem(CLOUDWATCH, "role %s may not write to %s" % (ours, self.log_group),
                         "set its policy %s" % ROLE_POLICY_NAME)
            if self.fixable(CLOUDWATCH):
                self.m.record_change("iam:PutRolePolicy %s/%s" % (ours, ROLE_POLICY_NAME), before=current or None,
                                     after=statement, key="logs_role_policy")
                if self.m.may_change:
                    self.put_role_policy(iam, ours, statement)

    def put_role_policy(self, iam, name, statement):
        iam.put_role_policy(RoleName=name, PolicyName=ROLE_POLICY_NAME,
                            PolicyDocument=policy.dumps({"Version": policy.VERSION, "Statement": [statement]}))

    # --- 6. the trail ---------------------------------------------------------------------------
    def trail_changes(self):
        """(update/create arguments, start logging?, event selectors to put or None), noting each
        control's problems and fixes on the way."""
        trail = self.state["trail"] if self.state else {}
        status = self.state["status"] if self.state else {}
        selectors = self.state["selectors"] if self.state else {}
        args = {}
        gap = ctu.management_gap(selectors) if self.trail_exists else None
        # Logging everything is not enough: CIS 3.1's audit and Prowler look for one selector
        # that does (a "Management events selector" when the trail has advanced selectors).
        issue = ctu.management_selector_issue(selectors) if self.trail_exists and not gap else None
        if self.trail_exists and self.m.findings.wants(MULTI_REGION):
            for found in ctu.logging_gaps(self.state):
                self.problem(MULTI_REGION, found)
            if issue:
                self.problem(MULTI_REGION, issue)
        # A trail this module creates is never weaker than the baseline, selected controls or not.
        if self.fixable(MULTI_REGION) or not self.trail_exists:
            if not trail.get("IsMultiRegionTrail") or not trail.get("IncludeGlobalServiceEvents", False):
                args.update(IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
                if self.trail_exists:
                    self.fixes.setdefault(MULTI_REGION, []).append("make it multi-region with global service events")
        if self.m.findings.wants(VALIDATION) and not trail.get("LogFileValidationEnabled"):
            if self.trail_exists:
                self.problem(VALIDATION, "log file validation is off")
            self.fixes.setdefault(VALIDATION, []).append("enable log file validation")
            if self.fixable(VALIDATION):
                args["EnableLogFileValidation"] = True
        if self.fixable(KMS) and KMS not in self.errors:
            wanted = self.key_arn or (None if self.m.may_change else "(the new key)")
            if wanted and wanted != trail.get("KmsKeyId"):
                args["KmsKeyId"] = wanted
        if self.fixable(CLOUDWATCH) and CLOUDWATCH not in self.errors:
            if trail.get("CloudWatchLogsLogGroupArn") != self.log_group_arn \
                    or trail.get("CloudWatchLogsRoleArn") != self.role_arn:
                args.update(CloudWatchLogsLogGroupArn=self.log_group_arn, CloudWatchLogsRoleArn=self.role_arn)
                self.fixes.setdefault(CLOUDWATCH, []).append("point the trail at %s" % self.log_group)
        if self.trail_exists and self.bucket != trail.get("S3BucketName"):
            args["S3BucketName"] = self.bucket
            if self.prefix:
                args["S3KeyPrefix"] = self.prefix
        start = (self.fixable(MULTI_REGION) and not status.get("IsLogging")) or not self.trail_exists
        if self.trail_exists and start:
            self.fixes.setdefault(MULTI_REGION, []).append("start logging")
        fix_management = self.trail_exists and self.fixable(MULTI_REGION) and bool(gap or issue)
        if fix_management:
            self.fixes.setdefault(MULTI_REGION, []).append(
                "log all read and write management events in one %s" % (
                    "advanced selector named %r" % ctu.MANAGEMENT_SELECTOR_NAME
                    if selectors.get("AdvancedEventSelectors") else "selector with ReadWriteType All"))
        logged = ctu.s3_data_events(selectors, self.partition) if self.trail_exists else set()
        add_data = set()
        for control, kind in DATA_EVENTS.items():
            if not self.m.findings.wants(control) or kind in logged:
                continue
            if kind in self.p["s3_data_events"]:
                self.problem(control, "S3 object-level %s events are not logged" % kind,
                             "log S3 object %s events for every bucket" % kind)
                if self.fixable(control):
                    add_data.add(kind)
            else:
                self.verdicts[control] = ("fail", "S3 object-level %s events are not logged (billed per event): add "
                                          "%s to %s to log them for every bucket"
                                          % (kind, kind, self.m.option("s3_data_events")))
        put = ctu.desired_selectors(selectors, fix_management, add_data, self.partition) \
            if (fix_management or add_data) else None
        return args, start, put

    def call_with_propagation_retry(self, fn, **kwargs):
        """Retry while CloudTrail cannot yet see a bucket policy, key policy or role this run made."""
        fresh = any(a.startswith(("iam:", "kms:", "s3:PutBucketPolicy", "s3:CreateBucket")) for a in self.m.actions)
        for delay in PROPAGATION_DELAYS + (None,):
            try:
                return fn(**kwargs)
            except aws.ClientError as e:
                if delay is None or not fresh or not ctu.is_retryable_propagation(e):
                    raise
                time.sleep(delay)
        return None  # pragma: no cover - the loop returns or raises

    def ensure_trail(self):
        if self.foreign:
            self.report_foreign_trail()
            return
        args, start, selectors = self.trail_changes()
        controls = self.wanted(TRAIL_CONTROLS)
        if not self.trail_exists and not any(self.fixable(c) for c in TRAIL_CONTROLS):
            return  # everything selected is waived: nothing to create
        ct = self.m.client("cloudtrail", self.region)
        status = self.state["status"] if self.state else {}
        before = self.settings(self.state["trail"], status) if self.trail_exists else None
        after = dict(before or {}, Name=self.trail_name, S3BucketName=self.bucket)
        after.update((k, v) for k, v in args.items() if k not in ("EnableLogFileValidation", "S3KeyPrefix"))
        if "EnableLogFileValidation" in args:
            after["LogFileValidationEnabled"] = True
        after["IsLogging"] = True if start else after.get("IsLogging")
        if not self.trail_exists:
            self.fixes.setdefault(MULTI_REGION, []).append("create multi-region trail %s and start logging"
                                                           % self.trail_name)
            self.m.record_change("cloudtrail:CreateTrail %s" % self.trail_name, before=None, after=after, key="trail")
            self.m.record_change("cloudtrail:StartLogging %s" % self.trail_name)
            if self.m.may_change:
                create = dict(args, Name=self.trail_name, S3BucketName=self.bucket,
                              TagsList=[{"Key": "managed-by", "Value": "bulwark.aws"}])
                if self.prefix:
                    create["S3KeyPrefix"] = self.prefix
                try:
                    try:
                        self.call_with_propagation_retry(ct.create_trail, **create)
                    except aws.ClientError as e:
                        if aws.error_code(e) != "TrailAlreadyExistsException":
                            raise
                        # Made meanwhile by another run (an apply at the same time): give it what
                        # this run would have created it with.
                        update = dict((k, v) for k, v in create.items() if k not in ("Name", "TagsList"))
                        self.call_with_propagation_retry(ct.update_trail, Name=self.trail_arn, **update)
                    self.trail_exists = True
                    ct.start_logging(Name=self.trail_arn)
                except FAULTS as e:
                    self.error(controls, e, "cloudtrail")
                    return
        else:
            if args:
                self.m.record_change("cloudtrail:UpdateTrail %s" % self.trail_name, before=before, after=after,
                                     key="trail")
                if self.m.may_change:
                    try:
                        self.call_with_propagation_retry(ct.update_trail, Name=self.trail_arn, **args)
                    except FAULTS as e:
                        self.error([c for c in controls if c not in DATA_EVENTS], e, "cloudtrail")
            if start:
                self.m.record_change("cloudtrail:StartLogging %s" % self.trail_name, before=False, after=True,
                                     key="trail_logging")
                if self.m.may_change:
                    try:
                        ct.start_logging(Name=self.trail_arn)
                    except FAULTS as e:
                        self.error([MULTI_REGION], e, "cloudtrail")
        if selectors:
            current = dict((k, v) for k, v in (self.state or {}).get("selectors", {}).items()
                           if k in ("EventSelectors", "AdvancedEventSelectors") and v)
            self.m.record_change("cloudtrail:PutEventSelectors %s" % self.trail_name, before=current or None,
                                 after=selectors, key="trail_event_selectors")
            if self.m.may_change:
                try:
                    ct.put_event_selectors(TrailName=self.trail_arn, **selectors)
                except FAULTS as e:
                    self.error([MULTI_REGION] + list(DATA_EVENTS), e, "cloudtrail")

    def report_foreign_trail(self):
        trail = self.state["trail"]
        owner = ctu.trail_account(trail)
        issue = ctu.management_selector_issue(self.state["selectors"])
        self.verdicts[MULTI_REGION] = ("pass", "organization trail %s of account %s logs every region"
                                       % (trail["Name"], owner)) if not issue else (
            "manual", "organization trail %s of account %s logs every region, but %s: fix it in account %s"
            % (trail["Name"], owner, issue, owner))
        ok = trail.get("LogFileValidationEnabled")
        self.verdicts[VALIDATION] = ("pass", "log file validation is on") if ok else (
            "manual", "log file validation is off on the organization trail: fix it in account %s" % owner)
        logged = ctu.s3_data_events(self.state["selectors"], self.partition)
        for control, kind in DATA_EVENTS.items():
            self.verdicts[control] = ("pass", "S3 object %s events are logged" % kind) if kind in logged else (
                "manual", "the organization trail does not log S3 object %s events: add them in account %s"
                % (kind, owner))

    # --- 7. findings ----------------------------------------------------------------------------
    def report(self):
        for control in self.wanted(TRAIL_CONTROLS):
            where = dict(resource=self.resource(control), region=self.region)
            problems = self.problems.get(control)
            if control in self.errors:
                self.m.findings.add(control, "error", self.errors[control], **where)
            elif control in self.verdicts and not problems:
                status, message = self.verdicts[control]
                self.m.findings.add(control, status, message, **where)
            elif not problems:
                self.m.findings.add(control, "pass", self.pass_message(control), **where)
            elif not self.fixable(control):
                self.m.findings.add(control, "drift", "; ".join(problems), **where)  # waived
            else:
                done = self.m.may_change
                message = "%s; %s%s" % ("; ".join(problems), "fixed: " if done else "would ",
                                        ", ".join(self.fixes.get(control) or ["fix it"]))
                self.m.findings.noncompliant(control, can_fix=True, fixed=done, message=message, **where)

    def pass_message(self, control):
        return {
            MULTI_REGION: "trail %s logs read and write management events in every region" % self.trail_name,
            VALIDATION: "log file validation is on",
            KMS: "logs are encrypted with %s, its policy scoped to this trail" % self.key_arn,
            CLOUDWATCH: "the trail delivers to log group %s" % self.log_group,
            WRITE_EVENTS: "S3 object-level write events are logged for every bucket",
            READ_EVENTS: "S3 object-level read events are logged for every bucket",
        }[control]

    # --- the run ------------------------------------------------------------------------------
    def run(self):
        controls = self.wanted(TRAIL_CONTROLS)
        try:
            if controls:
                self.state, self.foreign = self.choose_trail()
        except FAULTS as e:
            self.error(controls, e, "cloudtrail")
            self.state = None
        self.plan()
        if controls and not self.errors:
            for step, step_controls, service in ((self.ensure_bucket, list(BUCKET_ASPECTS), "s3"),
                                                 (self.ensure_key, [KMS], "kms"),
                                                 (self.ensure_logs, [CLOUDWATCH], "logs"),
                                                 (self.ensure_trail, controls, "cloudtrail")):
                if self.bucket_refused:
                    break  # nothing is built for a trail that cannot be made
                try:
                    step()
                except FAULTS as e:
                    self.error(step_controls, e, service)
        self.report()
        return self.key_rotation()

    def key_rotation(self):
        """kms.key_rotation in every enabled region (or those of the regions option), in parallel."""
        if not self.m.findings.wants(ROTATION):
            return regions_util.RegionPlan([])
        plan = regions_util.plan_regions(self.m, self.p["regions"], [ROTATION])
        regions_util.for_each_region(self.m, plan.regions, check_key_rotation, [ROTATION])
        if plan.regions and not any(f["control"] == ROTATION for f in self.m.findings.items):
            self.m.findings.add(ROTATION, "pass", "no enabled customer managed symmetric key in the %d region(s) "
                                "evaluated" % len(plan.regions), region="all")
        return plan

    def result(self, plan):
        return dict(
            trail=dict(name=self.trail_name, arn=self.trail_arn, home_region=self.region, exists=self.trail_exists),
            trail_arn=self.trail_arn, bucket_arn=s3_bucket.bucket_arn(self.bucket, self.partition),
            kms_key_arn=self.key_arn, log_group_arn=self.log_group_arn, log_group_name=self.log_group,
            regions=plan.as_result())


def argument_spec():
    spec = dict(
        trail_name=dict(type="str"),
        bucket_name=dict(type="str"),
        bucket_owner=dict(type="str"),
        bucket_prefix=dict(type="str"),
        access_log_bucket=dict(type="str"),
        access_log_prefix=dict(type="str"),
        lifecycle=dict(type="dict", options=dict(
            transition_days=dict(type="int"),
            storage_class=dict(type="str", default="GLACIER",
                               choices=["GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "STANDARD_IA", "ONEZONE_IA",
                                        "INTELLIGENT_TIERING"]),
            expiration_days=dict(type="int"),
            noncurrent_expiration_days=dict(type="int"),
        )),
        kms_key_id=dict(type="str"),
        kms_key_alias=dict(type="str", default="alias/bulwark-cloudtrail", no_log=False),
        log_group_name=dict(type="str"),
        log_retention_days=dict(type="int", default=365),
        cloudwatch_logs_role_name=dict(type="str", default="bulwark-cloudtrail-cloudwatch-logs"),
        s3_data_events=dict(type="list", elements="str", choices=["read", "write"], default=[]),
    )
    spec.update(regions_util.REGIONS_ARGUMENT_SPEC)
    return spec


def body(m):
    run = TrailEnsure(m)
    plan = run.run()
    m.exit(**run.result(plan))


DEFINITION = Definition("cloudtrail_trail_ensure", argument_spec, CONTROLS, body, validate)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudTrail facts shared by cloudtrail_trail_ensure and log_metric_alarms.

- names, ARNs and input validation (trail, bucket, log group, retention, KMS key id);
- the policies CloudTrail needs: bucket statements, key statements, CloudWatch Logs role;
- event selectors read as data: are all management events logged, in a selector CIS 3.1's
  audit and Prowler recognise, are S3 object-level read / write events logged for every bucket,
  and the selectors to put to get there;
- trail discovery: every trail visible from the home region with its status and selectors,
  and which of them logs everything (the trail the CIS 4.x metric filters belong on).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

SERVICE = "cloudtrail.amazonaws.com"
# The only values CloudWatch Logs accepts for retentionInDays (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)
S3_OBJECT = "AWS::S3::Object"
# The name the AWS console gives a trail's advanced selector for management events, and the only
# one Prowler's cloudtrail_multi_region_enabled_logging_management_events recognises.
MANAGEMENT_SELECTOR_NAME = "Management events selector"
_MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}

_TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_LOG_GROUP = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)$")
_KEY_ID = re.compile(r"^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$")
_LOG_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(:\*)?$")


# --- names and validation ---------------------------------------------------------------------

def trail_arn(partition, region, account, name):
    return "arn:%s:cloudtrail:%s:%s:trail/%s" % (partition, region, account, name)


def log_group_arn(partition, region, account, name):
    """The form CloudTrail's CloudWatchLogsLogGroupArn takes (with the trailing ':*')."""
    return "arn:%s:logs:%s:%s:log-group:%s:*" % (partition, region, account, name)


def parse_log_group_arn(arn):
    """(region, account, name) of a log group ARN, with or without ':*'; None when it is not one."""
    match = _LOG_GROUP_ARN.match(arn or "")
    return match.groups()[:3] if match else None


def validate_trail_name(name, option="trail_name"):
    if not _TRAIL_NAME.match(name) or re.search(r"[._-]{2}", name) or _IP.match(name):
        raise ValueError("%s: %r is not a valid trail name; use 3-128 letters, digits, '.', '_' or '-', starting and "
                         "ending with a letter or digit, no two punctuation marks in a row" % (option, name))


def validate_bucket_name(name, option="bucket_name"):
    if name != name.lower():
        raise ValueError("%s: %r has uppercase letters; S3 bucket names use lowercase letters, digits, '.' and '-' "
                         "(e.g. %r)" % (option, name, name.lower()))
    if not _BUCKET_NAME.match(name) or ".." in name or _IP.match(name) or name.startswith("xn--") \
            or name.endswith("-s3alias"):
        raise ValueError("%s: %r is not a valid S3 bucket name; use 3-63 lowercase letters, digits, '.' and '-', "
                         "starting and ending with a letter or digit" % (option, name))


def validate_log_group_name(name, option="log_group_name"):
    if not _LOG_GROUP.match(name):
        raise ValueError("%s: %r is not a valid log group name; use 1-512 letters, digits and . - _ / #"
                         % (option, name))


def validate_retention(days, option="log_retention_days"):
    if days not in LOG_RETENTION_DAYS:
        raise ValueError("%s: %r is not a value CloudWatch Logs accepts; choose one of %s"
                         % (option, days, ", ".join(str(d) for d in LOG_RETENTION_DAYS)))


def validate_role_name(name, option):
    if not _ROLE_NAME.match(name):
        raise ValueError("%s: %r is not a valid IAM role name; use 1-64 letters, digits and +=,.@_-" % (option, name))


def validate_kms_key_id(key_id, home_region, option="kms_key_id"):
    """A key id, key ARN, alias name (alias/...) or alias ARN; an ARN must be in the home region
    (CloudTrail needs the key where the trail and its bucket are)."""
    match = _KEY_ARN.match(key_id)
    if match:
        if match.group(1) != home_region:
            raise ValueError("%s: the key %s is in %s, but the trail's home region is %s; give a key from %s "
                             "(or set region to %s)" % (option, key_id, match.group(1), home_region, home_region,
                                                        match.group(1)))
        return
    if key_id.startswith("arn:"):
        raise ValueError("%s: %r is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or .../alias/NAME)"
                         % (option, key_id))
    if not (key_id.startswith("alias/") or _KEY_ID.match(key_id)):
        raise ValueError("%s: %r is not a KMS key id, key ARN or alias (alias/NAME)" % (option, key_id))
    if key_id.startswith("alias/aws/"):
        raise ValueError("%s: %s is an AWS managed key; CIS 3.5 and CloudTrail need a customer managed key"
                         % (option, key_id))


# --- policies CloudTrail needs ------------------------------------------------------------------

def _cloudtrail_context(partition, account):
    return "arn:%s:cloudtrail:*:%s:trail/*" % (partition, account)


def bucket_statements(bucket_arn, prefix, account, trail):
    """CloudTrail's writes into the bucket, for this trail only (aws:SourceArn)."""
    logs = "%s/%sAWSLogs/%s/*" % (bucket_arn, (prefix.strip("/") + "/") if prefix else "", account)
    return [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": SERVICE},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
         "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": SERVICE},
         "Action": "s3:PutObject", "Resource": logs,
         "Condition": {"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]


def key_admin_statement(partition, account):
    """The account (through IAM policies) administers the key: KMS's own default statement."""
    return {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:%s:iam::%s:root" % (partition, account)}, "Action": "kms:*", "Resource": "*"}


def key_statements(partition, account, trail):
    """What CloudTrail needs on the key, scoped to this trail and this account's trails."""
    context = _cloudtrail_context(partition, account)
    return [
        {"Sid": "AllowCloudTrailEncryptLogs", "Effect": "Allow", "Principal": {"Service": SERVICE},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": context}}},
        {"Sid": "AllowCloudTrailDescribeKey", "Effect": "Allow", "Principal": {"Service": SERVICE},
         "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
    ]


def foreign_trail_context(partition):
    """A request from CloudTrail on behalf of another account's trail: a scoped key policy refuses it."""
    other = "arn:%s:cloudtrail:us-east-1:000000000000:trail/other" % partition
    return {"aws:SourceArn": other, "aws:SourceAccount": "000000000000",
            "kms:EncryptionContext:aws:cloudtrail:arn": other}


def logs_role_trust():
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}]}


def logs_role_statement(partition, region, account, log_group):
    return {"Sid": "CloudTrailWritesToItsLogGroup", "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:%s:logs:%s:%s:log-group:%s:log-stream:*" % (partition, region, account, log_group)}


# --- event selectors ----------------------------------------------------------------------------

def _fields(selector):
    return dict((f["Field"], f) for f in selector.get("FieldSelectors", []))


def _read_write(field):
    """(read, write) an advanced selector's readOnly field admits."""
    if field is None:
        return True, True
    equals = [str(v).lower() for v in field.get("Equals", [])]
    if equals == ["true"]:
        return True, False
    if equals == ["false"]:
        return False, True
    return True, True


def _basic_rw(selector):
    kind = selector.get("ReadWriteType", "All")
    return kind in ("All", "ReadOnly"), kind in ("All", "WriteOnly")


def management_gap(selectors):
    """None when read and write management events from every source are logged, else why not.

    ``selectors`` is get_event_selectors' answer. A trail without custom selectors logs all
    management events (AWS's default; moto returns empty lists for it)."""
    basic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    if not basic and not advanced:
        return None
    read = write = False
    excluded = set()
    for sel in basic:
        if sel.get("IncludeManagementEvents", True):
            if sel.get("ExcludeManagementEventSources"):
                excluded.update(sel["ExcludeManagementEventSources"])
                continue
            r, w = _basic_rw(sel)
            read, write = read or r, write or w
    for sel in advanced:
        fields = _fields(sel)
        if fields.get("eventCategory", {}).get("Equals") != ["Management"]:
            continue
        if set(fields) - set(["eventCategory", "readOnly"]):
            excluded.update(sorted(set(fields) - set(["eventCategory", "readOnly"])))
            continue
        r, w = _read_write(fields.get("readOnly"))
        read, write = read or r, write or w
    if read and write:
        return None
    missing = [kind for kind, ok in (("read", read), ("write", write)) if not ok]
    why = "%s management events are not logged" % " and ".join(missing)
    if excluded:
        why += " (a selector excludes or filters %s)" % ", ".join(sorted(excluded))
    return why


def management_selector():
    """The advanced selector for every read and write management event, as the console writes it."""
    return {"Name": MANAGEMENT_SELECTOR_NAME, "FieldSelectors": [dict(_MANAGEMENT)]}


def _logs_all_management(selector):
    """An advanced selector on eventCategory = Management alone (no readOnly, no source filter)."""
    fields = selector.get("FieldSelectors", [])
    return len(fields) == 1 and fields[0] == _MANAGEMENT


def management_selector_issue(selectors):
    """None when one selector logs every management event the way the auditors read it, else
    what they would not recognise (even when, together, the selectors log everything).

    CIS 3.1's audit wants an event selector with IncludeManagementEvents true and ReadWriteType
    All; Prowler's cloudtrail_multi_region_enabled_logging_management_events wants that, or an
    advanced selector named "Management events selector" without a readOnly field. A trail
    without custom selectors has AWS's default one (moto returns empty lists for it)."""
    basic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:  # AWS answers one kind or the other; advanced wins as in desired_selectors
        whole = [sel for sel in advanced if _logs_all_management(sel)]
        if not whole:
            return ("no advanced event selector logs read and write management events together (Prowler looks "
                    "for one on eventCategory Management without a readOnly field, named %r)" % MANAGEMENT_SELECTOR_NAME)
        if any(sel.get("Name") == MANAGEMENT_SELECTOR_NAME for sel in whole):
            return None
        name = whole[0].get("Name")
        return ("the advanced event selector logging management events %s: the AWS console names it %r, the "
                "only name Prowler recognises" % ("is named %r" % name if name else "has no name",
                                                  MANAGEMENT_SELECTOR_NAME))
    if not basic or any(sel.get("IncludeManagementEvents", True) and sel.get("ReadWriteType", "All") == "All"
                        and not sel.get("ExcludeManagementEventSources") for sel in basic):
        return None
    return ("no event selector logs all management events with ReadWriteType All (CIS 3.1's audit and Prowler "
            "look for one with IncludeManagementEvents true and ReadWriteType All)")


def _all_buckets(values, partition):
    return any(v.rstrip(":/") in ("arn:%s:s3" % partition, "arn:%s:s3::" % partition) for v in values)


def s3_data_events(selectors, partition="aws"):
    """{"read", "write"}: which S3 object-level events are logged for every bucket."""
    out = set()
    for sel in selectors.get("EventSelectors") or []:
        for res in sel.get("DataResources", []):
            if res.get("Type") == S3_OBJECT and _all_buckets(res.get("Values", []), partition):
                r, w = _basic_rw(sel)
                out.update(k for k, ok in (("read", r), ("write", w)) if ok)
    for sel in selectors.get("AdvancedEventSelectors") or []:
        fields = _fields(sel)
        if fields.get("eventCategory", {}).get("Equals") != ["Data"]:
            continue
        if fields.get("resources.type", {}).get("Equals") != [S3_OBJECT]:
            continue
        arn = fields.get("resources.ARN")
        if arn and not (set(arn) <= set(["Field", "StartsWith"]) and _all_buckets(arn["StartsWith"], partition)):
            continue
        if set(fields) - set(["eventCategory", "resources.type", "resources.ARN", "readOnly"]):
            continue
        r, w = _read_write(fields.get("readOnly"))
        out.update(k for k, ok in (("read", r), ("write", w)) if ok)
    return out


def desired_selectors(selectors, fix_management, add_data, partition="aws"):
    """put_event_selectors arguments that log all management events in one selector the auditors
    recognise (when ``fix_management``: it replaces every management selector, so none is
    duplicated) and S3 object events of ``add_data`` ({"read", "write"}) for every bucket,
    keeping every other data selector. Advanced selectors stay advanced, basic stay basic."""
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:
        out = []
        for sel in advanced:
            if fix_management and _fields(sel).get("eventCategory", {}).get("Equals") == ["Management"]:
                continue
            out.append(sel)
        if fix_management:
            out.insert(0, management_selector())
        if add_data:
            fields = [{"Field": "eventCategory", "Equals": ["Data"]},
                      {"Field": "resources.type", "Equals": [S3_OBJECT]}]
            if len(add_data) == 1:
                fields.append({"Field": "readOnly", "Equals": ["true" if "read" in add_data else "false"]})
            out.append({"Name": "S3 object %s events" % " and ".join(sorted(add_data)), "FieldSelectors": fields})
        return {"AdvancedEventSelectors": out}
    basic = selectors.get("EventSelectors") or [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                                 "DataResources": []}]
    out = []
    if fix_management:
        out.append({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []})
        for sel in basic:
            if sel.get("DataResources"):
                out.append({"ReadWriteType": sel.get("ReadWriteType", "All"), "IncludeManagementEvents": False,
                            "DataResources": sel["DataResources"]})
    else:
        out = [dict(sel) for sel in basic]
    if add_data:
        kind = "All" if len(add_data) == 2 else ("ReadOnly" if "read" in add_data else "WriteOnly")
        out.append({"ReadWriteType": kind, "IncludeManagementEvents": False,
                    "DataResources": [{"Type": S3_OBJECT, "Values": ["arn:%s:s3" % partition]}]})
    return {"EventSelectors": out}


# --- trails -------------------------------------------------------------------------------------

def describe_trails(ct):
    """Every trail visible from this region: its own and other regions' multi-region trails
    (shadow copies), organization trails included."""
    return ct.describe_trails(includeShadowTrails=True).get("trailList", [])


def home_region(trail, default):
    return trail.get("HomeRegion") or trail["TrailARN"].split(":")[3] or default


def trail_account(trail):
    return trail["TrailARN"].split(":")[4]


def read_trail(m, trail, default_region):
    """{"trail", "status", "selectors", "region"} read in the trail's home region."""
    region = home_region(trail, default_region)
    ct = m.client("cloudtrail", region)
    status = ct.get_trail_status(Name=trail["TrailARN"])
    selectors = ct.get_event_selectors(TrailName=trail["TrailARN"])
    return {"trail": trail, "status": status, "selectors": selectors, "region": region}


def logging_gaps(state):
    """Why this trail does not log every management event of every region (CIS 3.1), or []."""
    trail, status = state["trail"], state["status"]
    gaps = []
    if not trail.get("IsMultiRegionTrail"):
        gaps.append("it logs one region only")
    if not status.get("IsLogging"):
        gaps.append("logging is stopped")
    if not trail.get("IncludeGlobalServiceEvents", True):
        gaps.append("global service events (IAM, STS) are excluded")
    gap = management_gap(state["selectors"])
    if gap:
        gaps.append(gap)
    return gaps


# The account run's shared value (AwsConnection.shared) for the security trail's log group:
# cloudtrail_trail_ensure publishes the group it ensures (in check mode, the group it would
# get); log_metric_alarms, after it in the run, watches that group, else looks for one.
SECURITY_TRAIL_LOG_GROUP = "cloudtrail:security_trail_log_group"


def security_trail_log_group(m, default_region):
    """(region, log group name, why not) of the security trail, read once per account run."""
    return m.shared(SECURITY_TRAIL_LOG_GROUP,
                    lambda: find_log_group_of_security_trail(m, m.client("cloudtrail"), default_region))


def find_log_group_of_security_trail(m, ct, default_region):
    """(region, log group name, trail ARN) of a trail that logs everything and delivers to
    CloudWatch Logs, or (None, None, why not). Faults propagate."""
    reasons = []
    for trail in sorted(describe_trails(ct), key=lambda t: t["Name"]):
        if not trail.get("CloudWatchLogsLogGroupArn"):
            reasons.append("%s does not deliver to CloudWatch Logs" % trail["Name"])
            continue
        state = read_trail(m, trail, default_region)
        gaps = logging_gaps(state)
        if gaps:
            reasons.append("%s: %s" % (trail["Name"], "; ".join(gaps)))
            continue
        region, _account, name = parse_log_group_arn(trail["CloudWatchLogsLogGroupArn"])
        return region, name, trail["TrailARN"]
    return None, None, ("; ".join(reasons) or "no trail exists")


def is_retryable_propagation(exc):
    """CloudTrail checks the bucket policy, key policy and logs role when a trail changes; right
    after they are created IAM may not show them yet (eventual consistency)."""
    return aws.error_code(exc) in ("InvalidCloudWatchLogsRoleArnException", "InsufficientS3BucketPolicyException",
                                   "InsufficientEncryptionPolicyException", "InvalidCloudWatchLogsLogGroupArnException",
                                   "KmsException")

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Config managed rules bulwark knows: how to create each one, and the checklist's default set.

A rule entry is either a managed rule identifier (``ACCESS_KEYS_ROTATED``) or a dict
``{identifier, name, parameters}``. ``normalise_rules`` validates a list of entries before
any AWS call: an identifier not in KNOWN_RULES, an unknown parameter or a missing required
one is an error naming the entry. ``put_config_rule_arguments`` builds the call.

Trigger types, resource scopes and parameters follow the AWS Config managed rules list
(developer guide, "List of AWS Config Managed Rules"). A rule missing here can be added with
one line; it is refused until then, so a typo never reaches AWS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

PERIODIC = "periodic"
CHANGES = "changes"
BOTH = "changes+periodic"
DEFAULT_FREQUENCY = "TwentyFour_Hours"

# identifier: (trigger, scope resource types, {required parameter: default}, (optional parameters))
KNOWN_RULES = {
    "ACCESS_KEYS_ROTATED": (PERIODIC, (), {"maxAccessKeyAge": "90"}, ()),
    "ACCOUNT_PART_OF_ORGANIZATIONS": (PERIODIC, (), {}, ("MasterAccountId",)),
    "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED": (PERIODIC, (), {}, ("expectedDeliveryWindowAge",)),
    "CLOUD_TRAIL_ENABLED": (PERIODIC, (), {}, ("s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn")),
    "CLOUD_TRAIL_ENCRYPTION_ENABLED": (PERIODIC, (), {}, ()),
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED": (PERIODIC, (), {}, ()),
    "CLOUDTRAIL_ALL_READ_S3_DATA_EVENT_CHECK": (PERIODIC, (), {}, ()),
    "CLOUDTRAIL_ALL_WRITE_S3_DATA_EVENT_CHECK": (PERIODIC, (), {}, ()),
    "CLOUDTRAIL_S3_DATAEVENTS_ENABLED": (PERIODIC, (), {}, ("S3BucketNames",)),
    "CMK_BACKING_KEY_ROTATION_ENABLED": (PERIODIC, (), {}, ()),
    "EC2_EBS_ENCRYPTION_BY_DEFAULT": (PERIODIC, (), {}, ()),
    "EC2_IMDSV2_CHECK": (CHANGES, ("AWS::EC2::Instance",), {}, ()),
    "EFS_ENCRYPTED_CHECK": (PERIODIC, (), {}, ("KmsKeyId",)),
    "ENCRYPTED_VOLUMES": (CHANGES, ("AWS::EC2::Volume",), {}, ("kmsId",)),
    "GUARDDUTY_ENABLED_CENTRALIZED": (PERIODIC, (), {}, ("CentralMonitoringAccount",)),
    "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED": (PERIODIC, (), {}, ()),
    "IAM_GROUP_HAS_USERS_CHECK": (CHANGES, ("AWS::IAM::Group",), {}, ()),
    "IAM_NO_INLINE_POLICY_CHECK": (CHANGES, ("AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::User"), {}, ()),
    "IAM_PASSWORD_POLICY": (PERIODIC, (), {}, (
        "RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers",
        "MinimumPasswordLength", "PasswordReusePrevention", "MaxPasswordAge")),
    "IAM_POLICY_BLACKLISTED_CHECK": (CHANGES, ("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role"),
                                     {"policyArns": "arn:aws:iam::aws:policy/AdministratorAccess"},
                                     ("exceptionList",)),
    "IAM_POLICY_IN_USE": (PERIODIC, (), {"policyARN": None}, ("policyUsageType",)),
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": (CHANGES, ("AWS::IAM::Policy",), {},
                                                   ("excludePermissionBoundaryPolicy",)),
    "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS": (CHANGES, ("AWS::IAM::Policy",), {},
                                                  ("excludePermissionBoundaryPolicy",)),
    "IAM_ROOT_ACCESS_KEY_CHECK": (PERIODIC, (), {}, ()),
    "IAM_SERVER_CERTIFICATE_EXPIRATION_CHECK": (PERIODIC, (), {}, ()),
    "IAM_USER_GROUP_MEMBERSHIP_CHECK": (CHANGES, ("AWS::IAM::User",), {}, ("groupNames",)),
    "IAM_USER_MFA_ENABLED": (PERIODIC, (), {}, ()),
    "IAM_USER_NO_POLICIES_CHECK": (CHANGES, ("AWS::IAM::User",), {}, ()),
    "IAM_USER_UNUSED_CREDENTIALS_CHECK": (PERIODIC, (), {"maxCredentialUsageAge": "45"}, ()),
    "INCOMING_SSH_DISABLED": (BOTH, ("AWS::EC2::SecurityGroup",), {}, ()),
    "KMS_CMK_NOT_SCHEDULED_FOR_DELETION": (PERIODIC, (), {}, ("kmsKeyIds",)),
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS": (PERIODIC, (), {}, ()),
    "MULTI_REGION_CLOUD_TRAIL_ENABLED": (PERIODIC, (), {}, (
        "s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn", "includeManagementEvents", "readWriteType")),
    "NACL_NO_UNRESTRICTED_SSH_RDP": (CHANGES, ("AWS::EC2::NetworkAcl",), {}, ()),
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK": (CHANGES, ("AWS::RDS::DBInstance",), {}, ()),
    "RDS_SNAPSHOTS_PUBLIC_PROHIBITED": (CHANGES, ("AWS::RDS::DBClusterSnapshot", "AWS::RDS::DBSnapshot"), {}, ()),
    "RDS_STORAGE_ENCRYPTED": (CHANGES, ("AWS::RDS::DBInstance",), {}, ("kmsKeyId",)),
    "RESTRICTED_INCOMING_TRAFFIC": (BOTH, ("AWS::EC2::SecurityGroup",), {}, (
        "blockedPort1", "blockedPort2", "blockedPort3", "blockedPort4", "blockedPort5", "blockedPorts")),
    "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED": (PERIODIC, (), {}, ()),
    "ROOT_ACCOUNT_MFA_ENABLED": (PERIODIC, (), {}, ()),
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC": (PERIODIC, (), {}, (
        "IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets")),
    "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED": (CHANGES, ("AWS::S3::Bucket",), {}, ("excludedPublicBuckets",)),
    "S3_BUCKET_LOGGING_ENABLED": (CHANGES, ("AWS::S3::Bucket",), {}, ("targetPrefix", "targetBucket")),
    "S3_BUCKET_MFA_DELETE_ENABLED": (CHANGES, ("AWS::S3::Bucket",), {}, ()),
    "S3_BUCKET_PUBLIC_READ_PROHIBITED": (BOTH, ("AWS::S3::Bucket",), {}, ()),
    "S3_BUCKET_PUBLIC_WRITE_PROHIBITED": (BOTH, ("AWS::S3::Bucket",), {}, ()),
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED": (CHANGES, ("AWS::S3::Bucket",), {}, ()),
    "S3_BUCKET_SSL_REQUESTS_ONLY": (CHANGES, ("AWS::S3::Bucket",), {}, ()),
    "S3_BUCKET_VERSIONING_ENABLED": (CHANGES, ("AWS::S3::Bucket",), {}, ("isMfaDeleteEnabled",)),
    "SECURITYHUB_ENABLED": (PERIODIC, (), {}, ()),
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED": (CHANGES, ("AWS::EC2::SecurityGroup",), {}, ()),
    "VPC_FLOW_LOGS_ENABLED": (PERIODIC, (), {}, ("trafficType",)),
    "VPC_SG_PORT_RESTRICTION_CHECK": (PERIODIC, (), {}, (
        "restrictPorts", "protocolType", "excludeExternalSecurityGroups", "ipType")),
}

# The checklist's rules (shared/reference/controls.md section 6, plus CLOUD_TRAIL_ENABLED and
# S3_BUCKET_SSL_REQUESTS_ONLY), with the CIS thresholds as parameters.
DEFAULT_RULES = [
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "IAM_PASSWORD_POLICY",
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "IAM_USER_UNUSED_CREDENTIALS_CHECK",
    "ACCESS_KEYS_ROTATED",
    "IAM_USER_NO_POLICIES_CHECK",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "CLOUD_TRAIL_ENABLED",
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "EC2_EBS_ENCRYPTION_BY_DEFAULT",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "VPC_FLOW_LOGS_ENABLED",
    "GUARDDUTY_ENABLED_CENTRALIZED",
    "SECURITYHUB_ENABLED",
]

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def default_name(identifier):
    """The name bulwark gives a rule it creates: bulwark-access-keys-rotated."""
    return "bulwark-" + identifier.lower().replace("_", "-")


def normalise_rules(entries, option="config_rules"):
    """[{identifier, name, parameters}] from the option's entries. Raises ValueError naming the
    entry when an identifier is unknown, a parameter is unknown or a required one has no value."""
    out, seen = [], set()
    for n, entry in enumerate(entries or []):
        where = "%s[%d]" % (option, n)
        if isinstance(entry, str):
            entry = {"identifier": entry}
        if not isinstance(entry, dict):
            raise ValueError("%s: a rule is a managed rule identifier or a dict with identifier, name, parameters"
                             % where)
        extra = sorted(set(entry) - set(("identifier", "name", "parameters")))
        if extra:
            raise ValueError("%s: unknown key(s) %s; a rule has identifier, name and parameters" % (where, ", ".join(extra)))
        identifier = str(entry.get("identifier") or "").strip()
        if identifier not in KNOWN_RULES:
            close = [k for k in sorted(KNOWN_RULES) if identifier.upper() == k or identifier.upper() in k][:3]
            raise ValueError("%s: %r is not a managed Config rule bulwark knows%s (known: see "
                             "plugins/module_utils/domain/config_rules.py KNOWN_RULES)"
                             % (where, identifier, "; did you mean %s?" % ", ".join(close) if close else ""))
        if identifier in seen:
            raise ValueError("%s: %s is listed more than once" % (where, identifier))
        seen.add(identifier)
        _trigger, _scope, required, optional = KNOWN_RULES[identifier]
        given = entry.get("parameters") or {}
        if not isinstance(given, dict):
            raise ValueError("%s.parameters: a dict of parameter name to value" % where)
        unknown = sorted(set(given) - set(required) - set(optional))
        if unknown:
            raise ValueError("%s.parameters: %s has no parameter %s (it takes: %s)" % (
                where, identifier, ", ".join(unknown), ", ".join(sorted(set(required) | set(optional))) or "none"))
        parameters = dict((k, v) for k, v in required.items() if v is not None)
        parameters.update(dict((k, _as_text(v)) for k, v in given.items() if v is not None))
        missing = sorted(k for k in required if k not in parameters)
        if missing:
            raise ValueError("%s.parameters: %s needs %s" % (where, identifier, ", ".join(missing)))
        name = str(entry.get("name") or default_name(identifier))
        if not _NAME.match(name):
            raise ValueError("%s.name: %r must be 1-128 letters, digits, '.', '_' or '-'" % (where, name))
        out.append(dict(identifier=identifier, name=name, parameters=parameters))
    return out


def _as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def put_config_rule_arguments(rule, frequency=DEFAULT_FREQUENCY):
    """kwargs of config:PutConfigRule for a normalised rule."""
    trigger, scope, _required, _optional = KNOWN_RULES[rule["identifier"]]
    body = {
        "ConfigRuleName": rule["name"],
        "Description": "bulwark.aws: AWS managed rule %s" % rule["identifier"],
        "Source": {"Owner": "AWS", "SourceIdentifier": rule["identifier"]},
    }
    if rule["parameters"]:
        body["InputParameters"] = json.dumps(rule["parameters"], sort_keys=True)
    if scope:
        body["Scope"] = {"ComplianceResourceTypes": list(scope)}
    if trigger in (PERIODIC, BOTH):
        body["MaximumExecutionFrequency"] = frequency
    return {"ConfigRule": body}

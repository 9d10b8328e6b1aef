# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control catalogue: the one source of truth for every control bulwark.aws knows.

Modules emit only ids listed here (findings.py enforces it); the drift report reads the
remediation text from here; docs/controls.md is generated from here (``make docs``).
Ids are a public contract: reports, waivers and tags use them. Never rename one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# remediation_kind, how a control gets fixed:
#   auto      the role fixes it
#   opt_in    fixed only when a variable says so (destructive or billed)
#   root_only only the root user can fix it
#   manual    no API: a person has to do it
# severity: critical, high, medium, low or informational.
Control = namedtuple(
    "Control",
    ["id", "role", "module", "title", "severity", "cis", "securityhub", "config_rule", "remediation_kind",
     "remediation"],
)

# Checklist order: the order roles run in harden.yml and sections appear in reports.
ROLES = ("root", "iam", "cloudtrail", "monitoring", "guardrails", "network", "storage", "account")

_ROOT_CONSOLE = "Sign in as the root user (email + password) in the AWS console, "


# Controls whose id prefix is a service, or another role, rather than the role that owns them.
_ROLE_OF = {
    "kms": "cloudtrail",
    "s3": "guardrails",
    "ec2": "guardrails",
    "config": "guardrails",
    "guardduty": "guardrails",
    "securityhub": "guardrails",
    "iam.access_analyzer": "guardrails",
    "s3.bucket_tls_only": "storage",
    "s3.bucket_public_access_block": "storage",
    "rds": "storage",
    "efs": "storage",
}


# The module that evaluates a control: the entry for its id, else for its longest dotted prefix.
# A module's controls are exactly the ones named here; the account run (account_baseline), the
# roles' tasks and the result names follow from this table (tests/unit/test_registry.py).
_MODULE_OF = {
    "root": "root_key_audit",
    "root.mfa": "mfa_status",
    "root.hardware_mfa": "mfa_status",
    "iam.user_mfa": "mfa_status",
    "iam.password_policy": "iam_password_policy_check",
    "iam": "iam_credential_audit",
    "iam.support_role": "iam_admin_setup",
    "iam.admin_group": "iam_admin_setup",
    "iam.mfa_enforcement_policy": "iam_admin_setup",
    "cloudtrail": "cloudtrail_trail_ensure",
    "monitoring": "log_metric_alarms",
    "guardrails": "account_guardrails",
    "iam.access_analyzer": "account_guardrails",
    "network": "network_security",
    "storage": "storage_security",
    "account": "account_settings",
}


def _longest(table, control_id):
    parts = control_id.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in table:
            return table[".".join(parts[:n])]
    return None


def _c(id, title, severity, cis, sh, config, kind, remediation):
    role = _longest(_ROLE_OF, id) or id.split(".")[0]
    module = _longest(_MODULE_OF, id) or _MODULE_OF[role]
    return Control(id, role, module, title, severity, cis, sh, config, kind, remediation)


# (suffix, CIS number, Security Hub id, title) of the CIS 4.x metric filter alarms.
MONITORING_ALARMS = (
    ("unauthorized_api_calls", "4.1", "CloudWatch.2", "unauthorized API calls"),
    ("console_signin_without_mfa", "4.2", "CloudWatch.3", "console sign-in without MFA"),
    ("root_usage", "4.3", "CloudWatch.1", "usage of the root user"),
    ("iam_policy_changes", "4.4", "CloudWatch.4", "IAM policy changes"),
    ("cloudtrail_changes", "4.5", "CloudWatch.5", "CloudTrail configuration changes"),
    ("console_auth_failures", "4.6", "CloudWatch.6", "console authentication failures"),
    ("cmk_disable_or_deletion", "4.7", "CloudWatch.7", "disabling or scheduled deletion of customer managed keys"),
    ("s3_bucket_policy_changes", "4.8", "CloudWatch.8", "S3 bucket policy changes"),
    ("config_changes", "4.9", "CloudWatch.9", "AWS Config configuration changes"),
    ("security_group_changes", "4.10", "CloudWatch.10", "security group changes"),
    ("nacl_changes", "4.11", "CloudWatch.11", "network ACL changes"),
    ("network_gateway_changes", "4.12", "CloudWatch.12", "network gateway changes"),
    ("route_table_changes", "4.13", "CloudWatch.13", "route table changes"),
    ("vpc_changes", "4.14", "CloudWatch.14", "VPC changes"),
    ("organizations_changes", "4.15", None, "AWS Organizations changes"),
)

_PASSWORD_POLICY = (
    # suffix, field, CIS, SH, title
    ("min_length", "MinimumPasswordLength", "1.8", "IAM.15", "IAM password policy requires a minimum length of 14 or more"),
    ("reuse_prevention", "PasswordReusePrevention", "1.9", "IAM.16", "IAM password policy prevents password reuse (24)"),
    ("uppercase", "RequireUppercaseCharacters", None, "IAM.11", "IAM password policy requires an uppercase letter"),
    ("lowercase", "RequireLowercaseCharacters", None, "IAM.12", "IAM password policy requires a lowercase letter"),
    ("numbers", "RequireNumbers", None, "IAM.14", "IAM password policy requires a number"),
    ("symbols", "RequireSymbols", None, "IAM.13", "IAM password policy requires a symbol"),
    ("max_age", "MaxPasswordAge", None, "IAM.17", "IAM passwords expire within 90 days"),
    ("allow_users_to_change", "AllowUsersToChangePassword", None, None, "IAM users may change their own password"),
)

_CATALOGUE = [
    # --- root -------------------------------------------------------------------------
    _c("root.no_access_keys", "No access key exists for the root user", "critical", "1.4", "IAM.4",
       "IAM_ROOT_ACCESS_KEY_CHECK", "root_only",
       _ROOT_CONSOLE + "open Security credentials, and delete every access key under 'Access keys'. "
       "Replace what used them with an IAM role."),
    _c("root.mfa", "MFA is enabled for the root user", "critical", "1.5", "IAM.9",
       "ROOT_ACCOUNT_MFA_ENABLED", "root_only",
       _ROOT_CONSOLE + "open Security credentials > Multi-factor authentication (MFA) > Assign MFA device."),
    _c("root.hardware_mfa", "Hardware MFA is enabled for the root user", "high", "1.6", "IAM.6",
       "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "root_only",
       _ROOT_CONSOLE + "open Security credentials > MFA, assign a hardware TOTP token or a FIDO security key, "
       "then remove the virtual MFA device."),
    _c("root.no_recent_use", "The root user is not used for daily work", "high", "1.7", None, None, "manual",
       "Find who used root (CloudTrail: userIdentity.type = Root), move that work to IAM roles, "
       "and rotate the root password if the use was not expected."),
    _c("root.no_signing_certificates", "No X.509 signing certificate exists for the root user", "high", None, None,
       None, "root_only",
       _ROOT_CONSOLE + "open Security credentials > X.509 certificate, and delete every certificate."),
    # --- iam: password policy -------------------------------------------------------------
] + [
    _c("iam.password_policy." + suffix, title, "medium", cis, sh,
       "IAM_PASSWORD_POLICY" if suffix != "allow_users_to_change" else None, "auto",
       "Set %s in the account password policy (IAM > Account settings), or run the iam role: "
       "it merges the baseline into the existing policy and never weakens a stricter setting." % field)
    for suffix, field, cis, sh, title in _PASSWORD_POLICY
] + [
    # --- iam: users, keys, policies ------------------------------------------------------
    _c("iam.user_mfa", "Every IAM user with a console password has MFA", "high", "1.10", "IAM.5",
       "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "manual",
       "Each listed user enrols an MFA device (IAM > Users > Security credentials > Assign MFA). "
       "Until then, attach the MFA enforcement policy to their groups (bulwark_iam_mfa_enforcement_groups)."),
    _c("iam.no_keys_at_setup", "No console user has an active access key that was never used", "low", "1.11", None,
       None, "opt_in",
       "Delete the never-used access keys of users with a console password (CIS 1.11 flags each one, whenever it "
       "was created); create a key only when the user needs one. bulwark_iam_deactivate_unused_keys deactivates "
       "them once unused for bulwark_iam_unused_credentials_days (45)."),
    _c("iam.unused_credentials", "Credentials unused for 45 days or more are disabled", "medium", "1.12", "IAM.22",
       "IAM_USER_UNUSED_CREDENTIALS_CHECK", "opt_in",
       "Deactivate unused access keys and remove unused console passwords "
       "(bulwark_iam_deactivate_unused_keys / bulwark_iam_remove_unused_passwords)."),
    _c("iam.one_active_key", "Each IAM user has at most one active access key", "medium", "1.13", None, None,
       "opt_in",
       "Deactivate the older or unused of the two active keys (IAM > Users > Security credentials)."),
    _c("iam.key_rotation", "Active access keys are rotated every 90 days or less", "medium", "1.14", "IAM.3",
       "ACCESS_KEYS_ROTATED", "opt_in",
       "The key owner creates a new key, switches to it and deactivates the old one; "
       "bulwark_iam_deactivate_keys_older_than_days deactivates stale keys (it never handles secrets)."),
    _c("iam.permissions_via_groups", "IAM users receive permissions only through groups", "low", "1.15", "IAM.2",
       "IAM_USER_NO_POLICIES_CHECK", "manual",
       "Move user-attached and inline user policies to groups, add the user to the group, "
       "then detach the policies from the user."),
    _c("iam.no_full_admin_policies", "No customer managed policy grants full '*:*' administrative privileges",
       "high", "1.16", "IAM.1", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", "manual",
       "Replace the '*' on '*' statement with the actions and resources the holders need, "
       "or detach the policy; use AdministratorAccess on a dedicated admin group instead."),
    _c("iam.support_role", "A role exists to manage incidents with AWS Support", "low", "1.17", "IAM.18",
       "IAM_POLICY_IN_USE", "auto",
       "Create a role trusted by your account with the AWS managed policy AWSSupportAccess attached."),
    _c("iam.expired_server_certificates", "No expired SSL/TLS certificate is stored in IAM", "medium", "1.19",
       "IAM.26", "IAM_SERVER_CERTIFICATE_EXPIRATION_CHECK", "manual",
       "Delete expired server certificates (aws iam delete-server-certificate) after checking nothing uses them."),
    _c("iam.no_cloudshell_full_access", "AWSCloudShellFullAccess is not attached to any identity", "medium",
       "1.22", "IAM.27", "IAM_POLICY_BLACKLISTED_CHECK", "manual",
       "Detach AWSCloudShellFullAccess; grant a scoped CloudShell policy to those who need it."),
    _c("iam.admin_group", "Administrators get AdministratorAccess through a dedicated group", "low", None, None,
       None, "opt_in",
       "Create an admin group with AdministratorAccess (bulwark_iam_create_admin_group) and put administrators in it."),
    _c("iam.mfa_enforcement_policy", "A policy denies everything but MFA enrolment until MFA is used", "medium",
       None, None, None, "opt_in",
       "Create the MFA enforcement policy and attach it to groups with console users "
       "(bulwark_iam_mfa_enforcement_groups)."),
    _c("iam.credential_report", "The IAM credential report is generated and exported", "informational", None,
       None, None, "manual",
       "Grant iam:GenerateCredentialReport and iam:GetCredentialReport to the role running bulwark."),
    _c("iam.access_analyzer", "IAM Access Analyzer is enabled in every enabled region", "medium", "1.20",
       "IAM.28", "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED", "auto",
       "Create an account analyzer in each region (IAM > Access analyzer > Create analyzer)."),
    # --- cloudtrail ------------------------------------------------------------------------
    _c("cloudtrail.multi_region", "A multi-region trail logs all management events", "high", "3.1",
       "CloudTrail.1", "MULTI_REGION_CLOUD_TRAIL_ENABLED", "auto",
       "Create or update a multi-region trail with read and write management events and start logging "
       "(the cloudtrail role does this)."),
    _c("cloudtrail.log_file_validation", "CloudTrail log file validation is enabled", "medium", "3.2",
       "CloudTrail.4", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "auto",
       "Enable log file validation on the trail (update-trail --enable-log-file-validation)."),
    _c("cloudtrail.bucket_access_logging", "The CloudTrail bucket has server access logging", "low", "3.4",
       "CloudTrail.7", "S3_BUCKET_LOGGING_ENABLED", "auto",
       "Give a target bucket (bulwark_cloudtrail_access_log_bucket) that admits logging.s3.amazonaws.com."),
    _c("cloudtrail.kms_encryption", "CloudTrail logs are encrypted with a customer managed KMS key", "medium",
       "3.5", "CloudTrail.2", "CLOUD_TRAIL_ENCRYPTION_ENABLED", "auto",
       "Create a symmetric KMS key whose policy admits CloudTrail for this trail and set it on the trail."),
    _c("kms.key_rotation", "Rotation is enabled for customer managed symmetric KMS keys", "medium", "3.6",
       "KMS.4", "CMK_BACKING_KEY_ROTATION_ENABLED", "auto",
       "Enable automatic key rotation (aws kms enable-key-rotation --key-id KEY)."),
    _c("cloudtrail.cloudwatch_logs", "The trail delivers to CloudWatch Logs", "medium", None, "CloudTrail.5",
       "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED", "auto",
       "Create a log group and a role CloudTrail can assume, and point the trail at both."),
    _c("cloudtrail.bucket_not_public", "The CloudTrail bucket is not publicly accessible", "critical", None,
       "CloudTrail.6", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "auto",
       "Turn on all four S3 Block Public Access settings on the bucket and remove public grants."),
    _c("cloudtrail.bucket_versioning", "The CloudTrail bucket has versioning enabled", "low", None, "S3.14",
       "S3_BUCKET_VERSIONING_ENABLED", "auto", "Enable versioning on the trail bucket."),
    _c("cloudtrail.bucket_mfa_delete", "MFA delete is enabled on the CloudTrail bucket", "low", "2.1.2", "S3.20",
       "S3_BUCKET_MFA_DELETE_ENABLED", "root_only",
       "As root, with the root MFA device: aws s3api put-bucket-versioning --bucket BUCKET "
       "--versioning-configuration Status=Enabled,MFADelete=Enabled --mfa 'SERIAL CODE'."),
    _c("cloudtrail.bucket_tls_only", "The CloudTrail bucket denies requests without TLS", "medium", "2.1.1",
       "S3.5", "S3_BUCKET_SSL_REQUESTS_ONLY", "auto",
       "Add a Deny statement for s3:* when aws:SecureTransport is false to the bucket policy."),
    _c("cloudtrail.s3_object_write_events", "Object-level write events are logged for S3 buckets", "low", "3.8",
       "S3.22", "CLOUDTRAIL_ALL_WRITE_S3_DATA_EVENT_CHECK", "opt_in",
       "Add S3 data events (write) for all buckets to the trail (billed: bulwark_cloudtrail_s3_data_events)."),
    _c("cloudtrail.s3_object_read_events", "Object-level read events are logged for S3 buckets", "low", "3.9",
       "S3.23", "CLOUDTRAIL_ALL_READ_S3_DATA_EVENT_CHECK", "opt_in",
       "Add S3 data events (read) for all buckets to the trail (billed: bulwark_cloudtrail_s3_data_events)."),
] + [
    # --- monitoring: CIS 4.x metric filters and alarms ---------------------------------------
    _c("monitoring." + suffix, "A metric filter and alarm exist for %s" % what, "low", cis, sh, None, "auto",
       "Create the CIS %s metric filter on the trail's log group, in a form Prowler's check recognises too (the "
       "monitoring role writes it and rewrites its own older form), and an alarm notifying the security topic."
       % cis)
    for suffix, cis, sh, what in MONITORING_ALARMS
] + [
    _c("monitoring.security_services_tampering",
       "A metric filter and alarm exist for security services being switched off", "medium", None, None, None,
       "auto",
       "Create a metric filter on the trail's log group for GuardDuty DeleteDetector, UpdateDetector disabling it "
       "and disassociation from the administrator account, Security Hub DisableSecurityHub and "
       "BatchDisableStandards, and IAM Access Analyzer DeleteAnalyzer (the monitoring role writes it), and an alarm "
       "notifying the security topic."),
    _c("monitoring.guardduty_findings_alert",
       "GuardDuty findings of high severity reach the alarm topic from every region", "medium", None, None, None,
       "auto",
       "Create an EventBridge rule bulwark-guardduty-findings in every enabled region (not only where GuardDuty "
       "runs yet: it alerts once GuardDuty is on) for GuardDuty findings of severity "
       "bulwark_monitoring_guardduty_min_severity (7, HIGH) or more: in the alarm topic's region it targets the "
       "topic, whose policy lets events.amazonaws.com publish for that rule; elsewhere it forwards to that region's "
       "default event bus through the role bulwark-guardduty-findings-forward (the monitoring role does this)."),
    _c("monitoring.alarm_topic", "The alarm SNS topic has at least one subscriber", "medium", None, None, None,
       "auto",
       "Subscribe the security team to the alarm topic (bulwark_monitoring_alarm_email) and confirm the email."),
    # --- guardrails ------------------------------------------------------------------------
    _c("s3.account_public_access_block", "S3 Block Public Access is on for the account", "high", "2.1.4", "S3.1",
       "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", "auto",
       "Turn on all four account-level S3 Block Public Access settings (S3 > Block Public Access settings)."),
    _c("ec2.ebs_default_encryption", "EBS encryption by default is on in every region", "medium", "2.2.1", "EC2.7",
       "EC2_EBS_ENCRYPTION_BY_DEFAULT", "auto",
       "Enable EBS encryption by default in each region (EC2 > Settings > Data protection)."),
    _c("config.recorder", "AWS Config records all resources in every region", "medium", "3.3", "Config.1", None,
       "auto",
       "Create a configuration recorder for all resource types, a delivery channel, and start recording."),
    _c("config.rules", "The checklist's AWS Config managed rules exist", "low", None, None, None, "opt_in",
       "Create the managed Config rules listed in bulwark_guardrails_config_managed_rules "
       "(bulwark_guardrails_create_config_rules; billed per evaluation)."),
    _c("guardduty.enabled", "GuardDuty is enabled in every region", "high", None, "GuardDuty.1",
       "GUARDDUTY_ENABLED_CENTRALIZED", "auto", "Enable GuardDuty (one detector) in each region."),
    _c("securityhub.enabled", "Security Hub is enabled in every region", "medium", "4.16", None,
       "SECURITYHUB_ENABLED", "auto", "Enable Security Hub in each region (needs AWS Config recording)."),
    _c("securityhub.standards", "Security Hub runs the CIS v3.0 and FSBP standards", "medium", None, None, None,
       "auto", "Enable the CIS AWS Foundations Benchmark v3.0.0 and AWS Foundational Security Best Practices "
       "standards in Security Hub."),
    # --- network: CIS 5.x and 3.7, every region ---------------------------------------------
    _c("network.default_security_group", "Default security groups have no rules", "high", "5.4", "EC2.2",
       "VPC_DEFAULT_SECURITY_GROUP_CLOSED", "opt_in",
       "Remove every inbound and outbound rule of the default security groups no network interface uses "
       "(bulwark_network_restrict_default_security_groups); move the interfaces of the others to a security group "
       "of their own first."),
    _c("network.admin_ports_ipv4", "No security group admits 0.0.0.0/0 to remote administration ports", "high",
       "5.2", "EC2.53", "VPC_SG_PORT_RESTRICTION_CHECK", "opt_in",
       "Revoke the inbound rules that admit 0.0.0.0/0 to port 22 or 3389 (bulwark_network_revoke_open_admin_ports); "
       "admit known addresses or use Session Manager instead."),
    _c("network.admin_ports_ipv6", "No security group admits ::/0 to remote administration ports", "high", "5.3",
       "EC2.54", "VPC_SG_PORT_RESTRICTION_CHECK", "opt_in",
       "Revoke the inbound rules that admit ::/0 to port 22 or 3389 (bulwark_network_revoke_open_admin_ports)."),
    _c("network.nacl_admin_ports", "No network ACL admits the internet to remote administration ports", "medium",
       "5.1", "EC2.21", "NACL_NO_UNRESTRICTED_SSH_RDP", "opt_in",
       "Add inbound deny entries for 0.0.0.0/0 and ::/0 to ports 22 and 3389 ahead of the allow entry "
       "(bulwark_network_block_nacl_admin_ports)."),
    _c("network.imdsv2", "EC2 instances require IMDSv2", "high", "5.6", "EC2.8", "EC2_IMDSV2_CHECK", "auto",
       "Require IMDSv2 by default for new instances in each region (automatic); for running instances set "
       "bulwark_network_require_imdsv2_on_instances, after checking their software uses IMDSv2 "
       "(aws ec2 modify-instance-metadata-options --http-tokens required)."),
    _c("network.vpc_flow_logs", "Every VPC logs at least rejected traffic", "medium", "3.7", "EC2.6",
       "VPC_FLOW_LOGS_ENABLED", "auto",
       "Create a VPC flow log to a CloudWatch Logs group (bulwark_network_flow_logs_log_group) through a delivery "
       "role; billed per GB ingested."),
    # --- storage: CIS 2.1-2.4, every bucket, DB instance and file system ---------------------
    _c("s3.bucket_tls_only", "Every S3 bucket denies requests without TLS", "medium", "2.1.1", "S3.5",
       "S3_BUCKET_SSL_REQUESTS_ONLY", "opt_in",
       "Add a Deny of s3:* when aws:SecureTransport is false to the bucket policy, keeping its other statements "
       "(bulwark_storage_enforce_bucket_tls)."),
    _c("s3.bucket_public_access_block", "Public access to every S3 bucket is blocked", "high", None, "S3.8",
       "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "opt_in",
       "Turn on the four Block Public Access settings of the account (the guardrails role) or of the bucket "
       "(bulwark_storage_block_bucket_public_access); a bucket that must be public gets a waiver."),
    _c("rds.storage_encrypted", "Every RDS DB instance is encrypted at rest", "medium", "2.3.1", "RDS.3",
       "RDS_STORAGE_ENCRYPTED", "manual",
       "Encryption cannot be turned on in place: snapshot the instance, copy the snapshot with a KMS key "
       "(aws rds copy-db-snapshot --kms-key-id), restore a new instance from the copy, and move clients to it."),
    _c("rds.auto_minor_version_upgrade", "RDS DB instances upgrade minor versions automatically", "low", "2.3.2",
       "RDS.13", "RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED", "opt_in",
       "Turn on auto minor version upgrade, applied in the next maintenance window "
       "(bulwark_storage_rds_enable_auto_minor_version_upgrade)."),
    _c("rds.no_public_access", "No RDS DB instance is publicly accessible", "critical", "2.3.3", "RDS.2",
       "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "opt_in",
       "Make the instance private, applied immediately: clients outside the VPC lose access "
       "(bulwark_storage_rds_remove_public_access)."),
    _c("efs.encrypted", "Every EFS file system is encrypted at rest", "medium", "2.4.1", "EFS.1",
       "EFS_ENCRYPTED_CHECK", "manual",
       "Encryption cannot be turned on in place: create an encrypted file system, copy the data (AWS DataSync), "
       "and move clients to it."),
    # --- account -----------------------------------------------------------------------------
    _c("account.contact_details", "The account's contact details are current", "low", "1.1", None, None, "manual",
       "As root or an admin: Account > Contact information, check name, address, phone and email."),
    _c("account.security_contact", "A security alternate contact is registered", "medium", "1.2", "Account.1",
       None, "auto", "Set bulwark_account_contacts.security (name, title, email, phone) and run the account role."),
    _c("account.billing_contact", "A billing alternate contact is registered", "low", None, None, None, "auto",
       "Set bulwark_account_contacts.billing and run the account role."),
    _c("account.operations_contact", "An operations alternate contact is registered", "low", None, None, None,
       "auto", "Set bulwark_account_contacts.operations and run the account role."),
    _c("account.security_questions", "Security challenge questions are registered", "low", "1.3", None, None,
       "manual",
       _ROOT_CONSOLE + "open Account > Configure security challenge questions, and set three answers "
       "kept in a vault."),
    _c("account.alias", "The account has the expected alias", "informational", None, None, None, "auto",
       "Set bulwark_account_alias_name; an existing different alias changes only with bulwark_account_force_alias."),
    _c("account.opt_in_regions", "Only allowed opt-in regions are enabled", "low", None, None, None, "opt_in",
       "Disable opt-in regions you do not use (Account > AWS Regions) or add them to the allow-list."),
    _c("account.budget_alert", "A monthly cost budget alerts on overspend", "low", None, None, None, "opt_in",
       "Set bulwark_account_budget_amount and bulwark_account_budget_emails to create a monthly cost budget "
       "with an alert."),
]

CONTROLS = dict((c.id, c) for c in _CATALOGUE)
if len(CONTROLS) != len(_CATALOGUE):  # pragma: no cover - guards edits to the table above
    raise ValueError("duplicate control id in the catalogue")


def get(control_id):
    """Return the Control for an id, or raise KeyError naming the unknown id."""
    try:
        return CONTROLS[control_id]
    except KeyError:
        raise KeyError("unknown control id %r (see docs/controls.md)" % (control_id,))


def ids(role=None, prefix=None, module=None):
    """Control ids in catalogue order, optionally of one role, one module or with an id prefix."""
    return [c.id for c in _CATALOGUE
            if (role is None or c.role == role) and (prefix is None or c.id.startswith(prefix))
            and (module is None or c.module == module)]


def modules():
    """The modules that evaluate controls, in checklist order (roles in ROLES order, then the
    order of their first control): the steps of an account run."""
    out = []
    for role in ROLES:
        for c in _CATALOGUE:
            if c.role == role and c.module not in out:
                out.append(c.module)
    return out


def all_controls():
    return list(_CATALOGUE)


# Tags that select a control besides its id, its dotted prefixes and its role: the service it is about.
def scopes(control_id):
    """The tags that select a control: its id, every dotted prefix of it, its role."""
    parts = control_id.split(".")
    out = set(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    out.add(get(control_id).role)
    return out


def all_scopes():
    """Every tag that selects at least one control."""
    return set().union(*(scopes(c.id) for c in _CATALOGUE))


def render_markdown():
    """docs/controls.md, generated. A test compares the committed file with this."""
    lines = [
        "# Control catalogue",
        "",
        "Generated from `plugins/module_utils/core/controls.py` by `make docs`; do not edit by hand.",
        "CIS = CIS AWS Foundations Benchmark v3.0.0; SH = AWS Security Hub control;",
        "Config = AWS Config managed rule. Remediation: `auto` (the role fixes it), `opt_in` (only",
        "when a variable says so), `root_only` (only the root user can), `manual` (no API).",
        "",
    ]
    for role in ROLES:
        members = [c for c in _CATALOGUE if c.role == role]
        lines += ["## Role `%s`" % role, "",
                  "| id | title | severity | CIS | SH | Config rule | remediation |",
                  "|---|---|---|---|---|---|---|"]
        for c in members:
            lines.append("| `%s` | %s | %s | %s | %s | %s | %s |" % (
                c.id, c.title, c.severity, c.cis or "—", c.securityhub or "—", c.config_rule or "—",
                c.remediation_kind))
        lines.append("")
        for c in members:
            lines.append("- **`%s`**: %s" % (c.id, c.remediation))
        lines.append("")
    return "\n".join(lines)

"""Guardrails and account settings seed steps (roles guardrails and account).

insecure: a new account: no S3 account Block Public Access, EBS encryption by default off,
no GuardDuty, no AWS Config, no Security Hub, no Config rules, no alternate contacts, no alias,
no budget. (moto starts that way; the steps make it explicit where an API allows it.)
hardened: what a careful team set up by hand, in every enabled region: all four account Block
Public Access settings, EBS encryption by default, a GuardDuty detector with S3 protection,
a Config recorder (global types in us-east-1 only) delivering to a locked-down bucket of their
own, Security Hub, the checklist's Config rules under their own names, alternate contacts, an
alias and a monthly cost budget with an alert.

moto has no IAM Access Analyzer and no Security Hub standards or finding aggregator APIs, so
the hardened state cannot hold them: those controls stay `error` against moto.

Plain API calls only: nothing here uses the module code it seeds for.
"""

import json

from tests.support.seed import account_id, bucket_name, client

HOME = "us-east-1"
# In moto's default account; in another, seed.bucket_name(CONFIG_BUCKET, account) (names are global).
CONFIG_BUCKET = "org-config-delivery"
CONFIG_RULES = [
    "IAM_ROOT_ACCESS_KEY_CHECK", "ROOT_ACCOUNT_MFA_ENABLED", "IAM_PASSWORD_POLICY", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "IAM_USER_UNUSED_CREDENTIALS_CHECK", "ACCESS_KEYS_ROTATED", "IAM_USER_NO_POLICIES_CHECK",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", "CLOUD_TRAIL_ENABLED", "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "CLOUD_TRAIL_ENCRYPTION_ENABLED", "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "CMK_BACKING_KEY_ROTATION_ENABLED", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", "S3_BUCKET_SSL_REQUESTS_ONLY",
    "EC2_EBS_ENCRYPTION_BY_DEFAULT", "VPC_DEFAULT_SECURITY_GROUP_CLOSED", "VPC_FLOW_LOGS_ENABLED",
    "GUARDDUTY_ENABLED_CENTRALIZED", "SECURITYHUB_ENABLED",
]
RULE_PARAMETERS = {"ACCESS_KEYS_ROTATED": {"maxAccessKeyAge": "90"},
                   "IAM_USER_UNUSED_CREDENTIALS_CHECK": {"maxCredentialUsageAge": "45"}}
CHANGE_TRIGGERED = {"IAM_USER_NO_POLICIES_CHECK": "AWS::IAM::User",
                    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": "AWS::IAM::Policy",
                    "S3_BUCKET_SSL_REQUESTS_ONLY": "AWS::S3::Bucket",
                    "VPC_DEFAULT_SECURITY_GROUP_CLOSED": "AWS::EC2::SecurityGroup"}
CONTACTS = {
    "SECURITY": dict(Name="Security Operations", Title="Security", EmailAddress="security@example.com",
                     PhoneNumber="+1 555 0100"),
    "BILLING": dict(Name="Accounts Payable", Title="Finance", EmailAddress="billing@example.com",
                    PhoneNumber="+1 555 0101"),
    "OPERATIONS": dict(Name="Platform On-call", Title="SRE", EmailAddress="ops@example.com",
                       PhoneNumber="+1 555 0102"),
}
ALIAS = "example-hardened"
BUDGET = "monthly-cost-guard"
# What only the insecure account's owner can say, passed to a play over it as extra vars (-e):
# the alternate contacts, an alias, a budget, and the go-ahead for the (billed) Config rules.
PLAYBOOK_VARS = {
    "bulwark_account_contacts": {
        "security": {"name": "Security Team", "title": "Security", "email": "security@example.com",
                     "phone": "+1 555 0100"},
        "billing": {"name": "Finance", "title": "Accounts Payable", "email": "billing@example.com",
                    "phone": "+1 555 0101"},
        "operations": {"name": "Operations", "title": "On-call", "email": "ops@example.com", "phone": "+1 555 0102"},
    },
    "bulwark_account_alias_name": "insecure-seed-account",
    "bulwark_account_budget_amount": 1000,
    "bulwark_account_budget_emails": ["finance@example.com"],
    "bulwark_guardrails_create_config_rules": True,
}


def enabled_regions(sess):
    """The enabled regions of the aws partition, as ec2:DescribeRegions lists them (moto also
    lists us-gov and cn regions, and opt-in regions that are not enabled)."""
    out = []
    for entry in client(sess, "ec2", HOME).describe_regions(AllRegions=True)["Regions"]:
        name = entry["RegionName"]
        if name.startswith(("cn-", "us-gov-")) or entry.get("OptInStatus") == "not-opted-in":
            continue
        out.append(name)
    return sorted(out)


def _s3control(sess):
    """s3control puts the account id in front of the host (123456789012.127.0.0.1): send it to the
    endpoint as given, as module_utils/aws.py does for a loopback endpoint. Calls must name the
    account of ``sess`` (account_id(sess)): moto answers AccessDenied for any other."""
    s3control = client(sess, "s3control", HOME)
    account = account_id(sess)

    def strip_account(request, **_kwargs):
        request.url = request.url.replace("://%s." % account, "://", 1)

    s3control.meta.events.register("before-sign.s3-control", strip_account)
    return s3control


def insecure(sess):
    """A new account. EBS encryption by default is switched off explicitly in the home region."""
    client(sess, "ec2", HOME).disable_ebs_encryption_by_default()
    s3control = _s3control(sess)
    try:
        s3control.delete_public_access_block(AccountId=account_id(sess))
    except s3control.exceptions.ClientError:
        pass


def _config_bucket(sess):
    """The Config delivery bucket of the account of ``sess``; returns its name."""
    s3 = client(sess, "s3", HOME)
    account = account_id(sess)
    bucket = bucket_name(CONFIG_BUCKET, account)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(
        BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))
    arn = "arn:aws:s3:::%s" % bucket
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "ConfigAclCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceAccount": account}}},
        {"Sid": "ConfigWrite", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "%s/AWSLogs/%s/Config/*" % (arn, account),
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "AWS:SourceAccount": account}}},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, arn + "/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    return bucket


def _config_rules(sess):
    cfg = client(sess, "config", HOME)
    for identifier in CONFIG_RULES:
        rule = {"ConfigRuleName": "org-" + identifier.lower().replace("_", "-"),
                "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}
        if identifier in RULE_PARAMETERS:
            rule["InputParameters"] = json.dumps(RULE_PARAMETERS[identifier])
        if identifier in CHANGE_TRIGGERED:
            rule["Scope"] = {"ComplianceResourceTypes": [CHANGE_TRIGGERED[identifier]]}
        else:
            rule["MaximumExecutionFrequency"] = "TwentyFour_Hours"
        cfg.put_config_rule(ConfigRule=rule)


def hardened(sess):
    """Every guardrail on, in every enabled region, and the account settings filled in."""
    own_id = account_id(sess)
    _s3control(sess).put_public_access_block(AccountId=own_id, PublicAccessBlockConfiguration=dict(
        BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))
    config_bucket = _config_bucket(sess)
    role = client(sess, "iam", HOME).create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]["Arn"]
    for region in enabled_regions(sess):
        client(sess, "ec2", region).enable_ebs_encryption_by_default()
        client(sess, "guardduty", region).create_detector(
            Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES",
            Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}])
        cfg = client(sess, "config", region)
        cfg.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": role,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME}})
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": config_bucket})
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
        client(sess, "securityhub", region).enable_security_hub(EnableDefaultStandards=False)
    _config_rules(sess)
    account = client(sess, "account", HOME)
    for kind, contact in CONTACTS.items():
        account.put_alternate_contact(AlternateContactType=kind, **contact)
    client(sess, "iam", HOME).create_account_alias(AccountAlias=ALIAS)
    client(sess, "budgets", HOME).create_budget(AccountId=own_id, Budget={
        "BudgetName": BUDGET, "BudgetLimit": {"Amount": "1000", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST"}, NotificationsWithSubscribers=[{
            "Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
                             "ThresholdType": "PERCENTAGE"},
            "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finance@example.com"}]}])

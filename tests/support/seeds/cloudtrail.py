"""CloudTrail and monitoring seed steps.

insecure: no trail at all (a new account), and a customer managed key without rotation.
hardened: what a careful team built by hand, not with bulwark: a compliant multi-region trail
of its own name with a console-style bucket policy and key policy, CloudWatch Logs delivery,
S3 data events, and the 15 CIS 4.x filters written the way CIS prints them (4.1's and 4.13's
ungrouped audit text included; 4.15 with the three events Prowler's check requires beyond the
CIS list), under names of their own, with alarms notifying a subscribed topic. Every filter is
one Prowler's checks recognise too. GuardDuty findings of HIGH severity or more reach that topic
from every enabled region: an EventBridge rule of the team's name in each, the home one
targeting the topic (whose policy lets it publish), the others forwarding to the home bus.

Both are plain API calls: nothing here uses the module code it tests.
"""

import json

from tests.support.seed import ACCOUNT_ID, account_id, bucket_name, client

REGION = "us-east-1"
TRAIL = "org-security-trail"
TRAIL_ARN = "arn:aws:cloudtrail:%s:%s:trail/%s" % (REGION, ACCOUNT_ID, TRAIL)  # in moto's default account
# Bucket names as in moto's default account; another account's are seed.bucket_name(NAME, account).
BUCKET = "hardened-cloudtrail-logs"
ACCESS_LOG_BUCKET = "hardened-s3-access-logs"
LOG_GROUP = "CloudTrail/org-security-trail"
ROLE = "CloudTrail_CloudWatchLogs_Role"
TOPIC = "security-alerts"
FINDINGS_RULE = "guardduty-high-findings"     # the team's EventBridge rule in every enabled region
FORWARD_ROLE = "eventbridge-forward-to-home"
ALERT_EMAIL = "security-team@example.com"
APP_KEY_DESCRIPTION = "application data key (insecure seed: rotation off)"
# The insecure account already has a bucket for S3 server access logs, as most do. Two auto
# controls need a value only the account owner knows: the access log target
# (cloudtrail.bucket_access_logging) and who gets the alarms (monitoring.alarm_topic). A play
# over the insecure seed passes these as extra vars (-e) to have them fixed too.
ACCESS_LOG_TARGET = "insecure-seed-s3-access-logs"
PLAYBOOK_VARS = {"bulwark_cloudtrail_access_log_bucket": ACCESS_LOG_TARGET,
                 "bulwark_monitoring_alarm_email": "security-team@example.com"}


def playbook_vars(account=ACCOUNT_ID):
    """PLAYBOOK_VARS for the insecure seed of ``account``: its own access-log bucket."""
    return dict(PLAYBOOK_VARS, bulwark_cloudtrail_access_log_bucket=bucket_name(ACCESS_LOG_TARGET, account))


def trail_arn(account=ACCOUNT_ID):
    return "arn:aws:cloudtrail:%s:%s:trail/%s" % (REGION, account, TRAIL)


def _or(names, quoted=False):
    return " || ".join(('($.eventName = "%s")' if quoted else "($.eventName = %s)") % n for n in names.split())


# The CIS v3.0 section 4 filters as a team would paste them from the benchmark (4.1 and 4.13 as
# printed in the audit), 4.15 with CancelHandshake, CreateOrganization and EnableAllFeatures.
CIS_FILTERS = [
    ("cis-4-01-unauthorized", "UnauthorizedAPICalls",
     '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
     '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'),
    ("cis-4-02-no-mfa-signin", "NoMFAConsoleSignin",
     '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
    ("cis-4-03-root", "RootUsage",
     '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'),
    ("cis-4-04-iam-policy", "IAMPolicyChanges",
     "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
     "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
     "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
     "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
     "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
     "($.eventName=DetachGroupPolicy)}"),
    ("cis-4-05-cloudtrail", "CloudTrailChanges",
     "{ %s }" % _or("CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging")),
    ("cis-4-06-signin-failures", "ConsoleSigninFailures",
     '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
    ("cis-4-07-cmk", "DisableOrDeleteCMK",
     "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"),
    ("cis-4-08-s3-policy", "S3BucketPolicyChanges",
     "{ ($.eventSource = s3.amazonaws.com) && (%s) }" % _or(
         "PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication DeleteBucketPolicy "
         "DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication")),
    ("cis-4-09-config", "AWSConfigChanges",
     "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
     "($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"),
    ("cis-4-10-security-groups", "SecurityGroupChanges",
     "{ %s }" % _or("AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress "
                    "RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup")),
    ("cis-4-11-nacl", "NACLChanges",
     "{ %s }" % _or("CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry "
                    "ReplaceNetworkAclEntry ReplaceNetworkAclAssociation")),
    ("cis-4-12-gateways", "NetworkGatewayChanges",
     "{ %s }" % _or("CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway CreateInternetGateway "
                    "DeleteInternetGateway DetachInternetGateway")),
    ("cis-4-13-routes", "RouteTableChanges",
     "{($.eventSource = ec2.amazonaws.com) && ($.eventName =CreateRoute) || ($.eventName = CreateRouteTable) || "
     "($.eventName =ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName= DeleteRouteTable) || "
     "($.eventName = DeleteRoute) || ($.eventName =DisassociateRouteTable) }"),
    ("cis-4-14-vpc", "VPCChanges",
     "{ %s }" % _or("CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection CreateVpcPeeringConnection "
                    "DeleteVpcPeeringConnection RejectVpcPeeringConnection AttachClassicLinkVpc DetachClassicLinkVpc "
                    "DisableVpcClassicLink EnableVpcClassicLink")),
    ("cis-4-15-organizations", "OrganizationsChanges",
     "{ ($.eventSource = organizations.amazonaws.com) && (%s) }" % _or(
         "AcceptHandshake AttachPolicy CancelHandshake CreateAccount CreateOrganization CreateOrganizationalUnit "
         "CreatePolicy DeclineHandshake DeleteOrganization DeleteOrganizationalUnit DeletePolicy EnableAllFeatures "
         "EnablePolicyType InviteAccountToOrganization LeaveOrganization DetachPolicy DisablePolicyType MoveAccount "
         "RemoveAccountFromOrganization UpdateOrganizationalUnit UpdatePolicy", quoted=True)),
]

# Beside them, a team's own filter for security services switched off, written differently from
# bulwark.aws's (quoted values, other term order): the same filter for
# monitoring.security_services_tampering.
OTHER_FILTERS = [
    ("team-security-services-off", "SecurityServicesOff",
     '{ (($.eventSource = "access-analyzer.amazonaws.com") && ($.eventName = "DeleteAnalyzer")) || '
     '(($.eventSource = "securityhub.amazonaws.com") && (($.eventName = "BatchDisableStandards") || '
     '($.eventName = "DisableSecurityHub"))) || (($.eventSource = "guardduty.amazonaws.com") && '
     '((($.requestParameters.enable IS FALSE) && ($.eventName = "UpdateDetector")) || '
     '($.eventName = "DisassociateFromAdministratorAccount") || ($.eventName = "DisassociateFromMasterAccount") || '
     '($.eventName = "DeleteDetector"))) }'),
]


def insecure(sess):
    """No trail; one customer managed key with rotation off; a bucket for S3 access logs."""
    account = account_id(sess)
    client(sess, "kms").create_key(Description=APP_KEY_DESCRIPTION)
    s3 = client(sess, "s3", REGION)
    target = bucket_name(ACCESS_LOG_TARGET, account)
    s3.create_bucket(Bucket=target)
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps(access_log_target_policy(target, account)))


def access_log_target_policy(bucket, account=ACCOUNT_ID):
    """S3 server access logging may write into ``bucket`` of ``account`` (S3 and moto check it)."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/*" % bucket,
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}


def _bucket_policy(name=BUCKET, account=ACCOUNT_ID):
    trail = trail_arn(account)
    bucket = "arn:aws:s3:::" + name
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
         "Action": ["s3:GetBucketAcl"], "Resource": [bucket], "Condition": {"StringEquals": {"aws:SourceArn": [trail]}}},
        {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
         "Action": ["s3:PutObject"], "Resource": ["%s/AWSLogs/%s/*" % (bucket, account)],
         "Condition": {"StringEquals": {"s3:x-amz-acl": ["bucket-owner-full-control"], "aws:SourceArn": [trail]}}},
        {"Sid": "HttpsOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
         "Resource": [bucket + "/*", bucket], "Condition": {"Bool": {"aws:SecureTransport": False}}},
    ]}


def _key_policy(account=ACCOUNT_ID):
    trail = trail_arn(account)
    context = "arn:aws:cloudtrail:*:%s:trail/*" % account
    return {"Version": "2012-10-17", "Id": "Key policy created by CloudTrail", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::%s:root" % account]}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"AWS:SourceArn": trail},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": context}}},
        {"Sid": "Allow CloudTrail to describe key", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringEquals": {"AWS:SourceArn": trail}}},
    ]}


def hardened(sess):
    """A compliant trail named org-security-trail, and the CIS 4.x alarms under names of their own."""
    s3, kms, logs, iam = (client(sess, name, REGION) for name in ("s3", "kms", "logs", "iam"))
    ct, cloudwatch, sns = (client(sess, name, REGION) for name in ("cloudtrail", "cloudwatch", "sns"))
    account = account_id(sess)
    trail_bucket, log_bucket = bucket_name(BUCKET, account), bucket_name(ACCESS_LOG_BUCKET, account)
    for bucket in (log_bucket, trail_bucket):
        s3.create_bucket(Bucket=bucket)
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(
            BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=trail_bucket, Policy=json.dumps(_bucket_policy(trail_bucket, account)))
    log_policy = access_log_target_policy(log_bucket, account)
    log_policy["Statement"].append(
        {"Sid": "HttpsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::%s" % log_bucket, "arn:aws:s3:::%s/*" % log_bucket],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    s3.put_bucket_policy(Bucket=log_bucket, Policy=json.dumps(log_policy))
    s3.put_bucket_logging(Bucket=trail_bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": log_bucket, "TargetPrefix": trail_bucket + "/"}})
    key = kms.create_key(Description="CloudTrail logs", Policy=json.dumps(_key_policy(account)))["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=400)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    streams = "arn:aws:logs:%s:%s:log-group:%s:*" % (REGION, account, LOG_GROUP)
    iam.put_role_policy(RoleName=ROLE, PolicyName="cloudtrail-to-logs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": streams}]}))
    ct.create_trail(Name=TRAIL, S3BucketName=trail_bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True,
                    EnableLogFileValidation=True, KmsKeyId=key["Arn"],
                    CloudWatchLogsLogGroupArn=streams,
                    CloudWatchLogsRoleArn=role)
    ct.start_logging(Name=TRAIL)
    ct.put_event_selectors(TrailName=TRAIL, EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=ALERT_EMAIL)
    for name, metric, pattern in CIS_FILTERS + OTHER_FILTERS:
        logs.put_metric_filter(logGroupName=LOG_GROUP, filterName=name, filterPattern=pattern,
                               metricTransformations=[{"metricName": metric, "metricNamespace": "CISBenchmark",
                                                       "metricValue": "1"}])
        cloudwatch.put_metric_alarm(AlarmName="%s-alarm" % name, MetricName=metric, Namespace="CISBenchmark",
                                    Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1,
                                    ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])
    _guardduty_findings_rules(sess, account, topic)


def _guardduty_findings_rules(sess, account, topic):
    """HIGH and CRITICAL GuardDuty findings (severity 7 or more) to the topic, from every region."""
    from tests.support.seeds.guardrails import enabled_regions

    pattern = json.dumps({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                          "detail": {"severity": [{"numeric": [">=", 7]}]}})
    home_bus = "arn:aws:events:%s:%s:event-bus/default" % (REGION, account)
    iam, sns = client(sess, "iam", REGION), client(sess, "sns", REGION)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=FORWARD_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=FORWARD_ROLE, PolicyName="put-events-home", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": home_bus}]}))
    for region in enabled_regions(sess):
        events = client(sess, "events", region)
        rule = events.put_rule(Name=FINDINGS_RULE, EventPattern=pattern, State="ENABLED")["RuleArn"]
        if region == REGION:
            events.put_targets(Rule=FINDINGS_RULE, Targets=[{"Id": "alerts", "Arn": topic}])
            home_rule = rule
        else:
            events.put_targets(Rule=FINDINGS_RULE, Targets=[{"Id": "home", "Arn": home_bus, "RoleArn": role}])
    topic_policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    topic_policy["Statement"].append({"Sid": "EventBridgeFindings", "Effect": "Allow",
                                      "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
                                      "Resource": topic, "Condition": {"ArnEquals": {"aws:SourceArn": home_rule}}})
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(topic_policy))

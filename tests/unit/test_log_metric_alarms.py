"""log_metric_alarms and the CIS 4.x patterns against moto.

moto quirks met here (moto 5.2.5): SNS confirms email subscriptions at once (AWS: "pending
confirmation" until the recipient clicks), so the pending case is an after-call hook; moto
stores filter patterns without checking their syntax; PutMetricFilter with the name of an
existing filter adds a second filter of that name (AWS updates the filter), so the test of a
rewritten filter makes moto's filter list do what AWS does (aws_put_metric_filter).
"""

import re

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import cis_patterns
from ansible_collections.bulwark.aws.plugins.module_utils.checks import cloudtrail_trail_ensure
from ansible_collections.bulwark.aws.plugins.module_utils.checks import log_metric_alarms as mod

from tests.support import seed
from tests.support.aws_faults import on_new_clients
from tests.support.recorder import Recorder
from tests.support.seeds import cloudtrail as seeds

GROUP = "trail-logs"
ALARM_CONTROLS = mod.ALARM_CONTROLS
CIS_CONTROLS = cis_patterns.CIS_CONTROLS
TAMPERING = "monitoring.security_services_tampering"
GUARDDUTY = "monitoring.guardduty_findings_alert"  # its rules: tests/unit/test_guardduty_findings_alert.py
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:bulwark-security-alarms"


@pytest.fixture(autouse=True)
def _no_aws_managed_policies(monkeypatch):
    """Nothing here needs AWS managed policies; loading them makes every IAM call slower."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


@pytest.fixture
def aws_put_metric_filter(monkeypatch):
    """PutMetricFilter updates the filter of that name in that log group, as AWS does."""
    from moto.logs.metric_filters import MetricFilters

    add_filter = MetricFilters.add_filter

    def replace(self, filter_name, filter_pattern, log_group_name, metric_transformations):
        self.metric_filters = [f for f in self.metric_filters
                               if (f["filterName"], f["logGroupName"]) != (filter_name, log_group_name)]
        add_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations)
    monkeypatch.setattr(MetricFilters, "add_filter", replace)


def log_group(name=GROUP):
    boto3.client("logs").create_log_group(logGroupName=name)


def only(result, control):
    found = result.by_control(control)
    assert len(found) == 1, found
    return found[0]


# --- patterns ---------------------------------------------------------------------------------

def test_there_is_one_pattern_per_cis_alarm_control_and_each_parses():
    assert sorted(cis_patterns.PATTERNS) == sorted(ALARM_CONTROLS)
    for control, pattern in cis_patterns.PATTERNS.items():
        assert cis_patterns.canonical(pattern)[0] == "parsed", control
        assert cis_patterns.control_for(pattern) == control


def test_cis_4_1_text_and_intended_form_are_both_accepted_but_differ():
    printed = cis_patterns.VARIANTS["monitoring.unauthorized_api_calls"][0]
    intended = cis_patterns.PATTERNS["monitoring.unauthorized_api_calls"]
    assert "((" in intended and not cis_patterns.equivalent(printed, intended)
    assert cis_patterns.control_for(printed) == cis_patterns.control_for(intended) == "monitoring.unauthorized_api_calls"


@pytest.mark.parametrize("variant", [
    # whitespace and quotes
    '{($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")}',
    '{  ( $.eventName = "ConsoleLogin" )\n && ( $.errorMessage = "Failed authentication" ) }',
    # the && terms the other way round, extra parentheses
    '{ (($.errorMessage = "Failed authentication")) && ($.eventName = ConsoleLogin) }',
])
def test_equivalent_writings_of_4_6_are_recognised(variant):
    assert cis_patterns.control_for(variant) == "monitoring.console_auth_failures"


def test_or_lists_in_another_order_are_the_same_filter():
    names = "CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging".split()
    reordered = "{ %s }" % " || ".join('($.eventName = "%s")' % n for n in reversed(names))
    assert cis_patterns.control_for(reordered) == "monitoring.cloudtrail_changes"


@pytest.mark.parametrize("pattern", [
    '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed Authentication") }',   # value case differs
    '{ ($.eventName = ConsoleLogin) || ($.errorMessage = "Failed authentication") }',   # || instead of &&
    '{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }',            # 4.3 missing a term
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }',                  # 4.5 missing names
    '{ $.eventName = ',                                                                 # not a pattern
])
def test_different_patterns_are_not_taken_for_a_cis_one(pattern):
    assert cis_patterns.control_for(pattern) is None


# What Prowler's checks (prowler/providers/aws/services/cloudwatch/<check>/<check>.py) look for in
# a filter pattern, as (field, operator, value) clauses in the order they list them. Since
# prowler#11345 (June 2026) most checks find their clauses in any order; the checks of 4.1 and
# 4.3 still read theirs in order, and every earlier Prowler release read every list in order.
_EVENTS = {
    "iam_policy_changes": "DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy "
                          "PutUserPolicy CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion "
                          "AttachRolePolicy DetachRolePolicy AttachUserPolicy DetachUserPolicy AttachGroupPolicy "
                          "DetachGroupPolicy",
    "cloudtrail_changes": "CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging",
    "cmk_disable_or_deletion": "DisableKey ScheduleKeyDeletion",
    "s3_bucket_policy_changes": "PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication "
                                "DeleteBucketPolicy DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication",
    "config_changes": "StopConfigurationRecorder DeleteDeliveryChannel PutDeliveryChannel PutConfigurationRecorder",
    "security_group_changes": "AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress "
                              "RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup",
    "nacl_changes": "CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry "
                    "ReplaceNetworkAclEntry ReplaceNetworkAclAssociation",
    "network_gateway_changes": "CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway "
                               "CreateInternetGateway DeleteInternetGateway DetachInternetGateway",
    "route_table_changes": "CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation DeleteRouteTable "
                           "DeleteRoute DisassociateRouteTable",
    "vpc_changes": "CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection CreateVpcPeeringConnection "
                   "DeleteVpcPeeringConnection RejectVpcPeeringConnection AttachClassicLinkVpc DetachClassicLinkVpc "
                   "DisableVpcClassicLink EnableVpcClassicLink",
    "organizations_changes": "AcceptHandshake AttachPolicy CancelHandshake CreateAccount CreateOrganization "
                             "CreateOrganizationalUnit CreatePolicy DeclineHandshake DeleteOrganization "
                             "DeleteOrganizationalUnit DeletePolicy EnableAllFeatures EnablePolicyType "
                             "InviteAccountToOrganization LeaveOrganization DetachPolicy DisablePolicyType MoveAccount "
                             "RemoveAccountFromOrganization UpdateOrganizationalUnit UpdatePolicy",
}
_SOURCES = {"cmk_disable_or_deletion": "kms.amazonaws.com", "s3_bucket_policy_changes": "s3.amazonaws.com",
            "config_changes": "config.amazonaws.com", "route_table_changes": "ec2.amazonaws.com",
            "organizations_changes": "organizations.amazonaws.com"}
PROWLER = dict(("monitoring." + suffix, ([("eventSource", "=", _SOURCES[suffix])] if suffix in _SOURCES else [])
                + [("eventName", "=", name) for name in names.split()]) for suffix, names in _EVENTS.items())
PROWLER.update({
    "monitoring.unauthorized_api_calls": [("errorCode", "=", "*UnauthorizedOperation"), ("errorCode", "=", "AccessDenied*")],
    "monitoring.console_signin_without_mfa": [("eventName", "=", "ConsoleLogin"),
                                              ("additionalEventData.MFAUsed", "!=", "Yes")],
    "monitoring.root_usage": [("userIdentity.type", "=", "Root"), ("userIdentity.invokedBy", "NOT EXISTS", None),
                              ("eventType", "!=", "AwsServiceEvent")],
    "monitoring.console_auth_failures": [("eventName", "=", "ConsoleLogin"), ("errorMessage", "=", "Failed authentication")],
})
PROWLER_IN_ORDER = ("monitoring.unauthorized_api_calls", "monitoring.root_usage")


def _clause(field, op, value):
    if op == "NOT EXISTS":
        return re.compile(r"\$\.%s NOT EXISTS" % re.escape(field))
    word_end = r"\b" if field == "eventName" else ""
    return re.compile(r"\$\.%s\s*%s\s*.?%s%s" % (re.escape(field), re.escape(op), re.escape(value), word_end))


def prowler_recognises(control, pattern, in_order=None):
    """Whether Prowler's check finds its clauses in ``pattern`` (in its order when ``in_order``)."""
    in_order = control in PROWLER_IN_ORDER if in_order is None else in_order
    start = 0
    for clause in PROWLER[control]:
        found = _clause(*clause).search(pattern, start if in_order else 0)
        if not found:
            return False
        start = found.end() + 1 if in_order else 0
    return True


def test_prowler_requirements_cover_every_cis_alarm_control():
    assert sorted(PROWLER) == sorted(CIS_CONTROLS)
    assert sorted(ALARM_CONTROLS) == sorted(CIS_CONTROLS + (TAMPERING,))  # not CIS: no Prowler check


@pytest.mark.parametrize("control", sorted(CIS_CONTROLS))
def test_every_pattern_bulwark_writes_is_one_prowler_recognises_in_any_release(control):
    pattern = cis_patterns.PATTERNS[control]
    assert prowler_recognises(control, pattern), pattern
    assert prowler_recognises(control, pattern, in_order=True), pattern  # Prowler before June 2026


@pytest.mark.parametrize("control", sorted(CIS_CONTROLS))
def test_every_pattern_taken_for_a_cis_filter_is_one_prowler_recognises(control):
    for pattern in cis_patterns.ACCEPTED[control]:
        assert prowler_recognises(control, pattern), pattern


def test_route_table_filter_is_limited_to_ec2_as_cis_3_0_audits_it():
    pattern = cis_patterns.PATTERNS["monitoring.route_table_changes"]
    assert pattern.startswith("{ ($.eventSource = ec2.amazonaws.com) && ((")
    # The v3.0 audit text as printed (not grouped) counts as the same filter.
    printed = ("{($.eventSource = ec2.amazonaws.com) && ($.eventName =CreateRoute) || ($.eventName = CreateRouteTable) "
               "|| ($.eventName =ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
               "($.eventName= DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName =DisassociateRouteTable) }")
    assert cis_patterns.control_for(printed) == "monitoring.route_table_changes"


def test_organizations_filter_has_every_event_prowler_asks_for():
    pattern = cis_patterns.PATTERNS["monitoring.organizations_changes"]
    for name in ("CancelHandshake", "CreateOrganization", "EnableAllFeatures", "UpdateOrganizationalUnit"):
        assert '($.eventName = "%s")' % name in pattern
    assert pattern.startswith("{ ($.eventSource = organizations.amazonaws.com) && ((")


# Filters bulwark.aws wrote before, or CIS forms Prowler's checks do not recognise: not the CIS filter.
OLDER_ROUTE_TABLES = "{ %s }" % " || ".join("($.eventName = %s)" % n for n in _EVENTS["route_table_changes"].split())
OLDER_ORGANIZATIONS = "{ ($.eventSource = organizations.amazonaws.com) && (%s) }" % " || ".join(
    '($.eventName = "%s")' % n for n in (
        "AcceptHandshake AttachPolicy CreateAccount CreateOrganizationalUnit CreatePolicy DeclineHandshake "
        "DeleteOrganization DeleteOrganizationalUnit DeletePolicy DetachPolicy DisablePolicyType EnablePolicyType "
        "InviteAccountToOrganization LeaveOrganization MoveAccount RemoveAccountFromOrganization UpdatePolicy "
        "UpdateOrganizationalUnit").split())
ROOT_OTHER_ORDER = ('{$.userIdentity.type="Root"&&$.eventType!="AwsServiceEvent"&&'
                    '$.userIdentity.invokedBy NOT EXISTS}')
UNAUTHORIZED_OTHER_ORDER = ('{ (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) && '
                            '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }')


@pytest.mark.parametrize("control,pattern", [
    ("monitoring.route_table_changes", OLDER_ROUTE_TABLES),        # bulwark.aws before: no eventSource
    ("monitoring.organizations_changes", OLDER_ORGANIZATIONS),     # CIS v3.0's 18 events only
    ("monitoring.root_usage", ROOT_OTHER_ORDER),                   # equivalent, in an order Prowler does not read
    ("monitoring.unauthorized_api_calls", UNAUTHORIZED_OTHER_ORDER),
])
def test_forms_prowler_does_not_recognise_are_not_taken_for_the_cis_filter(control, pattern):
    assert not prowler_recognises(control, pattern)
    assert cis_patterns.control_for(pattern) is None
    assert not cis_patterns.matches(control, pattern)


def test_a_pattern_that_does_not_parse_is_compared_as_text_without_whitespace():
    assert cis_patterns.equivalent("{ $.a = = b }", "{$.a==b}")
    assert not cis_patterns.equivalent('{ $.a = "x y" }', '{ $.a = "xy" }')


@pytest.mark.parametrize("alarm,counts", [
    # what fires on one event counts whatever its period
    (dict(Statistic="Sum", Period=3600, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), True),
    (dict(Statistic="Sum", Period=300, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), True),
    (dict(Statistic="Sum", Period=300, Threshold=4.0, ComparisonOperator="GreaterThanThreshold"), True),
    (dict(Statistic="Sum", Period=300, Threshold=5.0, ComparisonOperator="GreaterThanThreshold"), False),
    (dict(Statistic="Sum", Period=300, Threshold=6.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    # a shorter period: of five 60 s periods, the busiest may hold 1 of 5 failures: only a threshold of 1 counts
    (dict(Statistic="Sum", Period=60, Threshold=2.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    (dict(Statistic="Sum", Period=60, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    # a longer period alarms later
    (dict(Statistic="Sum", Period=600, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    # a period that does not divide 300 s
    (dict(Statistic="Sum", Period=120, Threshold=1.5, ComparisonOperator="GreaterThanThreshold"), False),
    (dict(Statistic="Sum", Period=300, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
          EvaluationPeriods=3, DatapointsToAlarm=2), False),
    (dict(Statistic="Average", Period=300, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    (dict(Statistic="Sum", Period=300, Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
          ActionsEnabled=False), False),
])
def test_an_auth_failures_alarm_counts_when_it_is_at_least_as_sensitive_as_5_in_300_s(alarm, counts):
    assert mod.as_sensitive(dict(alarm, EvaluationPeriods=alarm.get("EvaluationPeriods", 1)), 5, 300) is counts


def test_a_shorter_period_counts_with_the_threshold_its_busiest_part_reaches():
    alarm = dict(Statistic="Sum", Period=100 * 60, Threshold=3.0, ComparisonOperator="GreaterThanOrEqualToThreshold")
    assert mod.as_sensitive(alarm, 10, 300 * 60)          # 10 in 300 min: one 100 min part has 4
    assert mod.as_sensitive(dict(alarm, Threshold=4.0), 10, 300 * 60)
    assert not mod.as_sensitive(dict(alarm, Threshold=5.0), 10, 300 * 60)


@pytest.mark.parametrize("alarm,fires", [
    (dict(Statistic="Sum", Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), True),
    (dict(Statistic="Sum", Threshold=0.0, ComparisonOperator="GreaterThanThreshold"), True),
    (dict(Statistic="Sum", Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    (dict(Statistic="Average", Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold"), False),
    (dict(Statistic="Sum", Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold", ActionsEnabled=False),
     False),
    (dict(Statistic="Sum", Threshold=1.0, ComparisonOperator="LessThanThreshold"), False),
])
def test_an_alarm_counts_when_one_event_fires_it(alarm, fires):
    assert mod.fires_on_one_event(alarm) is fires


# --- the module -------------------------------------------------------------------------------

@mock_aws
def test_all_sixteen_filters_and_alarms_are_created_then_nothing_changes(run_module):
    log_group()
    args = {"log_group_name": GROUP, "alarm_email": "sec@example.com",
            "controls": ALARM_CONTROLS + ["monitoring.alarm_topic"]}
    first = run_module(mod.DEFINITION.main, args)
    assert first.statuses() == dict([(c, "fixed") for c in ALARM_CONTROLS] + [("monitoring.alarm_topic", "fixed")])
    assert len(first["findings"]) == 17  # one per control
    filters = boto3.client("logs").describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert len(filters) == 16
    by_pattern = dict((f["filterPattern"], f) for f in filters)
    for control, cis, metric, _title in cis_patterns.ALARMS:
        f = by_pattern[cis_patterns.PATTERNS[control]]
        assert f["metricTransformations"][0]["metricName"] == metric
        assert f["metricTransformations"][0]["metricNamespace"] == "CISBenchmark"
    alarms = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert len(alarms) == 16
    for alarm in alarms:
        # 4.6: the checklist's 5 failures within 5 minutes (the options' defaults); the others: one event
        threshold = 5.0 if alarm["AlarmName"] == "bulwark-cis-4.6-console_auth_failures" else 1.0
        assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"],
                alarm["ComparisonOperator"]) == ("Sum", 300, 1, threshold, "GreaterThanOrEqualToThreshold")
        assert alarm["AlarmActions"] == [TOPIC_ARN] and alarm["Namespace"] == "CISBenchmark"
    subscriptions = boto3.client("sns").list_subscriptions_by_topic(TopicArn=TOPIC_ARN)["Subscriptions"]
    assert [s["Endpoint"] for s in subscriptions] == ["sec@example.com"]

    second = run_module(mod.DEFINITION.main, args)
    assert second["changed"] is False and set(second.statuses().values()) == {"pass"}


@mock_aws
def test_the_hardened_accounts_filters_under_other_names_are_recognised(run_module):
    seeds.hardened(seed.session(None))
    result = run_module(mod.DEFINITION.main, {})  # the log group comes from the compliant trail
    assert result["log_group_name"] == seeds.LOG_GROUP
    assert set(result.statuses().values()) == {"pass"} and result["changed"] is False
    assert "cis-4-01-unauthorized" in only(result, "monitoring.unauthorized_api_calls")["message"]
    assert "cis-4-13-routes" in only(result, "monitoring.route_table_changes")["message"]  # the printed audit text
    assert "team-security-services-off" in only(result, TAMPERING)["message"]
    assert len(boto3.client("logs").describe_metric_filters(logGroupName=seeds.LOG_GROUP)["metricFilters"]) == 16
    for name, _metric, pattern in seeds.CIS_FILTERS:  # what the seed calls hardened passes Prowler too
        assert prowler_recognises(cis_patterns.control_for(pattern), pattern), name


@mock_aws
def test_an_equivalent_filter_without_alarm_gets_an_alarm_on_its_metric_and_no_second_filter(run_module):
    log_group()
    logs = boto3.client("logs")
    logs.put_metric_filter(logGroupName=GROUP, filterName="team-root-login",
                           filterPattern='{($.userIdentity.type=Root)&&($.userIdentity.invokedBy NOT EXISTS)&&'
                                         '($.eventType!=AwsServiceEvent)}',
                           metricTransformations=[{"metricName": "RootLogin", "metricNamespace": "Team",
                                                   "metricValue": "1"}])
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": ["monitoring.root_usage"]})
    finding = only(result, "monitoring.root_usage")
    assert finding["status"] == "fixed" and "filter team-root-login has no alarm" in finding["message"]
    assert [f["filterName"] for f in logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]] == [
        "team-root-login"]
    alarm = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"][0]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("Team", "RootLogin")


@mock_aws
def test_an_equivalent_filter_prowler_cannot_read_gets_a_cis_filter_beside_it(run_module):
    log_group()
    logs = boto3.client("logs")
    logs.put_metric_filter(logGroupName=GROUP, filterName="team-root-login", filterPattern=ROOT_OTHER_ORDER,
                           metricTransformations=[{"metricName": "RootLogin", "metricNamespace": "Team",
                                                   "metricValue": "1"}])
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName="team-root-login", MetricName="RootLogin", Namespace="Team", Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[boto3.client("sns").create_topic(Name="team")["TopicArn"]])
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": ["monitoring.root_usage"]})
    assert only(result, "monitoring.root_usage")["status"] == "fixed"
    filters = dict((f["filterName"], f["filterPattern"])
                   for f in logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"])
    assert filters == {"team-root-login": ROOT_OTHER_ORDER,  # left as it was
                       "bulwark-cis-4.3-root_usage": cis_patterns.PATTERNS["monitoring.root_usage"]}


@mock_aws
def test_filters_bulwark_wrote_in_the_older_form_are_drift_and_rewritten_in_place(run_module, aws_put_metric_filter):
    log_group()
    args = {"log_group_name": GROUP, "controls": ["monitoring.route_table_changes", "monitoring.organizations_changes"],
            "alarm_email": "sec@example.com"}
    run_module(mod.DEFINITION.main, args)
    logs = boto3.client("logs")
    older = {"bulwark-cis-4.13-route_table_changes": OLDER_ROUTE_TABLES,
             "bulwark-cis-4.15-organizations_changes": OLDER_ORGANIZATIONS}
    for f in logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]:  # as bulwark.aws wrote them before
        logs.put_metric_filter(logGroupName=GROUP, filterName=f["filterName"], filterPattern=older[f["filterName"]],
                               metricTransformations=f["metricTransformations"])

    check = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert check.statuses() == {"monitoring.route_table_changes": "drift", "monitoring.organizations_changes": "drift"}
    message = only(check, "monitoring.route_table_changes")["message"]
    assert "filter bulwark-cis-4.13-route_table_changes has another pattern" in message
    assert "alarm" not in message.split(";")[0] and "does not fire" not in message  # its alarm is fine

    fixed = run_module(mod.DEFINITION.main, args)
    assert fixed.statuses()["monitoring.route_table_changes"] == "fixed"
    filters = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert sorted((f["filterName"], f["filterPattern"]) for f in filters) == [
        ("bulwark-cis-4.13-route_table_changes", cis_patterns.PATTERNS["monitoring.route_table_changes"]),
        ("bulwark-cis-4.15-organizations_changes", cis_patterns.PATTERNS["monitoring.organizations_changes"])]
    assert len(boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]) == 2
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and set(again.statuses().values()) == {"pass"}


@mock_aws
def test_topic_without_subscription_is_alarm_topic_fail(run_module):
    log_group()
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP})
    assert set(result.statuses()[c] for c in ALARM_CONTROLS) == {"fixed"}
    finding = only(result, "monitoring.alarm_topic")
    assert finding["status"] == "fail"
    assert "has no subscriber" in finding["message"] and "alarm_email" in finding["message"]


@mock_aws
def test_subscription_awaiting_confirmation_is_still_fail(run_module, monkeypatch):
    log_group()

    def pending(parsed, **_kwargs):
        for subscription in parsed.get("Subscriptions", []):
            subscription["SubscriptionArn"] = "PendingConfirmation"

    def hook(service, _region, client):
        if service == "sns":
            client.meta.events.register("after-call.sns.ListSubscriptionsByTopic", pending)

    run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "alarm_email": "sec@example.com"})
    on_new_clients(monkeypatch, hook)
    finding = only(run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "alarm_email": "sec@example.com"}),
                   "monitoring.alarm_topic")
    assert finding["status"] == "fail" and "awaits confirmation" in finding["message"]


def test_check_mode_on_the_insecure_seed_is_drift_and_writes_nothing(moto_server, run_module):
    """The monitoring role gets the log group name from the cloudtrail role, which in check mode
    has not created it yet."""
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {"log_group_name": "bulwark-cloudtrail", "alarm_email": "a@example.com"},
                            check_mode=True)
    assert set(result.statuses().values()) == {"drift"}
    assert len([f for f in result["findings"] if f["control"] != GUARDDUTY]) == 17
    assert "log group bulwark-cloudtrail does not exist" in result["findings"][0]["message"]
    assert result["changed"] is True and len([a for a in result["actions"] if "PutMetricFilter" in a]) == 16
    assert rec.calls() and rec.writes() == []


def test_check_mode_with_a_log_group_makes_no_write_call(moto_server, run_module):
    seed.session(moto_server.url).client("logs", endpoint_url=moto_server.url).create_log_group(logGroupName=GROUP)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "alarm_email": "a@example.com"}, check_mode=True)
    assert set(result.statuses().values()) == {"drift"}
    assert result["changed"] is True and "sns:CreateTopic bulwark-security-alarms" in result["actions"]
    assert rec.writes() == []


@mock_aws
def test_without_a_trail_or_log_group_every_control_fails_saying_what_to_do(run_module):
    result = run_module(mod.DEFINITION.main, {})
    assert set(s for c, s in result.statuses().items() if c != GUARDDUTY) == {"fail"}
    assert "run cloudtrail_trail_ensure first or give log_group_name" in result["findings"][0]["message"]


@mock_aws
def test_log_group_is_found_from_the_trail_cloudtrail_trail_ensure_made(run_module):
    run_module(cloudtrail_trail_ensure.DEFINITION.main, {"controls": cloudtrail_trail_ensure.TRAIL_CONTROLS})
    result = run_module(mod.DEFINITION.main, {"controls": ["monitoring.vpc_changes"]})
    assert result["log_group_name"] == "bulwark-cloudtrail"
    assert only(result, "monitoring.vpc_changes")["status"] == "fixed"


@mock_aws
def test_waived_alarm_is_not_created(run_module):
    log_group()
    waiver = {"control": "monitoring.organizations_changes", "reason": "not an Organizations member",
              "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "waivers": [waiver]})
    assert result.statuses()["monitoring.organizations_changes"] == "waived"
    assert len(boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]) == 15


@pytest.mark.parametrize("args,message", [
    ({"topic_arn": "arn:aws:sns:us-east-1:123456789012"}, "topic_arn: 'arn:aws:sns:us-east-1:123456789012' is not"),
    ({"topic_arn": "arn:aws:sns:eu-west-1:123456789012:alarms", "log_group_name": GROUP},
     "topic_arn: the topic is in eu-west-1 but the log group's alarms are in us-east-1"),
    ({"alarm_email": "security-team"}, "alarm_email: 'security-team' is not an email address"),
    ({"topic_name": "has space"}, "topic_name: 'has space' must be"),
    ({"name_prefix": "cis:"}, "name_prefix: 'cis:' must be"),
    ({"metric_namespace": "AWS/Logs"}, "metric_namespace: 'AWS/Logs' must"),
    ({"log_group_name": "bad name!"}, "log_group_name: 'bad name!' is not a valid log group name"),
    ({"console_auth_failures_threshold": 0}, "console_auth_failures_threshold: 0 must be 1 to 1000"),
    ({"console_auth_failures_threshold": 1001}, "console_auth_failures_threshold: 1001 must be 1 to 1000"),
    ({"console_auth_failures_period": 90}, "console_auth_failures_period: 90 must be a multiple of 60"),
    ({"console_auth_failures_period": 0}, "console_auth_failures_period: 0 must be a multiple of 60"),
    ({"console_auth_failures_period": 86460}, "console_auth_failures_period: 86460 must be a multiple of 60"),
    ({"console_auth_failures_period": 30, "option_names": {
        "console_auth_failures_period": "bulwark_monitoring_console_auth_failures_period"}},
     "bulwark_monitoring_console_auth_failures_period: 30 must be a multiple of 60 from 60 to 86400"),
    ({"controls": ["cloudtrail.multi_region"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


# --- console authentication failures: threshold and period ---------------------------------------

AUTH = "monitoring.console_auth_failures"
AUTH_ALARM = "bulwark-cis-4.6-console_auth_failures"


@mock_aws
def test_auth_failures_alarm_uses_the_threshold_and_period_given_then_nothing_changes(run_module):
    log_group()
    args = {"log_group_name": GROUP, "controls": [AUTH], "console_auth_failures_threshold": 3,
            "console_auth_failures_period": 600}
    assert only(run_module(mod.DEFINITION.main, args), AUTH)["status"] == "fixed"
    alarm = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"][0]
    assert (alarm["AlarmName"], alarm["Threshold"], alarm["Period"], alarm["EvaluationPeriods"]) == (
        AUTH_ALARM, 3.0, 600, 1)
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and only(again, AUTH)["status"] == "pass"
    # Asking for fewer failures: the alarm is no longer sensitive enough and is rewritten.
    stricter = dict(args, console_auth_failures_threshold=2)
    check = run_module(mod.DEFINITION.main, stricter, check_mode=True)
    assert only(check, AUTH)["status"] == "drift"
    assert "does not fire on 2 events within 600 s" in only(check, AUTH)["message"]
    assert only(run_module(mod.DEFINITION.main, stricter), AUTH)["status"] == "fixed"
    assert boto3.client("cloudwatch").describe_alarms()["MetricAlarms"][0]["Threshold"] == 2.0
    # Asking for more: the alarm that exists is more sensitive, so it stays.
    looser = run_module(mod.DEFINITION.main, dict(args, console_auth_failures_threshold=10))
    assert looser["changed"] is False and only(looser, AUTH)["status"] == "pass"


@pytest.mark.parametrize("threshold,period,status", [
    (1, 300, "pass"),      # fires on one event
    (5, 300, "pass"),      # the checklist's 5 within 5 minutes
    (6, 300, "fixed"),     # needs more failures
    (5, 60, "fixed"),      # 5 within one minute misses 5 spread over five
    (5, 900, "fixed"),     # alarms later
])
@mock_aws
def test_a_team_auth_failures_alarm_counts_when_at_least_as_sensitive(run_module, threshold, period, status):
    log_group()
    topic = boto3.client("sns").create_topic(Name="team")["TopicArn"]
    boto3.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName="team-signin-failures", filterPattern=cis_patterns.PATTERNS[AUTH],
        metricTransformations=[{"metricName": "SigninFailures", "metricNamespace": "Team", "metricValue": "1"}])
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName="team-signin-failures", MetricName="SigninFailures", Namespace="Team", Statistic="Sum",
        Period=period, EvaluationPeriods=1, Threshold=threshold, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic])
    finding = only(run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": [AUTH]}), AUTH)
    assert finding["status"] == status, finding
    if status == "fixed":
        assert "has no alarm that fires on 5 events within 300 s" in finding["message"]
        ours = boto3.client("cloudwatch").describe_alarms(AlarmNames=[AUTH_ALARM])["MetricAlarms"][0]
        assert (ours["Namespace"], ours["MetricName"], ours["Threshold"], ours["Period"]) == (
            "Team", "SigninFailures", 5.0, 300)


@mock_aws
def test_the_other_alarms_still_fire_on_one_event(run_module):
    log_group()
    topic = boto3.client("sns").create_topic(Name="team")["TopicArn"]
    boto3.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName="team-root", filterPattern=cis_patterns.PATTERNS["monitoring.root_usage"],
        metricTransformations=[{"metricName": "Root", "metricNamespace": "Team", "metricValue": "1"}])
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName="team-root", MetricName="Root", Namespace="Team", Statistic="Sum", Period=300, EvaluationPeriods=1,
        Threshold=5, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])
    finding = only(run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": ["monitoring.root_usage"]}),
                   "monitoring.root_usage")
    assert finding["status"] == "fixed" and "no alarm that fires on one event" in finding["message"]


# --- security services switched off ---------------------------------------------------------------

TAMPERING_NAME = "bulwark-cis-security_services_tampering"


def test_the_tampering_pattern_covers_the_services_but_not_what_cis_4_5_and_4_9_watch():
    pattern = cis_patterns.PATTERNS[TAMPERING]
    for term in ("guardduty.amazonaws.com", "DeleteDetector", "UpdateDetector", "$.requestParameters.enable IS FALSE",
                 "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "securityhub.amazonaws.com",
                 "DisableSecurityHub", "BatchDisableStandards", "access-analyzer.amazonaws.com", "DeleteAnalyzer"):
        assert term in pattern
    for cis_already in ("StopConfigurationRecorder", "DeleteDeliveryChannel", "StopLogging", "DeleteTrail"):
        assert cis_already not in pattern
    assert len(pattern) <= 1024  # CloudWatch Logs' limit
    # UpdateDetector alone (enabling it, changing its frequency) is not the same filter
    assert cis_patterns.control_for(pattern.replace(" && ($.requestParameters.enable IS FALSE)", "")) is None
    for _name, _metric, other in seeds.OTHER_FILTERS:
        assert cis_patterns.control_for(other) == TAMPERING


def test_check_mode_without_the_tampering_filter_is_drift_and_writes_nothing(moto_server, run_module):
    seed.session(moto_server.url).client("logs", endpoint_url=moto_server.url).create_log_group(logGroupName=GROUP)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": [TAMPERING]}, check_mode=True)
    finding = only(result, TAMPERING)
    assert finding["status"] == "drift"
    assert "no metric filter with the monitoring.security_services_tampering pattern" in finding["message"]
    assert "logs:PutMetricFilter %s" % TAMPERING_NAME in result["actions"]
    assert rec.calls() and rec.writes() == []


@mock_aws
def test_the_tampering_filter_and_alarm_are_created_then_nothing_changes(run_module):
    log_group()
    args = {"log_group_name": GROUP, "controls": [TAMPERING]}
    assert only(run_module(mod.DEFINITION.main, args), TAMPERING)["status"] == "fixed"
    [f] = boto3.client("logs").describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert (f["filterName"], f["filterPattern"]) == (TAMPERING_NAME, cis_patterns.PATTERNS[TAMPERING])
    assert f["metricTransformations"][0]["metricName"] == "SecurityServicesTampering"
    [alarm] = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert (alarm["AlarmName"], alarm["Threshold"], alarm["AlarmActions"]) == (TAMPERING_NAME, 1.0, [TOPIC_ARN])
    assert alarm["AlarmDescription"].startswith("monitoring.security_services_tampering: security services")
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and only(again, TAMPERING)["status"] == "pass"


@mock_aws
def test_an_equivalent_tampering_filter_with_an_alarm_passes(run_module):
    log_group()
    topic = boto3.client("sns").create_topic(Name="team")["TopicArn"]
    [(name, metric, pattern)] = seeds.OTHER_FILTERS
    boto3.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName=name, filterPattern=pattern,
        metricTransformations=[{"metricName": metric, "metricNamespace": "Team", "metricValue": "1"}])
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName="team-off", MetricName=metric, Namespace="Team", Statistic="Sum", Period=60, EvaluationPeriods=1,
        Threshold=0, ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic])
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": [TAMPERING]})
    finding = only(result, TAMPERING)
    assert finding["status"] == "pass" and result["changed"] is False
    assert "filter %s (pattern of monitoring.security_services_tampering) and alarm team-off" % name in \
        finding["message"]

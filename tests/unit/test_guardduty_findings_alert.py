"""monitoring.guardduty_findings_alert (log_metric_alarms): EventBridge rules sending GuardDuty
findings to the alarm topic, against moto.

moto (5.2.5) stores EventBridge rules and targets, cross-region event-bus targets with a RoleArn
included, without delivering events: what a rule would match is tested on its pattern
(why_not_alerting), not by putting events.
"""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import log_metric_alarms as mod
from ansible_collections.bulwark.aws.plugins.module_utils.checks.monitoring import guardduty_findings as gd
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import seed
from tests.support.aws_faults import deny_region, on_new_clients
from tests.support.recorder import Recorder
from tests.support.seeds import cloudtrail as seeds

CONTROL = gd.CONTROL
GROUP = "trail-logs"
ACCOUNT = "123456789012"
HOME, OTHER = "us-east-1", "eu-west-1"
REGIONS = [HOME, OTHER]
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:bulwark-security-alarms"
HOME_RULE = "arn:aws:events:us-east-1:123456789012:rule/bulwark-guardduty-findings"
OTHER_RULE = "arn:aws:events:eu-west-1:123456789012:rule/bulwark-guardduty-findings"
HOME_BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
ARGS = {"log_group_name": GROUP, "controls": [CONTROL], "regions": REGIONS}


@pytest.fixture(autouse=True)
def _no_aws_managed_policies(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")


def log_group(endpoint=None):
    boto3.client("logs", region_name=HOME, endpoint_url=endpoint).create_log_group(logGroupName=GROUP)


def by_resource(result):
    found = dict((f["resource"], f) for f in result.by_control(CONTROL))
    assert len(found) == len(result.by_control(CONTROL)), result["findings"]
    return found


def rule(region, min_severity=7, state="ENABLED", endpoint=None, **pattern_changes):
    pattern = gd.event_pattern(min_severity)
    pattern.update(pattern_changes)
    boto3.client("events", region_name=region, endpoint_url=endpoint).put_rule(
        Name=gd.RULE, EventPattern=json.dumps(pattern), State=state)


def targets(region):
    return boto3.client("events", region_name=region).list_targets_by_rule(Rule=gd.RULE)["Targets"]


def pattern_of(region):
    return json.loads(boto3.client("events", region_name=region).describe_rule(Name=gd.RULE)["EventPattern"])


def topic_policy(topic=TOPIC_ARN):
    return json.loads(boto3.client("sns", region_name=HOME).get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])


# --- the pattern --------------------------------------------------------------------------------

def test_the_pattern_is_the_one_guardduty_documents():
    assert gd.event_pattern(7) == {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                                   "detail": {"severity": [{"numeric": [">=", 7]}]}}
    assert gd.event_pattern(6.5)["detail"]["severity"] == [{"numeric": [">=", 6.5]}]
    assert (gd.levels_from(7), gd.levels_from(9), gd.levels_from(4), gd.levels_from(1)) == (
        "HIGH and CRITICAL", "CRITICAL", "MEDIUM, HIGH and CRITICAL", "LOW, MEDIUM, HIGH and CRITICAL")


@pytest.mark.parametrize("severity,alerts", [
    ([{"numeric": [">=", 7]}], True),
    ([{"numeric": [">=", 4]}], True),               # a lower threshold alerts on more
    ([{"numeric": [">", 6.9]}], True),
    ([{"numeric": [">=", 1, "<=", 10]}], True),
    ([{"numeric": [">=", 5, "<", 11]}], True),
    ([8, {"numeric": [">=", 7]}], True),
    ([{"numeric": [">=", 8]}], False),              # a higher threshold misses 7.0-7.9
    ([{"numeric": [">", 7]}], False),
    ([{"numeric": [">=", 7, "<", 9]}], False),      # not CRITICAL
    ([7, 8, 9], False),                             # exact values miss 7.5
    ([{"numeric": [">=", "7"]}], False),
    ([{"prefix": "7"}], False),
])
def test_a_severity_filter_counts_when_it_matches_every_finding_from_the_threshold(severity, alerts):
    pattern = dict(gd.event_pattern(7), detail={"severity": severity})
    assert (gd.why_not_alerting(json.dumps(pattern), 7) is None) is alerts


@pytest.mark.parametrize("pattern,why", [
    ({"source": ["aws.guardduty"]}, None),                                       # every finding
    ({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}, None),
    ({"source": ["aws.securityhub"]}, "does not match source aws.guardduty"),
    ({"source": ["aws.guardduty"], "detail-type": ["Other"]}, "does not match detail-type GuardDuty Finding"),
    ({"source": ["aws.guardduty"], "region": ["us-east-1"]}, "also filters on region"),
    ({"source": ["aws.guardduty"], "detail": {"type": ["Recon:EC2/PortProbeUnprotectedPort"]}},
     "also filters on detail.type"),
])
def test_a_pattern_that_narrows_the_findings_does_not_count(pattern, why):
    found = gd.why_not_alerting(json.dumps(pattern), 7)
    assert found == why if why is None else why in found
    assert "not JSON" in gd.why_not_alerting("{", 7)


# --- the module ---------------------------------------------------------------------------------

def test_check_mode_is_drift_per_region_and_writes_nothing(moto_server, run_module):
    log_group(moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, ARGS, check_mode=True)
    found = by_resource(result)
    assert sorted(found) == sorted([HOME_RULE, OTHER_RULE, TOPIC_ARN])
    assert set(f["status"] for f in found.values()) == {"drift"}
    assert found[HOME_RULE]["region"] == HOME and found[OTHER_RULE]["region"] == OTHER
    assert "would call events:PutRule, events:PutTargets (to %s, pattern severity >= 7)" % TOPIC_ARN in \
        found[HOME_RULE]["message"]
    assert "would call events:PutRule, events:PutTargets (to %s" % HOME_BUS in found[OTHER_RULE]["message"]
    assert "would call sns:SetTopicAttributes" in found[TOPIC_ARN]["message"]
    assert result["changed"] is True
    for action in ("sns:CreateTopic bulwark-security-alarms", "iam:CreateRole bulwark-guardduty-findings-forward",
                   "events:PutRule bulwark-guardduty-findings (eu-west-1)"):
        assert action in result["actions"], result["actions"]
    assert result["actions"].count("sns:CreateTopic bulwark-security-alarms") == 1
    assert rec.calls() and rec.writes() == []


@mock_aws
def test_apply_makes_the_rules_the_role_and_the_topic_statement_then_nothing_changes(run_module):
    log_group()
    first = run_module(mod.DEFINITION.main, ARGS)
    found = by_resource(first)
    assert set(f["status"] for f in found.values()) == {"fixed"} and len(found) == 3
    assert pattern_of(HOME) == pattern_of(OTHER) == gd.event_pattern(7)
    assert [(t["Id"], t["Arn"]) for t in targets(HOME)] == [(gd.TOPIC_TARGET, TOPIC_ARN)]
    [forward] = targets(OTHER)
    assert (forward["Arn"], forward["RoleArn"]) == (HOME_BUS, "arn:aws:iam::123456789012:role/%s" % gd.ROLE)
    iam = boto3.client("iam")
    role = iam.get_role(RoleName=gd.ROLE)["Role"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    inline = iam.get_role_policy(RoleName=gd.ROLE, PolicyName=gd.ROLE_POLICY_NAME)["PolicyDocument"]
    assert [(s["Action"], s["Resource"]) for s in inline["Statement"]] == [("events:PutEvents", HOME_BUS)]
    statement = next(s for s in topic_policy()["Statement"] if s.get("Sid") == gd.SID)
    assert statement["Principal"] == {"Service": "events.amazonaws.com"} and statement["Action"] == "sns:Publish"
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": HOME_RULE}}
    assert first["guardduty_findings"]["forward_role"]["created"] is True

    second = run_module(mod.DEFINITION.main, ARGS)
    assert second["changed"] is False
    assert set(f["status"] for f in by_resource(second).values()) == {"pass"}
    assert second["actions"] == []


@mock_aws
def test_every_enabled_region_gets_a_rule_without_the_regions_option(run_module):
    log_group()
    result = run_module(mod.DEFINITION.main, {"log_group_name": GROUP, "controls": [CONTROL]})
    evaluated = result["guardduty_findings"]["regions"]["evaluated"]
    assert len(evaluated) > 2 and HOME in evaluated
    regional = [f for f in result.by_control(CONTROL) if f["resource"].endswith(":rule/" + gd.RULE)]
    assert sorted(f["region"] for f in regional) == sorted(evaluated)
    assert set(f["status"] for f in regional) == {"fixed"}
    assert result["actions"].count("iam:CreateRole %s" % gd.ROLE) == 1  # one role, made once per run


@mock_aws
def test_a_rule_with_a_lower_threshold_passes_and_is_left_as_it_is(run_module):
    log_group()
    run_module(mod.DEFINITION.main, ARGS)
    for region in REGIONS:
        rule(region, min_severity=4)
    result = run_module(mod.DEFINITION.main, ARGS)
    assert result["changed"] is False and set(f["status"] for f in by_resource(result).values()) == {"pass"}
    assert pattern_of(OTHER)["detail"]["severity"] == [{"numeric": [">=", 4]}]


@mock_aws
def test_a_rule_with_a_higher_threshold_is_drift_then_rewritten_keeping_its_targets(run_module):
    log_group()
    run_module(mod.DEFINITION.main, ARGS)
    rule(OTHER, min_severity=8)
    audit = run_module(mod.DEFINITION.main, dict(ARGS, enforce=False))
    finding = by_resource(audit)[OTHER_RULE]
    assert finding["status"] == "drift"
    assert "matches severity [{\"numeric\": [\">=\", 8]}], not every finding from 7" in finding["message"]
    assert "would call events:PutRule (on the rule" in finding["message"]
    assert by_resource(audit)[HOME_RULE]["status"] == "pass"
    fixed = run_module(mod.DEFINITION.main, ARGS)
    assert by_resource(fixed)[OTHER_RULE]["status"] == "fixed"
    assert pattern_of(OTHER) == gd.event_pattern(7) and len(targets(OTHER)) == 1
    assert not [a for a in fixed["actions"] if "PutTargets" in a]


@mock_aws
def test_the_threshold_variable_is_the_pattern_written(run_module):
    log_group()
    result = run_module(mod.DEFINITION.main, dict(ARGS, guardduty_min_severity=4.0))
    assert result["guardduty_findings"]["min_severity"] == 4
    assert pattern_of(HOME)["detail"]["severity"] == [{"numeric": [">=", 4]}]
    # raising the threshold later leaves the more sensitive rule alone
    again = run_module(mod.DEFINITION.main, dict(ARGS, guardduty_min_severity=9.0))
    assert again["changed"] is False and pattern_of(HOME)["detail"]["severity"] == [{"numeric": [">=", 4]}]


@mock_aws
def test_a_rule_without_target_gets_its_target_and_a_disabled_rule_is_enabled(run_module):
    log_group()
    rule(HOME)
    rule(OTHER, state="DISABLED")
    result = run_module(mod.DEFINITION.main, ARGS)
    found = by_resource(result)
    assert found[HOME_RULE]["status"] == "fixed"
    assert "rule bulwark-guardduty-findings does not send to the alarm topic" in found[HOME_RULE]["message"]
    assert "events:PutRule" not in found[HOME_RULE]["message"]
    assert "rule bulwark-guardduty-findings is DISABLED" in found[OTHER_RULE]["message"]
    assert "events:EnableRule" in found[OTHER_RULE]["message"]
    assert boto3.client("events", region_name=OTHER).describe_rule(Name=gd.RULE)["State"] == "ENABLED"
    assert [t["Arn"] for t in targets(HOME)] == [TOPIC_ARN]


@mock_aws
def test_another_target_of_the_rule_stays(run_module):
    log_group()
    queue = "arn:aws:sqs:us-east-1:123456789012:team-findings"
    rule(HOME)
    boto3.client("events", region_name=HOME).put_targets(Rule=gd.RULE, Targets=[{"Id": "team", "Arn": queue}])
    run_module(mod.DEFINITION.main, ARGS)
    assert sorted(t["Arn"] for t in targets(HOME)) == sorted([queue, TOPIC_ARN])


@mock_aws
def test_the_topic_statement_is_merged_keeping_every_other_statement(run_module):
    log_group()
    sns = boto3.client("sns", region_name=HOME)
    sns.create_topic(Name="bulwark-security-alarms")
    team = {"Sid": "TeamPublish", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
            "Action": "sns:Publish", "Resource": TOPIC_ARN}
    stale = {"Sid": gd.SID, "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
             "Action": "sns:Publish", "Resource": TOPIC_ARN,
             "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/old"}}}
    before = topic_policy()
    sns.set_topic_attributes(TopicArn=TOPIC_ARN, AttributeName="Policy", AttributeValue=json.dumps(
        dict(before, Statement=before["Statement"] + [team, stale])))
    result = run_module(mod.DEFINITION.main, ARGS)
    assert by_resource(result)[TOPIC_ARN]["status"] == "fixed"
    after = topic_policy()["Statement"]
    assert [s.get("Sid") for s in after] == ["__default_statement_ID", "TeamPublish", gd.SID]
    assert after[1] == team
    assert after[2]["Condition"] == {"ArnEquals": {"aws:SourceArn": HOME_RULE}}  # the taken Sid, updated


@mock_aws
def test_a_topic_policy_already_letting_the_rule_publish_passes_unchanged(run_module):
    log_group()
    sns = boto3.client("sns", region_name=HOME)
    sns.create_topic(Name="bulwark-security-alarms")
    broad = {"Sid": "EventsOfThisAccount", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
             "Action": "sns:Publish", "Resource": TOPIC_ARN,
             "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
    sns.set_topic_attributes(TopicArn=TOPIC_ARN, AttributeName="Policy", AttributeValue=json.dumps(
        {"Version": "2012-10-17", "Statement": [broad]}))
    result = run_module(mod.DEFINITION.main, ARGS)
    assert by_resource(result)[TOPIC_ARN]["status"] == "pass"
    assert topic_policy()["Statement"] == [broad]


@mock_aws
def test_a_failing_region_is_an_error_for_that_region_only(run_module, monkeypatch):
    log_group()
    on_new_clients(monkeypatch, deny_region(OTHER, services=("events",)))
    result = run_module(mod.DEFINITION.main, ARGS)
    found = by_resource(result)
    assert found[OTHER_RULE]["status"] == "error" and found[OTHER_RULE]["region"] == OTHER
    assert "AccessDenied" in found[OTHER_RULE]["message"]
    assert found[HOME_RULE]["status"] == "fixed" and found[TOPIC_ARN]["status"] == "fixed"
    assert result["failed"] is False if "failed" in result else True


@mock_aws
def test_a_topic_arn_that_does_not_exist_is_an_error_naming_the_variable(run_module):
    log_group()
    missing = "arn:aws:sns:us-east-1:123456789012:nope"
    result = run_module(mod.DEFINITION.main, dict(ARGS, topic_arn=missing, option_names={
        "topic_arn": "bulwark_monitoring_topic_arn"}))
    found = by_resource(result)
    assert found[HOME_RULE]["status"] == "error"
    assert "bulwark_monitoring_topic_arn: %s does not exist" % missing in found[HOME_RULE]["message"]
    assert found[OTHER_RULE]["status"] == "fixed"  # it forwards to the bus, whatever the topic


@mock_aws
def test_the_alarms_team_topic_is_the_target_and_must_have_a_subscriber(run_module):
    """The hardened seed: the alarms notify the team's topic, and so does the GuardDuty rule."""
    seeds.hardened(seed.session(None))
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS})
    team_topic = "arn:aws:sns:us-east-1:123456789012:%s" % seeds.TOPIC
    assert set(result.statuses().values()) == {"pass"}, result["findings"]
    assert result["changed"] is False
    assert result["guardduty_findings"]["topic_arn"] == team_topic
    assert not [t for t in boto3.client("sns").list_topics()["Topics"] if t["TopicArn"] == TOPIC_ARN]


@mock_aws
def test_without_a_log_group_the_rules_are_still_made(run_module):
    result = run_module(mod.DEFINITION.main, {"regions": REGIONS})
    assert result.statuses()["monitoring.root_usage"] == "fail"
    found = by_resource(result)
    assert set(f["status"] for f in found.values()) == {"fixed"} and TOPIC_ARN in found


@mock_aws
def test_a_waived_region_is_not_changed(run_module):
    log_group()
    waiver = {"control": CONTROL, "resource": OTHER_RULE, "reason": "region unused", "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, dict(ARGS, waivers=[waiver]))
    assert by_resource(result)[OTHER_RULE]["status"] == "waived"
    assert not boto3.client("iam").list_roles()["Roles"]
    with pytest.raises(Exception):
        boto3.client("events", region_name=OTHER).describe_rule(Name=gd.RULE)


@pytest.mark.parametrize("args,message", [
    ({"guardduty_min_severity": 0}, "guardduty_min_severity: 0.0 must be a number from 1 to 10"),
    ({"guardduty_min_severity": 10.5}, "guardduty_min_severity: 10.5 must be a number from 1 to 10"),
    ({"guardduty_min_severity": "high"}, "guardduty_min_severity"),
    ({"guardduty_min_severity": 11, "option_names": {
        "guardduty_min_severity": "bulwark_monitoring_guardduty_min_severity"}},
     "bulwark_monitoring_guardduty_min_severity: 11.0 must be a number from 1 to 10"),
    ({"regions": ["mars-1"]}, "regions: 'mars-1' is not an AWS region"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, dict({"controls": [CONTROL]}, **args))
    assert result["failed"] is True and message in result["msg"]
    assert rec.calls() == []


def test_the_control_is_in_the_catalogue_with_its_tags():
    control = controls.get(CONTROL)
    assert (control.module, control.role, control.remediation_kind) == ("log_metric_alarms", "monitoring", "auto")
    assert controls.scopes(CONTROL) == {"monitoring", CONTROL}
    assert CONTROL in mod.CONTROLS and CONTROL not in mod.ALARM_CONTROLS

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""monitoring.guardduty_findings_alert of log_metric_alarms: GuardDuty findings of severity
guardduty_min_severity or more reach the alarm topic, from every enabled region.

EventBridge cannot target an SNS topic of another region, and the alarm topic lives in the home
region (the log group's). So, on each region's default event bus, a rule RULE with the pattern
of event_pattern():
- in the home region it targets the alarm topic, whose policy lets events.amazonaws.com publish
  for that rule only (statement SID, merged: the policy's other statements stay);
- in every other region it targets the home region's default event bus through the role ROLE
  (made once per run by the first region that needs it; an existing role of that name is used as
  it is). Forwarded events keep their source, detail-type and detail: the home rule alerts on them.

Every enabled region gets its rule, not only those where GuardDuty runs: the monitoring role runs
before the guardrails role turns GuardDuty on, and a rule costs nothing until findings arrive.
Nothing is deleted; another target of the rule stays.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.domain import service_roles

CONTROL = "monitoring.guardduty_findings_alert"
RULE = "bulwark-guardduty-findings"
ROLE = "bulwark-guardduty-findings-forward"
ROLE_POLICY_NAME = "bulwark-guardduty-findings-forward"
SID = "BulwarkGuardDutyFindings"
TOPIC_TARGET = "bulwark-alarm-topic"      # target ids of the rules bulwark.aws writes
BUS_TARGET = "bulwark-home-event-bus"
SERVICE = "events.amazonaws.com"
SOURCE, DETAIL_TYPE = "aws.guardduty", "GuardDuty Finding"
MANAGED_TAG = service_roles.MANAGED_TAG
# GuardDuty severity levels: (name, lowest, next level's lowest); CRITICAL goes up to 10.0.
LEVELS = (("LOW", 1.0, 4.0), ("MEDIUM", 4.0, 7.0), ("HIGH", 7.0, 9.0), ("CRITICAL", 9.0, 10.1))
MIN_SEVERITY, MAX_SEVERITY = 1.0, 10.0
NOT_FOUND = "ResourceNotFoundException"


def validate(params):
    """guardduty_min_severity: a number from 1 to 10. No AWS call."""
    value = params.get("guardduty_min_severity")
    if value is None:
        return
    if isinstance(value, bool) or not MIN_SEVERITY <= value <= MAX_SEVERITY:
        raise ValueError("guardduty_min_severity: %r must be a number from 1 to 10 (GuardDuty severity: 7 = HIGH "
                         "and CRITICAL, 4 = MEDIUM and above)" % value)


def number(value):
    """7.0 -> 7 (as the pattern and messages show it), 6.5 stays."""
    return int(value) if float(value) == int(value) else float(value)


def levels_from(min_severity):
    """The GuardDuty levels a threshold alerts on (wholly or partly), in words: 'HIGH and CRITICAL'."""
    names = [name for name, _lowest, above in LEVELS if above > min_severity]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def event_pattern(min_severity):
    return {"source": [SOURCE], "detail-type": [DETAIL_TYPE],
            "detail": {"severity": [{"numeric": [">=", number(min_severity)]}]}}


def _covers(matcher, low):
    """True when one severity matcher of an event pattern matches every severity from ``low`` to 10."""
    if not isinstance(matcher, dict) or list(matcher) != ["numeric"]:
        return False
    terms = matcher["numeric"]
    if not isinstance(terms, list) or not terms or len(terms) % 2:
        return False
    for op, value in zip(terms[0::2], terms[1::2]):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not ((op == ">=" and value <= low) or (op == ">" and value < low)
                or (op == "<=" and value >= MAX_SEVERITY) or (op == "<" and value > MAX_SEVERITY)):
            return False
    return True


def why_not_alerting(text, min_severity):
    """None when the event pattern ``text`` matches every GuardDuty finding of severity
    ``min_severity`` or more (a lower threshold, or none, matches more: it counts), else why not."""
    try:
        pattern = json.loads(text or "")
    except ValueError:
        return "its event pattern is not JSON"
    if not isinstance(pattern, dict):
        return "its event pattern is not a JSON object"
    other = sorted(set(pattern) - set(("source", "detail-type", "detail")))
    if other:
        return "its event pattern also filters on %s" % ", ".join(other)
    if "source" in pattern and SOURCE not in policy.as_list(pattern["source"]):
        return "its event pattern does not match source %s" % SOURCE
    if "detail-type" in pattern and DETAIL_TYPE not in policy.as_list(pattern["detail-type"]):
        return "its event pattern does not match detail-type %s" % DETAIL_TYPE
    detail = pattern.get("detail", {})
    if not isinstance(detail, dict):
        return "its event pattern's detail is not a JSON object"
    other = sorted("detail.%s" % k for k in detail if k != "severity")
    if other:
        return "its event pattern also filters on %s" % ", ".join(other)
    if "severity" not in detail or any(_covers(m, min_severity) for m in policy.as_list(detail["severity"])):
        return None
    return "its event pattern matches severity %s, not every finding from %s" % (
        json.dumps(detail["severity"], sort_keys=True), number(min_severity))


def bus_arn(partition, region, account):
    return "arn:%s:events:%s:%s:event-bus/default" % (partition, region, account)


def rule_arn(partition, region, account):
    return "arn:%s:events:%s:%s:rule/%s" % (partition, region, account, RULE)


def topic_statement(topic_arn, home_rule_arn):
    """The topic policy statement that lets the home rule, and only it, publish to the topic."""
    return {"Sid": SID, "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sns:Publish",
            "Resource": topic_arn, "Condition": {"ArnEquals": {"aws:SourceArn": home_rule_arn}}}


def role_permissions(home_bus_arn):
    return {"Version": policy.VERSION, "Statement": [{
        "Sid": "ForwardGuardDutyFindingsToTheHomeBus", "Effect": "Allow", "Action": "events:PutEvents",
        "Resource": home_bus_arn}]}


class GuardDutyFindings:
    """The control's run, after the alarms: ``alarms`` (log_metric_alarms.Alarms) knows the home
    region, the alarm topic and how to make it."""

    def __init__(self, alarms):
        self.alarms = alarms
        self.m = alarms.m
        self.min_severity = float(alarms.p["guardduty_min_severity"])
        given = alarms.p["topic_arn"]
        self.home = given.split(":")[3] if given else alarms.region  # the alarm topic's region
        self.account, self.partition = alarms.account, alarms.partition
        self.home_rule_arn = rule_arn(self.partition, self.home, self.account)
        self.home_bus_arn = bus_arn(self.partition, self.home, self.account)
        self.forwarding = service_roles.ServiceRole(
            self.m, ROLE, SERVICE, ROLE_POLICY_NAME, lambda ident: role_permissions(self.home_bus_arn),
            "EventBridge forwards GuardDuty findings to the home region's bus (bulwark.aws)")
        self.topic_arn = None  # the topic the home rule notifies (after this run)
        self.source_rule_arn = self.home_rule_arn  # the home rule that publishes to it (a team's may)
        self.plan = regions_util.RegionPlan([])

    def what(self):
        return "GuardDuty findings of severity %s or more (%s)" % (number(self.min_severity),
                                                                   levels_from(self.min_severity))

    # --- which topic ---------------------------------------------------------------------------
    def topic_for_fix(self):
        """The topic a new target notifies: the one given, or the module's when it exists, else
        the one the account's alarms notify, else the module's (made when needed). In check mode
        the module's topic the alarms would make counts as existing: the same choice as the apply."""
        a = self.alarms
        if a.p["topic_arn"] or a.topic_exists or a.topic_planned:
            return a.topic_arn
        theirs = sorted(set(t for s in a.satisfied.values() for t in s["topics"] if self.is_home_topic(t)))
        return theirs[0] if theirs else a.topic_arn

    def is_home_topic(self, arn):
        if self.alarms.p["topic_arn"]:
            return arn == self.alarms.p["topic_arn"]
        return arn.split(":")[2:5] == ["sns", self.home, self.account]

    # --- one region ----------------------------------------------------------------------------
    @staticmethod
    def read_rule(events):
        """(rule or None, targets)."""
        try:
            rule = events.describe_rule(Name=RULE)
        except aws.ClientError as e:
            if aws.error_code(e) != NOT_FOUND:
                raise
            return None, []
        return rule, aws.paginate(events, "list_targets_by_rule", "Targets", Rule=RULE)

    def rule_of_another_name(self, events, region):
        """(rule, its good targets) of an enabled rule of the default bus, not named RULE, that
        alerts on every finding asked for and sends to the right place; (None, []) when none does."""
        for rule in aws.paginate(events, "list_rules", "Rules"):
            if rule["Name"] == RULE or rule.get("State") != "ENABLED" or not rule.get("EventPattern") \
                    or why_not_alerting(rule["EventPattern"], self.min_severity) is not None:
                continue
            good = [t for t in aws.paginate(events, "list_targets_by_rule", "Targets", Rule=rule["Name"])
                    if self.good_target(region, t)]
            if good:
                return rule, good
        return None, []

    def good_target(self, region, target):
        if region == self.home:
            return self.is_home_topic(target.get("Arn", ""))
        return target.get("Arn") == self.home_bus_arn and bool(target.get("RoleArn"))

    def check_region(self, run):
        """One region's rule: pass, or its fix (drift in check mode). Returns the SNS topics the
        home rule notifies (after this run), None elsewhere. An AWS fault (the forwarding role's
        included) is an `error` for this region's rule only."""
        try:
            return self._check_region(run)
        except regions_util.AWS_FAULTS as e:
            run.error_for([CONTROL], aws.describe_error(e, "events"),
                          resource=rule_arn(self.partition, run.region, self.account))
            return None

    def _check_region(self, run):
        region = run.region
        events = run.client("events")
        arn = rule_arn(self.partition, region, self.account)
        rule, targets = self.read_rule(events)
        home = region == self.home
        dest = ("the alarm topic" if home else "the home region's event bus %s" % self.home_bus_arn)
        problems, actions, writes = [], [], []
        if rule is None:
            problems.append("no EventBridge rule %s" % RULE)
            writes.append("put_rule")
        else:
            why = why_not_alerting(rule.get("EventPattern"), self.min_severity)
            if why:
                problems.append("rule %s does not alert on every %s: %s" % (RULE, self.what(), why))
                writes.append("put_rule")
            elif rule.get("State") != "ENABLED":
                problems.append("rule %s is %s" % (RULE, rule.get("State") or "not enabled"))
                writes.append("enable_rule")
        good = [t for t in targets if self.good_target(region, t)]
        ours, ours_good = rule, good
        if not good:
            problems.append("rule %s does not send to %s" % (RULE, dest) if rule is not None else
                            "nothing sends %s to %s" % (self.what(), dest))
            writes.append("put_targets")
        if problems:
            # A team's own rule of another name that does the same counts (ours is then left alone).
            rule, good = self.rule_of_another_name(events, region)
            if rule is None:
                rule, good = ours, ours_good
            else:
                problems = []
        if not problems:
            where = ", ".join(t["Arn"] for t in good)
            run.add(CONTROL, "pass", "rule %s (%s) sends %s to %s" % (
                rule["Name"], rule.get("State"), self.what(), where if home else "%s (%s)" % (where, ", ".join(
                    sorted(set(t["RoleArn"] for t in good))))), resource=rule["Arn"])
            if home:
                self.source_rule_arn = rule["Arn"]
            return [t["Arn"] for t in good] if home else None
        if run.is_waived(CONTROL, arn):
            run.add(CONTROL, "drift", "; ".join(problems), resource=arn)  # becomes `waived`
            return [t["Arn"] for t in good] if home else None
        target = None
        if "put_targets" in writes:
            if home:
                topic = self.topic_for_fix()
                self.ensure_topic(topic)
                target = {"Id": TOPIC_TARGET, "Arn": topic}
            else:
                target = {"Id": BUS_TARGET, "Arn": self.home_bus_arn, "RoleArn": self.forwarding.arn()}
        for write in writes:
            actions.append({"put_rule": "events:PutRule %s" % RULE, "enable_rule": "events:EnableRule %s" % RULE,
                            "put_targets": "events:PutTargets %s -> %s" % (RULE, (target or {}).get("Arn"))}[write])

        def change():
            if "put_rule" in writes:
                args = dict(Name=RULE, EventPattern=json.dumps(event_pattern(self.min_severity)), State="ENABLED",
                            Description="%s to the alarm topic (bulwark.aws)" % self.what())
                if rule is None:
                    args["Tags"] = [MANAGED_TAG]
                events.put_rule(**args)
            if "enable_rule" in writes:
                events.enable_rule(Name=RULE)
            if target:
                answer = events.put_targets(Rule=RULE, Targets=[target])
                for failed in answer.get("FailedEntries") or []:
                    raise aws.ClientError({"Error": {"Code": failed.get("ErrorCode") or "FailedEntry",
                                                     "Message": failed.get("ErrorMessage") or ""}}, "PutTargets")

        detail = "%s, pattern severity >= %s" % ("to %s" % target["Arn"] if target else "on the rule",
                                                 number(self.min_severity))
        fixed = run.remediate(CONTROL, arn, "; ".join(problems), actions, change, detail=detail, service="events")
        topics = [t["Arn"] for t in good]
        if home and target and (fixed or not run.may_change):
            topics.append(target["Arn"])
        return topics if home else None

    def ensure_topic(self, topic):
        """The module's own topic exists (made now, or in check mode predicted), before a target names it."""
        a = self.alarms
        if topic == a.topic_arn and not a.topic_exists:
            a.ensure_topic(self.m.client("sns", self.home))

    # --- the topic's policy ----------------------------------------------------------------------
    def check_topic_policy(self, run, topic):
        sns = run.client("sns")
        exists = topic != self.alarms.topic_arn or self.alarms.topic_exists
        current = sns.get_topic_attributes(TopicArn=topic)["Attributes"].get("Policy") if exists else None
        source = self.source_rule_arn
        name = source.rsplit("/", 1)[-1]
        context = {"aws:SourceArn": source, "aws:SourceAccount": self.account}
        if current and policy.allows(current, ("Service", SERVICE), "sns:Publish", topic, context):
            run.add(CONTROL, "pass", "the topic policy lets EventBridge rule %s publish" % name, resource=topic)
            return
        statement = topic_statement(topic, source)

        def change():
            desired, _changed = policy.merge_statements(current or sns.get_topic_attributes(
                TopicArn=topic)["Attributes"].get("Policy") or {}, [statement])
            sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy.dumps(desired))

        run.remediate(CONTROL, topic, "the topic policy does not let EventBridge (%s) publish for rule %s"
                      % (SERVICE, name), ["sns:SetTopicAttributes %s Policy" % topic], change,
                      detail="statement %s merged, the others kept" % SID, service="sns")

    # --- the run -------------------------------------------------------------------------------
    def run(self):
        """Every region's rule (the home region's first), then the topic's policy. Returns the
        topics the home rule notifies (for monitoring.alarm_topic)."""
        m = self.m
        if not m.findings.wants(CONTROL):
            return []
        self.plan = regions_util.plan_regions(m, m.params["regions"], [CONTROL])
        others = [r for r in self.plan.regions if r != self.home]
        home_run = regions_util.RegionRun(m, self.home)
        topics = []
        try:
            topics = self.check_region(home_run) or []
        except ValueError as e:  # the topic given does not exist
            home_run.error_for([CONTROL], str(e), resource=self.home_rule_arn)
        for topic in topics:
            try:
                self.check_topic_policy(home_run, topic)
            except regions_util.AWS_FAULTS as e:
                home_run.error_for([CONTROL], aws.describe_error(e, "sns"), resource=topic)
        home_run.replay()
        self.topic_arn = topics[0] if topics else None
        regions_util.for_each_region(m, others, self.check_region, [CONTROL])
        return topics

    def result(self):
        return dict(rule=RULE, min_severity=number(self.min_severity), home_region=self.home,
                    topic_arn=self.topic_arn, forward_role=self.forwarding.role, regions=self.plan.as_result())

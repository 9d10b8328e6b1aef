# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.log_metric_alarms module (its file holds the documentation).

bulwark.aws.log_metric_alarms runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cis_patterns
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.checks.monitoring import guardduty_findings

CONTROLS = ids(module="log_metric_alarms")
TOPIC = "monitoring.alarm_topic"
GUARDDUTY = guardduty_findings.CONTROL
ALARM_CONTROLS = [c for c in CONTROLS if c not in (TOPIC, GUARDDUTY)]
FAULTS = (aws.ClientError, aws.BotoCoreError, NotImplementedError)
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[^:*]{1,200}$")
# Alarm settings CIS asks for; an alarm counts when it fires on one event (see fires_on_one_event),
# except console_auth_failures, whose threshold and period are options (see as_sensitive).
ALARM_SETTINGS = dict(Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
                      ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching")
AUTH_FAILURES = "monitoring.console_auth_failures"


def validate(params, _named):
    if params.get("log_group_name"):
        ctu.validate_log_group_name(params["log_group_name"])
    arn = params.get("topic_arn")
    if arn:
        match = _TOPIC_ARN.match(arn)
        if not match:
            raise ValueError("topic_arn: %r is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)" % arn)
        home = params.get("region")
        if params.get("log_group_name") and home and match.group(1) != home:
            raise ValueError("topic_arn: the topic is in %s but the log group's alarms are in %s; CloudWatch alarms "
                             "notify topics of their own region" % (match.group(1), home))
    if not _TOPIC_NAME.match(params["topic_name"]):
        raise ValueError("topic_name: %r must be 1-256 letters, digits, '-' or '_'" % params["topic_name"])
    if params.get("alarm_email") and not _EMAIL.match(params["alarm_email"]):
        raise ValueError("alarm_email: %r is not an email address" % params["alarm_email"])
    if not _NAME.match(params["name_prefix"]):
        raise ValueError("name_prefix: %r must be 1-200 characters without ':' or '*'" % params["name_prefix"])
    threshold = params.get("console_auth_failures_threshold")
    if threshold is not None and not 1 <= threshold <= 1000:
        raise ValueError("console_auth_failures_threshold: %r must be 1 to 1000 (failed console sign-ins)" % threshold)
    period = params.get("console_auth_failures_period")
    if period is not None and not (60 <= period <= 86400 and period % 60 == 0):
        raise ValueError("console_auth_failures_period: %r must be a multiple of 60 from 60 to 86400 (seconds)"
                         % period)
    if not params["metric_namespace"] or params["metric_namespace"].startswith("AWS/") \
            or len(params["metric_namespace"]) > 255:
        raise ValueError("metric_namespace: %r must be 1-255 characters and not start with AWS/ (reserved)"
                         % params["metric_namespace"])
    guardduty_findings.validate(params)
    regions_util.validate_regions(params)


def fires_on_one_event(alarm):
    """True when the alarm goes off as soon as the metric counts one matching event."""
    if not alarm.get("ActionsEnabled", True):
        return False
    if alarm.get("Statistic") not in ("Sum", "SampleCount", "Maximum"):
        return False
    threshold, operator = alarm.get("Threshold"), alarm.get("ComparisonOperator")
    if threshold is None:
        return False
    return (operator == "GreaterThanOrEqualToThreshold" and threshold <= 1) or \
        (operator == "GreaterThanThreshold" and threshold < 1)


def as_sensitive(alarm, threshold, period):
    """True when the alarm fires whenever one with ``threshold`` events (Sum, GreaterThanOrEqual)
    within ``period`` seconds would, and no later: an alarm firing on one event; or one counting
    (Sum) over a period that divides ``period`` and alarming on its first breaching period, whose
    threshold is reached by the busiest of those shorter periods (with N events in ``period``,
    one of its k parts has at least ceil(N / k)). A longer period would alarm later; a shorter
    one with the same threshold misses events spread over ``period``."""
    if fires_on_one_event(alarm):
        return True
    if not alarm.get("ActionsEnabled", True) or alarm.get("Statistic") != "Sum":
        return False
    own, ours, operator = alarm.get("Period"), alarm.get("Threshold"), alarm.get("ComparisonOperator")
    if not own or ours is None or own > period or period % own:
        return False
    if (alarm.get("DatapointsToAlarm") or alarm.get("EvaluationPeriods") or 1) != 1:
        return False
    needed = -(-threshold * own // period)  # ceil
    return (operator == "GreaterThanOrEqualToThreshold" and ours <= needed) or \
        (operator == "GreaterThanThreshold" and ours < needed)


def sns_actions(alarm):
    return [a for a in alarm.get("AlarmActions", []) if a.split(":")[2:3] == ["sns"]]


class Alarms:
    def __init__(self, m):
        self.m = m
        self.p = m.params
        ident = m.identity()
        self.account, self.partition = ident["account_id"], ident["partition"]
        self.region = m.conn.region
        self.log_group = None
        self.topic_arn = None
        self.topic_exists = False
        self.topic_planned = False  # check mode: sns:CreateTopic already recorded
        self.subscriptions = {}  # topic ARN -> [subscription]
        self.satisfied = {}      # control -> {"filter", "alarm", "topics"}
        self.missing_group = None  # why the log group is not there yet (check mode)
        self.guardduty = None      # the GuardDuty findings rules (after the alarms: the home region is known)

    def fixable(self, control):
        return self.m.findings.wants(control) and not self.m.findings.is_waived(control, self.resource())

    def resource(self):
        if not self.log_group:
            return None
        return "arn:%s:logs:%s:%s:log-group:%s" % (self.partition, self.region, self.account, self.log_group)

    def add(self, control, status, message):
        self.m.findings.add(control, status, message, resource=self.resource(), region=self.region)

    def name(self, control, cis):
        suffix = control.split(".", 1)[1]
        return "%s%s-%s" % (self.p["name_prefix"], cis, suffix) if cis else self.p["name_prefix"] + suffix

    def wanted(self, control):
        """(threshold, period) the control's alarm must match at least."""
        if control == AUTH_FAILURES:
            return self.p["console_auth_failures_threshold"], self.p["console_auth_failures_period"]
        return 1, ALARM_SETTINGS["Period"]

    def sensitive(self, control, alarm):
        return as_sensitive(alarm, *self.wanted(control))

    def fires_on(self, control):
        threshold, period = self.wanted(control)
        return "one event" if threshold == 1 else "%d events within %d s" % (threshold, period)

    # --- where -----------------------------------------------------------------------------
    def find_log_group(self):
        """(exists?, why not). Sets self.log_group and self.region."""
        if self.p["log_group_name"]:
            self.log_group = self.p["log_group_name"]
        else:
            region, name, why = ctu.security_trail_log_group(self.m, self.region)
            if name is None:
                return False, ("no multi-region trail that logs all management events delivers to CloudWatch Logs (%s); "
                               "run cloudtrail_trail_ensure first or give %s" % (why, self.m.option("log_group_name")))
            self.log_group, self.region = name, region
        logs = self.m.client("logs", self.region)
        groups = logs.describe_log_groups(logGroupNamePrefix=self.log_group).get("logGroups", [])
        if any(g["logGroupName"] == self.log_group for g in groups):
            return True, None
        return False, "log group %s does not exist in %s" % (self.log_group, self.region)

    # --- topic ------------------------------------------------------------------------------
    def find_topic(self, sns):
        if self.p["topic_arn"]:
            self.topic_arn = self.p["topic_arn"]
            try:
                sns.get_topic_attributes(TopicArn=self.topic_arn)
                self.topic_exists = True
            except aws.ClientError as e:
                if aws.error_code(e) not in ("NotFound", "NotFoundException"):
                    raise
            return
        self.topic_arn = "arn:%s:sns:%s:%s:%s" % (self.partition, self.region, self.account, self.p["topic_name"])
        self.topic_exists = any(t["TopicArn"] == self.topic_arn for t in aws.paginate(sns, "list_topics", "Topics"))

    def ensure_topic(self, sns):
        """The module's topic exists (created when this run needs it and may)."""
        if self.topic_exists or self.topic_planned:
            return
        if self.p["topic_arn"]:
            raise ValueError("%s: %s does not exist" % (self.m.option("topic_arn"), self.topic_arn))
        self.m.record_change("sns:CreateTopic %s" % self.p["topic_name"])
        if self.m.may_change:
            self.topic_arn = sns.create_topic(Name=self.p["topic_name"],
                                              Tags=[{"Key": "managed-by", "Value": "bulwark.aws"}])["TopicArn"]
            self.topic_exists = True
        else:
            self.topic_planned = True

    def confirmed(self, sns, topic):
        if topic not in self.subscriptions:
            subs = aws.paginate(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic) \
                if (topic != self.topic_arn or self.topic_exists) else []
            self.subscriptions[topic] = subs
        return [s for s in self.subscriptions[topic]
                if s.get("SubscriptionArn", "").startswith("arn:")]  # not PendingConfirmation

    # --- filters and alarms -------------------------------------------------------------------
    def evaluate(self, logs, cloudwatch, sns):
        filters = [] if self.missing_group else aws.paginate(logs, "describe_metric_filters", "metricFilters",
                                                             logGroupName=self.log_group)
        alarms = aws.paginate(cloudwatch, "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
        by_metric = {}
        for alarm in alarms:
            by_metric.setdefault((alarm.get("Namespace"), alarm.get("MetricName")), []).append(alarm)
        by_name = dict((a["AlarmName"], a) for a in alarms)
        plans = []
        for control, cis, metric, title in cis_patterns.ALARMS:
            if not self.m.findings.wants(control):
                continue
            plans.append(self.evaluate_control(control, cis, metric, title, filters, by_metric, by_name))
        return plans

    def evaluate_control(self, control, cis, metric, title, filters, by_metric, by_name):
        """{control, ok, message, filter: (name, metric, namespace) or None to write, alarm: args or None}"""
        # Only forms CIS prints (or documents) that Prowler's check also recognises count: an
        # older form, bulwark.aws's own included, is rewritten (see cis_patterns).
        matching = [f for f in filters if cis_patterns.matches(control, f.get("filterPattern", ""))]
        plan = dict(control=control, cis=cis, title=title, filter=None, alarm=None)
        our_filter, our_alarm = self.name(control, cis), self.name(control, cis)
        for f in matching:
            for transformation in f.get("metricTransformations", []):
                key = (transformation.get("metricNamespace"), transformation.get("metricName"))
                for alarm in by_metric.get(key, []):
                    topics = sns_actions(alarm)
                    if self.sensitive(control, alarm) and topics and (alarm["AlarmName"] != our_alarm or self.our_topic_ok(
                            topics)):
                        plan.update(ok=True, message="filter %s (pattern of %s) and alarm %s notify %s" % (
                            f["filterName"], self.source(control, cis), alarm["AlarmName"], ", ".join(topics)),
                            topics=topics)
                        self.satisfied[control] = dict(filter=f["filterName"], alarm=alarm["AlarmName"], topics=topics)
                        return plan
        problems = []
        if matching:
            transformation = matching[0]["metricTransformations"][0]
            namespace, metric_name = transformation["metricNamespace"], transformation["metricName"]
            problems.append("filter %s has no alarm that fires on %s and notifies an SNS topic"
                            % (matching[0]["filterName"], self.fires_on(control)))
        else:
            namespace, metric_name = self.p["metric_namespace"], metric
            problems.append(self.missing_group or "no metric filter with the %s pattern on %s" % (
                self.source(control, cis), self.log_group))
            plan["filter"] = dict(filterName=our_filter, filterPattern=cis_patterns.PATTERNS[control],
                                  metricTransformations=[dict(metricName=metric_name, metricNamespace=namespace,
                                                              metricValue="1")])
            if our_filter in [f["filterName"] for f in filters]:
                problems.append(("filter %s has another pattern (not a CIS %s form Prowler's check recognises)"
                                 % (our_filter, cis)) if cis else
                                "filter %s has another pattern (not the one of %s)" % (our_filter, control))
        threshold, period = self.wanted(control)
        plan["alarm"] = dict(ALARM_SETTINGS, AlarmName=our_alarm, MetricName=metric_name, Namespace=namespace,
                             Threshold=float(threshold), Period=period,
                             AlarmDescription="%s: %s (bulwark.aws)" % ("CIS " + cis if cis else control, title),
                             ActionsEnabled=True)
        existing = by_name.get(our_alarm)
        if existing and not ((existing.get("Namespace"), existing.get("MetricName")) == (namespace, metric_name)
                             and self.sensitive(control, existing) and sns_actions(existing)
                             and self.our_topic_ok(sns_actions(existing))):
            problems.append("alarm %s does not fire on %s or notify the topic" % (our_alarm, self.fires_on(control)))
        plan.update(ok=False, message="; ".join(problems))
        return plan

    @staticmethod
    def source(control, cis):
        return "CIS %s" % cis if cis else control

    def our_topic_ok(self, topics):
        """Our own alarm must notify the topic given explicitly; any topic otherwise."""
        return not self.p["topic_arn"] or self.p["topic_arn"] in topics

    def apply(self, logs, cloudwatch, sns, plan):
        control = plan["control"]
        writes = []
        if plan["filter"]:
            writes.append("put metric filter %s" % plan["filter"]["filterName"])
        writes.append("put alarm %s" % plan["alarm"]["AlarmName"])
        if not self.fixable(control):
            self.add(control, "drift", plan["message"])  # waived
            return
        if plan["filter"]:
            self.m.record_change("logs:PutMetricFilter %s" % plan["filter"]["filterName"])
        alarm = dict(plan["alarm"], AlarmActions=[self.topic_arn])
        self.m.record_change("cloudwatch:PutMetricAlarm %s" % alarm["AlarmName"])
        if self.m.may_change:
            try:
                if plan["filter"]:
                    logs.put_metric_filter(logGroupName=self.log_group, **plan["filter"])
                cloudwatch.put_metric_alarm(**alarm)
            except FAULTS as e:
                self.add(control, "error", aws.describe_error(e, "cloudwatch"))
                return
            self.satisfied[control] = dict(filter=(plan["filter"] or {}).get("filterName"),
                                           alarm=alarm["AlarmName"], topics=[self.topic_arn])
        self.m.findings.noncompliant(control, can_fix=True, fixed=self.m.may_change, resource=self.resource(),
                                     region=self.region, message="%s; %s%s, notifying %s" % (
                                         plan["message"], "fixed: " if self.m.may_change else "would ",
                                         ", ".join(writes), self.topic_arn))

    # --- the topic's subscribers ----------------------------------------------------------------
    def report_topic(self, sns, topics):
        if not self.m.findings.wants(TOPIC):
            return
        missing = [t for t in topics if not self.confirmed(sns, t)]
        if not missing:
            if topics:
                self.add(TOPIC, "pass", "%s %s a confirmed subscription" % (", ".join(topics), "has" if len(
                    topics) == 1 else "each have"))
            else:
                self.add(TOPIC, "fail", "no alarm notifies a topic yet")
            return
        email = self.p["alarm_email"]
        pending = [s for t in missing for s in self.subscriptions.get(t, [])]
        if pending:
            self.add(TOPIC, "fail", "%s: the subscription of %s awaits confirmation (the recipient must click the "
                     "link in AWS's email)" % (", ".join(missing), ", ".join(s.get("Endpoint", "?") for s in pending)))
            return
        if not email or missing != [self.topic_arn]:
            how = ("%s subscribes to %s only" % (self.m.option("alarm_email"), self.topic_arn)) if email else \
                "or give %s" % self.m.option("alarm_email")
            self.add(TOPIC, "fail", "%s %s no subscriber: subscribe the security team; %s"
                     % (", ".join(missing), "has" if len(missing) == 1 else "have", how))
            return
        if not self.fixable(TOPIC):
            self.add(TOPIC, "drift", "%s has no subscriber" % self.topic_arn)
            return
        self.m.record_change("sns:Subscribe %s email" % self.topic_arn)
        if self.m.may_change:
            try:
                # Without ReturnSubscriptionArn, AWS answers "pending confirmation" until the
                # recipient confirms (moto confirms at once).
                arn = sns.subscribe(TopicArn=self.topic_arn, Protocol="email", Endpoint=email)["SubscriptionArn"]
            except FAULTS as e:
                self.add(TOPIC, "error", aws.describe_error(e, "sns"))
                return
            if not str(arn).startswith("arn:") or "pending" in str(arn).lower():
                self.add(TOPIC, "fail", "%s had no subscriber: subscribed %s, which must confirm the subscription "
                         "(the link in AWS's email)" % (self.topic_arn, email))
                return
        self.m.findings.noncompliant(TOPIC, can_fix=True, fixed=self.m.may_change, resource=self.resource(),
                                     region=self.region, message="%s has no subscriber; %s %s (by email)" % (
                                         self.topic_arn, "fixed: subscribed" if self.m.may_change
                                         else "would subscribe", email))

    # --- the run --------------------------------------------------------------------------------
    def run(self):
        """The alarms, then the GuardDuty findings rules (they may share the topic), then the
        subscribers of every topic either notifies."""
        reached = self.run_alarms([c for c in self.m.params["controls"] if c != GUARDDUTY])
        sns = self.m.client("sns", self.region)
        self.guardduty = guardduty_findings.GuardDutyFindings(self)
        rule_topics = []
        if self.m.findings.wants(GUARDDUTY):
            try:
                if reached is None:  # the alarms did not get to the topic
                    self.find_topic(sns)
                rule_topics = self.guardduty.run()
            except FAULTS as e:
                self.m.findings.error_for([GUARDDUTY], aws.describe_error(e, "sns"), region=self.region)
        if reached is None:
            return
        topics = set(t for s in self.satisfied.values() for t in s["topics"]) | set(reached) | set(rule_topics)
        if self.topic_exists or self.topic_planned:
            topics.add(self.topic_arn)
        try:
            self.report_topic(sns, sorted(topics))
        except FAULTS as e:
            self.m.findings.error_for([TOPIC], aws.describe_error(e, "sns"), resource=self.resource(),
                                      region=self.region)

    def run_alarms(self, controls):
        """The filters and alarms of ``controls``: [] when done, None when they could not get to
        the topic (their findings say why)."""
        try:
            exists, why_not = self.find_log_group()
        except FAULTS as e:
            self.m.findings.error_for(controls, aws.describe_error(e, "cloudtrail/logs"))
            return None
        # Check mode: the cloudtrail role has not created the group yet, so plan on an empty one
        # (drift, with the writes it would make). Otherwise nothing can go on a missing group.
        if not exists and (not self.log_group or self.m.may_change):
            for control in controls:
                self.add(control, "fail", why_not)
            return None
        self.missing_group = None if exists else why_not
        logs = self.m.client("logs", self.region)
        cloudwatch = self.m.client("cloudwatch", self.region)
        sns = self.m.client("sns", self.region)
        try:
            self.find_topic(sns)
            plans = self.evaluate(logs, cloudwatch, sns)
        except FAULTS as e:
            self.m.findings.error_for(controls, aws.describe_error(e, "cloudwatch"))
            return None
        for plan in plans:
            if plan["ok"]:
                self.add(plan["control"], "pass", plan["message"])
        todo = [p for p in plans if not p["ok"]]
        if any(self.fixable(p["control"]) for p in todo):
            try:
                self.ensure_topic(sns)
            except (ValueError,) + FAULTS as e:
                message = str(e) if isinstance(e, ValueError) else aws.describe_error(e, "sns")
                for plan in todo:
                    self.add(plan["control"], "error", message)
                todo = []
        for plan in todo:
            self.apply(logs, cloudwatch, sns, plan)
        return [self.topic_arn] if todo and not self.m.may_change else []

    def result(self):
        result = dict(log_group_name=self.log_group, topic_arn=self.topic_arn, alarms=self.satisfied)
        if self.guardduty is not None and self.m.findings.wants(GUARDDUTY):
            result["guardduty_findings"] = self.guardduty.result()
        return result


def argument_spec():
    spec = dict(
        log_group_name=dict(type="str"),
        topic_arn=dict(type="str"),
        topic_name=dict(type="str", default="bulwark-security-alarms"),
        alarm_email=dict(type="str"),
        name_prefix=dict(type="str", default="bulwark-cis-"),
        metric_namespace=dict(type="str", default=cis_patterns.NAMESPACE),
        console_auth_failures_threshold=dict(type="int", default=5),
        console_auth_failures_period=dict(type="int", default=300),
        guardduty_min_severity=dict(type="float", default=7.0),
    )
    spec.update(regions_util.REGIONS_ARGUMENT_SPEC)
    return spec


def body(m):
    run = Alarms(m)
    run.run()
    m.exit(**run.result())


DEFINITION = Definition("log_metric_alarms", argument_spec, CONTROLS, body, validate)

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: log_metric_alarms
short_description: Ensure the CIS 4.1-4.15 and security services alarms, and GuardDuty findings alerts
version_added: 0.1.0
description:
  - For each CIS AWS Foundations v3.0 section 4 control (C(monitoring.*), one finding each), ensures
    a metric filter with the CIS pattern on the trail's log group and a CloudWatch alarm on its
    metric (Sum over 300 seconds, 1 period, threshold 1, GreaterThanOrEqualToThreshold) notifying
    an SNS topic; for CIS 4.6 the threshold and period are O(console_auth_failures_threshold) and
    O(console_auth_failures_period). Unless in check mode or O(enforce=false), missing filters, alarms, the topic and
    the optional email subscription are created.
  - "An existing filter counts whatever its name when its pattern is equivalent to a CIS form
    that Prowler's check for the control also recognises: compared as an expression
    (whitespace, quotes around simple values, term order inside an all-C(||) or all-C(&&) group
    do not matter, except for CIS 4.1 and 4.3, whose Prowler checks read the terms in the order
    CIS prints them). For CIS 4.1 and 4.13 both the v3.0 audit text (not grouped) and the
    intended grouped form are accepted; bulwark.aws writes the grouped form."
  - "CIS 4.13 is limited to C($.eventSource = ec2.amazonaws.com) as the v3.0 audit prints it
    (and Prowler requires). CIS 4.15 lists the 18 events of the v3.0 text plus
    C(CancelHandshake), C(CreateOrganization) and C(EnableAllFeatures), which Prowler requires.
    A filter in an older form (bulwark.aws wrote 4.13 without the event source and 4.15 with 18
    events) does not count: the module's filter of that name is rewritten in place (V(drift) in
    check mode), a filter of another name is left as it is and the module adds its own."
  - "C(monitoring.security_services_tampering), not a CIS control, is one more filter and alarm
    of the same kind: GuardDuty C(DeleteDetector), C(UpdateDetector) disabling the detector
    (C($.requestParameters.enable IS FALSE)), C(DisassociateFromMasterAccount) and
    C(DisassociateFromAdministratorAccount); Security Hub C(DisableSecurityHub) and
    C(BatchDisableStandards); IAM Access Analyzer C(DeleteAnalyzer). AWS Config and CloudTrail
    being stopped are CIS 4.9 and 4.5. Its filter and alarm are named O(name_prefix) followed by
    C(security_services_tampering); an equivalent filter of another name counts."
  - "An alarm counts when it watches the filter's metric, fires on a single event and notifies an
    SNS topic. For CIS 4.6 an alarm counts when it is at least as sensitive as
    O(console_auth_failures_threshold) failures within O(console_auth_failures_period) seconds and
    alarms no later: Sum, one datapoint to alarm, a period that divides the wanted one and a
    threshold the busiest of those shorter periods reaches (the same period: a threshold no higher;
    C(GreaterThanThreshold) one below); an alarm firing on one event always counts. Without one,
    the module adds its own alarm (on the existing filter's metric when there is one)."
  - "C(monitoring.guardduty_findings_alert): GuardDuty findings of severity O(guardduty_min_severity)
    or more reach the alarm topic from every enabled region (O(regions) narrows it; the topic's
    region is always evaluated). EventBridge cannot target a topic of another region, so in the
    topic's region (the home region) an EventBridge rule C(bulwark-guardduty-findings) on the
    default bus, pattern
    C({\"source\": [\"aws.guardduty\"], \"detail-type\": [\"GuardDuty Finding\"], \"detail\": {\"severity\": [{\"numeric\": [\">=\", 7]}]}}),
    targets the topic; in every other region a rule of the same name and pattern targets the home
    region's default bus through the role C(bulwark-guardduty-findings-forward) (trusting
    C(events.amazonaws.com) for this account only, allowed C(events:PutEvents) on that bus only;
    made once per run, an existing role of that name is used as it is). Forwarded events keep
    their source, detail-type and detail, so the home rule alerts on them. One finding per
    region (the rule's ARN) and one for the topic's policy, which gets a statement
    C(BulwarkGuardDutyFindings) letting C(events.amazonaws.com) publish when C(aws:SourceArn) is the
    home rule (merged: every other statement stays). Every enabled region gets its rule, not only
    those where GuardDuty runs yet: the rule costs nothing and alerts once GuardDuty is on."
  - "An enabled rule of the default bus, of that name or another, counts when its pattern matches
    every GuardDuty finding of O(guardduty_min_severity) or more (no severity filter, or a
    C(numeric) matcher from that threshold or lower: a lower threshold alerts on more and counts)
    and it targets an SNS topic of the home region (O(topic_arn) when given), elsewhere the home bus
    with a role. Else the rule C(bulwark-guardduty-findings) gets the pattern, is enabled or gets
    the target; its other targets stay. The topic
    a new home target notifies is O(topic_arn), else the module's topic when it exists, else the
    one the alarms notify, else the module's topic, created."
  - "C(monitoring.alarm_topic): every topic the alarms (and the GuardDuty rule) notify has a confirmed subscription. With
    O(alarm_email) the address is subscribed to the module's topic; the recipient must confirm
    it (until then the control stays V(fail))."
  - "The log group: O(log_group_name), else that of a multi-region trail that logs all
    management events and delivers to CloudWatch Logs. A log group that does not exist yet is
    V(drift) in check mode (the cloudtrail role creates it first) and V(fail) otherwise."
  - Nothing is deleted; filters and alarms of another name are left as they are.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  log_group_name:
    description: The trail's log group. Default the log group of the account's security trail.
    type: str
  topic_arn:
    description: An existing SNS topic for the alarms, in the log group's region. Default the topic O(topic_name).
    type: str
  topic_name:
    description: Name of the SNS topic found or created when O(topic_arn) is not given.
    type: str
    default: bulwark-security-alarms
  alarm_email:
    description: An email address subscribed to the topic (it must confirm the subscription).
    type: str
  name_prefix:
    description: Prefix of the filter and alarm names this module creates.
    type: str
    default: bulwark-cis-
  metric_namespace:
    description: CloudWatch namespace of the metrics this module creates (CIS suggests CISBenchmark).
    type: str
    default: CISBenchmark
  console_auth_failures_threshold:
    description: CIS 4.6, failed console sign-ins (1-1000) within O(console_auth_failures_period) that raise the alarm.
    type: int
    default: 5
  console_auth_failures_period:
    description: CIS 4.6, the alarm period in seconds (a multiple of 60 from 60 to 86400).
    type: int
    default: 300
  guardduty_min_severity:
    description:
      - Lowest GuardDuty finding severity (1-10) the GuardDuty rules alert on. GuardDuty severities
        are LOW 1.0-3.9, MEDIUM 4.0-6.9, HIGH 7.0-8.9 and CRITICAL 9.0-10.0; the default alerts on
        HIGH and CRITICAL.
    type: float
    default: 7
  regions:
    description:
      - Regions that get the GuardDuty rule. Default every enabled region. The home region (the
        alarm topic's) is always evaluated.
      - Opt-in regions not enabled for the account are skipped and listed in RV(guardduty_findings)
        (C(regions.skipped), with the reason).
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
"""

EXAMPLES = r"""
- name: Audit the CIS 4.x alarms on the security trail's log group
  bulwark.aws.log_metric_alarms:
    enforce: false

- name: Ensure them, mailing the security team
  bulwark.aws.log_metric_alarms:
    log_group_name: "{{ bulwark_cloudtrail.log_group_name }}"
    alarm_email: security@example.com
"""

RETURN = r"""
findings:
  description: One finding per selected control.
  returned: always
  type: list
  elements: dict
  sample:
    - control: monitoring.root_usage
      status: pass
      resource: "arn:aws:logs:eu-west-1:123456789012:log-group:bulwark-cloudtrail"
      region: eu-west-1
      message: >-
        filter root-login (pattern of CIS 4.3) and alarm bulwark-cis-4.3-root_usage
        notify arn:aws:sns:eu-west-1:123456789012:bulwark-security-alarms
log_group_name:
  description: The log group evaluated; null when none was found.
  returned: always
  type: str
topic_arn:
  description: The SNS topic the module's alarms notify (predicted in check mode when it is yet to be created).
  returned: always
  type: str
alarms:
  description: Per control, the filter and alarm that satisfy it (after this run).
  returned: always
  type: dict
guardduty_findings:
  description:
    - The GuardDuty findings rules - C(rule), C(min_severity), C(home_region), C(topic_arn) (the topic
      the home rule notifies), C(forward_role) (C(name), C(arn), C(created); null when no region
      needed it) and C(regions) (C(evaluated), C(skipped) with the reason).
  returned: when monitoring.guardduty_findings_alert is selected
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.log_metric_alarms import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

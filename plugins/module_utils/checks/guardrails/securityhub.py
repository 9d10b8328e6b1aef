# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""securityhub.enabled and securityhub.standards of account_guardrails: the hub on in every region
with the standards asked for, and (home region) one finding aggregator covering the others."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import (
    HUB,
    R_AGGREGATOR,
    R_HUB,
    R_STANDARDS,
    STANDARDS,
    report,
)

DEFAULT_STANDARDS = ["cis-aws-foundations-benchmark/v/3.0.0", "aws-foundational-security-best-practices/v/1.0.0"]
READY_STANDARD = ("READY", "PENDING")


def standard_name_ok(name):
    return bool(re.match(r"^(ruleset/)?[a-z0-9][a-z0-9-]*/v/\d+(\.\d+)*$", name or ""))


def standard_arn(name, partition, region):
    if name.startswith("ruleset/"):
        return "arn:%s:securityhub:::%s" % (partition, name)
    return "arn:%s:securityhub:%s::standards/%s" % (partition, region, name)


def hub_state(sh):
    try:
        sh.describe_hub()
        return True
    except aws.ClientError as e:
        if aws.error_code(e) == "InvalidAccessException":
            return False
        raise


def check_securityhub(run, shared):
    """securityhub.enabled and securityhub.standards; returns whether the hub is on afterwards."""
    sh = run.client("securityhub")
    on = hub_state(sh)
    if run.wants(HUB):
        if on:
            run.add(HUB, "pass", "Security Hub is enabled", resource=R_HUB)
        else:
            on = report(run, HUB, R_HUB, ["Security Hub is not enabled"],
                        ["securityhub:EnableSecurityHub"],
                        lambda: sh.enable_security_hub(EnableDefaultStandards=False))
    if run.wants(STANDARDS):
        run.guard([STANDARDS], "securityhub", check_standards, run, sh, on, shared)
    return on


def check_standards(run, sh, on, shared):
    partition = shared.ident["partition"]
    wanted = [(name, standard_arn(name, partition, run.region)) for name in run.params["securityhub_standards"]]
    if not on:
        names = ", ".join(name for name, _arn in wanted)
        if run.wants(HUB) and not run.is_waived(HUB, R_HUB) and not run.may_change:
            # Enabling the hub is this run's drift (check mode / audit): the standards follow it.
            report(run, STANDARDS, R_STANDARDS, ["Security Hub is not enabled, so no standard runs"],
                   ["securityhub:BatchEnableStandards"], lambda: None)
        else:
            run.noncompliant(STANDARDS, False, False, "Security Hub is not enabled, so %s cannot run "
                             "(select securityhub.enabled to enable it)" % names, resource=R_STANDARDS)
        return
    subscriptions = aws.paginate(sh, "get_enabled_standards", "StandardsSubscriptions")
    by_arn = dict((s["StandardsArn"], s) for s in subscriptions)
    missing, broken = [], []
    for name, arn in wanted:
        sub = by_arn.get(arn)
        if not sub:
            missing.append((name, arn))
        elif sub.get("StandardsStatus") not in READY_STANDARD:
            reason = (sub.get("StandardsStatusReason") or {}).get("StatusReasonCode") or "no reason given"
            broken.append("%s is %s (%s)" % (name, sub.get("StandardsStatus"), reason))
    if not missing and not broken:
        run.add(STANDARDS, "pass", "enabled: %s" % ", ".join(name for name, _arn in wanted), resource=R_STANDARDS)
        return
    if missing:
        report(run, STANDARDS, R_STANDARDS, ["%s not enabled" % ", ".join(name for name, _arn in missing)] + broken,
               ["securityhub:BatchEnableStandards"],
               lambda: sh.batch_enable_standards(
                   StandardsSubscriptionRequests=[{"StandardsArn": arn} for _n, arn in missing]))
    else:
        run.noncompliant(STANDARDS, False, False, "; ".join(broken) + ": see Security Hub > Security standards",
                         resource=R_STANDARDS)


def aggregator_covers(aggregator, home, evaluated):
    mode = aggregator.get("RegionLinkingMode")
    listed = set(aggregator.get("Regions") or [])
    others = set(evaluated) - set([home])
    if mode == "ALL_REGIONS":
        return True
    if mode == "SPECIFIED_REGIONS":
        return others <= listed
    if mode == "ALL_REGIONS_EXCEPT_SPECIFIED":
        return not (others & listed)
    return False


def check_aggregator(run, hub_on, evaluated):
    if hub_on is None:
        hub_on = hub_state(run.client("securityhub"))
    sh = run.client("securityhub")
    if not hub_on:
        problem = "findings of other regions are not aggregated into %s (Security Hub is off here)" % run.region
        if run.region in evaluated and not run.is_waived(HUB, R_HUB) and not run.may_change:
            # This run would enable the hub here first (check mode / audit).
            report(run, HUB, R_AGGREGATOR, [problem],
                   ["securityhub:CreateFindingAggregator"],
                   lambda: None)
        else:
            run.noncompliant(HUB, False, False, problem, resource=R_AGGREGATOR)
        return
    aggregators = aws.paginate(sh, "list_finding_aggregators", "FindingAggregators")
    if not aggregators:
        report(run, HUB, R_AGGREGATOR, ["findings of other regions are not aggregated into %s" % run.region],
               ["securityhub:CreateFindingAggregator"],
               lambda: sh.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS"))
        return
    arn = aggregators[0]["FindingAggregatorArn"]
    aggregator = sh.get_finding_aggregator(FindingAggregatorArn=arn)
    region = aggregator.get("FindingAggregationRegion")
    if region and region != run.region:
        run.noncompliant(HUB, False, False, "findings are aggregated into %s, not the home region %s (bulwark does "
                         "not delete an aggregator: move it by hand or set region to %s)" % (region, run.region, region),
                         resource=R_AGGREGATOR)
        return
    if aggregator_covers(aggregator, run.region, evaluated):
        run.add(HUB, "pass", "findings are aggregated into %s (%s)" % (run.region, aggregator.get("RegionLinkingMode")),
                resource=R_AGGREGATOR)
        return
    report(run, HUB, R_AGGREGATOR, ["the aggregator (%s %s) leaves regions out" % (
        aggregator.get("RegionLinkingMode"), ",".join(aggregator.get("Regions") or []))],
        ["securityhub:UpdateFindingAggregator"],
        lambda: sh.update_finding_aggregator(FindingAggregatorArn=arn, RegionLinkingMode="ALL_REGIONS"))

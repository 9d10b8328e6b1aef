# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.account_guardrails module (its file holds the documentation).

bulwark.aws.account_guardrails runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.

The controls live in module_utils/checks/guardrails/, a file per service: s3.py, ec2.py,
guardduty.py, config.py (with config_delivery.py, its role and bucket made once per run),
securityhub.py and access_analyzer.py; common.py has the control ids and the finding helper.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails import (
    access_analyzer,
    config,
    ec2,
    guardduty,
    s3,
    securityhub,
)
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import (
    ANALYZER,
    CONTROLS,
    EBS,
    GUARDDUTY,
    HUB,
    PAB,
    R_PAB,
    RECORDER,
    REGIONAL,
    RULES,
    STANDARDS,
)
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.config_delivery import Shared, bucket_name_ok


def validate(params, _named):
    regions_util.validate_regions(params)
    known = guardduty.guardduty_feature_names()
    bad = [f for f in params["guardduty_features"] if f not in known]
    if bad:
        raise ValueError("guardduty_features: %s not a GuardDuty feature (one of %s)"
                         % (", ".join(repr(f) for f in bad), ", ".join(known)))
    for name in params["securityhub_standards"]:
        if not securityhub.standard_name_ok(name):
            raise ValueError("securityhub_standards: %r is not a standard name; give the ARN part after "
                             "'standards/', e.g. cis-aws-foundations-benchmark/v/3.0.0" % name)
    key = params.get("ebs_kms_key")
    if key is not None and not ec2.kms_key_ok(key):
        raise ValueError("ebs_kms_key: %r is not a KMS key id, alias (alias/NAME) or key ARN" % key)
    bucket = params.get("config_bucket")
    if bucket is not None and not bucket_name_ok(bucket):
        raise ValueError("config_bucket: %r is not a valid S3 bucket name (3-63 lowercase letters, digits, "
                         "'-' and '.')" % bucket)
    if not 1 <= len(params["access_analyzer_name"]) <= 255:
        raise ValueError("access_analyzer_name: 1 to 255 characters")
    if not 1 <= len(params["config_recorder_name"]) <= 256:
        raise ValueError("config_recorder_name: 1 to 256 characters")
    config.wanted_rules(params)


def check_region(run, shared):
    """Every regional control of one region, each service guarded on its own."""
    run.guard([EBS], "ec2", ec2.check_ebs, run)
    run.guard([GUARDDUTY], "guardduty", guardduty.check_guardduty, run)
    run.guard([RECORDER], "config", config.check_config_recorder, run, shared)
    hub_on = run.guard([HUB, STANDARDS], "securityhub", securityhub.check_securityhub, run, shared)
    run.guard([ANALYZER], "access-analyzer", access_analyzer.check_analyzer, run)
    return {"securityhub": hub_on}


def check_home(run, hub_on, evaluated):
    run.guard([RULES], "config", config.check_rules, run)
    if run.params["securityhub_aggregation"] and run.wants(HUB):
        run.guard([HUB], "securityhub", securityhub.check_aggregator, run, hub_on, evaluated)


def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        ebs_kms_key=dict(type="str", no_log=False),
        guardduty_finding_publishing_frequency=dict(type="str", default="FIFTEEN_MINUTES",
                                                    choices=["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]),
        guardduty_features=dict(type="list", elements="str", default=["S3_DATA_EVENTS"]),
        config_bucket=dict(type="str"),
        config_recorder_name=dict(type="str", default="default"),
        config_rules=dict(type="list", elements="raw"),
        create_config_rules=dict(type="bool", default=False),
        securityhub_standards=dict(type="list", elements="str", default=list(securityhub.DEFAULT_STANDARDS)),
        securityhub_aggregation=dict(type="bool", default=True),
        access_analyzer_name=dict(type="str", default="bulwark-account-analyzer"),
    )
    return spec


def body(m):
    ident = m.identity()
    shared = Shared(m, ident)
    if m.wants(PAB):
        try:
            s3.check_public_access_block(m, ident["account_id"])
        except regions_util.AWS_FAULTS as e:
            m.findings.error_for([PAB], aws.describe_error(e, "s3control"), resource=R_PAB)
    plan = regions_util.RegionPlan([])
    if m.wants(*REGIONAL + (RULES,)):
        plan = regions_util.plan_regions(m, m.params["regions"], REGIONAL + (RULES,))
    results = {}
    if m.wants(*REGIONAL):
        results = regions_util.for_each_region(m, plan.regions, lambda run: check_region(run, shared), REGIONAL)
    if m.wants(RULES, HUB) and (plan.regions or plan.error is None):
        hub_on = (results.get(shared.home) or {}).get("securityhub") if m.wants(HUB) else None
        regions_util.for_each_region(m, [shared.home], lambda run: check_home(run, hub_on, plan.regions), [RULES])
    result = dict(regions=plan.as_result())
    if shared.bucket_result:
        result["config_bucket"] = shared.bucket_result
    m.exit(**result)


DEFINITION = Definition("account_guardrails", argument_spec, CONTROLS, body, validate)

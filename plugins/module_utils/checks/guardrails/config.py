# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""config.recorder (per region) and config.rules (home region) of account_guardrails: a recorder
of all supported types with a delivery channel, recording; the managed rules asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import config_rules as rules_util
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import RECORDER, R_RULES, RULES, report


def wanted_rules(params):
    """The normalised config_rules (default: the checklist's set). Raises ValueError."""
    entries = params["config_rules"]
    return rules_util.normalise_rules(rules_util.DEFAULT_RULES if entries is None else entries)


def check_config_recorder(run, shared):
    cfg = run.client("config")
    home = run.region == shared.home
    recorders = [r for r in cfg.describe_configuration_recorders().get("ConfigurationRecorders", [])
                 if not r.get("servicePrincipal")]  # service-linked recorders belong to other services
    channels = cfg.describe_delivery_channels().get("DeliveryChannels", [])
    recorder = recorders[0] if recorders else None
    name = recorder["name"] if recorder else run.params["config_recorder_name"]
    status = {}
    if recorder:
        statuses = cfg.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])
        status = (statuses.get("ConfigurationRecordersStatus") or [{}])[0]
    group = (recorder or {}).get("recordingGroup") or {}
    problems, actions, steps = [], [], []
    want_group = {"allSupported": True, "includeGlobalResourceTypes": home, "resourceTypes": []}
    if not recorder:
        problems.append("no configuration recorder")
    elif not group.get("allSupported"):
        problems.append("the recorder does not record all supported resource types")
    elif bool(group.get("includeGlobalResourceTypes")) != home:
        problems.append("global resource types (IAM) are %s, they belong in the home region %s only" % (
            "recorded here too" if not home else "not recorded", shared.home))
    if problems:
        actions.append("config:PutConfigurationRecorder")

        def put_recorder():
            body = {"name": name, "recordingGroup": want_group,
                    "roleARN": (recorder or {}).get("roleARN") or shared.config_role_arn()}
            if recorder and recorder.get("recordingMode"):
                body["recordingMode"] = recorder["recordingMode"]
            cfg.put_configuration_recorder(ConfigurationRecorder=body)
        steps.append(put_recorder)
    if not channels:
        problems.append("no delivery channel")
        bucket = shared.config_bucket_name()
        if not run.is_waived(RECORDER, name):
            # Once per run, in every mode (in check mode it only reads and records what it would do).
            shared.config_bucket()
        actions.append("config:PutDeliveryChannel")
        steps.append(lambda: cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket}))
    if not status.get("recording"):
        problems.append("the recorder is not recording" if recorder else "recording not started")
        actions.append("config:StartConfigurationRecorder")
        steps.append(lambda: cfg.start_configuration_recorder(ConfigurationRecorderName=name))
    if not problems:
        if (status.get("lastStatus") or "").upper() == "FAILURE":
            run.noncompliant(RECORDER, False, False, "recorder %s is on but its last delivery failed: %s" % (
                name, status.get("lastErrorMessage") or status.get("lastErrorCode") or "no reason given"), resource=name)
            return
        run.add(RECORDER, "pass", "recorder %s records all supported types%s and is recording" % (
            name, " including global types" if home else ""), resource=name)
        return
    report(run, RECORDER, name, problems, actions, lambda: [step() for step in steps])


def check_rules(run):
    cfg = run.client("config")
    rules = wanted_rules(run.params)
    existing = aws.paginate(cfg, "describe_config_rules", "ConfigRules")
    present = set(r["Source"]["SourceIdentifier"] for r in existing
                  if r.get("Source", {}).get("Owner") == "AWS" and not str(r.get("ConfigRuleState", "")).startswith("DELET"))
    missing = [r for r in rules if r["identifier"] not in present]
    if not missing:
        run.add(RULES, "pass", "all %d managed rules exist" % len(rules), resource=R_RULES)
        return
    names = ", ".join(r["identifier"] for r in missing)
    problem = "%d of %d managed rules missing: %s" % (len(missing), len(rules), names)
    if not run.params["create_config_rules"]:
        run.noncompliant(RULES, False, False, problem + " (billed per evaluation: set %s to create them)"
                         % run.m.option("create_config_rules"), resource=R_RULES)
        return
    report(run, RULES, R_RULES, [problem],
           ["config:PutConfigRule"],
           lambda: [cfg.put_config_rule(**rules_util.put_config_rule_arguments(r)) for r in missing])

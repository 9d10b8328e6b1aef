# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.account_baseline module (its file holds the documentation).

Several bulwark.aws modules for one account in one module process. A module run has a fixed
cost of about 0.5 s of CPU (a worker process, the module's packaging, Python, botocore, a session
and sts:GetCallerIdentity) before any AWS work; over an Organization that cost, paid per module
and per account, bounds the run. Here it is paid once per account: the steps share one connection
(one identity call, one client per service and region).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.checks import (
    account_guardrails,
    account_settings,
    cloudtrail_trail_ensure,
    iam_admin_setup,
    iam_credential_audit,
    iam_password_policy_check,
    log_metric_alarms,
    root_key_audit,
)
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition, StepExit, StepFailure

# Checklist order, the order of the roles in harden.yml.
STEPS = tuple(m.DEFINITION for m in (
    root_key_audit, iam_password_policy_check, iam_credential_audit, iam_admin_setup,
    cloudtrail_trail_ensure, log_metric_alarms, account_guardrails, account_settings))
CONTROLS = [c for step in STEPS for c in step.control_ids]

# An option a step does not set that takes an earlier step's result of the same run: the CIS 4.x
# alarms watch the log group of the trail evaluated before them (in check mode, the group the
# trail would get), as the monitoring role does with bulwark_cloudtrail_result.
LINKS = {("log_metric_alarms", "log_group_name"): ("cloudtrail_trail_ensure", "log_group_name")}


def argument_spec():
    # no_log=False: "iam_password_policy_check" names a module, not a password.
    return dict((step.name, dict(type="dict", no_log=False)) for step in STEPS)


def prepare(m):
    """[(definition, step module)] for the steps asked for; all input is checked before any AWS
    call and every problem is reported at once."""
    steps, problems = [], []
    for definition in STEPS:
        options = m.params[definition.name]
        if options is None:
            continue
        try:
            steps.append((definition, definition.step(m, options)))
        except StepFailure as e:
            problems.append("%s: %s" % (definition.name, e.msg))
    if problems:
        m.fail("; ".join(problems))
    return steps


def run_step(definition, step):
    """The step's result; a failure, or an unexpected exception in its body (one odd value must
    not blind the other modules), becomes the step's findings so far plus an `error` finding for
    each of its controls left without one, and the other steps go on."""
    try:
        step.run(definition.body)
        step.exit()  # a body that returns without exiting
    except StepExit as e:
        return e.result
    except StepFailure as e:
        return _failed(definition, step, e.msg)
    except Exception as e:  # pylint: disable=broad-exception-caught
        return _failed(definition, step, "unexpected %s: %s" % (type(e).__name__, e))


def _failed(definition, step, msg):
    evaluated = set(f["control"] for f in step.findings.items)
    step.findings.error_for([c for c in step.params["controls"] if c not in evaluated],
                            "%s could not finish: %s" % (definition.name, msg))
    return dict(failed=True, msg=msg, changed=step.changed, findings=step.findings.items, actions=step.actions)


def body(m):
    steps = prepare(m)
    if not steps:
        m.exit(findings=[], modules={})
    conn, problem = m.connect()
    if problem:
        # The account stays in the report: every selected control says why it was not evaluated.
        findings = []
        for definition, step in steps:
            step.findings.error_for(step.params["controls"], "not evaluated: %s" % problem)
            findings.extend(step.findings.items)
        m.module.fail_json(msg=problem, changed=False, findings=findings, actions=[], modules={})
    results, findings, actions, failures = {}, [], [], []
    changed = False
    diff = {"before": {}, "after": {}}
    for definition, step in steps:
        for (target, option), (source, key) in LINKS.items():
            if target == definition.name and step.params[option] is None:
                step.params[option] = (results.get(source) or {}).get(key)
        step.share_connection(conn)
        result = results[definition.name] = run_step(definition, step)
        findings.extend(result["findings"])
        actions.extend(result["actions"])
        changed = changed or result["changed"]
        if result.get("failed"):
            failures.append("%s: %s" % (definition.name, result["msg"]))
        for side in ("before", "after"):
            if step.diff[side]:
                diff[side][definition.name] = step.diff[side]
    m.diff = diff
    m.actions = actions
    if failures:
        m.module.fail_json(msg="; ".join(failures), changed=changed, findings=findings, actions=actions,
                           modules=results, account_id=m.identity()["account_id"])
    m.exit(changed=changed, findings=findings, modules=results)


DEFINITION = Definition("account_baseline", argument_spec, CONTROLS, body)

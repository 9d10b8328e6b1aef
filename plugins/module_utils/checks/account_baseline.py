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
    mfa_status,
    network_security,
    root_key_audit,
    storage_security,
)
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import diff
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition, StepExit, StepFailure

# Every module the catalogue names (controls.modules()), imported by name because Ansible packs
# only the module_utils a module imports; run in the catalogue's checklist order.
# tests/unit/test_registry.py proves this list and the catalogue agree.
_DEFINITIONS = dict((m.DEFINITION.name, m.DEFINITION) for m in (
    account_guardrails, account_settings, cloudtrail_trail_ensure, iam_admin_setup, iam_credential_audit,
    iam_password_policy_check, log_metric_alarms, mfa_status, network_security, root_key_audit, storage_security))
STEPS = tuple(_DEFINITIONS[name] for name in catalogue.modules())  # a module not imported: KeyError at import
CONTROLS = [c for step in STEPS for c in step.control_ids]


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
    for definition, step in steps:
        step.share_connection(conn)
        result = run_step(definition, step)
        findings.extend(result.pop("findings"))
        actions.extend(result.pop("actions"))
        result.pop("diff", None)
        # The run returns findings, actions and the diff once, for every step (an account's result
        # travels to the controller and into its facts: no copy of them per step).
        results[definition.name] = result
        changed = changed or result["changed"]
        if result.get("failed"):
            failures.append("%s: %s" % (definition.name, result["msg"]))
    m.actions = actions
    if failures:
        m.module.fail_json(msg="; ".join(failures), changed=changed, findings=findings, actions=actions,
                           modules=results, account_id=m.identity()["account_id"], diff=diff(findings))
    m.exit(changed=changed, findings=findings, modules=results)


DEFINITION = Definition("account_baseline", argument_spec, CONTROLS, body)

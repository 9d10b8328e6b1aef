# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account run, controller side.

A role's tasks name the module that evaluates each group of controls and the role variables it
takes (``bulwark.aws.root_key_audit: {usage_window_days: ...}``). Inside a bulwark.aws role such
a task does not start a module process: its action selects the module's controls (toggles,
--tags, --skip-tags) and adds the module and its options to the account's plan. Then one
``bulwark.aws.account_baseline`` task (at the end of the role, or once per account in
bulwark.aws.harden) runs every planned module in one module process, keeps the findings for the
report and each module's result under ``bulwark_<module>_result``. A module process costs the
controller about 0.5 s of CPU before any AWS work; over an Organization that is the price that
matters. Called from a playbook of your own (not in a bulwark.aws role), the module tasks run
their module as any module does.

The plan, the selection and the findings are host facts (the only way an action hands data to
later tasks); the preflight resets them at the start of every run, so a fact cache never
carries one run's plan into the next.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue

COLLECTION = "bulwark.aws"
ACCOUNT_RUN = "account_baseline"
# Host facts of the run (see the module docstring).
PLAN = "_bulwark_plan"            # {module: options} planned, not run yet
SELECTED = "_bulwark_selected"    # every control selected in this run: the report's list of verdicts due
FINDINGS = "_bulwark_findings"    # every finding of the run
FAILURES = "_bulwark_failures"    # [{task, message}] of account runs that could not finish
ACCOUNT_ID = "_bulwark_account_id"
# Registered by the report role's Security Hub export task (roles/report/tasks/main.yml).
SECURITYHUB_EXPORT = "_bulwark_securityhub_export"


def result_name(module):
    """Where a module's result of the account run is kept: bulwark_<module>_result."""
    return "bulwark_%s_result" % module


def result_names():
    return [result_name(m) for m in catalogue.modules()]


# What every host starts a run with (the preflight sets it): no plan, no finding, no result.
RUN_FACTS = dict([(PLAN, {}), (SELECTED, []), (FINDINGS, []), (FAILURES, []), (ACCOUNT_ID, "")]
                 + [(r, {}) for r in result_names()])


TOGGLE_PREFIX = "bulwark_control_"


def toggle_name(control_id):
    """The variable that turns a control on or off: iam.user_mfa -> bulwark_control_iam_user_mfa.
    The one place toggle names are derived (roles' defaults, filters, preflight and tests follow)."""
    return TOGGLE_PREFIX + control_id.replace(".", "_")


def select_controls(ids, toggles, run_tags=None, skip_tags=None):
    """The controls to evaluate: toggled on, selected by --tags, not excluded by --skip-tags.

    This is the one place tags select controls: the roles' tasks run whatever the tags (tag
    always). ``toggles`` are the toggle values in the order of ``ids``. A tag names a control
    when it is the control id, a dotted prefix of it (iam.password_policy) or its role. --tags
    selects the controls its tags name; when none of them names a control ('all', Ansible's
    default, or a playbook's own tags) every control is selected. --skip-tags excludes the
    controls its tags name.
    """
    ids = list(ids)
    toggles = list(toggles)
    if len(toggles) != len(ids):
        raise ValueError("select_controls: %d toggles for %d controls" % (len(toggles), len(ids)))
    run = set(run_tags or ()) & catalogue.all_scopes()
    skip = set(skip_tags or ())
    selected = []
    for control_id, enabled in zip(ids, toggles):
        scopes = catalogue.scopes(control_id)
        # -e bulwark_control_iam_user_mfa=false arrives as the string "false"
        if not boolean(enabled, strict=False) or scopes & skip:
            continue
        if not run or scopes & run:
            selected.append(control_id)
    return selected


def run_facts(task_vars):
    """This host's run facts (RUN_FACTS keys), as the tasks before this one left them."""
    facts = task_vars.get("ansible_facts") or {}
    return dict((key, facts.get(key, RUN_FACTS[key])) for key in (PLAN, SELECTED, FINDINGS, FAILURES, ACCOUNT_ID))


def export_outcome(task_vars):
    """This host's Security Hub export: ([{task, message}] when it failed, [summary line] when it
    ran), both empty when it did not run."""
    result = task_vars.get(SECURITYHUB_EXPORT) or {}
    if not isinstance(result, dict) or result.get("skipped") or not result:
        return [], []
    if result.get("failed"):
        return [{"task": "Report | Send each account's findings to its own Security Hub",
                 "message": result.get("msg") or "the export failed (no message)"}], []
    return [], ["Security Hub: %s" % result.get("msg")] if result.get("msg") else []


def bulwark_role(task_vars):
    """The bulwark.aws role the task belongs to (iam), or None for a task of another playbook or role."""
    name = str(task_vars.get("ansible_role_name") or "")
    prefix = COLLECTION + "."
    return name[len(prefix):] if name.startswith(prefix) else None


def merge_plan(plan, module, options):
    """The plan with ``module`` added. A module two roles plan (mfa_status: root MFA in the root
    role, console users' MFA in the iam role) runs once, with both roles' controls; its other
    options must agree."""
    plan = dict(plan)
    earlier = plan.get(module)
    if earlier is not None:
        others = dict((k, v) for k, v in options.items() if k != "controls")
        if others != dict((k, v) for k, v in earlier.items() if k != "controls"):
            raise AnsibleActionFail("%s is planned twice with different options: %s and %s" % (module, earlier, options))
        wanted = set(earlier["controls"]) | set(options["controls"])
        options = dict(options, controls=[c for c in catalogue.ids(module=module) if c in wanted])
    plan[module] = options
    return plan


class StepAction(ActionBase):
    """The action of every module an account run can run (plugins/action/<module>.py)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(StepAction, self).run(tmp, task_vars)
        module = self._task.resolved_action.split(".")[-1]
        role = bulwark_role(task_vars)
        if role is None:
            result.update(self._execute_module(module_name="%s.%s" % (COLLECTION, module),
                                               module_args=self._task.args, task_vars=task_vars))
            return result
        options = dict(self._task.args)
        candidates = [c for c in catalogue.ids(module=module) if catalogue.get(c).role == role]
        if options.get("controls") is not None:
            controls = [c for c in candidates if c in options["controls"]]
        else:
            toggles = [self._templar.template(task_vars.get(toggle_name(c), True)) for c in candidates]
            controls = select_controls(candidates, toggles, task_vars.get("ansible_run_tags"),
                                       task_vars.get("ansible_skip_tags"))
        if not controls:
            result.update(changed=False, skipped=True,
                          skip_reason="no control of %s selected (toggles, --tags, --skip-tags)" % module)
            return result
        facts = run_facts(task_vars)
        options["controls"] = controls
        plan = merge_plan(facts[PLAN], module, options)
        selected = facts[SELECTED] + [c for c in controls if c not in facts[SELECTED]]
        result.update(changed=False, controls=controls,
                      msg="%s: %d controls for the account run" % (module, len(controls)),
                      ansible_facts={PLAN: plan, SELECTED: selected})
        return result


class AccountRunAction(ActionBase):
    """bulwark.aws.account_baseline's action. With a module's options given, it runs them as
    any module task does. With none, it runs the account's plan (the role tasks before it) and
    keeps what the report needs: then it never fails the task, so that the play reaches the
    report. A module that could not finish is a warning here; in the report, every control it
    left without a finding is an `error` finding with the reason, and BULWARK_FAIL_ON decides."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(AccountRunAction, self).run(tmp, task_vars)
        args = dict(self._task.args)
        fqcn = "%s.%s" % (COLLECTION, ACCOUNT_RUN)
        if any(args.get(m) is not None for m in catalogue.modules()):
            result.update(self._execute_module(module_name=fqcn, module_args=args, task_vars=task_vars))
            return result
        facts = run_facts(task_vars)
        plan = facts[PLAN]
        if not plan:
            result.update(changed=False, skipped=True, skip_reason="no control selected for this account")
            return result
        args.update(plan)
        ran = self._execute_module(module_name=fqcn, module_args=args, task_vars=task_vars)
        findings = list(ran.get("findings") or [])
        kept = {PLAN: {}, FINDINGS: facts[FINDINGS] + findings,
                ACCOUNT_ID: ran.get("account_id") or facts[ACCOUNT_ID]}
        if ran.get("failed"):
            message = ran.get("msg") or "the module run failed with no message (rc %s%s)" % (
                ran.get("rc"), "; stderr: " + ran["module_stderr"].strip()[-300:] if ran.get("module_stderr") else "")
            kept[FAILURES] = facts[FAILURES] + [{"task": self._task.name, "message": message}]
            result.setdefault("warnings", []).append(
                "%s: %s (every control left without a finding is an error in the report)"
                % (task_vars.get("inventory_hostname"), message))
        for module, module_result in (ran.get("modules") or {}).items():
            kept[result_name(module)] = module_result
        for key in ("changed", "diff", "actions", "account_id"):
            if key in ran:
                result[key] = ran[key]
        result.update(findings=findings, ansible_facts=kept)
        return result

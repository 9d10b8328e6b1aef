"""The controller side of a role's module tasks (plugins/plugin_utils/account_run.py), in-process:
what a task plans for the account, and what the account run keeps for the report."""

from unittest.mock import MagicMock

from ansible.template import Templar

from ansible_collections.bulwark.aws.plugins.action import account_baseline as run_action
from ansible_collections.bulwark.aws.plugins.action import mfa_status as mfa_action
from ansible_collections.bulwark.aws.plugins.action import root_key_audit as root_action
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run


def _action(module, name, args):
    task = MagicMock()
    task.args = dict(args)
    task.action = task.resolved_action = "bulwark.aws." + name
    task.name = "the task"
    task.async_val = 0
    task.check_mode = True
    task.diff = False
    connection = MagicMock()
    connection._shell.tmpdir = None
    plugin = module.ActionModule(task, connection, MagicMock(), MagicMock(), Templar(loader=MagicMock()), None)
    return plugin


def role_vars(role, facts=None, **extra):
    return dict(extra, ansible_role_name="bulwark.aws." + role, ansible_run_tags=extra.get("ansible_run_tags", ["all"]),
                ansible_skip_tags=extra.get("ansible_skip_tags", []), ansible_facts=dict(facts or {}))


def test_in_a_role_the_task_plans_its_module_with_the_role_s_controls_and_calls_nothing():
    plugin = _action(mfa_action, "mfa_status", {})
    plugin._execute_module = MagicMock(side_effect=AssertionError("no module run while planning"))
    result = plugin.run(task_vars=role_vars("root"))
    assert result["controls"] == ["root.mfa", "root.hardware_mfa"]  # not iam.user_mfa: the iam role's
    facts = result["ansible_facts"]
    assert facts[account_run.PLAN] == {"mfa_status": {"controls": ["root.mfa", "root.hardware_mfa"]}}
    assert facts[account_run.SELECTED] == ["root.mfa", "root.hardware_mfa"]
    assert result["changed"] is False


def test_toggles_and_tags_select_in_the_one_place():
    plugin = _action(mfa_action, "mfa_status", {})
    off = plugin.run(task_vars=role_vars("root", bulwark_control_root_hardware_mfa="false"))
    assert off["controls"] == ["root.mfa"]
    tagged = _action(mfa_action, "mfa_status", {}).run(task_vars=role_vars("root", ansible_run_tags=["root.hardware_mfa"]))
    assert tagged["controls"] == ["root.hardware_mfa"]
    skipped = _action(mfa_action, "mfa_status", {}).run(task_vars=role_vars("root", ansible_skip_tags=["root"]))
    assert skipped["skipped"] is True and "ansible_facts" not in skipped


def test_the_iam_role_adds_its_control_to_the_same_step():
    planned = _action(mfa_action, "mfa_status", {}).run(task_vars=role_vars("root"))["ansible_facts"]
    both = _action(mfa_action, "mfa_status", {}).run(task_vars=role_vars("iam", facts=planned))["ansible_facts"]
    assert both[account_run.PLAN] == {"mfa_status": {"controls": ["root.mfa", "root.hardware_mfa", "iam.user_mfa"]}}
    assert both[account_run.SELECTED] == ["root.mfa", "root.hardware_mfa", "iam.user_mfa"]


def test_outside_a_bulwark_role_the_task_runs_its_module():
    plugin = _action(root_action, "root_key_audit", {"usage_window_days": 30})
    plugin._execute_module = MagicMock(return_value={"changed": False, "findings": []})
    result = plugin.run(task_vars={"ansible_role_name": "my_own_role", "ansible_facts": {}})
    plugin._execute_module.assert_called_once()
    assert plugin._execute_module.call_args.kwargs["module_name"] == "bulwark.aws.root_key_audit"
    assert plugin._execute_module.call_args.kwargs["module_args"] == {"usage_window_days": 30}
    assert "ansible_facts" not in result


def test_the_account_run_runs_the_plan_and_keeps_findings_and_results():
    plan = {"mfa_status": {"controls": ["root.mfa"]}}
    finding = dict(control="root.mfa", status="fail", resource="root", region="global", message="no MFA")
    plugin = _action(run_action, "account_baseline", {"enforce": False})
    plugin._execute_module = MagicMock(return_value={
        "changed": False, "findings": [finding], "actions": [], "account_id": "123456789012",
        "modules": {"mfa_status": {"changed": False, "root": {"mfa_enabled": False}}}})
    result = plugin.run(task_vars={"ansible_facts": {account_run.PLAN: plan, account_run.SELECTED: ["root.mfa"]}})
    args = plugin._execute_module.call_args.kwargs["module_args"]
    assert args == {"enforce": False, "mfa_status": {"controls": ["root.mfa"]}}
    kept = result["ansible_facts"]
    assert kept[account_run.PLAN] == {} and kept[account_run.FINDINGS] == [finding]
    assert kept["bulwark_mfa_status_result"]["root"] == {"mfa_enabled": False}
    assert kept[account_run.ACCOUNT_ID] == "123456789012"


def test_an_account_run_that_fails_is_a_warning_and_a_failure_for_the_report_never_a_failed_task():
    plugin = _action(run_action, "account_baseline", {})
    plugin._execute_module = MagicMock(return_value={"failed": True, "msg": "iam_password_policy_check: min_length: 200"})
    result = plugin.run(task_vars={"inventory_hostname": "acct-b",
                                   "ansible_facts": {account_run.PLAN: {"iam_password_policy_check": {"controls": []}}}})
    assert not result.get("failed")
    assert result["ansible_facts"][account_run.FAILURES] == [
        {"task": "the task", "message": "iam_password_policy_check: min_length: 200"}]
    assert any(w.startswith("acct-b: iam_password_policy_check: min_length: 200") for w in result["warnings"])


def test_nothing_planned_is_no_module_run():
    plugin = _action(run_action, "account_baseline", {})
    plugin._execute_module = MagicMock(side_effect=AssertionError("no module run"))
    assert plugin.run(task_vars={"ansible_facts": {}})["skipped"] is True

"""Every role follows the same shape: toggles named after catalogue ids, argument specs that
match the defaults, plan tasks that run whatever the tags (the selection filter is the one
mechanism), one evaluation of the plan (per role, or per account in harden.yml) with a rescue that
keeps failures for the report, and the report role last."""

import os
import re

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_baseline as baseline

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The roles that evaluate controls (common holds shared settings, report writes the report).
ROLES = sorted(r for r in os.listdir(os.path.join(REPO, "roles")) if r not in ("common", "report"))


def load(role, *path):
    with open(os.path.join(REPO, "roles", role, *path)) as f:
        return yaml.safe_load(f)


def toggles(role):
    defaults = load(role, "defaults", "main.yml") or {}
    names = set(n for n in defaults if isinstance(defaults[n], bool))
    return defaults, names


@pytest.mark.parametrize("role", ROLES)
def test_every_control_of_the_role_has_a_toggle_and_every_toggle_name_is_a_control(role):
    defaults, bools = toggles(role)
    expected = set("bulwark_" + i.replace(".", "_") for i in controls.ids(role=role))
    assert expected <= set(defaults), sorted(expected - set(defaults))
    # Boolean variables that are not toggles must say what they are (opt-in, parameters).
    toggle_like = set(n for n in bools if n.startswith("bulwark_%s_" % role))
    stray = [n for n in toggle_like - expected
             if not re.search(r"(delete|deactivate|remove|create|force|hard_expiry|attach|enable|disable|opt_in)", n)]
    assert not stray, "boolean variables that are neither a control toggle nor an opt-in: %s" % stray


@pytest.mark.parametrize("role", ROLES + ["common"])
def test_argument_specs_cover_every_default_with_the_same_default(role):
    defaults = load(role, "defaults", "main.yml") or {}
    options = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options), set(defaults) ^ set(options)
    for name, spec in options.items():
        if "default" in spec:
            assert spec["default"] == defaults[name], name
        assert spec.get("description"), name


EVALUATE = {"name": "bulwark.aws.common", "tasks_from": "evaluate.yml"}


def plan_tasks(role):
    """(file, task) of the role's tasks that plan a module run (set _bulwark_plan, vars._module)."""
    tasks_dir = os.path.join(REPO, "roles", role, "tasks")
    for name in sorted(os.listdir(tasks_dir)):
        for task in load(role, "tasks", name) or []:
            if "_module" in (task.get("vars") or {}):
                yield name, task


def all_tasks(tasks):
    """Every task of a task list, blocks flattened (with the block's tags inherited)."""
    for task in tasks or []:
        if "block" in task:
            for part in ("block", "rescue", "always"):
                for inner in all_tasks(task.get(part)):
                    yield dict(inner, tags=list(inner.get("tags") or []) + list(task.get("tags") or []))
        else:
            yield task


@pytest.mark.parametrize("role", ROLES)
def test_plan_tasks_plan_the_selected_controls_whatever_the_tags(role):
    found = 0
    for name, task in plan_tasks(role):
        found += 1
        facts = task["ansible.builtin.set_fact"]
        assert "_bulwark_plan" in facts and "_bulwark_selected" in facts, (name, task["name"])
        assert task["vars"]["_module"] in baseline.argument_spec(), task["vars"]["_module"]
        assert "_bulwark_%s_controls" % role in task["vars"]["_options"]["controls"], task["name"]
        # Tags never decide which task runs: select_controls does (no twins, no control tags).
        assert "tags" not in task, (name, task["name"])
    assert found, "role %s plans no bulwark.aws module run" % role
    for name in os.listdir(os.path.join(REPO, "roles", role, "tasks")):
        for task in all_tasks(load(role, "tasks", name)):
            assert set(task.get("tags") or []) <= {"always"}, (role, name, task["name"])


def test_every_baseline_module_is_planned_by_a_role_and_passed_on_by_evaluate():
    planned = set(task["vars"]["_module"] for role in ROLES for _name, task in plan_tasks(role))
    assert planned == set(baseline.argument_spec())
    evaluate = load("common", "tasks", "evaluate.yml")
    assert set(evaluate[0]["bulwark.aws.account_baseline"]) == planned
    # every module's result keeps the name the role READMEs document
    kept = evaluate[1]["ansible.builtin.set_fact"]
    for module in planned:
        assert any(".modules.%s " % module in str(value) for value in kept.values()), module


RESCUE = {"name": "bulwark.aws.common", "tasks_from": "rescue.yml"}


def evaluate_block(task):
    """The block that evaluates the plan and keeps a failure of the module run for the report."""
    assert task["tags"] == ["always"]
    assert [t["ansible.builtin.import_role"] for t in task["block"]] == [EVALUATE]
    assert [t["ansible.builtin.import_role"] for t in task["rescue"]] == [RESCUE]


@pytest.mark.parametrize("role", ROLES)
def test_role_main_plans_then_evaluates_in_a_block_that_keeps_failures(role):
    main = load(role, "tasks", "main.yml")
    assert len(main) == 2
    # the plan outside the block: bad input (argument specs, templating) stops before any AWS call
    assert main[0]["ansible.builtin.import_tasks"] == "plan.yml" and main[0]["tags"] == ["always"]
    evaluate_block(main[1])
    assert not any("import_role" in str(task) for task in load(role, "tasks", "plan.yml"))
    specs = load(role, "meta", "argument_specs.yml")["argument_specs"]
    assert specs["plan"] == specs["main"]  # harden.yml validates the same variables
    assert {"role": "bulwark.aws.common"} in load(role, "meta", "main.yml")["dependencies"]


def test_harden_playbook_checks_plans_every_role_in_checklist_order_evaluates_once_then_reports():
    with open(os.path.join(REPO, "playbooks", "harden.yml")) as f:
        plays = yaml.safe_load(f)
    assert len(plays) == 1
    tasks = plays[0]["tasks"]
    assert tasks[0]["ansible.builtin.import_role"] == {"name": "bulwark.aws.common"}
    plans = tasks[1:-2]
    assert all(t["ansible.builtin.import_role"]["tasks_from"] == "plan" and t["tags"] == ["always"] for t in plans)
    names = [t["ansible.builtin.import_role"]["name"].split(".")[-1] for t in plans]
    assert names == [r for r in controls.ROLES if r in names]  # "plan": the entry point of the argument spec
    assert set(names) == set(ROLES)
    evaluate_block(tasks[-2])
    assert tasks[-1]["ansible.builtin.import_role"] == {"name": "bulwark.aws.report"}


@pytest.mark.parametrize("role", ["common", "report"])
def test_run_wide_tasks_run_once_whatever_the_tags(role):
    for task in load(role, "tasks", "main.yml"):
        assert task["tags"] == ["always"], task["name"]
        if "ansible.builtin.set_fact" not in task:
            assert task["run_once"] is True, task["name"]

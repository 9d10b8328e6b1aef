"""Every role follows the same shape: toggles named after catalogue ids, argument specs that
match the defaults, control tags on the tasks that plan module runs, the control id in every task
name, and one evaluation of the plan (per role, or per account in harden.yml)."""

import os
import re

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.module_utils import controls
from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_baseline as baseline

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(r for r in os.listdir(os.path.join(REPO, "roles")) if r != "common")


def load(role, *path):
    with open(os.path.join(REPO, "roles", role, *path)) as f:
        return yaml.safe_load(f)


def toggles(role):
    defaults = load(role, "defaults", "main.yml") or {}
    names = set(n for n in defaults if isinstance(defaults[n], bool))
    return defaults, names


# Roles whose remaining controls an open issue adds; strict, so this list shrinks when they land.
PENDING = {}


@pytest.mark.parametrize("role", [pytest.param(r, marks=pytest.mark.xfail(reason=PENDING[r], strict=True))
                                  if r in PENDING else r for r in ROLES])
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


@pytest.mark.parametrize("role", ROLES)
def test_plan_tasks_carry_role_tag_and_control_ids_in_name(role):
    found = 0
    for name, task in plan_tasks(role):
        found += 1
        assert "_bulwark_plan" in task["ansible.builtin.set_fact"], (name, task["name"])
        assert task["vars"]["_module"] in baseline.argument_spec(), task["vars"]["_module"]
        assert "controls" in task["vars"]["_options"], task["name"]
        assert role in task.get("tags", []), (name, task["name"])
        ids_in_name = [w for w in re.findall(r"[a-z_0-9]+(?:\.[a-z_0-9*]+)+", task["name"])
                       if w.split(".")[0] in ("root", "iam", "cloudtrail", "kms", "monitoring", "s3", "ec2",
                                              "config", "guardduty", "securityhub", "account", "network")]
        assert ids_in_name, "task name lacks its control ids: %s" % task["name"]
        for tag in task["tags"]:
            if tag != role and tag.count(".") >= 1 and "*" not in tag:
                assert tag in controls.CONTROLS or any(c.startswith(tag + ".") for c in controls.CONTROLS), tag
    assert found, "role %s plans no bulwark.aws module run" % role


def test_every_baseline_module_is_planned_by_a_role_and_passed_on_by_evaluate():
    planned = set(task["vars"]["_module"] for role in ROLES for _name, task in plan_tasks(role))
    assert planned == set(baseline.argument_spec())
    evaluate = load("common", "tasks", "evaluate.yml")
    assert set(evaluate[0]["bulwark.aws.account_baseline"]) == planned
    # every module's result keeps the name the role READMEs document
    kept = evaluate[1]["ansible.builtin.set_fact"]
    for module in planned:
        assert any(".modules.%s " % module in str(value) for value in kept.values()), module


@pytest.mark.parametrize("role", ROLES)
def test_role_main_plans_then_evaluates_and_plan_has_the_same_argument_spec(role):
    main = load(role, "tasks", "main.yml")
    assert main[0]["ansible.builtin.import_tasks"] == "plan.yml"
    assert main[-1]["ansible.builtin.import_role"] == EVALUATE and len(main) == 2
    assert not any("import_role" in str(task) for task in load(role, "tasks", "plan.yml"))
    specs = load(role, "meta", "argument_specs.yml")["argument_specs"]
    assert specs["plan"] == specs["main"]  # harden.yml validates the same variables


def test_harden_playbook_plans_every_role_in_checklist_order_then_evaluates_once():
    with open(os.path.join(REPO, "playbooks", "harden.yml")) as f:
        play = yaml.safe_load(f)[0]
    imports = [task["ansible.builtin.import_role"] for task in play["tasks"]]
    assert imports[-1] == EVALUATE
    assert all(i["tasks_from"] == "plan" for i in imports[:-1])  # "plan": the entry point of the argument spec
    names = [i["name"].split(".")[-1] for i in imports[:-1]]
    assert names == [r for r in controls.ROLES if r in names]
    assert set(names) == set(ROLES)

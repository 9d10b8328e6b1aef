"""One registry: the catalogue names the module of every control; the account run, the action
plugins, the action group, the roles' tasks and the result names all follow from it.

Adding a control = its catalogue entry + the check code in its module; these tests say what else
must agree when a module is added.
"""

import glob
import os
import re

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_baseline
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = controls.modules()
ROLES = list(controls.ROLES)
VARIABLE = re.compile(r"(?<![\w.])bulwark_[a-z0-9_]+")


def load(*parts):
    with open(os.path.join(REPO, *parts)) as f:
        return yaml.safe_load(f)


def module_tasks(role):
    """(file, module, task) of every task of the role's tasks/ that calls a bulwark.aws module."""
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "roles", role, "tasks", "*.yml"))):
        for task in load(path) or []:
            for key in task:
                if key.startswith("bulwark.aws.") and key.split(".")[-1] in MODULES:
                    found.append((os.path.basename(path), key.split(".")[-1], task))
    return found


def test_the_account_run_runs_every_module_of_the_catalogue_in_checklist_order():
    assert [step.name for step in account_baseline.STEPS] == MODULES
    assert list(account_baseline.argument_spec()) == MODULES
    for step in account_baseline.STEPS:
        assert step.control_ids == controls.ids(module=step.name), step.name
    assert sorted(account_baseline.CONTROLS) == sorted(controls.ids())


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_its_documentation_its_action_and_its_place_in_the_action_group(module):
    assert os.path.isfile(os.path.join(REPO, "plugins", "modules", module + ".py"))
    with open(os.path.join(REPO, "plugins", "action", module + ".py")) as f:
        assert "class ActionModule(StepAction)" in f.read()
    assert module in load("meta", "runtime.yml")["action_groups"]["aws"]


def test_result_names_follow_one_rule():
    assert account_run.result_names() == ["bulwark_%s_result" % m for m in MODULES]


@pytest.mark.parametrize("role", ROLES)
def test_the_role_tasks_call_the_modules_of_every_control_of_the_role(role):
    called = set(module for _file, module, _task in module_tasks(role))
    needed = set(controls.get(c).module for c in controls.ids(role=role))
    assert called == needed


@pytest.mark.parametrize("role", ROLES)
def test_each_module_task_names_every_option_by_the_variable_it_reads(role):
    documented = set((load("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]))
    for path, module, task in module_tasks(role):
        args = task["bulwark.aws." + module] or {}
        names = args.get("option_names") or {}
        options = dict((k, v) for k, v in args.items() if k not in ("option_names", "controls"))
        assert set(names) == set(options), (path, task["name"])
        for option, template in options.items():
            variable = re.split(r"[.\[]", names[option])[0]
            assert variable in documented, (path, option, variable)
            assert variable in VARIABLE.findall(str(template)), (path, option, template)
        assert "tags" not in task and "when" not in task, (path, task["name"])  # the action selects


@pytest.mark.parametrize("role", ROLES)
def test_role_main_runs_the_preflight_its_checks_and_one_module_run(role):
    main = load("roles", role, "tasks", "main.yml")
    assert main[0]["ansible.builtin.import_role"] == {"name": "bulwark.aws.common", "rolespec_validate": False}
    assert main[1]["ansible.builtin.import_tasks"] == "checks.yml"
    assert main[2]["ansible.builtin.import_role"] == {"name": "bulwark.aws.common", "tasks_from": "run.yml"}
    assert len(main) == 3 and all(t.get("tags", ["always"]) == ["always"] for t in main)
    assert load("roles", role, "meta", "main.yml")["dependencies"] == []


def test_harden_runs_every_role_s_checks_in_checklist_order_then_one_module_run_then_the_report():
    [play] = load("playbooks", "harden.yml")
    imports = [t["ansible.builtin.import_role"] for t in play["tasks"]]
    assert imports[0] == {"name": "bulwark.aws.common", "rolespec_validate": False}
    assert imports[1:-2] == [{"name": "bulwark.aws." + r, "tasks_from": "checks"} for r in ROLES]
    assert imports[-2] == {"name": "bulwark.aws.common", "tasks_from": "run.yml"}
    assert imports[-1] == {"name": "bulwark.aws.report", "rolespec_validate": False}


def test_run_yml_is_one_account_run_of_the_plan():
    [task] = load("roles", "common", "tasks", "run.yml")
    assert task["bulwark.aws.account_baseline"] == {}
    assert task["module_defaults"] == {"group/bulwark.aws.aws": "{{ bulwark_module_defaults }}"}


# --- the account run's controller side --------------------------------------------------------

def test_a_module_two_roles_plan_runs_once_with_both_roles_controls():
    plan = account_run.merge_plan({}, "mfa_status", {"controls": ["root.mfa"]})
    plan = account_run.merge_plan(plan, "mfa_status", {"controls": ["iam.user_mfa", "root.mfa"]})
    assert plan == {"mfa_status": {"controls": ["root.mfa", "iam.user_mfa"]}}


def test_a_module_planned_twice_with_different_options_is_refused():
    from ansible.errors import AnsibleActionFail

    plan = account_run.merge_plan({}, "root_key_audit", {"controls": ["root.no_access_keys"], "usage_window_days": 7})
    with pytest.raises(AnsibleActionFail, match="planned twice"):
        account_run.merge_plan(plan, "root_key_audit", {"controls": ["root.no_recent_use"], "usage_window_days": 9})


def test_the_role_of_a_task_is_read_from_ansible_role_name():
    assert account_run.bulwark_role({"ansible_role_name": "bulwark.aws.iam"}) == "iam"
    assert account_run.bulwark_role({"ansible_role_name": "mine"}) is None
    assert account_run.bulwark_role({}) is None

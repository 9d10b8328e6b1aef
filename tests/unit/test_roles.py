"""Every role follows the same shape: toggles named after catalogue ids, argument specs that
match the defaults, control tags on module tasks, the control id in every task name."""

import os
import re

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.module_utils import controls

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


@pytest.mark.parametrize("role", ROLES)
def test_module_tasks_carry_role_tag_and_control_ids_in_name(role):
    tasks_dir = os.path.join(REPO, "roles", role, "tasks")
    found = 0
    for name in os.listdir(tasks_dir):
        for task in load(role, "tasks", name) or []:
            module = [k for k in task if k.startswith("bulwark.aws.")]
            if not module:
                continue
            found += 1
            assert role in task.get("tags", []), (name, task["name"])
            ids_in_name = [w for w in re.findall(r"[a-z_0-9]+(?:\.[a-z_0-9*]+)+", task["name"])
                           if w.split(".")[0] in ("root", "iam", "cloudtrail", "kms", "monitoring", "s3", "ec2",
                                                  "config", "guardduty", "securityhub", "account", "network")]
            assert ids_in_name, "task name lacks its control ids: %s" % task["name"]
            for tag in task["tags"]:
                if tag != role and tag.count(".") >= 1 and "*" not in tag:
                    assert tag in controls.CONTROLS or any(c.startswith(tag + ".") for c in controls.CONTROLS), tag
    assert found, "role %s calls no bulwark.aws module" % role


def test_harden_playbook_runs_every_role_in_checklist_order():
    with open(os.path.join(REPO, "playbooks", "harden.yml")) as f:
        play = yaml.safe_load(f)[0]
    names = [r["role"].split(".")[-1] for r in play["roles"]]
    assert names == [r for r in controls.ROLES if r in names]
    assert set(names) == set(ROLES)

"""Every role follows the same shape: toggles named after catalogue ids, argument specs that
match the defaults (values only there: descriptions live in the argument specs), plan tasks that run whatever the tags (the selection filter is the one
mechanism), one evaluation of the plan (per role, or per account in harden.yml) with a rescue that
keeps failures for the report, and the report role last."""

import os
import re

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.filter.controls import toggle_names
from ansible_collections.bulwark.aws.plugins.plugin_utils.account_run import TOGGLE_PREFIX
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The roles that evaluate controls (common holds shared settings, report writes the report).
ROLES = sorted(r for r in os.listdir(os.path.join(REPO, "roles")) if r not in ("common", "report"))


def load(role, *path):
    with open(os.path.join(REPO, "roles", role, *path)) as f:
        return yaml.safe_load(f)


@pytest.mark.parametrize("role", ROLES)
def test_every_control_of_the_role_has_a_toggle_and_every_toggle_name_is_a_control(role):
    """The toggles of a role are exactly bulwark_control_<id> of its controls, on by default;
    nothing else uses that namespace, so a toggle cannot be taken for a parameter."""
    defaults = load(role, "defaults", "main.yml") or {}
    expected = set(toggle_names(controls.ids(role=role)))
    toggles = set(n for n in defaults if n.startswith(TOGGLE_PREFIX))
    assert toggles == expected, sorted(toggles ^ expected)
    assert [n for n in sorted(toggles) if defaults[n] is not True] == []
    # Boolean parameters must say what they are (opt-in, parameters).
    bools = set(n for n in defaults if isinstance(defaults[n], bool)) - toggles
    stray = [n for n in bools if n.startswith("bulwark_%s_" % role)
             and not re.search(r"(delete|deactivate|remove|create|force|hard_expiry|attach|enable|disable|opt_in|restrict|revoke|block|require|enforce)", n)]
    assert not stray, "boolean variables that are neither a control toggle nor an opt-in: %s" % stray


def test_no_role_outside_the_controls_uses_the_toggle_namespace():
    for role in ("common", "report"):
        options = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"] or {}
        assert not [n for n in options if n.startswith(TOGGLE_PREFIX)], role


TYPES = {"bool": (bool,), "int": (int,), "float": (int, float), "str": (str,), "list": (list,), "dict": (dict,)}


@pytest.mark.parametrize("role", ROLES + ["common"])
def test_argument_specs_cover_every_default_with_the_same_default(role):
    """One source per fact: defaults/main.yml holds the values, the argument specs the same
    names and values plus every description (the role README is generated from them)."""
    defaults = load(role, "defaults", "main.yml") or {}
    options = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options), set(defaults) ^ set(options)
    for name, spec in options.items():
        assert "default" in spec, "%s: no default in meta/argument_specs.yml" % name
        assert spec["default"] == defaults[name], name
        kind = spec.get("type", "str")
        if kind in TYPES and "{{" not in str(spec["default"]):  # a template renders to its type
            assert isinstance(spec["default"], TYPES[kind]) and not (
                kind in ("int", "float") and isinstance(spec["default"], bool)), (name, kind, spec["default"])
        assert spec.get("description"), name


@pytest.mark.parametrize("role", ROLES + ["common"])
def test_defaults_hold_values_and_one_line_section_comments_only(role):
    """A comment in defaults/main.yml is a one-line section title (or a pointer to the specs):
    no description block, no comment after a value. Descriptions go to meta/argument_specs.yml."""
    with open(os.path.join(REPO, "roles", role, "defaults", "main.yml")) as f:
        lines = f.read().splitlines()
    previous = ""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            assert not line.startswith(" "), "%s:%d: an indented comment" % (role, number)
            assert not previous.startswith("#"), "%s:%d: a comment of more than one line" % (role, number)
        else:
            assert " #" not in line, "%s:%d: a comment after a value" % (role, number)
        previous = stripped


@pytest.mark.parametrize("role", ["common", "report"])
def test_run_wide_tasks_run_once_whatever_the_tags(role):
    for task in load(role, "tasks", "main.yml"):
        assert task["tags"] == ["always"], task["name"]
        if "bulwark.aws.securityhub_export" in task:  # per account, with that account's connection
            assert "run_once" not in task, task["name"]
        else:
            assert task["run_once"] is True, task["name"]

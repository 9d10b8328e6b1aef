"""What stops a run before any AWS call (plugins/plugin_utils/preflight.py): unknown bulwark_*
variables, tags that look like controls but name none, an inventory that gave no host."""

import os

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.filter.controls import toggle_names
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
from ansible_collections.bulwark.aws.plugins.plugin_utils import preflight

from tests.conftest import REPO


def test_known_variables_are_every_role_option():
    known = preflight.known_variables()
    for role in os.listdir(os.path.join(REPO, "roles")):
        with open(os.path.join(REPO, "roles", role, "defaults", "main.yml")) if os.path.exists(
                os.path.join(REPO, "roles", role, "defaults", "main.yml")) else open(os.devnull) as f:
            defaults = yaml.safe_load(f) or {}
        assert set(defaults) <= known, (role, sorted(set(defaults) - known))
    assert set(toggle_names(controls.CONTROLS)) <= known


def test_a_typo_is_named_with_the_closest_variable():
    problems = preflight.unknown_variables(["bulwark_iam_password_min_lenght", "bulwark_iam_password_min_length",
                                            "other_var", "bulwark_aws_region"])
    # the parameter only: its control's toggle (bulwark_control_iam_password_policy_min_length) no
    # longer looks like it
    assert problems == ["unknown variable bulwark_iam_password_min_lenght (did you mean "
                        "bulwark_iam_password_min_length?)"]


@pytest.mark.parametrize("old,new", [
    ("bulwark_iam_user_mfa", "bulwark_control_iam_user_mfa"),
    ("bulwark_root_mfa", "bulwark_control_root_mfa"),
    ("bulwark_kms_key_rotation", "bulwark_control_kms_key_rotation"),
    ("bulwark_iam_password_policy_min_length", "bulwark_control_iam_password_policy_min_length"),
])
def test_a_toggle_without_its_control_prefix_is_named_with_the_toggle(old, new):
    """Toggles are bulwark_control_<control id>: the name without control_ gets exactly the toggle."""
    assert preflight.unknown_variables([old]) == ["unknown variable %s (did you mean %s?)" % (old, new)]


def test_every_toggle_written_without_its_control_prefix_gets_its_toggle():
    for control_id, toggle in zip(controls.CONTROLS, toggle_names(controls.CONTROLS)):
        old = "bulwark_" + control_id.replace(".", "_")
        assert preflight.unknown_variables([old]) == ["unknown variable %s (did you mean %s?)" % (old, toggle)]


def test_an_unknown_variable_without_a_close_name():
    assert preflight.unknown_variables(["bulwark_zzz"]) == ["unknown variable bulwark_zzz"]


def test_result_variables_follow_the_one_naming_rule():
    assert set(preflight.RESULT_VARIABLES) == set("bulwark_%s_result" % m for m in controls.modules())


def test_every_variable_the_repository_sets_is_known():
    """Playbooks, tests, molecule and docs of this repository use only known names."""
    import re
    known = preflight.known_variables()
    used = set()
    for top in ("playbooks", "tests/integration/playbooks", "extensions", "docs", "roles", "README.md"):
        path = os.path.join(REPO, top)
        files = [path] if os.path.isfile(path) else [os.path.join(d, n) for d, _s, ns in os.walk(path) for n in ns
                                                     if n.endswith((".yml", ".yaml", ".md", ".py", ".ini"))]
        for name in files:
            with open(name) as f:
                used.update(re.findall(r"\b(bulwark_[a-z0-9_]+)\s*[:=]", f.read()))
    unknown = sorted(n for n in used - known if not n.endswith("_")
                     and not n.startswith(("bulwark_organization", "bulwark_aws_sdk")))
    assert unknown == []


@pytest.mark.parametrize("run,skip,expect", [
    (["all"], [], []),
    (["iam.user_mfa"], ["root"], []),
    (["my_own_tag"], [], []),  # a playbook's own tag: not ours to judge
    (["iam.user_mfaa"], [], ["--tags iam.user_mfaa names no control, prefix or role of bulwark.aws "
                             "(did you mean iam.user_mfa?) (docs/controls.md)"]),
    (["all"], ["cloudtrial"], ["--skip-tags cloudtrial names no control, prefix or role of bulwark.aws "
                               "(did you mean cloudtrail?) (docs/controls.md)"]),
    (["kms.rotation"], [], ["--tags kms.rotation names no control, prefix or role of bulwark.aws "
                            "(did you mean kms.key_rotation?) (docs/controls.md)"]),
    (["s3.nothing_like_it"], [], ["--tags s3.nothing_like_it names no control, prefix or role of bulwark.aws "
                                  "(docs/controls.md)"]),
])
def test_tags_that_look_like_controls_must_name_one(run, skip, expect):
    assert preflight.tag_problems(run, skip) == expect


def test_every_scope_is_a_valid_tag():
    scopes = sorted(controls.all_scopes())
    assert preflight.tag_problems(scopes, scopes) == []


def test_an_inventory_that_gave_no_host(tmp_path):
    given = tmp_path / "prod.organization.yml"
    given.write_text("plugin: bulwark.aws.organization\n")
    default = ["/etc/ansible/hosts"]
    assert preflight.empty_inventory_problem({"all": ["a"]}, [str(given)], default) is None
    assert preflight.empty_inventory_problem({"all": []}, default, default) is None  # no -i: localhost
    assert preflight.empty_inventory_problem({"all": []}, ["/nonexistent"], default) is None  # a host list
    problem = preflight.empty_inventory_problem({"all": []}, [str(given)], default)
    assert str(given) in problem and "gave no host" in problem


def test_a_role_variable_of_the_wrong_type_is_named_for_every_role_at_once():
    problems = preflight.type_problems({"bulwark_iam_password_min_length": "fourteen",
                                        "bulwark_guardrails_regions": "us-east-1",
                                        "bulwark_control_root_mfa": "maybe",
                                        "bulwark_root_usage_window_days": 30, "unrelated": "x"})
    assert len(problems) == 2, problems
    assert any("bulwark_iam_password_min_length" in p and "int" in p for p in problems)
    assert any("bulwark_control_root_mfa" in p and "bool" in p for p in problems)
    assert preflight.type_problems({"bulwark_root_usage_window_days": "30"}) == []  # converts, as Ansible does

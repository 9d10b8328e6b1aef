import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.bulwark.aws.plugins.filter import controls as f
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run

IDS = ["iam.password_policy.min_length", "iam.password_policy.max_age", "iam.user_mfa"]


@pytest.mark.parametrize("run,skip,toggles,want", [
    (["all"], [], [True, True, True], IDS),
    (["all"], [], [True, False, True], [IDS[0], IDS[2]]),
    (["all"], [], ["true", "false", "no"], [IDS[0]]),  # extra vars from -e arrive as strings
    (["iam.user_mfa"], [], [True, True, True], ["iam.user_mfa"]),
    (["iam.password_policy"], [], [True, True, True], IDS[:2]),
    (["iam"], [], [True, True, True], IDS),
    (["root"], [], [True, True, True], []),
    (["my_own_tag"], [], [True, True, True], IDS),  # a playbook's own tag names no control: all of them
    (["my_own_tag", "iam.user_mfa"], [], [True, True, True], ["iam.user_mfa"]),
    (["always"], [], [True, True, True], IDS),
    (["all"], ["iam.password_policy.max_age"], [True, True, True], [IDS[0], IDS[2]]),
    (["all"], ["iam"], [True, True, True], []),
    (["iam.user_mfa"], ["iam.user_mfa"], [True, True, True], []),
])
def test_select_controls(run, skip, toggles, want):
    assert f.select_controls(IDS, toggles, run, skip) == want


def test_toggle_names():
    assert f.toggle_names(["iam.password_policy.min_length", "root.mfa", "kms.key_rotation"]) == [
        "bulwark_control_iam_password_policy_min_length", "bulwark_control_root_mfa", "bulwark_control_kms_key_rotation"]
    assert f.toggle_name("iam.user_mfa") == "bulwark_control_iam_user_mfa"


def test_every_control_has_its_own_toggle_in_the_toggle_namespace():
    """One name per control (two ids differing only by a dot and an underscore would share one),
    all under bulwark_control_ (test_roles.py: no parameter uses that prefix)."""
    toggles = f.toggle_names(catalogue.ids())
    assert len(set(toggles)) == len(toggles)
    assert all(name.startswith(account_run.TOGGLE_PREFIX) for name in toggles)


def test_control_ids_of_role_and_unknown_role():
    assert "root.mfa" in f.control_ids("root")
    with pytest.raises(AnsibleFilterError):
        f.control_ids("nope")


def selection(run=None, skip=None):
    """Every control of the catalogue, role by role, as the roles select them (toggles on)."""
    out = set()
    for role in catalogue.ROLES:
        ids = f.control_ids(role)
        out.update(f.select_controls(ids, [True] * len(ids), run or ["all"], skip or []))
    return out


SCOPES = sorted(catalogue.all_scopes())


@pytest.mark.parametrize("tag", SCOPES)
def test_a_tag_selects_exactly_the_controls_it_names_and_skipping_it_all_the_others(tag):
    """Every id, dotted prefix and role of the catalogue, in both directions, over every role."""
    named = set(c.id for c in catalogue.all_controls()
                if c.id == tag or c.id.startswith(tag + ".") or c.role == tag)
    assert named, tag
    assert selection(run=[tag]) == named
    assert selection(skip=[tag]) == set(catalogue.CONTROLS) - named


@pytest.mark.parametrize("tag,includes", [
    # seen: these dropped or missed controls when tasks carried the tags
    ("config", {"config.recorder", "config.rules"}),
    ("s3", {"s3.account_public_access_block", "s3.bucket_tls_only", "s3.bucket_public_access_block"}),
    ("kms", {"kms.key_rotation"}),
])
def test_service_prefixes_owned_by_another_role(tag, includes):
    assert selection(run=[tag]) == includes
    skipped = selection(skip=[tag])
    assert not includes & skipped
    assert {"ec2.ebs_default_encryption", "guardduty.enabled", "iam.access_analyzer"} - includes <= skipped

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.bulwark.aws.plugins.filter import controls as f

IDS = ["iam.password_policy.min_length", "iam.password_policy.max_age", "iam.user_mfa"]


@pytest.mark.parametrize("run,skip,toggles,want", [
    (["all"], [], [True, True, True], IDS),
    (["all"], [], [True, False, True], [IDS[0], IDS[2]]),
    (["all"], [], ["true", "false", "no"], [IDS[0]]),  # extra vars from -e arrive as strings
    (["iam.user_mfa"], [], [True, True, True], ["iam.user_mfa"]),
    (["iam.password_policy"], [], [True, True, True], IDS[:2]),
    (["iam"], [], [True, True, True], IDS),
    (["root"], [], [True, True, True], []),
    (["all"], ["iam.password_policy.max_age"], [True, True, True], [IDS[0], IDS[2]]),
    (["all"], ["iam"], [True, True, True], []),
    (["iam.user_mfa"], ["iam.user_mfa"], [True, True, True], []),
])
def test_select_controls(run, skip, toggles, want):
    assert f.select_controls(IDS, toggles, run, skip) == want


def test_toggle_names():
    assert f.toggle_names(["iam.password_policy.min_length"]) == ["bulwark_iam_password_policy_min_length"]


def test_control_ids_of_role_and_unknown_role():
    assert "root.mfa" in f.control_ids("root")
    with pytest.raises(AnsibleFilterError):
        f.control_ids("nope")


def test_waiver_errors():
    assert f.waiver_errors([{"control": "root.mfa", "reason": "r", "expires": "2030-01-01"}]) == []
    assert "unknown control id" in f.waiver_errors([{"control": "x.y", "reason": "r", "expires": "2030-01-01"}])[0]
    assert "expires" in f.waiver_errors([{"control": "root.mfa", "reason": "r", "expires": "soon"}])[0]

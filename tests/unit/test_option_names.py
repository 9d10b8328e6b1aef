"""Messages name what the user sets: the roles' variables (and contain.yml's -e variables) when
they run a module, the module's options when it is called directly (the option_names option).

The roles' plan tasks map each option to its variable in vars._variables; the map is checked
here against the templates, so it cannot drift from what the options read."""

import os
import re

import boto3
import pytest
import yaml
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_baseline
from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_admin_setup
from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_password_policy_check
from ansible_collections.bulwark.aws.plugins.modules import iam_contain

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A role variable read by a template (not _bulwark_* facts, not the bulwark.aws.* filters).
VARIABLE = re.compile(r"(?<![\w.])bulwark_[a-z0-9_]+")
STEPS = dict((d.name, d) for d in account_baseline.STEPS)


# --- through account_baseline (a role's module run) -----------------------------------------------

PASSWORD_NAMES = {"min_length": "bulwark_iam_password_min_length", "max_age": "bulwark_iam_password_max_age_days"}


def test_through_a_role_a_validation_error_names_the_variable(moto_server, run_module):
    result = run_module(account_baseline.DEFINITION.main, {
        "iam_password_policy_check": {"min_length": 200, "option_names": PASSWORD_NAMES},
        "account_guardrails": {"region_concurrency": 0,
                               "option_names": {"region_concurrency": "bulwark_guardrails_region_concurrency"}},
        "account_settings": {"budget_amount": 10,
                             "option_names": {"budget_amount": "bulwark_account_budget_amount",
                                              "budget_emails": "bulwark_account_budget_emails"}},
    })
    msg = result["msg"]
    assert result["failed"] and result["findings"] == []
    assert "iam_password_policy_check: bulwark_iam_password_min_length: 200 is out of range" in msg
    # A shared validator (module_utils/regions.py) names its option first: it is renamed too.
    assert "account_guardrails: bulwark_guardrails_region_concurrency: 0 is out of range" in msg
    # Another option named inside the message.
    assert "bulwark_account_budget_amount and bulwark_account_budget_emails go together" in msg


def test_through_a_role_ansibles_own_type_errors_name_the_variable(moto_server, run_module):
    result = run_module(account_baseline.DEFINITION.main, {
        "iam_password_policy_check": {"max_age": "quarterly", "option_names": PASSWORD_NAMES},
        "account_settings": {"security_contact": {"name": "Sec"},
                             "option_names": {"security_contact": "bulwark_account_contacts.security"}},
    })
    msg = result["msg"]
    assert "argument 'bulwark_iam_password_max_age_days' is of type" in msg and "'max_age'" not in msg
    assert "found in bulwark_account_contacts.security" in msg


@pytest.fixture
def iam(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        client = boto3.client("iam")
        client.generate_credential_report()
        yield client


def admin_group_finding(result):
    found = [f for f in result["findings"] if f["control"] == "iam.admin_group"]
    assert len(found) == 1, result
    return found[0]


def test_through_a_role_a_finding_names_the_variable(iam, run_module):
    result = run_module(account_baseline.DEFINITION.main, {"iam_admin_setup": {
        "controls": ["iam.admin_group"], "option_names": {"create_admin_group": "bulwark_iam_create_admin_group"}}})
    finding = admin_group_finding(result)
    assert finding["status"] == "fail"
    assert "set bulwark_iam_create_admin_group to create bulwark-admins" in finding["message"]


# --- the module called directly ---------------------------------------------------------------

def test_alone_a_validation_error_names_the_option(run_module):
    result = run_module(iam_password_policy_check.DEFINITION.main, {"min_length": 200})
    assert result["failed"] and result["msg"] == "min_length: 200 is out of range; IAM accepts 6 to 128"


def test_alone_a_finding_names_the_option(iam, run_module):
    finding = admin_group_finding(run_module(iam_admin_setup.DEFINITION.main, {"controls": ["iam.admin_group"]}))
    assert "set create_admin_group to create bulwark-admins" in finding["message"]
    assert "bulwark_" not in finding["message"]


# --- contain.yml: the -e variables the operator types --------------------------------------------

CONTAIN_NAMES = {"user": "-e user", "access_key_id": "-e access_key_id", "role": "-e role", "force": "-e force",
                 "revoke_sessions_before": "-e revoke_sessions_before",
                 "evidence_dir": "-e evidence_dir", "evidence_hours": "-e evidence_hours"}


def test_contain_playbook_names_each_option_by_its_minus_e_variable():
    with open(os.path.join(REPO, "playbooks", "contain.yml")) as f:
        play = yaml.safe_load(f)[0]
    calls = {name: task[name] for task in play["tasks"] for name in task if name.startswith("bulwark.aws.")}
    assert calls["bulwark.aws.iam_contain"]["option_names"] == CONTAIN_NAMES
    for name, args in calls.items():
        names = args["option_names"]
        assert names == dict((option, "-e " + option) for option in names), name
        passed = set(args) - {"option_names", "revoke_policy_name"}
        assert passed <= set(names), (name, passed - set(names))


def test_contain_refusal_says_minus_e_force_true(iam, run_module):
    iam.create_user(UserName="ops")
    own = iam.create_access_key(UserName="ops")["AccessKey"]
    args = {"access_key": own["AccessKeyId"], "secret_key": own["SecretAccessKey"], "user": "ops",
            "export_evidence": False}
    result = run_module(iam_contain.main, dict(args, option_names=CONTAIN_NAMES))
    assert result["failed"] is True
    assert "or with -e force=true to cut this identity off too" in result["msg"]
    alone = run_module(iam_contain.main, args)
    assert "or with force=true to cut this identity off too" in alone["msg"]


def test_contain_bad_input_names_the_minus_e_variable(run_module):
    result = run_module(iam_contain.main, {"user": "mallory", "evidence_hours": 0, "export_evidence": False,
                                           "option_names": CONTAIN_NAMES})
    assert result["failed"] and result["msg"].startswith("-e evidence_hours: 0 is out of range")

"""harden.yml over every account of an Organization: the organization inventory, assume-role
per host, forks, one report; against moto_server, which keeps every account apart."""

import base64
import json
import urllib.parse

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import org as org_support
from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

MEMBERS = 20
STATES = ("insecure", "hardened", None)  # member n gets STATES[n % 3]; None: left as created


def expected(state):
    """What the audit must find in an account of this state (IAM seeds only)."""
    return {
        "insecure": {"iam.password_policy.min_length": {"drift"}, "iam.user_mfa": {"fail"}},
        "hardened": {"iam.password_policy.min_length": {"pass"}, "iam.user_mfa": {"pass"}},
        None: {"iam.password_policy.min_length": {"drift"}, "iam.user_mfa": {"pass"}},  # no user at all
    }[state]


@pytest.fixture
def organization(moto_server, monkeypatch):
    """The management account (left as moto makes it) and 20 members in three OUs, in mixed states."""
    # moto_server runs in this process. Member accounts' IAM skips AWS managed policies: loading
    # them costs seconds per account, and the seeds used here (IAM) do not need them.
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
    layout = org_support.create_organization(seed.client(seed.session(moto_server.url), "organizations"),
                                             members=MEMBERS)
    for n, member in enumerate(layout["members"]):
        member["state"] = STATES[n % len(STATES)]
        if member["state"]:
            org_support.seed_account(moto_server.url, member["id"], member["state"], domains=["iam"])
    yield layout
    org_support.reset(moto_server)  # while the setting above holds: a reset rebuilds every account's backends


def assume_role_requests(recorder):
    """[(RoleArn, RoleSessionName)] of every sts:AssumeRole moto received."""
    out = []
    for entry in recorder.entries:
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        form = urllib.parse.parse_qs(body)
        if form.get("Action") == ["AssumeRole"]:
            out.append((form["RoleArn"][0], form["RoleSessionName"][0]))
    return out


def test_check_run_reports_each_account_on_its_own(moto_server, organization, tmp_path):
    inventory = org_support.write_inventory(tmp_path / "org.organization.yml")
    with Recorder(moto_server.url) as rec:
        # Every role on every account; the guardrails in one region only: cross-talk would be
        # between accounts, and 21 accounts x 20 regions would only make the test slow.
        run = run_playbook("harden.yml", moto_server.env(), "--check", "--forks", "10", "-i", inventory,
                           "-e", json.dumps({"bulwark_guardrails_regions": ["us-east-1"]}),
                           report_dir=tmp_path / "report", extra_env={"BULWARK_RUN_ID": "org-test-1"})
    assert run.returncode == 0, run
    members = organization["members"]
    assert sorted(run.recap) == sorted([m["name"] for m in members] + ["master"]), run.recap
    assert not [h for h, r in run.recap.items() if r["failed"] or r["unreachable"]], run.recap

    accounts = dict((a["host"], a) for a in run.report["accounts"])
    assert accounts["master"]["account_id"] == organization["management"]
    for member in members:
        account = accounts[member["name"]]
        # The findings are the account's own: the module reached it through its role.
        assert account["account_id"] == member["id"], (member, account["account_id"])
        assert not account["errors"], account["errors"]
        statuses = run.statuses(member["name"])
        for control, want in expected(member["state"]).items():
            assert statuses[control] == want, (member["name"], member["state"], control, statuses[control])

    # Check mode wrote nothing anywhere; each member's role was assumed, never the management
    # account's, with a session name that says bulwark and the run.
    writes = [w for w in rec.writes() if w[1] != "AssumeRole"]
    assert writes == [], writes
    sessions = assume_role_requests(rec)
    assert sessions, "no sts:AssumeRole recorded"
    arns = set(arn for arn, name in sessions)
    assert {arn.split(":")[4] for arn in arns} == {m["id"] for m in members}
    assert all(arn.endswith(":role/OrganizationAccountAccessRole") for arn in arns)
    assert set(name for arn, name in sessions) == {"bulwark-aws-org-test-1"}


def test_a_role_that_cannot_be_assumed_fails_only_its_account(moto_server, organization, tmp_path):
    denied = [organization["members"][1], organization["members"][4]]
    inventory = org_support.write_inventory(tmp_path / "org.organization.yml")
    with org_support.DenyAssumeRoleProxy(moto_server.url, [m["id"] for m in denied]) as proxy:
        env = moto_server.env()
        env["AWS_ENDPOINT_URL"] = proxy.url
        run = run_playbook("harden.yml", env, "--check", "--forks", "10", "-i", inventory,
                           "--tags", "iam.password_policy", report_dir=tmp_path / "report",
                           extra_env={"BULWARK_FAIL_ON": ""})
    assert run.returncode == 2  # the default BULWARK_FAIL_ON=error fails the run, after the report
    denied_names = sorted(m["name"] for m in denied)
    # a warning per denied account; no account's run failed (the run fails at the report's gate)
    output = run.stdout + run.stderr
    assert sorted(h for h in run.recap if "[WARNING]: %s: " % h in output) == denied_names, output
    assert sum(r["failed"] for r in run.recap.values()) == 1, run.recap  # the gate, once
    accounts = dict((a["host"], a) for a in run.report["accounts"])
    for member in denied:
        account = accounts[member["name"]]
        assert account["account_id"] == member["id"]  # from the inventory's host variables
        # every selected control is in the report, an error naming why
        assert sorted(f["control"] for f in account["findings"]) == sorted(controls.ids(prefix="iam.password_policy."))
        assert {f["status"] for f in account["findings"]} == {"error"}
        assert len(account["errors"]) == 1, account["errors"]
        message = str(account["errors"][0])
        assert "AssumeRole" in message and "AccessDenied" in message, message
        assert "Traceback" not in message
        assert all("AccessDenied" in f["message"] for f in account["findings"])
    for member in organization["members"]:
        if member in denied:
            continue
        statuses = run.statuses(member["name"])
        want = expected(member["state"])["iam.password_policy.min_length"]
        assert statuses["iam.password_policy.min_length"] == want, member

"""ansible-inventory and ansible with the bulwark.aws.organization plugin, as users run them,
against a moto_server holding an Organization."""

import json
import os
import sys

import pytest

from tests.support import org as org_support
from tests.support import seed
from tests.support import procs
from tests.support.playbook import REPO, ansible_env

BIN = os.path.dirname(sys.executable)


def plain(value):
    """ansible-inventory --list marks strings from the plugin {"__ansible_unsafe": text}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run(moto_server, *cmd, extra_env=None):
    env = ansible_env(moto_server.env(), extra=extra_env)
    return procs.run([os.path.join(BIN, cmd[0])] + list(cmd[1:]), cwd=REPO, env=env, timeout=300)


@pytest.fixture
def organization(moto_server, monkeypatch):
    """The management account and 6 members in Prod, Dev, Sandbox (two each), tagged by env."""
    # moto_server runs in this process: member accounts' IAM backends skip AWS managed policies
    # (~2 s per account), which nothing here reads.
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
    client = seed.client(seed.session(moto_server.url), "organizations")
    yield org_support.create_organization(client, members=6, tags=lambda n: {"env": ("prod", "dev", "sbx")[n % 3]})
    # Reset now, while the setting holds: a reset rebuilds every account's backends, and with
    # managed policies that takes seconds per account.
    org_support.reset(moto_server)


def test_graph_lists_every_account_by_ou(moto_server, organization, tmp_path):
    path = org_support.write_inventory(tmp_path / "org.organization.yml")
    proc = run(moto_server, "ansible-inventory", "-i", path, "--graph")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    graph = proc.stdout
    for member in organization["members"]:
        assert "|--%s\n" % member["name"] in graph, graph
    assert "|--master\n" in graph
    for group in ("@ou_root:", "@ou_root_workloads:", "@ou_root_workloads_prod:", "@ou_root_sandbox:",
                  "@tag_env_prod:", "@management_account:", "@member_accounts:", "@aws_accounts:"):
        assert group in graph, graph
    # OU groups nest: Prod's group is drawn inside Workloads'.
    workloads = graph.index("@ou_root_workloads:")
    assert workloads < graph.index("@ou_root_workloads_prod:")


def test_list_has_role_arns_and_no_secret(moto_server, organization, tmp_path):
    path = org_support.write_inventory(tmp_path / "org.organization.yml", external_id="bulwark-ext-9")
    proc = run(moto_server, "ansible-inventory", "-i", path, "--list")
    assert proc.returncode == 0, proc.stderr
    hostvars = plain(json.loads(proc.stdout)["_meta"]["hostvars"])
    assert hostvars["master"]["bulwark_aws_assume_role_arn"] == ""
    for member in organization["members"]:
        v = hostvars[member["name"]]
        assert v["bulwark_aws_assume_role_arn"] == "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % member["id"]
        assert v["ou_path"] == member["ou_path"] and v["account_tags"] == member["tags"]
    assert "bulwark-moto-test-secret" not in proc.stdout + proc.stderr


def test_hosts_run_modules_locally(moto_server, organization, tmp_path):
    """ansible_python_interpreter "{{ ansible_playbook_python }}" is a template Ansible renders."""
    path = org_support.write_inventory(tmp_path / "org.organization.yml")
    proc = run(moto_server, "ansible", "-i", path, "all", "-m", "ansible.builtin.ping", "-o", "--forks", "4")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("SUCCESS") == len(organization["members"]) + 1, proc.stdout


def test_not_in_an_organization_is_one_clear_line(moto_server, tmp_path):
    path = org_support.write_inventory(tmp_path / "org.organization.yml")
    proc = run(moto_server, "ansible-inventory", "-i", path, "--graph",
               extra_env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "is not in an AWS Organization" in out, out
    assert "Traceback" not in out, out


def test_cache_answers_without_the_endpoint(moto_server, organization, tmp_path):
    """With cache: true, a second ansible-inventory run lists the hosts from the cache even when
    the endpoint is gone (moto_server reset: no Organization any more)."""
    path = org_support.write_inventory(tmp_path / "org.organization.yml", cache=True,
                                       cache_plugin="ansible.builtin.jsonfile",
                                       cache_connection=str(tmp_path / "cache"))
    first = run(moto_server, "ansible-inventory", "-i", path, "--graph")
    assert first.returncode == 0, first.stderr
    moto_server.reset()
    second = run(moto_server, "ansible-inventory", "-i", path, "--graph",
                 extra_env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    flushed = run(moto_server, "ansible-inventory", "-i", path, "--graph", "--flush-cache",
                  extra_env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert flushed.returncode != 0 and "is not in an AWS Organization" in flushed.stdout + flushed.stderr

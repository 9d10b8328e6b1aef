"""The bulwark.aws.organization inventory plugin against moto's AWS Organizations (mock_aws).

The plugin is loaded by Ansible's plugin loader and parsed into InventoryData, as
ansible-inventory does; one case goes through InventoryManager (verify_file, the auto plugin).
"""

import hashlib
import importlib
import itertools
import sys

import boto3
import botocore.client
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from tests.conftest import COLLECTIONS
from tests.support import org as org_support

PLUGIN = "bulwark.aws.organization"
PLUGIN_UTILS = "ansible_collections.bulwark.aws.plugins.plugin_utils.organization"
ROLE = "OrganizationAccountAccessRole"
MEMBERS = 30
# Members go to these OUs in turn: 3 each in Prod, Dev and Sandbox, 21 in Root with the
# management account (22 accounts: two pages of ListAccountsForParent, moto pages by 20).
LAYOUT = org_support.DEFAULT_OUS + ("Root",) * 7


def _collection_modules():
    return dict((name, module) for name, module in sys.modules.items()
                if name == "ansible_collections" or name.startswith("ansible_collections."))


@pytest.fixture(scope="module", autouse=True)
def _plugin_loader():
    """Ansible's collection loader, as ansible-inventory has it, for this module only.

    Other test modules import the collection straight from sys.path when pytest collects them,
    without the collection's metadata the loader needs: those modules are set aside while the
    loader is installed, and everything is put back afterwards, so neither side sees the other's
    copies."""
    saved = _collection_modules()
    for name in saved:
        del sys.modules[name]
    init_plugin_loader([COLLECTIONS])
    yield
    _AnsibleCollectionFinder._remove()  # pylint: disable=protected-access
    for name in _collection_modules():
        del sys.modules[name]
    sys.modules.update(saved)


def env_tags(n):
    return {"env": ("prod", "dev", "test")[n % 3], "team": "payments" if n % 4 == 0 else "platform"}


@pytest.fixture(scope="module")
def _aws():
    """moto for the whole module; member accounts' IAM skips AWS managed policies (~2 s per
    account otherwise), which nothing here reads."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
        with mock_aws():
            yield


@pytest.fixture(scope="module")
def org(_aws):
    """An Organization: the management account and 30 members (LAYOUT). Tests only read it."""
    client = boto3.client("organizations", region_name="us-east-1")
    layout = org_support.create_organization(client, members=MEMBERS, ous=LAYOUT, tags=env_tags)
    layout["client"] = client
    return layout


_ACCOUNT_IDS = itertools.count(210000000001)


@pytest.fixture
def other_account(_aws, monkeypatch):
    """The caller is a new moto account (moto isolates accounts by id): no Organization yet."""
    account_id = str(next(_ACCOUNT_IDS))
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account_id)
    return account_id


@pytest.fixture
def fresh_org(other_account):
    """A small Organization of its own, which the test may change."""
    client = boto3.client("organizations", region_name="us-east-1")
    layout = org_support.create_organization(client, members=4)
    layout["client"] = client
    return layout


def write(tmp_path, name="test.organization.yml", **options):
    return org_support.write_inventory(tmp_path / name, **options)


def parse(path, cache=True):
    """(InventoryData, plugin) after one parse, as InventoryManager does it."""
    plugin = inventory_loader.get(PLUGIN)
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=cache)
    try:
        plugin.update_cache_if_changed()
    except AttributeError:  # no cache configured: InventoryManager ignores it the same way
        pass
    return inventory, plugin


def hosts(inventory):
    return dict((name, host.vars) for name, host in inventory.hosts.items())


def group_hosts(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


def by_id(inventory):
    return dict((v["account_id"], v) for v in hosts(inventory).values())


@pytest.fixture
def api_calls(monkeypatch):
    """Every AWS operation the code under test calls, in order."""
    calls = []
    real = botocore.client.BaseClient._make_api_call

    def counting(client, operation, params):
        calls.append(operation)
        return real(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


# --- listing -------------------------------------------------------------------------------

def test_every_active_account_is_a_host_across_pages(org, tmp_path, api_calls):
    inventory, _plugin = parse(write(tmp_path))
    ids = set(by_id(inventory))
    assert ids == set([org["management"]] + [m["id"] for m in org["members"]])
    assert len(ids) == MEMBERS + 1
    # Root's 22 accounts take two pages, each other OU one.
    assert api_calls.count("ListAccountsForParent") == len(org["ous"]) + 1
    # One tag call per account, the tree walked once: nothing else grows with accounts.
    assert api_calls.count("ListTagsForResource") == MEMBERS + 1
    assert len(api_calls) - api_calls.count("ListTagsForResource") < 2 * len(org["ous"]) + 8


def test_host_vars(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path))
    member = org["members"][0]
    v = by_id(inventory)[member["id"]]
    assert v["account_name"] == member["name"]
    assert v["account_email"] == "member-000@example.com"
    assert v["ou_path"] == "Root/Workloads/Prod"
    assert v["ou_id"] == org["ous"]["Root/Workloads/Prod"]
    assert v["account_tags"] == {"env": "prod", "team": "payments"}
    assert v["is_management_account"] is False
    assert v["management_account_id"] == org["management"]
    assert v["organization_id"].startswith("o-")
    assert v["ansible_connection"] == "local"
    assert v["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert by_id(inventory)[org["members"][2]["id"]]["ou_path"] == "Root/Sandbox"
    assert by_id(inventory)[org["members"][3]["id"]]["ou_path"] == "Root"


def test_role_arn_per_member_none_for_management_account(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, external_id="bulwark-ext-1"))
    accounts = by_id(inventory)
    management = accounts[org["management"]]
    assert management["is_management_account"] is True
    assert management["bulwark_aws_assume_role_arn"] == ""
    assert "bulwark_aws_external_id" not in management
    for member in org["members"]:
        v = accounts[member["id"]]
        assert v["bulwark_aws_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (member["id"], ROLE)
        assert v["bulwark_aws_external_id"] == "bulwark-ext-1"
    assert group_hosts(inventory, "management_account") == ["master"]
    assert len(group_hosts(inventory, "member_accounts")) == MEMBERS


def test_role_name_template_rendered_with_host_vars(org, tmp_path):
    template = "{{ 'BulwarkAudit' if ou_path is match('Root/Workloads') else '' }}"
    inventory, _plugin = parse(write(tmp_path, assume_role_name=template))
    for member in org["members"]:
        arn = by_id(inventory)[member["id"]]["bulwark_aws_assume_role_arn"]
        if member["ou_path"].startswith("Root/Workloads"):
            assert arn == "arn:aws:iam::%s:role/BulwarkAudit" % member["id"]
        else:
            assert arn == "", member  # an empty result: no role for that host


def test_role_with_path_and_full_arn(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, assume_role_name="security/BulwarkAudit"))
    member = org["members"][0]["id"]
    assert by_id(inventory)[member]["bulwark_aws_assume_role_arn"] == \
        "arn:aws:iam::%s:role/security/BulwarkAudit" % member
    inventory, _plugin = parse(write(tmp_path, assume_role_name="arn:aws:iam::{{ account_id }}:role/X"))
    assert by_id(inventory)[member]["bulwark_aws_assume_role_arn"] == "arn:aws:iam::%s:role/X" % member


def test_bad_role_name_is_one_clear_error(org, tmp_path):
    with pytest.raises(AnsibleError, match="assume_role_name for host .* rendered to 'not a role!'"):
        parse(write(tmp_path, assume_role_name="not a role!"))


def test_suspended_accounts_are_left_out(fresh_org, tmp_path):
    closed = fresh_org["members"][1]["id"]
    fresh_org["client"].close_account(AccountId=closed)
    assert fresh_org["client"].describe_account(AccountId=closed)["Account"]["Status"] == "SUSPENDED"
    inventory, _plugin = parse(write(tmp_path))
    assert closed not in by_id(inventory)
    assert len(by_id(inventory)) == 4  # the management account and 3 of 4 members


@pytest.mark.parametrize("account,state", [
    ({"State": "ACTIVE", "Status": "ACTIVE"}, "ACTIVE"),
    ({"State": "SUSPENDED"}, "SUSPENDED"),
    ({"Status": "PENDING_CLOSURE"}, "PENDING_CLOSURE"),
    ({"State": "CLOSED", "Status": "SUSPENDED"}, "CLOSED"),  # the newer field wins
    ({"State": "PENDING_ACTIVATION"}, "PENDING_ACTIVATION"),
])
def test_account_state_reads_state_or_status(account, state):
    organization = importlib.import_module(PLUGIN_UTILS + ".read")
    assert organization.account_state(account) == state


def test_only_state_field_pending_closure_is_skipped(org, tmp_path, monkeypatch):
    """An API answer with only the newer State field (no Status): PENDING_CLOSURE is left out."""
    target = org["members"][1]["id"]
    real = botocore.client.BaseClient._make_api_call

    def newer_api(client, operation, params):
        result = real(client, operation, params)
        if operation == "ListAccountsForParent":
            for account in result["Accounts"]:
                status = account.pop("Status")
                account["State"] = "PENDING_CLOSURE" if account["Id"] == target else status
        return result

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", newer_api)
    inventory, _plugin = parse(write(tmp_path))
    assert target not in by_id(inventory)
    assert len(by_id(inventory)) == MEMBERS


# --- names and groups ----------------------------------------------------------------------

def test_host_names_sanitized_and_unique(fresh_org, tmp_path):
    client = fresh_org["client"]
    a = client.create_account(AccountName="Prod Payments (EU)", Email="p1@example.com")["CreateAccountStatus"]
    b = client.create_account(AccountName="Shared", Email="s1@example.com")["CreateAccountStatus"]
    c = client.create_account(AccountName="shared", Email="s2@example.com")["CreateAccountStatus"]
    inventory, _plugin = parse(write(tmp_path))
    names = dict((v["account_id"], name) for name, v in hosts(inventory).items())
    assert names[a["AccountId"]] == "prod-payments-eu"
    assert names[b["AccountId"]] == "shared-%s" % b["AccountId"]
    assert names[c["AccountId"]] == "shared-%s" % c["AccountId"]
    assert names[fresh_org["management"]] == "master"

    inventory, _plugin = parse(write(tmp_path, hostnames="account_id"))
    assert all(name == v["account_id"] for name, v in hosts(inventory).items())


def test_groups_by_ou_nested_and_by_tag(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path))
    prod = [m["name"] for m in org["members"] if m["ou_path"] == "Root/Workloads/Prod"]
    dev = [m["name"] for m in org["members"] if m["ou_path"] == "Root/Workloads/Dev"]
    assert group_hosts(inventory, "ou_root_workloads_prod") == sorted(prod)
    # A parent OU's group holds every account below it (through its child groups).
    assert group_hosts(inventory, "ou_root_workloads") == sorted(prod + dev)
    assert len(group_hosts(inventory, "ou_root")) == MEMBERS + 1
    assert [g.name for g in inventory.groups["ou_root_workloads_prod"].parent_groups] == ["ou_root_workloads"]
    payments = sorted(m["name"] for m in org["members"] if m["tags"]["team"] == "payments")
    assert group_hosts(inventory, "tag_team_payments") == payments
    prod_tagged = sorted(m["name"] for m in org["members"] if m["tags"]["env"] == "prod")
    assert group_hosts(inventory, "tag_env_prod") == prod_tagged
    assert len(group_hosts(inventory, "aws_accounts")) == MEMBERS + 1


def test_ou_groups_prefix_and_off(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, ou_group_prefix="aws_ou_"))
    assert "aws_ou_root_sandbox" in inventory.groups and "ou_root_sandbox" not in inventory.groups
    inventory, _plugin = parse(write(tmp_path, ou_groups=False))
    assert not [g for g in inventory.groups if g.startswith("ou_")]


def test_compose_groups_and_keyed_groups(org, tmp_path):
    inventory, _plugin = parse(write(
        tmp_path,
        compose={"ansible_connection": "'ssh'", "bulwark_aws_region": "'eu-west-1'"},
        groups={"sandboxes": "'Sandbox' in ou_path"},
        keyed_groups=[{"key": "account_tags.team", "prefix": "team"}]))
    member = org["members"][0]
    v = hosts(inventory)[member["name"]]
    assert v["ansible_connection"] == "ssh"  # compose overrides the plugin's own variables
    assert v["bulwark_aws_region"] == "eu-west-1"
    assert group_hosts(inventory, "sandboxes") == sorted(m["name"] for m in org["members"]
                                                         if m["ou_path"] == "Root/Sandbox")
    assert "team_payments" in inventory.groups
    assert "tag_env_prod" not in inventory.groups  # keyed_groups given: the default is replaced


def test_no_tags_read_when_include_tags_is_false(org, tmp_path, api_calls):
    inventory, _plugin = parse(write(tmp_path, include_tags=False))
    assert "ListTagsForResource" not in api_calls
    assert all("account_tags" not in v for v in hosts(inventory).values())
    assert not [g for g in inventory.groups if g.startswith("tag_")]


# --- names that clash ----------------------------------------------------------------------
# Account names are chosen by whoever runs an account (its root user can rename it) and OU
# names may hold any character: whatever they are, every account is its own host, no host
# shares a name with a group, and two OUs never share a group.

PLUGIN_GROUPS = ("aws_accounts", "management_account", "member_accounts")


def ou_hash(ou_path):
    """The documented suffix of an OU group whose sanitized name another OU path also has."""
    return hashlib.sha256(ou_path.encode("utf-8")).hexdigest()[:8]


def new_org(other_account, ous=()):
    """An empty Organization of a new moto account; ``ous`` are (parent path, name) in order,
    so a name may hold a /. Returns (client, {"Root": id, path: id}, management account id)."""
    client = boto3.client("organizations", region_name="us-east-1")
    layout = org_support.create_organization(client, ous=())
    ids = {"Root": layout["root"]}
    for parent, name in ous:
        path = "%s/%s" % (parent, name.replace("\\", "\\\\").replace("/", "\\/"))
        ids[path] = client.create_organizational_unit(ParentId=ids[parent], Name=name)["OrganizationalUnit"]["Id"]
    return client, ids, layout["management"]


_EMAILS = itertools.count(1)


def add_account(client, ids, name, ou_path="Root", tags=None):
    kwargs = dict(AccountName=name, Email="clash-%04d@example.com" % next(_EMAILS))
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    account_id = client.create_account(**kwargs)["CreateAccountStatus"]["AccountId"]
    if ou_path != "Root":
        client.move_account(AccountId=account_id, SourceParentId=ids["Root"], DestinationParentId=ids[ou_path])
    return account_id


def host_of(inventory):
    """{account id: host name}, failing when two hosts hold one account."""
    out = {}
    for name, v in hosts(inventory).items():
        assert v["account_id"] not in out, (name, out[v["account_id"]])
        out[v["account_id"]] = name
    return out


def ids_in(inventory, group):
    return sorted(h.vars["account_id"] for h in inventory.groups[group].get_hosts())


@pytest.fixture
def warnings(monkeypatch):
    """Every display.warning, as text."""
    from ansible.utils.display import Display

    seen = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *args, **kwargs: seen.append(str(msg)))
    return seen


def assert_names_apart(inventory):
    clash = set(inventory.hosts) & set(inventory.groups)
    assert not clash, clash


def test_host_name_of_another_accounts_suffixed_name(other_account, tmp_path, warnings):
    """Two accounts named Payments are payments-<id>; a third named Payments-<id of the first>
    must not take the first one's host."""
    client, ids, management = new_org(other_account)
    first = add_account(client, ids, "Payments")
    second = add_account(client, ids, "payments")
    third = add_account(client, ids, "Payments-%s" % first)
    inventory, _plugin = parse(write(tmp_path))
    names = host_of(inventory)
    assert sorted(names) == sorted([management, first, second, third])
    assert names[first] == "payments-%s" % first
    assert names[second] == "payments-%s" % second
    assert names[third] == "payments-%s-%s" % (first, third)
    assert names[management] == "master"
    for account_id, name in names.items():
        assert inventory.hosts[name].vars["account_id"] == account_id
        assert inventory.hosts[name].vars["bulwark_aws_assume_role_arn"] in (
            "", "arn:aws:iam::%s:role/%s" % (account_id, ROLE))
    clash = [w for w in warnings if third in w]
    assert clash and first in clash[0] and "payments-%s-%s" % (first, third) in clash[0], warnings
    assert [w for w in warnings if first in w and second in w], warnings


@pytest.mark.parametrize("name", PLUGIN_GROUPS + ("all", "ungrouped", "ou_root", "ou_root_prod", "tag_env_prod",
                                                  "localhost", "127.0.0.1"))
def test_account_named_like_a_group(other_account, tmp_path, warnings, name):
    client, ids, management = new_org(other_account, ous=[("Root", "Prod")])
    ordinary = add_account(client, ids, "member-00", "Root/Prod", tags={"env": "prod"})
    odd = add_account(client, ids, name, "Root/Prod", tags={"env": "prod"})
    inventory, _plugin = parse(write(tmp_path))
    names = host_of(inventory)
    assert sorted(names) == sorted([management, ordinary, odd])
    assert names[odd] == "%s-%s" % (name, odd)
    assert names[ordinary] == "member-00" and names[management] == "master"
    assert_names_apart(inventory)
    assert inventory.hosts[names[odd]].vars["account_name"] == name
    # No group took the account's variables.
    for group in inventory.groups.values():
        assert "account_id" not in group.vars, group.name
    assert ids_in(inventory, "member_accounts") == sorted([ordinary, odd])
    assert ids_in(inventory, "management_account") == [management]
    assert ids_in(inventory, "aws_accounts") == sorted([management, ordinary, odd])
    assert ids_in(inventory, "ou_root_prod") == sorted([ordinary, odd])
    assert ids_in(inventory, "tag_env_prod") == sorted([ordinary, odd])
    assert ids_in(inventory, "ou_root") == sorted([management, ordinary, odd])
    assert [w for w in warnings if odd in w and repr(name) in w], warnings


def test_ou_names_that_sanitize_alike_keep_their_own_groups(other_account, tmp_path, warnings):
    client, ids, management = new_org(other_account, ous=[
        ("Root", "Prod"), ("Root/Prod", "EU"), ("Root", "Prod/EU"), ("Root", "Dev-Test"), ("Root", "dev test")])
    nested = add_account(client, ids, "nested", "Root/Prod/EU")
    literal = add_account(client, ids, "literal", "Root/Prod\\/EU")
    prod = add_account(client, ids, "prod", "Root/Prod")
    dash = add_account(client, ids, "dash", "Root/Dev-Test")
    space = add_account(client, ids, "space", "Root/dev test")
    inventory, _plugin = parse(write(tmp_path))
    v = by_id(inventory)
    # ou_path is exact: a / inside an OU name is written \/, so it is not a path separator.
    assert v[nested]["ou_path"] == "Root/Prod/EU"
    assert v[literal]["ou_path"] == "Root/Prod\\/EU"
    assert v[literal]["ou_id"] == ids["Root/Prod\\/EU"] and v[nested]["ou_id"] == ids["Root/Prod/EU"]
    assert v[dash]["ou_path"] == "Root/Dev-Test" and v[space]["ou_path"] == "Root/dev test"
    assert "ou_root_prod_eu" not in inventory.groups and "ou_root_dev_test" not in inventory.groups
    nested_group = "ou_root_prod_eu_" + ou_hash("Root/Prod/EU")
    literal_group = "ou_root_prod_eu_" + ou_hash("Root/Prod\\/EU")
    assert ids_in(inventory, nested_group) == [nested]
    assert ids_in(inventory, literal_group) == [literal]
    assert ids_in(inventory, "ou_root_dev_test_" + ou_hash("Root/Dev-Test")) == [dash]
    assert ids_in(inventory, "ou_root_dev_test_" + ou_hash("Root/dev test")) == [space]
    # Only what is below OU Prod is in its group; the OU named Prod/EU is in Root.
    assert ids_in(inventory, "ou_root_prod") == sorted([nested, prod])
    assert [g.name for g in inventory.groups[nested_group].parent_groups] == ["ou_root_prod"]
    assert [g.name for g in inventory.groups[literal_group].parent_groups] == ["ou_root"]
    assert ids_in(inventory, "ou_root") == sorted([management, nested, literal, prod, dash, space])
    assert [w for w in warnings if nested_group in w and literal_group in w], warnings
    # Filters compare the exact path: Root/Prod/* is not the OU named Prod/EU.
    inventory, _plugin = parse(write(tmp_path, filters={"ou_path": "Root/Prod/*"}))
    assert sorted(by_id(inventory)) == [nested]
    # Group names do not depend on the filters: an OU path's group is the same in every inventory.
    assert ids_in(inventory, nested_group) == [nested]


def test_every_clash_of_the_issue_at_once(other_account, tmp_path, warnings):
    """The names of the report together, through InventoryManager and --limit as users run it."""
    client, ids, management = new_org(other_account, ous=[
        ("Root", "Prod"), ("Root/Prod", "EU"), ("Root", "Prod/EU"), ("Root", "Dev-Test"), ("Root", "dev test")])
    payments = add_account(client, ids, "Payments", "Root/Prod", tags={"env": "prod"})
    payments2 = add_account(client, ids, "payments", "Root/Dev-Test")
    impostor = add_account(client, ids, "Payments-%s" % payments, "Root/Prod\\/EU", tags={"env": "prod"})
    odd = dict((name, add_account(client, ids, name, path, tags=tags)) for name, path, tags in [
        ("member_accounts", "Root/Prod/EU", {"env": "prod"}),
        ("aws_accounts", "Root", None),
        ("management_account", "Root/dev test", None),
        ("ou_root_prod", "Root/Prod", None),
        ("tag_env_prod", "Root", {"env": "dev"}),
    ])
    path = write(tmp_path, name="organization.yml")
    manager = InventoryManager(loader=DataLoader(), sources=[path])
    inventory = manager._inventory  # pylint: disable=protected-access
    names = host_of(inventory)
    every = [management, payments, payments2, impostor] + list(odd.values())
    assert sorted(names) == sorted(every)
    for account_id, name in names.items():
        assert inventory.hosts[name].vars["account_id"] == account_id
    assert names[payments] == "payments-%s" % payments
    assert names[impostor] == "payments-%s-%s" % (payments, impostor)
    for name, account_id in odd.items():
        assert names[account_id] == "%s-%s" % (name, account_id)
    assert_names_apart(inventory)

    def limited(pattern):
        manager.subset(pattern)
        try:
            return sorted(h.vars["account_id"] for h in manager.get_hosts())
        finally:
            manager.subset(None)

    assert limited("ou_root_prod") == sorted([payments, odd["ou_root_prod"], odd["member_accounts"]])
    assert limited("ou_root_prod_eu_" + ou_hash("Root/Prod/EU")) == [odd["member_accounts"]]
    assert limited("ou_root_prod_eu_" + ou_hash("Root/Prod\\/EU")) == [impostor]
    assert limited("ou_root_dev_test_" + ou_hash("Root/Dev-Test")) == [payments2]
    assert limited("ou_root_dev_test_" + ou_hash("Root/dev test")) == [odd["management_account"]]
    assert limited("tag_env_prod") == sorted([payments, impostor, odd["member_accounts"]])
    assert limited("member_accounts") == sorted(set(every) - {management})
    assert limited("management_account") == [management]
    assert limited("aws_accounts") == limited("all") == sorted(every)
    assert limited("payments-%s" % payments) == [payments]
    v = by_id(inventory)
    assert v[impostor]["ou_path"] == "Root/Prod\\/EU"
    assert v[impostor]["bulwark_aws_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (impostor, ROLE)


def test_hosts_and_groups_of_other_sources_are_not_taken(other_account, tmp_path, warnings):
    """A static inventory loaded first has a group payments and a host shared: the accounts
    named so are other hosts, not merged into them."""
    client, ids, management = new_org(other_account)
    payments = add_account(client, ids, "Payments")
    shared = add_account(client, ids, "Shared")
    static = tmp_path / "static.yml"
    static.write_text("all:\n  children:\n    payments:\n      hosts:\n        bastion:\n  hosts:\n    shared:\n")
    manager = InventoryManager(loader=DataLoader(), sources=[str(static), write(tmp_path, name="organization.yml")])
    inventory = manager._inventory  # pylint: disable=protected-access
    assert "account_id" not in inventory.hosts["shared"].vars
    assert inventory.hosts["payments-%s" % payments].vars["account_id"] == payments
    assert inventory.hosts["shared-%s" % shared].vars["account_id"] == shared
    assert [h.name for h in manager.get_hosts("payments")] == ["bastion"]
    assert inventory.hosts["master"].vars["account_id"] == management


def test_name_schemes_on_their_own(monkeypatch):
    """The two naming functions with cases an Organization in moto cannot easily hold."""
    organization = importlib.import_module(PLUGIN_UTILS + ".naming")
    # An account named by its own id keeps it; the other account of that name takes the suffix.
    names, clashes = organization.assign_host_names([
        {"account_id": "111111111111", "account_name": "111111111111"},
        {"account_id": "222222222222", "account_name": "111111111111"},
        {"account_id": "333333333333", "account_name": "Team"}], lambda i, name: "a group" if name == "team" else None)
    assert names == {"111111111111": "111111111111", "222222222222": "111111111111-222222222222",
                     "333333333333": "team-333333333333"}
    assert [(n, ids) for n, ids, _reason in clashes] == [("111111111111", ["111111111111", "222222222222"]),
                                                         ("team", ["333333333333"])]
    # An OU path whose sanitized name is the suffixed name of another path is suffixed too.
    a, b = "Root/A-B", "Root/a b"
    c = "Root/A_B_" + ou_hash(a)
    groups, _clashes = organization.ou_group_names("ou_", [a, b, c])
    assert groups == {a: "ou_root_a_b_" + ou_hash(a), b: "ou_root_a_b_" + ou_hash(b),
                      c: "ou_root_a_b_%s_%s" % (ou_hash(a), ou_hash(c))}
    # A reserved name is never an OU group.
    groups, _clashes = organization.ou_group_names("", ["Member/Accounts"])
    assert groups == {"Member/Accounts": "member_accounts_" + ou_hash("Member/Accounts")}
    # Paths whose 8 first hex digits are the same (OU names can be made so) get all 64.
    real = organization.ou_digest
    monkeypatch.setattr(organization, "ou_digest",
                        lambda path, digits=8: "deadbeef" if digits == 8 else real(path, digits))
    groups, _clashes = organization.ou_group_names("ou_", [a, b])
    assert groups == {a: "ou_root_a_b_" + real(a, 64), b: "ou_root_a_b_" + real(b, 64)}


# --- filters -------------------------------------------------------------------------------

def test_filter_by_account_id(org, tmp_path):
    wanted = [org["members"][0]["id"], org["members"][7]["id"]]
    inventory, _plugin = parse(write(tmp_path, filters={"account_id": wanted}))
    assert sorted(by_id(inventory)) == sorted(wanted)


def test_exclude_by_account_id(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, exclude_filters=[{"account_id": org["management"]}]))
    assert org["management"] not in by_id(inventory) and len(by_id(inventory)) == MEMBERS


def test_filter_by_ou_glob_costs_no_tag_call_for_others(org, tmp_path, api_calls):
    inventory, _plugin = parse(write(tmp_path, filters={"ou_path": "Root/Workloads/*"}))
    expect = [m["id"] for m in org["members"] if m["ou_path"].startswith("Root/Workloads/")]
    assert sorted(by_id(inventory)) == sorted(expect)
    assert api_calls.count("ListTagsForResource") == len(expect)


def test_exclude_ou_glob(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, exclude_filters=[{"ou_path": "Root/Sandbox*"}]))
    assert not [v for v in hosts(inventory).values() if v["ou_path"].startswith("Root/Sandbox")]
    assert len(by_id(inventory)) == MEMBERS + 1 - len([m for m in org["members"] if m["ou_path"] == "Root/Sandbox"])


def test_filter_by_tag_and_exclude_by_tag(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, filters={"tag:env": ["prod", "dev"]},
                                     exclude_filters=[{"tag:team": "payments"}]))
    expect = [m["id"] for m in org["members"]
              if m["tags"]["env"] in ("prod", "dev") and m["tags"]["team"] != "payments"]
    assert sorted(by_id(inventory)) == sorted(expect)
    # The management account has no tags: a tag filter leaves it out.
    assert org["management"] not in by_id(inventory)


def test_tag_filter_reads_tags_even_when_include_tags_is_false(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, include_tags=False, filters={"tag:team": "payments"}))
    expect = [m["id"] for m in org["members"] if m["tags"]["team"] == "payments"]
    assert sorted(by_id(inventory)) == sorted(expect)
    assert all("account_tags" not in v for v in hosts(inventory).values())


def test_exclude_entry_needs_every_key_to_match(org, tmp_path):
    prod = [m for m in org["members"] if m["ou_path"] == "Root/Workloads/Prod"]
    entry = {"ou_path": "Root/Workloads/Prod", "tag:team": "payments"}
    inventory, _plugin = parse(write(tmp_path, exclude_filters=[entry]))
    gone = [m["id"] for m in prod if m["tags"]["team"] == "payments"]
    assert gone and not set(gone) & set(by_id(inventory))
    kept = [m["id"] for m in prod if m["tags"]["team"] != "payments"]
    assert kept and set(kept) <= set(by_id(inventory))


@pytest.mark.parametrize("options,message", [
    ({"filters": {"ou": "Root/*"}}, r"filters: unknown key 'ou' \(use account_id, account_name, ou_path or tag:<tag key>\)"),
    ({"exclude_filters": [{"tag:": "x"}]}, r"exclude_filters\[0\]: unknown key 'tag:'"),
    ({"filters": {"account_id": []}}, r"filters: account_id must be a string or a non-empty list of strings"),
])
def test_bad_filters_fail_before_any_call(_aws, tmp_path, options, message, api_calls):
    with pytest.raises(AnsibleError, match=message):
        parse(write(tmp_path, **options))
    assert api_calls == []


# --- cache ---------------------------------------------------------------------------------

def test_cache_second_parse_makes_no_call(org, tmp_path, api_calls):
    cache = dict(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"),
                 cache_timeout=3600)
    path = write(tmp_path, **cache)
    first, _plugin = parse(path)
    assert api_calls
    calls = len(api_calls)
    second, _plugin = parse(path)  # a new plugin instance: the cache is on disk
    assert len(api_calls) == calls, api_calls[calls:]
    assert hosts(second) == hosts(first)
    assert group_hosts(second, "tag_env_prod") == group_hosts(first, "tag_env_prod")
    # A refresh (--flush-cache, meta: refresh_inventory) reads the Organization again.
    parse(path, cache=False)
    assert len(api_calls) > calls


def test_cache_key_changes_with_filters(org, tmp_path, api_calls):
    cache = dict(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"))
    parse(write(tmp_path, **cache))
    calls = len(api_calls)
    inventory, _plugin = parse(write(tmp_path, filters={"ou_path": "Root/Sandbox"}, **cache))
    assert len(api_calls) > calls  # not the cached answer of the unfiltered config
    assert {v["ou_path"] for v in hosts(inventory).values()} == {"Root/Sandbox"}


# --- connection options and errors ---------------------------------------------------------

def test_connection_options_from_the_file_are_passed_to_hosts(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, region="eu-west-1"))
    v = hosts(inventory)["master"]
    assert v["bulwark_aws_region"] == "eu-west-1"
    assert "bulwark_aws_profile" not in v and "bulwark_aws_endpoint_url" not in v
    inventory, _plugin = parse(write(tmp_path))  # region from AWS_REGION: modules read it themselves
    assert "bulwark_aws_region" not in hosts(inventory)["master"]


def test_keys_in_the_file_are_never_host_vars(org, tmp_path):
    inventory, _plugin = parse(write(tmp_path, access_key="testing", secret_key="bulwark-moto-test-secret"))
    text = repr(hosts(inventory))
    assert "bulwark-moto-test-secret" not in text and "testing" not in text


def test_not_in_an_organization(other_account, tmp_path):
    with pytest.raises(AnsibleError) as e:
        parse(write(tmp_path))
    msg = str(e.value)
    assert "is not in an AWS Organization" in msg and "\n" not in msg
    assert "test.organization.yml" in msg


def test_access_denied_names_the_call_and_the_fix(org, tmp_path, monkeypatch):
    real = botocore.client.BaseClient._make_api_call

    def deny(client, operation, params):
        if operation == "ListAccountsForParent":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "nope"}}, operation)
        return real(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", deny)
    with pytest.raises(AnsibleError, match="organizations:ListAccountsForParent was denied: use credentials of "
                                           "the management account"):
        parse(write(tmp_path))


def test_no_credentials(_aws, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AnsibleError, match="no AWS credentials found"):
        parse(write(tmp_path))


def test_bad_region_option(_aws, tmp_path):
    with pytest.raises(AnsibleError, match="region: 'mars-1' is not an AWS region"):
        parse(write(tmp_path, region="mars-1"))


@pytest.mark.parametrize("name,ok", [
    ("organization.yml", True), ("organization.yaml", True), ("prod.organization.yml", True),
    ("bulwark_organization.yml", True), ("hosts.yml", False), ("organization.json", False),
])
def test_verify_file(tmp_path, name, ok):
    path = tmp_path / name
    path.write_text("plugin: %s\n" % PLUGIN)
    assert inventory_loader.get(PLUGIN).verify_file(str(path)) is ok


def test_inventory_manager_with_a_plugin_only_file(org, tmp_path):
    """The standard way: a file holding only `plugin:`, through InventoryManager and the auto plugin."""
    path = tmp_path / "organization.yml"
    path.write_text("plugin: %s\n" % PLUGIN)
    manager = InventoryManager(loader=DataLoader(), sources=[str(path)])
    names = sorted(h.name for h in manager.get_hosts())
    assert len(names) == MEMBERS + 1 and "master" in names
    assert sorted(h.name for h in manager.get_hosts("ou_root_sandbox")) == sorted(
        m["name"] for m in org["members"] if m["ou_path"] == "Root/Sandbox")


# --- the role session the modules open in each account ------------------------------------

@pytest.mark.parametrize("environ,name", [
    ({"BULWARK_RUN_ID": "nightly-2026-11-23"}, "bulwark-aws-nightly-2026-11-23"),
    ({"BULWARK_RUN_ID": "run 42/eu", "JOB_ID": "7"}, "bulwark-aws-run-42-eu"),
    ({"JOB_ID": "1234"}, "bulwark-aws-job-1234"),
    ({"BULWARK_RUN_ID": "x" * 80}, "bulwark-aws-" + "x" * 52),
])
def test_role_session_name_identifies_bulwark_and_the_run(environ, name):
    from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

    assert aws.default_session_name(environ) == name
    assert aws.default_session_name({}).startswith("bulwark-aws-")
    aws.validate_connection_params({"role_session_name": aws.default_session_name(environ)})


def test_environment_names_and_their_precedence(monkeypatch):
    """AWS_REGION over AWS_DEFAULT_REGION and AWS_SESSION_TOKEN over AWS_SECURITY_TOKEN (AWX's name), as botocore does."""
    plugin = inventory_loader.get(PLUGIN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "older-name")
    plugin.set_options(direct={"plugin": PLUGIN})
    assert (plugin.get_option("region"), plugin.get_option("session_token")) == ("eu-west-2", "older-name")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "newer-name")
    monkeypatch.delenv("AWS_REGION")
    plugin.set_options(direct={"plugin": PLUGIN})
    assert (plugin.get_option("region"), plugin.get_option("session_token")) == ("eu-west-1", "newer-name")


@pytest.mark.parametrize("environ,token", [
    ({"AWS_SECURITY_TOKEN": "from-awx"}, "from-awx"),  # AWX's Amazon Web Services credential sets only this name
    ({"AWS_SECURITY_TOKEN": "older", "AWS_SESSION_TOKEN": "newer"}, "newer"),
])
def test_modules_read_awx_session_token(monkeypatch, environ, token):
    from ansible.module_utils.basic import AnsibleModule
    from ansible.module_utils.testing import patch_module_args

    from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with patch_module_args({}):
        module = AnsibleModule(argument_spec=dict(aws.AWS_ARGUMENT_SPEC))
    assert module.params["session_token"] == token

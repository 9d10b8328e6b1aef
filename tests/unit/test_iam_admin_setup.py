"""iam_admin_setup against moto: the admin group and user (password never returned), the support
role, the MFA enforcement policy and its coverage of console users; check mode, bad input."""

import json
import os
import stat
import sys

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy
from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_admin_setup as mod

from tests.support import seed
from tests.support.recorder import Recorder

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
MFA_ARN = "arn:aws:iam::123456789012:policy/bulwark-require-mfa"


@pytest.fixture
def iam(monkeypatch):
    # AdministratorAccess / AWSSupportAccess exist in moto only with this set before it starts.
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        client = boto3.client("iam")
        client.generate_credential_report()
        yield client


def test_managed_policies_are_loaded_in_mock_aws(iam):
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["PolicyName"] == "AdministratorAccess"


def group_policies(iam, group):
    return [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]]


def one(result, control, resource=None):
    found = [f for f in result.by_control(control) if resource is None or f["resource"] == resource]
    assert len(found) == 1, (control, resource, result["findings"])
    return found[0]


# --- iam.admin_group --------------------------------------------------------------------------

def test_no_admin_group_fails_without_the_opt_in(iam, run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.admin_group"]})
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "fail" and "create_admin_group" in finding["message"]
    assert iam.list_groups()["Groups"] == [] and result["changed"] is False


def test_existing_admin_group_passes(iam, run_module):
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    finding = one(run_module(mod.DEFINITION.main, {"controls": ["iam.admin_group"]}), "iam.admin_group")
    assert finding["status"] == "pass" and "admins" in finding["message"]


@pytest.fixture
def sent(monkeypatch):
    """{operation: [params]} of every call boto3 makes (moto drops PasswordResetRequired)."""
    import botocore.client

    calls = {}
    real = botocore.client.BaseClient._make_api_call

    def spy(self, operation, params):
        calls.setdefault(operation, []).append(params)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    return calls


def test_admin_group_and_user_with_a_password_file(iam, run_module, tmp_path, sent):
    secret_file = tmp_path / "admin.password"
    args = {"controls": ["iam.admin_group"], "create_admin_group": True, "admin_group_name": "ops-admins",
            "admin_user": "ada", "admin_user_password_file": str(secret_file)}
    check = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert one(check, "iam.admin_group")["status"] == "drift"
    assert not secret_file.exists()
    assert iam.list_groups()["Groups"] == []

    result = run_module(mod.DEFINITION.main, args)
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "fixed"
    assert group_policies(iam, "ops-admins") == [ADMIN]
    assert [u["UserName"] for u in iam.get_group(GroupName="ops-admins")["Users"]] == ["ada"]
    iam.get_login_profile(UserName="ada")
    # moto does not keep PasswordResetRequired: check what was sent.
    assert [c["PasswordResetRequired"] for c in sent["CreateLoginProfile"]] == [True]
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    password = secret_file.read_text().strip()
    assert sent["CreateLoginProfile"][0]["Password"] == password
    assert len(password) >= 32
    assert any(c.isupper() for c in password) and any(c.islower() for c in password)
    assert any(c.isdigit() for c in password) and any(c in mod.SYMBOLS for c in password)
    # The password is nowhere in the result, masked or not.
    assert password not in json.dumps(result)
    assert result["password_file"] == str(secret_file)
    assert "iam:CreateLoginProfile ada" in result["actions"]

    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and one(again, "iam.admin_group")["status"] == "pass"
    assert secret_file.read_text().strip() == password          # an existing user's password is never reset


def test_admin_user_without_a_password_file_gets_no_password(iam, run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.admin_group"], "create_admin_group": True, "admin_user": "ada"})
    assert one(result, "iam.admin_group")["status"] == "fixed"
    assert "no console password for ada" in one(result, "iam.admin_group")["message"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="ada")


def test_password_respects_a_longer_account_minimum(iam, run_module, tmp_path):
    iam.update_account_password_policy(MinimumPasswordLength=40)
    path = tmp_path / "pw"
    run_module(mod.DEFINITION.main, {"controls": ["iam.admin_group"], "create_admin_group": True, "admin_user": "ada",
                                     "admin_user_password_file": str(path)})
    assert len(path.read_text().strip()) == 40


def test_password_generator():
    passwords = set(mod.generate_password() for _n in range(50))
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == mod.PASSWORD_LENGTH
        assert set(password) <= set(__import__("string").ascii_letters + __import__("string").digits + mod.SYMBOLS)


def test_failed_login_profile_removes_the_password_file(iam, run_module, tmp_path, monkeypatch):
    from botocore.exceptions import ClientError

    path = tmp_path / "pw"

    def refuse(self, **kwargs):
        raise ClientError({"Error": {"Code": "PasswordPolicyViolation", "Message": "too weak"}}, "CreateLoginProfile")

    real = mod.set_password

    def set_password(s, user, p):
        monkeypatch.setattr(type(s.iam), "create_login_profile", refuse, raising=False)
        return real(s, user, p)

    monkeypatch.setattr(mod, "set_password", set_password)
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.admin_group"], "create_admin_group": True, "admin_user": "ada",
                                              "admin_user_password_file": str(path)})
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "error" and "PasswordPolicyViolation" in finding["message"]
    assert not path.exists()


def planted(kind, path, victim):
    """What another local user leaves at ``path`` before the run: a file anyone may read and
    write (mode 0666), a symbolic link to a file of theirs, or a link to where nothing is yet."""
    if kind == "file":
        path.write_text("")
        os.chmod(str(path), 0o666)
        return path
    if kind == "symlink":
        victim.write_text("")
        os.chmod(str(victim), 0o666)
    os.symlink(str(victim), str(path))
    return victim


ADMIN_ARGS = {"controls": ["iam.admin_group"], "create_admin_group": True, "admin_user": "ada"}


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_a_password_file_path_someone_else_made_is_refused_before_the_user_exists(
        iam, run_module, tmp_path, sent, kind, check_mode):
    path = tmp_path / "admin.password"
    other = tmp_path / "other-user"
    other.mkdir()
    victim = planted(kind, path, other / "theirs")
    result = run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file=str(path)),
                        check_mode=check_mode)
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "error", finding
    assert "%s already exists" % path in finding["message"], finding
    assert "remove it or choose another path" in finding["message"], finding
    # Nothing was made: no user (whose password would be lost), no group, no password anywhere.
    assert "CreateUser" not in sent and "CreateLoginProfile" not in sent and "CreateGroup" not in sent
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName="ada")
    assert result["changed"] is False and "password_file" not in result
    if kind == "dangling-symlink":
        assert not victim.exists() and os.listdir(str(other)) == []
    else:
        assert victim.read_text() == "" and stat.S_IMODE(os.stat(str(victim)).st_mode) == 0o666
    assert os.path.islink(str(path)) == (kind != "file")


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink"])
def test_a_file_planted_while_the_module_runs_never_gets_the_password(iam, run_module, tmp_path, sent,
                                                                      monkeypatch, kind):
    """The path is free when the module looks, and taken before it writes: the exclusive create
    refuses it, and the user is still not created."""
    path = tmp_path / "admin.password"
    other = tmp_path / "other-user"
    other.mkdir()
    real = mod.generate_password
    victims = []

    def plant_then_generate(length=mod.PASSWORD_LENGTH):
        victims.append(planted(kind, path, other / "theirs"))
        return real(length)

    monkeypatch.setattr(mod, "generate_password", plant_then_generate)
    result = run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file=str(path)))
    finding = one(result, "iam.admin_group")
    assert victims and finding["status"] == "error", finding
    assert str(path) in finding["message"] and "No user was created" in finding["message"], finding
    assert "CreateUser" not in sent and "CreateLoginProfile" not in sent
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName="ada")
    if kind == "dangling-symlink":
        assert os.listdir(str(other)) == []
    else:
        assert victims[0].read_text() == "" and stat.S_IMODE(os.stat(str(victims[0])).st_mode) == 0o666


def test_a_password_that_cannot_be_written_creates_no_user(iam, run_module, tmp_path, sent, monkeypatch):
    import errno

    from ansible_collections.bulwark.aws.plugins.module_utils.core import files

    def full(path, data, mode=0o600):
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(files, "create_exclusive", full)
    path = tmp_path / "admin.password"
    result = run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file=str(path)))
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "error" and "No space left on device" in finding["message"], finding
    assert "No user was created" in finding["message"]
    assert "CreateUser" not in sent and "CreateLoginProfile" not in sent
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName="ada")
    assert not path.exists()


def test_a_failed_create_user_removes_the_password_file(iam, run_module, tmp_path, monkeypatch):
    from botocore.exceptions import ClientError

    path = tmp_path / "admin.password"
    real = mod.Setup.write

    def write(self, action, call, **kwargs):
        if call == "create_user":
            assert path.exists(), "the password file is written before the user is created"
            raise ClientError({"Error": {"Code": "LimitExceeded", "Message": "too many users"}}, "CreateUser")
        return real(self, action, call, **kwargs)

    monkeypatch.setattr(mod.Setup, "write", write)
    result = run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file=str(path)))
    finding = one(result, "iam.admin_group")
    assert finding["status"] == "error" and "LimitExceeded" in finding["message"], finding
    assert "no password was set; %s is removed" % path in finding["message"], finding
    assert not path.exists()


def test_the_password_file_is_0600_whatever_the_umask(iam, run_module, tmp_path):
    path = tmp_path / "admin.password"
    old = os.umask(0)
    try:
        run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file=str(path)))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.lstat(str(path)).st_mode) == 0o600 and not path.is_symlink()


def test_a_relative_password_file_resolves_against_the_working_directory(iam, run_module, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(str(work))
    result = run_module(mod.DEFINITION.main, dict(ADMIN_ARGS, admin_user_password_file="secrets.d/../admin.password"))
    expected = str(work / "admin.password")
    assert result["password_file"] == expected
    message = one(result, "iam.admin_group")["message"]
    assert "written to %s" % expected in message, message
    assert os.listdir(str(work)) == ["admin.password"]


@pytest.mark.parametrize("given,where", [("admin.password", "work"), ("~/admin.password", "home")])
def test_harden_puts_a_relative_password_file_where_ansible_playbook_runs(moto_server, tmp_path, given, where):
    """bulwark_iam_admin_user_password_file=admin.password, ansible-playbook run from a work
    directory: the file is <work>/admin.password (0600), never next to a playbook or anywhere
    in the collection (Ansible runs a module on localhost in the playbook's directory), and the
    finding names the absolute path. ~ is the home directory."""
    from tests.support import procs
    from tests.support.playbook import REPO, ansible_env

    def collection_files():
        return set(os.path.join(d, n) for d, _dirs, names in os.walk(REPO) for n in names if n == "admin.password")

    for name in ("work", "home"):
        (tmp_path / name).mkdir()
    before = collection_files()
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
           os.path.join(REPO, "harden.yml"), "--tags", "iam.admin_group",
           "-e", "bulwark_iam_create_admin_group=true", "-e", "bulwark_iam_admin_user=ada",
           "-e", "bulwark_iam_admin_user_password_file=%s" % given]
    env = ansible_env(moto_server.env(), tmp_path / "report", {"HOME": str(tmp_path / "home")})
    run = procs.run(cmd, cwd=str(tmp_path / "work"), env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert collection_files() == before, "the password file landed in the collection"
    expected = tmp_path / where / "admin.password"
    assert expected.is_file() and stat.S_IMODE(os.lstat(str(expected)).st_mode) == 0o600
    report = json.load(open(str(tmp_path / "report" / "report.json")))
    finding = [f for a in report["accounts"] for f in a["findings"] if f["control"] == "iam.admin_group"]
    assert len(finding) == 1 and finding[0]["status"] == "fixed", finding
    assert "written to %s" % expected in finding[0]["message"], finding


# --- iam.support_role ---------------------------------------------------------------------------

def test_support_role_is_created_and_then_passes(iam, run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.support_role"]})
    finding = one(result, "iam.support_role")
    assert finding["status"] == "fixed" and finding["resource"] == "role/bulwark-support"
    role = iam.get_role(RoleName="bulwark-support")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    assert iam_policy.load(trust)["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root"]}
    attached = iam.list_attached_role_policies(RoleName="bulwark-support")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [SUPPORT]
    again = run_module(mod.DEFINITION.main, {"controls": ["iam.support_role"]})
    assert again["changed"] is False and one(again, "iam.support_role")["status"] == "pass"


def test_any_role_with_support_access_passes(iam, run_module):
    iam.create_role(RoleName="helpdesk", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="helpdesk", PolicyArn=SUPPORT)
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.support_role"]})
    assert one(result, "iam.support_role")["status"] == "pass" and result["changed"] is False


def test_support_role_off_fails(iam, run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.support_role"], "create_support_role": False})
    assert one(result, "iam.support_role")["status"] == "fail"
    assert iam.list_roles()["Roles"] == []


def test_existing_role_without_the_policy_gets_it(iam, run_module):
    iam.create_role(RoleName="bulwark-support", AssumeRolePolicyDocument="{}")
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.support_role"]})
    assert one(result, "iam.support_role")["status"] == "fixed"
    assert result["actions"] == ["iam:AttachRolePolicy bulwark-support AWSSupportAccess"]


# --- iam.mfa_enforcement_policy -----------------------------------------------------------------

def console_user(iam, name, group=None):
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=seed.CONSOLE_PASSWORD)
    if group:
        iam.add_user_to_group(GroupName=group, UserName=name)


def test_mfa_policy_created_and_groups_reported(iam, run_module):
    iam.create_group(GroupName="devs")
    iam.create_group(GroupName="robots")
    console_user(iam, "dana", "devs")
    iam.create_user(UserName="ci")
    iam.add_user_to_group(GroupName="robots", UserName="ci")     # no console password: not reported
    console_user(iam, "loner")
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"]})
    findings = dict((f["resource"], f) for f in result.by_control("iam.mfa_enforcement_policy"))
    assert findings["policy/bulwark-require-mfa"]["status"] == "fixed"
    assert findings["group/devs"]["status"] == "fail" and "dana" in findings["group/devs"]["message"]
    assert findings["user/loner"]["status"] == "fail"
    assert "group/robots" not in findings
    document = iam.get_policy_version(PolicyArn=MFA_ARN, VersionId="v1")["PolicyVersion"]["Document"]
    assert iam_policy.same(document, iam_policy.mfa_enforcement_document("aws"))
    assert group_policies(iam, "devs") == []                     # attaching is opt-in


def test_mfa_policy_attached_to_chosen_groups(iam, run_module):
    iam.create_group(GroupName="devs")
    console_user(iam, "dana", "devs")
    args = {"controls": ["iam.mfa_enforcement_policy"], "mfa_policy_groups": ["devs"]}
    check = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert one(check, "iam.mfa_enforcement_policy", "group/devs")["status"] == "drift"
    result = run_module(mod.DEFINITION.main, args)
    assert one(result, "iam.mfa_enforcement_policy", "group/devs")["status"] == "fixed"
    assert group_policies(iam, "devs") == [MFA_ARN]
    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False
    assert set(again.statuses().values()) == {"pass"}


def test_user_covered_through_another_group_is_not_reported(iam, run_module):
    iam.create_group(GroupName="devs")
    iam.create_group(GroupName="mfa")
    console_user(iam, "dana", "devs")
    iam.add_user_to_group(GroupName="mfa", UserName="dana")
    run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"], "mfa_policy_groups": ["mfa"]})
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"]})
    assert set(result.statuses().values()) == {"pass"}


def test_drifted_mfa_policy_gets_a_new_default_version(iam, run_module):
    iam.create_policy(PolicyName="bulwark-require-mfa", PolicyDocument=json.dumps(seed.READ_DOCUMENT))
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"]})
    assert one(result, "iam.mfa_enforcement_policy", "policy/bulwark-require-mfa")["status"] == "fixed"
    policy = iam.get_policy(PolicyArn=MFA_ARN)["Policy"]
    assert policy["DefaultVersionId"] == "v2"
    assert len(iam.list_policy_versions(PolicyArn=MFA_ARN)["Versions"]) == 2   # nothing deleted


def test_policy_with_five_versions_is_reported_not_pruned(iam, run_module):
    arn = iam.create_policy(PolicyName="bulwark-require-mfa", PolicyDocument=json.dumps(seed.READ_DOCUMENT))["Policy"]["Arn"]
    for _n in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(seed.READ_DOCUMENT))
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"]})
    finding = one(result, "iam.mfa_enforcement_policy", "policy/bulwark-require-mfa")
    assert finding["status"] == "fail" and "5 versions" in finding["message"]
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5


def test_missing_group_in_mfa_policy_groups(iam, run_module):
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.mfa_enforcement_policy"], "mfa_policy_groups": ["ghosts"]})
    finding = one(result, "iam.mfa_enforcement_policy", "group/ghosts")
    assert finding["status"] == "fail" and "does not exist" in finding["message"]


# --- the seeds, check mode, bad input --------------------------------------------------------------

def test_insecure_seed_check_mode_makes_no_write(moto_server, run_module, tmp_path):
    seed.seed("insecure", moto_server.url)
    args = {"create_admin_group": True, "admin_user": "ada", "admin_user_password_file": str(tmp_path / "pw"),
            "mfa_policy_groups": ["shell-users"]}
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert rec.calls() and rec.writes() == []
    assert not (tmp_path / "pw").exists()
    statuses = dict((f["resource"], f["status"]) for f in result["findings"])
    assert statuses["group/bulwark-admins"] == "drift"
    assert statuses["role/bulwark-support"] == "drift"
    assert statuses["policy/bulwark-require-mfa"] == "drift"
    assert statuses["user/alice-console"] == "fail"


def test_defaults_never_delete_or_detach(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {})
    ops = [op for _s, op, _r in rec.writes()]
    assert sorted(ops) == ["AttachRolePolicy", "CreatePolicy", "CreateRole"]   # support role + MFA policy only
    assert result["changed"] is True


def test_hardened_seed_passes(moto_server, run_module):
    seed.seed("hardened", moto_server.url)
    result = run_module(mod.DEFINITION.main, {}, check_mode=True)
    assert set(result.statuses().values()) == {"pass"}, result["findings"]
    assert result["changed"] is False


@pytest.mark.parametrize("args,message", [
    ({"admin_group_name": "my admins"}, "admin_group_name: 'my admins' is not a valid IAM name"),
    ({"mfa_policy_groups": ["dev ops"]}, "mfa_policy_groups[0]: 'dev ops' is not a valid IAM name"),
    ({"support_role_name": "x" * 65}, "support_role_name"),
    ({"admin_user": "ada"}, "set create_admin_group: true"),
    ({"create_admin_group": True, "admin_user_password_file": "/tmp/pw"}, "give admin_user"),
    ({"create_admin_group": True, "admin_user": "ada", "admin_user_password_file": "/nonexistent-bulwark/pw"},
     "the directory /nonexistent-bulwark does not exist"),
    ({"support_role_trusted_arns": ["123456789012"]}, "is not an IAM principal ARN"),
    ({"controls": ["iam.user_mfa"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


# --- two applies at once (tests/integration/test_concurrent_apply.py) --------------------------

def test_group_role_and_policy_made_meanwhile_by_another_run_are_taken_not_errors(iam, run_module, monkeypatch):
    """Two applies at once both find no admin group, support role or MFA policy and create them;
    seen: the second run's CreateGroup / CreateRole / CreatePolicy answered EntityAlreadyExists and
    its findings were errors. What it meant to create is there, made by the same code: it goes on."""
    from tests.support.aws_faults import on_new_clients

    made = []

    def other_run_first(service, _region, client):
        if service != "iam":
            return

        def create_first(params, model, **_kwargs):
            made.append(model.name)
            getattr(iam, {"CreateGroup": "create_group", "CreateRole": "create_role",
                          "CreatePolicy": "create_policy"}[model.name])(**params)
        for operation in ("CreateGroup", "CreateRole", "CreatePolicy"):
            client.meta.events.register("provide-client-params.iam.%s" % operation, create_first)
    on_new_clients(monkeypatch, other_run_first)
    controls = ["iam.admin_group", "iam.support_role", "iam.mfa_enforcement_policy"]
    result = run_module(mod.DEFINITION.main, {"controls": controls, "create_admin_group": True})
    assert sorted(made) == ["CreateGroup", "CreatePolicy", "CreateRole"]
    assert [f for f in result["findings"] if f["status"] == "error"] == []
    assert one(result, "iam.admin_group")["status"] == one(result, "iam.support_role")["status"] == "fixed"
    assert one(result, "iam.mfa_enforcement_policy", "policy/bulwark-require-mfa")["status"] == "fixed"
    assert group_policies(iam, "bulwark-admins") == [ADMIN]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="bulwark-support")["AttachedPolicies"]] \
        == [SUPPORT]

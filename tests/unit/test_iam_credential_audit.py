"""iam_credential_audit against moto: every control, dates moved into the past through moto's
backend (tests/support/seeds/iam_hygiene.backdate), opt-in remediation, check mode, bad input."""

import datetime
import json
import os
import stat

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws as aws_utils
from ansible_collections.bulwark.aws.plugins.module_utils.checks import iam_credential_audit as mod

from tests.support import seed
from tests.support.recorder import Recorder
from tests.support.seeds.iam_hygiene import ALMOST_ADMIN_DOCUMENT, backdate

ALL = set(mod.CONTROLS)
WRITE_VERBS = ("Update", "Delete", "Deactivate", "Put", "Create", "Attach", "Detach", "Remove")


@pytest.fixture
def iam(monkeypatch):
    # AWS managed policies (AWSCloudShellFullAccess) exist in moto only with this set before it starts.
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        client = boto3.client("iam")
        client.generate_credential_report()  # moto answers STARTED once: the module then finds it COMPLETE
        yield client


def user(iam, name, password=False, keys=0):
    iam.create_user(UserName=name)
    if password:
        iam.create_login_profile(UserName=name, Password=seed.CONSOLE_PASSWORD)
    return [iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"] for _n in range(keys)]


def status_of(iam, name):
    return dict((k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"])


def has_password(iam, name):
    try:
        iam.get_login_profile(UserName=name)
        return True
    except iam.exceptions.NoSuchEntityException:
        return False


def one(result, control, resource=None):
    found = [f for f in result.by_control(control) if resource is None or f["resource"] == resource]
    assert len(found) == 1, (control, resource, result["findings"])
    return found[0]


# --- an empty account ---------------------------------------------------------------------------

def test_empty_account_passes_every_control(iam, run_module):
    result = run_module(mod.DEFINITION.main, {})
    assert result["changed"] is False
    assert result.statuses() == dict((c, "pass") for c in mod.CONTROLS)
    assert result["users"] == 0 and result["actions"] == []


# --- iam.user_mfa (shared with mfa_status) -------------------------------------------------------

def test_user_mfa_is_mfa_status_s(iam, run_module):
    user(iam, "alice", password=True)
    assert "iam.user_mfa" not in mod.CONTROLS
    result = run_module(mod.DEFINITION.main, {})
    assert "iam.user_mfa" not in result.statuses() and "mfa_users" not in result


# --- credential report controls -------------------------------------------------------------------

def test_key_created_at_setup_and_never_used(iam, run_module):
    user(iam, "frank", password=True, keys=1)
    user(iam, "api-only", keys=1)                     # no console password: not a setup key
    used = user(iam, "used", password=True, keys=1)   # created with the user, but used since
    backdate("used", keys={1: (None, 1)})
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.no_keys_at_setup"]})
    finding = one(result, "iam.no_keys_at_setup")
    assert finding["status"] == "fail" and finding["resource"] == "frank"
    assert "active access key 1 has never been used" in finding["message"]
    assert "deactivate_unused_keys" in finding["message"]                # says how to fix it
    assert used


def test_never_used_key_added_long_after_the_console_user_fails_too(iam, run_module):
    """CIS 1.11's audit (and Prowler's iam_user_no_setup_initial_access_key) flag every active,
    never used key of a user with a console password, whenever the key was created."""
    user(iam, "late", password=True, keys=1)
    backdate("late", created_days=30, keys={1: (2, None)})
    finding = one(run_module(mod.DEFINITION.main, {"controls": ["iam.no_keys_at_setup"]}), "iam.no_keys_at_setup")
    assert (finding["resource"], finding["status"]) == ("late", "fail")
    assert "active access key 1 has never been used" in finding["message"]


def test_inactive_or_used_keys_and_users_without_password_pass(iam, run_module):
    key = user(iam, "parked", password=True, keys=1)[0]
    iam.update_access_key(UserName="parked", AccessKeyId=key, Status="Inactive")  # never used, but inactive
    user(iam, "used", password=True, keys=1)
    backdate("used", created_days=30, keys={1: (2, 1)})
    user(iam, "ci", keys=1)                                                        # no console password
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.no_keys_at_setup"]})
    assert result.statuses() == {"iam.no_keys_at_setup": "pass"}
    assert "never used" in one(result, "iam.no_keys_at_setup")["message"]


def test_cis_1_11_audit_example_table_is_judged_as_cis_and_prowler_judge_it(iam, run_module, monkeypatch):
    """The credential report table CIS v3.0 1.11 prints as its audit example: brandon (key 1) and
    anitha (key 2) have password_enabled true, an active key and access_key_N_last_used_date N/A."""
    from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report
    from tests.support.stub_iam import ago, report_csv, user_row

    rows = [
        user_row("elise", access_key_1_active="true", access_key_1_last_rotated=ago(3),
                 access_key_1_last_used_date=ago(1)),
        user_row("brandon", password_enabled="true", access_key_1_active="true", access_key_1_last_rotated=ago(20)),
        user_row("rakesh", access_key_1_last_rotated=ago(300)),
        user_row("helene", access_key_1_active="true", access_key_1_last_rotated=ago(3)),
        user_row("paras", password_enabled="true", access_key_1_active="true", access_key_1_last_rotated=ago(30),
                 access_key_1_last_used_date=ago(1), access_key_2_active="true", access_key_2_last_rotated=ago(20),
                 access_key_2_last_used_date=ago(2)),
        user_row("anitha", password_enabled="true", access_key_1_active="true", access_key_1_last_rotated=ago(30),
                 access_key_1_last_used_date=ago(1), access_key_2_active="true", access_key_2_last_rotated=ago(2)),
    ]
    text = report_csv(*rows)
    monkeypatch.setattr(mod.credential_report, "fetch",
                        lambda _iam, **_kw: (credential_report.parse(text), text.decode("utf-8")))
    findings = run_module(mod.DEFINITION.main, {"controls": ["iam.no_keys_at_setup"]}).by_control("iam.no_keys_at_setup")
    assert sorted((f["resource"], f["status"]) for f in findings) == [("anitha", "fail"), ("brandon", "fail")]
    anitha = [f for f in findings if f["resource"] == "anitha"][0]["message"]
    assert "access key 2" in anitha and "access key 1" not in anitha


def test_unused_key_and_password_fail_and_recent_use_passes(iam, run_module):
    user(iam, "gina", password=True, keys=1)
    backdate("gina", created_days=200, keys={1: (200, None)})           # never used: the creation date counts
    user(iam, "hal", password=True, keys=1)
    backdate("hal", created_days=300, password_used_days=3, keys={1: (300, 10)})
    user(iam, "ivy", password=True, keys=1)
    backdate("ivy", created_days=10)                                  # never used, but only 10 days old
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.unused_credentials"]})
    findings = result.by_control("iam.unused_credentials")
    assert [(f["resource"], f["status"]) for f in findings] == [("gina", "fail")]
    message = findings[0]["message"]
    assert "access key 1 unused for 200 days (never used" in message
    assert "console password unused for 200 days" in message
    assert "deactivate_unused_keys" in message                        # says how to fix it


def test_threshold_is_a_parameter(iam, run_module):
    user(iam, "hal", keys=1)
    backdate("hal", created_days=300, keys={1: (300, 20)})
    assert run_module(mod.DEFINITION.main, {"controls": ["iam.unused_credentials"]}).statuses() == {
        "iam.unused_credentials": "pass"}
    assert run_module(mod.DEFINITION.main, {"controls": ["iam.unused_credentials"], "unused_days": 15}).statuses() == {
        "iam.unused_credentials": "fail"}


def test_opt_in_deactivates_unused_keys_and_removes_unused_passwords(iam, run_module):
    key = user(iam, "gina", password=True, keys=1)[0]
    backdate("gina", created_days=200, keys={1: (200, None)})
    args = {"deactivate_unused_keys": True, "remove_unused_passwords": True}
    result = run_module(mod.DEFINITION.main, args, diff=True)
    assert result["changed"] is True
    finding = one(result, "iam.unused_credentials", "gina")
    assert finding["status"] == "fixed"
    assert "deactivated key %s" % key in finding["message"] and "removed the console password" in finding["message"]
    assert result["actions"] == ["iam:UpdateAccessKey gina %s Inactive" % key, "iam:DeleteLoginProfile gina"]
    assert result["diff"]["before"]["iam.unused_credentials gina"] == finding["message"]
    assert result["diff"]["after"]["iam.unused_credentials gina"] == "fixed"
    assert status_of(iam, "gina") == {key: "Inactive"}                # deactivated, not deleted
    assert not has_password(iam, "gina")
    iam.get_user(UserName="gina")                                     # the user stays
    # The same key also fixed the setup-key and rotation findings of that user.
    assert one(result, "iam.no_keys_at_setup", "gina")["status"] == "fixed"
    assert one(result, "iam.key_rotation", "gina")["status"] == "fixed"

    again = run_module(mod.DEFINITION.main, args)
    assert again["changed"] is False and again["actions"] == []
    assert set(again.statuses().values()) == {"pass"}


def test_one_active_key(iam, run_module):
    user(iam, "bob", keys=2)
    user(iam, "erin", keys=1)
    finding = one(run_module(mod.DEFINITION.main, {"controls": ["iam.one_active_key"]}), "iam.one_active_key")
    assert (finding["resource"], finding["status"]) == ("bob", "fail")
    assert "2 access keys are active" in finding["message"]


def test_one_active_key_fixed_when_the_unused_one_is_deactivated(iam, run_module):
    old, new = user(iam, "bob", keys=2)
    backdate("bob", created_days=100, keys={1: (100, None), 2: (1, 0)})
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.one_active_key", "iam.unused_credentials"],
                                              "deactivate_unused_keys": True})
    assert one(result, "iam.one_active_key", "bob")["status"] == "fixed"
    assert status_of(iam, "bob") == {old: "Inactive", new: "Active"}


def test_key_rotation_and_opt_in_deactivation_by_age(iam, run_module):
    stale = user(iam, "hank", keys=1)[0]
    backdate("hank", created_days=130, keys={1: (120, 2)})            # in use, but 120 days old
    fresh = user(iam, "ivy", keys=1)[0]
    backdate("ivy", keys={1: (30, 1)})
    audit = run_module(mod.DEFINITION.main, {"controls": ["iam.key_rotation"]})
    finding = one(audit, "iam.key_rotation")
    assert (finding["resource"], finding["status"]) == ("hank", "fail")
    assert "120 days old" in finding["message"]

    not_old_enough = run_module(mod.DEFINITION.main, {"controls": ["iam.key_rotation"], "deactivate_keys_older_than_days": 180})
    assert one(not_old_enough, "iam.key_rotation")["status"] == "fail"
    assert status_of(iam, "hank") == {stale: "Active"}

    fixed = run_module(mod.DEFINITION.main, {"controls": ["iam.key_rotation"], "deactivate_keys_older_than_days": 100})
    assert one(fixed, "iam.key_rotation", "hank")["status"] == "fixed"
    assert status_of(iam, "hank") == {stale: "Inactive"} and status_of(iam, "ivy") == {fresh: "Active"}


def test_the_identity_running_the_play_is_never_deactivated(iam, run_module):
    key = iam.create_user(UserName="ops") and iam.create_access_key(UserName="ops")["AccessKey"]
    backdate("ops", created_days=400, keys={1: (400, None)})
    other = user(iam, "old", keys=1)[0]
    backdate("old", created_days=400, keys={1: (400, None)})
    args = {"deactivate_unused_keys": True, "deactivate_keys_older_than_days": 100,
            "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}
    result = run_module(mod.DEFINITION.main, args)
    finding = one(result, "iam.key_rotation", "ops")
    assert finding["status"] == "fail"
    assert "identity running the play" in finding["message"]
    assert status_of(iam, "ops") == {key["AccessKeyId"]: "Active"}
    assert status_of(iam, "old") == {other: "Inactive"}
    assert not any("ops" in action for action in result["actions"])


def test_key_ids_match_the_report_by_creation_time():
    now = datetime.datetime(2026, 1, 10, tzinfo=datetime.timezone.utc)
    from ansible_collections.bulwark.aws.plugins.module_utils.domain.credential_report import AccessKey, CredentialRecord

    keys = [AccessKey(1, True, now - datetime.timedelta(days=9), None, None, None),
            AccessKey(2, True, now - datetime.timedelta(days=1), None, None, None)]
    record = CredentialRecord("u", "arn", now, False, None, None, None, False, keys, [])
    listed = [{"AccessKeyId": "NEW", "CreateDate": now - datetime.timedelta(days=1, microseconds=-300)},
              {"AccessKeyId": "OLD", "CreateDate": now - datetime.timedelta(days=9)}]
    ids = mod.key_ids(record, listed)
    assert ids[1]["AccessKeyId"] == "OLD" and ids[2]["AccessKeyId"] == "NEW"


def test_waived_user_is_neither_changed_nor_failed(iam, run_module):
    key = user(iam, "svc-legacy", keys=1)[0]
    backdate("svc-legacy", created_days=200, keys={1: (200, None)})
    waiver = {"control": "iam.unused_credentials", "resource": "svc-*", "reason": "vendor integration, ticket 42",
              "expires": "2999-01-01"}
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.unused_credentials"], "deactivate_unused_keys": True,
                                              "waivers": [waiver]})
    assert one(result, "iam.unused_credentials", "svc-legacy")["status"] == "waived"
    assert status_of(iam, "svc-legacy") == {key: "Active"} and result["actions"] == []


# --- authorization details controls -----------------------------------------------------------------

def test_user_policies_fail_permissions_via_groups(iam, run_module):
    user(iam, "carol")
    iam.put_user_policy(UserName="carol", PolicyName="inline-read", PolicyDocument=json.dumps(seed.READ_DOCUMENT))
    user(iam, "dave")
    iam.attach_user_policy(UserName="dave", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    user(iam, "erin")
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=json.dumps(seed.READ_DOCUMENT))
    iam.add_user_to_group(GroupName="readers", UserName="erin")
    findings = run_module(mod.DEFINITION.main, {"controls": ["iam.permissions_via_groups"]}).by_control(
        "iam.permissions_via_groups")
    assert [(f["resource"], f["status"]) for f in findings] == [("carol", "fail"), ("dave", "fail")]
    assert "inline policies inline-read" in findings[0]["message"]
    assert "attached policies ReadOnlyAccess" in findings[1]["message"]


def test_full_admin_customer_policies(iam, run_module):
    iam.create_policy(PolicyName="BroadAdmin", PolicyDocument=json.dumps(seed.ADMIN_DOCUMENT))
    iam.create_policy(PolicyName="AlmostAdmin", PolicyDocument=json.dumps(ALMOST_ADMIN_DOCUMENT))
    iam.create_policy(PolicyName="StarStar", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}]}))
    iam.create_policy(PolicyName="PowerUser", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                                                 "Resource": "*"}]}))
    iam.create_policy(PolicyName="Reader", PolicyDocument=json.dumps(seed.READ_DOCUMENT))
    user(iam, "carol")
    iam.attach_user_policy(UserName="carol", PolicyArn="arn:aws:iam::123456789012:policy/BroadAdmin")
    findings = run_module(mod.DEFINITION.main, {"controls": ["iam.no_full_admin_policies"]}).by_control(
        "iam.no_full_admin_policies")
    flagged = dict((f["resource"].rsplit("/", 1)[1], f) for f in findings)
    assert set(flagged) == {"BroadAdmin", "AlmostAdmin", "StarStar"}
    assert all(f["status"] == "fail" for f in findings)
    assert "attached to 1 identity" in flagged["BroadAdmin"]["message"]
    assert "not attached" in flagged["AlmostAdmin"]["message"]
    assert "IAM stays allowed" in flagged["AlmostAdmin"]["message"]


def test_only_the_default_version_counts(iam, run_module):
    arn = iam.create_policy(PolicyName="WasAdmin", PolicyDocument=json.dumps(seed.ADMIN_DOCUMENT))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(seed.READ_DOCUMENT), SetAsDefault=True)
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.no_full_admin_policies"]})
    assert result.statuses() == {"iam.no_full_admin_policies": "pass"}


def test_cloudshell_full_access_on_any_identity(iam, run_module):
    arn = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
    iam.create_group(GroupName="shell-users")
    iam.attach_group_policy(GroupName="shell-users", PolicyArn=arn)
    iam.create_role(RoleName="shell-role", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="shell-role", PolicyArn=arn)
    findings = run_module(mod.DEFINITION.main, {"controls": ["iam.no_cloudshell_full_access"]}).by_control(
        "iam.no_cloudshell_full_access")
    assert sorted((f["resource"], f["status"]) for f in findings) == [("group/shell-users", "fail"),
                                                                      ("role/shell-role", "fail")]


def test_expired_server_certificate(iam, run_module):
    # moto reports every server certificate as expired on 2012-05-08
    iam.upload_server_certificate(ServerCertificateName="legacy-www", CertificateBody="x", PrivateKey="y")
    finding = one(run_module(mod.DEFINITION.main, {"controls": ["iam.expired_server_certificates"]}),
                  "iam.expired_server_certificates")
    assert finding["status"] == "fail" and "legacy-www expired on 2012-05-08" in finding["message"]


def test_certificate_not_yet_expired_passes_stubber():
    """moto cannot report a future expiry: botocore's Stubber answers ListServerCertificates."""
    client = boto3.client("iam", region_name="us-east-1")
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
    stub = Stubber(client)
    stub.add_response("list_server_certificates", {"ServerCertificateMetadataList": [
        {"Path": "/", "ServerCertificateName": "www", "ServerCertificateId": "ASCAEXAMPLE1234567890",
         "Arn": "arn:aws:iam::123456789012:server-certificate/www", "Expiration": later}], "IsTruncated": False})

    class M:
        from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import Findings
        findings = Findings(["iam.expired_server_certificates"])

    with stub:
        mod.evaluate_certificates(M, client, datetime.datetime.now(datetime.timezone.utc))
    assert [(f["status"], f["message"]) for f in M.findings.items] == [
        ("pass", "1 server certificates stored in IAM, none expired")]


# --- the credential report and its export ----------------------------------------------------------

def test_credential_report_export(iam, run_module, tmp_path):
    user(iam, "alice", password=True, keys=1)
    out = tmp_path / "reports" / "iam"
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.credential_report"], "export_dir": str(out)}, check_mode=True)
    finding = one(result, "iam.credential_report")
    assert finding["status"] == "pass" and "exported to" in finding["message"]
    csv_path, json_path = result["exported"]["csv"], result["exported"]["json"]
    assert csv_path == str(out / "credential-report-123456789012.csv")
    for path in (csv_path, json_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert open(csv_path).read().startswith("user,arn,user_creation_time,")
    exported = json.load(open(json_path))
    assert exported["account_id"] == "123456789012"
    assert [u["user"] for u in exported["users"]] == ["alice"]
    assert exported["users"][0]["access_keys"][0]["active"] is True
    text = open(csv_path).read() + open(json_path).read()
    assert seed.CONSOLE_PASSWORD not in text and "SecretAccessKey" not in text
    assert result["changed"] is False   # an exported report is not a change to the account


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink"])
def test_export_never_writes_into_a_file_or_link_someone_planted(iam, run_module, tmp_path, kind):
    """Another local user leaves a file anyone may write (0666, kept open to read what lands in
    it) or a symbolic link at the export's path: the export replaces the name with a new 0600
    file; what they hold never sees the report."""
    user(iam, "alice", password=True, keys=1)
    out = tmp_path / "reports"
    out.mkdir()
    other = tmp_path / "other-user"
    other.mkdir()
    held = {}
    for ext in ("csv", "json"):
        path = out / ("credential-report-123456789012.%s" % ext)
        victim = other / ("theirs.%s" % ext)
        if kind == "file":
            path.write_text("")
            os.chmod(str(path), 0o666)
            held[ext] = open(str(path))
        else:
            if kind == "symlink":
                victim.write_text("")
                os.chmod(str(victim), 0o666)
                held[ext] = open(str(victim))
            os.symlink(str(victim), str(path))
    try:
        args = {"controls": ["iam.credential_report"], "export_dir": str(out)}
        result = run_module(mod.DEFINITION.main, args, check_mode=True)
        assert one(result, "iam.credential_report")["status"] == "pass"
        for ext in ("csv", "json"):
            path = out / ("credential-report-123456789012.%s" % ext)
            assert result["exported"][ext] == str(path)
            assert not path.is_symlink() and stat.S_IMODE(os.lstat(str(path)).st_mode) == 0o600
            assert "alice" in path.read_text()
            if ext in held:
                assert held[ext].read() == "", "the planted file received the report"
        if kind == "symlink":
            assert sorted(os.listdir(str(other))) == ["theirs.csv", "theirs.json"]
            assert all((other / n).read_text() == "" for n in os.listdir(str(other)))
            assert all(stat.S_IMODE(os.stat(str(other / n)).st_mode) == 0o666 for n in os.listdir(str(other)))
        elif kind == "dangling-symlink":
            assert os.listdir(str(other)) == []
        assert sorted(os.listdir(str(out))) == ["credential-report-123456789012.csv",
                                                "credential-report-123456789012.json"]  # no temporary file
    finally:
        for f in held.values():
            f.close()


def test_a_second_export_replaces_the_first(iam, run_module, tmp_path):
    out = tmp_path / "reports"
    args = {"controls": ["iam.credential_report"], "export_dir": str(out)}
    user(iam, "alice")
    first = run_module(mod.DEFINITION.main, args, check_mode=True)["exported"]
    user(iam, "bob")
    iam.generate_credential_report()
    second = run_module(mod.DEFINITION.main, args, check_mode=True)["exported"]
    assert second == first
    assert [u["user"] for u in json.load(open(second["json"]))["users"]] == ["alice", "bob"]
    assert sorted(os.listdir(str(out))) == ["credential-report-123456789012.csv", "credential-report-123456789012.json"]


def test_a_failed_export_is_an_error_finding_and_leaves_no_temporary_file(iam, run_module, tmp_path, monkeypatch):
    import errno

    user(iam, "alice")
    out = tmp_path / "reports"
    out.mkdir()

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = run_module(mod.DEFINITION.main, {"controls": ["iam.credential_report"], "export_dir": str(out)},
                        check_mode=True)
    finding = one(result, "iam.credential_report")
    assert finding["status"] == "error" and "No space left on device" in finding["message"], finding
    assert os.listdir(str(out)) == []


def test_export_dir_that_is_a_file_is_refused_before_any_call(moto_server, run_module, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {"export_dir": str(target)})
    assert result["failed"] and "export_dir: %s exists and is not a directory" % target in result["msg"]
    assert rec.calls() == []


# --- safety: check mode, opt-ins off, enforce=false, bad input, faults ------------------------------

def test_check_mode_makes_no_write_even_with_every_opt_in(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    args = {"deactivate_unused_keys": True, "remove_unused_passwords": True, "deactivate_keys_older_than_days": 30}
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args, check_mode=True)
    assert rec.calls(), "the recorder saw no request at all"
    assert rec.writes() == []
    assert result["changed"] is True and result["actions"]                  # it says what it would do
    assert one(result, "iam.unused_credentials", "gina-stale")["status"] == "drift"
    assert "would deactivate key" in one(result, "iam.unused_credentials", "gina-stale")["message"]


def test_without_opt_ins_no_deactivate_delete_or_update_call_ever(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {})                                    # apply mode, defaults
    assert rec.calls()
    assert [c for c in rec.calls() if c[1] and c[1].startswith(WRITE_VERBS)] == []
    assert rec.writes() == []
    assert result["changed"] is False and result["actions"] == []
    statuses = result.statuses()
    for control in mod.REPORT_CONTROLS + mod.DETAILS_CONTROLS + ["iam.expired_server_certificates"]:
        assert statuses[control] == "fail", control                          # the insecure seed fails them all
    assert statuses["iam.credential_report"] == "pass"


def test_enforce_false_reports_drift_and_writes_nothing(moto_server, run_module):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, {"enforce": False, "deactivate_unused_keys": True,
                                                  "remove_unused_passwords": True})
    assert rec.writes() == []
    assert result["changed"] is False
    assert one(result, "iam.unused_credentials", "gina-stale")["status"] == "drift"


def test_audit_calls_do_not_grow_with_users(moto_server, run_module):
    def calls(count):
        moto_server.reset()
        seed.users(seed.session(moto_server.url), count)
        with Recorder(moto_server.url) as rec:
            result = run_module(mod.DEFINITION.main, {})
        assert result["users"] == count
        return sorted(op for _s, op, _r in rec.calls() if op != "GenerateCredentialReport")

    assert calls(5) == calls(60)


@pytest.mark.parametrize("args,message", [
    ({"unused_days": 0}, "unused_days: 0 is out of range"),
    ({"key_rotation_days": 0}, "key_rotation_days: 0 is out of range"),
    ({"deactivate_keys_older_than_days": 0}, "deactivate_keys_older_than_days: 0 is out of range"),
    ({"unused_days": 4000}, "unused_days: 4000 is out of range"),
    ({"unused_days": "soon"}, "unused_days"),
    ({"controls": ["iam.support_role"]}, "controls"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.DEFINITION.main, args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert rec.calls() == []


def test_aws_fault_is_an_error_finding_and_the_rest_is_evaluated(iam, run_module, monkeypatch):
    from botocore.exceptions import ClientError

    def denied(_iam, **_kw):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GenerateCredentialReport")

    monkeypatch.setattr(mod.credential_report, "fetch", denied)
    result = run_module(mod.DEFINITION.main, {})
    assert "failed" not in result
    statuses = result.statuses()
    for control in mod.REPORT_CONTROLS + ["iam.credential_report"]:
        assert statuses[control] == "error"
    assert "iam:GenerateCredentialReport" in one(result, "iam.credential_report")["message"]
    assert statuses["iam.permissions_via_groups"] == "pass"


def test_describe_error_is_what_the_error_finding_says():
    from botocore.exceptions import ClientError

    text = aws_utils.describe_error(ClientError({"Error": {"Code": "AccessDenied"}}, "ListServerCertificates"), "iam")
    assert "iam:ListServerCertificates" in text

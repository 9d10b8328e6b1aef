"""Bad input, module by module and role by role: every case fails before any AWS write, with
one clear line naming the option, and no traceback reaches the user.

Module cases run the module in-process (run_module) against moto_server with the recorder
on: a bad parameter must stop the module before its first API call (not even the identity
preflight). Connection cases (no credentials, an endpoint that does not answer or drops the
connection) fail at the preflight, which only reads. Role cases run harden.yml.
"""

import importlib
import json
import os
import socket

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import seed
from tests.support.fault_proxy import FaultProxy, Rule
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOOD_WAIVER = dict(control="iam.user_mfa", reason="break glass", expires="2999-01-01")


def module_main(name):
    return importlib.import_module("ansible_collections.bulwark.aws.plugins.modules." + name).main


# (module, arguments, text the message must contain: the option it names)
MODULE_CASES = [
    # wrong types
    ("iam_password_policy_check", dict(min_length="long"), "min_length"),
    ("iam_password_policy_check", dict(require_symbols="perhaps"), "require_symbols"),
    ("iam_password_policy_check", dict(controls="iam.password_policy.min_length,iam.nope"), "controls"),
    ("iam_password_policy_check", dict(waivers="iam.user_mfa"), "waivers"),
    ("iam_credential_audit", dict(unused_days="forty-five"), "unused_days"),
    ("iam_credential_audit", dict(deactivate_unused_keys="sometimes"), "deactivate_unused_keys"),
    # out of range thresholds
    ("iam_password_policy_check", dict(min_length=5), "min_length: 5 is out of range"),
    ("iam_password_policy_check", dict(min_length=129), "min_length: 129 is out of range"),
    ("iam_password_policy_check", dict(max_age=0), "max_age: 0 is out of range"),
    ("iam_password_policy_check", dict(reuse_prevention=25), "reuse_prevention: 25 is out of range"),
    ("iam_credential_audit", dict(unused_days=0), "unused_days: 0 is out of range"),
    ("iam_credential_audit", dict(key_rotation_days=-90), "key_rotation_days: -90 is out of range"),
    ("iam_credential_audit", dict(deactivate_keys_older_than_days=0), "deactivate_keys_older_than_days"),
    # unknown control ids, malformed waivers, unknown options
    ("iam_password_policy_check", dict(controls=["iam.password_policy.min_length", "iam.nope"]), "controls"),
    ("iam_credential_audit", dict(controls=["root.mfa"]), "controls"),
    ("iam_password_policy_check", dict(waivers=[dict(GOOD_WAIVER, control="iam.nope")]), "waivers[0].control"),
    ("iam_password_policy_check", dict(waivers=[dict(GOOD_WAIVER, expires="next year")]), "waivers[0].expires"),
    ("iam_password_policy_check", dict(waivers=[GOOD_WAIVER, dict(GOOD_WAIVER, reason=" ")]), "waivers[1].reason"),
    ("iam_password_policy_check", dict(min_lenght=14), "min_lenght"),
    # malformed regions, URLs, ARNs, names
    ("iam_password_policy_check", dict(region="us-east-7"), "region: 'us-east-7' is not an AWS region"),
    ("iam_password_policy_check", dict(region="eu_west_1"), "region"),
    ("iam_credential_audit", dict(endpoint_url="127.0.0.1:5000"), "endpoint_url"),
    ("iam_password_policy_check", dict(assume_role_arn="arn:aws:iam::1234:role/audit"), "assume_role_arn"),
    ("iam_password_policy_check", dict(assume_role_arn="arn:aws:iam::123456789012:user/audit"),
     "assume_role_arn"),
    ("iam_password_policy_check", dict(role_session_name="my session"), "role_session_name"),
    ("iam_credential_audit", dict(export_dir="/etc/hostname"), "export_dir"),
    # conflicting options
    ("iam_password_policy_check", dict(external_id="x-123"), "external_id is only used with assume_role_arn"),
    ("iam_password_policy_check", dict(access_key="AKIAIOSFODNN7EXAMPLE", secret_key=None, _no_env_secret=True),
     "access_key and secret_key go together"),
    # admin group, support role, MFA policy
    ("iam_admin_setup", dict(admin_user="ops-admin"), "admin_user: the admin user is created in the admin group"),
    ("iam_admin_setup", dict(admin_group_name="Bulwark Admins"), "admin_group_name"),
    ("iam_admin_setup", dict(mfa_policy_groups=["ops", "ops team"]), "mfa_policy_groups[1]"),
    ("iam_admin_setup", dict(support_role_trusted_arns=["arn:aws:iam::12:root"]), "support_role_trusted_arns[0]"),
    ("iam_admin_setup", dict(create_admin_group=True, admin_user="ops-admin",
                             admin_user_password_file="/no/such/dir/password"), "admin_user_password_file"),
    ("iam_admin_setup", dict(admin_user_password_file="/tmp/password"), "admin_user_password_file: give admin_user"),
    # network and storage
    ("network_security", dict(admin_ports=[22, 70000]), "admin_ports: 70000"),
    ("network_security", dict(flow_logs_retention_days=13), "flow_logs_retention_days"),
    ("network_security", dict(flow_logs_traffic_type="ACCEPT"), "flow_logs_traffic_type"),
    ("network_security", dict(regions=["eu-west-1", "mars-north-1"]), "regions: 'mars-north-1'"),
    ("log_metric_alarms", dict(guardduty_min_severity=11), "guardduty_min_severity: 11.0 must be a number from 1 to 10"),
    ("log_metric_alarms", dict(guardduty_min_severity="high"), "guardduty_min_severity"),
    ("storage_security", dict(bucket_concurrency=0), "bucket_concurrency: 0 is out of range"),
    ("storage_security", dict(enforce_bucket_tls="sometimes"), "enforce_bucket_tls"),
    # incident containment
    ("iam_contain", dict(user="mallory the intruder", export_evidence=False), "user"),
    ("iam_contain", dict(user="", export_evidence=False), "user"),
    ("iam_contain", dict(user="mallory", access_key_id="not-a-key", export_evidence=False), "access_key_id"),
    ("iam_contain", dict(user="mallory", revoke_sessions_before="2026-11-23T10:15:00Z", export_evidence=False),
     "revoke_sessions_before: give the role"),
    ("iam_contain", dict(user="mallory", role="ops", revoke_sessions_before="yesterday", export_evidence=False),
     "revoke_sessions_before"),
    ("iam_contain", dict(user="mallory", evidence_hours=0, export_evidence=False), "evidence_hours"),
    ("iam_contain", dict(user="mallory"), "evidence_dir"),
    ("iam_contain", dict(user="mallory", evidence_dir="/no/such/parent/evidence"), "evidence_dir"),
    # an instance and attacker addresses (ec2_contain)
    ("ec2_contain", dict(block_ips=["203.0.113.300"], vpc_ids=["vpc-0123456789abcdef0"], evidence_dir="/tmp"),
     "block_ips: '203.0.113.300' is not an IPv4 or IPv6 address or CIDR block"),
    ("ec2_contain", dict(block_ips=["2001:db8::1/64"], vpc_ids=["vpc-0123456789abcdef0"], evidence_dir="/tmp"),
     "block_ips: '2001:db8::1/64' has host bits set"),
    ("ec2_contain", dict(instance_id="i-xyz", evidence_dir="/tmp"), "instance_id: 'i-xyz' is not an EC2 instance id"),
    ("ec2_contain", dict(block_ips=["203.0.113.7"], evidence_dir="/tmp"),
     "block_ips: no VPC to put the deny entries in: add vpc_ids=[vpc-...]"),
    ("ec2_contain", dict(instance_id="i-0123456789abcdef0"), "evidence_dir: give a directory"),
    # incident investigation (a directory that is never created: the input fails first)
    ("investigate_principal", dict(access_key_id="not-a-key", evidence_dir="/no/such/investigation"),
     "access_key_id: 'not-a-key' is not an access key id"),
    ("investigate_principal", dict(user="mallory", since="91d", evidence_dir="/no/such/investigation"),
     "since: 91d is over 90 days"),
    ("investigate_principal", dict(user="mallory", since="3w", evidence_dir="/no/such/investigation"), "since"),
    ("investigate_principal", dict(user="mallory", role="deploy", evidence_dir="/no/such/investigation"),
     "give exactly one principal to investigate: user, access_key_id or role (got user, role)"),
    ("investigate_principal", dict(evidence_dir="/no/such/investigation"), "user: give exactly one principal"),
]


def _case_id(case):
    module, args, _expected = case
    return "%s-%s" % (module, "-".join(sorted(k for k in args if not k.startswith("_"))))


def _run_bad(run_module, moto_server, monkeypatch, module, args):
    args = dict(args)
    if args.pop("_no_env_secret", False):
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    args = dict((k, v) for k, v in args.items() if v is not None)
    main = module_main(module)
    with Recorder(moto_server.url) as rec:
        result = run_module(main, args)
    return result, rec


def assert_clear_failure(result, expect):
    text = json.dumps(result)
    assert result.get("failed") is True, result
    assert expect in result["msg"], result["msg"]
    assert "\n" not in result["msg"].strip(), result["msg"]
    assert "Traceback" not in text and "exception" not in result, result


@pytest.mark.parametrize("module,args,expect", MODULE_CASES, ids=[_case_id(c) for c in MODULE_CASES])
def test_bad_module_input_fails_before_any_call(run_module, moto_server, monkeypatch, module, args, expect):
    result, rec = _run_bad(run_module, moto_server, monkeypatch, module, args)
    assert_clear_failure(result, expect)
    assert rec.calls() == [], "a bad parameter reached AWS: %s" % rec.calls()


# --- connection: the identity preflight reads, and fails with one line -------------------------

@pytest.mark.parametrize("module,args", [("iam_password_policy_check", {}), ("iam_credential_audit", {}),
                                         ("iam_contain", dict(user="mallory", export_evidence=False)),
                                         ("investigate_principal",
                                          dict(user="mallory", evidence_dir="/no/such/investigation"))])
def test_no_credentials_at_all(run_module, moto_server, monkeypatch, module, args):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with Recorder(moto_server.url) as rec:
        result = run_module(module_main(module), args)
    assert_clear_failure(result, "no AWS credentials found")
    assert "access_key" in result["msg"] and "AWS_PROFILE" in result["msg"]
    assert rec.calls() == []


def test_unknown_profile(run_module, moto_server, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    with Recorder(moto_server.url) as rec:
        result = run_module(module_main("iam_password_policy_check"), dict(profile="no-such-profile"))
    assert_clear_failure(result, "profile")
    assert "no-such-profile" in result["msg"]
    assert rec.calls() == []


def _closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("module,args", [("iam_password_policy_check", {}), ("iam_credential_audit", {})])
def test_endpoint_that_does_not_answer(run_module, moto_server, monkeypatch, module, args):
    endpoint = "http://127.0.0.1:%d" % _closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    result = run_module(module_main(module), args)
    assert_clear_failure(result, "cannot reach the endpoint")
    assert "endpoint_url" in result["msg"] and endpoint in result["msg"]


def test_endpoint_that_drops_every_connection(run_module, moto_server, monkeypatch):
    with FaultProxy(moto_server.url, Rule("drop")) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        result = run_module(module_main("iam_password_policy_check"), {})
    assert_clear_failure(result, "endpoint_url")
    assert [s[:2] for s in proxy.seen] == [("sts", "GetCallerIdentity")] * 2  # the preflight, 2 attempts
    assert proxy.forwarded_writes == 0


# --- roles: argument specs and module validation through harden.yml ----------------------------

# Bad input fails the run under the default BULWARK_FAIL_ON=error (tests/support/playbook.py sets none).
DEFAULT_FAIL_ON = {"BULWARK_FAIL_ON": ""}

ROLE_CASES = [
    (["-e", "bulwark_iam_password_min_length=long"], "bulwark_iam_password_min_length"),
    (["-e", "bulwark_iam_password_min_length=5"], "bulwark_iam_password_min_length: 5 is out of range"),
    (["-e", "bulwark_iam_password_max_age_days=5000"], "bulwark_iam_password_max_age_days: 5000 is out of range"),
    (["-e", "bulwark_root_usage_window_days=0"], "bulwark_root_usage_window_days: 0 is out of range"),
    (["-e", "bulwark_audit_only=maybe"], "bulwark_audit_only"),
    (["-e", json.dumps({"bulwark_network_admin_ports": [22, 70000]})], "bulwark_network_admin_ports: 70000"),
    (["-e", "bulwark_network_flow_logs_retention_days=13"], "bulwark_network_flow_logs_retention_days"),
    (["-e", "bulwark_storage_bucket_concurrency=0"], "bulwark_storage_bucket_concurrency: 0 is out of range"),
    (["-e", "bulwark_monitoring_guardduty_min_severity=0.5"],
     "bulwark_monitoring_guardduty_min_severity: 0.5 must be a number from 1 to 10"),
    (["-e", "bulwark_monitoring_guardduty_min_severity=high"], "bulwark_monitoring_guardduty_min_severity"),
    (["-e", "bulwark_aws_region=mars-north-1"], "region: 'mars-north-1' is not an AWS region"),
    (["-e", json.dumps({"bulwark_waivers": [{"control": "iam.user_mfa", "reason": "x", "expires": "soon"}]})],
     "expires"),
    (["-e", json.dumps({"bulwark_waivers": "iam.user_mfa"})], "bulwark_waivers"),
]


@pytest.mark.parametrize("args,expect", ROLE_CASES, ids=[c[0][-1][:40] for c in ROLE_CASES])
def test_bad_role_variable_fails_before_any_write(moto_server, tmp_path, args, expect):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        run = run_playbook("harden.yml", moto_server.env(), *args, report_dir=tmp_path / "report",
                           extra_env=DEFAULT_FAIL_ON)
    output = run.stdout + run.stderr
    assert run.returncode != 0, run
    assert expect in output, run
    assert "Traceback" not in output, run
    assert rec.writes() == [], "a bad variable let a write through: %s" % rec.writes()


def test_playbook_without_credentials(moto_server, tmp_path):
    env = moto_server.env()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    with Recorder(moto_server.url) as rec:
        run = run_playbook("harden.yml", env, "-vvv", report_dir=tmp_path / "report", extra_env=DEFAULT_FAIL_ON)
    output = run.stdout + run.stderr
    assert run.returncode != 0, run
    assert "no AWS credentials found" in output, run
    assert "Traceback" not in output, run
    assert rec.calls() == []
    # The account is still in the report: every control an error saying why.
    assert set(run.statuses()) == set(controls.CONTROLS)
    assert all(f["status"] == "error" and "no AWS credentials found" in f["message"] for f in run.findings())


def test_playbook_against_an_endpoint_that_does_not_answer(moto_server, tmp_path):
    endpoint = "http://127.0.0.1:%d" % _closed_port()
    env = dict(moto_server.env(), AWS_ENDPOINT_URL=endpoint)
    run = run_playbook("harden.yml", env, "-vvv", report_dir=tmp_path / "report", extra_env=DEFAULT_FAIL_ON)
    output = run.stdout + run.stderr
    assert run.returncode != 0, run
    assert "cannot reach the endpoint" in output and endpoint in output, run
    assert "Traceback" not in output, run

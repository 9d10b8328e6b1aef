"""Faults over the whole harden.yml: throttling, AccessDenied on one service, a region that
answers 503, an apply run killed halfway. Every case is bounded: a chosen share, a chosen
service or region, and AWS_RETRY_MODE / AWS_MAX_ATTEMPTS set so a run takes seconds, not
minutes (benchmarks/retry_modes.py measures what each retry mode costs).

Modules reach moto through tests/support/fault_proxy.py (AWS_ENDPOINT_URL = the proxy);
findings are compared through the drift report (report.json).
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import procs, seed
from tests.support.fault_proxy import FaultProxy, Rule
from tests.support.moto_gaps import real_errors
from tests.support.playbook import REPO, ansible_env, run_playbook

# Standard mode: botocore's backoff without adaptive's client-side rate limiter, which costs
# about 2.4x the time under 30 % throttling (benchmarks/retry_modes.py); the findings must
# not depend on the mode, only the time does.
STANDARD_RETRIES = {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "10"}
FEW_RETRIES = {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"}


def owner_vars():
    """The values only the account owner knows (access log bucket, alarm email), as -e."""
    return ["-e", json.dumps(seed.playbook_vars())]


def key(f):
    return (f["control"], f["status"], f["resource"], f["region"])


def findings(run):
    return sorted(key(f) for f in run.findings())


@pytest.fixture
def insecure(moto_server):
    seed.seed("insecure", moto_server.url)
    return moto_server


def harden(moto_server, tmp_path, name, *args, proxy=None, extra_env=None):
    env = moto_server.env()
    if proxy is not None:
        env["AWS_ENDPOINT_URL"] = proxy.url
    run = run_playbook("harden.yml", env, *args, report_dir=tmp_path / name, extra_env=extra_env)
    assert "Traceback" not in run.stdout + run.stderr, run
    return run


# --- throttling ----------------------------------------------------------------------------------

def test_thirty_percent_throttling_changes_no_finding(insecure, tmp_path):
    clean = harden(insecure, tmp_path, "clean", "--check")
    assert clean.returncode == 0, clean
    with FaultProxy(insecure.url, Rule("throttle", share=0.3), seed=3) as proxy:
        throttled = harden(insecure, tmp_path, "throttled", "--check", proxy=proxy, extra_env=STANDARD_RETRIES)
    assert throttled.returncode == 0, throttled
    # The faults really happened: about 30 % of every request, retries included.
    assert proxy.total("throttle") >= max(3, 0.15 * len(proxy.seen)), (len(proxy.seen), proxy.injected)
    services = set(k[1] for k in proxy.injected)
    assert {"sts", "iam"} <= services, services
    assert findings(throttled) == findings(clean)
    assert real_errors(throttled.findings()) == []


# --- AccessDenied on one service -----------------------------------------------------------------

DENY_CASES = [
    pytest.param(Rule("deny", service="iam", operation="GetAccountPasswordPolicy"),
                 lambda c: c.startswith("iam.password_policy."), "iam:GetAccountPasswordPolicy", id="iam-password-policy"),
    pytest.param(Rule("deny", service="guardduty"), lambda c: c.startswith("guardduty."), "guardduty:",
                 id="guardduty"),
]


@pytest.mark.parametrize("rule,denied,permission", DENY_CASES)
def test_access_denied_on_one_service_errors_only_its_controls(insecure, tmp_path, rule, denied, permission):
    clean = harden(insecure, tmp_path, "clean", "--check")
    assert clean.returncode == 0, clean
    with FaultProxy(insecure.url, rule) as proxy:
        run = harden(insecure, tmp_path, "denied", "--check", proxy=proxy, extra_env=STANDARD_RETRIES)
    assert run.returncode == 0, run  # the play completes
    assert proxy.total("deny") >= 1
    report = run.report  # and writes the report
    assert report["mode"] == "check"
    errors = real_errors(run.findings())
    assert errors, "the denied service produced no error finding"
    assert set(f["control"] for f in errors) == set(c for c in clean.statuses() if denied(c))
    for f in errors:
        assert permission in f["message"] and "grant " in f["message"], f
        assert "\n" not in f["message"]
    # Everything else was evaluated, and exactly as without the fault.
    assert [k for k in findings(run) if not denied(k[0])] == [k for k in findings(clean) if not denied(k[0])]


# --- one region unavailable ----------------------------------------------------------------------

def test_503_in_one_region_errors_that_region_only(insecure, tmp_path):
    clean = harden(insecure, tmp_path, "clean", "--check")
    assert clean.returncode == 0, clean
    with FaultProxy(insecure.url, Rule("503", region="eu-west-1")) as proxy:
        run = harden(insecure, tmp_path, "region-down", "--check", proxy=proxy, extra_env=FEW_RETRIES)
    assert run.returncode == 0, run
    assert proxy.total("503") >= 1
    errors = real_errors(run.findings())
    assert errors and set(f["region"] for f in errors) == {"eu-west-1"}, errors
    assert [k for k in findings(run) if k[3] != "eu-west-1"] == [k for k in findings(clean) if k[3] != "eu-west-1"]


# --- an apply run killed halfway -----------------------------------------------------------------

def account_state(url):
    """What exists, by name and count (ids differ between runs): a second copy of anything shows."""
    sess = seed.session(url)
    iam = seed.client(sess, "iam")
    state = {}

    def pages(client, op, field, **kw):
        return [item for page in client.get_paginator(op).paginate(**kw) for item in page[field]]

    state["iam.users"] = sorted(u["UserName"] for u in pages(iam, "list_users", "Users"))
    state["iam.groups"] = sorted(g["GroupName"] for g in pages(iam, "list_groups", "Groups"))
    state["iam.roles"] = sorted(r["RoleName"] for r in pages(iam, "list_roles", "Roles"))
    state["iam.policies"] = sorted((p["PolicyName"], p["AttachmentCount"])
                                   for p in pages(iam, "list_policies", "Policies", Scope="Local"))
    state["iam.keys"] = sorted((u, k["Status"]) for u in state["iam.users"]
                               for k in iam.list_access_keys(UserName=u)["AccessKeyMetadata"])
    try:
        state["iam.password_policy"] = sorted(iam.get_account_password_policy()["PasswordPolicy"].items())
    except iam.exceptions.NoSuchEntityException:
        state["iam.password_policy"] = None
    state["cloudtrail.trails"] = sorted(t["Name"] for t in seed.client(sess, "cloudtrail").describe_trails()["trailList"])
    state["s3.buckets"] = sorted(b["Name"] for b in seed.client(sess, "s3").list_buckets()["Buckets"])
    state["kms.keys"] = len(seed.client(sess, "kms").list_keys()["Keys"])
    state["sns.topics"] = sorted(t["TopicArn"] for t in seed.client(sess, "sns").list_topics()["Topics"])
    state["logs.groups"] = sorted(g["logGroupName"] for g in seed.client(sess, "logs").describe_log_groups()["logGroups"])
    state["cloudwatch.alarms"] = sorted(a["AlarmName"] for a in
                                        seed.client(sess, "cloudwatch").describe_alarms()["MetricAlarms"])
    regions = [r["RegionName"] for r in seed.client(sess, "ec2").describe_regions()["Regions"]]
    state["guardduty.detectors"] = dict((r, len(seed.client(sess, "guardduty", r).list_detectors()["DetectorIds"]))
                                        for r in regions)
    state["config.recorders"] = dict(
        (r, len(seed.client(sess, "config", r).describe_configuration_recorders()["ConfigurationRecorders"]))
        for r in regions)
    return state


def start_apply(moto_server, proxy, report_dir):
    env = ansible_env(dict(moto_server.env(), AWS_ENDPOINT_URL=proxy.url), report_dir)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "harden.yml"] + owner_vars()
    return procs.start(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_run(proc):
    """SIGKILL the run: ansible-playbook, its workers and the modules they run. Its process
    group alone is not enough: each worker calls setsid() (tests/support/procs.py)."""
    procs.stop(proc)


SLEEPER = """\
- name: A task that runs until it is killed
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Sleep
      ansible.builtin.command: sleep 600
      changed_when: false
"""


def test_a_killed_run_leaves_no_process_behind(tmp_path):
    """The kill of test_apply_killed_halfway_then_rerun_converges_without_duplicates, on a run
    whose task never ends: nothing it started survives, not even the worker that left
    ansible-playbook's process group (setsid) or the command that worker runs."""
    playbook = tmp_path / "sleep.yml"
    playbook.write_text(SLEEPER)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)]
    proc = procs.start(cmd, cwd=str(tmp_path), env=ansible_env(os.environ), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while "sleep 600" not in procs.describe(procs.members(proc)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        running = procs.members(proc)
        assert len(running) >= 3, procs.describe(running)  # ansible-playbook, its worker, the command
        kill_run(proc)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, (out, err)
        left = procs.members(proc)
        assert left == [], "still running after the kill: %s" % procs.describe(left)
    finally:
        procs.stop(proc)


def test_a_run_that_times_out_leaves_no_process_behind(tmp_path):
    """run_playbook's timeout (tests/support/playbook.py, through procs.run) ends the whole run:
    subprocess.run's own would kill ansible-playbook alone and leave its worker running."""
    playbook = tmp_path / "sleep.yml"
    playbook.write_text(SLEEPER.replace("sleep 600", "sh -c 'touch started; exec sleep 600'"))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)]
    mark = "timeout-%d" % os.getpid()
    with pytest.raises(subprocess.TimeoutExpired):
        procs.run(cmd, cwd=str(tmp_path), env=ansible_env(os.environ), mark=mark, timeout=20)
    assert (tmp_path / "started").exists(), "the command never ran: the test proves nothing"
    left = procs.members(mark)
    assert left == [], "still running after the timeout: %s" % procs.describe(left)


def test_apply_killed_halfway_then_rerun_converges_without_duplicates(moto_server, tmp_path):
    # The reference: one uninterrupted apply, counting its writes.
    seed.seed("insecure", moto_server.url)
    with FaultProxy(moto_server.url) as proxy:
        reference = harden(moto_server, tmp_path, "reference", *owner_vars(), proxy=proxy)
    assert reference.returncode == 0, reference
    total_writes = proxy.forwarded_writes
    assert total_writes >= 2, "a full apply on the insecure seed should write several times"
    expected = account_state(moto_server.url)

    # The same account again, killed once half of those writes went through.
    moto_server.reset()
    seed.seed("insecure", moto_server.url)
    halfway = max(1, total_writes // 2)
    # The proxy holds every request after the last of those writes: the run freezes right there.
    with FaultProxy(moto_server.url, hold_after_writes=halfway) as proxy:
        proc = start_apply(moto_server, proxy, tmp_path / "killed")
        try:
            reached = proxy.wait_for_writes(halfway, timeout=600)
        finally:
            kill_run(proc)
            out, err = proc.communicate(timeout=60)
    assert procs.members(proc) == [], "the killed run left processes behind"
    assert reached, "the apply never reached %d writes:\n%s\n%s" % (halfway, out[-3000:], err[-2000:])
    assert proc.returncode == -signal.SIGKILL, "the apply finished before it could be killed"
    assert halfway <= proxy.forwarded_writes < total_writes

    rerun = harden(moto_server, tmp_path, "rerun", *owner_vars())
    assert rerun.returncode == 0, rerun
    verify = harden(moto_server, tmp_path, "verify", "--check")
    assert verify.returncode == 0, verify
    auto = [c for c in verify.statuses() if controls.get(c).remediation_kind == "auto"]
    assert auto
    assert verify.auto_left() == [], verify.auto_left()
    # Nothing made twice: the account looks exactly like after one uninterrupted apply.
    assert account_state(moto_server.url) == expected

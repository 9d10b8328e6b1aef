"""playbooks/investigate.yml end to end against moto_server: read-only, the evidence directory it
prints, --check, -e evidence_dir, bad input, regions, and what it finds in a compromised account.

moto_server has no LookupEvents (HTTP 500 in every region). With the insecure seed, nothing is
emulated: every run is the case the playbook documents as exit status 2 (the evidence is written
and printed, then the run fails because no region's event history could be read). The tests
named "emulated" run on tests/support/seeds/compromise.py, whose CloudTrail records are answered
by the EMULATED LookupEvents of tests/support/cloudtrail_events.py (test support only; the
product calls the real API).
"""

import hashlib
import json
import os
import re
import stat

import pytest

from tests.support import cloudtrail_events, seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder

PLAYBOOK = "playbooks/investigate.yml"
USER = "bob-two-keys"  # tests/support/seeds/iam.py: two active keys
# LookupEvents answers 500 on moto_server: few retries.
FAST_FAIL = {"AWS_MAX_ATTEMPTS": "2"}
FILES = {"timeline.json", "timeline.md", "inventory.json", "inventory.md", "summary.md", "SHA256SUMS"}
NO_TIMELINE = "No region's CloudTrail event history could be read"


@pytest.fixture
def server(moto_server):
    seed.seed("insecure", moto_server.url)
    return moto_server


def investigate(server, tmp_path, name, *args):
    return run_playbook(PLAYBOOK, server.env(), *args, report_dir=tmp_path / name, extra_env=FAST_FAIL)


def printed_evidence_dir(run):
    found = re.findall(r"Evidence: (/\S+) \(", run.stdout)
    assert len(found) == 1, run
    return found[0]


def assert_files(directory):
    """The six files, 0600, SHA256SUMS right."""
    assert set(os.listdir(directory)) == FILES
    for name in FILES:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600, name
    with open(os.path.join(directory, "SHA256SUMS")) as f:
        sums = [line.split("  ", 1) for line in f.read().splitlines()]
    assert sorted(name for _sum, name in sums) == sorted(FILES - {"SHA256SUMS"})
    for digest, name in sums:
        with open(os.path.join(directory, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, name


def assert_evidence(directory):
    """The files of a run where moto's LookupEvents gap failed every region."""
    assert_files(directory)
    with open(os.path.join(directory, "timeline.json")) as f:
        timeline = json.load(f)
    with open(os.path.join(directory, "timeline.md")) as f:
        timeline_md = f.read()
    assert timeline["regions"] and "us-east-1" in timeline["regions"]
    for region in timeline["regions"]:  # one error line per region, naming the call
        assert len([e for e in timeline["errors"] if e.startswith(region + " cloudtrail LookupEvents")]) == 1
        assert len([line for line in timeline_md.splitlines()
                    if line.startswith("- %s cloudtrail LookupEvents" % region)]) == 1, region
    assert timeline["events"] == []
    return timeline


def test_investigating_a_seeded_user_writes_the_evidence_and_reads_only(server, tmp_path):
    with Recorder(server.url) as rec:
        run = investigate(server, tmp_path, "run", "-e", "user=%s" % USER)
    assert rec.writes() == []
    assert any(op == "LookupEvents" for _service, op, _region in rec.calls())
    # The documented exit status when no region's event history could be read.
    assert run.returncode == 2, run
    assert NO_TIMELINE in run.stdout, run
    directory = printed_evidence_dir(run)
    assert directory == os.path.join(str(tmp_path / "run"), "investigation")
    timeline = assert_evidence(directory)
    assert timeline["principal"]["name"] == USER
    with open(os.path.join(directory, "summary.md")) as f:
        summary = f.read()
    assert "ansible-playbook bulwark.aws.contain -e user=%s" % USER in summary
    assert "first None" not in summary and "- When: 0 events" in summary  # no event, no first/last time
    assert "<html" not in run.stdout + summary  # moto's HTML error page is not echoed


def test_check_mode_and_evidence_dir(server, tmp_path):
    """--check still writes the local evidence (the investigation only reads); -e evidence_dir is honoured."""
    wanted = tmp_path / "incident-42"
    with Recorder(server.url) as rec:
        run = investigate(server, tmp_path, "check", "-e", "user=%s" % USER, "-e", "evidence_dir=%s" % wanted,
                          "--check")
    assert rec.writes() == []
    assert run.returncode == 2, run
    assert printed_evidence_dir(run) == str(wanted)
    assert_evidence(str(wanted))
    assert not os.path.exists(tmp_path / "check" / "investigation")

    # The same directory again: evidence is never overwritten; one line, only the preflight read.
    with Recorder(server.url) as rec:
        again = investigate(server, tmp_path, "again", "-e", "user=%s" % USER, "-e", "evidence_dir=%s" % wanted)
    assert again.returncode == 2, again
    assert "-e evidence_dir: %s already holds" % wanted in again.stdout, again
    assert rec.calls() == []


@pytest.mark.parametrize("args,expect", [
    (["-e", "access_key_id=not-a-key"], "-e access_key_id: 'not-a-key' is not an access key id"),
    (["-e", "user=%s" % USER, "-e", "since=200d"], "-e since: 200d is over 90 days"),
    ([], "give exactly one principal to investigate: -e user, -e access_key_id or -e role (none given)"),
    (["-e", "user=%s" % USER, "-e", "role=deploy"], "(got -e user, -e role)"),
    (["-e", "user=%s" % USER, "-e", "bulwark_investigate_regions=us-east-1,mars-1"],
     "-e bulwark_investigate_regions: 'mars-1' is not an AWS region"),
], ids=["malformed-key", "since-over-90-days", "no-principal", "two-principals", "unknown-region"])
def test_bad_input_stops_before_any_call(server, tmp_path, args, expect):
    with Recorder(server.url) as rec:
        run = investigate(server, tmp_path, "bad", *args)
    assert run.returncode == 2, run
    assert rec.calls() == []
    failed = [line for line in run.stdout.splitlines() if line.startswith("fatal:")]
    assert len(failed) == 1 and expect in failed[0], run
    assert "Traceback" not in run.stdout + run.stderr
    assert not os.path.exists(tmp_path / "bad" / "investigation")


def test_an_unknown_user_stops_after_reads_only(server, tmp_path):
    with Recorder(server.url) as rec:
        run = investigate(server, tmp_path, "unknown", "-e", "user=nobody-here")
    assert run.returncode == 2, run
    assert rec.writes() == []
    assert [op for _service, op, _region in rec.calls()] == ["GetCallerIdentity", "GetUser"]
    assert "-e user: nobody-here does not exist in account" in run.stdout, run
    assert not os.path.exists(tmp_path / "unknown" / "investigation")


# --- a compromised account, its CloudTrail records answered by the EMULATED LookupEvents ----------

BASE = "ansible-playbook bulwark.aws.contain "


@pytest.fixture
def compromised(moto_server):
    """tests/support/seeds/compromise.py: what the attacker made, with the real ids."""
    from tests.support.seeds import compromise

    return compromise.compromised(seed.session(moto_server.url))


def evidence(run):
    directory = printed_evidence_dir(run)
    with open(os.path.join(directory, "timeline.json")) as f:
        timeline = json.load(f)
    with open(os.path.join(directory, "inventory.json")) as f:
        inventory = json.load(f)
    with open(os.path.join(directory, "summary.md")) as f:
        summary = f.read()
    return directory, timeline, inventory, summary


def marked(inventory):
    return dict((i["id"], i["created_by_principal"]) for i in inventory["items"])


def lookups_by_region(rec):
    return sorted(set(region for _service, op, region in rec.calls() if op == "LookupEvents"))


def test_emulated_compromise_found_in_three_regions_with_no_write(moto_server, compromised, tmp_path):
    with Recorder(moto_server.url) as rec:
        run = investigate(moto_server, tmp_path, "run", "-e", "user=mallory-ci")
    assert run.returncode == 0, run
    assert rec.writes() == []
    assert len(lookups_by_region(rec)) > 3  # every enabled region was read, not only those with events
    directory, timeline, inventory, summary = evidence(run)
    assert_files(directory)
    events = timeline["events"]
    assert len(events) == sum(compromised["attacker_events"].values())
    assert timeline["summary"]["regions"] == compromised["attacker_events"]
    assert timeline["errors"] == []
    times = [e["time"] for e in events]
    assert times == sorted(times, reverse=True)
    assert set(e["username"] for e in events) == {"mallory-ci"}  # the owners' event is not the attacker's
    assert [e["event"] for e in events if e["error"]] == ["AttachUserPolicy"]
    assert set(timeline["summary"]["source_ips"]) == set(compromised["source_ips"])
    for value in compromised["source_ips"] + compromised["regions"]:
        assert value in summary.split("## Created")[0], value
    made = marked(inventory)
    for region in compromised["regions"]:
        assert made[compromised["instances"][region]] is True and made[compromised["groups"][region]] is True
    assert made["svc-backup"] is True and made[compromised["backdoor_key"]] is True
    assert made[compromised["bucket"]] is True and made[compromised["function"]] is True
    assert made[compromised["owners_instance"]] is False and made["alice-admin"] is False
    assert made[compromised["attacker_key"]] is False  # the owners made mallory-ci's key, before
    assert inventory["created_elsewhere"] == []
    commands = summary.split("## Containment: run next")[1]
    assert BASE + "-e user=mallory-ci\n" in commands
    ips = ",".join(sorted(compromised["source_ips"]))
    for region in compromised["regions"]:
        assert BASE + "-e instance_id=%s -e bulwark_aws_region=%s\n" % (compromised["instances"][region], region) \
            in commands
        assert BASE + "-e 'block_ips=[%s]' -e 'vpc_ids=[%s]' -e bulwark_aws_region=%s\n" % (
            ips, compromised["vpcs"][region], region) in commands
    assert compromised["owners_instance"] not in commands
    assert "Evidence: %s (%d events" % (directory, len(events)) in run.stdout


def test_emulated_check_mode_reads_only_the_regions_given(moto_server, compromised, tmp_path):
    """-e bulwark_investigate_regions narrows the regions read, in --check, with no write."""
    with Recorder(moto_server.url) as rec:
        run = investigate(moto_server, tmp_path, "check", "-e", "user=mallory-ci",
                          "-e", "bulwark_investigate_regions=us-east-1,eu-west-1", "--check")
    assert run.returncode == 0, run
    assert rec.writes() == []
    assert lookups_by_region(rec) == ["eu-west-1", "us-east-1"]
    assert set(region for _service, _op, region in rec.calls()) <= {"us-east-1", "eu-west-1"}
    _directory, timeline, inventory, _summary = evidence(run)
    assert timeline["regions"] == ["us-east-1", "eu-west-1"]
    assert set(timeline["summary"]["regions"]) == {"us-east-1", "eu-west-1"}
    assert len(timeline["events"]) == compromised["attacker_events"]["us-east-1"] + \
        compromised["attacker_events"]["eu-west-1"]
    assert compromised["instances"]["ap-southeast-2"] not in marked(inventory)


def test_emulated_access_key_finds_the_same_events(moto_server, compromised, tmp_path):
    key = compromised["attacker_key"]
    with Recorder(moto_server.url) as rec:
        run = investigate(moto_server, tmp_path, "key", "-e", "access_key_id=%s" % key,
                          "-e", "bulwark_investigate_regions=%s" % ",".join(compromised["regions"]))
    assert run.returncode == 0, run
    assert rec.writes() == []
    _directory, timeline, _inventory, summary = evidence(run)
    assert len(timeline["events"]) == sum(compromised["attacker_events"].values())
    assert set(e["access_key_id"] for e in timeline["events"]) == {key}
    assert "- The access key belongs to user mallory-ci" in summary
    assert BASE + "-e access_key_id=%s\n" % key in summary and "-e user=" not in summary


def test_emulated_role_by_arn_and_by_name_then_its_session(moto_server, compromised, tmp_path):
    """AssumeRole names ci-deploy by ARN, AttachRolePolicy by name; ListBuckets is the session's."""
    with Recorder(moto_server.url) as rec:
        run = investigate(moto_server, tmp_path, "role", "-e", "role=ci-deploy",
                          "-e", "bulwark_investigate_regions=us-east-1,eu-west-1")
    assert run.returncode == 0, run
    assert rec.writes() == []
    _directory, timeline, _inventory, summary = evidence(run)
    assert [e["event"] for e in timeline["events"]] == ["ListBuckets", "AssumeRole", "AttachRolePolicy"]
    assert timeline["events"][0]["access_key_id"] == compromised["session_key"]
    assert compromised["role_arn"] in timeline["events"][1]["resources"]
    assert BASE + "-e role=ci-deploy\n" in summary and BASE + "-e user=mallory-ci\n" in summary


def test_emulated_region_that_fails_is_an_error_line_and_the_others_are_read(moto_server, compromised, tmp_path):
    cloudtrail_events.seed(moto_server.url, failures={"eu-west-1": {
        "code": "AccessDeniedException", "message": "denied by an SCP (injected by the test)"}})
    run = investigate(moto_server, tmp_path, "fault", "-e", "user=mallory-ci",
                      "-e", "bulwark_investigate_regions=%s" % ",".join(compromised["regions"]))
    assert run.returncode == 0, run
    assert "Traceback" not in run.stdout + run.stderr
    _directory, timeline, _inventory, summary = evidence(run)
    errors = [e for e in timeline["errors"] if e.startswith("eu-west-1 cloudtrail LookupEvents")]
    assert len(errors) == 1 and "AccessDeniedException" in errors[0], timeline["errors"]
    assert len(timeline["errors"]) == 1
    assert set(timeline["summary"]["regions"]) == {"us-east-1", "ap-southeast-2"}
    assert errors[0] in summary and errors[0] in run.stdout


def test_emulated_summary_commands_run_as_printed(moto_server, compromised, tmp_path):
    """The contain.yml commands summary.md prints work as typed: one of each kind, with --check."""
    import shlex

    run = investigate(moto_server, tmp_path, "run", "-e", "user=mallory-ci",
                      "-e", "bulwark_investigate_regions=%s" % ",".join(compromised["regions"]))
    assert run.returncode == 0, run
    commands = [line for line in evidence(run)[3].split("## Containment: run next")[1].splitlines()
                if line.startswith(BASE)]
    kinds = dict((re.search(r"-e '?(\w+)=", line).group(1), line) for line in commands)
    assert set(kinds) == {"user", "instance_id", "block_ips"}, commands
    for kind, line in sorted(kinds.items()):
        args = shlex.split(line[len(BASE):])
        with Recorder(moto_server.url) as rec:
            contain = run_playbook("playbooks/contain.yml", moto_server.env(), *(args + ["--check"]),
                                   report_dir=tmp_path / ("contain-" + kind),
                                   extra_env={"BULWARK_EVIDENCE_DIR": str(tmp_path / ("evidence-" + kind))})
        assert contain.returncode == 0, (line, contain)
        assert rec.writes() == [], line
        assert "would" in contain.stdout, (line, contain.stdout[-2000:])

"""playbooks/investigate.yml end to end against moto_server with the insecure seed: read-only,
the evidence directory it prints, --check, -e evidence_dir, bad input.

moto_server has no LookupEvents (HTTP 500 in every region), so every run here is the case the
playbook documents as exit status 2: the evidence is written and printed, then the run fails
because no region's event history could be read. Timelines with events are the unit tests'
(tests/unit/test_investigate_principal.py, LookupEvents stubbed).
"""

import hashlib
import json
import os
import re
import stat

import pytest

from tests.support import seed
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


def assert_evidence(directory):
    assert set(os.listdir(directory)) == FILES
    for name in FILES:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600, name
    with open(os.path.join(directory, "SHA256SUMS")) as f:
        sums = [line.split("  ", 1) for line in f.read().splitlines()]
    assert sorted(name for _sum, name in sums) == sorted(FILES - {"SHA256SUMS"})
    for digest, name in sums:
        with open(os.path.join(directory, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, name
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
], ids=["malformed-key", "since-over-90-days", "no-principal", "two-principals"])
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

"""The installed collection is the product: the README's "Use it" from the built tarball, in an
empty directory, without this repository's ansible.cfg, against moto_server. And a run from the
checkout leaves nothing the release tarball would pack."""

import json
import os
import re
import shutil
import stat
import sys
import tarfile

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import procs, seed
from tests.support.moto_gaps import real_errors
from tests.support.moto_server import ACCOUNT_ID
from tests.support.playbook import REPO, PlaybookRun, run_playbook

BIN = os.path.dirname(sys.executable)
REPORTS = re.compile(r"reports: (\S+) \(report.md, report.html, report.json, report.junit.xml\)")


def command(args, cwd, env, timeout=900):
    proc = procs.run([os.path.join(BIN, args[0])] + list(args[1:]), cwd=str(cwd), env=env, timeout=timeout)
    return PlaybookRun(proc, None)


def user_env(base, collections=None):
    """What a user's shell has: no ANSIBLE_CONFIG, no bulwark setting, the collection installed."""
    env = dict((k, v) for k, v in base.items() if not k.startswith(("ANSIBLE_", "BULWARK_")))
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_NOCOLOR"] = "1"
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    return env


def tarball_names(tarball):
    with tarfile.open(str(tarball)) as tar:
        return tar.getnames()


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    run = command(["ansible-galaxy", "collection", "build", "--output-path", str(out), REPO], out,
                  user_env(os.environ))
    assert run.returncode == 0, run
    found = [p for p in os.listdir(str(out)) if p.endswith(".tar.gz")]
    assert len(found) == 1, found
    return out / found[0]


@pytest.fixture(scope="module")
def collections(tarball, tmp_path_factory):
    path = tmp_path_factory.mktemp("collections")
    run = command(["ansible-galaxy", "collection", "install", "--offline", "-p", str(path), str(tarball)], path,
                  user_env(os.environ, path))
    assert run.returncode == 0, run
    return path


def the_run_directory(run, workdir):
    """The directory the run printed, which must be a new one under ./bulwark-reports/."""
    printed = REPORTS.findall(run.stdout)
    assert len(printed) == 1, run
    directory = printed[0].rstrip('",')
    assert os.path.dirname(directory) == str(workdir / "bulwark-reports"), directory
    return directory


def test_use_it_from_the_tarball_in_an_empty_directory(moto_server, collections, tmp_path):
    seed.seed("insecure", moto_server.url)
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = user_env(moto_server.env(), collections)
    owner = ["-e", json.dumps(seed.playbook_vars())]

    # ansible-playbook bulwark.aws.harden --check: the account the credentials reach, no inventory.
    audit = command(["ansible-playbook", "bulwark.aws.harden", "--check"] + owner, workdir, env)
    # moto lacks IAM Access Analyzer: its control is `error`, and the default BULWARK_FAIL_ON=error
    # fails the run, after the report is written.
    assert audit.returncode == 2, audit
    directory = the_run_directory(audit, workdir)
    audit.report_dir = directory
    report = audit.report
    assert report["totals"]["error"] > 0
    assert "BULWARK_FAIL_ON=error: %d finding(s) or task error(s) are error; read %s/report.md" % (
        report["totals"]["error"], directory) in audit.stdout
    assert report["mode"] == "check" and report["accounts"][0]["host"] == "localhost"
    assert report["accounts"][0]["account_id"] == ACCOUNT_ID and report["accounts"][0]["errors"] == []
    assert set(audit.statuses()) == set(controls.CONTROLS)
    assert real_errors(audit.findings()) == []
    names = sorted(os.listdir(directory))
    credential_reports = ["credential-report-%s.csv" % ACCOUNT_ID, "credential-report-%s.json" % ACCOUNT_ID]
    assert names == sorted(["report.json", "report.md", "report.html", "report.junit.xml"] + credential_reports)
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600, name
    assert sorted(os.listdir(str(workdir))) == ["bulwark-reports"]  # nothing else written here

    # With the controls moto cannot evaluate turned off: nothing is an error, the run passes...
    no_gap = owner + ["-e", "bulwark_control_iam_access_analyzer=false", "-e", "bulwark_control_network_imdsv2=false"]
    clean = command(["ansible-playbook", "bulwark.aws.harden", "--check"] + no_gap, workdir, env)
    assert clean.returncode == 0, clean
    # ...unless BULWARK_FAIL_ON=drift asks to fail on drift.
    strict = command(["ansible-playbook", "bulwark.aws.harden", "--check"] + no_gap, workdir,
                     dict(env, BULWARK_FAIL_ON="drift"))
    assert strict.returncode == 2, strict
    assert "BULWARK_FAIL_ON=drift: " in strict.stdout + strict.stderr

    # ansible-playbook bulwark.aws.harden: fixes what the roles fix automatically. (Security Hub,
    # once enabled, answers calls moto lacks too: BULWARK_FAIL_ON=none, the report is read instead.)
    apply = command(["ansible-playbook", "bulwark.aws.harden"] + no_gap, workdir, dict(env, BULWARK_FAIL_ON="none"))
    assert apply.returncode == 0, apply
    assert apply.recap["localhost"]["changed"] == 1
    apply.report_dir = the_run_directory(apply, workdir)
    assert apply.report["mode"] == "apply" and apply.report["totals"]["fixed"] > 0
    assert real_errors(apply.findings()) == []
    assert len([d for d in os.listdir(str(workdir / "bulwark-reports")) if d != "latest"]) == 4
    assert os.path.realpath(str(workdir / "bulwark-reports" / "latest")) == apply.report_dir


def test_an_organization_inventory_that_gives_no_host_stops_the_run(moto_server, collections, tmp_path):
    """Without the checkout's unparsed_is_failed, a broken inventory must not fall back to localhost."""
    workdir = tmp_path / "org"
    workdir.mkdir()
    inventory = workdir / "prod.organization.yml"
    inventory.write_text("plugin: bulwark.aws.organization\n")  # moto has no Organization: the plugin fails
    run = command(["ansible-playbook", "bulwark.aws.harden", "--check", "-i", str(inventory)], workdir,
                  user_env(moto_server.env(), collections))
    assert run.returncode != 0, run
    assert "gave no host" in run.stdout + run.stderr
    assert not (workdir / "bulwark-reports").exists()


def test_a_run_in_the_checkout_leaves_nothing_in_the_release_tarball(moto_server, tmp_path):
    """The credential report goes into the run's report directory, never next to a playbook or
    into the collection, and build_ignore keeps run output out of the tarball."""
    base = os.path.join(REPO, "bulwark-reports")
    before = set(os.listdir(base)) if os.path.isdir(base) else set()
    env = dict(moto_server.env())
    env.pop("BULWARK_REPORT_DIR", None)
    run = run_playbook("harden.yml", env, "--check", "--tags", "iam.credential_report")
    created = set(os.listdir(base)) - before - {"latest"}
    try:
        assert run.returncode == 0, run
        assert len(created) == 1, created
        directory = os.path.join(base, created.pop())
        assert sorted(n for n in os.listdir(directory) if n.startswith("credential-report-")) == \
            ["credential-report-%s.csv" % ACCOUNT_ID, "credential-report-%s.json" % ACCOUNT_ID]
        assert not os.path.exists(os.path.join(REPO, "playbooks", "reports"))

        out = tmp_path / "build"
        build = command(["ansible-galaxy", "collection", "build", "--output-path", str(out), REPO], tmp_path,
                        user_env(os.environ))
        assert build.returncode == 0, build
        names = tarball_names(next(out.glob("*.tar.gz")))
        assert [n for n in names if "bulwark-reports" in n or "credential-report" in n] == []
    finally:
        for name in set(os.listdir(base)) - before:
            path = os.path.join(base, name)
            if os.path.islink(path) or not os.path.isdir(path):
                os.unlink(path)
            else:
                shutil.rmtree(path)
        if not before:
            shutil.rmtree(base, ignore_errors=True)


def test_incident_playbooks_from_the_tarball_keep_evidence_where_they_are_run(moto_server, collections, tmp_path):
    """contain.yml's default evidence directory (./evidence) and investigate.yml's evidence are
    under the directory the operator runs them in, never inside the installed collection."""
    from tests.support.seeds import compromise

    made = compromise.compromised(seed.session(moto_server.url))
    workdir = tmp_path / "case"
    workdir.mkdir()
    env = user_env(moto_server.env(), collections)
    instance = made["instances"][made["regions"][0]]
    contain = command(["ansible-playbook", "bulwark.aws.contain", "-e", "instance_id=" + instance], workdir, env)
    assert contain.returncode == 0, contain
    investigate = command(["ansible-playbook", "bulwark.aws.investigate", "-e", "user=" + compromise.ATTACKER],
                          workdir, env)
    assert investigate.returncode == 0, investigate
    assert sorted(os.listdir(str(workdir))) == ["bulwark-reports", "evidence"]
    written = os.listdir(str(workdir / "evidence"))
    assert [n for n in written if n.startswith("ec2-contain-%s-" % instance) and n.endswith(".json")], written
    assert re.search(r"Evidence: %s/bulwark-reports/\S+/investigation " % re.escape(str(workdir)), investigate.stdout)
    inside = [os.path.join(d, n) for d, _dirs, names in os.walk(str(collections)) for n in names
              if "evidence" in d or n.startswith(("ec2-contain-", "cloudtrail-"))]
    assert inside == []

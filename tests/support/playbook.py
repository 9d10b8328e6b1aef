"""Run ansible-playbook from the repository against a moto_server, the way users run it."""

import json
import os
import re
import sys

from tests.support import procs

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The report files in the order the run's "reports:" line names them.
REPORT_FILES = ("report.md", "report.html", "report.json", "report.junit.xml")
_RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                    r"\s+skipped=(\d+)\s+rescued=(\d+)", re.M)


class PlaybookRun:
    def __init__(self, proc, report_dir):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.report_dir = report_dir

    @property
    def recap(self):
        """{host: {ok, changed, unreachable, failed, skipped, rescued}} from the PLAY RECAP."""
        return dict((m.group(1), dict(ok=int(m.group(2)), changed=int(m.group(3)), unreachable=int(m.group(4)),
                                      failed=int(m.group(5)), skipped=int(m.group(6)), rescued=int(m.group(7))))
                    for m in _RECAP.finditer(self.stdout))

    @property
    def report(self):
        with open(os.path.join(self.report_dir, "report.json")) as f:
            return json.load(f)

    def report_sizes(self):
        """[(file name, bytes)] of the report.* files the run wrote, in REPORT_FILES order."""
        return report_sizes(self.report_dir)

    def findings(self, host=None):
        """Every finding of the report (of one host when given)."""
        return [f for account in self.report["accounts"] if host in (None, account["host"])
                for f in account["findings"]]

    def statuses(self, host=None):
        """{control: set(statuses)} over the report."""
        out = {}
        for f in self.findings(host):
            out.setdefault(f["control"], set()).add(f["status"])
        return out

    def auto_left(self):
        """The findings of `auto` controls that are not pass, other than calls moto lacks: after an
        apply, none. network.imdsv2 is auto for the account default only: its instances are opt-in."""
        from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
        from tests.support.moto_gaps import is_moto_gap

        return [f for f in self.findings() if controls.get(f["control"]).remediation_kind == "auto"
                and f["status"] != "pass" and not is_moto_gap(f)
                and not (f["control"] == "network.imdsv2" and f["resource"].startswith("i-"))]

    def __repr__(self):
        return "<PlaybookRun rc=%s>\n--- stdout\n%s\n--- stderr\n%s" % (
            self.returncode, self.stdout[-6000:], self.stderr[-3000:])


def report_sizes(report_dir):
    """[(file name, bytes)] of the report.* files in ``report_dir``, in REPORT_FILES order."""
    order = dict((name, n) for n, name in enumerate(REPORT_FILES))
    names = [n for n in os.listdir(report_dir) if n.startswith("report.") and ".tmp" not in n]
    return [(n, os.path.getsize(os.path.join(report_dir, n)))
            for n in sorted(names, key=lambda n: (order.get(n, len(order)), n))]


def ansible_env(server_env, report_dir=None, extra=None):
    env = dict(server_env)
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_CONFIG"] = os.path.join(REPO, "ansible.cfg")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    # moto lacks some APIs (tests/support/moto_gaps.py): their controls end as `error` findings,
    # which fail a run under the default BULWARK_FAIL_ON=error. Tests read the findings; a test
    # of the exit status sets BULWARK_FAIL_ON itself.
    env["BULWARK_FAIL_ON"] = "none"
    if report_dir:
        env["BULWARK_REPORT_DIR"] = str(report_dir)
    env.update(extra or {})
    return env


def run_playbook(playbook, server_env, *args, report_dir=None, extra_env=None, timeout=900):
    """ansible-playbook PLAYBOOK ARGS... in the repository; returns a PlaybookRun."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook] + list(args)
    # procs.run, not subprocess.run: a timeout ends ansible-playbook's workers too (they leave
    # its process group), so no run outlives the test.
    proc = procs.run(cmd, cwd=REPO, env=ansible_env(server_env, report_dir, extra_env), timeout=timeout)
    return PlaybookRun(proc, str(report_dir) if report_dir else None)

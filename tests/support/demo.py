"""make demo: the real job against a local moto account it seeds itself.

moto_server on 127.0.0.1 (a free port) -> seed the insecure account -> harden.yml --check
(drift) -> harden.yml (fixed) -> harden.yml --check (pass where auto-remediable). Every run gets
seed.demo_vars() as -e: the owner's values and the roles' opt-ins, so opt-in controls are fixed
too. Stops only the moto it started. Reports go to
bulwark-reports/demo-<time>/{1-audit,2-apply,3-verify}/, every format; the verify run's changes
are against the audit's report (BULWARK_BASELINE).
Runs with BULWARK_FAIL_ON=none: moto lacks a few APIs (tests/support/moto_gaps.py), whose
controls end as `error`, which the default BULWARK_FAIL_ON=error would turn into exit code 2.
"""

import datetime
import json
import os
import sys

from tests.support import seed
from tests.support.moto_gaps import is_moto_gap
from tests.support.moto_server import MotoServer
from tests.support.playbook import REPO, report_sizes, run_playbook

PHASES = (
    ("1-audit", "audit of the insecure account (--check: nothing is changed)", ["--check"]),
    ("2-apply", "apply: fix what the roles fix automatically", []),
    ("3-verify", "verify (--check again)", ["--check"]),
)
# The verify run's changes are against the audit's report: what the apply resolved, what is left.
BASELINES = {"3-verify": "1-audit"}


def summarize(report):
    totals = report.get("totals", {})
    return ", ".join("%s %d" % (status, n) for status, n in totals.items() if n)


def scores(report):
    """'CIS AWS Foundations Benchmark v3.0.0 41%, ...' from report.json v2."""
    out = []
    for framework in (report.get("frameworks") or {}).values():
        score = (framework.get("score") or {}).get("overall")
        out.append("%s %s" % (framework["name"], "n/a" if score is None else "%d%%" % round(score * 100)))
    return ", ".join(out)


def changes(report):
    found = report.get("changes") or {}
    if not found.get("baseline"):
        return None
    return "new %d, resolved %d, persisting %d (against %s)" % (
        len(found["new"]), len(found["resolved"]), len(found["persisting"]),
        os.path.relpath(found["baseline"], os.getcwd()))


def main():
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = os.path.join(REPO, "bulwark-reports", "demo-" + stamp)
    server = MotoServer().start()
    print("moto_server listening on %s (stopped at the end)" % server.url)
    failed = False
    try:
        seed.seed("insecure", server.url)
        print("seeded the 'insecure' account state (tests/support/seeds/); owner's values and opt-ins: %s"
              % json.dumps(seed.demo_vars()))
        for name, title, args in PHASES:
            print("\n=== %s: ansible-playbook harden.yml %s" % (title, " ".join(args)))
            # the alarm email, the access-log bucket; the roles' opt-ins on (seed.demo_vars)
            owner = ["-e", json.dumps(seed.demo_vars())]
            baseline = {"BULWARK_BASELINE": os.path.join(base, BASELINES[name])} if name in BASELINES else None
            run = run_playbook("harden.yml", server.env(), *owner, *args, report_dir=os.path.join(base, name),
                               extra_env=baseline)
            sys.stdout.write(run.stdout[run.stdout.find("PLAY RECAP"):] if "PLAY RECAP" in run.stdout else run.stdout)
            if run.returncode != 0:
                sys.stdout.write(run.stderr)
                print("ansible-playbook exited with %d" % run.returncode)
                failed = True
                break
            try:
                print("report totals: %s" % summarize(run.report))
                print("framework scores: %s" % scores(run.report))
                if changes(run.report):
                    print("changes: %s" % changes(run.report))
                gaps = [f for f in run.findings() if is_moto_gap(f)]
                if gaps:
                    print("  %d of the errors are calls moto does not implement (%s): against AWS these "
                          "controls are evaluated" % (len(gaps), ", ".join(sorted(set(f["control"] for f in gaps)))))
                others = [f for f in run.findings() if f["status"] == "error" and not is_moto_gap(f)]
                if others:
                    print("  %d other error(s): see report.md" % len(others))
                    failed = True
            except (OSError, ValueError):
                print("(no report.json written in %s)" % run.report_dir)
        print("\nreports (Markdown, HTML, JSON, JUnit) are in %s" % os.path.relpath(base, os.getcwd()))
        for name, _title, _args in PHASES:
            directory = os.path.join(base, name)
            for kind, size in (report_sizes(directory) if os.path.isdir(directory) else []):
                print("  %s (%s bytes)" % (os.path.relpath(os.path.join(directory, kind), os.getcwd()),
                                           "{:,}".format(size)))
    finally:
        server.stop()
        print("moto_server stopped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

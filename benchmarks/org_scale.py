"""harden.yml --check over an Organization of 1 to 100 accounts: prints figures, asserts nothing.

    python -m benchmarks.org_scale                                  # 1, 10, 50, 100 accounts; forks 10, 20
    python -m benchmarks.org_scale --accounts 10 50 --forks 10 --pipelining both
    python -m benchmarks.org_scale --accounts 100 --forks 10 20 --pipelining on --warm-up

For each size, a moto_server on 127.0.0.1 (started here, nothing reaches AWS) gets an
Organization: the management account plus size-1 members, every other member seeded insecure
and the others hardened (IAM seeds), the members' AWS managed policies not loaded (moto takes
seconds per account for them; the audit does not need them to run). Then, per forks value,
``ansible-playbook harden.yml --check --forks F -i <org inventory>`` runs as users run it and
the table shows:

  wall s           the run, inventory included
  cpu s            controller CPU: every process of the run (ansible-playbook, its workers, the
                   module processes), user + system; moto_server runs in this process, not counted
  cpu/acct, cpu/task   the same per account and per task run (ok + changed + failed in the recap;
                   skipped tasks cost little and are not counted)
  tasks/acct       tasks run per account
  api              requests moto received (moto's recorder), and per account
  peak MB          the largest resident set of one process of the run (the ansible-playbook
                   process, which holds the inventory and every result)
  moto cpu s       CPU moto_server used meanwhile (it shares the cores; against AWS this cost is
                   not on the controller): wall s ~ (cpu s + moto cpu s) / cores when both are busy
  rc               ansible-playbook's exit code (0 expected)

and, under each row, the size in bytes of every report file the run wrote (report.md,
report.html, report.json, report.junit.xml): what a scheduled audit of that many accounts keeps
per run.

The first run after seeding also pays moto's first touch of every account and region (it builds
their backends then: ~135 of ~180 moto CPU s at 100 accounts); --warm-up leaves that out.

What bounds a run: CPU. harden.yml makes one module run per account (the role tasks select and
plan, then bulwark.aws.account_baseline runs every module in one process): about 1.4 s of module
work (botocore, every region) plus ~0.03 s of Ansible per task, 11 tasks per account, so wall time
is about accounts x cpu per account / cores once forks keep the cores busy; moto_server's own CPU
shares those cores here. More forks than cores add no throughput. Figures: benchmarks/README.md.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, ".collections"))
# Before moto is imported (tests.support.moto_server sets it to true otherwise).
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"

from tests.support import org as org_support  # noqa: E402
from tests.support import seed  # noqa: E402
from tests.support.moto_server import TEST_CREDENTIALS, MotoServer  # noqa: E402
from tests.support.playbook import PlaybookRun, ansible_env, report_sizes  # noqa: E402
from tests.support.recorder import Recorder  # noqa: E402


def build_org(moto, accounts):
    moto.reset()
    start = time.monotonic()
    layout = org_support.create_organization(seed.client(seed.session(moto.url), "organizations"),
                                             members=accounts - 1)
    for n, member in enumerate(layout["members"]):
        org_support.seed_account(moto.url, member["id"], "insecure" if n % 2 == 0 else "hardened", domains=["iam"])
    return layout, time.monotonic() - start


def self_cpu():
    """CPU seconds of this process: moto_server's threads, while a run is in progress."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(moto, inventory, forks, report_dir, pipelining):
    extra = {"ANSIBLE_PIPELINING": "true" if pipelining else "false", "BULWARK_RUN_ID": "org-scale"}
    env = ansible_env(moto.env(), report_dir, extra)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "harden.yml", "--check",
           "--forks", str(forks), "-i", inventory]
    # The peak RSS of children is the largest one ever waited for: run in a fresh child of our
    # own so one run's peak does not carry over to the next.
    wrapper = [sys.executable, "-c", _MEASURE] + cmd
    with Recorder(moto.url) as rec:
        start, moto_start = time.monotonic(), self_cpu()
        proc = subprocess.run(wrapper, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall, moto_cpu = time.monotonic() - start, self_cpu() - moto_start
    measured = json.loads(proc.stderr.strip().splitlines()[-1])
    run = PlaybookRun(subprocess.CompletedProcess(cmd, measured["rc"], proc.stdout, ""), str(report_dir))
    return dict(wall=wall, cpu=measured["cpu"], moto_cpu=moto_cpu, peak_mb=measured["maxrss_kb"] / 1024.0, rc=measured["rc"],
                api=len(rec.calls()), recap=run.recap, stdout=proc.stdout,
                sizes=report_sizes(report_dir) if os.path.isdir(report_dir) else [])


# Runs the command and prints, as the last line of stderr, its CPU seconds (it and every
# descendant) and the largest resident set of one of them.
_MEASURE = r"""
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("\n" + json.dumps({"rc": proc.returncode, "cpu": usage.ru_utime + usage.ru_stime,
                                     "maxrss_kb": usage.ru_maxrss}) + "\n")
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, nargs="+", default=[1, 10, 50, 100],
                        help="Organization sizes, management account included")
    parser.add_argument("--forks", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--pipelining", choices=["on", "off", "both"], default="off",
                        help="ANSIBLE_PIPELINING for the runs (local connection: skips the module file copy)")
    parser.add_argument("--keep", action="store_true", help="keep the reports and print where they are")
    parser.add_argument("--warm-up", action="store_true",
                        help="one unmeasured run per size first: moto builds each account's regional backends on "
                             "first use (~1.3 CPU s per account here), which AWS does not")
    args = parser.parse_args(argv)
    for name, value in TEST_CREDENTIALS.items():
        os.environ[name] = value
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.pipelining]
    out_dir = tempfile.mkdtemp(prefix="bulwark-org-scale-")
    print("host: %d CPUs, load average %.1f; moto_server in this process" % (os.cpu_count(), os.getloadavg()[0]))
    header = ("accounts", "forks", "pipe", "wall s", "cpu s", "cpu/acct", "cpu/task", "tasks/acct", "api",
              "api/acct", "peak MB", "moto cpu s", "rc")
    print(" ".join("%10s" % h for h in header), flush=True)
    with MotoServer() as moto:
        for size in args.accounts:
            layout, seeded = build_org(moto, size)
            inventory = org_support.write_inventory(os.path.join(out_dir, "%d.organization.yml" % size))
            if args.warm_up:
                run_once(moto, inventory, args.forks[0], os.path.join(out_dir, "%d-warm-up" % size), modes[-1])
            for forks in args.forks:
                for pipelining in modes:
                    report_dir = os.path.join(out_dir, "%d-f%d-p%d" % (size, forks, pipelining))
                    r = run_once(moto, inventory, forks, report_dir, pipelining)
                    hosts = len(r["recap"]) or size
                    tasks = sum(h["ok"] + h["failed"] for h in r["recap"].values())
                    print(" ".join("%10s" % v for v in (
                        size, forks, "on" if pipelining else "off", "%.1f" % r["wall"], "%.1f" % r["cpu"],
                        "%.2f" % (r["cpu"] / hosts), "%.3f" % (r["cpu"] / tasks if tasks else 0),
                        "%.1f" % (tasks / float(hosts)), r["api"], "%.1f" % (r["api"] / float(hosts)),
                        "%.0f" % r["peak_mb"], "%.1f" % r["moto_cpu"], r["rc"])), flush=True)
                    sizes = ", ".join("%s %s" % (name, "{:,}".format(size)) for name, size in r["sizes"])
                    print("  report sizes (bytes): %s" % (sizes or "no report written"), flush=True)
                    if r["rc"] != 0:
                        print(r["stdout"][-3000:], flush=True)
            print("  (seeding %d accounts took %.1f s, not in the figures)" % (size, seeded), flush=True)
    if args.keep:
        print("reports and inventories: %s" % out_dir)
    else:
        import shutil

        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

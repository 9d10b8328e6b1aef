"""API requests and wall time of the IAM audits at 10, 1,000 and 5,000 users: prints figures,
asserts nothing (the exit code says whether the request target was met).

    python -m benchmarks.iam_scale                       # from the repository root
    python -m benchmarks.iam_scale --sizes 10 100

For each size: a fresh moto_server account (127.0.0.1, started here; nothing reaches AWS) is
seeded with tests.support.seed.users (boto3 calls against the server; every 10th user has a
console password, every 3rd an access key), then each module runs as its own
``ansible localhost -m bulwark.aws.<module>`` process, the way a play runs it, while moto's
recorder counts the requests that module makes (its sts:GetCallerIdentity included):

    iam_password_policy_check --check, root_key_audit, mfa_status, iam_credential_audit,
    iam_admin_setup --check

Target (the audits read account-wide, never once per user): requests at the largest size are
at most 1.2 x the requests at the smallest, plus the extra pages of paginated List calls.
"""

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.support import seed  # noqa: E402
from tests.support.moto_server import MotoServer  # noqa: E402
from tests.support.recorder import Recorder  # noqa: E402

MODULES = (("iam_password_policy_check", ["--check"]), ("root_key_audit", []), ("mfa_status", []),
           ("iam_credential_audit", []), ("iam_admin_setup", ["--check"]))


def run_module(server, name, args, report_dir):
    env = server.env()
    env.update(ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), BULWARK_REPORT_DIR=report_dir,
               ANSIBLE_NOCOLOR="1", PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-o", "-m",
           "bulwark.aws." + name] + args
    with Recorder(server.url) as rec:
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc %d):\n%s\n%s" % (name, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return seconds, collections.Counter(op for _service, op, _region in rec.calls())


def measure(server, users, report_dir):
    server.reset()
    start = time.monotonic()
    seed.users(seed.session(server.url), users)
    seeded = time.monotonic() - start
    rows = [(name,) + run_module(server, name, args, report_dir) for name, args in MODULES]
    return seeded, rows


def print_table(users, seeded, rows):
    print("\n%d users (seeded in %.1f s)" % (users, seeded))
    print("| module | wall s | requests | requests by operation |")
    print("|---|---:|---:|---|")
    for name, seconds, ops in rows:
        detail = ", ".join("%s %d" % (op, n) for op, n in sorted(ops.items()))
        print("| %s | %.1f | %d | %s |" % (name, seconds, sum(ops.values()), detail))
    print("| **total** | %.1f | %d | |" % (sum(r[1] for r in rows), sum(sum(r[2].values()) for r in rows)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 5000], help="user counts")
    args = parser.parse_args(argv)
    results = {}
    with MotoServer() as server, tempfile.TemporaryDirectory(prefix="bulwark-bench-") as report_dir:
        for users in args.sizes:
            seeded, rows = measure(server, users, report_dir)
            results[users] = rows
            print_table(users, seeded, rows)

    small, large = min(results), max(results)
    total = dict((n, sum((r[2] for r in rows), collections.Counter())) for n, rows in results.items())
    extra_pages = sum(max(0, total[large][op] - total[small][op]) for op in total[large] if op.startswith("List"))
    budget = 1.2 * sum(total[small].values()) + extra_pages
    got = sum(total[large].values())
    print("\nrequests: %d at %d users, %d at %d users; target <= 1.2 x %d + %d extra List pages = %.1f: %s" % (
        sum(total[small].values()), small, got, large, sum(total[small].values()), extra_pages, budget,
        "met" if got <= budget else "MISSED"))
    return 0 if got <= budget else 1


if __name__ == "__main__":
    sys.exit(main())

"""Wall time and API requests of account_guardrails over 1, 4 and every enabled region.

    python benchmarks/regions.py                    # two tables (0 and 50 ms added latency)
    python benchmarks/regions.py --repeat 3         # best of three per row
    python benchmarks/regions.py --latency-ms 100   # one table, 100 ms per request

It prints figures, never a pass/fail. With no added latency a local moto answers in about a
millisecond, so the rows measure CPU (the module's and moto's, on the same machine); with
latency (the fault proxy holding each request, a stand-in for the round trip to an AWS
region) they measure what regions in parallel save.

A moto_server runs in its own process on 127.0.0.1 (so the module and the emulator do not share
one interpreter lock); before each row it is reset, given the insecure guardrails seed and
warmed up by an untimed audit of the same regions (moto builds a region's backends on first
use, EC2's with a default VPC: that is moto's start-up, not the module's work). Each
run is a fresh Python process that imports the module and runs it once, as an Ansible task's
module process would (without Ansible's own packaging). Requests are counted with moto's
recorder (its overhead is in every row alike).

iam.access_analyzer is in: moto has no Access Analyzer, and tests/support/moto_server.py
answers it with 501 NotImplemented (not retried), so its rows measure one failed call per
region. The target: every enabled region takes at most twice as long as one region.
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

from tests.support.fault_proxy import FaultProxy  # noqa: E402
from tests.support.moto_server import TEST_CREDENTIALS, wait_for_state_file  # noqa: E402
from tests.support.recorder import Recorder  # noqa: E402
from tests.support.seed import session  # noqa: E402
from tests.support.seeds import guardrails as seeds  # noqa: E402

FOUR = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1"]
CONTROLS = ["s3.account_public_access_block", "ec2.ebs_default_encryption", "guardduty.enabled", "config.recorder",
            "config.rules", "securityhub.enabled", "securityhub.standards", "iam.access_analyzer"]

RUNNER = r"""
import json, sys
sys.path.insert(0, %(collections)r)
from ansible.module_utils.testing import patch_module_args
from ansible_collections.bulwark.aws.plugins.module_utils.checks import account_guardrails
with patch_module_args(json.loads(sys.argv[1])):
    account_guardrails.DEFINITION.main()
"""


def stop(server):
    """Stop the moto_server process this script started, by its own handle."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def env_for(url):
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_SESSION_TOKEN",
                 "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        env.pop(name, None)
    env.update(TEST_CREDENTIALS)
    env.update(AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true")
    return env


def run_module(url, args):
    """(wall seconds, CPU seconds of the module process, result)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUNNER % {"collections": os.path.join(REPO, ".collections")},
                             json.dumps(args)], env=env_for(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    stdout, _stderr = proc.communicate()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - run_module.children_cpu
    run_module.children_cpu = usage.ru_utime + usage.ru_stime
    result = json.loads(stdout)
    if result.get("failed"):
        raise SystemExit("the module failed: %s" % result.get("msg"))
    return wall, cpu, result


run_module.children_cpu = 0.0


class LatencyProxy(FaultProxy):
    """The fault proxy without faults, holding every request ``latency`` seconds before it goes to
    moto: a stand-in for the round trip to a real AWS region, which is what regions in parallel save."""

    def __init__(self, target, latency):
        FaultProxy.__init__(self, target)
        self.latency = latency

    def _choose(self, service, operation, region, method):
        time.sleep(self.latency)
        return FaultProxy._choose(self, service, operation, region, method)


def one_row(url, regions, check_mode, module_url=None):
    """Reset, seed, then time one module run (requests recorded at moto). The module talks to
    ``module_url`` (a latency proxy) when given."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", data=b"", method="POST"), timeout=30)
    seeds.insecure(session(url))
    args = {"controls": CONTROLS, "create_config_rules": True}
    if regions:
        args["regions"] = regions
    # moto builds each service's backend for a region on its first request there (EC2's makes a
    # default VPC, subnets, security groups...): an untimed audit pays that first, so the row
    # measures the module and the emulator's steady state, not the emulator's start-up (nor the
    # proxy's first look at each service's API model).
    run_module(module_url or url, dict(args, _ansible_check_mode=True))
    if check_mode:
        args["_ansible_check_mode"] = True
    with Recorder(url) as rec:
        wall, cpu, result = run_module(module_url or url, args)
    statuses = {}
    for f in result["findings"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    return wall, cpu, len(rec.calls()), len(result["regions"]["evaluated"]), statuses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the fastest is shown")
    parser.add_argument("--latency-ms", type=int, action="append",
                        help="added round trip per request (repeatable); default: 0 and 50")
    args = parser.parse_args(argv)
    latencies = args.latency_ms or [0, 50]
    state = os.path.join(tempfile.mkdtemp(prefix="bulwark-bench-"), "moto.json")
    server = subprocess.Popen([sys.executable, "-m", "tests.support.moto_server", "--state-file", state], cwd=REPO,
                              env=env_for("http://127.0.0.1:1"))
    try:
        url = wait_for_state_file(state)["url"]
        print("account_guardrails against moto_server (controls: %s)" % ", ".join(CONTROLS))
        print("load average before: %.1f (CPUs: %d)" % (os.getloadavg()[0], os.cpu_count()))
        for latency in latencies:
            proxy = LatencyProxy(url, latency / 1000.0).start() if latency else None
            try:
                rows = []
                for mode, check in (("audit (check mode)", True), ("apply", False)):
                    for label, regions in (("1", ["us-east-1"]), ("4", FOUR), ("all", None)):
                        best = None
                        for _n in range(args.repeat):
                            row = one_row(url, regions, check, proxy.url if proxy else None)
                            best = row if best is None or row[0] < best[0] else best
                        rows.append((mode, label) + best)
            finally:
                if proxy:
                    proxy.stop()
            print()
            print("added latency per request: %d ms" % latency)
            header = ("mode", "regions", "count", "wall s", "module CPU s", "requests", "vs 1", "findings")
            print("%-19s %-8s %6s %8s %12s %9s %7s  %s" % header)
            base = {}
            for mode, label, wall, cpu, requests, count, statuses in rows:
                base.setdefault(mode, wall)
                print("%-19s %-8s %6d %8.2f %12.2f %9d %6.2fx  %s" % (
                    mode, label, count, wall, cpu, requests, wall / base[mode],
                    ", ".join("%s %d" % kv for kv in sorted(statuses.items()))))
            for mode in base:
                one = [r for r in rows if r[0] == mode and r[1] == "1"][0][2]
                every = [r for r in rows if r[0] == mode and r[1] == "all"][0][2]
                print("%s: all regions / one region = %.2f (target <= 2.0)" % (mode, every / one))
        print("load average after: %.1f" % os.getloadavg()[0])
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""API requests and wall time of the network and storage audits as an account's resources grow.

    python benchmarks/network_storage.py              # four rows, one run each
    python benchmarks/network_storage.py --repeat 3   # best of three per row

It prints figures, never a pass/fail. Rows, all in check mode with regions=[us-east-1]:

    network 1 SG        network_security over moto's default VPC (its default security group only)
    network 500 SGs     the same with 500 more security groups in the default VPC, each with two
                        inbound rules (443 and 8080 from private ranges); every 100th also admits
                        22 from 0.0.0.0/0
    storage 10 buckets  storage_security over 10 buckets in us-east-1: every 3rd with a bucket
                        policy (an Allow, every 6th also a TLS deny), every 4th with a bucket
                        Public Access Block
    storage 300 buckets the same with 300 buckets

Columns: API requests of the timed run (moto's recorder), its wall time (a fresh Python
process that imports the module and runs it once, as an Ansible task's module process would,
without Ansible's own packaging), the findings by status, and the requests by operation for the
most frequent few.

A moto_server runs in its own process on 127.0.0.1 (the module and the emulator do not share
one interpreter lock); before each row it is reset and seeded with plain boto3 calls, then an
untimed audit pays moto's first touch of the region's backends (EC2's builds a default VPC, S3's
and RDS's their stores). Check mode changes nothing, so the --repeat runs of a row audit the same
state; the fastest is shown.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, ".collections"))

from benchmarks.regions import env_for, stop  # noqa: E402
from tests.support.moto_server import wait_for_state_file  # noqa: E402
from tests.support.recorder import Recorder  # noqa: E402
from tests.support.seed import client, session  # noqa: E402

REGION = "us-east-1"
TOP = 4  # operations shown per row

RUNNER = r"""
import json, sys
sys.path.insert(0, %(collections)r)
from ansible.module_utils.testing import patch_module_args
from ansible_collections.bulwark.aws.plugins.module_utils.checks import %(module)s as module
with patch_module_args(json.loads(sys.argv[1])):
    module.DEFINITION.main()
"""


def run_module(url, module, args):
    """(wall seconds, result) of one run of checks/<module>.py in a fresh Python process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER % {"collections": os.path.join(REPO, ".collections"), "module": module},
         json.dumps(args)], env=env_for(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    try:
        result = json.loads(stdout)
    except ValueError:
        raise SystemExit("%s printed no result (rc %d):\n%s" % (module, proc.returncode, (stdout + stderr)[-3000:]))
    if result.get("failed"):
        raise SystemExit("%s failed: %s" % (module, result.get("msg")))
    return wall, result


# --- seeds: plain boto3 calls against the moto_server ------------------------------------------

def security_groups(sess, count):
    """``count`` security groups in the default VPC, two inbound rules each; every 100th also
    admits 22 from 0.0.0.0/0."""
    ec2 = client(sess, "ec2", REGION)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for n in range(count):
        group = ec2.create_security_group(GroupName="bench-sg-%04d" % n, Description="benchmark",
                                          VpcId=vpc)["GroupId"]
        rules = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
                 {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "172.31.0.0/16"}]}]
        if n % 100 == 0:
            rules.append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)


def buckets(sess, count):
    """``count`` buckets in us-east-1: every 3rd with a policy (every 6th with a TLS deny too),
    every 4th with a bucket Public Access Block."""
    s3 = client(sess, "s3", REGION)
    for n in range(count):
        name = "bench-bucket-%04d" % n
        s3.create_bucket(Bucket=name)
        if n % 3 == 0:
            arn = "arn:aws:s3:::" + name
            statements = [{"Sid": "AccountRead", "Effect": "Allow",
                           "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                           "Action": "s3:GetObject", "Resource": arn + "/*"}]
            if n % 6 == 0:
                statements.append({"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                   "Resource": [arn, arn + "/*"],
                                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        if n % 4 == 0:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict(
                BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))


ROWS = (
    ("network 1 SG", "network_security", lambda sess: None),
    ("network 500 SGs", "network_security", lambda sess: security_groups(sess, 500)),
    ("storage 10 buckets", "storage_security", lambda sess: buckets(sess, 10)),
    ("storage 300 buckets", "storage_security", lambda sess: buckets(sess, 300)),
)


def one_row(url, module, seeder, repeat, extra):
    """Reset, seed, warm up, then the fastest of ``repeat`` timed runs: (wall, requests, ops, statuses)."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", data=b"", method="POST"), timeout=120)
    seeder(session(url))
    args = dict(extra, regions=[REGION], _ansible_check_mode=True)
    run_module(url, module, args)  # untimed: moto's first touch of the region's backends
    best = None
    for _n in range(repeat):
        with Recorder(url) as rec:
            wall, result = run_module(url, module, args)
        if best is None or wall < best[0]:
            ops = collections.Counter(op or "?" for _service, op, _region in rec.calls())
            statuses = collections.Counter(f["status"] for f in result.get("findings", []))
            best = (wall, sum(ops.values()), ops, statuses)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per row; the fastest is shown")
    parser.add_argument("--bucket-concurrency", type=int, default=16,
                        help="storage_security's bucket_concurrency (default 16, the module's default)")
    args = parser.parse_args(argv)
    state = os.path.join(tempfile.mkdtemp(prefix="bulwark-bench-"), "moto.json")
    server = subprocess.Popen([sys.executable, "-m", "tests.support.moto_server", "--state-file", state], cwd=REPO,
                              env=env_for("http://127.0.0.1:1"))
    try:
        url = wait_for_state_file(state)["url"]
        print("network_security and storage_security, check mode, regions=[%s], against moto_server" % REGION)
        print("load average before: %.1f (CPUs: %d)" % (os.getloadavg()[0], os.cpu_count()))
        rows = []
        for label, module, seeder in ROWS:
            extra = {"bucket_concurrency": args.bucket_concurrency} if module == "storage_security" else {}
            rows.append((label,) + one_row(url, module, seeder, args.repeat, extra))
        print()
        header = ("row", "requests", "wall s", "findings", "requests by operation (top %d)" % TOP)
        print("%-20s %9s %7s  %-32s  %s" % header)
        for label, wall, requests, ops, statuses in rows:
            print("%-20s %9d %7.2f  %-32s  %s" % (
                label, requests, wall, ", ".join("%s %d" % kv for kv in sorted(statuses.items())),
                ", ".join("%s %d" % kv for kv in ops.most_common(TOP))))
        print("load average after: %.1f" % os.getloadavg()[0])
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())

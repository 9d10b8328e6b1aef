"""What botocore's retry modes cost under throttling: prints figures, asserts nothing.

    python -m benchmarks.retry_modes                     # plain calls, both modes
    python -m benchmarks.retry_modes --calls 60 --share 0.3 --playbook

Part 1: ``--calls`` sequential API calls (iam:GetAccountSummary, sts:GetCallerIdentity,
ec2:DescribeSecurityGroups in turn) through tests/support/fault_proxy.py answering ``--share``
of requests with the service's throttling error, made with the clients module_utils/aws.py
builds (the collection's own retry configuration), once per retry mode (AWS_RETRY_MODE) and
attempt budget (AWS_MAX_ATTEMPTS).
Part 2 (``--playbook``): the whole ``harden.yml --check`` on the insecure seed, clean and
throttled, per mode.

Everything runs against a moto_server on 127.0.0.1 started here; nothing reaches AWS.
"""

import argparse
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, ".collections"))

from tests.support import seed  # noqa: E402
from tests.support.fault_proxy import FaultProxy, Rule  # noqa: E402
from tests.support.moto_server import TEST_CREDENTIALS, MotoServer  # noqa: E402
from tests.support.playbook import run_playbook  # noqa: E402


def plain_calls(moto, mode, attempts, calls, share, seed_value):
    from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

    os.environ["AWS_RETRY_MODE"], os.environ["AWS_MAX_ATTEMPTS"] = mode, str(attempts)
    with FaultProxy(moto.url, Rule("throttle", share=share), seed=seed_value) as proxy:
        conn = aws.AwsConnection(dict(access_key=TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                      secret_key=TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                                      region="us-east-1", endpoint_url=proxy.url, validate_certs=True))
        work = [lambda: conn.client("iam").get_account_summary(),
                lambda: conn.client("sts").get_caller_identity(),
                lambda: conn.client("ec2").describe_security_groups()]
        failed = 0
        start = time.monotonic()
        for n in range(calls):
            try:
                work[n % len(work)]()
            except (aws.ClientError, aws.BotoCoreError):
                failed += 1
        seconds = time.monotonic() - start
    return dict(seconds=seconds, requests=len(proxy.seen), throttled=proxy.total("throttle"), failed=failed)


def playbook_run(moto, mode, attempts, share, seed_value, report_dir):
    moto.reset()
    seed.seed("insecure", moto.url)
    extra = {"AWS_RETRY_MODE": mode, "AWS_MAX_ATTEMPTS": str(attempts)}
    with FaultProxy(moto.url, Rule("throttle", share=share), seed=seed_value) as proxy:
        env = dict(moto.env(), AWS_ENDPOINT_URL=proxy.url)
        start = time.monotonic()
        run = run_playbook("harden.yml", env, "--check", report_dir=report_dir, extra_env=extra)
        seconds = time.monotonic() - start
    errors = None
    if os.path.exists(os.path.join(report_dir, "report.json")):
        errors = sum(1 for f in run.findings() if f["status"] == "error")
    return dict(seconds=seconds, requests=len(proxy.seen), throttled=proxy.total("throttle"),
                rc=run.returncode, error_findings=errors)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=120)
    parser.add_argument("--share", type=float, default=0.3, help="share of requests throttled (0..1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--attempts", type=int, nargs="+", default=[10, 4],
                        help="AWS_MAX_ATTEMPTS values to compare (10 is the collection's default)")
    parser.add_argument("--playbook", action="store_true", help="also time harden.yml --check")
    args = parser.parse_args(argv)
    for name, value in TEST_CREDENTIALS.items():
        os.environ[name] = value
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ.pop("AWS_PROFILE", None)

    moto = MotoServer().start()
    try:
        print("%d plain calls, %d %% throttled (seed %d)" % (args.calls, args.share * 100, args.seed))
        print("%-9s %8s %9s %9s %9s %7s" % ("mode", "attempts", "seconds", "requests", "throttled", "failed"))
        for attempts in args.attempts:
            for mode in ("standard", "adaptive"):
                r = plain_calls(moto, mode, attempts, args.calls, args.share, args.seed)
                print("%-9s %8d %9.1f %9d %9d %7d" % (
                    mode, attempts, r["seconds"], r["requests"], r["throttled"], r["failed"]))
        if args.playbook:
            print()
            print("harden.yml --check on the insecure seed")
            print("%-9s %8s %6s %9s %9s %9s %3s %7s" % (
                "mode", "attempts", "share", "seconds", "requests", "throttled", "rc", "errors"))
            with tempfile.TemporaryDirectory() as tmp:
                for attempts in args.attempts:
                    for mode in ("standard", "adaptive"):
                        for share in (0.0, args.share):
                            r = playbook_run(moto, mode, attempts, share, args.seed,
                                             os.path.join(tmp, "%s-%d-%s" % (mode, attempts, share)))
                            print("%-9s %8d %6.2f %9.1f %9d %9d %3d %7s" % (
                                mode, attempts, share, r["seconds"], r["requests"], r["throttled"], r["rc"],
                                "-" if r["error_findings"] is None else r["error_findings"]))
    finally:
        moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Seeders: named account states built by plain API calls, shared by tests, molecule, the
demo and benchmarks.

    python -m tests.support.seed insecure --endpoint http://127.0.0.1:5000
    python -m tests.support.seed users --count 5000 --endpoint http://127.0.0.1:5000

Each state is a list of steps (functions taking a boto3 Session). Later domains append their
own steps to STATES, so one name ("insecure", "hardened") always means the whole account.
Passwords and keys made here are test values for moto; SECRETS collects them so the
no-secrets test can look for every one of them in logs and reports.
"""

import argparse
import os
import sys

import boto3

ACCOUNT_ID = "123456789012"
CONSOLE_PASSWORD = "Insecure-Seed-Passw0rd!"  # a test value for moto; never a real credential
ADMIN_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_DOCUMENT = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}
CIS_PASSWORD_POLICY = dict(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                           RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                           AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24)

# Every secret value a seeder created in this process (secret access keys, passwords).
SECRETS = set([CONSOLE_PASSWORD])


def session(endpoint, region="us-east-1"):
    """A boto3 session whose clients all go to ``endpoint`` (moto), with test credentials."""
    s = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="bulwark-moto-test-secret",
                              region_name=region)
    s.endpoint_url = endpoint
    return s


def client(sess, service, region=None):
    return sess.client(service, endpoint_url=sess.endpoint_url, region_name=region or sess.region_name)


def create_key(iam, user):
    key = iam.create_access_key(UserName=user)["AccessKey"]
    SECRETS.add(key["SecretAccessKey"])
    return key["AccessKeyId"]


def users(sess, count):
    """``count`` plain users (for benchmarks): every 10th has a console password, every 3rd a key."""
    iam = client(sess, "iam")
    for n in range(count):
        name = "bench-user-%05d" % n
        iam.create_user(UserName=name)
        if n % 10 == 0:
            iam.create_login_profile(UserName=name, Password=CONSOLE_PASSWORD)
        if n % 3 == 0:
            create_key(iam, name)


# One module per domain under tests/support/seeds/, each with insecure(sess) and hardened(sess).
# A later domain adds its module name here; the order is the checklist order.
DOMAINS = ["iam", "iam_hygiene", "cloudtrail", "guardrails"]
STATES = ("insecure", "hardened")


def steps(state):
    import importlib

    return [getattr(importlib.import_module("tests.support.seeds." + name), state) for name in DOMAINS]


def playbook_vars():
    """Values only the account owner knows (an access-log bucket, an alarm email) that some
    auto controls need; each seed domain may export them as PLAYBOOK_VARS. Pass them as -e."""
    import importlib

    values = {}
    for name in DOMAINS:
        values.update(getattr(importlib.import_module("tests.support.seeds." + name), "PLAYBOOK_VARS", {}))
    return values


def seed(state, endpoint, region="us-east-1"):
    if state not in STATES:
        raise ValueError("unknown state %r (one of %s)" % (state, ", ".join(sorted(STATES))))
    sess = session(endpoint, region)
    for step in steps(state):
        step(sess)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed a moto account with a named state.")
    parser.add_argument("state", choices=list(STATES) + ["users"])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"),
                        help="moto_server URL (default: AWS_ENDPOINT_URL)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--count", type=int, default=10, help="number of users for the 'users' state")
    args = parser.parse_args(argv)
    if not args.endpoint or not args.endpoint.startswith("http://127.0.0.1"):
        parser.error("--endpoint must be a local moto_server (http://127.0.0.1:PORT): seeders never touch AWS")
    if args.state == "users":
        users(session(args.endpoint, args.region), args.count)
    else:
        seed(args.state, args.endpoint, args.region)
    print("seeded %s at %s" % (args.state if args.state != "users" else "%d users" % args.count, args.endpoint))


if __name__ == "__main__":
    sys.exit(main())

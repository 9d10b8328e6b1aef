"""Seeders: named account states built by plain API calls, shared by tests, molecule, the
demo and benchmarks.

    python -m tests.support.seed insecure --endpoint http://127.0.0.1:5000 [--vars-file owner-values.json]
    python -m tests.support.seed users --count 5000 --endpoint http://127.0.0.1:5000
    python -m tests.support.seed compromised --endpoint http://127.0.0.1:5000

Each state is a list of steps (functions taking a boto3 Session). Later domains append their
own steps to STATES, so one name ("insecure", "hardened") always means the whole account.
"compromised" (seeds/compromise.py, for investigate.yml) stands alone: an attacker's actions
and their CloudTrail records in the emulated event history.
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


def account_id(sess):
    """The account ``sess`` acts in: moto's default account for ``session()``, a member account
    for tests/support/org.member_session. Asked once (sts:GetCallerIdentity), kept on ``sess``."""
    if not getattr(sess, "bulwark_account_id", None):
        sess.bulwark_account_id = client(sess, "sts").get_caller_identity()["Account"]
    return sess.bulwark_account_id


def bucket_name(base, account=ACCOUNT_ID):
    """A seed's bucket name in ``account``. Bucket names are global in S3, and in moto too: a
    second account creating the same name gets BucketAlreadyExists. moto's default account keeps
    ``base`` (the name tests, molecule and the demo use); any other account gets
    ``base-<account id>``."""
    return base if account == ACCOUNT_ID else "%s-%s" % (base, account)


def aws_managed_policy(sess, name):
    """The ARN of AWS managed policy ``name``, checked to exist in the account of ``sess``.

    moto has AWS managed policies in an account only if MOTO_IAM_LOAD_MANAGED_POLICIES was true
    when it first built that account's IAM (in the moto_server's process). Without them an
    attach fails with NoSuchEntity half way through a seed; this says why, before anything is made.
    """
    arn = "arn:aws:iam::aws:policy/" + name
    iam = client(sess, "iam")
    try:
        iam.get_policy(PolicyArn=arn)
    except iam.exceptions.NoSuchEntityException:
        raise RuntimeError(
            "moto account %s has no AWS managed policy %s, which this seed attaches: start moto_server with "
            "MOTO_IAM_LOAD_MANAGED_POLICIES=true (tests/support/moto_server.py does; an in-process server builds a "
            "member account's IAM with the value the variable has when the account is created)"
            % (account_id(sess), name))
    return arn


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
DOMAINS = ["iam", "iam_hygiene", "cloudtrail", "guardrails", "network", "storage"]
STATES = ("insecure", "hardened")


def steps(state):
    import importlib

    return [getattr(importlib.import_module("tests.support.seeds." + name), state) for name in DOMAINS]


def playbook_vars(account=ACCOUNT_ID):
    """Values only the account owner knows (an access-log bucket, an alarm email) that some
    auto controls need, for the insecure seed of ``account`` (moto's default account unless
    given: a member's buckets have names of their own, see bucket_name). Each seed domain may
    export them as PLAYBOOK_VARS, or as playbook_vars(account) when they name the account's
    resources. Pass them as -e."""
    import importlib

    values = {}
    for name in DOMAINS:
        module = importlib.import_module("tests.support.seeds." + name)
        if hasattr(module, "playbook_vars"):
            values.update(module.playbook_vars(account))
        else:
            values.update(getattr(module, "PLAYBOOK_VARS", {}))
    return values


def demo_vars(account=ACCOUNT_ID):
    """playbook_vars(account) plus every domain's DEMO_OPT_INS: the opt-in remediations switched
    on, so `make demo` shows those controls found and fixed. Only the demo passes them: other
    tests pass playbook_vars and keep the roles' defaults."""
    import importlib

    values = playbook_vars(account)
    for name in DOMAINS:
        values.update(getattr(importlib.import_module("tests.support.seeds." + name), "DEMO_OPT_INS", {}))
    return values


def seed(state, endpoint, region="us-east-1"):
    if state not in STATES:
        raise ValueError("unknown state %r (one of %s)" % (state, ", ".join(sorted(STATES))))
    sess = session(endpoint, region)
    for step in steps(state):
        step(sess)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed a moto account with a named state.")
    parser.add_argument("state", choices=list(STATES) + ["users", "compromised"])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"),
                        help="moto_server URL (default: AWS_ENDPOINT_URL)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--count", type=int, default=10, help="number of users for the 'users' state")
    parser.add_argument("--vars-file", metavar="PATH",
                        help="also write the owner's values the seeded account needs (playbook_vars) as JSON, "
                             "for ansible-playbook -e @PATH")
    args = parser.parse_args(argv)
    if not args.endpoint or not args.endpoint.startswith("http://127.0.0.1"):
        parser.error("--endpoint must be a local moto_server (http://127.0.0.1:PORT): seeders never touch AWS")
    sess = session(args.endpoint, args.region)
    if args.state == "hardened":
        try:  # refused before anything is made, rather than half way through
            aws_managed_policy(sess, "AdministratorAccess")
        except RuntimeError as exc:
            parser.error(str(exc))
    if args.state == "users":
        users(sess, args.count)
    elif args.state == "compromised":
        from tests.support.seeds import compromise

        compromise.compromised(sess)
    else:
        seed(args.state, args.endpoint, args.region)
    print("seeded %s at %s" % (args.state if args.state != "users" else "%d users" % args.count, args.endpoint))
    if args.vars_file:
        import json

        with open(args.vars_file, "w") as f:
            json.dump(playbook_vars(account_id(sess)), f, indent=2, sort_keys=True)
            f.write("\n")
        print("owner's values written to %s (ansible-playbook ... -e @%s)" % (args.vars_file, args.vars_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())

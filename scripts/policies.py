"""The IAM permissions bulwark.aws needs, derived from what its modules really call.

    python scripts/policies.py              # record the runs, print the action sets and how the
                                            # committed docs/policies/*.json differ (exit 1 if not covered)
    python scripts/policies.py --write      # rewrite docs/policies/*.json from the recorded runs
    python scripts/policies.py --static     # no runs: only what the modules' code can call
    python scripts/policies.py --only investigate --write   # one policy (its runs only)

Two sources, united:
- recorded: harden.yml --check / apply, contain.yml and investigate.yml are run against an in-process
  moto_server with moto's request recorder on, over several account states (insecure,
  hardened, already applied; apply with the opt-ins on), and every request is mapped to its
  operation (tests/support/recorder.identify);
- static: every boto3 method of an operation of a service a module makes a client for
  (``client("iam")``), found in the module's source and the module_utils it imports, so code
  paths no recorded run took (error branches, root-only deletions) are granted too.

Operations map to IAM actions with module_utils/core/aws.iam_action (service prefixes), plus the
operations whose action has another name (s3:ListBuckets -> s3:ListAllMyBuckets, budgets) and
the actions a call needs beyond its own (iam:PassRole, iam:CreateServiceLinkedRole), listed
below. sts:GetCallerIdentity needs no permission and is left out.

Policies: bulwark-audit (the reads of harden.yml --check), bulwark-harden (the audit's reads
and everything apply calls, opt-ins included), bulwark-contain (contain.yml), bulwark-investigate
(investigate.yml, recorded on tests/support/seeds/compromise.py; reads only, else the script
fails), each one statement per service, Resource "*". Nothing reaches AWS: moto only.
"""

import argparse
import base64
import contextlib
import json
import os
import re
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (REPO, os.path.join(REPO, ".collections")):
    if path not in sys.path:
        sys.path.insert(0, path)

POLICY_DIR = os.path.join(REPO, "docs", "policies")
MODULE_DIR = os.path.join(REPO, "plugins", "modules")
UTILS_DIR = os.path.join(REPO, "plugins", "module_utils")
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Select", "GenerateCredentialReport",
                      "GenerateServiceLastAccessedDetails", "Search", "BatchGet")

# (IAM prefix, operation) -> IAM action, where the action is not named after the operation.
ACTION_NAMES = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("s3control", "DeletePublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("sts", "GetCallerIdentity"): None,  # needs no permission
    # Granted to the identity that assumes the role (docs/multi-account.md), not to the role
    # these policies are for.
    ("sts", "AssumeRole"): None,
}
# budgets: every read is ViewBudget, every change ModifyBudget.
BUDGETS = ("budgets:ViewBudget", "budgets:ModifyBudget")
# Actions a call needs beyond its own (the service acts with a role the caller hands over, or
# creates its service-linked role on first use).
IMPLIED = {
    ("cloudtrail", "CreateTrail"): ["iam:PassRole"],
    ("cloudtrail", "UpdateTrail"): ["iam:PassRole"],
    ("config", "PutConfigurationRecorder"): ["iam:PassRole", "iam:CreateServiceLinkedRole"],
    ("guardduty", "CreateDetector"): ["iam:CreateServiceLinkedRole"],
    ("securityhub", "EnableSecurityHub"): ["iam:CreateServiceLinkedRole"],
    ("access-analyzer", "CreateAnalyzer"): ["iam:CreateServiceLinkedRole"],
    ("events", "PutTargets"): ["iam:PassRole"],  # a target with a RoleArn (forwarding to another bus)
}
# A create call that tags what it creates needs the service's tagging action too.
TAGGING = {
    ("kms", "CreateKey"): "kms:TagResource",
    ("logs", "CreateLogGroup"): "logs:TagResource",
    ("sns", "CreateTopic"): "sns:TagResource",
    ("cloudtrail", "CreateTrail"): "cloudtrail:AddTags",
    ("iam", "CreateRole"): "iam:TagRole",
    ("iam", "CreatePolicy"): "iam:TagPolicy",
    ("iam", "CreateUser"): "iam:TagUser",
    ("guardduty", "CreateDetector"): "guardduty:TagResource",
    ("securityhub", "EnableSecurityHub"): "securityhub:TagResource",
    ("config", "PutConfigRule"): "config:TagResource",
    ("config", "PutConfigurationRecorder"): "config:TagResource",
    ("access-analyzer", "CreateAnalyzer"): "access-analyzer:TagResource",
    ("budgets", "CreateBudget"): "budgets:TagResource",
    ("s3", "CreateBucket"): "s3:PutBucketTagging",
    ("events", "PutRule"): "events:TagResource",
}
_TAG_PARAMETER = re.compile(r"[\"']?\b(Tags|tags|TagsList|ResourceTags)\b[\"']?\s*[=:.]")
# Signing name (what a request carries) -> botocore service name.
SERVICE_NAMES = {"monitoring": "cloudwatch", "access-analyzer": "accessanalyzer", "s3-control": "s3control",
                 "elasticfilesystem": "efs"}


def iam_actions(service, operation, tagged=False):
    """The IAM actions one call of (botocore service name, operation) needs; ``tagged``: the
    call tags what it creates."""
    from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import iam_action

    prefix = iam_action(service, operation).split(":")[0]
    if service == "budgets":
        own = [BUDGETS[0] if operation.startswith(READ_ONLY_PREFIXES) else BUDGETS[1]]
    elif (service, operation) in ACTION_NAMES:
        own = [ACTION_NAMES[(service, operation)]] if ACTION_NAMES[(service, operation)] else []
    elif (prefix, operation) in ACTION_NAMES:
        own = [ACTION_NAMES[(prefix, operation)]] if ACTION_NAMES[(prefix, operation)] else []
    else:
        own = ["%s:%s" % (prefix, operation)]
    tag = [TAGGING[(prefix, operation)]] if tagged and (prefix, operation) in TAGGING else []
    return own + IMPLIED.get((prefix, operation), []) + tag


def is_read(operation):
    return operation.startswith(READ_ONLY_PREFIXES)


def request_operation(entry):
    """(botocore service name, operation, tagged) of one recorded request, or None."""
    import urllib.parse

    from tests.support.recorder import identify

    signing, operation, _region = identify(entry)
    if operation is None or signing is None:
        return None
    service = SERVICE_NAMES.get(signing, signing)
    if service == "s3" and urllib.parse.urlparse(entry["url"]).path.startswith("/v20180820/"):
        service = "s3control"
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    body = urllib.parse.unquote_plus(body)
    return service, operation, bool(_TAG_PARAMETER.search(body)) or "x-amz-tagging" in str(entry.get("headers", {})).lower()


# --- static: what the code can call ---------------------------------------------------------------

def _read(path):
    with open(path) as f:
        return f.read()


# The connection (clients, identity, regions), relative to module_utils.
AWS_UTILS = os.path.join("core", "aws.py")
# from ...plugins.module_utils[.package] import name[, name] | (names)
_UTILS_IMPORT = re.compile(r"plugins\.module_utils((?:\.\w+)*) import (\([^)]*\)|[^\n]+)")


def _imported_utils(text, seen):
    """Paths (relative to module_utils) of the module_utils the text imports, transitively."""
    seen.add(AWS_UTILS)  # connections only: its calls are handled in static_operations
    for package, names in _UTILS_IMPORT.findall(text):
        base = package.strip(".").replace(".", os.sep)
        candidates = [base + ".py"] + [os.path.join(base, name + ".py") for name in re.findall(r"\w+", names)]
        for rel in candidates:
            if rel not in seen and os.path.exists(os.path.join(UTILS_DIR, rel)):
                seen.add(rel)
                _imported_utils(_read(os.path.join(UTILS_DIR, rel)), seen)
    return seen


def _call_arguments(source, name):
    """The argument text of every ``.name(...)`` call in the source."""
    for match in re.finditer(r"\.%s\(" % name, source):
        depth, end = 1, match.end()
        while depth and end < len(source):
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            end += 1
        yield source[match.end():end - 1]


def static_operations(module):
    """{(service, operation, tagged)} the module's code (and the module_utils it imports) can call."""
    import botocore.session
    from botocore import xform_name

    text = _read(os.path.join(MODULE_DIR, module + ".py"))
    texts = [text] + [_read(os.path.join(UTILS_DIR, u)) for u in sorted(_imported_utils(text, set()) - {AWS_UTILS})]
    source = "\n".join(texts)
    session = botocore.session.get_session()
    available = set(session.get_available_services())
    services = set(s for s in re.findall(r"client\(\s*[\"']([\w-]+)[\"']", source) if s in available)
    out = set()
    if "enabled_regions(" in source:  # module_utils/core/aws.AwsConnection.enabled_regions
        out.add(("ec2", "DescribeRegions", False))
    for service in services:
        model = session.get_service_model(service)
        for operation in model.operation_names:
            snake = xform_name(operation)
            if re.search(r"\.%s\b|[\"']%s[\"']" % (snake, snake), source):
                # Tagged: a call passes a tag parameter; a method passed on (retry helpers) is
                # tagged when one shows within the 1,500 characters before it.
                tagged = any(_TAG_PARAMETER.search(args) for args in _call_arguments(source, snake)) or any(
                    _TAG_PARAMETER.search(source[max(0, ref.start() - 1500):ref.start()])
                    for ref in re.finditer(r"\.%s\b(?!\()" % snake, source))
                out.add((service, operation, tagged))
    return out


_IMPORT_TASKS = re.compile(r"(?:import|include)_tasks:\s*(\S+)")
# a role's tasks_from file, or its main.yml when the import names none
_IMPORT_ROLE = re.compile(r"(?:import|include)_role:\s*\n\s+name:\s*bulwark\.aws\.(\w+)\s*\n(?:\s+tasks_from:\s*(\S+))?")


def playbook_modules(playbook):
    """The bulwark.aws modules a playbook's roles and tasks use: the task files it runs (a role's
    main.yml, what that imports, another role's tasks_from file, the roles it depends on)."""
    import yaml

    found, seen = set(), set()

    def scan(text, role=None):
        found.update(re.findall(r"^\s*-?\s*bulwark\.aws\.(\w+):", text, re.M))
        if role:
            for name in _IMPORT_TASKS.findall(text):
                scan_file(role, name)
        for other, name in _IMPORT_ROLE.findall(text):
            scan_role(other, name or "main.yml")

    def scan_file(role, name):
        path = os.path.join(REPO, "roles", role, "tasks", name if name.endswith(".yml") else name + ".yml")
        if (role, path) not in seen and os.path.exists(path):
            seen.add((role, path))
            scan(_read(path), role)

    def scan_role(role, tasks_from="main.yml"):
        if (role, None) not in seen:
            seen.add((role, None))
            meta = os.path.join(REPO, "roles", role, "meta", "main.yml")
            for dep in (yaml.safe_load(_read(meta)) or {}).get("dependencies") or [] if os.path.exists(meta) else []:
                scan_role((dep["role"] if isinstance(dep, dict) else dep).split(".")[-1])
            scan_file(role, "main.yml")
        scan_file(role, tasks_from)

    text = _read(os.path.join(REPO, playbook))
    scan(text)
    for play in yaml.safe_load(text) or []:
        for role in play.get("roles", []):
            scan_role((role["role"] if isinstance(role, dict) else role).split(".")[-1])
    return sorted(m for m in found if os.path.exists(os.path.join(MODULE_DIR, m + ".py")))


def static_sets():
    """{policy name: {(service, operation, tagged)}} from the code alone."""
    out = {}
    harden = set()
    for module in playbook_modules("playbooks/harden.yml"):
        harden |= static_operations(module)
    out["audit"] = set(op for op in harden if is_read(op[1]))
    out["harden"] = harden
    for name in INCIDENT_PLAYBOOKS:
        if os.path.exists(os.path.join(REPO, "playbooks", name + ".yml")):
            ops = set()
            for module in playbook_modules("playbooks/%s.yml" % name):
                ops |= static_operations(module)
            out[name] = ops
    return out


# The incident playbooks: one policy each, named after the playbook. investigate's must be reads only.
INCIDENT_PLAYBOOKS = ("contain", "investigate")
READ_ONLY_POLICIES = ("audit", "investigate")

# --- recorded: what the runs called ---------------------------------------------------------------

OPT_INS = {
    "bulwark_iam_deactivate_unused_keys": True,
    "bulwark_iam_remove_unused_passwords": True,
    "bulwark_iam_deactivate_keys_older_than_days": 100,
    "bulwark_iam_create_admin_group": True,
    "bulwark_iam_admin_user": "ops-admin",
    "bulwark_iam_mfa_enforcement_groups": ["shell-users"],
    # roles guardrails and account (ignored while a role is not in harden.yml)
    "bulwark_guardrails_create_config_rules": True,
    "bulwark_account_alias_name": "bulwark-policy-recording",
    "bulwark_account_contacts": {
        kind: {"name": "Sec Ops", "title": "Security", "email": "security@example.com", "phone": "+1 555 0100"}
        for kind in ("security", "billing", "operations")},
    "bulwark_account_allowed_opt_in_regions": ["af-south-1"],
    "bulwark_account_enable_allowed_opt_in_regions": True,
    "bulwark_account_disable_unlisted_opt_in_regions": True,
    "bulwark_account_budget_amount": 100,
    "bulwark_account_budget_emails": ["finance@example.com"],
    # role report: the findings into Security Hub
    "bulwark_securityhub_export": True,
}


def _recorded(moto, playbook, args, workdir, name):
    from tests.support.playbook import run_playbook
    from tests.support.recorder import Recorder

    with Recorder(moto.url) as rec:
        run = run_playbook(playbook, moto.env(), *args, report_dir=os.path.join(workdir, name),
                           extra_env={"BULWARK_EVIDENCE_DIR": os.path.join(workdir, name + "-evidence")})
    if run.returncode != 0:
        sys.stderr.write("warning: %s %s ended with %d\n" % (playbook, " ".join(args), run.returncode))
    ops = set()
    for entry in rec.entries:
        if "/moto-api/" in entry["url"]:
            continue
        op = request_operation(entry)
        if op:
            ops.add(op)
    return ops


def recorded_sets(log=print, only=None):
    """{policy name: {(service, operation, tagged)}} from runs against moto (``only``: that
    policy's runs alone)."""
    from tests.support import seed
    from tests.support.moto_server import TEST_CREDENTIALS, MotoServer

    for name, value in TEST_CREDENTIALS.items():
        os.environ[name] = value
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ.pop("AWS_PROFILE", None)
    out = {"audit": set(), "harden": set(), "contain": set(), "investigate": set()}
    moto = MotoServer().start()
    try:
        with tempfile.TemporaryDirectory() as work:
            if only in (None, "investigate") and os.path.exists(os.path.join(REPO, "playbooks", "investigate.yml")):
                from tests.support.seeds import compromise

                for args in (["--check"], []):
                    # The compromised seed: its events (EMULATED LookupEvents, moto lacks it) lead
                    # the investigation everywhere the code goes.
                    moto.reset()
                    compromise.compromised(seed.session(moto.url))
                    log("recording investigate.yml %s on the compromised seed" % " ".join(args))
                    for principal in ("user=" + compromise.ATTACKER, "role=" + compromise.ROLE):
                        out["investigate"] |= _recorded(moto, "playbooks/investigate.yml", ["-e", principal] + args,
                                                        work, "investigate-%s%s" % (principal, "".join(args)))
            if only in (None, "audit", "harden"):
                password_file = os.path.join(work, "admin-password")
                owner = ["-e", json.dumps(seed.playbook_vars())]
                # The network and storage roles' opt-ins are the demo's (tests/support/seeds/).
                opt_ins = owner + ["-e", json.dumps(dict(seed.demo_vars(), **dict(
                    OPT_INS, bulwark_iam_admin_user_password_file=password_file)))]
                for state in ("insecure", "hardened"):
                    moto.reset()
                    seed.seed(state, moto.url)
                    log("recording harden.yml --check on the %s seed" % state)
                    out["audit"] |= _recorded(moto, "harden.yml", ["--check"], work, state + "-check")
                    log("recording harden.yml on the %s seed" % state)
                    out["harden"] |= _recorded(moto, "harden.yml", owner, work, state + "-apply")
                    log("recording harden.yml --check after the apply")
                    out["audit"] |= _recorded(moto, "harden.yml", ["--check"], work, state + "-verify")
                moto.reset()
                seed.seed("insecure", moto.url)
                log("recording harden.yml with the opt-ins on")
                out["harden"] |= _recorded(moto, "harden.yml", opt_ins, work, "opt-ins")
            if only in (None, "contain") and os.path.exists(os.path.join(REPO, "playbooks", "contain.yml")):
                moto.reset()
                seed.seed("insecure", moto.url)
                for args in (["--check"], []):
                    log("recording contain.yml -e user %s" % " ".join(args))
                    out["contain"] |= _recorded(moto, "playbooks/contain.yml", ["-e", "user=bob-two-keys"] + args,
                                                work, "contain" + "".join(args))
                # The other principals, on the compromised seed: an instance (stopped too, its
                # VPC's addresses blocked), the backdoor key, the role.
                from tests.support.seeds import compromise

                moto.reset()
                made = compromise.compromised(seed.session(moto.url))
                instance = made["instances"][made["regions"][0]]
                principals = (["-e", "instance_id=" + instance, "-e", "stop_instance=true", "-e", "block_ips=[203.0.113.9]"],
                              ["-e", "access_key_id=" + made["backdoor_key"]], ["-e", "role=" + compromise.ROLE])
                for args in (["--check"], []):
                    for principal in principals:
                        log("recording contain.yml %s %s" % (" ".join(principal), " ".join(args)))
                        out["contain"] |= _recorded(moto, "playbooks/contain.yml", principal + args, work,
                                                    "contain-%s%s" % (principal[1].split("=")[0], "".join(args)))
    finally:
        moto.stop()
    out["harden"] |= out["audit"]
    return out


# --- policies ---------------------------------------------------------------------------------------

def actions_of(operations):
    """The IAM actions of {(service, operation, tagged)}."""
    return set(a for service, op, tagged in operations for a in iam_actions(service, op, tagged))


def policy_document(actions):
    by_prefix = {}
    for action in sorted(actions):
        by_prefix.setdefault(action.split(":")[0], []).append(action)
    statements = []
    for prefix in sorted(by_prefix):
        sid = "".join(part.capitalize() for part in re.split(r"[^a-z0-9]+", prefix))
        statements.append({"Sid": sid, "Effect": "Allow", "Action": by_prefix[prefix], "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_path(name):
    return os.path.join(POLICY_DIR, "bulwark-%s.json" % name)


def committed_actions(name):
    """The actions a committed policy allows (set), or None when it does not exist."""
    path = policy_path(name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        doc = json.load(f)
    out = set()
    for statement in doc["Statement"]:
        if statement.get("Effect") == "Allow":
            actions = statement["Action"]
            out.update([actions] if isinstance(actions, str) else actions)
    return out


def covers(allowed, action):
    return any(re.match("^" + re.escape(a).replace(r"\*", ".*") + "$", action) for a in allowed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite docs/policies/*.json")
    parser.add_argument("--static", action="store_true", help="no recorded runs: the code's calls only")
    parser.add_argument("--only", choices=("audit", "harden") + INCIDENT_PLAYBOOKS,
                        help="that policy alone (its runs alone are recorded; harden includes audit's)")
    args = parser.parse_args(argv)

    static = static_sets()
    recorded = {} if args.static else recorded_sets(log=lambda text: sys.stderr.write(text + "\n"), only=args.only)
    status = 0
    for name in sorted(n for n in static if args.only in (None, n)):
        ops = static[name] | recorded.get(name, set())
        if name == "audit":
            ops = set(op for op in ops if is_read(op[1]))
        writes = sorted("%s:%s" % op[:2] for op in ops if not is_read(op[1]))
        if name in READ_ONLY_POLICIES and writes:  # investigate.yml makes no write call, by construction
            print("== %s: WRITE operations found, not written: %s" % (name, ", ".join(writes)))
            status = 1
            continue
        actions = actions_of(ops)
        only_static = actions_of(static[name]) - actions_of(recorded.get(name, set())) if recorded else set()
        print("== %s: %d actions (%d operations)" % (name, len(actions), len(ops)))
        for action in sorted(actions):
            print("   %s%s" % (action, "   (code only: no recorded run called it)" if action in only_static else ""))
        if args.write:
            os.makedirs(POLICY_DIR, exist_ok=True)
            with open(policy_path(name), "w") as f:
                json.dump(policy_document(actions), f, indent=2)
                f.write("\n")
            print("   wrote %s" % os.path.relpath(policy_path(name), REPO))
            continue
        allowed = committed_actions(name)
        if allowed is None:
            print("   %s does not exist: run with --write" % os.path.relpath(policy_path(name), REPO))
            status = 1
            continue
        missing = sorted(a for a in actions if not covers(allowed, a))
        extra = sorted(allowed - actions)
        if missing:
            status = 1
            print("   MISSING from %s: %s" % (os.path.relpath(policy_path(name), REPO), ", ".join(missing)))
        if extra:
            print("   in %s but not called: %s" % (os.path.relpath(policy_path(name), REPO), ", ".join(extra)))
    return status


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

"""Least privilege: docs/policies/bulwark-audit.json is all --check needs and nothing that
writes; bulwark-harden.json is all apply needs. Proven with moto's IAM enforcement on.
bulwark-investigate.json covers every call investigate.yml's code can make and is reads only
(from the code scan and scripts/policies.py's recorded runs; no enforced run here).

moto checks a call as ``<signing name>:<operation>`` (monitoring:DescribeAlarms, not
cloudwatch:DescribeAlarms; s3:GetPublicAccessBlock for the account setting), so the users
here hold the committed policy translated to those names (``moto_names``), never more than
the committed actions stand for. Calls moto does not check at all, and permissions a call
implies (iam:PassRole, iam:CreateServiceLinkedRole), are covered by the recorder instead:
every call a run makes is mapped to its IAM actions (scripts/policies.py) and must be in
the committed policy.
"""

import importlib.util
import json
import os
import urllib.request

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

from tests.support import seed
from tests.support.fault_proxy import FaultProxy
from tests.support.moto_gaps import real_errors
from tests.support.playbook import REPO, run_playbook

_spec = importlib.util.spec_from_file_location("bulwark_policies", os.path.join(REPO, "scripts", "policies.py"))
policies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(policies)

SIGNING = {"cloudwatch": "monitoring", "accessanalyzer": "access-analyzer", "s3control": "s3"}


def committed(name):
    actions = policies.committed_actions(name)
    assert actions, "docs/policies/bulwark-%s.json is missing: python scripts/policies.py --write" % name
    return actions


def _operation_catalogue(prefixes):
    """{real IAM action: {moto action}} for every operation of the services behind these prefixes."""
    import botocore.session

    from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import iam_action

    session = botocore.session.get_session()
    out = {}
    for service in session.get_available_services():
        if iam_action(service, "X").split(":")[0] not in prefixes and service not in prefixes:
            continue
        signing = SIGNING.get(service, session.get_service_model(service).signing_name or service)
        for operation in session.get_service_model(service).operation_names:
            for action in policies.iam_actions(service, operation)[:1]:
                out.setdefault(action, set()).add("%s:%s" % (signing, operation))
    return out


def moto_names(actions):
    """The committed actions as moto checks them: each action, plus the <signing>:<operation>
    names of the operations it stands for. S3 bucket sub-resources moto does not map
    (encryption, ownership controls) it checks as s3:ListBucket (GET) / s3:CreateBucket (PUT):
    added when the policy allows reading / changing bucket settings."""
    catalogue = _operation_catalogue(set(a.split(":")[0] for a in actions))
    out = set(actions)
    for action in actions:
        out |= catalogue.get(action, set())
    if any(a.startswith("s3:GetBucket") or a.startswith("s3:GetEncryption") for a in actions):
        out.add("s3:ListBucket")
    if any(a.startswith("s3:PutBucket") or a.startswith("s3:PutEncryption") for a in actions):
        out.add("s3:CreateBucket")
    return sorted(out)


# --- static: the code's calls are in the committed policies ------------------------------------------

def test_committed_policies_cover_every_call_the_code_can_make():
    static = policies.static_sets()
    for name, operations in static.items():
        allowed = committed(name)
        missing = sorted(a for a in policies.actions_of(operations)
                         if not policies.covers(allowed, a) and (name != "audit" or policies.is_read(a.split(":")[1])))
        assert missing == [], "bulwark-%s.json lacks %s: python scripts/policies.py --write" % (name, missing)


def test_audit_policy_only_reads_and_harden_includes_it():
    audit, harden = committed("audit"), committed("harden")
    writes = sorted(a for a in audit if not a.split(":")[1].startswith(policies.READ_ONLY_PREFIXES)
                    and a != "budgets:ViewBudget")
    assert writes == [], "the audit policy allows changes: %s" % writes
    assert not [a for a in audit | harden if "*" in a], "no wildcard actions"
    assert audit <= harden


def test_investigate_policy_only_reads():
    """investigate.yml makes no write call, by construction: its policy grants none."""
    investigate = committed("investigate")
    writes = sorted(a for a in investigate if not a.split(":")[1].startswith(policies.READ_ONLY_PREFIXES))
    assert writes == [], "the investigate policy allows changes: %s" % writes
    assert "cloudtrail:LookupEvents" in investigate and not [a for a in investigate if "*" in a]


def test_policies_are_valid_policy_documents():
    for name in ("audit", "harden", "investigate"):
        with open(policies.policy_path(name)) as f:
            doc = json.load(f)
        assert doc["Version"] == "2012-10-17"
        sids = [s["Sid"] for s in doc["Statement"]]
        assert len(sids) == len(set(sids))
        for statement in doc["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Resource"] == "*" and statement["Action"]
        assert len(json.dumps(doc, separators=(",", ":"))) <= 6144, "over IAM's managed policy size limit"


# --- enforced: moto refuses what the policy does not allow --------------------------------------------

def _reset_auth(url, count):
    # text/plain: with urllib's default form content type moto would see an empty body
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=str(count).encode(), method="POST",
                                 headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _user(iam, name, actions):
    """An IAM user whose permissions come from a group (so it adds no finding of its own)."""
    iam.create_group(GroupName=name + "-group")
    if actions:
        chunks = [actions[i:i + 120] for i in range(0, len(actions), 120)]
        for n, chunk in enumerate(chunks):
            doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": chunk, "Resource": "*"}]}
            arn = iam.create_policy(PolicyName="%s-%d" % (name, n), PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
            iam.attach_group_policy(GroupName=name + "-group", PolicyArn=arn)
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName=name + "-group", UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


class Enforced:
    """moto_server with IAM enforcement on, the users, and the services moto cannot check."""

    def __init__(self, moto_server, users, unverifiable):
        self.server, self.users, self.unverifiable = moto_server, users, unverifiable

    def checked(self, findings):
        """The findings of controls whose service moto can check under enforcement."""
        return [f for f in findings if f["control"].split(".")[0] not in self.unverifiable]


def code_operations():
    operations = set()
    for ops in policies.static_sets().values():
        operations |= set((service, op) for service, op, _tagged in ops)
    return sorted(operations - {("sts", "GetCallerIdentity")})


def signature_rejected(url, creds):
    """The services whose requests moto (5.2) rejects with SignatureDoesNotMatch once IAM
    enforcement is on, even for an identity allowed everything: GuardDuty, Security Hub and EFS
    (REST APIs) here. moto cannot prove their permissions; the recorder mapping and the code
    scan still hold them to the committed policies. Reads only: as an identity allowed
    everything a write would go through and leave placeholders (a bucket "bulwark-probe") in
    the account the runs then audit."""
    return set(service for service, op in code_operations()
               if op.startswith(policies.READ_ONLY_PREFIXES)
               and probe(url, creds, service, op) == "SignatureDoesNotMatch")


@pytest.fixture
def enforced(moto_server):
    """The insecure seed, users holding the policies, then moto's IAM enforcement on."""
    seed.seed("insecure", moto_server.url)
    iam = seed.client(seed.session(moto_server.url), "iam")
    users = {"auditor": _user(iam, "bulwark-auditor", moto_names(committed("audit"))),
             "hardener": _user(iam, "bulwark-hardener", moto_names(committed("harden"))),
             "nobody": _user(iam, "bulwark-nobody", []),
             "admin": _user(iam, "bulwark-admin", ["*"])}
    _reset_auth(moto_server.url, 0)
    try:
        yield Enforced(moto_server, users, signature_rejected(moto_server.url, users["admin"]))
    finally:
        _reset_auth(moto_server.url, "inf")


def harden(moto_server, tmp_path, name, creds, *args, extra_env=None):
    with FaultProxy(moto_server.url) as proxy:
        env = dict(moto_server.env(), AWS_ENDPOINT_URL=proxy.url, **creds)
        run = run_playbook("harden.yml", env, *args, report_dir=tmp_path / name, extra_env=extra_env)
    assert "Traceback" not in run.stdout + run.stderr, run
    return run, proxy


def called_actions(proxy, status=None):
    """The IAM actions of the calls the proxy forwarded (answered with ``status`` when given)."""
    out = set()
    for service, operation, _region, _method, code in proxy.answered:
        if operation and (status is None or status(code)):
            out.update(policies.iam_actions(policies.SERVICE_NAMES.get(service, service), operation))
    return out


def key(f):
    return (f["control"], f["status"], f["resource"], f["region"])


def denied_calls(enforced, proxy):
    """(service, operation) of the calls moto refused (403), but for the services it cannot check."""
    return sorted(set(a[:2] for a in proxy.answered
                      if a[4] == 403 and policies.SERVICE_NAMES.get(a[0], a[0]) not in enforced.unverifiable))


def test_audit_policy_runs_the_whole_check_and_cannot_apply(enforced, tmp_path):
    moto_server, users = enforced.server, enforced.users
    _reset_auth(moto_server.url, "inf")
    baseline = harden(moto_server, tmp_path, "baseline", users["auditor"], "--check")[0]
    _reset_auth(moto_server.url, 0)
    assert baseline.returncode == 0, baseline

    check, proxy = harden(moto_server, tmp_path, "check", users["auditor"], "--check")
    assert check.returncode == 0, check
    denied = denied_calls(enforced, proxy)
    assert denied == [], "the audit policy is missing permissions for %s" % denied
    assert "AccessDenied" not in check.stdout
    assert sorted(key(f) for f in enforced.checked(check.findings())) == \
        sorted(key(f) for f in enforced.checked(baseline.findings()))
    assert real_errors(enforced.checked(check.findings())) == []
    # Calls moto lets through unchecked are still in the committed policy.
    audit = committed("audit")
    assert sorted(a for a in called_actions(proxy) if not policies.covers(audit, a)) == []

    # Seen: this apply exited 0 with changed=1 although every write was refused. Now nothing
    # changed says changed=0, and the default BULWARK_FAIL_ON=error fails the run on its errors.
    apply, proxy = harden(moto_server, tmp_path, "apply", users["auditor"], extra_env={"BULWARK_FAIL_ON": ""})
    assert apply.returncode == 2, apply
    assert apply.recap["localhost"]["changed"] == 0 and apply.recap["localhost"]["failed"] == 1, apply
    assert "BULWARK_FAIL_ON=error: " in apply.stdout + apply.stderr
    would_fix = set(f["control"] for f in check.findings() if f["status"] == "drift")
    errors = real_errors(enforced.checked(apply.findings()))
    assert errors, apply
    assert would_fix <= set(f["control"] for f in errors) | set(c for c in apply.statuses() if not apply.statuses()[c] & {"fixed"}), apply
    assert not [f for f in apply.findings() if f["status"] == "fixed"], "a write got through the audit policy"
    for f in errors:
        assert "\n" not in f["message"] and ("grant " in f["message"] or "denied" in f["message"].lower()), f
    written = [a for a in proxy.answered if a[4] < 400 and not policies.is_read(a[1] or "Get")]
    assert written == [], "the audit identity changed something: %s" % written


def test_harden_policy_suffices_for_apply(enforced, tmp_path):
    moto_server, users = enforced.server, enforced.users
    apply, proxy = harden(moto_server, tmp_path, "apply", users["hardener"], "-e", json.dumps(seed.playbook_vars()))
    assert apply.returncode == 0, apply
    denied = denied_calls(enforced, proxy)
    assert denied == [], "the harden policy is missing permissions for %s" % denied
    assert real_errors(enforced.checked(apply.findings())) == [], apply
    harden_actions = committed("harden")
    assert sorted(a for a in called_actions(proxy) if not policies.covers(harden_actions, a)) == []

    verify = harden(moto_server, tmp_path, "verify", users["auditor"], "--check")[0]
    assert verify.returncode == 0, verify
    checked = enforced.checked(verify.findings())
    assert any(controls.get(f["control"]).remediation_kind == "auto" for f in checked)
    assert enforced.checked(verify.auto_left()) == [], verify.auto_left()


def probe(url, creds, service, operation):
    """Call one operation with placeholder parameters as ``creds``: True when moto refuses it
    for lack of permission (it checks before it looks at the parameters), "SignatureDoesNotMatch"
    when moto cannot verify the request at all, else False."""
    import boto3
    import botocore.exceptions
    import botocore.parsers
    from botocore.config import Config

    client = boto3.client(service, endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                          config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    shape = client.meta.service_model.operation_model(operation).input_shape
    placeholder = {"string": "bulwark-probe", "integer": 1, "long": 1, "boolean": False, "list": [], "map": {},
                   "structure": {}, "timestamp": "2026-01-01T00:00:00Z", "blob": b"x"}
    params = dict((name, placeholder.get(shape.members[name].type_name, "bulwark-probe"))
                  for name in (shape.required_members if shape else []))
    try:
        client._make_api_call(operation, params)  # pylint: disable=protected-access
    except botocore.exceptions.ClientError as e:
        if "SignatureDoesNotMatch" in str(e):
            return "SignatureDoesNotMatch"  # REST APIs put moto's XML error in the message
        code = e.response["Error"]["Code"]
        return code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation") or \
            e.response["ResponseMetadata"].get("HTTPStatusCode") == 403
    except (botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError, ValueError, KeyError, TypeError):
        return False  # moto crashed on the placeholders (an HTML 500): it let the call through
    return False


def test_where_moto_does_not_enforce_the_recorder_covers(enforced, tmp_path):
    """Every operation the modules can call, probed as a user with no permission at all: those
    moto still lets through are not proven by the enforced runs. They are covered by the
    recorder (the enforced runs above map every call they make into the committed policy) and
    by the code scan (test_committed_policies_cover_every_call_the_code_can_make)."""
    moto_server, users = enforced.server, enforced.users
    refused = dict(((service, op), probe(moto_server.url, users["nobody"], service, op) is True)
                   for service, op in code_operations())
    enforced_ops = sorted(op for op, denied in refused.items() if denied)
    unenforced = sorted(op for op, denied in refused.items() if not denied)
    assert enforced_ops, "moto enforced nothing: the enforced runs would prove nothing"
    allowed = committed("harden") | (policies.committed_actions("contain") or set()) | committed("investigate")
    for service, op in unenforced:
        for action in policies.iam_actions(service, op):
            assert policies.covers(allowed, action), (service, op, action)
    # A user without permissions: every control errors, the play still completes, no traceback.
    check = harden(moto_server, tmp_path, "nobody-check", users["nobody"], "--check")[0]
    assert check.returncode == 0, check
    statuses = set(f["status"] for f in check.findings())
    assert "error" in statuses and statuses <= {"error", "manual"}, statuses
    print("moto does not enforce: %s" % ", ".join("%s:%s" % op for op in unenforced))
    print("moto rejects every signature of: %s" % ", ".join(sorted(enforced.unverifiable)))

"""IAM hygiene seed steps: stale and old credentials, setup keys, broad policies, CloudShell,
server certificates; and, hardened, the admin group, the support role and the MFA policy.

Dates in the past. IAM has no API to backdate a user or a key, and neither has moto's HTTP
API, so ``backdate`` reaches moto's backend objects (``moto.iam.models.iam_backends``) and sets
``create_date`` / ``last_used`` / ``password_last_used`` there. That works whenever moto runs in
this Python process: ``mock_aws`` unit tests, and the ``moto_server`` fixture, the demo and the
benchmarks (``ThreadedMotoServer`` threads in the same process). A moto_server in another
process (molecule's create.yml runs ``python -m tests.support.moto_server``) cannot be reached;
``backdate`` then returns False, ``BACKDATED`` stays False and the stale-credential controls
simply pass there. Stubber was not used: the credential report is one CSV, and moto builds it
from the same backend objects, so backdating them exercises the real parsing and API path.
"""

import datetime
import json
import os
import sys

from tests.support.seed import ACCOUNT_ID, CONSOLE_PASSWORD, aws_managed_policy, client, create_key
from tests.support.seed import account_id as account_of

_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), ".collections")
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)

from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy  # noqa: E402

# What the iam role's defaults name (roles/iam/defaults/main.yml).
MFA_POLICY_NAME = "bulwark-require-mfa"
ALMOST_ADMIN_DOCUMENT = {"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "NotAction": ["s3:DeleteBucket"], "Resource": "*"}]}
# Any text: moto does not parse certificates and reports every one as expired in 2012.
FAKE_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBbulwarkseedfake\n-----END CERTIFICATE-----"
FAKE_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIBbulwarkseedfake\n-----END PRIVATE KEY-----"

# True once backdate() reached an in-process moto backend.
BACKDATED = False


def _ago(days):
    # moto keeps naive UTC datetimes
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)).replace(tzinfo=None)


def backdate(user, created_days=None, password_used_days=None, keys=None, account_id=ACCOUNT_ID):
    """Move a moto user's dates into the past, in days ago.

    ``keys`` maps the key's position (1, 2: the credential report's access_key_N) to
    (created_days, last_used_days or None). Returns False when moto is not in this process.
    """
    global BACKDATED
    try:
        from moto.iam.models import iam_backends
    except ImportError:  # pragma: no cover - moto is a test requirement
        return False
    backend = iam_backends[account_id]["aws"]
    obj = backend.users.get(user)
    if obj is None:
        return False
    if created_days is not None:
        obj.create_date = _ago(created_days)
    if password_used_days is not None:
        obj.password_last_used = _ago(password_used_days)
    for number, (created, used) in (keys or {}).items():
        key = obj.access_keys[number - 1]
        if created is not None:
            key.create_date = _ago(created)
        key.last_used = _ago(used) if used is not None else None
    BACKDATED = True
    return True


def _managed(sess, name):
    return "arn:aws:iam::aws:policy/" + name


def _console_user_with_mfa(iam, name):
    """A console user with a virtual MFA device: the iam domain's alice-console stays the one
    console user without MFA (iam.user_mfa), whatever this domain adds."""
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=CONSOLE_PASSWORD)
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")


def insecure(sess):
    """A console user with a key made at setup; a stale user (password and key unused for 200
    days; both have MFA, so alice-console stays the only console user without it); a key 120 days old still in use; a NotAction policy that is admin in effect;
    AWSCloudShellFullAccess on a group; an expired server certificate. No support role, no
    admin group, no MFA policy (alice-console, from the iam domain, is in no group)."""
    iam = client(sess, "iam")
    _console_user_with_mfa(iam, "frank-setup-key")
    create_key(iam, "frank-setup-key")

    account = account_of(sess)  # moto keeps one IAM backend per account
    _console_user_with_mfa(iam, "gina-stale")
    create_key(iam, "gina-stale")
    backdate("gina-stale", created_days=200, keys={1: (200, None)}, account_id=account)

    iam.create_user(UserName="hank-old-key")
    create_key(iam, "hank-old-key")
    backdate("hank-old-key", created_days=130, keys={1: (120, 2)}, account_id=account)

    iam.create_policy(PolicyName="AlmostAdmin", PolicyDocument=json.dumps(ALMOST_ADMIN_DOCUMENT))
    iam.create_group(GroupName="shell-users")
    try:
        iam.attach_group_policy(GroupName="shell-users", PolicyArn=_managed(sess, "AWSCloudShellFullAccess"))
    except iam.exceptions.NoSuchEntityException:
        pass  # moto without MOTO_IAM_LOAD_MANAGED_POLICIES=true has no AWS managed policies
    iam.upload_server_certificate(ServerCertificateName="legacy-www", CertificateBody=FAKE_CERTIFICATE,
                                  PrivateKey=FAKE_PRIVATE_KEY)


def hardened(sess):
    """An admin group with AdministratorAccess, a support role with AWSSupportAccess, and the MFA
    enforcement policy attached to the iam domain's 'readers' group (its console user's group).
    Both AWS managed policies must exist in moto (seed.aws_managed_policy): checked first, so a
    moto without them is refused before anything is made."""
    iam = client(sess, "iam")
    admin, support = (aws_managed_policy(sess, name) for name in ("AdministratorAccess", "AWSSupportAccess"))
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin)
    trust = iam_policy.trust_account_document(["arn:aws:iam::%s:root" % account_of(sess)])
    iam.create_role(RoleName="support", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="support", PolicyArn=support)
    arn = iam.create_policy(PolicyName=MFA_POLICY_NAME,
                            PolicyDocument=json.dumps(iam_policy.mfa_enforcement_document("aws")))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)

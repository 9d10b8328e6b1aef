"""IAM seed steps: root, password policy, users, keys and policies."""

import json

from tests.support.seed import ADMIN_DOCUMENT, CIS_PASSWORD_POLICY, CONSOLE_PASSWORD, READ_DOCUMENT, client, create_key


# --- IAM: root, password policy, users --------------------------------------------------------

def insecure(sess):
    """No password policy; a console user without MFA; a user with two active keys; inline and
    user-attached policies; a customer managed policy granting '*' on '*' (attached)."""
    iam = client(sess, "iam")
    try:
        iam.delete_account_password_policy()
    except iam.exceptions.NoSuchEntityException:
        pass
    iam.create_user(UserName="alice-console")
    iam.create_login_profile(UserName="alice-console", Password=CONSOLE_PASSWORD)
    iam.create_user(UserName="bob-two-keys")
    create_key(iam, "bob-two-keys")
    create_key(iam, "bob-two-keys")
    iam.create_user(UserName="carol-direct-policies")
    iam.put_user_policy(UserName="carol-direct-policies", PolicyName="inline-read",
                        PolicyDocument=json.dumps(READ_DOCUMENT))
    admin = iam.create_policy(PolicyName="BroadAdmin", PolicyDocument=json.dumps(ADMIN_DOCUMENT))["Policy"]
    iam.attach_user_policy(UserName="carol-direct-policies", PolicyArn=admin["Arn"])


def hardened(sess):
    """CIS password policy; console users with MFA, in a group; one key per user; no user policies."""
    iam = client(sess, "iam")
    iam.update_account_password_policy(**CIS_PASSWORD_POLICY)
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=json.dumps(READ_DOCUMENT))
    iam.create_user(UserName="dana-console")
    iam.create_login_profile(UserName="dana-console", Password=CONSOLE_PASSWORD)
    iam.add_user_to_group(GroupName="readers", UserName="dana-console")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="dana-console")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="dana-console", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.create_user(UserName="erin-ci")
    iam.add_user_to_group(GroupName="readers", UserName="erin-ci")
    create_key(iam, "erin-ci")

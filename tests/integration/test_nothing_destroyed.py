"""Nothing is destroyed by default: a full apply of harden.yml on the insecure seed, with the
default variables, makes no Delete*/Deactivate*/Detach*/Remove* call (nor Disable*, Stop*,
Revoke*, Disassociate*, nor an UpdateAccessKey to Inactive: IAM's way to deactivate a key),
and everything the seed made is still there afterwards, as it was.

The same run with the opt-ins on shows the recorder does see such calls when they happen.
"""

import base64
import urllib.parse

from tests.support import seed
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder, identify

DESTRUCTIVE = ("Delete", "Deactivate", "Detach", "Remove", "Disable", "Stop", "Revoke", "Disassociate")
OPT_INS = ["-e", "bulwark_iam_deactivate_unused_keys=true", "-e", "bulwark_iam_remove_unused_passwords=true",
           "-e", "bulwark_iam_deactivate_keys_older_than_days=100"]


def _form(entry):
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    return urllib.parse.parse_qs(body)


def destructive_calls(recorder):
    """[(service, operation, region)] of every recorded call that removes, disables or deactivates."""
    out = []
    for entry in recorder.entries:
        if "/moto-api/" in entry["url"]:
            continue
        service, operation, region = identify(entry)
        if operation is None:
            continue
        if operation.startswith(DESTRUCTIVE) or (
                operation == "UpdateAccessKey" and _form(entry).get("Status") == ["Inactive"]):
            out.append((service, operation, region))
    return out


def seeded_things(url):
    """Everything the insecure seed made that a destructive call could take away."""
    iam = seed.client(seed.session(url), "iam")
    users = [u["UserName"] for u in iam.list_users()["Users"]]
    things = set()
    for user in users:
        things.add(("user", user))
        things.update(("key", user, k["AccessKeyId"], k["Status"])
                      for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"])
        try:
            iam.get_login_profile(UserName=user)
            things.add(("login profile", user))
        except iam.exceptions.NoSuchEntityException:
            pass
        things.update(("inline policy", user, p) for p in iam.list_user_policies(UserName=user)["PolicyNames"])
        things.update(("attached policy", user, p["PolicyArn"])
                      for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"])
        things.update(("group member", user, g["GroupName"]) for g in iam.list_groups_for_user(UserName=user)["Groups"])
    for group in iam.list_groups()["Groups"]:
        things.add(("group", group["GroupName"]))
        things.update(("group policy", group["GroupName"], p["PolicyArn"])
                      for p in iam.list_attached_group_policies(GroupName=group["GroupName"])["AttachedPolicies"])
    things.update(("policy", p["PolicyName"]) for p in iam.list_policies(Scope="Local")["Policies"])
    things.update(("server certificate", c["ServerCertificateName"])
                  for c in iam.list_server_certificates()["ServerCertificateMetadataList"])
    return things


def test_default_apply_destroys_nothing(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)
    before = seeded_things(moto_server.url)
    assert ("login profile", "alice-console") in before and len([t for t in before if t[0] == "key"]) >= 4
    with Recorder(moto_server.url) as rec:
        run = run_playbook("harden.yml", moto_server.env(), report_dir=tmp_path / "apply")
    assert run.returncode == 0, run
    assert rec.writes(), "the apply changed nothing at all: the test would prove nothing"
    assert destructive_calls(rec) == []
    assert before - seeded_things(moto_server.url) == set()


def test_opt_ins_are_what_it_takes_and_the_recorder_sees_them(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)
    with Recorder(moto_server.url) as rec:
        run = run_playbook("harden.yml", moto_server.env(), *OPT_INS, report_dir=tmp_path / "apply")
    assert run.returncode == 0, run
    operations = set(call[1] for call in destructive_calls(rec))
    assert {"UpdateAccessKey", "DeleteLoginProfile"} <= operations, operations
    # Opt-in remediation deactivates and removes passwords; it never deletes a user or a key.
    assert not operations & {"DeleteUser", "DeleteAccessKey"}, operations

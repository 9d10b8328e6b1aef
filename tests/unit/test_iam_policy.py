"""Policy analysis helpers: full-admin detection statement by statement, normalising, documents."""

import json
import urllib.parse

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.domain import iam_policy as p


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**kw):
    return dict(Effect="Allow", **kw)


@pytest.mark.parametrize("statement,admin", [
    (allow(Action="*", Resource="*"), True),
    (allow(Action="*:*", Resource="*"), True),
    (allow(Action=["s3:GetObject", "*"], Resource=["arn:aws:s3:::b", "*"]), True),
    (allow(Action="**:*", Resource="*"), True),
    (allow(Action="*", Resource="arn:aws:*:*:*:*"), True),
    (allow(Action="*", Resource="arn:*"), True),
    (allow(Action="*", NotResource="arn:aws:s3:::secret"), True),
    (allow(Action="*", Resource="*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), True),
    (allow(NotAction="s3:DeleteBucket", Resource="*"), True),              # "everything but one": admin
    (allow(NotAction=["s3:*", "ec2:*"], Resource="*"), True),             # IAM still allowed
    (allow(NotAction=["iam:*", "organizations:*", "account:*"], Resource="*"), False),  # PowerUserAccess
    (allow(NotAction="i*:*", Resource="*"), False),
    (allow(NotAction="*", Resource="*"), False),                          # grants nothing
    (allow(NotAction="s3:DeleteBucket", Resource="arn:aws:s3:::bucket"), False),
    (allow(Action="s3:*", Resource="*"), False),
    (allow(Action="iam:*", Resource="*"), True),      # seen unflagged: every IAM action can grant itself '*'
    (allow(Action=["s3:GetObject", "I*:*"], Resource="*"), True),
    (allow(Action="iam:*", Resource="arn:aws:iam::123456789012:user/ops/*"), False),  # not on every resource
    (allow(Action="iam:Get*", Resource="*"), False),
    (allow(Action="*", Resource="arn:aws:s3:::bucket/*"), False),
    (allow(Action="*:Get*", Resource="*"), False),
    ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
    ({"Effect": "allow", "Action": "*", "Resource": "*"}, True),          # Effect compared without case
])
def test_admin_statement(statement, admin):
    assert bool(p.admin_reason(statement)) is admin


def test_admin_statements_are_judged_one_by_one_and_named():
    document = doc(allow(Action="s3:*", Resource="*"), dict(allow(Action="*", Resource="*"), Sid="Everything"),
                   allow(NotAction="s3:DeleteBucket", Resource="*"))
    found = p.admin_statements(document)
    assert [(n, sid) for n, sid, _r in found] == [(1, "Everything"), (2, None)]
    assert "IAM stays allowed" in found[1][2]


def test_every_iam_action_is_admin_because_it_can_grant_itself_everything():
    reason = p.admin_reason(allow(Action="iam:*", Resource="*"))
    assert reason == "Allow \"iam:*\" on '*': every IAM action, so it can grant itself '*'"


def test_condition_is_named_in_the_reason():
    reason = p.admin_reason(allow(Action="*", Resource="*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert "IpAddress" in reason


def test_single_statement_dict_and_encoded_documents_are_read():
    single = {"Version": "2012-10-17", "Statement": allow(Action="*", Resource="*")}
    assert p.grants_full_admin(single)
    assert p.grants_full_admin(json.dumps(single))
    assert p.grants_full_admin(urllib.parse.quote(json.dumps(single)))  # IAM returns URL-encoded JSON
    assert p.grants_full_admin(json.dumps(single).encode())
    assert not p.grants_full_admin(doc())


@pytest.mark.parametrize("pattern,service,covered", [
    ("iam:*", "iam", True), ("IAM:*", "iam", True), ("i*:*", "iam", True), ("*", "iam", True),
    ("iam:Get*", "iam", False), ("s3:*", "iam", False), ("iam:", "iam", False),
])
def test_covers_service(pattern, service, covered):
    assert p.covers_service(pattern, service) is covered


def test_normalise_ignores_order_and_string_or_list():
    a = doc({"Effect": "Allow", "Action": ["s3:b", "s3:a"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:x", "Resource": ["*"],
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
    b = doc({"Resource": ["*"], "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}},
             "Effect": "Deny", "NotAction": ["iam:x"]},
            {"Action": ["s3:a", "s3:b"], "Effect": "Allow", "Resource": ["*"]})
    assert p.same(a, b)
    assert p.same(a, json.dumps(b))
    assert not p.same(a, doc({"Effect": "Allow", "Action": "s3:a", "Resource": "*"}))


def test_mfa_enforcement_document_matches_the_pattern():
    document = p.mfa_enforcement_document("aws-cn")
    deny = [s for s in document["Statement"] if s["Effect"] == "Deny"]
    assert len(deny) == 1
    assert deny[0]["Resource"] == "*"
    assert deny[0]["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    allowed_without_mfa = set(deny[0]["NotAction"])
    assert {"iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
            "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken", "iam:GetUser",
            "iam:GetAccountPasswordPolicy"} == allowed_without_mfa
    text = json.dumps(document)
    assert "DeleteVirtualMFADevice" not in text
    assert "arn:aws-cn:iam::*:user/${aws:username}" in text
    assert not p.grants_full_admin(document)
    # Deactivating one's MFA needs MFA.
    deactivate = [s for s in document["Statement"] if s.get("Action") == "iam:DeactivateMFADevice"][0]
    assert deactivate["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_revoke_sessions_document_round_trip():
    document = p.revoke_sessions_document("2026-11-23T10:00:00Z")
    assert p.revoke_time(document) == "2026-11-23T10:00:00Z"
    assert p.revoke_time(json.dumps(document)) == "2026-11-23T10:00:00Z"
    assert p.revoke_time(p.DENY_ALL_DOCUMENT) is None


def test_authorization_details_merges_every_page():
    class FakePaginator:
        def paginate(self, **kwargs):
            assert kwargs["PaginationConfig"] == {"PageSize": 1000}
            assert kwargs["Filter"] == ["User", "LocalManagedPolicy"]
            yield {"UserDetailList": [{"UserName": "a"}], "Policies": [{"Arn": "x"}]}
            yield {"UserDetailList": [{"UserName": "b"}]}

    class FakeIam:
        def get_paginator(self, name):
            assert name == "get_account_authorization_details"
            return FakePaginator()

    out = p.authorization_details(FakeIam(), ["User", "LocalManagedPolicy"])
    assert [u["UserName"] for u in out["UserDetailList"]] == ["a", "b"]
    assert out["Policies"] == [{"Arn": "x"}] and out["GroupDetailList"] == []


def test_policy_name_falls_back_to_the_arn():
    assert p.policy_name({"Arn": "arn:aws:iam::123456789012:policy/team/BroadAdmin"}) == "BroadAdmin"
    assert p.policy_name({"PolicyName": "X", "Arn": "arn:aws:iam::1:policy/Y"}) == "X"

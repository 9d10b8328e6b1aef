"""Resource policies compared as data, statement by statement (module_utils/policy.py)."""

import json

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy

BUCKET = "arn:aws:s3:::trail-logs"
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/security"
CLOUDTRAIL = ("Service", "cloudtrail.amazonaws.com")

PUT_OBJECT = {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
              "Action": "s3:PutObject", "Resource": BUCKET + "/AWSLogs/123456789012/*",
              "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}}}


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_same_ignores_order_list_shape_and_account_id_form():
    a = doc({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": "*"}, PUT_OBJECT)
    b = json.dumps({"Statement": [PUT_OBJECT, {"Resource": ["*"], "Action": ["s3:ListBucket", "s3:GetObject"],
                                               "Effect": "Allow",
                                               "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]}}]})
    assert policy.same(a, b)


def test_same_sees_a_changed_condition():
    changed = dict(PUT_OBJECT, Condition={"StringEquals": {"aws:SourceArn": TRAIL}})
    assert not policy.same(doc(PUT_OBJECT), doc(changed))
    assert not policy.same_statement(PUT_OBJECT, changed)


def test_same_statement_ignores_sid():
    assert policy.same_statement(PUT_OBJECT, dict(PUT_OBJECT, Sid="Other"))


def test_load_accepts_url_encoded_json():
    assert policy.load("%7B%22Statement%22%3A%5B%5D%7D") == {"Statement": []}


@pytest.mark.parametrize("statement,public", [
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": BUCKET + "/*"}, True),
    ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": BUCKET + "/*"}, True),
    ({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"StringEquals": {"aws:SourceAccount": "*"}}}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, True),
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
      "Resource": "*"}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
      "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}}}, True),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}, False),
    (PUT_OBJECT, False),
    ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*",
      "Resource": "*"}, False),
])
def test_grants_public_statement_by_statement(statement, public):
    assert policy.grants_public(doc(statement)) is public


def test_public_statements_names_only_the_open_ones():
    open_statement = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": BUCKET}
    found = policy.public_statements(doc(PUT_OBJECT, open_statement))
    assert [(n, s["Sid"]) for n, s in found] == [(1, "Open")]
    assert "Allow s3:* to * on arn:aws:s3:::trail-logs (Sid Open)" == policy.describe_statement(open_statement)


def test_tls_deny_is_recognised_in_its_usual_forms():
    assert policy.has_tls_deny(doc(policy.tls_deny_statement(BUCKET)), BUCKET)
    other_form = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "arn:aws:s3:::trail-*",
                  "Condition": {"BoolIfExists": {"aws:SecureTransport": False}}}
    assert policy.has_tls_deny(doc(other_form), BUCKET)  # IAM's * spans '/': objects are covered too


@pytest.mark.parametrize("change", [
    {"Action": "s3:PutObject"},                                               # one action only
    {"Resource": BUCKET + "/*"},                                              # the bucket itself not covered
    {"Effect": "Allow"},                                                      # not a deny
    {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},                 # not everyone
    {"Condition": {"Bool": {"aws:SecureTransport": "false"},
                   "StringEquals": {"aws:PrincipalAccount": "123456789012"}}},  # narrowed
    {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},                 # denies TLS instead
])
def test_almost_tls_deny_statements_do_not_count(change):
    statement = dict(policy.tls_deny_statement(BUCKET), **change)
    assert not policy.has_tls_deny(doc(statement), BUCKET)


def test_allows_evaluates_conditions_and_denies():
    document = doc(PUT_OBJECT, policy.tls_deny_statement(BUCKET))
    obj = BUCKET + "/AWSLogs/123456789012/CloudTrail/x.json.gz"
    good = {"aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control", "aws:SecureTransport": "true"}
    assert policy.allows(document, CLOUDTRAIL, "s3:PutObject", obj, good)
    assert not policy.allows(document, CLOUDTRAIL, "s3:PutObject", obj, dict(good, **{"aws:SecureTransport": "false"}))
    assert not policy.allows(document, CLOUDTRAIL, "s3:PutObject", obj,
                             dict(good, **{"aws:SourceArn": TRAIL.replace("123456789012", "999999999999")}))
    assert not policy.allows(document, ("Service", "config.amazonaws.com"), "s3:PutObject", obj, good)
    assert not policy.allows(document, CLOUDTRAIL, "s3:DeleteObject", obj, good)


@pytest.mark.parametrize("condition,context,expected", [
    ({"StringLike": {"k": "arn:aws:cloudtrail:*:123:trail/*"}}, {"k": "arn:aws:cloudtrail:eu-west-1:123:trail/t"}, True),
    ({"StringLike": {"k": "arn:aws:cloudtrail:*:123:trail/*"}}, {"k": "arn:aws:cloudtrail:eu-west-1:999:trail/t"}, False),
    ({"StringEqualsIfExists": {"k": "v"}}, {}, True),
    ({"StringEquals": {"k": "v"}}, {}, False),
    ({"StringNotEquals": {"k": "v"}}, {}, True),
    ({"Null": {"k": "true"}}, {}, True),
    ({"Null": {"k": "false"}}, {}, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"AWS:securetransport": "False"}, True),
    ({"ForAnyValue:StringEquals": {"k": ["a", "b"]}}, {"k": ["c", "b"]}, True),
    ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["c", "b"]}, False),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {}, None),
])
def test_condition_evaluator(condition, context, expected):
    assert policy.condition_holds(condition, context) is expected


def test_unknown_condition_operator_never_grants():
    statement = dict(PUT_OBJECT, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert not policy.grants_statement(doc(statement), PUT_OBJECT)


def test_grants_statement_accepts_equivalent_or_broader_statements():
    console_style = {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
                     "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:PutObject"],
                     "Resource": [BUCKET + "/AWSLogs/123456789012/*"],
                     "Condition": {"StringEquals": {"aws:SourceArn": [TRAIL],
                                                    "s3:x-amz-acl": ["bucket-owner-full-control"]}}}
    assert policy.grants_statement(doc(console_style), PUT_OBJECT)
    broader = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:Put*",
               "Resource": BUCKET + "/*"}
    assert policy.grants_statement(doc(broader), PUT_OBJECT)
    narrower = dict(PUT_OBJECT, Resource=BUCKET + "/other-prefix/AWSLogs/123456789012/*")
    assert not policy.grants_statement(doc(narrower), PUT_OBJECT)


def test_merge_keeps_other_statements_replaces_by_sid_and_skips_equal_ones():
    other = {"Sid": "ReadOnlyForAuditors", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "s3:GetObject", "Resource": BUCKET + "/*"}
    stale = dict(PUT_OBJECT, Resource=BUCKET + "/old/*")
    merged, changed = policy.merge_statements(doc(other, stale), [PUT_OBJECT, policy.tls_deny_statement(BUCKET)])
    assert changed
    assert [s["Sid"] for s in merged["Statement"]] == ["ReadOnlyForAuditors", "AWSCloudTrailWrite",
                                                       "DenyInsecureTransport"]
    assert merged["Statement"][1] == PUT_OBJECT
    again, changed_again = policy.merge_statements(merged, [dict(PUT_OBJECT, Sid="SameUnderAnotherSid")])
    assert not changed_again and policy.same(again, merged)


def test_remove_statements_drops_only_the_named_ones():
    open_statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": BUCKET + "/*"}
    document = doc(PUT_OBJECT, open_statement)
    cleaned = policy.remove_statements(document, [n for n, _why in policy.public_statements(document)])
    assert cleaned["Statement"] == [PUT_OBJECT]
    assert len(document["Statement"]) == 2  # the input is not modified

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What exists, for an investigation: per region EC2 instances, security groups open to the
internet and Lambda functions; account-wide the IAM users, roles, policies and access keys
created in the window and the S3 buckets a policy or ACL makes public. Reads only. Each part
guarded on its own: a fault is an error line, the other parts go on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.regions import AWS_FAULTS
from ansible_collections.bulwark.aws.plugins.module_utils.core.times import utc_text

OPEN = ("0.0.0.0/0", "::/0")  # not network/common's: importing the checks would widen the read-only policy
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _guarded(errors, where, service, fn, *args):
    try:
        return fn(*args)
    except AWS_FAULTS as e:
        errors.append("%s: %s" % (where, aws.describe_error(e, service)))
        return []


def _instances(ec2, region):
    items = []
    for reservation in aws.paginate(ec2, "describe_instances", "Reservations"):
        for i in reservation.get("Instances") or []:
            items.append(dict(kind="ec2_instance", region=region, id=i["InstanceId"], created=utc_text(i.get("LaunchTime")),
                              state=(i.get("State") or {}).get("Name"), type=i.get("InstanceType"),
                              image=i.get("ImageId"), key_name=i.get("KeyName"), public_ip=i.get("PublicIpAddress"),
                              vpc=i.get("VpcId"),
                              security_groups=[g["GroupId"] for g in i.get("SecurityGroups") or []]))
    return items


def _open_ranges(permission):
    return [r["CidrIp"] for r in permission.get("IpRanges") or [] if r.get("CidrIp") in OPEN] + \
        [r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or [] if r.get("CidrIpv6") in OPEN]


def _open_groups(ec2, region):
    items = []
    for group in aws.paginate(ec2, "describe_security_groups", "SecurityGroups"):
        rules = []
        for p in group.get("IpPermissions") or []:
            for cidr in _open_ranges(p):
                ports = "all" if p.get("IpProtocol") == "-1" else "%s %s-%s" % (
                    p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
                rules.append("%s from %s" % (ports, cidr))
        if rules:
            items.append(dict(kind="security_group_open", region=region, id=group["GroupId"],
                              name=group.get("GroupName"), vpc=group.get("VpcId"), created=None, open_ingress=rules))
    return items


def _functions(lam, region):
    return [dict(kind="lambda_function", region=region, id=f["FunctionName"], arn=f.get("FunctionArn"),
                 created=None, modified=f.get("LastModified"), runtime=f.get("Runtime"), role=f.get("Role"))
            for f in aws.paginate(lam, "list_functions", "Functions")]


def regional(client, region):
    """(items, errors) of one region; ``client(service)`` gives that region's client."""
    items, errors = [], []
    items += _guarded(errors, region + " ec2 instances", "ec2", _instances, client("ec2"), region)
    items += _guarded(errors, region + " security groups", "ec2", _open_groups, client("ec2"), region)
    items += _guarded(errors, region + " lambda functions", "lambda", _functions, client("lambda"), region)
    return items, errors


def _since(items, start):
    start = utc_text(start)
    return [i for i in items if (i.get("created") or "") >= start]


def _users(iam, start):
    users = aws.paginate(iam, "list_users", "Users")
    items = _since([dict(kind="iam_user", region="global", id=u["UserName"], arn=u.get("Arn"),
                         created=utc_text(u.get("CreateDate"))) for u in users], start)
    keys = []
    for u in users:
        for k in aws.paginate(iam, "list_access_keys", "AccessKeyMetadata", UserName=u["UserName"]):
            keys.append(dict(kind="iam_access_key", region="global", id=k["AccessKeyId"], user=u["UserName"],
                             status=k.get("Status"), created=utc_text(k.get("CreateDate"))))
    return items + _since(keys, start)


def _roles(iam, start):
    return _since([dict(kind="iam_role", region="global", id=r["RoleName"], arn=r.get("Arn"),
                        created=utc_text(r.get("CreateDate"))) for r in aws.paginate(iam, "list_roles", "Roles")], start)


def _policies(iam, start):
    return _since([dict(kind="iam_policy", region="global", id=p["PolicyName"], arn=p.get("Arn"),
                        created=utc_text(p.get("CreateDate")))
                   for p in aws.paginate(iam, "list_policies", "Policies", Scope="Local")], start)


def _bucket_public(s3, name):
    """The reasons the bucket is public: [] when neither its policy nor its ACL makes it so."""
    reasons = []
    try:
        if s3.get_bucket_policy_status(Bucket=name)["PolicyStatus"].get("IsPublic"):
            reasons.append("bucket policy is public")
    except aws.ClientError as e:
        if aws.error_code(e) not in ("NoSuchBucketPolicy",):
            raise
    for grant in s3.get_bucket_acl(Bucket=name).get("Grants") or []:
        uri = (grant.get("Grantee") or {}).get("URI")
        if uri in PUBLIC_GRANTEES:
            reasons.append("ACL grants %s to %s" % (grant.get("Permission"), uri.rsplit("/", 1)[-1]))
    return reasons


def _buckets(s3, errors):
    items = []
    for bucket in s3.list_buckets().get("Buckets") or []:
        name = bucket["Name"]
        try:
            reasons = _bucket_public(s3, name)
        except AWS_FAULTS as e:
            errors.append("s3 bucket %s: %s" % (name, aws.describe_error(e, "s3")))
            continue
        if reasons:
            items.append(dict(kind="s3_bucket_public", region="global", id=name,
                              created=utc_text(bucket.get("CreationDate")), public=reasons))
    return items


def account_wide(iam, s3, start):
    """(items, errors) of the account-wide services: IAM in the window, public S3 buckets."""
    items, errors = [], []
    items += _guarded(errors, "iam users and access keys", "iam", _users, iam, start)
    items += _guarded(errors, "iam roles", "iam", _roles, iam, start)
    items += _guarded(errors, "iam policies", "iam", _policies, iam, start)
    items += _guarded(errors, "s3 buckets", "s3", _buckets, s3, errors)
    return items, errors


def mark(items, created):
    """Mark the items the timeline says the principal created (``created``: {name: event}).
    Returns the names created that no item matched (still listed, from the timeline)."""
    matched = set()
    for item in items:
        names = [n for n in (item.get("id"), item.get("arn")) if n and n in created]
        item["created_by_principal"] = bool(names)
        if names:
            event = created[names[0]]
            item["created_by_event"] = "%s %s %s" % (event.get("time"), event.get("region"), event.get("event"))
            matched.update(names)  # its ARN is not something else the principal created
    return [dict(name=name, event=e.get("event"), time=e.get("time"), region=e.get("region"))
            for name, e in sorted(created.items()) if name not in matched]

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""s3.bucket_tls_only and s3.bucket_public_access_block of storage_security: every bucket of
the account whose region is evaluated.

One s3:ListBuckets (paginated) in the home region; then, per bucket, in a pool of
``bucket_concurrency`` threads: its region (ListBuckets' BucketRegion, else
s3:GetBucketLocation), and with a client of that region s3:GetBucketPolicy and, unless the
account-level Block Public Access has all four settings on, s3:GetPublicAccessBlock. So 2 to 3
requests per bucket, plus the writes. Each bucket's findings and changes are buffered (a
RegionRun of its region, as for_each_region does per region) and replayed in bucket name order,
whatever order the threads finish in. A read that fails gives ``error`` findings for that
bucket only (resource: the bucket name); the other buckets go on.

The account-level setting (s3control:GetPublicAccessBlock) is read once per account run
(m.shared); account_guardrails evaluates and fixes it (s3.account_public_access_block).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.domain.s3_bucket import PUBLIC_ACCESS_BLOCK, bucket_arn
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.s3 import (
    PAB_FLAGS,
    read_account_public_access_block,
)
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage.common import (
    BUCKET_PAB,
    R_BUCKETS,
    S3_CONTROLS,
    TLS,
)

ACCOUNT_BLOCK_KEY = "s3control:GetPublicAccessBlock"
# GetBucketLocation answers None (or "") for us-east-1 and the legacy alias EU for eu-west-1.
LOCATION_ALIASES = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}
MISSING = ("NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration")
TLS_SIDS = ("DenyInsecureTransport", "BulwarkDenyInsecureTransport")
# How a bucket's public access is blocked (check_block's answer), as the summary says it.
BY_ACCOUNT, BY_OWN, BY_BOTH = "account", "own", "both"
BLOCKED_BY = {
    BY_ACCOUNT: "by the account-level setting",
    BY_OWN: "by %s own setting",
    BY_BOTH: "by the account-level and %s own settings together",
}


def _blocked_by(how, n):
    return BLOCKED_BY[how].replace("%s", "its" if n == 1 else "their")


class BucketRun(regions_util.RegionRun):
    """One bucket's view of the module: findings and changes buffered for replay, like a region's.
    Its region is None until located (findings of a bucket that cannot be located say global);
    its errors name the bucket as their resource."""

    def __init__(self, m, bucket, account_id):
        super(BucketRun, self).__init__(m, None)
        self.bucket = bucket
        self.account_id = account_id

    def error_for(self, control_ids, message, resource=None):
        super(BucketRun, self).error_for(control_ids, message, resource=resource or self.bucket)

    def guard(self, controls, service, fn, *args, **kwargs):
        """Like RegionRun.guard; the error findings are this bucket's."""
        controls = [c for c in controls if self.wants(c)]
        if not controls:
            return None
        try:
            return fn(*args, **kwargs)
        except regions_util.AWS_FAULTS as e:
            self.error_for(controls, "bucket %s: %s" % (self.bucket, aws.describe_error(e, service)))
            return None

    def call(self, operation, **kwargs):
        """An S3 call on this bucket with a client of its region. ListBuckets listed it, so it is this
        account's: ExpectedBucketOwner makes S3 refuse the call should the name have changed hands since."""
        return getattr(self.client("s3"), operation)(Bucket=self.bucket, ExpectedBucketOwner=self.account_id, **kwargs)


# --- account-wide reads ----------------------------------------------------------------------

def list_buckets(m):
    s3 = m.client("s3")
    if s3.can_paginate("list_buckets"):
        return aws.paginate(s3, "list_buckets", "Buckets")
    return s3.list_buckets().get("Buckets") or []


def read_account_block(m, account_id):
    """The account-level Block Public Access settings ({} when none), read once per account run."""
    return m.shared(ACCOUNT_BLOCK_KEY, lambda: read_account_public_access_block(m, account_id))


# --- one bucket ------------------------------------------------------------------------------

def locate(run, listed):
    region = listed.get("BucketRegion")
    if region:
        return region
    where = run.m.client("s3").get_bucket_location(Bucket=run.bucket, ExpectedBucketOwner=run.account_id).get(
        "LocationConstraint")
    return LOCATION_ALIASES.get(where, where)


def _read(run, operation, key):
    try:
        return run.call(operation)[key]
    except aws.ClientError as e:
        if aws.error_code(e) in MISSING:
            return None
        raise


def check_tls(run, ctx):
    """True when the bucket policy denies requests without TLS; else its finding (and the merge)."""
    arn = bucket_arn(run.bucket, ctx["partition"])
    text = _read(run, "get_bucket_policy", "Policy")
    try:
        current = policy.load(text) if text else {}
    except ValueError as e:
        # AWS stores only valid policies; an emulator or a probe may not. That bucket only.
        run.error_for([TLS], "bucket %s: its policy cannot be read as a policy document (%s)" % (run.bucket, e))
        return None
    if policy.has_tls_deny(current, arn):
        return True
    taken = set(s.get("Sid") for s in policy.statements(current))
    sid = next(s for s in TLS_SIDS + tuple("%s%d" % (TLS_SIDS[1], n) for n in range(2, len(taken) + 3))
               if s not in taken)
    desired, _changed = policy.merge_statements(current, [policy.tls_deny_statement(arn, sid=sid)])
    kept = len(policy.statements(current))
    if text:
        problem = "bucket %s: its policy does not deny requests without TLS" % run.bucket
        keeping = ", keeping its %s" % counted(kept, "other statement")
    else:
        problem = "bucket %s has no bucket policy, so nothing denies requests without TLS" % run.bucket
        keeping = ""
    what = "a Deny of s3:* when aws:SecureTransport is false, Sid %s," % sid
    run.remediate(TLS, run.bucket, problem, ["s3:PutBucketPolicy %s" % run.bucket],
                  lambda: run.call("put_bucket_policy", Policy=policy.dumps(desired)), opt_in="enforce_bucket_tls",
                  todo="add %s to the bucket policy (its other statements are kept)" % what,
                  detail="%s added%s" % (what, keeping), service="s3")
    return False


def check_block(run, ctx):
    """How public access to the bucket is blocked (BY_ACCOUNT, BY_OWN, BY_BOTH), else None after
    its finding (and the fix). A setting is in force when it is on at either level."""
    account = ctx["account_block"]
    if account is not None and all(account.get(f) for f in PAB_FLAGS):
        return BY_ACCOUNT  # the bucket's own setting is not even read
    own = _read(run, "get_public_access_block", "PublicAccessBlockConfiguration") or {}
    off = [f for f in PAB_FLAGS if not own.get(f) and not (account or {}).get(f)]
    if not off:
        return BY_OWN if all(own.get(f) for f in PAB_FLAGS) else BY_BOTH
    if account is None:
        run.error_for([BUCKET_PAB], "bucket %s: %s off in its own Block Public Access setting, and the account-level "
                      "setting cannot be read: %s" % (run.bucket, ", ".join(off), ctx["account_error"]))
        return None
    problem = "public access to bucket %s is not blocked: %s off both in its own Block Public Access setting and " \
              "in the account-level one" % (run.bucket, ", ".join(off))
    run.remediate(BUCKET_PAB, run.bucket, problem, ["s3:PutPublicAccessBlock %s" % run.bucket],
                  lambda: run.call("put_public_access_block", PublicAccessBlockConfiguration=dict(PUBLIC_ACCESS_BLOCK)),
                  opt_in="block_bucket_public_access",
                  todo="turn the bucket's four Block Public Access settings on, or waive the bucket if it must be "
                       "public", detail="the bucket's four Block Public Access settings on", service="s3")
    return None


def check_bucket(run, listed, ctx):
    """The bucket's results ({"region", TLS: bool, BUCKET_PAB: how or None}), or None when its
    region is not evaluated."""
    try:
        region = locate(run, listed)
    except regions_util.AWS_FAULTS as e:
        run.error_for([c for c in S3_CONTROLS if run.wants(c)], "bucket %s: cannot tell its region: %s"
                      % (run.bucket, aws.describe_error(e, "s3")))
        return {"region": None}
    if region not in ctx["regions"]:
        return None
    run.region = region
    out = {"region": region}
    out[TLS] = run.guard([TLS], "s3", check_tls, run, ctx)
    out[BUCKET_PAB] = run.guard([BUCKET_PAB], "s3", check_block, run, ctx)
    return out


# --- every bucket ----------------------------------------------------------------------------

def for_each_bucket(m, listed, fn, account_id, max_workers):
    """``fn(run, listed_bucket)`` for every bucket in a pool of ``max_workers`` threads, one BucketRun
    each; findings and changes are added to the module in bucket name order. As in for_each_region,
    an AWS fault escaping fn is an error of that bucket, a programming error is re-raised once every
    bucket has finished. Returns {bucket: fn's value}."""
    names = sorted(listed)

    def on_fault(run, e):
        run.error_for([c for c in S3_CONTROLS if m.wants(c)],
                      "bucket %s: %s" % (run.bucket, aws.describe_error(e, "s3")))
        return {"region": run.region}

    return regions_util.run_in_pool(dict((name, BucketRun(m, name, account_id)) for name in names), names,
                                    lambda run: fn(run, listed[run.bucket]), on_fault, max_workers)


def summarise(m, results, total, regions):
    """One ``pass`` per control and region for the passing buckets (resource s3-buckets)."""
    wanted = [c for c in S3_CONTROLS if m.wants(c)]
    evaluated = dict((n, r) for n, r in results.items() if r is not None)
    if not evaluated:
        message = ("no S3 buckets in this account" if not total else
                   "no S3 buckets in the evaluated regions (%s elsewhere)" % counted(total, "bucket"))
        for control in wanted:
            m.findings.add(control, "pass", message, resource=R_BUCKETS)
        return
    for control in wanted:
        for region in regions:
            hows = [r[control] for r in evaluated.values() if r["region"] == region and r.get(control)]
            if not hows:
                continue
            if control == TLS:
                message = "%s %s requests without TLS" % (counted(len(hows), "bucket"),
                                                          "denies" if len(hows) == 1 else "deny")
            else:
                kinds = [k for k in (BY_ACCOUNT, BY_OWN, BY_BOTH) if k in hows]
                message = "%s: public access blocked " % counted(len(hows), "bucket")
                if len(kinds) == 1:
                    message += _blocked_by(kinds[0], len(hows))
                else:
                    message += ", ".join("%d %s" % (hows.count(k), _blocked_by(k, hows.count(k))) for k in kinds)
                if kinds == [BY_ACCOUNT]:
                    message += " (all four on, so %s own setting was not read)" % ("its" if len(hows) == 1 else "their")
            m.findings.add(control, "pass", message, resource=R_BUCKETS, region=region)


def check_buckets(m, regions):
    """Every S3 control of every bucket in ``regions``. Returns how many buckets were evaluated."""
    wanted = [c for c in S3_CONTROLS if m.wants(c)]
    ident = m.identity()
    try:
        listed = list_buckets(m)
    except regions_util.AWS_FAULTS as e:
        m.findings.error_for(wanted, "cannot list the buckets: %s" % aws.describe_error(e, "s3"), resource=R_BUCKETS)
        return 0
    ctx = {"partition": ident["partition"], "regions": set(regions), "account_block": None, "account_error": None}
    if m.wants(BUCKET_PAB) and listed:
        try:
            ctx["account_block"] = read_account_block(m, ident["account_id"])
        except regions_util.AWS_FAULTS as e:
            ctx["account_error"] = aws.describe_error(e, "s3control")
    results = for_each_bucket(m, dict((b["Name"], b) for b in listed), lambda run, b: check_bucket(run, b, ctx),
                              ident["account_id"], m.params.get("bucket_concurrency") or 16)
    summarise(m, results, len(listed), regions)
    return len([r for r in results.values() if r is not None])

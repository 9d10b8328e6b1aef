# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A log delivery bucket locked down: one reusable function for every module that owns one
(the CloudTrail bucket, AWS Config's delivery bucket, ...).

    from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket

    result = s3_bucket.ensure_secure_bucket(
        m, "my-trail-logs", "eu-west-1",
        service_statements=[...],            # what the delivering service needs (see below)
        access_log_target="my-access-logs",  # optional
        lifecycle={"expiration_days": 2555}, # optional
        leave_alone=["tls_only"],            # aspects to evaluate but not change (waived)
    )
    result["aspects"]["versioning"]  # {"status": "pass" | "drift" | "fixed" | "fail" | "error", "message": ...}
    m.findings.add("cloudtrail.bucket_versioning", **result["aspects"]["versioning"], resource=result["arn"])

Aspects (``ASPECTS``), each evaluated and, when the module may change things, fixed:

``versioning``      versioning Enabled.
``not_public``      all four Block Public Access settings on, no bucket policy statement open to
                    everyone (policy.public_statements: removed), no ACL grant to AllUsers or
                    AuthenticatedUsers (ACL reset to private).
``tls_only``        a Deny of every S3 action without TLS (policy.has_tls_deny; merged in).
``service_access``  the bucket policy grants what ``service_statements`` grant (checked as data
                    with policy.grants_statement, so an equivalent statement under another Sid
                    counts); missing ones are merged in, every other statement is kept.
``access_logging``  server access logging on. Fixed only when ``access_log_target`` is given
                    (the target must admit logging.s3.amazonaws.com); otherwise ``fail``.
``mfa_delete``      MFADelete Enabled. Only the root user can set it: ``fail`` with the steps.
``lifecycle``       only when ``lifecycle`` is given: a rule ``bulwark-log-lifecycle`` with
                    ``transition_days`` (+ ``storage_class``, default GLACIER),
                    ``expiration_days`` and ``noncurrent_expiration_days``; other rules kept.

A missing bucket is created in ``region`` (when the module may change things) and every
aspect is then ``fixed``; in check mode every aspect is ``drift`` ("would create ...") and
nothing else is read. One bucket policy write covers not_public, tls_only and service_access together.

A bucket another account owns (a central log archive, or a name someone else took) is never
changed: ``foreign="refuse"`` (the default) makes every aspect ``error``; ``foreign="report"``
reads it and reports (see ensure_secure_bucket). Ownership is told by ListBuckets (only the
caller's own buckets), else by GetBucketLocation with ExpectedBucketOwner; when neither
answers nothing is changed. Every call on a bucket of this account carries ExpectedBucketOwner.

Every write goes through ``m.record_change`` (diff keys ``s3://BUCKET/<aspect>``) and only
happens when ``m.may_change``. An AWS fault in one aspect makes that aspect ``error``; the
others still run. Statuses are finding statuses, so the caller maps aspects to its own
control ids; aspects not in ``aspects`` are neither read nor changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy

ASPECTS = ("versioning", "not_public", "tls_only", "service_access", "access_logging", "mfa_delete", "lifecycle")
LIFECYCLE_RULE_ID = "bulwark-log-lifecycle"
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
PUBLIC_ACCESS_BLOCK = dict(BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True,
                           RestrictPublicBuckets=True)
_POLICY_ASPECTS = ("not_public", "tls_only", "service_access")
# What S3 answers a request it refuses (a bucket of another account, a permission missing).
DENIED = ("AccessDenied", "403", "AllAccessDisabled")
# Seconds to wait before asking ListBuckets again about a bucket it does not list (bucket
# listings are eventually consistent in S3).
LISTING_LAG = 1.0
MFA_DELETE_STEPS = ("only the root user can enable it: as root, with the root MFA device, run aws s3api "
                    "put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled,MFADelete=Enabled "
                    "--mfa 'arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device CODE'")


def bucket_arn(bucket, partition="aws"):
    return "arn:%s:s3:::%s" % (partition, bucket)


def lifecycle_rule(lifecycle):
    """The lifecycle rule for the ``lifecycle`` option (dict with *_days and storage_class)."""
    rule = {"ID": LIFECYCLE_RULE_ID, "Status": "Enabled", "Filter": {"Prefix": ""}}
    if lifecycle.get("transition_days"):
        rule["Transitions"] = [{"Days": lifecycle["transition_days"],
                                "StorageClass": lifecycle.get("storage_class") or "GLACIER"}]
    if lifecycle.get("expiration_days"):
        rule["Expiration"] = {"Days": lifecycle["expiration_days"]}
    if lifecycle.get("noncurrent_expiration_days"):
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": lifecycle["noncurrent_expiration_days"]}
    return rule


def validate_lifecycle(lifecycle, option="lifecycle"):
    """Raise ValueError for a lifecycle that S3 would refuse or that makes no sense. No AWS call."""
    if not lifecycle:
        return
    days = dict((k, lifecycle.get(k)) for k in ("transition_days", "expiration_days", "noncurrent_expiration_days"))
    if not any(days.values()):
        raise ValueError("%s: give at least one of transition_days, expiration_days, noncurrent_expiration_days"
                         % option)
    for key, value in days.items():
        if value is not None and value < 1:
            raise ValueError("%s.%s: %d must be 1 or more days" % (option, key, value))
    if days["transition_days"] and days["expiration_days"] and days["expiration_days"] <= days["transition_days"]:
        raise ValueError("%s: expiration_days (%d) must be later than transition_days (%d)"
                         % (option, days["expiration_days"], days["transition_days"]))


def _rule_fields(rule):
    return dict((k, rule.get(k)) for k in ("Status", "Transitions", "Expiration", "NoncurrentVersionExpiration"))


def _result(status, message):
    return {"status": status, "message": message}


def _missing_code(e):
    return aws.error_code(e) in ("NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration",
                                 "NoSuchLifecycleConfiguration")


class _Bucket:
    """One run of ensure_secure_bucket: reads, desired state, writes."""

    def __init__(self, m, bucket, region, service_statements, access_log_target, access_log_prefix, lifecycle,
                 aspects, leave_alone, foreign="refuse", owner=None):
        self.m = m
        self.name = bucket
        self.region = region
        ident = m.identity()
        self.partition = ident["partition"]
        self.account = ident["account_id"]
        self.foreign_mode = foreign
        self.expected_owner = owner   # the account the caller says owns the bucket (None: not said)
        self.owned = None             # True: this account's, False: another account's (locate())
        self.foreign = False
        self.owner_text = None        # a foreign bucket's owner as messages say it
        self.error_codes = {}         # aspect -> the error code that made it ``error``
        self.arn = bucket_arn(bucket, self.partition)
        self.service_statements = list(service_statements or [])
        self.access_log_target = access_log_target
        self.access_log_prefix = access_log_prefix if access_log_prefix is not None else "%s/" % bucket
        self.lifecycle = lifecycle
        self.aspects = [a for a in (aspects or ASPECTS) if a != "lifecycle" or lifecycle]
        self.leave_alone = set(leave_alone or ())
        self.results = {}
        self.created = False
        self.s3 = None
        self.versioning_status = None  # read_versioning() sets it

    def fixable(self, aspect):
        return aspect not in self.leave_alone

    # --- existence and owner -------------------------------------------------------------
    def call(self, operation, **kwargs):
        """An S3 call on the bucket. On a bucket of this account it carries ExpectedBucketOwner: should
        the bucket belong to another account by the time of the call (deleted and its name taken), S3
        refuses the call instead of writing into that account's bucket."""
        if self.owned:
            kwargs["ExpectedBucketOwner"] = self.account
        return getattr(self.s3, operation)(Bucket=self.name, **kwargs)

    def locate(self):
        """(region, owned): the bucket's region (None when it does not exist; this run's region when
        S3 refuses to say) and whether this account owns it. Raises when that cannot be told.

        Who owns a bucket: ListBuckets lists only the caller's own buckets (in AWS and in moto), so a
        bucket that exists but is not listed is another account's. Where ListBuckets is denied,
        GetBucketLocation with ExpectedBucketOwner = this account succeeds only on a bucket of this
        account (AWS refuses it with 403 on any other; moto ignores the header, but answers ListBuckets)."""
        s3 = self.m.client("s3", self.region)
        refused = None
        try:
            location = s3.get_bucket_location(Bucket=self.name, ExpectedBucketOwner=self.account).get(
                "LocationConstraint")
            # us-east-1 answers None; the legacy alias EU means eu-west-1.
            where = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)
        except aws.ClientError as e:
            if aws.error_code(e) in ("NoSuchBucket", "404"):
                return None, None
            if aws.error_code(e) not in DENIED:
                raise
            refused, where = e, self.region
        try:
            listed = self.listed(s3)
            if not listed and refused is None:
                # ListBuckets may lag a bucket made a moment ago (by a run at the same time): ask again.
                time.sleep(LISTING_LAG)
                listed = self.listed(s3)
        except aws.ClientError as e:
            if aws.error_code(e) not in DENIED:
                raise
            if refused is not None:  # neither answer tells: never change what might be another's
                raise
            listed = True  # GetBucketLocation with ExpectedBucketOwner = this account succeeded
        if listed and refused is not None:
            raise refused  # this account's bucket, but its location may not be read: a permission to grant
        return where, listed

    def listed(self, s3):
        """Whether ListBuckets (the caller's own buckets) has this one."""
        return self.name in [b["Name"] for b in aws.paginate(s3, "list_buckets", "Buckets", Prefix=self.name)]

    def create(self):
        self.m.record_change("s3:CreateBucket %s" % self.name)
        if not self.m.may_change:
            return False
        kwargs = dict(Bucket=self.name)
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.s3.create_bucket(**kwargs)
            self.created = True
        except aws.ClientError as e:
            if aws.error_code(e) != "BucketAlreadyOwnedByYou":
                raise
            # Another run (an apply at the same time) created it first: read it like any existing one.
        self.owned = True
        return True

    def would_create(self):
        for aspect in self.aspects:
            if aspect == "mfa_delete":
                self.results[aspect] = _result("fail", "bucket %s does not exist yet; once created, %s"
                                               % (self.name, MFA_DELETE_STEPS % self.name))
            elif aspect == "access_logging" and not self.access_log_target:
                self.results[aspect] = _result("fail", "bucket %s does not exist yet; give an access log target "
                                               "bucket to enable server access logging" % self.name)
            else:
                self.results[aspect] = _result("drift", "bucket %s does not exist; would create it with %s"
                                               % (self.name, self._describe_fix(aspect)))

    def _describe_fix(self, aspect):
        return {
            "versioning": "versioning enabled",
            "not_public": "all four Block Public Access settings on",
            "tls_only": "a bucket policy denying requests without TLS",
            "service_access": "a bucket policy granting the delivering service its writes",
            "access_logging": "server access logging to %s" % self.access_log_target,
            "lifecycle": "lifecycle rule %s" % LIFECYCLE_RULE_ID,
        }[aspect]

    # --- aspects -------------------------------------------------------------------------
    def guarded(self, aspects, fn):
        aspects = [a for a in aspects if a in self.aspects]
        if not aspects:
            return
        try:
            fn(aspects)
        except (aws.ClientError, aws.BotoCoreError, NotImplementedError) as e:
            for aspect in aspects:
                self.results[aspect] = _result("error", aws.describe_error(e, "s3"))
                self.error_codes[aspect] = aws.error_code(e)

    def outcome(self, aspect, ok, problem, fix, write):
        """Set the aspect's result; run ``write`` (after record_change) when it must and may change."""
        if ok:
            self.results[aspect] = _result("pass", problem)
            return
        if not self.fixable(aspect):
            self.results[aspect] = _result("drift", problem)  # the caller's waiver turns it into "waived"
            return
        write()
        if self.created:
            self.results[aspect] = _result("fixed", "bucket %s did not exist; fixed: created it with %s"
                                           % (self.name, self._describe_fix(aspect)))
        elif self.m.may_change:
            self.results[aspect] = _result("fixed", "%s; fixed: %s" % (problem, fix))
        else:
            self.results[aspect] = _result("drift", "%s; would %s" % (problem, fix))

    def read_versioning(self, _aspects):
        current = {} if self.created else self.call("get_bucket_versioning")
        self.versioning_status = current.get("Status") or "off (never enabled)"
        if "mfa_delete" in self.aspects:
            if current.get("MFADelete") == "Enabled":
                self.results["mfa_delete"] = _result("pass", "MFA delete is enabled")
            else:
                self.results["mfa_delete"] = _result("fail", "MFA delete is %s; %s" % (
                    current.get("MFADelete") or "not enabled", MFA_DELETE_STEPS % self.name))

    def versioning(self, _aspects):
        status = self.versioning_status

        def write():
            self.m.record_change("s3:PutBucketVersioning %s" % self.name)
            if self.m.may_change:
                self.call("put_bucket_versioning", VersioningConfiguration={"Status": "Enabled"})
        self.outcome("versioning", status == "Enabled", "versioning is %s" % status, "enable it", write)

    def public_access_block(self):
        if self.created:
            return {}
        try:
            return self.call("get_public_access_block")["PublicAccessBlockConfiguration"]
        except aws.ClientError as e:
            if _missing_code(e):
                return {}
            raise

    def public_acl_grants(self):
        if self.created:
            return []
        grants = self.call("get_bucket_acl").get("Grants", [])
        return [g for g in grants if g.get("Grantee", {}).get("URI") in PUBLIC_GRANTEES]

    def read_policy(self):
        if self.created:
            return {}
        try:
            return policy.load(self.call("get_bucket_policy")["Policy"])
        except aws.ClientError as e:
            if _missing_code(e):
                return {}
            raise

    def policies(self, aspects):
        """not_public, tls_only, service_access: read once, one policy write for all three."""
        current = self.read_policy()
        desired = current
        problems = {}
        if "not_public" in aspects:
            pab = self.public_access_block()
            off = sorted(k for k in PUBLIC_ACCESS_BLOCK if not pab.get(k))
            public = policy.public_statements(current)
            acl = self.public_acl_grants()
            parts = []
            if off:
                parts.append("Block Public Access off: %s" % ", ".join(off))
            if public:
                parts.append("policy open to everyone: %s" % "; ".join(policy.describe_statement(s) for _n, s in public))
            if acl:
                parts.append("ACL grants to %s" % ", ".join(g["Grantee"]["URI"].rsplit("/", 1)[-1] for g in acl))
            problems["not_public"] = parts
            if parts and self.fixable("not_public"):
                desired = policy.remove_statements(desired, [n for n, _s in public]) if public else desired
        if "tls_only" in aspects:
            ok = policy.has_tls_deny(current, self.arn)
            problems["tls_only"] = [] if ok else ["no statement denies requests without TLS (aws:SecureTransport false)"]
            if not ok and self.fixable("tls_only"):
                desired, _changed = policy.merge_statements(desired, [policy.tls_deny_statement(self.arn)])
        if "service_access" in aspects:
            missing = [s for s in self.service_statements if not policy.grants_statement(current, s)]
            problems["service_access"] = (["policy does not grant %s" % "; ".join(
                policy.describe_statement(s) for s in missing)] if missing else [])
            if missing and self.fixable("service_access"):
                desired, _changed = policy.merge_statements(desired, missing)

        if "not_public" in aspects:
            def write_block():
                if off:
                    self.m.record_change("s3:PutPublicAccessBlock %s" % self.name)
                    if self.m.may_change:
                        self.call("put_public_access_block", PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
                if acl:
                    self.m.record_change("s3:PutBucketAcl %s private" % self.name)
                    if self.m.may_change:
                        self.call("put_bucket_acl", ACL="private")
            self.outcome("not_public", not problems["not_public"], "; ".join(problems["not_public"])
                         or "Block Public Access on, no public policy statement or ACL grant",
                         "turn Block Public Access on, drop public grants", write_block)
        if desired is not current and not policy.same(desired, current):
            self.m.record_change("s3:PutBucketPolicy %s" % self.name)
            if self.m.may_change:
                self.call("put_bucket_policy", Policy=policy.dumps(desired))
        for aspect, fix in (("tls_only", "add a Deny of requests without TLS"),
                            ("service_access", "add the missing statements")):
            if aspect in aspects:
                ok = not problems[aspect]
                message = "; ".join(problems[aspect]) or {
                    "tls_only": "the bucket policy denies requests without TLS",
                    "service_access": "the bucket policy grants the delivering service its writes"}[aspect]
                self.outcome(aspect, ok, message, fix, lambda: None)  # written with the policy above

    def access_logging(self, _aspects):
        current = {} if self.created else self.call("get_bucket_logging").get("LoggingEnabled", {})
        if current:
            self.results["access_logging"] = _result("pass", "server access logging to %s/%s" % (
                current.get("TargetBucket"), current.get("TargetPrefix", "")))
            return
        if not self.access_log_target and not self.foreign:
            self.results["access_logging"] = _result(
                "fail", "server access logging is off; give an access log target bucket to enable it")
            return
        target = {"TargetBucket": self.access_log_target, "TargetPrefix": self.access_log_prefix}

        def write():
            self.m.record_change("s3:PutBucketLogging %s" % self.name)
            if self.m.may_change:
                self.call("put_bucket_logging", BucketLoggingStatus={"LoggingEnabled": target})
        self.outcome("access_logging", False, "server access logging is off",
                     "log to %s/%s" % (self.access_log_target, self.access_log_prefix), write)

    def lifecycle_rules(self, _aspects):
        rules = []
        if not self.created:
            try:
                rules = self.call("get_bucket_lifecycle_configuration").get("Rules", [])
            except aws.ClientError as e:
                if not _missing_code(e):
                    raise
        wanted = lifecycle_rule(self.lifecycle)
        ours = [r for r in rules if r.get("ID") == LIFECYCLE_RULE_ID]
        ok = bool(ours) and _rule_fields(ours[0]) == _rule_fields(wanted)
        desired = [r for r in rules if r.get("ID") != LIFECYCLE_RULE_ID] + [wanted]

        def write():
            self.m.record_change("s3:PutBucketLifecycleConfiguration %s" % self.name)
            if self.m.may_change:
                self.call("put_bucket_lifecycle_configuration", LifecycleConfiguration={"Rules": desired})
        self.outcome("lifecycle", ok, "lifecycle rule %s %s" % (
            LIFECYCLE_RULE_ID, "is in place" if ok else ("differs" if ours else "is missing")), "set it", write)

    def run(self):
        try:
            where, owned = self.locate()
        except (aws.ClientError, aws.BotoCoreError) as e:
            message = aws.describe_error(e, "s3")
            if aws.error_code(e) in DENIED:
                message = ("cannot tell whether bucket %s belongs to this account (%s); nothing is changed in a "
                           "bucket that may be another account's: grant s3:ListAllMyBuckets and s3:GetBucketLocation"
                           % (self.name, message))
            for aspect in self.aspects:
                self.results[aspect] = _result("error", message)
            return self.result(exists=None)
        if where is None:
            self.s3 = self.m.client("s3", self.region)
            try:
                if not self.create():
                    self.would_create()
                    return self.result(exists=False)
            except (aws.ClientError, aws.BotoCoreError) as e:
                message = aws.describe_error(e, "s3")
                if aws.error_code(e) == "BucketAlreadyExists":
                    message = "bucket name %s was just taken by another account: choose another name (%s)" % (
                        self.name, message)
                for aspect in self.aspects:
                    self.results[aspect] = _result("error", message)
                return self.result(exists=False)
        elif not owned:
            return self.report_foreign(where)
        else:
            self.owned = True
            self.region = where
            self.s3 = self.m.client("s3", where)
        if self.expected_owner and self.expected_owner != self.account:
            message = ("the bucket's owner is given as account %s, but bucket %s belongs to this account (%s): "
                       "nothing is changed; correct the owner or the bucket name" % (
                           self.expected_owner, self.name, self.account))
            for aspect in self.aspects:
                self.results[aspect] = _result("error", message)
            return self.result(exists=True)
        self.evaluate()
        return self.result(exists=True)

    def evaluate(self):
        # Block Public Access before the policy write: a public statement is never put back.
        self.guarded(_POLICY_ASPECTS, self.policies)
        self.guarded(("versioning", "mfa_delete"), self.read_versioning)
        if "versioning" not in self.results:  # read fine: now its own write, its own error
            self.guarded(("versioning",), self.versioning)
        self.guarded(("access_logging",), self.access_logging)
        self.guarded(("lifecycle",), self.lifecycle_rules)

    def report_foreign(self, where):
        """A bucket of another account is never changed. ``refuse``: every aspect is an error. ``report``
        (a central log archive): each aspect is read, never written; found wrong it is ``fail``, a read S3
        refuses is ``manual`` (the owner checks it), and the messages say whose bucket it is."""
        self.foreign = True
        whose = ("account %s" % self.expected_owner if self.expected_owner and self.expected_owner != self.account
                 else "another AWS account")
        self.owner_text = whose
        if self.foreign_mode != "report":
            message = ("bucket %s belongs to %s, not this one (%s): bulwark never changes a bucket another account "
                       "owns; choose a bucket of this account" % (self.name, whose, self.account))
            for aspect in self.aspects:
                self.results[aspect] = _result("error", message)
            return self.result(exists=True)
        self.region = where
        self.s3 = self.m.client("s3", where)
        # What the owner sets for its own reasons (the delivering services' statements, lifecycle) is not ours to judge.
        self.aspects = [a for a in self.aspects if a not in ("service_access", "lifecycle")]
        self.leave_alone = set(self.aspects)
        self.evaluate()
        for aspect in self.aspects:
            found = self.results.get(aspect)
            if found is None:
                continue
            if found["status"] == "drift":
                found["status"] = "fail"
            elif found["status"] == "error" and self.error_codes.get(aspect) in DENIED:
                found.update(status="manual", message="S3 does not let this account read it (%s)" % found["message"])
        return self.result(exists=True)

    def result(self, exists):
        return {"bucket": self.name, "arn": self.arn, "region": self.region, "exists": exists,
                "created": self.created, "foreign": self.foreign,
                "owner": self.owner_text if self.foreign else self.account,
                "aspects": dict((a, self.results[a]) for a in self.aspects if a in self.results)}


def ensure_secure_bucket(m, bucket, region, service_statements, access_log_target=None, access_log_prefix=None,
                         lifecycle=None, aspects=None, leave_alone=(), foreign="refuse", owner=None):
    """Evaluate (and, when ``m.may_change``, fix) a log delivery bucket. See the module docstring.

    m                   the BulwarkModule (clients, record_change, may_change, identity)
    bucket, region      the bucket name; the region to create it in when missing (an existing
                        bucket is used where it is)
    service_statements  bucket policy statements the delivering service needs, e.g. CloudTrail's
                        GetBucketAcl and PutObject with aws:SourceArn
    access_log_target   bucket receiving server access logs (None: access_logging is ``fail``)
    access_log_prefix   prefix in the target (default ``<bucket>/``)
    lifecycle           {transition_days, storage_class, expiration_days, noncurrent_expiration_days}
                        or None (validate it first with validate_lifecycle)
    aspects             the aspects to evaluate (default ASPECTS; lifecycle only with ``lifecycle``)
    leave_alone         aspects to evaluate but never change (waived ones): reported ``drift``
    foreign             a bucket another account owns is never changed: ``refuse`` makes every aspect
                        ``error`` (a bucket this account should own); ``report`` (a central log
                        archive the caller was pointed at) reads each aspect: ``pass``, ``fail``
                        (wrong, fixed by its owner) or ``manual`` (S3 refuses the read)
    owner               the account said to own the bucket, for messages; a bucket of this
                        account given another owner is an ``error`` for every aspect, unchanged

    Returns {"bucket", "arn", "region", "exists", "created", "foreign", "owner" (this account's id,
    or for a foreign bucket "account ID" / "another AWS account"), "aspects": {aspect: {"status", "message"}}}.
    """
    return _Bucket(m, bucket, region, service_statements, access_log_target, access_log_prefix, lifecycle,
                   aspects, leave_alone, foreign, owner).run()

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run of cloudtrail_trail_ensure: the account, the trail chosen, the names planned for the
trail, bucket, key and log group, and what each control came to (one Outcome per control);
the findings are made from the outcomes at the end.

The steps (trail.py, bucket.py, key.py, logs.py) read and write this state; rotation.py, per
region, does not need it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket

CONTROLS = ids(module="cloudtrail_trail_ensure")
MULTI_REGION = "cloudtrail.multi_region"
VALIDATION = "cloudtrail.log_file_validation"
KMS = "cloudtrail.kms_encryption"
ROTATION = "kms.key_rotation"
CLOUDWATCH = "cloudtrail.cloudwatch_logs"
WRITE_EVENTS = "cloudtrail.s3_object_write_events"
READ_EVENTS = "cloudtrail.s3_object_read_events"
DATA_EVENTS = {WRITE_EVENTS: "write", READ_EVENTS: "read"}
BUCKET_ASPECTS = {
    "cloudtrail.bucket_versioning": "versioning",
    "cloudtrail.bucket_not_public": "not_public",
    "cloudtrail.bucket_tls_only": "tls_only",
    "cloudtrail.bucket_access_logging": "access_logging",
    "cloudtrail.bucket_mfa_delete": "mfa_delete",
}
TRAIL_CONTROLS = [c for c in CONTROLS if c != ROTATION]
DEFAULT_TRAIL = "bulwark-security-trail"
FAULTS = regions_util.AWS_FAULTS
# CloudTrail checks bucket, key and role as it changes a trail; IAM changes take seconds to
# show. Waits between attempts when a fresh resource is not visible yet (about a minute in all).
PROPAGATION_DELAYS = (2, 4, 8, 15, 30)


class Outcome:
    """What one control came to: ``problems`` found ([] when compliant as found), ``fixes``
    done or planned, a ``verdict`` (status, message) a step decided itself, or the ``error``
    that kept it from being evaluated."""

    def __init__(self):
        self.problems = []
        self.fixes = []
        self.verdict = None
        self.error = None


class TrailEnsure:
    """One run: choose the trail, plan the names, fix bucket, key, logs and trail, report."""

    def __init__(self, m):
        self.m = m
        self.p = m.params
        ident = m.identity()
        self.account = ident["account_id"]
        self.partition = ident["partition"]
        self.home = m.conn.region
        self.outcomes = {}       # control -> Outcome
        # The trail (trail.py).
        self.state = None        # the chosen trail's {"trail", "status", "selectors", "region"}
        self.foreign = False     # an organization trail of another account: read-only
        self.trail_exists = False
        self.region = self.trail_name = self.trail_arn = None
        # Its bucket (bucket.py).
        self.bucket = self.prefix = None
        self.bucket_refused = False  # the default bucket name is another account's: no trail
        # Its key (key.py).
        self.key_arn = None
        # Its log group and the role CloudTrail delivers with (logs.py).
        self.log_group = self.log_group_arn = self.role_arn = None

    def found(self, part):
        """A part of the chosen trail's state ("trail", "status", "selectors"); {} without one."""
        return self.state[part] if self.state else {}

    # --- outcomes ----------------------------------------------------------------------------
    def outcome(self, control):
        return self.outcomes.setdefault(control, Outcome())

    def wanted(self, controls):
        return [c for c in controls if self.m.findings.wants(c)]

    def fixable(self, control):
        return self.m.findings.wants(control) and not self.m.findings.is_waived(control, self.resource(control))

    def resource(self, control):
        if control in BUCKET_ASPECTS:
            return s3_bucket.bucket_arn(self.bucket, self.partition) if self.bucket else None
        return self.trail_arn

    def problem(self, control, what, fix=None):
        outcome = self.outcome(control)
        outcome.problems.append(what)
        if fix:
            outcome.fixes.append(fix)

    def fix(self, control, what):
        self.outcome(control).fixes.append(what)

    def verdict(self, control, status, message):
        self.outcome(control).verdict = (status, message)

    def error(self, controls, message):
        """The first error of a control is the one reported."""
        for control in controls:
            outcome = self.outcome(control)
            if outcome.error is None:
                outcome.error = message

    def fault(self, controls, exc, service):
        self.error(controls, aws.describe_error(exc, service))

    def has_error(self, control=None):
        if control is not None:
            return self.outcome(control).error is not None
        return any(o.error is not None for o in self.outcomes.values())

    # --- AWS ---------------------------------------------------------------------------------
    def call_with_propagation_retry(self, fn, **kwargs):
        """Retry while CloudTrail cannot yet see a bucket policy, key policy or role this run made."""
        fresh = any(a.startswith(("iam:", "kms:", "s3:PutBucketPolicy", "s3:CreateBucket")) for a in self.m.actions)
        for delay in PROPAGATION_DELAYS + (None,):
            try:
                return fn(**kwargs)
            except aws.ClientError as e:
                if delay is None or not fresh or not ctu.is_retryable_propagation(e):
                    raise
                time.sleep(delay)
        return None  # pragma: no cover - the loop returns or raises

    # --- findings ------------------------------------------------------------------------------
    def report(self):
        for control in self.wanted(TRAIL_CONTROLS):
            where = dict(resource=self.resource(control), region=self.region)
            outcome = self.outcome(control)
            if outcome.error is not None:
                self.m.findings.add(control, "error", outcome.error, **where)
            elif outcome.verdict is not None and not outcome.problems:
                status, message = outcome.verdict
                self.m.findings.add(control, status, message, **where)
            elif not outcome.problems:
                self.m.findings.add(control, "pass", self.pass_message(control), **where)
            elif not self.fixable(control):
                self.m.findings.add(control, "drift", "; ".join(outcome.problems), **where)  # waived
            else:
                done = self.m.may_change
                message = "%s; %s%s" % ("; ".join(outcome.problems), "fixed: " if done else "would ",
                                        ", ".join(outcome.fixes or ["fix it"]))
                self.m.findings.noncompliant(control, can_fix=True, fixed=done, message=message, **where)

    def pass_message(self, control):
        return {
            MULTI_REGION: "trail %s logs read and write management events in every region" % self.trail_name,
            VALIDATION: "log file validation is on",
            KMS: "logs are encrypted with %s, its policy scoped to this trail" % self.key_arn,
            CLOUDWATCH: "the trail delivers to log group %s" % self.log_group,
            WRITE_EVENTS: "S3 object-level write events are logged for every bucket",
            READ_EVENTS: "S3 object-level read events are logged for every bucket",
        }[control]

    def result(self, plan):
        return dict(
            trail=dict(name=self.trail_name, arn=self.trail_arn, home_region=self.region, exists=self.trail_exists),
            trail_arn=self.trail_arn, bucket_arn=s3_bucket.bucket_arn(self.bucket, self.partition),
            kms_key_arn=self.key_arn, log_group_arn=self.log_group_arn, log_group_name=self.log_group,
            regions=plan.as_result())

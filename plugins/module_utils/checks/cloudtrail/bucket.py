# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trail's bucket in cloudtrail_trail_ensure: its name and prefix, and the bucket made or
brought up to standard (module_utils/domain/s3_bucket.py) with the statements CloudTrail needs
to deliver. A bucket of another account (a central log archive) is read, never changed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import (
    BUCKET_ASPECTS,
    MULTI_REGION,
    TRAIL_CONTROLS,
)


def plan(run):
    """The bucket the trail delivers to (after trail.plan): the one given, the trail's, else a
    default named after the account and region; the trail's prefix while it stays in its bucket."""
    trail = run.found("trail")
    default_bucket = "bulwark-cloudtrail-%s-%s" % (run.account, run.region)
    run.bucket = run.p["bucket_name"] or trail.get("S3BucketName") or default_bucket
    run.prefix = trail.get("S3KeyPrefix") if trail.get("S3BucketName") == run.bucket else run.p["bucket_prefix"]


def ensure_bucket(run):
    controls = [c for c in BUCKET_ASPECTS if run.m.findings.wants(c)]
    if run.foreign:
        for control in controls:
            run.verdict(control, "manual", "the organization trail's bucket %s belongs to account %s: evaluate it there"
                        % (run.bucket, ctu.trail_account(run.state["trail"])))
        return
    if not controls and run.trail_exists and run.bucket == run.state["trail"].get("S3BucketName") \
            and not run.m.findings.wants(MULTI_REGION):
        return
    aspects = [BUCKET_ASPECTS[c] for c in controls] + ["service_access"]
    leave_alone = [BUCKET_ASPECTS[c] for c in controls if not run.fixable(c)]
    bucket_arn = s3_bucket.bucket_arn(run.bucket, run.partition)
    # A bucket the trail delivers to, or one given, may be a central log archive of another
    # account: read, never changed. The default name, found to be another account's, is not.
    chosen = bool(run.p["bucket_name"]) or (run.trail_exists and run.bucket == run.state["trail"].get("S3BucketName"))
    result = s3_bucket.ensure_secure_bucket(
        run.m, run.bucket, run.region,
        ctu.bucket_statements(bucket_arn, run.prefix, run.account, run.trail_arn),
        access_log_target=run.p["access_log_bucket"], access_log_prefix=run.p["access_log_prefix"],
        lifecycle=run.p["lifecycle"], aspects=aspects + (["lifecycle"] if run.p["lifecycle"] else []),
        leave_alone=leave_alone, foreign="report" if chosen else "refuse", owner=run.p["bucket_owner"])
    owner = run.p["bucket_owner"]
    if owner and owner != run.account and not result.get("foreign") and result.get("exists"):
        for aspect in result["aspects"].values():
            if aspect["status"] == "error":
                aspect["message"] = "%s: %s" % (run.m.option("bucket_owner"), aspect["message"])
    if result.get("foreign") and not chosen:
        # A trail delivering there would hand this account's logs to that account.
        run.error(run.wanted(TRAIL_CONTROLS),
                  "bucket name %s belongs to %s, not this account: no trail delivers there; set %s to a bucket of "
                  "this account, or to the log archive's bucket of another account"
                  % (run.bucket, result["owner"], run.m.option("bucket_name")))
        run.bucket_refused = True
        return
    if result.get("foreign"):
        where = ("bucket %s belongs to %s (the log archive), not this account (%s): it is checked and fixed "
                 "there, never changed from here" % (run.bucket, result["owner"], run.account))
        if result["owner"] == "another AWS account":
            where += " (give %s to name it)" % run.m.option("bucket_owner")
        for control in controls:
            aspect = result["aspects"].get(BUCKET_ASPECTS[control])
            if aspect:
                run.verdict(control, aspect["status"], "%s; %s" % (where, aspect["message"]))
        return
    for control in controls:
        aspect = result["aspects"].get(BUCKET_ASPECTS[control])
        if aspect:
            run.verdict(control, aspect["status"], aspect["message"])
    access = result["aspects"].get("service_access")
    if access and access["status"] == "error":
        run.error([MULTI_REGION], access["message"])
    elif access and access["status"] != "pass" and run.trail_exists:
        run.problem(MULTI_REGION, "the bucket policy of %s does not let CloudTrail deliver: %s"
                    % (run.bucket, access["message"]))

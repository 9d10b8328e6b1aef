# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.cloudtrail_trail_ensure module (its file holds the documentation).

bulwark.aws.cloudtrail_trail_ensure runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process.

The steps live in module_utils/checks/cloudtrail/: run.py (the run's state and findings),
trail.py, bucket.py, key.py, logs.py, and rotation.py (kms.key_rotation, per region).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.domain import s3_bucket
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail import bucket, key, logs, rotation, trail
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import (
    BUCKET_ASPECTS,
    CLOUDWATCH,
    CONTROLS,
    FAULTS,
    KMS,
    TRAIL_CONTROLS,
    TrailEnsure,
)


def validate(params, _named):
    home = params.get("region") or "us-east-1"
    if params.get("trail_name"):
        ctu.validate_trail_name(params["trail_name"])
    for option in ("bucket_name", "access_log_bucket"):
        if params.get(option):
            ctu.validate_bucket_name(params[option], option)
    owner = params.get("bucket_owner")
    if owner is not None and not (len(owner) == 12 and owner.isdigit()):
        raise ValueError("bucket_owner: %r is not an AWS account id (12 digits): give the account that owns the trail "
                         "bucket (the log archive)" % owner)
    if params.get("access_log_bucket") and params["access_log_bucket"] == params.get("bucket_name"):
        raise ValueError("access_log_bucket: the trail bucket cannot log its own access (every log write would "
                         "log again); give another bucket")
    prefix = params.get("bucket_prefix")
    if prefix is not None and (prefix.startswith("/") or len(prefix) > 200 or "AWSLogs" in prefix.split("/")):
        raise ValueError("bucket_prefix: %r must not start with '/', exceed 200 characters or contain AWSLogs "
                         "(CloudTrail adds AWSLogs/ACCOUNT/ itself)" % prefix)
    if params.get("kms_key_id"):
        ctu.validate_kms_key_id(params["kms_key_id"], home)
    alias = params["kms_key_alias"]
    if not alias.startswith("alias/") or alias.startswith("alias/aws/") or len(alias) > 256:
        raise ValueError("kms_key_alias: %r must start with alias/ and not alias/aws/ (reserved for AWS)" % alias)
    if params.get("log_group_name"):
        ctu.validate_log_group_name(params["log_group_name"])
    ctu.validate_retention(params["log_retention_days"])
    ctu.validate_role_name(params["cloudwatch_logs_role_name"], "cloudwatch_logs_role_name")
    s3_bucket.validate_lifecycle(params.get("lifecycle"))
    regions_util.validate_regions(params)


def ensure(run):
    """Choose the trail, plan the names, then bucket, key and logs before the trail that needs
    them; an AWS fault in a step is an error of the controls that step serves."""
    controls = run.wanted(TRAIL_CONTROLS)
    try:
        if controls:
            run.state, run.foreign = trail.choose_trail(run)
    except FAULTS as e:
        run.fault(controls, e, "cloudtrail")
        run.state = None
    trail.plan(run)
    bucket.plan(run)
    logs.plan(run)
    if controls and not run.has_error():
        for step, step_controls, service in ((bucket.ensure_bucket, list(BUCKET_ASPECTS), "s3"),
                                             (key.ensure_key, [KMS], "kms"),
                                             (logs.ensure_logs, [CLOUDWATCH], "logs"),
                                             (trail.ensure_trail, controls, "cloudtrail")):
            if run.bucket_refused:
                break  # nothing is built for a trail that cannot be made
            try:
                step(run)
            except FAULTS as e:
                run.fault(step_controls, e, service)
    run.report()


def argument_spec():
    spec = dict(
        trail_name=dict(type="str"),
        bucket_name=dict(type="str"),
        bucket_owner=dict(type="str"),
        bucket_prefix=dict(type="str"),
        access_log_bucket=dict(type="str"),
        access_log_prefix=dict(type="str"),
        lifecycle=dict(type="dict", options=dict(
            transition_days=dict(type="int"),
            storage_class=dict(type="str", default="GLACIER",
                               choices=["GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "STANDARD_IA", "ONEZONE_IA",
                                        "INTELLIGENT_TIERING"]),
            expiration_days=dict(type="int"),
            noncurrent_expiration_days=dict(type="int"),
        )),
        kms_key_id=dict(type="str"),
        kms_key_alias=dict(type="str", default="alias/bulwark-cloudtrail", no_log=False),
        log_group_name=dict(type="str"),
        log_retention_days=dict(type="int", default=365),
        cloudwatch_logs_role_name=dict(type="str", default="bulwark-cloudtrail-cloudwatch-logs"),
        s3_data_events=dict(type="list", elements="str", choices=["read", "write"], default=[]),
    )
    spec.update(regions_util.REGIONS_ARGUMENT_SPEC)
    return spec


def body(m):
    run = TrailEnsure(m)
    ensure(run)
    if run.log_group:
        # The CIS 4.x alarms after this module in the account run watch this group (in check
        # mode, the group the trail would get).
        m.conn.set_shared(ctu.SECURITY_TRAIL_LOG_GROUP, (run.region, run.log_group, None))
    plan = rotation.key_rotation(m)
    m.exit(**run.result(plan))


DEFINITION = Definition("cloudtrail_trail_ensure", argument_spec, CONTROLS, body, validate)

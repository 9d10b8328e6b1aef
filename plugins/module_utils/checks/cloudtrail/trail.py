# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trail of cloudtrail_trail_ensure: which trail the account's is, its name and ARN, and
creating or updating it (multi-region, log file validation, key, log group, bucket, event
selectors, logging on) once bucket, key and logs are ready. Another account's organization
trail is only read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import (
    CLOUDWATCH,
    DATA_EVENTS,
    DEFAULT_TRAIL,
    FAULTS,
    KMS,
    MULTI_REGION,
    TRAIL_CONTROLS,
    VALIDATION,
)


def choose_trail(run):
    """(state of the trail to ensure or None, whether it is another account's organization trail)."""
    trails = ctu.describe_trails(run.m.client("cloudtrail"))
    own = [t for t in trails if ctu.trail_account(t) == run.account]
    foreign = [t for t in trails if ctu.trail_account(t) != run.account]
    states = [ctu.read_trail(run.m, t, run.home) for t in own]
    named = [s for s in states if s["trail"]["Name"] == (run.p["trail_name"] or DEFAULT_TRAIL)]
    if named:
        return named[0], False
    if states:
        return min(states, key=lambda state: closeness(state, run.home)), False
    for trail in foreign:
        state = ctu.read_trail(run.m, trail, run.home)
        if not ctu.logging_gaps(state):
            return state, True
    return None, False


def closeness(state, home):
    """Sort key: the trail with the fewest gaps, then one in the home region, then by name."""
    trail = state["trail"]
    gaps = len(ctu.logging_gaps(state)) + (not trail.get("LogFileValidationEnabled")) \
        + (not trail.get("KmsKeyId")) + (not trail.get("CloudWatchLogsLogGroupArn"))
    return gaps, state["region"] != home, trail["Name"]


def plan(run):
    """The trail's name, ARN and home region: the chosen trail's, else those it is created with."""
    trail = run.found("trail")
    run.trail_exists = bool(trail)
    run.region = run.state["region"] if run.state else run.home
    run.trail_name = trail.get("Name") or run.p["trail_name"] or DEFAULT_TRAIL
    run.trail_arn = trail.get("TrailARN") or ctu.trail_arn(run.partition, run.region, run.account, run.trail_name)
    if not run.trail_exists:
        for control in run.wanted([MULTI_REGION, VALIDATION, KMS, CLOUDWATCH]):
            run.problem(control, "the account has no trail")


def settings(trail, status=None):
    """The trail settings this module manages, for --diff."""
    return {
        "Name": trail.get("Name"), "S3BucketName": trail.get("S3BucketName"),
        "IsMultiRegionTrail": trail.get("IsMultiRegionTrail", False),
        "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents", False),
        "LogFileValidationEnabled": trail.get("LogFileValidationEnabled", False),
        "KmsKeyId": trail.get("KmsKeyId"), "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
        "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
        "IsLogging": bool((status or {}).get("IsLogging")),
    }


def trail_changes(run):
    """(update/create arguments, start logging?, event selectors to put or None), noting each
    control's problems and fixes on the way."""
    trail, status, selectors = run.found("trail"), run.found("status"), run.found("selectors")
    args = {}
    gap = ctu.management_gap(selectors) if run.trail_exists else None
    # Logging everything is not enough: CIS 3.1's audit and Prowler look for one selector
    # that does (a "Management events selector" when the trail has advanced selectors).
    issue = ctu.management_selector_issue(selectors) if run.trail_exists and not gap else None
    if run.trail_exists and run.m.findings.wants(MULTI_REGION):
        for found in ctu.logging_gaps(run.state):
            run.problem(MULTI_REGION, found)
        if issue:
            run.problem(MULTI_REGION, issue)
    # A trail this module creates is never weaker than the baseline, selected controls or not.
    if run.fixable(MULTI_REGION) or not run.trail_exists:
        if not trail.get("IsMultiRegionTrail") or not trail.get("IncludeGlobalServiceEvents", False):
            args.update(IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
            if run.trail_exists:
                run.fix(MULTI_REGION, "make it multi-region with global service events")
    if run.m.findings.wants(VALIDATION) and not trail.get("LogFileValidationEnabled"):
        if run.trail_exists:
            run.problem(VALIDATION, "log file validation is off")
        run.fix(VALIDATION, "enable log file validation")
        if run.fixable(VALIDATION):
            args["EnableLogFileValidation"] = True
    if run.fixable(KMS) and not run.has_error(KMS):
        wanted = run.key_arn or (None if run.m.may_change else "(the new key)")
        if wanted and wanted != trail.get("KmsKeyId"):
            args["KmsKeyId"] = wanted
    if run.fixable(CLOUDWATCH) and not run.has_error(CLOUDWATCH):
        if trail.get("CloudWatchLogsLogGroupArn") != run.log_group_arn \
                or trail.get("CloudWatchLogsRoleArn") != run.role_arn:
            args.update(CloudWatchLogsLogGroupArn=run.log_group_arn, CloudWatchLogsRoleArn=run.role_arn)
            run.fix(CLOUDWATCH, "point the trail at %s" % run.log_group)
    if run.trail_exists and run.bucket != trail.get("S3BucketName"):
        args["S3BucketName"] = run.bucket
        if run.prefix:
            args["S3KeyPrefix"] = run.prefix
    start = (run.fixable(MULTI_REGION) and not status.get("IsLogging")) or not run.trail_exists
    if run.trail_exists and start:
        run.fix(MULTI_REGION, "start logging")
    fix_management = run.trail_exists and run.fixable(MULTI_REGION) and bool(gap or issue)
    if fix_management:
        run.fix(MULTI_REGION, "log all read and write management events in one %s" % (
            "advanced selector named %r" % ctu.MANAGEMENT_SELECTOR_NAME
            if selectors.get("AdvancedEventSelectors") else "selector with ReadWriteType All"))
    logged = ctu.s3_data_events(selectors, run.partition) if run.trail_exists else set()
    add_data = set()
    for control, kind in DATA_EVENTS.items():
        if not run.m.findings.wants(control) or kind in logged:
            continue
        if kind in run.p["s3_data_events"]:
            run.problem(control, "S3 object-level %s events are not logged" % kind,
                        "log S3 object %s events for every bucket" % kind)
            if run.fixable(control):
                add_data.add(kind)
        else:
            run.verdict(control, "fail", "S3 object-level %s events are not logged (billed per event): add %s to %s "
                        "to log them for every bucket" % (kind, kind, run.m.option("s3_data_events")))
    put = ctu.desired_selectors(selectors, fix_management, add_data, run.partition) \
        if (fix_management or add_data) else None
    return args, start, put


def ensure_trail(run):
    if run.foreign:
        report_foreign_trail(run)
        return
    args, start, selectors = trail_changes(run)
    controls = run.wanted(TRAIL_CONTROLS)
    if not run.trail_exists and not any(run.fixable(c) for c in TRAIL_CONTROLS):
        return  # everything selected is waived: nothing to create
    ct = run.m.client("cloudtrail", run.region)
    before = settings(run.state["trail"], run.found("status")) if run.trail_exists else None
    after = dict(before or {}, Name=run.trail_name, S3BucketName=run.bucket)
    after.update((k, v) for k, v in args.items() if k not in ("EnableLogFileValidation", "S3KeyPrefix"))
    if "EnableLogFileValidation" in args:
        after["LogFileValidationEnabled"] = True
    after["IsLogging"] = True if start else after.get("IsLogging")
    if not run.trail_exists:
        if not create_trail(run, ct, args, after, controls):
            return
    else:
        update_trail(run, ct, args, start, before, after, controls)
    if selectors:
        run.m.record_change("cloudtrail:PutEventSelectors %s" % run.trail_name)
        if run.m.may_change:
            try:
                ct.put_event_selectors(TrailName=run.trail_arn, **selectors)
            except FAULTS as e:
                run.fault([MULTI_REGION] + list(DATA_EVENTS), e, "cloudtrail")


def create_trail(run, ct, args, after, controls):
    """Create the trail and start logging; False when that failed (the error is noted)."""
    run.fix(MULTI_REGION, "create multi-region trail %s and start logging" % run.trail_name)
    run.m.record_change("cloudtrail:CreateTrail %s" % run.trail_name)
    run.m.record_change("cloudtrail:StartLogging %s" % run.trail_name)
    if not run.m.may_change:
        return True
    create = dict(args, Name=run.trail_name, S3BucketName=run.bucket,
                  TagsList=[{"Key": "managed-by", "Value": "bulwark.aws"}])
    if run.prefix:
        create["S3KeyPrefix"] = run.prefix
    try:
        try:
            run.call_with_propagation_retry(ct.create_trail, **create)
        except aws.ClientError as e:
            if aws.error_code(e) != "TrailAlreadyExistsException":
                raise
            # Made meanwhile by another run (an apply at the same time): give it what
            # this run would have created it with.
            update = dict((k, v) for k, v in create.items() if k not in ("Name", "TagsList"))
            run.call_with_propagation_retry(ct.update_trail, Name=run.trail_arn, **update)
        run.trail_exists = True
        ct.start_logging(Name=run.trail_arn)
    except FAULTS as e:
        run.fault(controls, e, "cloudtrail")
        return False
    return True


def update_trail(run, ct, args, start, before, after, controls):
    if args:
        run.m.record_change("cloudtrail:UpdateTrail %s" % run.trail_name)
        if run.m.may_change:
            try:
                run.call_with_propagation_retry(ct.update_trail, Name=run.trail_arn, **args)
            except FAULTS as e:
                run.fault([c for c in controls if c not in DATA_EVENTS], e, "cloudtrail")
    if start:
        run.m.record_change("cloudtrail:StartLogging %s" % run.trail_name)
        if run.m.may_change:
            try:
                ct.start_logging(Name=run.trail_arn)
            except FAULTS as e:
                run.fault([MULTI_REGION], e, "cloudtrail")


def report_foreign_trail(run):
    trail = run.state["trail"]
    owner = ctu.trail_account(trail)
    issue = ctu.management_selector_issue(run.state["selectors"])
    if not issue:
        run.verdict(MULTI_REGION, "pass", "organization trail %s of account %s logs every region" % (trail["Name"], owner))
    else:
        run.verdict(MULTI_REGION, "manual", "organization trail %s of account %s logs every region, but %s: fix it in "
                    "account %s" % (trail["Name"], owner, issue, owner))
    if trail.get("LogFileValidationEnabled"):
        run.verdict(VALIDATION, "pass", "log file validation is on")
    else:
        run.verdict(VALIDATION, "manual", "log file validation is off on the organization trail: fix it in account %s"
                    % owner)
    logged = ctu.s3_data_events(run.state["selectors"], run.partition)
    for control, kind in DATA_EVENTS.items():
        if kind in logged:
            run.verdict(control, "pass", "S3 object %s events are logged" % kind)
        else:
            run.verdict(control, "manual", "the organization trail does not log S3 object %s events: add them in "
                        "account %s" % (kind, owner))

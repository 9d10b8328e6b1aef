#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudtrail_trail_ensure
short_description: Ensure the account's security trail, its KMS key, bucket and CloudWatch Logs delivery (CIS 3.x)
version_added: 0.1.0
description:
  - Evaluates and, unless in check mode or O(enforce=false), fixes the account's security trail
    (controls C(cloudtrail.*) and C(kms.key_rotation)), one finding per control (per key for
    C(kms.key_rotation)).
  - "The trail: multi-region, logging, read and write management events from every source,
    global service events, log file validation (CIS 3.1, 3.2)."
  - "Management events must be logged by one selector the auditors recognise: a classic event
    selector with C(IncludeManagementEvents) true and C(ReadWriteType) V(All) (CIS 3.1's audit),
    or, on a trail with advanced event selectors, one on C(eventCategory) V(Management) without
    a C(readOnly) field named V(Management events selector), the name the AWS console gives it
    and the only one Prowler's C(cloudtrail_multi_region_enabled_logging_management_events)
    reads. Otherwise (bulwark.aws's older V(Management events) name, read and write split over
    two selectors) C(cloudtrail.multi_region) is V(drift) and the management selectors are
    replaced by that one; data event selectors are kept."
  - "Encryption: SSE-KMS with a customer managed symmetric key it creates (alias O(kms_key_alias))
    or is given (O(kms_key_id)); rotation on; the key policy lets CloudTrail use the key for this
    trail only (C(aws:SourceArn), C(kms:EncryptionContext:aws:cloudtrail:arn)). Statements open to
    everyone and CloudTrail grants that any account's trail could use are removed (CIS 3.5)."
  - "A trail key of this account that is disabled or scheduled for deletion (a known way to
    silence CloudTrail) is V(drift), the message giving the deletion date; apply cancels the
    deletion and enables the key again, so the logs it encrypted stay readable, and makes no new
    key. A key of another account in that state is V(fail) saying what to run there; a key KMS
    refuses to restore (AccessDenied) is V(error) with the same steps. A new key is made only when
    the trail has none and O(kms_key_alias) does not exist; should another run take the alias
    meanwhile, the key this run made seconds before (no alias, no trail, nothing encrypted) is
    scheduled for deletion (7 days) and the other run's key is used."
  - "The bucket: created when missing; versioning; all four Block Public Access settings; a
    bucket policy with CloudTrail's writes (C(aws:SourceArn)) and a deny of requests without TLS,
    merged into the existing policy statement by statement; statements open to everyone are
    removed; server access logging when O(access_log_bucket) is given; an optional lifecycle
    rule. MFA delete is root-only: reported V(fail) with the steps."
  - "A bucket of another account (a central log archive) is never changed: its settings are read
    and reported (V(pass), V(fail), or V(manual) where S3 refuses this account the read), each
    message saying which account it belongs to (O(bucket_owner)) and that it is checked and fixed
    there. Who owns a bucket: C(s3:ListBuckets) lists the account's own, else C(GetBucketLocation)
    with C(ExpectedBucketOwner); every call on a bucket of this account carries
    C(ExpectedBucketOwner). Should the default bucket name belong to another account, no trail is
    made (it would deliver the logs to that account): the findings say to set O(bucket_name)."
  - "CloudWatch Logs: a log group (retention O(log_retention_days); an existing longer or
    unlimited retention is kept), a role CloudTrail assumes to write to it, the trail pointed at both."
  - "S3 object-level data events (CIS 3.8, 3.9) are billed: added only when O(s3_data_events)
    asks for them; otherwise a trail without them is V(fail) saying how to opt in."
  - "An existing trail is used, whatever its name: a trail named O(trail_name), else the trail
    closest to compliance. A non-compliant trail is fixed in place, never replaced; a second
    trail is never created beside one. An organization trail of another account is evaluated
    read-only (its bucket and key: V(manual), they live in the management account)."
  - "C(kms.key_rotation) covers every enabled customer managed symmetric key (origin AWS_KMS,
    replicas of multi-Region keys excepted) in every enabled region, evaluated in parallel
    (O(regions) narrows it)."
  - Nothing is deleted. A waived control is evaluated but never changed.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  trail_name:
    description:
      - The trail to use when one of this name exists, and the name of the trail created when
        the account has none. Default V(bulwark-security-trail).
    type: str
  bucket_name:
    description:
      - The trail's S3 bucket. Default the existing trail's bucket, else
        V(bulwark-cloudtrail-ACCOUNT-REGION). Created when missing.
      - Given and different from the existing trail's bucket, the trail is moved to it.
    type: str
  bucket_owner:
    description:
      - The account id that owns the trail's bucket when it is a central log archive of another
        account. Messages name it. A bucket of another account is detected and left unchanged
        without it; given and the bucket turns out to be this account's, every bucket control is
        V(error) and nothing is changed.
    type: str
  bucket_prefix:
    description: S3 key prefix for a new trail's log files (an existing trail keeps its own).
    type: str
  access_log_bucket:
    description:
      - Bucket receiving the trail bucket's server access logs (CIS 3.4). It must exist and
        admit C(logging.s3.amazonaws.com). Without it, C(cloudtrail.bucket_access_logging) is
        V(fail) unless logging is already on.
    type: str
  access_log_prefix:
    description: Prefix of the access logs in O(access_log_bucket). Default C(<bucket_name>/).
    type: str
  lifecycle:
    description: An optional lifecycle rule (C(bulwark-log-lifecycle)) on the trail bucket. Other rules are kept.
    type: dict
    suboptions:
      transition_days:
        description: Move log files to O(lifecycle.storage_class) after this many days.
        type: int
      storage_class:
        description: Storage class of the transition.
        type: str
        default: GLACIER
        choices: [GLACIER, DEEP_ARCHIVE, GLACIER_IR, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING]
      expiration_days:
        description: Delete log files after this many days. Leave unset to keep them forever.
        type: int
      noncurrent_expiration_days:
        description: Delete noncurrent versions after this many days.
        type: int
  kms_key_id:
    description:
      - A customer managed symmetric key for the trail (key id, key ARN, alias C(alias/NAME) or
        alias ARN), in the home region O(region). Its policy gets CloudTrail's statements merged in.
      - Default the trail's current key, else the key of O(kms_key_alias), created when missing.
    type: str
  kms_key_alias:
    description: Alias of the key this module creates (and finds again on later runs).
    type: str
    default: alias/bulwark-cloudtrail
  log_group_name:
    description: CloudWatch Logs log group for the trail. Default the trail's current group, else V(bulwark-cloudtrail).
    type: str
  log_retention_days:
    description:
      - Retention of the log group, one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14,
        30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
      - Set on a new group, and on an existing one whose retention is shorter. Never shortened.
    type: int
    default: 365
  cloudwatch_logs_role_name:
    description: The IAM role CloudTrail assumes to write to the log group, created when missing.
    type: str
    default: bulwark-cloudtrail-cloudwatch-logs
  s3_data_events:
    description:
      - S3 object-level events to log for every bucket (CIS 3.8 V(write), 3.9 V(read)). Billed
        per event, hence off by default. Existing data selectors are kept.
    type: list
    elements: str
    choices: [read, write]
    default: []
  regions:
    description:
      - Regions whose KMS keys C(kms.key_rotation) evaluates. Default every enabled region.
      - Opt-in regions not enabled for the account are skipped and listed in RV(regions).
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
"""

EXAMPLES = r"""
- name: Audit the security trail
  bulwark.aws.cloudtrail_trail_ensure:
    enforce: false
  register: trail

- name: Ensure the trail with access logging, 7-year retention and S3 write events
  bulwark.aws.cloudtrail_trail_ensure:
    bucket_name: acme-cloudtrail-logs
    access_log_bucket: acme-s3-access-logs
    log_retention_days: 2557
    lifecycle:
      transition_days: 90
    s3_data_events: [write]

- name: Use the organization's key
  bulwark.aws.cloudtrail_trail_ensure:
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:alias/cloudtrail
    region: eu-west-1
"""

RETURN = r"""
findings:
  description: One finding per selected control; C(kms.key_rotation) one per key.
  returned: always
  type: list
  elements: dict
  sample:
    - control: cloudtrail.log_file_validation
      status: fixed
      resource: arn:aws:cloudtrail:eu-west-1:123456789012:trail/security
      region: eu-west-1
      message: "log file validation is off: enabled it"
trail:
  description: The security trail after this run (in check mode, what it would be).
  returned: always
  type: dict
  contains:
    name:
      description: Trail name.
      type: str
    arn:
      description: Trail ARN.
      type: str
    home_region:
      description: The trail's home region.
      type: str
    exists:
      description: Whether the trail exists after this run (false in check mode before creation).
      type: bool
trail_arn:
  description: ARN of the trail (predicted when it is yet to be created).
  returned: always
  type: str
bucket_arn:
  description: ARN of the trail's bucket.
  returned: always
  type: str
kms_key_arn:
  description: ARN of the trail's KMS key; null when there is none yet.
  returned: always
  type: str
log_group_arn:
  description: ARN of the trail's log group (CloudTrail's form, ending in C(:*)).
  returned: always
  type: str
log_group_name:
  description: Name of the trail's log group, for log_metric_alarms.
  returned: always
  type: str
regions:
  description: Regions whose keys were evaluated and those skipped, with the reason.
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail_trail_ensure import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

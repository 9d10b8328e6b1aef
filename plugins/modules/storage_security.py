#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: storage_security
short_description: Audit and enforce the storage controls on every S3 bucket, RDS DB instance and EFS file system
version_added: 0.1.0
description:
  - Evaluates the controls of the C(storage) role (CIS section 2) in one run.
  - C(s3.bucket_tls_only) (CIS 2.1.1) and C(s3.bucket_public_access_block) are evaluated on every
    bucket of the account whose region is evaluated; C(rds.storage_encrypted) (CIS 2.3.1),
    C(rds.auto_minor_version_upgrade) (CIS 2.3.2), C(rds.no_public_access) (CIS 2.3.3) and
    C(efs.encrypted) (CIS 2.4.1) on every DB instance and file system of every evaluated region,
    the regions in parallel (a bounded thread pool, one client per service and region).
  - "Buckets: one C(s3:ListBuckets) in the home region, then per bucket, in a pool of
    O(bucket_concurrency) threads: its region (from C(ListBuckets) when AWS says it, else
    C(s3:GetBucketLocation)), then C(s3:GetBucketPolicy) and C(s3:GetPublicAccessBlock) with a
    client of the bucket's own region. S3 has no call that reads these settings for several buckets
    at once: 2 to 3 requests per bucket (1 to 2 when the account-level Block Public Access has all
    four settings on, as the bucket's own setting is then not read), plus the writes."
  - Public access to a bucket is blocked when each of the four Block Public Access settings is on in
    the bucket's own setting or in the account-level one (C(s3control:GetPublicAccessBlock), read once;
    the C(guardrails) role's C(s3.account_public_access_block) turns it on). The findings say which
    setting blocks it.
  - Compliant resources are summed up in one V(pass) finding per control and region (resource
    C(s3-buckets), C(db-instances) or C(file-systems), the message gives the count); every
    non-compliant resource has a finding of its own whose resource is its name (bucket name,
    C(DBInstanceIdentifier), C(FileSystemId)), so a waiver can name it. A waived resource is not changed.
  - Every fix is opt-in (O(enforce_bucket_tls), O(block_bucket_public_access),
    O(rds_enable_auto_minor_version_upgrade), O(rds_remove_public_access)); without it a non-compliant
    resource is V(fail) and the message names the option to set. Encryption at rest of an RDS
    instance or an EFS file system cannot be turned on in place; those are V(fail) with the steps.
  - The regions are the account's enabled regions (C(ec2:DescribeRegions)) unless O(regions) is
    given; only the buckets of those regions are evaluated. An opt-in region that is not enabled is
    skipped and listed in RV(regions.skipped), not an error.
  - A region or service that fails (AccessDenied, a region that does not answer, throttling after
    botocore's retries) gives an V(error) finding for the controls it covers in that region; a bucket
    whose reads fail gives V(error) findings for that bucket only. Everything else is still evaluated.
  - Nothing is deleted. A bucket policy keeps every statement it has; the TLS statement is added to it.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  regions:
    description:
      - Evaluate only these regions (names botocore knows, in the home region's partition), and only
        the buckets in them. Default, every region enabled for the account.
      - A listed opt-in region that is not enabled is skipped with a warning.
  bucket_concurrency:
    description:
      - Buckets evaluated at the same time (1 to 64). S3 is read bucket by bucket (2 to 3 requests
        each), so an account with many buckets takes about buckets x 3 / O(bucket_concurrency) request times.
    type: int
    default: 16
  enforce_bucket_tls:
    description:
      - Add a Deny of C(s3:*) when C(aws:SecureTransport) is V(false) (Sid C(DenyInsecureTransport)) to
        the policy of every bucket that lacks one, keeping every other statement. Clients that still use
        plain HTTP are refused afterwards.
      - Without it such a bucket is V(fail).
    type: bool
    default: false
  block_bucket_public_access:
    description:
      - Turn the four Block Public Access settings on for every bucket whose public access is blocked
        neither by its own setting nor by the account-level one. A bucket that must stay public gets a waiver.
      - Without it such a bucket is V(fail).
    type: bool
    default: false
  rds_enable_auto_minor_version_upgrade:
    description:
      - Turn auto minor version upgrade on for DB instances that lack it (C(ApplyImmediately=false));
        upgrades then happen in the instance's maintenance window.
      - Without it such an instance is V(fail).
    type: bool
    default: false
  rds_remove_public_access:
    description:
      - Make publicly accessible DB instances private, applied immediately. Clients outside the VPC
        lose access at once.
      - Without it such an instance is V(fail).
    type: bool
    default: false
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
notes:
  - Every call on a bucket carries C(ExpectedBucketOwner) (this account), so a bucket name that changed
    hands after C(ListBuckets) is never read or written.
  - moto (the test emulator) does not return C(BucketRegion) from C(ListBuckets); against it every bucket
    costs one C(GetBucketLocation) more.
"""

EXAMPLES = r"""
- name: Audit every bucket, DB instance and file system
  bulwark.aws.storage_security:
    enforce: false
  register: storage

- name: Enforce TLS and block public access on every bucket of two regions
  bulwark.aws.storage_security:
    region: eu-west-1
    regions: [eu-west-1, eu-central-1]
    enforce_bucket_tls: true
    block_bucket_public_access: true
    waivers:
      - control: s3.bucket_public_access_block
        resource: www.example.com
        reason: static website
        expires: "2027-06-30"

- name: RDS only, with both fixes
  bulwark.aws.storage_security:
    controls: [rds.auto_minor_version_upgrade, rds.no_public_access]
    rds_enable_auto_minor_version_upgrade: true
    rds_remove_public_access: true
"""

RETURN = r"""
findings:
  description:
    - One finding per non-compliant resource (its name as resource), and one V(pass) per control and
      region summing up the compliant ones. S3 findings have the bucket's region (C(global) when the
      account has no bucket).
  returned: always
  type: list
  elements: dict
  sample:
    - control: s3.bucket_tls_only
      status: fixed
      resource: my-data-bucket
      region: eu-west-1
      message: "bucket my-data-bucket: its policy does not deny requests without TLS; fixed: added a Deny of
        s3:* when aws:SecureTransport is false (Sid DenyInsecureTransport) to the bucket policy, keeping its
        1 other statement"
    - control: s3.bucket_public_access_block
      status: pass
      resource: s3-buckets
      region: eu-west-1
      message: "3 buckets: public access blocked by the account-level setting (all four on, so their own
        setting was not read)"
    - control: rds.storage_encrypted
      status: fail
      resource: orders-db
      region: eu-west-1
      message: "DB instance orders-db (postgres) is not encrypted at rest; encryption cannot be turned on in
        place: snapshot it, copy the snapshot with a KMS key, restore a new instance from the copy and move
        the clients to it"
regions:
  description: The regions evaluated, and those skipped with the reason.
  returned: always
  type: dict
  sample:
    evaluated: [eu-west-1, us-east-1]
    skipped:
      - region: ap-east-1
        reason: "opt-in region not enabled for this account: skipped (...)"
  contains:
    evaluated:
      description: The regions evaluated.
      type: list
      elements: str
    skipped:
      description: The regions skipped, each a dict with C(region) and C(reason).
      type: list
      elements: dict
buckets:
  description:
    - How many buckets were evaluated (those in the evaluated regions, and those whose region could not
      be read). V(0) when no S3 control is selected.
  returned: always
  type: int
  sample: 12
actions:
  description: The writes made (or, in check mode, that would be made), with their resource and region.
  returned: always
  type: list
  elements: str
  sample:
    - s3:PutBucketPolicy my-data-bucket (eu-west-1)
    - rds:ModifyDBInstance orders-db PubliclyAccessible (eu-west-1)
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage_security import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

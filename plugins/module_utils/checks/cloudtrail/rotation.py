# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kms.key_rotation of cloudtrail_trail_ensure: automatic rotation of every customer managed
symmetric key, in every enabled region (or those of the regions option), regions in parallel.
Independent of the trail: it needs nothing of the trail's run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import FAULTS, ROTATION


def rotatable(meta):
    """Customer managed symmetric keys KMS can rotate: enabled, key material from KMS, not a replica."""
    return (meta.get("KeyManager") == "CUSTOMER" and meta.get("KeySpec", meta.get("CustomerMasterKeySpec"))
            == "SYMMETRIC_DEFAULT" and meta.get("KeyState") == "Enabled" and meta.get("Origin", "AWS_KMS") == "AWS_KMS"
            and (meta.get("MultiRegionConfiguration") or {}).get("MultiRegionKeyType") != "REPLICA")


def check_key_rotation(run):
    """One region: every rotatable key gets a finding; returns how many there were."""
    kms = run.client("kms")
    keys = aws.paginate(kms, "list_keys", "Keys")
    found = 0
    for key in keys:
        try:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if not rotatable(meta):
                continue
            found += 1
            arn = meta["Arn"]
            if kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled"):
                run.add(ROTATION, "pass", "automatic rotation is enabled", resource=arn)
                continue
            if run.is_waived(ROTATION, arn):
                run.add(ROTATION, "drift", "automatic rotation is off", resource=arn)
                continue
            run.record_change("kms:EnableKeyRotation %s" % arn)
            if run.may_change:
                kms.enable_key_rotation(KeyId=key["KeyId"])
            run.noncompliant(ROTATION, can_fix=True, fixed=run.may_change,
                             message="automatic rotation is off: %s" % (
                                 "enabled it (yearly)" if run.may_change else "would enable it (yearly)"),
                             resource=arn)
        except FAULTS as e:
            # One key the caller may not read (its key policy) does not hide the others.
            found += 1
            run.add(ROTATION, "error", aws.describe_error(e, "kms"), resource=key.get("KeyArn") or key["KeyId"])
    return found


def key_rotation(m):
    """kms.key_rotation in every enabled region (or those of the regions option), in parallel;
    returns the region plan."""
    if not m.findings.wants(ROTATION):
        return regions_util.RegionPlan([])
    plan = regions_util.plan_regions(m, m.params["regions"], [ROTATION])
    regions_util.for_each_region(m, plan.regions, check_key_rotation, [ROTATION])
    if plan.regions and not any(f["control"] == ROTATION for f in m.findings.items):
        m.findings.add(ROTATION, "pass", "no enabled customer managed symmetric key in the %d region(s) "
                       "evaluated" % len(plan.regions), region="all")
    return plan

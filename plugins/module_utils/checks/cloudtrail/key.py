# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trail's KMS key in cloudtrail_trail_ensure (cloudtrail.kms_encryption): the key given,
the trail's, or the one an earlier run made (found by its alias), else a new one; a key disabled
or scheduled for deletion is restored; its policy lets CloudTrail encrypt for this trail only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import cloudtrail as ctu
from ansible_collections.bulwark.aws.plugins.module_utils.domain import policy
from ansible_collections.bulwark.aws.plugins.module_utils.checks.cloudtrail.run import FAULTS, KMS

# Key states CloudTrail cannot encrypt in that a key of this account can be brought back from.
RESTORABLE_STATES = ("PendingDeletion", "Disabled")


def deletion_day(meta):
    """The day (UTC, YYYY-MM-DD) a key scheduled for deletion goes."""
    when = meta.get("DeletionDate")
    if isinstance(when, datetime.datetime):
        if when.tzinfo is not None:
            when = when.astimezone(datetime.timezone.utc)
        return when.strftime("%Y-%m-%d")
    return str(when)[:10] if when else "a date KMS did not give"


def usable_key(kms, key_id):
    """(metadata, None) for a key CloudTrail can use, else (metadata or None, why not)."""
    try:
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except aws.ClientError as e:
        if aws.error_code(e) == "NotFoundException":
            return None, "key %s does not exist" % key_id
        raise
    if meta.get("KeyManager") != "CUSTOMER":
        return meta, "key %s is AWS managed, not customer managed" % meta["Arn"]
    if meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) != "SYMMETRIC_DEFAULT":
        return meta, "key %s is not a symmetric encryption key" % meta["Arn"]
    if meta.get("KeyState") == "PendingDeletion":
        return meta, ("key %s is scheduled for deletion on %s: CloudTrail cannot encrypt with it, and the logs "
                      "it encrypted become unreadable that day" % (meta["Arn"], deletion_day(meta)))
    if meta.get("KeyState") == "Disabled":
        return meta, "key %s is disabled: CloudTrail cannot encrypt with it" % meta["Arn"]
    if meta.get("KeyState") != "Enabled":
        return meta, "key %s is %s" % (meta["Arn"], meta.get("KeyState"))
    return meta, None


def restore_key(run, kms, meta, why_not, subject):
    """A customer managed symmetric key disabled or scheduled for deletion (a known way to silence
    CloudTrail): cancel the deletion and enable it again. Restoring rather than replacing keeps the
    logs it encrypted readable and makes no new key. True when the key is (or in check mode would
    be) usable; else the finding says what to do."""
    arn = meta["Arn"]
    pending = meta.get("KeyState") == "PendingDeletion"
    steps = ("aws kms cancel-key-deletion --key-id %s, then aws kms enable-key --key-id %s" % (arn, arn)
             if pending else "aws kms enable-key --key-id %s" % arn)
    owner = meta.get("AWSAccountId") or arn.split(":")[4]
    if owner != run.account:
        run.verdict(KMS, "fail", "%s %s; the key belongs to account %s, where only it can be restored: %s (or give %s)"
                    % (subject, why_not, owner, steps, run.m.option("kms_key_id")))
        return False
    run.problem(KMS, "%s %s" % (subject, why_not),
                "cancel the key deletion and enable the key (the logs it encrypted stay readable)"
                if pending else "enable the key")
    if not run.fixable(KMS):
        return True
    if pending:
        run.m.record_change("kms:CancelKeyDeletion %s" % arn)
    run.m.record_change("kms:EnableKey %s" % arn)
    if run.m.may_change:
        try:
            if pending:
                try:
                    kms.cancel_key_deletion(KeyId=meta["KeyId"])
                except aws.ClientError as e:
                    # Cancelled meanwhile by another run (an apply at the same time)?
                    if aws.error_code(e) != "KMSInvalidStateException" or kms.describe_key(
                            KeyId=meta["KeyId"])["KeyMetadata"].get("KeyState") == "PendingDeletion":
                        raise
            kms.enable_key(KeyId=meta["KeyId"])
        except FAULTS as e:
            run.outcome(KMS).error = "%s; %s %s: restore it yourself (%s) or grant kms:CancelKeyDeletion and " \
                "kms:EnableKey" % (aws.describe_error(e, "kms"), subject, why_not, steps)
            return False
    return True


def key_to_use(run, kms, key_id, subject):
    """(metadata of a key CloudTrail can use, or will once restored, else None; why not; whether
    the key exists). False as metadata: stop, the finding is made (a key that cannot be restored
    from here)."""
    meta, why_not = usable_key(kms, key_id)
    if why_not and meta is not None and meta.get("KeyManager") == "CUSTOMER" \
            and meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT" \
            and meta.get("KeyState") in RESTORABLE_STATES:
        return (meta if restore_key(run, kms, meta, why_not, subject) else False), None, True
    return (None if why_not else meta), why_not, meta is not None


def ensure_key(run):
    current = run.state["trail"].get("KmsKeyId") if run.state else None
    if run.foreign:
        if run.m.findings.wants(KMS):
            if current:
                run.verdict(KMS, "pass", "the organization trail encrypts with %s" % current)
            else:
                run.verdict(KMS, "manual", "the organization trail of account %s has no KMS key: fix it there"
                            % ctu.trail_account(run.state["trail"]))
        return
    run.key_arn = current
    if not run.m.findings.wants(KMS):
        return
    kms = run.m.client("kms", run.region)
    alias = run.p["kms_key_alias"]
    if run.p["kms_key_id"]:
        meta, why_not, _exists = key_to_use(run, kms, run.p["kms_key_id"], "%s:" % run.m.option("kms_key_id"))
        if meta is False:
            return
        if why_not:
            run.outcome(KMS).error = "%s: %s; give an enabled customer managed symmetric key" % (
                run.m.option("kms_key_id"), why_not)
            return
    else:
        meta = None
        if current:
            meta, why_not, _exists = key_to_use(run, kms, current, "the trail's")
            if meta is False:
                return
            if why_not:
                run.problem(KMS, "the trail's %s" % why_not)
        if meta is None:  # the key an earlier run created, found by its alias
            meta, why_not, exists = key_to_use(run, kms, alias, "%s:" % alias)
            if meta is False:
                return
            if why_not and exists:
                # A new key could not take the alias: it would be one more key each run.
                run.outcome(KMS).error = ("alias %s points at a %s; point the alias at an enabled customer managed "
                                          "symmetric key (aws kms update-alias), or give %s"
                                          % (alias, why_not, run.m.option("kms_key_id")))
                return
    if run.trail_exists and not current:
        run.problem(KMS, "the trail's logs are not encrypted with a KMS key")
    if meta is None:
        create_key(run, kms)
        return
    run.key_arn = meta["Arn"]
    if current and current != meta["Arn"] and not run.outcome(KMS).problems:
        run.problem(KMS, "the trail uses %s, not %s" % (current, run.p["kms_key_id"]))
    if run.key_arn != current:
        run.fix(KMS, "set %s on the trail" % run.key_arn)
    ensure_key_policy(run, kms, meta)


def create_key(run, kms):
    """A new key for the trail, named by the alias at once. KMS has no way to name a key as it is
    made (an alias needs an existing key), so two runs at once may both make one: the run whose
    CreateAlias comes second retires the key it made seconds ago (no alias, no trail, nothing
    encrypted with it) and uses the other run's."""
    document = {"Version": policy.VERSION, "Statement": [ctu.key_admin_statement(run.partition, run.account)]
                + ctu.key_statements(run.partition, run.account, run.trail_arn)}
    alias = run.p["kms_key_alias"]
    run.fix(KMS, "create customer managed key %s (rotation on, policy scoped to %s) and set it on the trail"
            % (alias, run.trail_arn))
    if not run.fixable(KMS):
        return
    run.m.record_change("kms:CreateKey %s" % alias)
    run.m.record_change("kms:CreateAlias %s" % alias)
    run.m.record_change("kms:EnableKeyRotation %s" % alias)
    if not run.m.may_change:
        return
    meta = kms.create_key(Description="CloudTrail log encryption for %s (bulwark.aws)" % run.trail_arn,
                          KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                          Policy=policy.dumps(document),
                          Tags=[{"TagKey": "managed-by", "TagValue": "bulwark.aws"}])["KeyMetadata"]
    try:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    except FAULTS as e:
        retire_new_key(run, kms, meta, alias)
        if aws.error_code(e) != "AlreadyExistsException":
            raise
        # Another run (an apply at the same time) named its key first: that key is the one.
        winner, why_not = usable_key(kms, alias)
        if why_not:
            run.outcome(KMS).error = ("alias %s was created by another run meanwhile and points at a %s; run again"
                                      % (alias, why_not))
            return
        run.key_arn = winner["Arn"]
        run.outcome(KMS).fixes[-1] = ("use key %s, made at the same time by another run (the key this run made is "
                                      "scheduled for deletion, never used), and set it on the trail" % winner["Arn"])
        ensure_key_policy(run, kms, winner)
        return
    run.key_arn = meta["Arn"]
    kms.enable_key_rotation(KeyId=meta["KeyId"])


def retire_new_key(run, kms, meta, alias):
    """Schedule the deletion (7 days, cancellable) of a key this run made seconds ago that did not
    get the alias: nothing uses it, and left behind, every run would leave one more key."""
    run.m.record_change("kms:ScheduleKeyDeletion %s (made by this run, did not get %s)" % (meta["Arn"], alias))
    try:
        kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    except FAULTS as e:
        run.error([KMS], "key %s made by this run did not get alias %s and could not be retired (%s): schedule its "
                  "deletion (nothing uses it)" % (meta["Arn"], alias, aws.describe_error(e, "kms")))


def ensure_key_policy(run, kms, meta):
    """The key policy lets CloudTrail encrypt for this trail only, and nothing is open to everyone."""
    current = policy.load(kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"])
    public = policy.public_statements(current)
    drop = [n for n, _s in public]
    problems = ["statement open to everyone: %s" % policy.describe_statement(s) for _n, s in public]
    for n, statement in enumerate(policy.statements(current)):
        if n in drop or str(statement.get("Effect")).lower() != "allow":
            continue
        # Evaluated alone: would it let CloudTrail encrypt for another account's trail?
        if policy.allows({"Statement": [statement]}, ("Service", ctu.SERVICE), "kms:GenerateDataKey", "*",
                         ctu.foreign_trail_context(run.partition)):
            drop.append(n)
            problems.append("CloudTrail may use it for any account's trail: %s" % policy.describe_statement(statement))
    kept = policy.remove_statements(current, drop)
    missing = [s for s in ctu.key_statements(run.partition, run.account, run.trail_arn)
               if not policy.grants_statement(kept, s)]
    if missing:
        problems.append("its policy does not let CloudTrail encrypt this trail's logs")
    if not problems:
        return
    run.problem(KMS, "key %s: %s" % (meta["Arn"], "; ".join(problems)),
                "rewrite the key policy (CloudTrail scoped to this trail, nothing open to everyone)")
    if not run.fixable(KMS):
        return
    desired, _changed = policy.merge_statements(kept, missing)
    run.m.record_change("kms:PutKeyPolicy %s" % meta["Arn"])
    if run.m.may_change:
        kms.put_key_policy(KeyId=meta["KeyId"], PolicyName="default", Policy=policy.dumps(desired))

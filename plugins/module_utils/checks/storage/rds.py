# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rds.storage_encrypted, rds.auto_minor_version_upgrade and rds.no_public_access of
storage_security, per region: one paginated rds:DescribeDBInstances, then one finding per
non-compliant instance (resource: its DBInstanceIdentifier) and one ``pass`` per control
summing up the others."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage.common import (
    R_DB_INSTANCES,
    RDS_ENCRYPTED,
    RDS_MINOR_UPGRADE,
    RDS_PUBLIC,
)

NOT_IN_PLACE = ("encryption cannot be turned on in place: snapshot it, copy the snapshot with a KMS key, "
                "restore a new instance from the copy and move the clients to it")
PRIVATE = "make it private, applied immediately (clients outside the VPC lose access)"


def _name(instance):
    return "DB instance %s (%s)" % (instance["DBInstanceIdentifier"], instance.get("Engine") or "?")


def _modify(rds, instance, **changes):
    return lambda: rds.modify_db_instance(DBInstanceIdentifier=instance["DBInstanceIdentifier"], **changes)


def _encrypted(run, instance):
    if instance.get("StorageEncrypted"):
        return True
    run.noncompliant(RDS_ENCRYPTED, False, False, "%s is not encrypted at rest; %s"
                     % (_name(instance), NOT_IN_PLACE), resource=instance["DBInstanceIdentifier"])
    return False


def _minor_upgrade(run, rds, instance):
    if instance.get("AutoMinorVersionUpgrade"):
        return True
    ident = instance["DBInstanceIdentifier"]
    problem = "%s does not upgrade minor versions automatically" % _name(instance)
    if str(instance.get("Engine") or "").startswith("custom-"):
        # RDS Custom refuses the setting: nothing to fix, nothing to opt in to.
        run.noncompliant(RDS_MINOR_UPGRADE, False, False, problem + "; RDS Custom instances cannot turn it on: "
                         "upgrade them yourself", resource=ident)
        return False
    run.remediate(RDS_MINOR_UPGRADE, ident, problem, ["rds:ModifyDBInstance %s AutoMinorVersionUpgrade" % ident],
                  _modify(rds, instance, AutoMinorVersionUpgrade=True, ApplyImmediately=False),
                  opt_in="rds_enable_auto_minor_version_upgrade",
                  todo="turn auto minor version upgrade on (upgrades then happen in the maintenance window)",
                  detail="auto minor version upgrade on, upgrades in the maintenance window", service="rds")
    return False


def _private(run, rds, instance):
    if not instance.get("PubliclyAccessible"):
        return True
    ident = instance["DBInstanceIdentifier"]
    endpoint = (instance.get("Endpoint") or {}).get("Address")
    problem = "%s is publicly accessible%s" % (_name(instance), " at %s" % endpoint if endpoint else "")
    run.remediate(RDS_PUBLIC, ident, problem, ["rds:ModifyDBInstance %s PubliclyAccessible" % ident],
                  _modify(rds, instance, PubliclyAccessible=False, ApplyImmediately=True),
                  opt_in="rds_remove_public_access", todo=PRIVATE,
                  detail="private, applied immediately: clients outside the VPC lose access", service="rds")
    return False


SUMMARY = {
    RDS_ENCRYPTED: "encrypted at rest",
    RDS_MINOR_UPGRADE: "set to upgrade minor versions automatically",
    RDS_PUBLIC: "not publicly accessible",
}


def check_rds(run):
    rds = run.client("rds")
    instances = sorted(aws.paginate(rds, "describe_db_instances", "DBInstances"),
                       key=lambda i: i["DBInstanceIdentifier"])
    wanted = [c for c in (RDS_ENCRYPTED, RDS_MINOR_UPGRADE, RDS_PUBLIC) if run.wants(c)]
    if not instances:
        for control in wanted:
            run.add(control, "pass", "no DB instances in this region", resource=R_DB_INSTANCES)
        return
    checks = {
        RDS_ENCRYPTED: lambda i: _encrypted(run, i),
        RDS_MINOR_UPGRADE: lambda i: _minor_upgrade(run, rds, i),
        RDS_PUBLIC: lambda i: _private(run, rds, i),
    }
    for control in wanted:
        passed = sum(1 for instance in instances if checks[control](instance))
        if passed:
            verb = "is" if passed == 1 else "are"
            run.add(control, "pass", "%s %s %s" % (counted(passed, "DB instance"), verb, SUMMARY[control]),
                    resource=R_DB_INSTANCES)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every part of storage_security shares: the control ids, the resource labels of the
summary findings, counted(), and remedy(), which turns one non-compliant resource into its
finding (and, when the opt-in allows it, the fix)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util

TLS = "s3.bucket_tls_only"
BUCKET_PAB = "s3.bucket_public_access_block"
RDS_ENCRYPTED = "rds.storage_encrypted"
RDS_MINOR_UPGRADE = "rds.auto_minor_version_upgrade"
RDS_PUBLIC = "rds.no_public_access"
EFS_ENCRYPTED = "efs.encrypted"
S3_CONTROLS = (TLS, BUCKET_PAB)
RDS_CONTROLS = (RDS_ENCRYPTED, RDS_MINOR_UPGRADE, RDS_PUBLIC)
REGIONAL = RDS_CONTROLS + (EFS_ENCRYPTED,)

# The resource of a summary finding: the passing resources of one control and region.
R_BUCKETS = "s3-buckets"
R_DB_INSTANCES = "db-instances"
R_FILE_SYSTEMS = "file-systems"


def counted(n, singular, plural=None):
    """'1 bucket', '3 buckets'."""
    return "%d %s" % (n, singular if n == 1 else (plural or singular + "s"))


def remedy(run, control, resource, problem, opt_in, action, fix, would, done, how=None, service=None):
    """One non-compliant resource of ``run`` (a RegionRun, or a bucket's): its finding, and the fix.

    - waived (run.is_waived): nothing is changed; the finding (drift or fail) becomes ``waived``;
    - ``opt_in`` (an option name) not set: ``fail``, the message says which variable to set and
      what it would do (``how``, default ``would``);
    - else the write ``action`` is recorded and ``fix()`` runs when the run may change: ``fixed``
      ("; fixed: <done>"), in check mode or audit only ``drift`` ("; would <would>"). A write AWS
      refuses is an ``error`` for this control and resource only.

    Returns True when the resource was changed."""
    opted = bool(run.params.get(opt_in))
    if run.is_waived(control, resource):
        run.noncompliant(control, opted, False, problem, resource=resource)
        return False
    if not opted:
        run.noncompliant(control, False, False, "%s; set %s: true to %s"
                         % (problem, run.m.option(opt_in), how or would), resource=resource)
        return False
    run.record_change(action)
    if not run.may_change:
        run.noncompliant(control, True, False, "%s; would %s" % (problem, would), resource=resource)
        return False
    try:
        fix()
    except regions_util.AWS_FAULTS as e:
        run.error_for([control], "%s; %s" % (problem, aws.describe_error(e, service)), resource=resource)
        return False
    run.noncompliant(control, True, True, "%s; fixed: %s" % (problem, done), resource=resource)
    return True

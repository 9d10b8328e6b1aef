# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the bulwark.aws.storage_security module (its file holds the documentation).

bulwark.aws.storage_security runs it alone; bulwark.aws.account_baseline runs it with the other
modules of an account in one module process. The controls live in module_utils/checks/storage/:
buckets.py (the S3 controls, every bucket in a pool of bucket_concurrency threads), rds.py and
efs.py (per region, every region in parallel); common.py has the control ids and remedy(), the
one way a non-compliant resource becomes its finding and, when opted in, its fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import ids
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage import buckets, efs, rds
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage.common import (
    EFS_ENCRYPTED,
    RDS_CONTROLS,
    REGIONAL,
    S3_CONTROLS,
)

CONTROLS = ids(module="storage_security")
MAX_BUCKET_CONCURRENCY = 64


def validate(params, _named):
    regions_util.validate_regions(params)
    if not 1 <= params["bucket_concurrency"] <= MAX_BUCKET_CONCURRENCY:
        raise ValueError("bucket_concurrency: %d is out of range; give 1 to %d"
                         % (params["bucket_concurrency"], MAX_BUCKET_CONCURRENCY))


def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        bucket_concurrency=dict(type="int", default=16),
        enforce_bucket_tls=dict(type="bool", default=False),
        block_bucket_public_access=dict(type="bool", default=False),
        rds_enable_auto_minor_version_upgrade=dict(type="bool", default=False),
        rds_remove_public_access=dict(type="bool", default=False),
    )
    return spec


def check_region(run):
    """RDS and EFS of one region, each service guarded on its own."""
    run.guard(RDS_CONTROLS, "rds", rds.check_rds, run)
    run.guard([EFS_ENCRYPTED], "efs", efs.check_efs, run)


def body(m):
    plan = regions_util.plan_regions(m, m.params["regions"], CONTROLS)
    evaluated = 0
    if m.wants(*S3_CONTROLS) and plan.regions:
        evaluated = buckets.check_buckets(m, plan.regions)
    if m.wants(*REGIONAL):
        regions_util.for_each_region(m, plan.regions, check_region, REGIONAL)
    m.exit(regions=plan.as_result(), buckets=evaluated)


DEFINITION = Definition("storage_security", argument_spec, CONTROLS, body, validate)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every part of storage_security shares: the control ids, the resource labels of the
summary findings and counted(). A non-compliant resource becomes its finding, and its fix when
the opt-in allows it, with RegionRun.remediate."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


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

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""efs.encrypted of storage_security, per region: one paginated efs:DescribeFileSystems, a
``fail`` per unencrypted file system (resource: its FileSystemId; encryption cannot be turned
on in place) and one ``pass`` summing up the others."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import counted
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.storage.common import (
    EFS_ENCRYPTED,
    R_FILE_SYSTEMS,
)

NOT_IN_PLACE = ("encryption cannot be turned on in place: create an encrypted file system, copy the data "
                "(AWS DataSync) and move the clients to it")


def check_efs(run):
    efs = run.client("efs")
    systems = sorted(aws.paginate(efs, "describe_file_systems", "FileSystems"), key=lambda f: f["FileSystemId"])
    if not systems:
        run.add(EFS_ENCRYPTED, "pass", "no EFS file systems in this region", resource=R_FILE_SYSTEMS)
        return
    passed = 0
    for fs in systems:
        if fs.get("Encrypted"):
            passed += 1
            continue
        name = " (%s)" % fs["Name"] if fs.get("Name") else ""
        run.noncompliant(EFS_ENCRYPTED, False, False, "file system %s%s is not encrypted at rest; %s"
                         % (fs["FileSystemId"], name, NOT_IN_PLACE), resource=fs["FileSystemId"])
    if passed:
        verb = "is" if passed == 1 else "are"
        run.add(EFS_ENCRYPTED, "pass", "%s %s encrypted at rest" % (counted(passed, "file system"), verb),
                resource=R_FILE_SYSTEMS)

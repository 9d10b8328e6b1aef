# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account's assigned virtual MFA devices, listed in one paginated call (no call per user)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.domain import credential_report as cr


def virtual_devices(iam, shared=cr.unshared):
    """(assigned virtual MFA devices, None) or (None, the one-line error); listed once per
    account run when ``shared`` is the run's."""
    try:
        return shared("iam:virtual_mfa_devices", lambda: assigned_virtual_devices(iam)), None
    except (aws.ClientError, aws.BotoCoreError, NotImplementedError) as e:
        return None, aws.describe_error(e, "iam")


def assigned_virtual_devices(iam):
    """{user ARN: [serial numbers]} of assigned virtual MFA devices. Seeds and QR codes, which
    some endpoints return, are never kept."""
    out = {}
    for device in aws.paginate(iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned"):
        arn = (device.get("User") or {}).get("Arn")
        if arn:
            out.setdefault(arn, []).append(device["SerialNumber"])
    return out

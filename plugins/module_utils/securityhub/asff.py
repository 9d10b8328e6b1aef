# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ASFF: the findings of a drift report as AWS Security Finding Format, for Security Hub.

Pure: no AWS call, no clock (``now`` is given). export.py sends what this builds.

Ids. ``finding_id`` is ``bulwark.aws/<control>/<region>/<sha256>``, the hash being the hex
SHA-256 of ``<account_id>\\0<resource>``: the same control, resource and region of the same
account always give the same id, so a later export updates the finding instead of adding one.
Resources are hashed because they are free text (ARNs, user names, "account") of any length;
the control and region stay readable. A control id longer than 200 characters (none is) is
hashed too, so an id never exceeds 512 characters.

Statuses (bulwark -> Compliance.Status, RecordState, Workflow.Status):

    drift, fail   FAILED         ACTIVE    NEW
    manual        WARNING        ACTIVE    NEW        (a person has to check it: not a verdict)
    error         NOT_AVAILABLE  ACTIVE    NEW        (the check could not run)
    pass, fixed   PASSED         ARCHIVED  RESOLVED
    waived        PASSED         ARCHIVED  SUPPRESSED (an accepted exception, not a fix)

Security Hub keeps Workflow as the customer's field: on an update of an existing finding it
ignores the Workflow a provider imports, and sets RESOLVED itself when the finding goes
ARCHIVED or from FAILED to PASSED (and reopens it as NEW on PASSED -> FAILED). The Workflow
above is therefore what a new finding starts with; securityhub.py asks for RESOLVED (SUPPRESSED
for waived) with BatchUpdateFindings for findings it resolves.

Nothing is added that the report does not carry: control, status, resource, region, message,
remediation, and the catalogue's title, severity and references (a v1 report has no severity,
title or refs per finding: they come from the catalogue, as the v2 report takes them).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import json

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue

SCHEMA_VERSION = "2018-10-08"
PROVIDER = "bulwark.aws"
BATCH_SIZE = 100                 # BatchImportFindings: at most 100 findings per call
MAX_FINDING_BYTES = 240 * 1024   # ... each at most 240 KB
ID_LIMIT = 512
DESCRIPTION_LIMIT = 1024
TITLE_LIMIT = 256
RECOMMENDATION_LIMIT = 512

TYPE_CIS = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
TYPE_BEST_PRACTICES = "Software and Configuration Checks/AWS Security Best Practices"

COMPLIANCE = {
    "drift": "FAILED", "fail": "FAILED",
    "manual": "WARNING",
    "error": "NOT_AVAILABLE",
    "pass": "PASSED", "fixed": "PASSED", "waived": "PASSED",
}
RESOLVED_STATUSES = ("pass", "fixed", "waived")
WORKFLOW = {"pass": "RESOLVED", "fixed": "RESOLVED", "waived": "SUPPRESSED"}
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
_FRAMEWORK_NAMES = {"cis_v3": "CIS AWS Foundations Benchmark v3.0.0",
                    "securityhub": "AWS Foundational Security Best Practices"}


def _sha256(text):
    return hashlib.sha256(to_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def finding_id(account_id, region, control, resource):
    """The stable ASFF Id of one finding (see the module doc); at most 512 characters."""
    control = to_text(control)
    region = to_text(region or "global")
    if len(control) > 200:
        control = _sha256(control)
    if len(region) > 100:
        region = _sha256(region)
    return "%s/%s/%s/%s" % (PROVIDER, control, region, _sha256("%s\0%s" % (account_id, resource or "account")))


def product_arn(partition, region, account_id):
    """The account's own (default) product: where an account imports findings of its own."""
    return "arn:%s:securityhub:%s:%s:product/%s/default" % (partition, region, account_id, account_id)


def truncate(text, limit):
    """``text`` in at most ``limit`` characters, an ellipsis as the last one when cut."""
    text = to_text(text if text is not None else "", errors="surrogate_or_replace")
    if len(text) <= limit:
        return text
    return text[:limit - 1] + u"\u2026"


def timestamp(value):
    """An ASFF timestamp: a datetime (naive means UTC) as YYYY-MM-DDTHH:MM:SS.000Z; text as given."""
    if hasattr(value, "strftime"):
        if getattr(value, "tzinfo", None) is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return to_text(value)


def _catalogue_fields(control):
    try:
        c = catalogue.get(control)
    except (KeyError, ValueError):
        return None, None, {}
    refs = {}
    if c.cis:
        refs["cis_v3"] = c.cis
    if c.securityhub:
        refs["securityhub"] = c.securityhub
    if c.config_rule:
        refs["config_rule"] = c.config_rule
    return c.title, c.severity, refs


def _resource(finding, account_id, partition, region):
    resource = to_text(finding.get("resource") or "account")
    if resource == "account":
        return {"Type": "AwsAccount", "Id": "AWS::::Account:%s" % account_id, "Partition": partition,
                "Region": region}
    return {"Type": "Other", "Id": truncate(resource, 512), "Partition": partition, "Region": region}


def to_asff(finding, account_id, home_region, partition, now, created_at=None):
    """One report finding (v1 or v2) as an ASFF finding of ``account_id``'s own product.

    ``now`` is UpdatedAt (and CreatedAt unless ``created_at``, the CreatedAt Security Hub
    already has for this id, is given). A global finding is placed in ``home_region``.
    """
    control = to_text(finding["control"])
    status = to_text(finding["status"])
    if status not in COMPLIANCE:
        raise ValueError("unknown finding status %r" % status)
    cat_title, cat_severity, cat_refs = _catalogue_fields(control)
    title = finding.get("title") or cat_title or control
    severity = to_text(finding.get("severity") or cat_severity or "informational").upper()
    if severity not in SEVERITIES:
        severity = "INFORMATIONAL"
    refs = finding.get("refs") if isinstance(finding.get("refs"), dict) else cat_refs
    region = to_text(finding.get("region") or "global")
    resource_region = home_region if region == "global" else region
    resource = to_text(finding.get("resource") or "account")
    arn = product_arn(partition, home_region, account_id)
    message = to_text(finding.get("message") or "")
    updated = timestamp(now)

    asff = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(account_id, region, control, resource),
        "ProductArn": arn,
        "GeneratorId": "%s/%s" % (PROVIDER, control),
        "AwsAccountId": account_id,
        "Types": [TYPE_CIS if refs.get("cis_v3") else TYPE_BEST_PRACTICES],
        "CreatedAt": timestamp(created_at) if created_at else updated,
        "UpdatedAt": updated,
        "Severity": {"Label": severity},
        "Title": truncate(title, TITLE_LIMIT),
        "Description": truncate("%s: %s" % (status, message) if message else "%s: %s" % (status, title),
                                DESCRIPTION_LIMIT),
        "CompanyName": PROVIDER,
        "ProductName": PROVIDER,
        "ProductFields": {
            "ProviderName": PROVIDER,
            "ProviderVersion": aws.COLLECTION_VERSION,
            "bulwark.aws/control": control,
            "bulwark.aws/status": status,
            "bulwark.aws/region": region,
        },
        "Resources": [_resource(finding, account_id, partition, resource_region)],
        "Compliance": {"Status": COMPLIANCE[status]},
        "RecordState": "ARCHIVED" if status in RESOLVED_STATUSES else "ACTIVE",
        "Workflow": {"Status": WORKFLOW.get(status, "NEW")},
    }
    related = ["%s/%s" % (_FRAMEWORK_NAMES[k], refs[k]) for k in ("cis_v3", "securityhub") if refs.get(k)]
    if related:
        asff["Compliance"]["RelatedRequirements"] = related
    if finding.get("remediation"):
        asff["Remediation"] = {"Recommendation": {"Text": truncate(finding["remediation"], RECOMMENDATION_LIMIT)}}
    return asff


def size_ok(asff):
    """Whether one ASFF finding is within BatchImportFindings' 240 KB per finding."""
    return len(json.dumps(asff, separators=(",", ":")).encode("utf-8", "surrogatepass")) <= MAX_FINDING_BYTES


def batches(findings, size=BATCH_SIZE):
    """``findings`` in lists of at most ``size`` (BatchImportFindings takes 100 per call)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    findings = list(findings)
    return [findings[i:i + size] for i in range(0, len(findings), size)]

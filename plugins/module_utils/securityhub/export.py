# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security Hub export: one account's findings into that account's own Security Hub.

The module bulwark.aws.securityhub_export runs this once per account (the report role runs it
for every host when bulwark_securityhub_export is on), with the account's own connection: the
findings go to the account's home region (the connection's region). Calls only GetFindings,
BatchImportFindings and BatchUpdateFindings; retries are botocore's (core/aws.py).

1. GetFindings: the findings bulwark.aws exported before (filtered on the account's own
   ProductArn, AwsAccountId and ProductFields ProviderName = bulwark.aws, and checked again
   here). ARCHIVED ones are read too: an update keeps the CreatedAt Security Hub has.
2. ``plan``: every finding of the run as ASFF (asff.to_asff), sorted into
   - new: no finding of that id yet;
   - updated: what a reader sees differs (status, severity, title, description, resource,
     remediation, requirements);
   - refreshed: the same, but last sent more than REFRESH_AFTER ago. Security Hub deletes a
     finding 90 days after its last update, so a finding that stays the same is sent again
     now and then; sending it every run would make every run a change;
   - unchanged: not sent (also a finding resolved before that still passes, whatever its
     text: fixed, then pass);
   - passing: passes (or is waived) and Security Hub has no finding of its id: not sent.
     Security Hub shows what needs work, and bills every finding it ingests; a pass is only
     news when it resolves a finding Security Hub has. (A resource's name also changes once a
     fix creates it, guardduty-detector then detector/<id>: sending those would make every
     second run a change.)
   - resolved: a previously ACTIVE finding that passes now (or is waived), or that the run
     no longer has (its user or bucket is gone) although it evaluated its control in its
     region. A run of fewer controls or regions resolves nothing it did not check.
3. BatchImportFindings, 100 per call: new, updated, refreshed and resolved (the resolved
   ones ARCHIVED).
4. BatchUpdateFindings: Workflow RESOLVED (SUPPRESSED for waived) for the resolved ones.
   Security Hub keeps Workflow as the customer's field and ignores the one a provider imports
   on an update, so only this call can set it.

In check mode (or with enforce off) only step 1 runs: the plan is what the result reports.
FailedFindings of an import, UnprocessedFindings of an update and API errors become ``errors``
entries {id, code, message} (id None when a whole call failed): the module fails naming them,
and the report role turns that into an error of the account's report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.module_utils.securityhub import asff

UPDATE_BATCH_SIZE = 100  # BatchUpdateFindings: at most 100 FindingIdentifiers per call
OPERATIONS = ("GetFindings", "BatchImportFindings", "BatchUpdateFindings")
REFRESH_AFTER = datetime.timedelta(days=7)
KINDS = ("new", "updated", "refreshed", "resolved", "unchanged", "passing")
COUNTED = ("unchanged", "passing")  # counted, not sent
NOT_ENABLED = ("InvalidAccessException", "ResourceNotFoundException")
FINDING_KEYS = ("control", "status", "resource", "region")


def argument_spec():
    return dict(
        findings=dict(type="list", elements="dict", required=True),
        resolve_absent=dict(type="bool", default=True),
    )


def validate(params, named):
    """Every finding names its control, status, resource and region, with a known status."""
    for i, finding in enumerate(params["findings"]):
        missing = [k for k in FINDING_KEYS if not finding.get(k)]
        if missing:
            raise ValueError("%s: item %d has no %s" % (named("findings"), i, ", ".join(missing)))
        if finding["status"] not in STATUSES:
            raise ValueError("%s: item %d has status %r; expected one of %s"
                             % (named("findings"), i, finding["status"], ", ".join(STATUSES)))


def failed_entry(exc, finding_id=None):
    if isinstance(exc, aws.ClientError):
        err = exc.response.get("Error", {})
        code, message = err.get("Code") or "ClientError", err.get("Message") or to_text(exc)
    else:
        code, message = type(exc).__name__, to_text(exc)
    return {"id": finding_id, "code": to_text(code), "message": to_text(message)}


def _is_ours(found, product_arn):
    fields = found.get("ProductFields") or {}
    return (found.get("ProductArn") == product_arn and fields.get("ProviderName") == asff.PROVIDER
            and to_text(found.get("Id", "")).startswith(asff.PROVIDER + "/"))


def previous(client, product_arn, account_id):
    """{id: finding} of the findings (ACTIVE or ARCHIVED) bulwark.aws imported before."""
    filters = {
        "ProductArn": [{"Value": product_arn, "Comparison": "EQUALS"}],
        "AwsAccountId": [{"Value": account_id, "Comparison": "EQUALS"}],
        "ProductFields": [{"Key": "ProviderName", "Value": asff.PROVIDER, "Comparison": "EQUALS"}],
    }
    out = {}
    for page in client.get_paginator("get_findings").paginate(Filters=filters, PaginationConfig={"PageSize": 100}):
        for found in page.get("Findings", []):
            if _is_ours(found, product_arn):
                out[found["Id"]] = found
    return out


def _seen(finding):
    """What a reader of the finding sees: two findings that agree here need no update."""
    fields = finding.get("ProductFields") or {}
    compliance = finding.get("Compliance") or {}
    return (
        (finding.get("Severity") or {}).get("Label"), finding.get("Title"), finding.get("Description"),
        finding.get("RecordState"), compliance.get("Status"), tuple(compliance.get("RelatedRequirements") or ()),
        tuple(sorted((k, v) for k, v in fields.items() if k.startswith(asff.PROVIDER + "/"))),
        tuple((r.get("Type"), r.get("Id"), r.get("Region")) for r in finding.get("Resources") or ()),
        ((finding.get("Remediation") or {}).get("Recommendation") or {}).get("Text"),
    )


def _parse_time(text):
    try:
        return datetime.datetime.strptime(to_text(text)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def _stale(found, now):
    updated = _parse_time(found.get("UpdatedAt") or "")
    return updated is None or now - updated > REFRESH_AFTER


def _archived(found, now):
    """A previous finding, imported again ARCHIVED: the run no longer has it."""
    keep = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt",
            "Severity", "Title", "Description", "CompanyName", "ProductName", "ProductFields", "Resources",
            "Compliance", "Remediation")
    out = dict((k, found[k]) for k in keep if k in found)
    out["UpdatedAt"] = asff.timestamp(now)
    out["RecordState"] = "ARCHIVED"
    out["Workflow"] = {"Status": "RESOLVED"}
    out["ProductFields"] = dict((k, v) for k, v in (found.get("ProductFields") or {}).items()
                                if not k.startswith("aws/"))  # Security Hub's own fields are not imported
    out["ProductFields"]["bulwark.aws/status"] = "absent"
    return out


def plan(findings, known, account_id, home_region, partition, now, resolve_absent=True):
    """What to send: {kind: [asff]} for the KINDS sent, {kind: n} for those COUNTED, {id:
    workflow} to set, and [failed] for findings too large to send. Pure: ``known`` is what
    previous() read."""
    out = dict((kind, 0 if kind in COUNTED else []) for kind in KINDS)
    out.update(workflow={}, failed=[])
    active = set(i for i, f in known.items() if f.get("RecordState") == "ACTIVE")
    sent, scope = set(), set()
    for finding in findings:
        a = asff.to_asff(finding, account_id, home_region, partition, now)
        if a["Id"] in sent:  # the same control, resource and region twice: the first counts
            continue
        sent.add(a["Id"])
        scope.add((a["ProductFields"]["bulwark.aws/control"], a["ProductFields"]["bulwark.aws/region"]))
        found = known.get(a["Id"])
        if found and found.get("CreatedAt"):
            a["CreatedAt"] = found["CreatedAt"]
        if not asff.size_ok(a):
            out["failed"].append({"id": a["Id"], "code": "TooLarge", "message": "over 240 KB as ASFF; not sent"})
            continue
        status = finding["status"]
        if found is None and status in asff.RESOLVED_STATUSES:
            out["passing"] += 1
        elif found is None:
            out["new"].append(a)
        elif a["Id"] in active and status in asff.RESOLVED_STATUSES:
            out["resolved"].append(a)
            out["workflow"][a["Id"]] = asff.WORKFLOW[status]
        elif a["RecordState"] == found.get("RecordState") == "ARCHIVED":
            out["unchanged"] += 1  # resolved before, passing still (fixed, then pass): nobody is shown it
        elif _seen(a) != _seen(found):
            out["updated"].append(a)
        elif _stale(found, now):
            out["refreshed"].append(a)
        else:
            out["unchanged"] += 1
    if resolve_absent:
        for fid in sorted(active - sent):
            fields = known[fid].get("ProductFields") or {}
            if (fields.get("bulwark.aws/control"), fields.get("bulwark.aws/region")) in scope:
                out["resolved"].append(_archived(known[fid], now))
                out["workflow"][fid] = "RESOLVED"
    return out


def _import(client, findings, failed):
    """BatchImportFindings, 100 per call; the ids that went in."""
    ok = set()
    for batch in asff.batches(findings):
        try:
            answer = client.batch_import_findings(Findings=batch)
        except (aws.ClientError, aws.BotoCoreError) as exc:
            failed.extend(failed_entry(exc, f["Id"]) for f in batch)
            continue
        refused = dict((f.get("Id"), f) for f in answer.get("FailedFindings") or [])
        for f in refused.values():
            failed.append({"id": f.get("Id"), "code": to_text(f.get("ErrorCode", "")),
                           "message": to_text(f.get("ErrorMessage", ""))})
        if answer.get("FailedCount", 0) > len(refused):
            failed.append({"id": None, "code": "FailedCount",
                           "message": "%d findings failed, %d named" % (answer["FailedCount"], len(refused))})
        ok.update(f["Id"] for f in batch if f["Id"] not in refused)
    return ok


def _update_workflow(client, product_arn, workflow, failed):
    by_status = {}
    for fid, status in workflow.items():
        by_status.setdefault(status, []).append(fid)
    for status in sorted(by_status):
        for batch in asff.batches(sorted(by_status[status]), UPDATE_BATCH_SIZE):
            try:
                answer = client.batch_update_findings(
                    FindingIdentifiers=[{"Id": i, "ProductArn": product_arn} for i in batch],
                    Workflow={"Status": status})
            except (aws.ClientError, aws.BotoCoreError) as exc:
                failed.extend(failed_entry(exc, i) for i in batch)
                continue
            for u in answer.get("UnprocessedFindings") or []:
                failed.append({"id": (u.get("FindingIdentifier") or {}).get("Id"),
                               "code": to_text(u.get("ErrorCode", "")), "message": to_text(u.get("ErrorMessage", ""))})


def export_account(client, account_id, partition, findings, now, write=True, resolve_absent=True):
    """Export one account's ``findings`` (report findings, v1 or v2) through ``client`` (a
    securityhub client in the home region). Returns {product_arn, region, counts {kind: n},
    errors [{id, code, message}]}; with ``write`` false it reads only and the counts say what
    would be sent."""
    home_region = client.meta.region_name
    arn = asff.product_arn(partition, home_region, account_id)
    result = {"product_arn": arn, "region": home_region, "errors": []}
    try:
        known = previous(client, arn, account_id)
    except (aws.ClientError, aws.BotoCoreError) as exc:
        entry = failed_entry(exc)
        if entry["code"] in NOT_ENABLED:
            entry["message"] = ("Security Hub is not enabled in %s for account %s (%s): enable it there (the "
                                "guardrails role does: securityhub.enabled) or stop the export "
                                "(bulwark_securityhub_export)" % (home_region, account_id, entry["message"]))
        result.update(counts=dict((k, 0) for k in KINDS), errors=[entry])
        return result
    todo = plan(findings, known, account_id, home_region, partition, now, resolve_absent)
    result["counts"] = dict((k, todo[k] if k in COUNTED else len(todo[k])) for k in KINDS)
    result["errors"].extend(todo["failed"])
    if write:
        sending = todo["new"] + todo["updated"] + todo["refreshed"] + todo["resolved"]
        imported = _import(client, sending, result["errors"])
        workflow = dict((i, s) for i, s in todo["workflow"].items() if i in imported)
        if workflow:
            _update_workflow(client, arn, workflow, result["errors"])
    return result


def _summary(result, check_mode):
    c = result["counts"]
    verb = "would send" if check_mode else "sent"
    return ("%s %d new, %d updated, %d refreshed, %d resolved finding(s) to Security Hub in %s; not sent: "
            "%d unchanged, %d passing" % (verb, c["new"], c["updated"], c["refreshed"], c["resolved"],
                                          result["region"], c["unchanged"], c["passing"]))


def body(m):
    identity = m.identity()
    client = m.client("securityhub")
    write = m.may_change
    result = export_account(client, identity["account_id"], identity["partition"], m.params["findings"],
                            datetime.datetime.now(datetime.timezone.utc), write=write,
                            resolve_absent=m.params["resolve_absent"])
    c = result["counts"]
    # A refresh only moves UpdatedAt (see REFRESH_AFTER): not a change, in check mode or not.
    changed = m.params["enforce"] and any(c[k] for k in ("new", "updated", "resolved"))
    if changed:
        m.record_change(_summary(result, not write))
    if result["errors"]:
        first = result["errors"][0]
        m.fail("Security Hub export of account %s: %d error(s), the first: %s%s: %s"
               % (identity["account_id"], len(result["errors"]), first["code"],
                  " on " + first["id"] if first["id"] else "", first["message"]),
               changed=changed, **result)
    m.exit(msg=_summary(result, not write), changed=changed, **result)


DEFINITION = Definition("securityhub_export", argument_spec, [], body, validate)

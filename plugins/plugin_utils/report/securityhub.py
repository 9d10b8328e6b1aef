# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security Hub export: a drift report's findings into each account's own Security Hub.

Opt-in; the report action decides whether to call ``export`` and owns the connection
handling: it hands over one securityhub client per account it can reach (the client's region
is the account's home region, where the findings go). Calls only BatchImportFindings,
GetFindings and BatchUpdateFindings; retries are botocore's (``client_config``: standard mode),
never a loop here.

Per account:

1. GetFindings: the findings bulwark.aws exported before (filtered on the account's own
   ProductArn, AwsAccountId and ProductFields ProviderName = bulwark.aws; checked again here,
   since moto 5.2 ignores GetFindings filters). ARCHIVED ones are read too, not only ACTIVE:
   an update keeps the CreatedAt Security Hub has, and a finding that passes is ARCHIVED, so
   reading only ACTIVE ones would restart its CreatedAt on every run. Only the ACTIVE ones
   can be resolved. (There are at most as many as controls x resources x regions.)
2. BatchImportFindings, 100 per call: every finding of the report, as asff.to_asff builds it,
   with the CreatedAt Security Hub already has for its id. The ids are stable, so a finding
   of an earlier run is updated, not duplicated; one that passes now goes ARCHIVED.
3. A previously ACTIVE finding that this report no longer has (its resource is gone) is
   imported again ARCHIVED with Workflow RESOLVED, but only when this report evaluated its
   control in its region, so a run of fewer controls or regions resolves nothing it did not
   check; ``previous_ids``, when given, narrows this further to those ids.
4. BatchUpdateFindings: Workflow RESOLVED (SUPPRESSED for waived) for every previously ACTIVE
   finding resolved in 2 or 3. Security Hub ignores a provider's Workflow on the update of an
   existing finding (it is the customer's field) and sets RESOLVED itself on ARCHIVED; this
   call makes it explicit. moto 5.2 does not implement BatchUpdateFindings (404 "Not yet
   implemented"): ``update_workflow=False`` skips it there, and the tests hold it with
   botocore's Stubber.

FailedCount/FailedFindings of an import, UnprocessedFindings of an update and any API error
become ``failed`` entries {account_id, id, code, message} (id None when a whole account or
call failed); nothing is dropped silently.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import asff

try:
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - botocore is a requirement of the collection
    Config = None
    BotoCoreError = ClientError = Exception

UPDATE_BATCH_SIZE = 100  # BatchUpdateFindings: at most 100 FindingIdentifiers per call
OPERATIONS = ("BatchImportFindings", "GetFindings", "BatchUpdateFindings")


def client_config():
    """botocore Config for the securityhub clients: standard retry mode (throttling included)."""
    return Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="bulwark.aws")


def _client_for(session_or_client_factory, account_id):
    if isinstance(session_or_client_factory, dict):
        return session_or_client_factory.get(account_id)
    return session_or_client_factory(account_id)


def _error(account_id, exc, finding_id=None):
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code, message = err.get("Code") or "ClientError", err.get("Message") or to_text(exc)
    else:
        code, message = type(exc).__name__, to_text(exc)
    return {"account_id": account_id, "id": finding_id, "code": to_text(code), "message": to_text(message)}


def _is_ours(found, product_arn):
    fields = found.get("ProductFields") or {}
    return (found.get("ProductArn") == product_arn and fields.get("ProviderName") == asff.PROVIDER
            and to_text(found.get("Id", "")).startswith(asff.PROVIDER + "/"))


def _previous(client, product_arn, account_id):
    """{id: finding} of the findings (ACTIVE or ARCHIVED) bulwark.aws imported before into this account."""
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


def _archived(previous, now):
    """A previous finding, re-imported ARCHIVED and RESOLVED (only the fields bulwark.aws sends)."""
    keep = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt",
            "Severity", "Title", "Description", "CompanyName", "ProductName", "ProductFields", "Resources",
            "Compliance", "Remediation")
    out = dict((k, previous[k]) for k in keep if k in previous)
    out["UpdatedAt"] = asff.timestamp(now)
    out["RecordState"] = "ARCHIVED"
    out["Workflow"] = {"Status": "RESOLVED"}
    fields = dict(out.get("ProductFields") or {})
    fields["bulwark.aws/status"] = "absent"
    out["ProductFields"] = fields
    return out


def _import(client, account_id, findings, result):
    """BatchImportFindings in batches of 100; the ids that went in."""
    ok = set()
    for batch in asff.batches(findings):
        try:
            answer = client.batch_import_findings(Findings=batch)
        except (ClientError, BotoCoreError) as exc:
            result["failed"].extend(_error(account_id, exc, f["Id"]) for f in batch)
            continue
        failed = dict((f.get("Id"), f) for f in answer.get("FailedFindings") or [])
        for f in failed.values():
            result["failed"].append({"account_id": account_id, "id": f.get("Id"), "code": to_text(f.get("ErrorCode", "")),
                                     "message": to_text(f.get("ErrorMessage", ""))})
        if answer.get("FailedCount", 0) > len(failed):
            result["failed"].append({"account_id": account_id, "id": None, "code": "FailedCount",
                                     "message": "%d findings failed, %d named" % (answer["FailedCount"], len(failed))})
        ok.update(f["Id"] for f in batch if f["Id"] not in failed)
    return ok


def _update_workflow(client, account_id, product_arn, ids_by_status, result):
    for status in sorted(ids_by_status):
        ids = sorted(ids_by_status[status])
        for batch in asff.batches(ids, UPDATE_BATCH_SIZE):
            try:
                answer = client.batch_update_findings(
                    FindingIdentifiers=[{"Id": i, "ProductArn": product_arn} for i in batch],
                    Workflow={"Status": status})
            except (ClientError, BotoCoreError) as exc:
                result["failed"].extend(_error(account_id, exc, i) for i in batch)
                continue
            for u in answer.get("UnprocessedFindings") or []:
                result["failed"].append({"account_id": account_id, "id": (u.get("FindingIdentifier") or {}).get("Id"),
                                         "code": to_text(u.get("ErrorCode", "")),
                                         "message": to_text(u.get("ErrorMessage", ""))})


def _export_account(client, account_id, findings, previous_ids, now, update_workflow, result):
    home_region = client.meta.region_name
    partition = getattr(client.meta, "partition", None) or "aws"
    arn = asff.product_arn(partition, home_region, account_id)
    known = _previous(client, arn, account_id)
    previous = dict((k, v) for k, v in known.items() if v.get("RecordState") == "ACTIVE")

    current, statuses, scope = [], {}, set()
    for f in findings:
        a = asff.to_asff(f, account_id, home_region, partition, now)
        if a["Id"] in statuses:  # the same control, resource and region twice: the first (worst) counts
            continue
        if known.get(a["Id"], {}).get("CreatedAt"):
            a["CreatedAt"] = known[a["Id"]]["CreatedAt"]
        if not asff.size_ok(a):
            result["failed"].append({"account_id": account_id, "id": a["Id"], "code": "TooLarge",
                                     "message": "the finding is over 240 KB as ASFF; not sent"})
            continue
        statuses[a["Id"]] = f["status"]
        scope.add((a["ProductFields"]["bulwark.aws/control"], a["ProductFields"]["bulwark.aws/region"]))
        current.append(a)

    gone = []
    for pid, p in sorted(previous.items()):
        fields = p.get("ProductFields") or {}
        if pid in statuses or (fields.get("bulwark.aws/control"), fields.get("bulwark.aws/region")) not in scope:
            continue
        if previous_ids is not None and pid not in previous_ids:
            continue
        gone.append(_archived(p, now))

    imported = _import(client, account_id, current, result)
    result["imported"] += len(imported)
    archived = _import(client, account_id, gone, result)

    workflow = {}
    for pid in imported:
        if pid in previous and statuses[pid] in asff.RESOLVED_STATUSES:
            workflow.setdefault(asff.WORKFLOW[statuses[pid]], set()).add(pid)
    for pid in archived:
        workflow.setdefault("RESOLVED", set()).add(pid)
    result["resolved"] += sum(len(v) for v in workflow.values())
    if update_workflow and workflow:
        _update_workflow(client, account_id, arn, workflow, result)


def export(session_or_client_factory, report, previous_ids=None, now=None, update_workflow=True):
    """Export ``report`` (a report.json document, v1 or v2) to Security Hub.

    ``session_or_client_factory``: a callable(account_id) -> securityhub client or None, or a
    dict {account_id: client}; an account without a client (its connection settings were not
    given, its credentials do not reach it) is skipped and listed in ``skipped``. Build the
    clients with ``config=client_config()``. ``previous_ids``: when given, only these ids may be
    resolved for being absent from the report. ``now``: a datetime (UTC) for UpdatedAt.

    Returns {imported, failed: [{account_id, id, code, message}], resolved, skipped}.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    previous_ids = set(previous_ids) if previous_ids is not None else None
    result = {"imported": 0, "failed": [], "resolved": 0, "skipped": []}
    by_account = {}
    for section in report.get("accounts") or []:
        account_id = section.get("account_id")
        if not account_id:
            continue
        by_account.setdefault(account_id, []).extend(section.get("findings") or [])
    for account_id in sorted(by_account):
        client = _client_for(session_or_client_factory, account_id)
        if client is None:
            result["skipped"].append(account_id)
            continue
        try:
            _export_account(client, account_id, by_account[account_id], previous_ids, now, update_workflow, result)
        except (ClientError, BotoCoreError) as exc:
            result["failed"].append(_error(account_id, exc))
    return result

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collect: the findings of each account, from what its host kept, into the report document.

A selected control without a finding becomes an ``error`` finding that says why, so a run
never silently checks less than it was asked to. Renders nothing, writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import changes as changes_mod
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import frameworks
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.text import one_line

SCHEMA = "bulwark.aws/report/v2"
FINDING_KEYS = ("control", "status", "resource", "region", "message")
_STATUS_ORDER = dict((s, i) for i, s in enumerate(STATUSES))
_CONTROL_ORDER = dict((c.id, i) for i, c in enumerate(catalogue.all_controls()))
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def control_rank(control):
    """Catalogue (checklist) order of a control id; an unknown id sorts last."""
    return _CONTROL_ORDER.get(control, len(_CONTROL_ORDER))


# --- one account, from what its host kept ----------------------------------------------------

def _clean_finding(raw):
    """(finding, None) for a well-formed finding of the catalogue, else (None, why it is left out)."""
    if not isinstance(raw, dict):
        return None, "a finding that is not a dict was left out of the report"
    control = to_text(raw.get("control") or "")
    status = to_text(raw.get("status") or "")
    if control not in catalogue.CONTROLS:
        return None, "a finding for %r was left out of the report: not a control id of the catalogue" % control
    if status not in _STATUS_ORDER:
        return None, "a finding for %s with unknown status %r was left out of the report" % (control, status)
    return {
        "control": control,
        "status": status,
        "resource": one_line(raw.get("resource") or "account", 500),
        "region": one_line(raw.get("region") or "global", 100),
        "message": one_line(raw.get("message")),
    }, None


def task_error(task, message):
    """An entry of an account's ``errors``: a task that failed, in one line each."""
    return {"task": one_line(task, 300), "message": one_line(message)}


def account_section(host, account_id=None, findings=None, selected=None, failures=None, play_failed=False):
    """{host, account_id, findings, errors} of one account.

    ``findings`` are the module findings the host kept, ``selected`` the control ids its roles
    selected, ``failures`` the [{task, message}] of its account runs that could not finish,
    ``play_failed`` whether the host left the play failed. Every selected control without a
    finding gets an ``error`` finding naming the reason."""
    out, errors, seen = [], [], set()

    def add_error(task, message):
        entry = task_error(task, message)
        if entry not in errors:
            errors.append(entry)

    for raw in findings or []:
        item, problem = _clean_finding(raw)
        if problem:
            add_error("(findings)", problem)
            continue
        key = tuple(item[k] for k in FINDING_KEYS)
        if key not in seen:  # the same finding kept twice is one finding
            seen.add(key)
            out.append(item)
    reasons = []
    for failure in failures or []:
        failure = failure if isinstance(failure, dict) else {"message": failure}
        reasons.append(failure.get("message") or "the task failed (no message)")
        add_error(failure.get("task") or "(task)", reasons[-1])
    if play_failed and not reasons:
        reasons.append("the play failed on this host before it finished; see the play output")
        add_error("(play)", reasons[-1])
    evaluated = set(f["control"] for f in out)
    missing = [c for c in dict.fromkeys(to_text(c) for c in selected or []) if c not in evaluated]
    if missing:
        reason = reasons[-1] if reasons else "its evaluation did not report it (please report this bulwark bug)"
        for control in missing:
            if control in catalogue.CONTROLS:
                out.append({"control": control, "status": "error", "resource": "account", "region": "global",
                            "message": one_line("not evaluated: %s" % reason)})
    account_id = to_text(account_id or "")
    return {"host": to_text(host), "account_id": account_id if _ACCOUNT_ID.match(account_id) else None,
            "findings": out, "errors": errors}


# --- the report document -----------------------------------------------------------------------

def _finding_key(f):
    return (_STATUS_ORDER[f["status"]], control_rank(f["control"]), f["resource"], f["region"], f["message"])


def counts(findings):
    """{status: how many findings have it}, every status present."""
    out = dict((s, 0) for s in STATUSES)
    for f in findings:
        out[f["status"]] += 1
    return out


def _account_key(account):
    c = counts(account["findings"])
    return (-(c["error"] + len(account.get("errors") or [])), -c["fail"], -c["drift"], -c["manual"],
            -c["waived"], -c["fixed"], account["host"])


def build_report(accounts, mode, generated_at=None, previous=None, baseline_path=None, baseline_note=None):
    """The report document (what report.json holds) from account_section() results: accounts
    worst first, findings worst first, each with the remediation, severity, title and refs of its
    control; then the v2 views: controls, frameworks and the changes against ``previous`` (the
    baseline report document read from ``baseline_path``; ``baseline_note``, naming the path,
    says why there is none when one was found and could not be read: changes.note)."""
    generated_at = generated_at or datetime.datetime.now(datetime.timezone.utc)
    sections = []
    for account in accounts:
        findings = sorted(account["findings"], key=_finding_key)
        sections.append({
            "host": account["host"],
            "account_id": account.get("account_id"),
            "findings": [dict(f, remediation=catalogue.get(f["control"]).remediation,
                              **frameworks.finding_details(f["control"])) for f in findings],
            "errors": list(account.get("errors") or []),
        })
    sections.sort(key=_account_key)
    totals = counts([f for s in sections for f in s["findings"]])
    document = {
        "schema": SCHEMA,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": mode,
        "accounts": sections,
        "totals": totals,
        "controls": frameworks.controls_view(sections),
        "frameworks": frameworks.frameworks_view(sections),
    }
    if previous is None:
        document["changes"] = changes_mod.empty(note=baseline_note)
    else:
        document["changes"] = changes_mod.changes(document, previous, baseline_path)
    return document


def account_label(account):
    """"<account id> (<host>)", or the host when the account id is unknown."""
    if account.get("account_id"):
        return "%s (%s)" % (account["account_id"], account["host"])
    return account["host"]

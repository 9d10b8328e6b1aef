# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changes: what is new, resolved and persisting against a previous report (v1 or v2).

A finding is bad when its status is drift, fail or error. A finding is matched across reports
by (account_id, control, resource, region) (the host when the account id is unknown). Pure: the
previous report comes in as a document (baseline.py reads it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text

BAD = ("drift", "fail", "error")
KEY_FIELDS = ("host", "account_id", "control", "resource", "region", "status")


def _bad_findings(document):
    """{match key: finding key dict} of the bad findings of a report document (v1 or v2); a
    malformed entry is skipped."""
    out = {}
    for account in (document or {}).get("accounts") or []:
        if not isinstance(account, dict):
            continue
        host, account_id = to_text(account.get("host") or ""), account.get("account_id")
        for f in account.get("findings") or []:
            if not isinstance(f, dict) or f.get("status") not in BAD:
                continue
            entry = {"host": host, "account_id": account_id, "control": to_text(f.get("control") or ""),
                     "resource": to_text(f.get("resource") or "account"),
                     "region": to_text(f.get("region") or "global"), "status": f["status"]}
            match = (account_id or "host:" + host, entry["control"], entry["resource"], entry["region"])
            out.setdefault(match, entry)  # the worst first: the report lists findings worst first
    return out


def empty(note=None):
    """The changes of a run without a (readable) baseline: baseline null, all three lists empty;
    ``note`` (why a baseline found could not be read) only when given."""
    out = {"baseline": None, "baseline_generated_at": None, "new": [], "resolved": [], "persisting": []}
    if note:
        out["note"] = note
    return out


def changes(report, previous, baseline_path):
    """{baseline, baseline_generated_at, new, resolved, persisting} of ``report`` against the
    ``previous`` report document read from ``baseline_path``; without one, all empty. An entry's
    status is its status now for new and persisting, in the baseline for resolved."""
    if previous is None:
        return empty()
    now, before = _bad_findings(report), _bad_findings(previous)
    generated = previous.get("generated_at")
    return {
        "baseline": baseline_path,
        "baseline_generated_at": to_text(generated) if generated else None,
        "new": [now[k] for k in now if k not in before],
        "resolved": [before[k] for k in before if k not in now],
        "persisting": [now[k] for k in now if k in before],
    }

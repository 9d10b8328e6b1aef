# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Frameworks: the report v2 views built from the findings, per control and per framework requirement.

- finding_details(): what the catalogue says about a finding's control (severity, title, refs);
- controls_view(): one entry per account and control, its worst status, counts, regions, resources;
- frameworks_view(): per framework (CIS v3.0.0, AWS FSBP) each requirement's status and the score.

Pure: reads the report document and the catalogue only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES

# framework key -> (name, Control field holding the requirement id)
FRAMEWORKS = (
    ("cis_v3", "CIS AWS Foundations Benchmark v3.0.0", "cis"),
    ("fsbp", "AWS Foundational Security Best Practices", "securityhub"),
)
# refs key -> Control field
REFS = (("cis_v3", "cis"), ("securityhub", "securityhub"), ("config_rule", "config_rule"))
REQUIREMENT_STATUSES = ("error", "fail", "manual", "pass", "not_evaluated")
_STATUS_ORDER = dict((s, i) for i, s in enumerate(STATUSES))
_CONTROL_ORDER = dict((c.id, i) for i, c in enumerate(catalogue.all_controls()))


def finding_details(control_id):
    """{severity, title, refs} of a control of the catalogue; refs holds only what it has."""
    c = catalogue.get(control_id)
    refs = dict((key, getattr(c, field)) for key, field in REFS if getattr(c, field))
    return {"severity": c.severity, "title": c.title, "refs": refs}


def worst(statuses):
    """The worst of finding statuses (core/findings.STATUSES order), None for none."""
    statuses = list(statuses)
    return min(statuses, key=_STATUS_ORDER.__getitem__) if statuses else None


def _account_key(account):
    return account.get("account_id") or account["host"]


def controls_view(accounts):
    """[{host, account_id, control, title, severity, status, counts, regions, resources}], one per
    account and control, worst first then catalogue order."""
    out = []
    for account in accounts:
        by_control = {}
        for f in account["findings"]:
            by_control.setdefault(f["control"], []).append(f)
        for control, findings in by_control.items():
            c = catalogue.get(control)
            counts, regions, resources = {}, {}, {}
            for f in findings:
                counts[f["status"]] = counts.get(f["status"], 0) + 1
                regions.setdefault(f["status"], set()).add(f["region"])
                resources.setdefault(f["status"], set()).add(f["resource"])
            out.append({
                "host": account["host"], "account_id": account.get("account_id"),
                "control": control, "title": c.title, "severity": c.severity,
                "status": worst(counts),
                "counts": dict((s, counts[s]) for s in STATUSES if s in counts),
                "regions": dict((s, sorted(regions[s])) for s in STATUSES if s in regions),
                "resources": dict((s, sorted(resources[s])) for s in STATUSES if s in resources),
            })
    out.sort(key=lambda e: (_STATUS_ORDER[e["status"]], _CONTROL_ORDER.get(e["control"], len(_CONTROL_ORDER)),
                            e["account_id"] or "", e["host"]))
    return out


def requirement_status(statuses):
    """The status of a requirement from the statuses of its controls' findings: error if any is
    error; else fail if any is drift or fail; else manual if any is manual; else pass (pass,
    waived, fixed); not_evaluated when none of its controls has a finding."""
    statuses = set(statuses)
    if not statuses:
        return "not_evaluated"
    if "error" in statuses:
        return "error"
    if statuses & {"drift", "fail"}:
        return "fail"
    if "manual" in statuses:
        return "manual"
    return "pass"


def score(statuses):
    """passed / (passed + failed) of requirement statuses, rounded to 4 places; None when no
    requirement passed or failed."""
    statuses = list(statuses)
    passed, failed = statuses.count("pass"), statuses.count("fail")
    return round(float(passed) / (passed + failed), 4) if passed + failed else None


def _requirement_ids(field):
    """{requirement id: [control ids]} of a framework, in catalogue order."""
    out = {}
    for c in catalogue.all_controls():
        if getattr(c, field):
            out.setdefault(getattr(c, field), []).append(c.id)
    return out


def _natural(requirement):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in requirement.replace("-", ".").split(".")]


def frameworks_view(accounts):
    """{framework key: {name, requirements, score, counts}} (see module docstring).

    A requirement's status per account comes from that account's findings of its controls; the
    overall status from every account's findings. A requirement none of whose controls was
    evaluated anywhere is not_evaluated, and is listed (so the list is the whole framework)."""
    per_account = {}  # account key -> {control: [statuses]}
    order = []
    for account in accounts:
        key = _account_key(account)
        if key not in per_account:
            order.append(key)
        bucket = per_account.setdefault(key, {})
        for f in account["findings"]:
            bucket.setdefault(f["control"], []).append(f["status"])
    out = {}
    for fw_key, name, field in FRAMEWORKS:
        requirements = []
        for rid, control_ids in sorted(_requirement_ids(field).items(), key=lambda kv: _natural(kv[0])):
            by_account = {}
            everything = []
            for key in order:
                statuses = [s for c in control_ids for s in per_account[key].get(c, [])]
                everything += statuses
                by_account[key] = requirement_status(statuses)
            requirements.append({"id": rid, "controls": control_ids, "status": requirement_status(everything),
                                 "accounts": by_account})
        counts = dict((s, 0) for s in REQUIREMENT_STATUSES)
        for r in requirements:
            counts[r["status"]] += 1
        out[fw_key] = {
            "name": name,
            "requirements": requirements,
            "score": {"overall": score(r["status"] for r in requirements),
                      "accounts": dict((key, score(r["accounts"][key] for r in requirements)) for key in order)},
            "counts": counts,
        }
    return out

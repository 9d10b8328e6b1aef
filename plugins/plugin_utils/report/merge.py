# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge: several report.json documents (slices of one estate, v1 or v2) into one report.

Pure: reads dicts, returns a dict; never reads files or calls AWS.

- accounts: every account section of every slice, ordered worst first as one run's report is
  (collect.build_report's order);
- the same account in two or more slices (same account id; a section without an account id is
  matched on its host): the section of the slice generated last wins (on a tie, the slice
  given later), and ``merged.notes`` says which slices were left out for it. Two sections of the
  same account within one slice are both kept, as that slice's report had them;
- totals: recomputed from the findings kept;
- mode: the mode all slices share, else "mixed";
- generated_at: the latest of the slices (they are all "YYYY-MM-DDTHH:MM:SSZ", compared as text);
- merged: {"slices": [{generated_at, mode, schema, accounts}], "notes": [str]}.

The result is a report document of this collection's schema (v2): v1 findings get the severity,
title and refs of their control, v2 ones keep theirs; controls and frameworks are built over
every kept account; changes are empty (a merge has no baseline of its own). A control id this
version's catalogue does not know is refused: merge with the version that wrote the report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import changes, collect, frameworks

SCHEMA_PREFIX = "bulwark.aws/report/"


def _check(report, index):
    where = "report %d" % (index + 1)
    if not isinstance(report, dict):
        raise ValueError("%s is not a report document (a dict)" % where)
    if not to_text(report.get("schema") or "").startswith(SCHEMA_PREFIX):
        raise ValueError("%s is not a bulwark.aws report (schema %r)" % (where, report.get("schema")))
    if not isinstance(report.get("accounts"), list):
        raise ValueError("%s has no accounts list" % where)
    for section in report["accounts"]:
        if not isinstance(section, dict) or not isinstance(section.get("findings", []), list):
            raise ValueError("%s has an account section that is not a dict with a findings list" % where)
        for f in section.get("findings") or []:
            if not isinstance(f, dict) or f.get("status") not in STATUSES:
                raise ValueError("%s has a finding with unknown status %r" % (
                    where, f.get("status") if isinstance(f, dict) else f))
            if f.get("control") not in catalogue.CONTROLS:
                raise ValueError("%s has control %r, which this version of bulwark.aws does not know: merge with "
                                 "the version that wrote it" % (where, f.get("control")))


def _key(section):
    if section.get("account_id"):
        return ("account", to_text(section["account_id"]))
    return ("host", to_text(section.get("host") or ""))


def _worst_first(section):
    """The order of collect.build_report: most errors, fails, drifts ... first, then the host."""
    c = collect.counts(section["findings"])
    return (-(c["error"] + len(section["errors"])), -c["fail"], -c["drift"], -c["manual"], -c["waived"],
            -c["fixed"], section["host"])


def _label(key):
    return ("account %s" if key[0] == "account" else "host %s") % key[1]


def merge(reports):
    """One report document from ``reports`` (a list of report.json dicts, v1 or v2)."""
    reports = list(reports)
    if not reports:
        raise ValueError("nothing to merge: no report given")
    for i, report in enumerate(reports):
        _check(report, i)

    # the winning slice of each account: the latest generated_at, then the later slice
    slices_of = {}
    for i, report in enumerate(reports):
        for section in report["accounts"]:
            slices_of.setdefault(_key(section), [])
            if i not in slices_of[_key(section)]:
                slices_of[_key(section)].append(i)
    winner = dict((key, max(idx, key=lambda i: (to_text(reports[i].get("generated_at") or ""), i)))
                  for key, idx in slices_of.items())

    notes = []
    for key in sorted(k for k, idx in slices_of.items() if len(idx) > 1):
        w = winner[key]
        lost = [i for i in slices_of[key] if i != w]
        notes.append("%s is in more than one report: kept report %d (generated at %s); left out %s" % (
            _label(key), w + 1, reports[w].get("generated_at"),
            ", ".join("report %d (generated at %s)" % (i + 1, reports[i].get("generated_at")) for i in lost)))

    sections = []
    for i, report in enumerate(reports):
        for section in report["accounts"]:
            if winner[_key(section)] == i:
                # v1 findings get the v2 details of their control; v2 ones keep theirs.
                found = [dict(frameworks.finding_details(f["control"]), **f) for f in section.get("findings") or []]
                sections.append(dict(section, findings=found, errors=list(section.get("errors") or []),
                                     host=to_text(section.get("host") or ""), account_id=section.get("account_id")))
    sections.sort(key=_worst_first)

    modes = set(to_text(r.get("mode") or "") for r in reports)
    return {
        "schema": collect.SCHEMA,
        "generated_at": max(to_text(r.get("generated_at") or "") for r in reports),
        "mode": modes.pop() if len(modes) == 1 else "mixed",
        "accounts": sections,
        "totals": collect.counts([f for s in sections for f in s["findings"]]),
        # The v2 views over every kept account; a merge has no baseline of its own.
        "controls": frameworks.controls_view(sections),
        "frameworks": frameworks.frameworks_view(sections),
        "changes": changes.empty(),
        "merged": {
            "slices": [{"generated_at": r.get("generated_at"), "mode": r.get("mode"), "schema": r.get("schema"),
                        "accounts": len(r["accounts"])} for r in reports],
            "notes": notes,
        },
    }

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gate: BULWARK_FAIL_ON, whether the findings of the report fail the run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import SEVERITY_RANK

# BULWARK_FAIL_ON: the least bad status that fails a run; "none" never fails it; "new" fails it
# only on drift, fail or error findings that the previous report did not have (changes.new).
FAIL_ON_DEFAULT = "error"
FAIL_ON_NEW = "new"
FAIL_ON_CHOICES = ("error", "fail", "drift", "manual", FAIL_ON_NEW, "none")
_FAIL_ON_OFF = ("none", "never", "off")


def parse_fail_on(value):
    """(threshold status or None for "none", problem or None) for a BULWARK_FAIL_ON value;
    empty means the default, error."""
    text = to_text(value if value is not None else "").strip().lower() or FAIL_ON_DEFAULT
    if text in _FAIL_ON_OFF:
        return None, None
    if text not in FAIL_ON_CHOICES:
        return None, ("BULWARK_FAIL_ON (or bulwark_fail_on) is %r: set it to one of %s"
                      % (to_text(value), ", ".join(FAIL_ON_CHOICES)))
    return text, None


def at_least(report, threshold):
    """How many findings (and task errors) are at least as bad as ``threshold``."""
    floor = max(SEVERITY_RANK[threshold], 1)  # pass, fixed and waived never fail a run
    n = sum(1 for a in report["accounts"] for f in a["findings"] if SEVERITY_RANK[f["status"]] >= floor)
    if SEVERITY_RANK["error"] >= floor:
        n += sum(len(a["errors"]) for a in report["accounts"])
    return n


def _worse(threshold):
    return threshold if threshold == "error" else "%s or worse" % threshold


def gate(report, fail_on, where=None):
    """{fail_on, failed, count, message}: whether the run fails on BULWARK_FAIL_ON."""
    threshold, problem = parse_fail_on(fail_on)
    if problem:
        return dict(fail_on=to_text(fail_on), failed=True, count=0, message=problem)
    if threshold is None:
        return dict(fail_on="none", failed=False, count=0, message="BULWARK_FAIL_ON=none: the findings never fail the run")
    if threshold == FAIL_ON_NEW:
        return _gate_new(report, where)
    n = at_least(report, threshold)
    if n:
        message = ("BULWARK_FAIL_ON=%s: %d finding(s) or task error(s) are %s; read %s"
                   % (threshold, n, _worse(threshold), os.path.join(where, "report.md") if where else "report.md"))
    else:
        message = "BULWARK_FAIL_ON=%s: no finding is %s" % (threshold, _worse(threshold))
    return dict(fail_on=threshold, failed=bool(n), count=n, message=message)


def _gate_new(report, where):
    changes = report.get("changes") or {}
    n = len(changes.get("new") or [])
    if changes.get("baseline_generated_at"):
        since = "since the report of %s" % changes["baseline_generated_at"]
    elif changes.get("baseline"):
        since = "since the last report"
    elif changes.get("note"):
        since = "(%s)" % changes["note"]
    else:
        since = "(no earlier report to compare with)"
    if n:
        message = ("BULWARK_FAIL_ON=new: %d drift, fail or error finding(s) are new %s; read %s"
                   % (n, since, os.path.join(where, "report.md") if where else "report.md"))
    else:
        message = "BULWARK_FAIL_ON=new: no drift, fail or error finding is new %s" % since
    return dict(fail_on=FAIL_ON_NEW, failed=bool(n), count=n, message=message)


def outcome(result):
    """One short clause for a gate() result, for the end-of-run summary: whether the run fails
    and why, without the pointer to report.md that the summary gives itself."""
    if result["fail_on"] == "none":
        return "BULWARK_FAIL_ON=none: the run passes whatever the findings"
    if result["fail_on"] not in FAIL_ON_CHOICES:  # a typo: the message names the choices
        return "the run fails: %s" % result["message"]
    if result["fail_on"] == FAIL_ON_NEW:
        if result["failed"]:
            return "BULWARK_FAIL_ON=new: the run fails, %d drift, fail or error finding(s) are new" % result["count"]
        return "BULWARK_FAIL_ON=new: the run passes, no drift, fail or error finding is new"
    if result["failed"]:
        return "BULWARK_FAIL_ON=%s: the run fails, %d finding(s) or task error(s) are %s" % (
            result["fail_on"], result["count"], _worse(result["fail_on"]))
    return "BULWARK_FAIL_ON=%s: the run passes, no finding is %s" % (result["fail_on"], _worse(result["fail_on"]))

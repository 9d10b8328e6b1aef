# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings: what every module returns, one per control (and resource / region).

A finding is a plain dict ``{control, status, resource, region, message}`` so that it
survives Ansible's JSON round trip unchanged and the report action plugin can read it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

# Worst first: the report sorts by this order and BULWARK_FAIL_ON compares against it.
STATUSES = ("error", "fail", "drift", "manual", "waived", "fixed", "pass")
# How bad a status is for BULWARK_FAIL_ON=<status>: a finding fails the run when its rank is
# at least the threshold's. fixed, waived and pass never fail a run.
SEVERITY_RANK = {"pass": 0, "fixed": 0, "waived": 0, "manual": 1, "drift": 2, "fail": 3, "error": 4}


def counted(n, singular, plural=None):
    """'1 bucket', '3 buckets': a count in a finding's message."""
    return "%d %s" % (n, singular if n == 1 else (plural or singular + "s"))


def finding(control, status, message, resource=None, region=None):
    """Build one finding. Unknown control ids and statuses are programming errors."""
    controls.get(control)  # raises KeyError naming the unknown id
    if status not in STATUSES:
        raise ValueError("unknown finding status %r (one of %s)" % (status, ", ".join(STATUSES)))
    return {
        "control": control,
        "status": status,
        "resource": resource or "account",
        "region": region or "global",
        "message": message,
    }


def validate_waivers(waivers, option="waivers"):
    """Raise ValueError naming the bad entry; returns waivers with ``expires`` as a date."""
    out = []
    for n, waiver in enumerate(waivers or []):
        where = "%s[%d]" % (option, n)
        if not isinstance(waiver, dict):
            raise ValueError("%s: a waiver is a dict with control, resource, reason and expires" % where)
        control = waiver.get("control")
        if control not in controls.CONTROLS:
            raise ValueError("%s.control: unknown control id %r (see docs/controls.md)" % (where, control))
        if not str(waiver.get("reason") or "").strip():
            raise ValueError("%s.reason: say why %s is waived" % (where, control))
        try:
            expires = datetime.datetime.strptime(str(waiver.get("expires")), "%Y-%m-%d").date()
        except ValueError:
            raise ValueError("%s.expires: %r is not a date (YYYY-MM-DD); every waiver expires"
                             % (where, waiver.get("expires")))
        out.append(dict(control=control, resource=waiver.get("resource") or "*",
                        reason=str(waiver["reason"]).strip(), expires=expires))
    return out


class Findings:
    """Collects the findings of one module run, limited to the controls asked for.

    Waivers (validated with validate_waivers) turn a matching drift, fail or manual finding
    into ``waived``; an expired waiver leaves the status alone and says so in the message. An
    ``error`` is never waived.
    """

    def __init__(self, selected, waivers=None, today=None):
        self.selected = list(selected)
        self.waivers = validate_waivers(waivers)
        self.today = today or datetime.datetime.now(datetime.timezone.utc).date()
        self._items = []

    def waiver_for(self, control, resource):
        """The first waiver matching control and resource (glob), expired or not, or None."""
        for waiver in self.waivers:
            if waiver["control"] == control and fnmatch.fnmatchcase(resource or "account", waiver["resource"]):
                return waiver
        return None

    def is_waived(self, control, resource=None):
        """True when an unexpired waiver covers it: modules do not change what is waived."""
        waiver = self.waiver_for(control, resource or "account")
        return bool(waiver) and waiver["expires"] >= self.today

    def wants(self, control):
        return control in self.selected

    def add(self, control, status, message, resource=None, region=None):
        """Record a finding unless its control was not selected. Returns the finding or None."""
        if not self.wants(control):
            return None
        item = finding(control, status, message, resource=resource, region=region)
        # An error is not an accepted exception: a waiver never hides that a control went unevaluated.
        waiver = self.waiver_for(control, item["resource"]) if status not in ("pass", "fixed", "error") else None
        if waiver and waiver["expires"] >= self.today:
            item["message"] = "waived until %s: %s (finding: %s: %s)" % (
                waiver["expires"], waiver["reason"], status, message)
            item["status"] = "waived"
        elif waiver:
            item["message"] += " [waiver expired on %s: %s]" % (waiver["expires"], waiver["reason"])
        self._items.append(item)
        return item

    def noncompliant(self, control, can_fix, fixed, message, resource=None, region=None):
        """A control that is not met: ``fixed`` after a change, ``drift`` when this run would
        fix it (check mode / audit only), ``fail`` when it cannot or may not."""
        if fixed:
            status = "fixed"
        elif can_fix:
            status = "drift"
        else:
            status = "fail"
        return self.add(control, status, message, resource=resource, region=region)

    def error_for(self, control_ids, message, region=None, resource=None):
        """One ``error`` finding per selected control that could not be evaluated."""
        for control in control_ids:
            self.add(control, "error", message, resource=resource, region=region)

    @property
    def items(self):
        return list(self._items)


def diff(findings):
    """``--diff`` in controls and resources, one line each ("control resource (regions)"): before,
    what each drift or fixed finding found; after, the control met. The regions of a control's
    resource fold into one entry, so a full apply's diff stays a screen or two per account."""
    found = {}
    for item in findings:
        if item["status"] in ("drift", "fixed"):
            found.setdefault(item["control"], {}).setdefault(item["resource"], []).append(item)
    before, after = {}, {}
    for control, resources in found.items():
        for resource, items in resources.items():
            regions = sorted(set(i["region"] for i in items))
            if regions == ["global"]:
                where = resource
            elif len(regions) == 1:
                where = "%s (%s)" % (resource, regions[0])
            else:
                where = "%s (%d regions)" % (resource, len(regions))
            key = "%s %s" % (control, where)
            before[key] = items[0]["message"]
            after[key] = "fixed" if items[0]["status"] == "fixed" else "would be fixed"
    return {"before": before, "after": after}

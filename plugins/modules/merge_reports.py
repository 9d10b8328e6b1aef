#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: merge_reports
short_description: Merge the drift reports of several runs into one report
version_added: 0.1.0
description:
  - Runs on the controller and never calls AWS. Reads the C(report.json) of each run given (schema
    C(bulwark.aws/report/v1) or C(v2)), for example the slices of an AWX sliced job over an Organization,
    and writes one report of every account in every format (C(report.json) v2, C(report.md),
    C(report.html), C(report.junit.xml)), mode 0600, into a new run directory.
  - An account in more than one run is taken from the run generated last; the result's C(merged.notes)
    says which runs were left out for it. The controls and frameworks views are built over every account;
    C(changes) stays empty (a merge has no baseline).
  - Fails with one line, before writing anything, when a pattern matches no report, a file is not a
    bulwark.aws report, or a report names a control this version of the collection does not know.
  - The C(bulwark.aws.merge_reports) playbook calls it.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  reports:
    description:
      - The runs to merge, in order, each once. A run directory (its C(report.json) is read), a
        C(report.json) file, or a glob of either (C(slices/*/bulwark-reports/latest)).
    type: list
    elements: str
    required: true
  report_dir:
    description:
      - Where to write the merged report. Default a new C(./bulwark-reports/<UTC timestamp>/) where
        ansible-playbook runs, as for a hardening run (C(BULWARK_REPORT_DIR) in the playbook).
    type: str
    default: ""
  fail_on:
    description:
      - As C(BULWARK_FAIL_ON) for a run (V(error), V(drift), V(fail), V(new), V(none); empty is V(error)).
        Returned as RV(gate); the playbook fails the run with its message.
    type: str
    default: ""
extends_documentation_fragment:
  - bulwark.aws.controller
"""

EXAMPLES = r"""
- name: One report of the three slices of last night's sliced job
  bulwark.aws.merge_reports:
    reports:
      - /var/lib/awx/reports/slice-1/latest
      - /var/lib/awx/reports/slice-2/latest
      - /var/lib/awx/reports/slice-3/latest

- name: Every slice's newest run, by glob
  bulwark.aws.merge_reports:
    reports: ["/srv/bulwark/slice-*/bulwark-reports/latest"]
    report_dir: /srv/bulwark/merged
"""

RETURN = r"""
report_dir:
  description: The directory the merged report was written to.
  returned: success
  type: str
files:
  description: The files written.
  returned: success
  type: list
  elements: str
merged:
  description: The report.json files merged, in order.
  returned: success
  type: list
  elements: str
totals:
  description: Findings per status over every account.
  returned: success
  type: dict
notes:
  description: Accounts found in more than one run, and which run was kept.
  returned: success
  type: list
  elements: str
gate:
  description: Whether the merged report fails under O(fail_on) (C(fail_on), C(failed), C(count), C(message)).
  returned: success
  type: dict
summary:
  description: The end-of-run lines, as a hardening run prints them.
  returned: success
  type: list
  elements: str
"""

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: report
short_description: Write the bulwark.aws drift report of every account of the play
version_added: 0.1.0
description:
  - Runs on the controller, once, and never calls AWS. Reads what every account host of the play kept
    (its findings, the controls its roles selected, the failures its roles rescued) and writes
    C(report.json) (schema C(bulwark.aws/report/v2)), C(report.md), C(report.html) and C(report.junit.xml), mode 0600.
  - C(report.json) v2 keeps every v1 field; each finding also has its control's C(severity), C(title) and
    C(refs) (C(cis_v3), C(securityhub), C(config_rule), the ones the catalogue has), and the document adds
    C(controls) (per account and control, its worst status, counts, regions and resources per status),
    C(frameworks) (per requirement of CIS AWS Foundations v3.0.0 and AWS Foundational Security Best
    Practices, its status and score) and C(changes) (V(new), V(resolved), V(persisting) drift, fail or error
    findings against the previous report, see O(baseline)).
  - Every selected control of every account appears. A selected control without a finding gets an
    V(error) finding naming why (the failure of its role, or the play failing on that host), so a run
    never silently checks less than was asked. When no control was selected at all, every account gets a
    task error.
  - When the P(bulwark.aws.report#role) role ran P(bulwark.aws.securityhub_export#module) on a host (before this
    task), a failed export is a task error of that account, and a summary line says what the export sent.
  - Computes whether the run fails under O(fail_on) and returns it as RV(gate); the
    P(bulwark.aws.report#role) role fails the run with that message. It does not fail by itself, so the
    files are always written first.
  - The P(bulwark.aws.report#role) role calls it; the C(bulwark.aws.harden) playbook ends with that role.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  report_dir:
    description: Where to write the four files (the directory P(bulwark.aws.preflight#module) created).
    type: path
    required: true
  fail_on:
    description:
      - The least bad status that fails the run, V(error) when empty (any error finding, failed fix or
        task error fails it), or V(fail), V(drift), V(manual); V(none) never fails it.
      - V(new) fails it only on drift, fail or error findings the previous report (O(baseline)) did not
        have (C(changes.new) of report.json); without a previous report nothing is new.
      - V(pass), V(fixed) and V(waived) never fail a run.
    type: str
    default: ""
  baseline:
    description:
      - The previous report to compute C(changes) against, a C(report.json) or a run directory holding one.
      - When not given, the environment variable E(BULWARK_BASELINE); when that is empty too, the
        C(report.json) of the newest earlier run directory beside O(report_dir)
        (C(./bulwark-reports/<UTC timestamp>)); a O(report_dir) of another name then has none.
      - A baseline that cannot be read (missing, not JSON, not a bulwark.aws v1 or v2 report) does not fail
        the run; C(changes.note) of report.json and report.md say why.
    type: str
  hosts:
    description: The account hosts to report. Default the hosts of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
extends_documentation_fragment:
  - bulwark.aws.controller
seealso:
  - module: bulwark.aws.preflight
"""

EXAMPLES = r"""
- name: Write the report of every account of the play
  bulwark.aws.report:
    report_dir: "{{ bulwark_run.report_dir }}"
    fail_on: "{{ lookup('ansible.builtin.env', 'BULWARK_FAIL_ON') }}"
  run_once: true
  register: bulwark_report

- name: Fail the run when findings reach the threshold
  ansible.builtin.assert:
    that: not bulwark_report.gate.failed
    fail_msg: "{{ bulwark_report.gate.message }}"
  run_once: true
"""

RETURN = r"""
report_dir:
  description: Where the files are.
  returned: success
  type: str
  sample: /home/ops/bulwark-reports/20261206T040000Z
files:
  description: The paths of report.json, report.md, report.html and report.junit.xml.
  returned: success
  type: list
  elements: str
mode:
  description: V(check) (C(--check)), V(audit) (every account with C(bulwark_audit_only)) or V(apply).
  returned: success
  type: str
  sample: check
totals:
  description: Findings per status over every account.
  returned: success
  type: dict
  sample: {"error": 0, "fail": 3, "drift": 10, "manual": 1, "waived": 0, "fixed": 0, "pass": 40}
summary:
  description:
    - The lines to print at the end of the run. First C(bulwark.aws drift report (<mode>)); then per account
      (worst first) a line of counts, followed by its task errors and one line per control that is not
      V(pass), worst first (error, fail, drift, fixed, manual, waived), its regions and resources folded
      into counts, at most 15 lines, then C(… and N more controls, see report.md).
    - With several accounts, a line of counts over all of them. Last, where the files are and whether
      O(fail_on) fails the run.
  returned: success
  type: list
  elements: str
  sample:
    - bulwark.aws drift report (check)
    - "prod-123456789012: 4 pass, 143 drift, 21 fail, 3 manual, 20 error"
    - "  iam.access_analyzer error in 20 regions: access-analyzer ListAnalyzers failed: AccessDenied"
    - "  iam.user_mfa fail: 3 users"
    - "  guardduty.enabled drift in 17 regions"
    - "reports: /home/ops/bulwark-reports/20261206T040000Z (report.md, report.html, report.json, report.junit.xml);
      BULWARK_FAIL_ON=drift: the run fails, 184 finding(s) or task error(s) are drift or worse"
gate:
  description: Whether the run fails under O(fail_on).
  returned: success
  type: dict
  contains:
    fail_on:
      description: The threshold in effect.
      type: str
      sample: error
    failed:
      description: True when at least one finding or task error reaches the threshold (for V(new), a new drift,
        fail or error finding), or O(fail_on) is invalid.
      type: bool
    count:
      description: How many findings and task errors reach it.
      type: int
    message:
      description: What to tell the operator.
      type: str
      sample: "BULWARK_FAIL_ON=error: 2 finding(s) or task error(s) are error; read /home/ops/bulwark-reports/x/report.md"
"""

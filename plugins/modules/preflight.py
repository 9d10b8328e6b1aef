#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: preflight
short_description: Check a bulwark.aws run's settings before any AWS call and create its report directory
version_added: 0.1.0
description:
  - Runs on the controller and never calls AWS. The P(bulwark.aws.common#role) role runs it once per play, before
    any other bulwark.aws task, so a mistake stops the run instead of silently auditing less.
  - Stops the run, naming every problem at once, when
  - (1) a C(bulwark_*) variable (play, extra, group or host variable of any host of the play) is not a variable
    of any bulwark.aws role, with the closest known names (C(-e bulwark_iam_password_min_lenght=20) would
    otherwise run with the default length);
  - (2) a C(--tags) or C(--skip-tags) value looks like a control id, prefix or role but names none
    (C(--tags iam.user_mfaa) would otherwise select nothing);
  - (3) a waiver is malformed or names an unknown control;
  - (4) O(fail_on) is not one of V(error), V(fail), V(drift), V(manual), V(none);
  - (5) an inventory was given but produced no host (a broken organization inventory would otherwise
    leave the run on the implicit localhost).
  - Then creates the run's report directory and returns its path.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  report_dir:
    description:
      - The report directory. Empty (the default) creates a new C(./bulwark-reports/<UTC timestamp>/) where
        C(ansible-playbook) runs, and points C(./bulwark-reports/latest) at it.
      - A path is used as it is (created when missing; an earlier report in it is replaced). Relative paths
        are relative to where C(ansible-playbook) runs.
    type: str
    default: ""
  fail_on:
    description:
      - The value of E(BULWARK_FAIL_ON), checked here so that a typo stops the run before any AWS call.
        Empty means V(error). See P(bulwark.aws.report#module).
    type: str
    default: ""
  create_report_dir:
    description: Create the report directory. V(false) only checks.
    type: bool
    default: true
extends_documentation_fragment:
  - bulwark.aws.controller
seealso:
  - module: bulwark.aws.report
"""

EXAMPLES = r"""
- name: Check the settings and create the report directory, once for the play
  bulwark.aws.preflight:
    report_dir: "{{ lookup('ansible.builtin.env', 'BULWARK_REPORT_DIR') }}"
    fail_on: "{{ lookup('ansible.builtin.env', 'BULWARK_FAIL_ON') }}"
  run_once: true
  register: bulwark_run
"""

RETURN = r"""
report_dir:
  description: The run's report directory, absolute.
  returned: when O(create_report_dir=true) and the checks passed
  type: str
  sample: /home/ops/bulwark-reports/20261206T040000Z
cwd:
  description: Where C(ansible-playbook) runs; relative paths of the roles resolve against it.
  returned: when the checks passed
  type: str
  sample: /home/ops
fail_on:
  description: The threshold in effect (V(none) when off).
  returned: when the checks passed
  type: str
  sample: error
problems:
  description: Every problem found, each naming the variable, tag or setting to fix.
  returned: failure
  type: list
  elements: str
  sample: ["unknown variable bulwark_iam_password_min_lenght (did you mean bulwark_iam_password_min_length?)"]
"""

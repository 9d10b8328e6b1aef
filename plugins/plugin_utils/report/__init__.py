# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report: every selected control of every account, as JSON, Markdown and JUnit XML.

The play writes it (the bulwark.aws.report action, last task of harden.yml and of the report
role), from what each account host kept: its findings, the controls its roles selected and the
failures its roles rescued. Never calls AWS, but for the opt-in Security Hub export. One
module per job, in the order the action runs them:

- baseline.py the previous report (BULWARK_BASELINE, else the newest earlier run directory),
              read before the document is built (reads files, writes none);
- collect.py  each account's findings from what its host kept (a selected control without a
              verdict becomes an error finding), and the report document (schema v2), with
- frameworks.py  its v2 views: finding details (severity, title, refs), controls and frameworks,
- changes.py  and the changes against the previous report (new, resolved, persisting);
- render.py   the document as report.json, report.md and report.junit.xml;
- write.py    the run's report directory and the four files in it;
- gate.py     BULWARK_FAIL_ON: whether the findings fail the run;
- summary.py  the lines printed at the end of the run;
- text.py     one-line, bounded text (shared).

Security Hub export (opt-in, issue 21), the one part that calls AWS, and only when asked:

- asff.py        the findings as ASFF (pure: stable ids, status mapping, batches);
- securityhub.py BatchImportFindings into each account's own Security Hub, and the
                 resolution of findings that no longer fail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

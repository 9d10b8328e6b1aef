# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of bulwark.aws.merge_reports (documentation in plugins/modules/merge_reports.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import baseline, gate, merge, summary, write

ARGUMENT_SPEC = dict(
    reports=dict(type="list", elements="str", required=True),
    report_dir=dict(type="str", default=""),
    fail_on=dict(type="str", default=""),
)


def report_paths(patterns):
    """The report.json of every pattern (a run directory, a report.json, or a glob of either), in
    the order given, each once. Raises ValueError naming a pattern that matches nothing."""
    paths = []
    for pattern in patterns:
        pattern = os.path.expanduser(to_text(pattern).strip())
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        found = [os.path.join(m, baseline.REPORT) if os.path.isdir(m) else m for m in matched]
        found = [p for p in found if os.path.isfile(p)]
        if not found:
            raise ValueError("reports: %s holds no report.json (give run directories, report.json files or a glob "
                             "of them)" % pattern)
        paths.extend(os.path.abspath(p) for p in found if os.path.abspath(p) not in paths)
    return paths


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        patterns = [p for p in args["reports"] if to_text(p).strip()]
        if not patterns:
            result.update(failed=True, msg="reports: give the runs to merge, e.g. -e 'reports=[slice1/bulwark-reports/"
                                           "latest,slice2/bulwark-reports/latest]' or a glob")
            return result
        problem = gate.parse_fail_on(args["fail_on"])[1]
        if problem:
            result.update(failed=True, msg=problem)
            return result
        try:
            paths = report_paths(patterns)
        except ValueError as e:
            result.update(failed=True, msg=to_text(e))
            return result
        documents = []
        for path in paths:
            document, why = baseline.load(path, what="the report")
            if document is None:
                result.update(failed=True, msg="reports: %s; nothing was written" % why)
                return result
            documents.append(document)
        try:
            merged = merge.merge(documents)
        except ValueError as e:
            result.update(failed=True, msg="reports: %s; nothing was written" % e)
            return result
        try:
            directory = write.run_directory(args["report_dir"] or None)
            files = write.write_report(merged, directory)
        except (OSError, IOError) as e:
            result.update(failed=True, msg="could not write the merged report: %s; set BULWARK_REPORT_DIR to a "
                                           "writable directory" % e)
            return result
        verdict = gate.gate(merged, args["fail_on"], directory)
        result.update(changed=False, report_dir=directory, files=files, merged=paths, totals=merged["totals"],
                      notes=merged["merged"]["notes"], gate=verdict,
                      summary=summary.summary_lines(merged, directory, verdict))
        return result

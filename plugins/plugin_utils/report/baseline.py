# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Baseline: the previous report a run's changes are computed against (reads files, writes none).

BULWARK_BASELINE=path (a report.json, or a run directory holding one) when set, else the report.json
of the newest earlier run directory beside this run's directory (./bulwark-reports/<timestamp>/).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.module_utils.common.text.converters import to_text

REPORT = "report.json"
_SCHEMAS = ("bulwark.aws/report/v1", "bulwark.aws/report/v2")


def find(run_dir, explicit=None):
    """The path of the baseline report.json, or None. ``explicit`` (BULWARK_BASELINE) wins: a
    directory means its report.json. Otherwise the sibling run directories of ``run_dir`` holding
    a report.json, the current one and the "latest" link excluded: the one whose report.json was
    written last (the name, a UTC timestamp, breaks a tie)."""
    if explicit:
        path = os.path.abspath(os.path.expanduser(to_text(explicit)))
        return os.path.join(path, REPORT) if os.path.isdir(path) else path
    run_dir = os.path.realpath(run_dir)
    parent = os.path.dirname(run_dir)
    try:
        names = os.listdir(parent)
    except OSError:
        return None
    candidates = []
    for name in names:
        path = os.path.join(parent, name)
        if name == "latest" or os.path.islink(path) or os.path.realpath(path) == run_dir:
            continue
        report = os.path.join(path, REPORT)
        try:
            if os.path.isfile(report):
                candidates.append((os.stat(report).st_mtime, name, report))
        except OSError:
            continue
    return max(candidates)[2] if candidates else None


def load(path):
    """(document, None) for a readable v1 or v2 report at ``path``, else (None, why not)."""
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read().decode("utf-8"))
    except (OSError, IOError) as e:
        return None, "the baseline %s could not be read: %s" % (path, e.strerror or e)
    except ValueError as e:
        return None, "the baseline %s is not JSON: %s" % (path, e)
    if not isinstance(document, dict) or document.get("schema") not in _SCHEMAS:
        return None, "the baseline %s is not a bulwark.aws report (schema v1 or v2)" % path
    if not isinstance(document.get("accounts"), list):
        return None, "the baseline %s has no accounts list" % path
    return document, None

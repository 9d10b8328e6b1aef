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
import re

from ansible.module_utils.common.text.converters import to_text

REPORT = "report.json"
_RUN_NAME = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
_SCHEMAS = ("bulwark.aws/report/v1", "bulwark.aws/report/v2")


def _run_key(name):
    """(timestamp, suffix) of a run directory name write.timestamped_dir() made, else None."""
    match = _RUN_NAME.match(name)
    return (match.group(1), int(match.group(2) or 1)) if match else None


def find(run_dir, explicit=None):
    """The path of the baseline report.json, or None. ``explicit`` (BULWARK_BASELINE) wins: a
    directory means its report.json. Otherwise, when ``run_dir`` is a timestamped run directory
    (./bulwark-reports/<UTC timestamp>), the report.json of the newest earlier one beside it;
    the current run, the "latest" link and directories of other names are never chosen. A
    BULWARK_REPORT_DIR of another name has no automatic baseline."""
    if explicit:
        path = os.path.abspath(os.path.expanduser(to_text(explicit)))
        return os.path.join(path, REPORT) if os.path.isdir(path) else path
    run_dir = os.path.realpath(run_dir)
    own = _run_key(os.path.basename(run_dir))
    if own is None:
        return None
    parent = os.path.dirname(run_dir)
    try:
        names = os.listdir(parent)
    except OSError:
        return None
    candidates = []
    for name in names:
        key, path = _run_key(name), os.path.join(parent, name)
        if key is None or key >= own or os.path.islink(path):
            continue
        if os.path.isfile(os.path.join(path, REPORT)):
            candidates.append((key, os.path.join(path, REPORT)))
    return max(candidates)[1] if candidates else None


def load(path, what="the baseline"):
    """(document, None) for a readable v1 or v2 report at ``path``, else (None, why not, naming it as
    ``what``)."""
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read().decode("utf-8"))
    except (OSError, IOError) as e:
        return None, "%s %s could not be read: %s" % (what, path, e.strerror or e)
    except ValueError as e:
        return None, "%s %s is not JSON: %s" % (what, path, e)
    if not isinstance(document, dict) or document.get("schema") not in _SCHEMAS:
        return None, "%s %s is not a bulwark.aws report (schema v1 or v2)" % (what, path)
    if not isinstance(document.get("accounts"), list):
        return None, "%s %s has no accounts list" % (what, path)
    return document, None

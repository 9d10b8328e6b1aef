# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write: the run's report directory and the four files in it, mode 0600, all or none."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import html, render

FILES = ("report.json", "report.md", "report.html", "report.junit.xml")
DEFAULT_REPORT_BASE = "bulwark-reports"
_RENDERERS = (("report.json", render.render_json), ("report.md", render.render_markdown),
              ("report.html", html.render_html), ("report.junit.xml", render.render_junit))


def _write(path, data):
    """Write atomically with mode 0600 (the report names weak spots of the account), never
    through a file or link someone planted at the path; a write that fails leaves no temporary
    file behind (module_utils/core/files.py)."""
    files.replace_atomic(path, data)


def timestamped_dir(base, now=None):
    """A new directory base/<UTC timestamp> (suffix -2, -3 ... when taken); base/latest points at it."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    os.makedirs(base, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name, n = stamp, 1
    while True:
        path = os.path.join(base, name)
        try:
            os.mkdir(path, 0o700)
            break
        except FileExistsError:
            n += 1
            name = "%s-%d" % (stamp, n)
    latest = os.path.join(base, "latest")
    if os.path.islink(latest) or not os.path.exists(latest):
        tmp = "%s.tmp.%d" % (latest, os.getpid())
        try:
            os.symlink(name, tmp)
            os.replace(tmp, latest)
        except OSError:  # a file system without symbolic links: the directory is still printed
            pass
    return path


def run_directory(report_dir=None, cwd=None):
    """The run's report directory, created: exactly ``report_dir`` when given (BULWARK_REPORT_DIR),
    else a new ./bulwark-reports/<UTC timestamp>/ where ansible-playbook runs. Absolute."""
    cwd = cwd or os.getcwd()
    if report_dir:
        path = os.path.join(cwd, os.path.expanduser(report_dir))
        os.makedirs(path, 0o700, exist_ok=True)
        return os.path.abspath(path)
    return os.path.abspath(timestamped_dir(os.path.join(cwd, DEFAULT_REPORT_BASE)))


def write_report(report, directory):
    """The four files; returns their paths. When one cannot be written (a full disk), none of
    them is left: neither a partial set nor an earlier run's files presented as this run's."""
    os.makedirs(directory, exist_ok=True)
    rendered = [(os.path.join(directory, name), render_file(report)) for name, render_file in _RENDERERS]
    try:
        for path, data in rendered:
            _write(path, data)
    except BaseException:
        for path, _data in rendered:
            if os.path.lexists(path):
                os.unlink(path)
        raise
    return [path for path, _data in rendered]

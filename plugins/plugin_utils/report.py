# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report: every selected control of every account, as JSON, Markdown and JUnit XML.

The play writes it (the bulwark.aws.report action, last task of harden.yml and of the report
role), from what each account host kept: its findings, the controls its roles selected and the
failures its roles rescued. A selected control without a finding becomes an ``error`` finding
that says why, so a run never silently checks less than it was asked to. Never calls AWS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import xml.etree.ElementTree as ET

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import SEVERITY_RANK, STATUSES

SCHEMA = "bulwark.aws/report/v1"
FILES = ("report.json", "report.md", "report.junit.xml")
# The order of the summary columns (pass first: the column people read first).
SUMMARY_STATUSES = ("pass", "drift", "fixed", "fail", "manual", "error", "waived")
FINDING_KEYS = ("control", "status", "resource", "region", "message")
# BULWARK_FAIL_ON: the least bad status that fails a run; "none" never fails it.
FAIL_ON_DEFAULT = "error"
FAIL_ON_CHOICES = ("error", "fail", "drift", "manual", "none")
_FAIL_ON_OFF = ("none", "never", "off")
DEFAULT_REPORT_BASE = "bulwark-reports"
_STATUS_ORDER = dict((s, i) for i, s in enumerate(STATUSES))
_CONTROL_ORDER = dict((c.id, i) for i, c in enumerate(catalogue.all_controls()))
_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile(u"[\ud800-\udfff]")
_MESSAGE_LIMIT = 2000


def _text(value, limit=_MESSAGE_LIMIT):
    text = to_text(value if value is not None else "", errors="surrogate_or_replace")
    text = _SURROGATE.sub(u"\ufffd", text)  # a lone surrogate cannot be written as UTF-8
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return text if len(text) <= limit else text[:limit - 1] + u"\u2026"


# --- one account, from what its host kept ----------------------------------------------------

def _clean_finding(raw):
    """(finding, None) for a well-formed finding of the catalogue, else (None, why it is left out)."""
    if not isinstance(raw, dict):
        return None, "a finding that is not a dict was left out of the report"
    control = to_text(raw.get("control") or "")
    status = to_text(raw.get("status") or "")
    if control not in catalogue.CONTROLS:
        return None, "a finding for %r was left out of the report: not a control id of the catalogue" % control
    if status not in _STATUS_ORDER:
        return None, "a finding for %s with unknown status %r was left out of the report" % (control, status)
    return {
        "control": control,
        "status": status,
        "resource": _text(raw.get("resource") or "account", 500),
        "region": _text(raw.get("region") or "global", 100),
        "message": _text(raw.get("message")),
    }, None


def account_section(host, account_id=None, findings=None, selected=None, failures=None, play_failed=False):
    """{host, account_id, findings, errors} of one account.

    ``findings`` are the module findings the host kept, ``selected`` the control ids its roles
    selected, ``failures`` the [{task, message}] its roles rescued, ``play_failed`` whether the
    host left the play failed. Every selected control without a finding gets an ``error``
    finding naming the reason."""
    out, errors, seen = [], [], set()

    def add_error(task, message):
        entry = {"task": _text(task, 300), "message": _text(message)}
        if entry not in errors:
            errors.append(entry)

    for raw in findings or []:
        item, problem = _clean_finding(raw)
        if problem:
            add_error("(findings)", problem)
            continue
        key = tuple(item[k] for k in FINDING_KEYS)
        if key not in seen:  # the same finding kept twice is one finding
            seen.add(key)
            out.append(item)
    reasons = []
    for failure in failures or []:
        failure = failure if isinstance(failure, dict) else {"message": failure}
        reasons.append(failure.get("message") or "the task failed (no message)")
        add_error(failure.get("task") or "(task)", reasons[-1])
    if play_failed and not reasons:
        reasons.append("the play failed on this host before it finished; see the play output")
        add_error("(play)", reasons[-1])
    evaluated = set(f["control"] for f in out)
    missing = [c for c in dict.fromkeys(to_text(c) for c in selected or []) if c not in evaluated]
    if missing:
        reason = reasons[-1] if reasons else "its evaluation did not report it (please report this bulwark bug)"
        for control in missing:
            if control in catalogue.CONTROLS:
                out.append({"control": control, "status": "error", "resource": "account", "region": "global",
                            "message": _text("not evaluated: %s" % reason)})
    account_id = to_text(account_id or "")
    return {"host": to_text(host), "account_id": account_id if _ACCOUNT_ID.match(account_id) else None,
            "findings": out, "errors": errors}


# --- the report ----------------------------------------------------------------------------

def _finding_key(f):
    return (_STATUS_ORDER[f["status"]], _CONTROL_ORDER.get(f["control"], len(_CONTROL_ORDER)),
            f["resource"], f["region"], f["message"])


def counts(findings):
    out = dict((s, 0) for s in STATUSES)
    for f in findings:
        out[f["status"]] += 1
    return out


def _account_key(account):
    c = counts(account["findings"])
    return (-(c["error"] + len(account.get("errors") or [])), -c["fail"], -c["drift"], -c["manual"],
            -c["waived"], -c["fixed"], account["host"])


def build_report(accounts, mode, generated_at=None):
    """The report.json document from account_section() results."""
    generated_at = generated_at or datetime.datetime.now(datetime.timezone.utc)
    sections = []
    for account in accounts:
        findings = sorted(account["findings"], key=_finding_key)
        sections.append({
            "host": account["host"],
            "account_id": account.get("account_id"),
            "findings": [dict(f, remediation=catalogue.get(f["control"]).remediation) for f in findings],
            "errors": list(account.get("errors") or []),
        })
    sections.sort(key=_account_key)
    totals = counts([f for s in sections for f in s["findings"]])
    return {
        "schema": SCHEMA,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": mode,
        "accounts": sections,
        "totals": totals,
    }


def account_label(account):
    if account.get("account_id"):
        return "%s (%s)" % (account["account_id"], account["host"])
    return account["host"]


def _md(text):
    """Text for one Markdown line: no line break, table cell break, HTML, link or emphasis.
    An underscore inside a word (min_length) is left alone: it never starts emphasis. GitHub
    turns www.x, scheme://x and name@domain into links (a user named www.example.com): an
    escaped dot, colon or at sign keeps them text."""
    text = re.sub(r"([\\|*`<\[\]])", r"\\\1", _text(text))
    text = re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\\_", text)
    text = re.sub(r"(?i)\b(www)\.", r"\1\\.", text)
    return text.replace("://", "\\://").replace("@", "\\@")


def _code(text, table_cell=False):
    """A code span showing ``text`` exactly: a fence longer than any run of backticks inside it;
    in a table cell a pipe is escaped, which GitHub's tables need even inside code."""
    text = _text(text, 500)
    longest = max([len(run) for run in re.findall(r"`+", text)] or [0])
    if longest:
        text = " %s " % text
    if table_cell:
        text = text.replace("|", "\\|")
    return "`" * (longest + 1) + text + "`" * (longest + 1)


def render_markdown(report):
    lines = [
        "# bulwark.aws drift report",
        "",
        "Generated %s, mode **%s**, %d account(s), schema `%s`." % (
            report["generated_at"], report["mode"], len(report["accounts"]), report["schema"]),
        "",
        "| account | host | %s | task errors |" % " | ".join(SUMMARY_STATUSES),
        "|---|---|%s---:|" % ("---:|" * len(SUMMARY_STATUSES)),
    ]
    total_errors = 0
    for account in report["accounts"]:
        c = counts(account["findings"])
        total_errors += len(account["errors"])
        lines.append("| %s | %s | %s | %d |" % (
            account.get("account_id") or "unknown", _code(account["host"], table_cell=True),
            " | ".join(str(c[s]) for s in SUMMARY_STATUSES), len(account["errors"])))
    lines.append("| **total** | | %s | %d |" % (
        " | ".join(str(report["totals"][s]) for s in SUMMARY_STATUSES), total_errors))
    lines.append("")
    lines.append("`error` counts findings that could not be evaluated; `task errors` are tasks that "
                 "failed without a finding (for example a role that cannot be assumed).")
    for account in report["accounts"]:
        c = counts(account["findings"])
        lines += ["", "## %s" % _md(account_label(account)), ""]
        summary = ", ".join("%d %s" % (c[s], s) for s in STATUSES if c[s])
        lines.append("%d finding(s)%s." % (len(account["findings"]), ": " + summary if summary else ""))
        if account["errors"]:
            lines += ["", "### Task errors", ""]
            for error in account["errors"]:
                lines.append("- **error** in task %s: %s" % (_code(error["task"]), _md(error["message"])))
        open_findings = [f for f in account["findings"] if f["status"] != "pass"]
        if open_findings:
            lines += ["", "### Findings that are not pass, worst first", ""]
            for f in open_findings:
                lines.append("- **%s** %s on %s (%s): %s" % (
                    f["status"], _code(f["control"]), _code(f["resource"]), _md(f["region"]), _md(f["message"])))
                lines.append("  - Remediation: %s" % _md(f["remediation"]))
        elif account["findings"]:
            lines += ["", "Every finding is `pass`."]
    lines.append("")
    return "\n".join(lines)


def _xml(text):
    return _XML_INVALID.sub(u"\ufffd", to_text(text))


def _classnames(report):
    """classname per account: its id, or id.host when one id has several hosts, else the host."""
    per_id = {}
    for account in report["accounts"]:
        if account.get("account_id"):
            per_id[account["account_id"]] = per_id.get(account["account_id"], 0) + 1
    out = []
    for account in report["accounts"]:
        account_id = account.get("account_id")
        if not account_id:
            out.append(account["host"])
        elif per_id[account_id] > 1:
            out.append("%s.%s" % (account_id, account["host"]))
        else:
            out.append(account_id)
    return out


def render_junit(report):
    """report.junit.xml (bytes): one testsuite per account, one testcase per control; the worst
    finding of a control decides: drift/fail a failure, error an error, manual/waived skipped."""
    timestamp = report["generated_at"].rstrip("Z")
    root = ET.Element("testsuites", name="bulwark.aws drift report")
    totals = dict(tests=0, failures=0, errors=0, skipped=0)
    for account, classname in zip(report["accounts"], _classnames(report)):
        suite = ET.SubElement(root, "testsuite", name=account_label(account), hostname=account["host"],
                              timestamp=timestamp, time="0")
        props = ET.SubElement(suite, "properties")
        for name, value in (("host", account["host"]), ("account_id", account.get("account_id") or ""),
                            ("mode", report["mode"]), ("schema", report["schema"])):
            ET.SubElement(props, "property", name=name, value=_xml(value))
        n = dict(tests=0, failures=0, errors=0, skipped=0)
        by_control = {}
        for f in account["findings"]:
            by_control.setdefault(f["control"], []).append(f)
        for control in sorted(by_control, key=lambda c: _CONTROL_ORDER.get(c, len(_CONTROL_ORDER))):
            findings = by_control[control]  # already worst first
            worst = findings[0]["status"]
            case = ET.SubElement(suite, "testcase", classname=classname, name=control, time="0")
            n["tests"] += 1
            details = "\n".join("%s: %s (%s): %s" % (f["status"], f["resource"], f["region"], f["message"])
                                for f in findings)
            title = catalogue.get(control).title
            worst_messages = [f for f in findings if f["status"] == worst]
            if len(worst_messages) > 1:
                message = "%s: %s" % (worst, title)
            elif worst_messages[0]["message"].startswith(worst):  # "waived until ...": no "waived: " before it
                message = worst_messages[0]["message"]
            else:
                message = "%s: %s" % (worst, worst_messages[0]["message"])
            if worst in ("drift", "fail", "error"):
                tag = "error" if worst == "error" else "failure"
                n["errors" if worst == "error" else "failures"] += 1
                body = ET.SubElement(case, tag, message=_xml(_text(message, 500)), type=worst)
                body.text = _xml("%s\n\nRemediation: %s" % (details, catalogue.get(control).remediation))
            elif worst in ("manual", "waived"):
                n["skipped"] += 1
                body = ET.SubElement(case, "skipped", message=_xml(_text(message, 500)))
                body.text = _xml(details)
            else:
                ET.SubElement(case, "system-out").text = _xml(details)
        for n_error, error in enumerate(account["errors"]):
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name="task error %d: %s" % (n_error + 1, _xml(error["task"])), time="0")
            n["tests"] += 1
            n["errors"] += 1
            body = ET.SubElement(case, "error", message=_xml(_text(error["message"], 500)), type="task_error")
            body.text = _xml(error["message"])
        for key, value in n.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    if hasattr(ET, "indent"):
        ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def summary_lines(report, where=None):
    """The compact table printed at the end of the run."""
    rows = [["account", "host"] + list(SUMMARY_STATUSES) + ["task errors"]]
    for account in report["accounts"]:
        c = counts(account["findings"])
        rows.append([account.get("account_id") or "unknown", account["host"]]
                    + [str(c[s]) for s in SUMMARY_STATUSES] + [str(len(account["errors"]))])
    rows.append(["total", ""] + [str(report["totals"][s]) for s in SUMMARY_STATUSES]
                + [str(sum(len(a["errors"]) for a in report["accounts"]))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i < 2 else row[i].rjust(widths[i]) for i in range(len(row))]
        lines.append("  ".join(cells).rstrip())
    if where:
        lines.append("reports: %s (report.md, report.json, report.junit.xml)" % where)
    return lines


# --- BULWARK_FAIL_ON -------------------------------------------------------------------------

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


def gate(report, fail_on, where=None):
    """{fail_on, failed, count, message}: whether the run fails on BULWARK_FAIL_ON."""
    threshold, problem = parse_fail_on(fail_on)
    if problem:
        return dict(fail_on=to_text(fail_on), failed=True, count=0, message=problem)
    if threshold is None:
        return dict(fail_on="none", failed=False, count=0, message="BULWARK_FAIL_ON=none: the findings never fail the run")
    n = at_least(report, threshold)
    worse = threshold if threshold == "error" else "%s or worse" % threshold
    if n:
        message = ("BULWARK_FAIL_ON=%s: %d finding(s) or task error(s) are %s; read %s"
                   % (threshold, n, worse, os.path.join(where, "report.md") if where else "report.md"))
    else:
        message = "BULWARK_FAIL_ON=%s: no finding is %s" % (threshold, worse)
    return dict(fail_on=threshold, failed=bool(n), count=n, message=message)


# --- where the files go --------------------------------------------------------------------

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
    """The three files; returns their paths. When one cannot be written (a full disk), none of
    them is left: neither a partial set nor an earlier run's files presented as this run's."""
    os.makedirs(directory, exist_ok=True)
    files = [(os.path.join(directory, name), render(report)) for name, render in (
        ("report.json", render_json), ("report.md", render_markdown), ("report.junit.xml", render_junit))]
    try:
        for path, data in files:
            _write(path, data)
    except BaseException:
        for path, _data in files:
            if os.path.lexists(path):
                os.unlink(path)
        raise
    return [path for path, _data in files]

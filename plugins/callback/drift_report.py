# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drift_report
type: aggregate
short_description: Write the bulwark.aws drift report (JSON, Markdown, JUnit) and a summary per account
version_added: 0.1.0
description:
  - Collects the findings of every bulwark.aws task on every host (one host is one AWS
    account), failed tasks and loops included, and writes C(report.json), C(report.md) and
    C(report.junit.xml) with the same content when the playbook ends.
  - Prints a summary table per account (pass, drift, fixed, fail, manual, error, waived) and
    where the reports are.
  - "C(report.json) follows the schema C(bulwark.aws/report/v1): C(schema), C(generated_at),
    C(mode) (V(check) with C(--check), else V(apply)), C(accounts) (C(host), C(account_id),
    C(findings) with C(control), C(status), C(resource), C(region), C(message), C(remediation),
    and C(errors): tasks that failed without findings, such as a role that cannot be assumed)
    and C(totals) (findings per status)."
  - Accounts are sorted worst first (most error, fail, drift), findings worst first. The
    remediation text comes from the control catalogue; findings with a control id that is not in
    the catalogue are left out and listed as errors of their account.
  - The report holds findings and failure messages only, never raw module results.
  - The callback never calls AWS.
author:
  - bulwark.aws contributors (@bulwark-aws)
requirements:
  - Enabled in C(callbacks_enabled) (the repository's C(ansible.cfg) does it).
options:
  report_dir:
    description:
      - Directory the three report files are written to. Created when missing; files of an
        earlier run in it are replaced.
      - When not set (the default), every run writes to a new directory
        C(./reports/<UTC timestamp>/) and the symbolic link C(./reports/latest) points at it.
      - When set, through E(BULWARK_REPORT_DIR) or the C([bulwark]) section of C(ansible.cfg),
        the reports are written to exactly that directory.
    type: path
    default: ./reports/
    env:
      - name: BULWARK_REPORT_DIR
    ini:
      - section: bulwark
        key: report_dir
  fail_on:
    description:
      - End C(ansible-playbook) with exit code 10 when any finding is at least this bad
        (V(error) > V(fail) > V(drift) > V(manual)). V(drift) suits a scheduled C(--check) run.
      - V(pass), V(fixed) and V(waived) never fail a run, so naming one of them behaves like V(manual).
      - A task that failed without findings counts as V(error).
      - Not set, or V(never), never changes the exit code. Any other value that is not a status
        ends the run with exit code 5, so a typo cannot turn a failing audit green.
      - When the run already fails (a failed or unreachable host), Ansible's own exit code is kept.
    type: str
    env:
      - name: BULWARK_FAIL_ON
    ini:
      - section: bulwark
        key: fail_on
notes:
  - The exit code is set by ending the process from C(v2_playbook_on_stats) after the reports
    are written and the summary printed (see the comment in the code for why). Callbacks listed
    after this one in C(callbacks_enabled) do not receive C(v2_playbook_on_stats) in that case,
    so list C(bulwark.aws.drift_report) last.
  - With several playbooks on one command line the reports are rewritten after each playbook
    and hold every playbook run so far; the exit code is decided after the last one.
seealso:
  - name: Drift reports
    description: Scheduled audits in CI, JUnit, BULWARK_FAIL_ON, waivers.
    link: https://github.com/bulwark-aws/bulwark.aws/blob/main/docs/drift-reports.md
"""

import datetime
import json
import os
import re
import threading
import xml.etree.ElementTree as ET

from ansible import context
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.callback import CallbackBase

from ansible_collections.bulwark.aws.plugins.module_utils import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.findings import SEVERITY_RANK, STATUSES

SCHEMA = "bulwark.aws/report/v1"
FILES = ("report.json", "report.md", "report.junit.xml")
# The order of the summary columns (pass first: the column people read first).
SUMMARY_STATUSES = ("pass", "drift", "fixed", "fail", "manual", "error", "waived")
FINDING_KEYS = ("control", "status", "resource", "region", "message")
# Exit codes. ansible-playbook uses 0-5, 99 and 250; 10 means "the audit ran and found what
# BULWARK_FAIL_ON asks to fail on", so CI can tell findings from a broken run.
EXIT_FINDINGS = 10
EXIT_BAD_FAIL_ON = 5
FAIL_ON_OFF = ("", "never", "none", "off", "false", "no")
# Tasks that print or copy registered results: their `findings` are echoes, not new findings.
_ECHO_ACTIONS = ("debug", "set_fact", "assert", "fail", "copy", "template", "set_stats")
_STATUS_ORDER = dict((s, i) for i, s in enumerate(STATUSES))
_CONTROL_ORDER = dict((c.id, i) for i, c in enumerate(catalogue.all_controls()))
_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MESSAGE_LIMIT = 2000


# --- collecting ----------------------------------------------------------------------------

def _text(value, limit=_MESSAGE_LIMIT):
    text = to_text(value if value is not None else "", errors="surrogate_or_replace")
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return text if len(text) <= limit else text[:limit - 1] + u"\u2026"


def _short_action(action):
    return (action or "").rsplit(".", 1)[-1]


def is_bulwark_action(action):
    return (action or "").startswith("bulwark.aws.")


class _Account:
    """What one host (one AWS account) contributed so far."""

    def __init__(self, host):
        self.host = host
        self.account_id = None
        self.findings = []
        self.errors = []
        self._seen = set()

    def add_finding(self, item):
        key = tuple(item[k] for k in FINDING_KEYS)
        if key not in self._seen:  # the same finding echoed twice is one finding
            self._seen.add(key)
            self.findings.append(item)

    def add_error(self, task, message):
        entry = {"task": _text(task, 300), "message": _text(message)}
        if entry not in self.errors:
            self.errors.append(entry)


class Collector:
    """Findings and task errors per host, behind a lock. Callbacks run in the controller
    process, but not all on one thread: in ansible-core 2.19 task results are dispatched on the
    main thread while per-item and retry events come from the strategy's results thread. This
    plugin reads final task results only (a loop's items are in its final result), and the
    lock keeps it correct should events of several hosts ever arrive concurrently."""

    def __init__(self):
        self._lock = threading.Lock()
        self._accounts = {}
        self._pending_failure = {}  # host -> (task, message) of its last non-bulwark failure
        self._inventory_account = {}  # host -> account_id host variable (organization inventory)

    def _account(self, host):
        if host not in self._accounts:
            self._accounts[host] = _Account(host)
        return self._accounts[host]

    def note_host(self, host, host_vars):
        """Remember the inventory's account_id for a host, for accounts that return no finding."""
        value = to_text((host_vars or {}).get("account_id") or "")
        if _ACCOUNT_ID.match(value):
            with self._lock:
                self._inventory_account.setdefault(host, value)

    def task_result(self, host, task_name, action, result, failed=False, ignored=False, unreachable=False):
        """Record one task's result dict (a loop's items included)."""
        result = result if isinstance(result, dict) else {}
        bulwark = is_bulwark_action(action)
        items = result.get("results") if isinstance(result.get("results"), list) else None
        with self._lock:
            if unreachable:
                self._pending_failure[host] = (task_name, "host unreachable: %s" % _text(result.get("msg"), 500))
                if bulwark:
                    self._account(host)
                return
            if items is not None and "findings" not in result:
                relevant = bulwark
                for n, item in enumerate(items):
                    if isinstance(item, dict) and not item.get("skipped"):
                        label = "%s (item %d)" % (task_name, n + 1)
                        relevant = self._one(host, label, action, item, bool(item.get("failed")), bulwark) or relevant
                if failed and not relevant and not ignored:
                    self._pending_failure[host] = (task_name, self._failure_message(result))
                return
            if not self._one(host, task_name, action, result, failed, bulwark) and failed and not ignored:
                self._pending_failure[host] = (task_name, self._failure_message(result))

    @staticmethod
    def _failure_message(result):
        if result.get("censored"):
            return "the task failed; its output is hidden (no_log)"
        return _text(result.get("msg") or result.get("message") or "the task failed (no message)")

    def _one(self, host, task_name, action, result, failed, bulwark):
        """One result (or loop item). Returns True when it was a bulwark result."""
        findings = result.get("findings")
        looks_like_findings = isinstance(findings, list) and _short_action(action) not in _ECHO_ACTIONS
        if not bulwark and not looks_like_findings:
            return False
        account = self._account(host)
        self._pending_failure.pop(host, None)
        account_id = to_text(result.get("account_id") or "")
        if _ACCOUNT_ID.match(account_id) and account.account_id is None:
            account.account_id = account_id
        for raw in findings if isinstance(findings, list) else []:
            problem = self._add_finding(account, raw)
            if problem:
                account.add_error(task_name, problem)
        if failed:
            account.add_error(task_name, self._failure_message(result))
        elif result.get("censored"):
            # Silently missing findings would read as "nothing to report": say so instead.
            account.add_error(task_name, "the task's output is hidden (no_log), so its findings are not in this report")
        return True

    @staticmethod
    def _add_finding(account, raw):
        """Add a finding, or return why it cannot be part of the report."""
        if not isinstance(raw, dict):
            return "a finding that is not a dict was left out of the report"
        control = to_text(raw.get("control") or "")
        status = to_text(raw.get("status") or "")
        if control not in catalogue.CONTROLS:
            return "a finding for %r was left out of the report: not a control id of the catalogue" % control
        if status not in _STATUS_ORDER:
            return "a finding for %s with unknown status %r was left out of the report" % (control, status)
        account.add_finding({
            "control": control,
            "status": status,
            "resource": _text(raw.get("resource") or "account", 500),
            "region": _text(raw.get("region") or "global", 100),
            "message": _text(raw.get("message")),
        })
        return None

    def stats(self, summaries):
        """At the end of a playbook: a host that ended failed or unreachable without a bulwark
        error of its own gets one error, so no account silently drops out of the report.
        ``summaries`` is {host: {"failures": n, "unreachable": n, ...}}."""
        with self._lock:
            for host, summary in summaries.items():
                if not (summary.get("failures") or summary.get("unreachable")):
                    continue
                pending = self._pending_failure.pop(host, None)
                account = self._accounts.get(host)
                if pending:
                    self._account(host).add_error(*pending)
                elif account is None or not account.errors:
                    self._account(host).add_error("(play)", "the play failed on this host before it finished; "
                                                            "see the play output")

    def accounts(self):
        with self._lock:
            out = []
            for host, account in self._accounts.items():
                out.append(dict(host=host, account_id=account.account_id or self._inventory_account.get(host),
                                findings=list(account.findings), errors=list(account.errors)))
            return out


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
    """The report.json document from Collector.accounts()."""
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
    An underscore inside a word (min_length) is left alone: it never starts emphasis."""
    text = re.sub(r"([\\|*`<\[\]])", r"\\\1", _text(text))
    return re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\\_", text)


def _code(text):
    return "`%s`" % _text(text, 500).replace("`", "'")


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
            account.get("account_id") or "unknown", _code(account["host"]),
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


def parse_fail_on(value):
    """(threshold status or None, problem or None) for a BULWARK_FAIL_ON value."""
    text = to_text(value if value is not None else "").strip().lower()
    if text in FAIL_ON_OFF:
        return None, None
    if text not in SEVERITY_RANK:
        return None, ("BULWARK_FAIL_ON=%s is not a status (one of %s, or never)"
                      % (value, ", ".join(STATUSES)))
    return text, None


def at_least(report, threshold):
    """How many findings (and task errors) are at least as bad as ``threshold``."""
    floor = max(SEVERITY_RANK[threshold], 1)  # pass, fixed and waived never fail a run
    n = sum(1 for a in report["accounts"] for f in a["findings"] if SEVERITY_RANK[f["status"]] >= floor)
    if SEVERITY_RANK["error"] >= floor:
        n += sum(len(a["errors"]) for a in report["accounts"])
    return n


# --- where the files go --------------------------------------------------------------------

def _write(path, data):
    """Write atomically with mode 0600: the report names weak spots of the account."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    os.replace(tmp, path)


def timestamped_dir(base, now):
    """A new directory base/<UTC timestamp> (suffix -2, -3 ... when taken); base/latest points at it."""
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


def write_report(report, directory):
    os.makedirs(directory, exist_ok=True)
    _write(os.path.join(directory, "report.json"), render_json(report))
    _write(os.path.join(directory, "report.md"), render_markdown(report))
    _write(os.path.join(directory, "report.junit.xml"), render_junit(report))


# --- the callback --------------------------------------------------------------------------

def _result_parts(result):
    """(host object, task object, result dict) of a callback TaskResult, ansible-core 2.17 and later."""
    host = getattr(result, "host", None) or getattr(result, "_host")
    task = getattr(result, "task", None) or getattr(result, "_task")
    data = result.result if hasattr(result, "result") else result._result
    return host, task, data


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bulwark.aws.drift_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.collector = Collector()
        self.report_dir = None
        self.report = None
        self._playbooks_started = 0
        self._fail_on_warned = False

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super(CallbackModule, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        problem = parse_fail_on(self.get_option("fail_on"))[1]
        if problem and not self._fail_on_warned:
            self._fail_on_warned = True
            self._display.warning("%s; the run will end with exit code %d" % (problem, EXIT_BAD_FAIL_ON))

    # --- events ----------------------------------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        self._playbooks_started += 1

    def _record(self, result, failed=False, ignored=False, unreachable=False):
        host, task, data = _result_parts(result)
        name = host.get_name()
        self.collector.note_host(name, getattr(host, "vars", None))
        action = getattr(task, "resolved_action", None) or task.action
        self.collector.task_result(name, task.get_name(), action, data, failed=failed, ignored=ignored,
                                   unreachable=unreachable)

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        self.collector.stats(dict((h, stats.summarize(h)) for h in stats.processed))
        accounts = self.collector.accounts()
        mode = "check" if context.CLIARGS.get("check") else "apply"
        self.report = build_report(accounts, mode)
        if accounts or self.report_dir is not None or not self._report_dir_is_default():
            # (no bulwark task ran and no directory was asked for: ./reports/ stays as it is)
            where = None
            try:
                if self.report_dir is None:
                    self.report_dir = self._resolve_report_dir()
                write_report(self.report, self.report_dir)
                where = self.report_dir
            except (OSError, IOError) as e:
                self._display.warning("drift_report: could not write the reports to %s: %s"
                                      % (self.report_dir or self.get_option("report_dir"), e))
            self._display.banner("BULWARK DRIFT REPORT (%s)" % mode, cows=False)
            for line in summary_lines(self.report, where):
                self._display.display(line)
        self._exit_if_asked(stats)

    # --- helpers ---------------------------------------------------------------------------
    def _report_dir_is_default(self):
        try:
            return self.get_option_and_origin("report_dir")[1] == "default"
        except (AttributeError, KeyError):  # ansible-core < 2.19 keeps no origins
            return self.get_option("report_dir") == os.path.abspath("reports")

    def _resolve_report_dir(self):
        directory = self.get_option("report_dir") or os.path.abspath("reports")
        if self._report_dir_is_default():
            return timestamped_dir(directory, datetime.datetime.now(datetime.timezone.utc))
        return directory

    def _last_playbook(self):
        playbooks = context.CLIARGS.get("args") or ()
        return self._playbooks_started >= len(playbooks)

    def _exit_if_asked(self, stats):
        """BULWARK_FAIL_ON. ansible-playbook's exit code is computed by the PlaybookExecutor from
        failed and unreachable hosts before v2_playbook_on_stats is sent, and no callback can
        change it: marking a host failed is impossible once the play is over, a final task in
        the playbook would tie the feature to our playbooks, and an exception raised here is
        caught by the callback dispatcher (an Exception becomes a warning under the default
        _CALLBACK_DISPATCH_ERROR_BEHAVIOR). SystemExit is not an Exception: it passes the
        dispatcher, the executor's `finally` (cleanup) and the CLI's handlers, and becomes the
        process's exit code. So this ends the run here, after the reports are written and the
        summary printed, only after the last playbook, and only when Ansible itself would exit 0."""
        threshold, problem = parse_fail_on(self.get_option("fail_on"))
        if not (threshold or problem) or not self._last_playbook():
            return
        failed_hosts = [h for h in stats.processed if stats.summarize(h).get("failures")
                        or stats.summarize(h).get("unreachable")]
        if problem:
            self._display.error("%s." % problem)
            code = EXIT_BAD_FAIL_ON
        else:
            n = at_least(self.report, threshold) if self.report else 0
            if not n:
                self._display.display("BULWARK_FAIL_ON=%s: no finding is %s or worse" % (threshold, threshold))
                return
            self._display.error("BULWARK_FAIL_ON=%s: %d finding(s) or task error(s) are %s or worse"
                                % (threshold, n, threshold), wrap_text=False)
            code = EXIT_FINDINGS
        if failed_hosts:
            # ansible-playbook already exits non-zero for failed or unreachable hosts: keep its code.
            self._display.display("ansible-playbook ends with its own failure code (failed or unreachable hosts)")
            return
        raise SystemExit(code)

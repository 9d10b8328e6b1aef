# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render: the report document as report.json, report.md and report.junit.xml (text or bytes).

Every name and message in the document came from an account (user names, bucket names, AWS
error messages): the Markdown escapes what would break a line, a table or become a link, the
XML replaces what XML 1.0 cannot carry. Writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import xml.etree.ElementTree as ET

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.collect import account_label, control_rank, counts
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.text import one_line

# The order of the count columns (pass first: the column people read first).
SUMMARY_STATUSES = ("pass", "drift", "fixed", "fail", "manual", "error", "waived")
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _md(text):
    """Text for one Markdown line: no line break, table cell break, HTML, link or emphasis.
    An underscore inside a word (min_length) is left alone: it never starts emphasis. GitHub
    turns www.x, scheme://x and name@domain into links (a user named www.example.com): an
    escaped dot, colon or at sign keeps them text."""
    text = re.sub(r"([\\|*`<\[\]])", r"\\\1", one_line(text))
    text = re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\\_", text)
    text = re.sub(r"(?i)\b(www)\.", r"\1\\.", text)
    return text.replace("://", "\\://").replace("@", "\\@")


def _code(text, table_cell=False):
    """A code span showing ``text`` exactly: a fence longer than any run of backticks inside it;
    in a table cell a pipe is escaped, which GitHub's tables need even inside code."""
    text = one_line(text, 500)
    longest = max([len(run) for run in re.findall(r"`+", text)] or [0])
    if longest:
        text = " %s " % text
    if table_cell:
        text = text.replace("|", "\\|")
    return "`" * (longest + 1) + text + "`" * (longest + 1)


def _percent(value):
    return "n/a" if value is None else "%d%%" % int(round(value * 100))


def _where(regions):
    """The regions of a control line, folded: nothing for global only, up to three named, else counted."""
    regions = [r for r in regions if r != "global"]
    if not regions:
        return ""
    if len(regions) <= 3:
        return " in %s" % ", ".join(_md(r) for r in regions)
    return " in %d regions" % len(regions)


def _on(resources):
    if len(resources) == 1:
        return " on %s" % _code(resources[0])
    return " on %d resources" % len(resources)


def _same_but_region(findings):
    """[(finding, its regions)]: findings that differ only in their region, once, in first-seen order
    (the same control, status, resource and message in 20 regions is one line)."""
    groups, order = {}, []
    for f in findings:
        key = (f["status"], f["control"], f["resource"], f["message"])
        if key not in groups:
            groups[key] = (f, [])
            order.append(key)
        groups[key][1].append(f["region"])
    return [groups[key] for key in order]


def _framework_lines(report):
    lines = ["", "## Framework scores", "",
             "Score = passed / (passed + failed) requirements; manual, error and not evaluated ones are left out.", "",
             "| framework | score | pass | fail | manual | error | not evaluated |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for fw in (report.get("frameworks") or {}).values():
        c = fw["counts"]
        lines.append("| %s | %s | %d | %d | %d | %d | %d |" % (
            _md(fw["name"]), _percent(fw["score"]["overall"]), c["pass"], c["fail"], c["manual"], c["error"],
            c["not_evaluated"]))
    for fw in (report.get("frameworks") or {}).values():
        if len(fw["score"]["accounts"]) > 1:
            lines.append("")
            lines.append("%s per account: %s." % (_md(fw["name"]), ", ".join(
                "%s %s" % (_md(a), _percent(v)) for a, v in sorted(fw["score"]["accounts"].items()))))
    return lines


def _change_lines(entries, limit):
    """One line per account, control and status of change entries, their resources and regions folded."""
    groups = {}
    for e in entries:
        key = (e.get("account_id") or e["host"], e["control"], e["status"])
        group = groups.setdefault(key, ({}, {}))
        group[0][e["resource"]] = True
        group[1][e["region"]] = True
    lines = ["- %s %s %s%s%s" % (_md(account), _code(control), status, _on(sorted(resources)), _where(sorted(regions)))
             for (account, control, status), (resources, regions) in groups.items()]
    if len(lines) > limit:
        lines = lines[:limit] + ["- ... and %d more (report.json has them all)" % (len(lines) - limit)]
    return lines


def _changes_lines(report, limit=20):
    changes = report.get("changes") or {}
    lines = ["", "## Changes since the last report", ""]
    if changes.get("note"):
        lines.append("No comparison: %s." % _md(changes["note"]))
        return lines
    if not changes.get("baseline"):
        lines.append("No earlier report to compare with (set `BULWARK_BASELINE` to a report.json or run directory).")
        return lines
    lines.append("Against the report of %s (%s): **%d new**, %d resolved, %d persisting drift, fail or error finding(s)."
                 % (_md(changes.get("baseline_generated_at") or "an unknown time"), _code(changes["baseline"]),
                    len(changes["new"]), len(changes["resolved"]), len(changes["persisting"])))
    for name in ("new", "resolved"):
        if changes[name]:
            lines += ["", "%s:" % name.capitalize(), ""]
            lines += _change_lines(changes[name], limit)
    return lines


def _control_lines(report):
    open_controls = [c for c in report.get("controls") or [] if c["status"] != "pass"]
    lines = ["", "## Controls that are not pass, worst first", ""]
    if not open_controls:
        return lines + ["Every control passes."]
    for c in open_controls:
        worst = c["status"]
        lines.append("- **%s** %s (%s) %s%s%s: %s" % (
            worst, _code(c["control"]), c["severity"], _md(c.get("account_id") or c["host"]),
            _on(c["resources"][worst]), _where(c["regions"][worst]), _md(c["title"])))
        lines.append("  - Remediation: %s" % _md(catalogue.get(c["control"]).remediation))
    return lines


def render_markdown(report):
    """report.md (text): the totals, the framework scores, the changes since the last report, one
    line per control that is not pass (regions folded, worst first, with its remediation), then
    per account its task errors and every finding that is not pass, worst first, compact."""
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
    lines += _framework_lines(report) + _changes_lines(report) + _control_lines(report)
    lines += ["", "## Detail per account"]
    for account in report["accounts"]:
        c = counts(account["findings"])
        lines += ["", "### %s" % _md(account_label(account)), ""]
        summary = ", ".join("%d %s" % (c[s], s) for s in STATUSES if c[s])
        lines.append("%d finding(s)%s." % (len(account["findings"]), ": " + summary if summary else ""))
        if account["errors"]:
            lines += ["", "#### Task errors", ""]
            for error in account["errors"]:
                lines.append("- **error** in task %s: %s" % (_code(error["task"]), _md(error["message"])))
        open_findings = [f for f in account["findings"] if f["status"] != "pass"]
        if open_findings:
            lines += ["", "#### Findings that are not pass, worst first", ""]
            for f, regions in _same_but_region(open_findings):
                where = _md(regions[0]) if len(regions) == 1 else "%d regions: %s" % (
                    len(regions), ", ".join(_md(r) for r in regions))
                lines.append("- **%s** %s on %s (%s): %s" % (
                    f["status"], _code(f["control"]), _code(f["resource"]), where, _md(f["message"])))
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
        for control in sorted(by_control, key=control_rank):
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
                body = ET.SubElement(case, tag, message=_xml(one_line(message, 500)), type=worst)
                body.text = _xml("%s\n\nRemediation: %s" % (details, catalogue.get(control).remediation))
            elif worst in ("manual", "waived"):
                n["skipped"] += 1
                body = ET.SubElement(case, "skipped", message=_xml(one_line(message, 500)))
                body.text = _xml(details)
            else:
                ET.SubElement(case, "system-out").text = _xml(details)
        for n_error, error in enumerate(account["errors"]):
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name="task error %d: %s" % (n_error + 1, _xml(error["task"])), time="0")
            n["tests"] += 1
            n["errors"] += 1
            body = ET.SubElement(case, "error", message=_xml(one_line(error["message"], 500)), type="task_error")
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
    """report.json (text): the document as is."""
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"

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


# An ARN: arn:<partition>:<service>:<region>:<account id>:<resource>.
_ARN = re.compile(r"^arn:[^:]+:([^:]+):([^:]*):([^:]*):(.+)$")
# The words of a message, between separators (white space, brackets, quotes, commas, semicolons,
# and a colon or full stop that ends a word): what may differ between the findings of one line.
_WORDS = re.compile(r"([^\s(),;\[\]{}\"']*[^\s(),;\[\]{}\"':.])")
# The messages of one line differ in at most this many words, and in at most a third of them;
_MAX_SLOTS = 3
# in words other than the resource's own name or region only on a line of this many resources.
_MIN_FOR_WORDS = 4
_GAP = u"\u2026"
_DETAIL_NOTE = (
    u"Findings in several regions, and findings of a control whose messages differ only in a few words, "
    u"share a line: the message with \u2026 where they differ, then each resource with its region and its own "
    u"words. An ARN of the account's own resource reads `service:resource`. report.json has every finding whole.")


def _short(resource, account_id, regions):
    """How report.md names a resource: an ARN of the account's own resource (its account id, or
    none) in one of ``regions`` (or in none) as <service>:<resource>, since the line names the
    account and the region already; any other name as it is."""
    m = _ARN.match(resource)
    if not m:
        return resource
    service, region, account, rest = m.groups()
    if account not in ("", account_id or "") or (region and region not in regions):
        return resource
    return "%s:%s" % (service, rest)


def _fold(names, universe, noun, plural, say_noun=False):
    """The shorter way to name ``names`` out of ``universe`` (Markdown): up to three by name
    (after the noun when ``say_noun``); all of a larger universe as 'every <noun> (n)'; else
    'n <plural>: <names>' or 'every <noun> but <the others> (n)', whichever is shorter."""
    names = sorted(set(names))
    universe = sorted(set(universe) | set(names))
    listed = ", ".join(_md(n) for n in names)
    if len(names) <= 3:
        return "%s %s" % (noun if len(names) == 1 else plural, listed) if say_noun else listed
    if names == universe:
        return "every %s (%d)" % (noun, len(names))
    listed = "%d %s: %s" % (len(names), plural, listed)
    but = "every %s but %s (%d)" % (noun, ", ".join(_md(n) for n in universe if n not in names), len(names))
    return but if len(but) < len(listed) else listed


def _where(regions, universe):
    """' in <regions>' of a line: nothing for global only, else folded against ``universe``, the
    regions of every finding of the account(s): 'every region (20)' is every region the run
    evaluated there."""
    regions = [r for r in regions if r != "global"]
    if not regions:
        return ""
    return " in %s" % _fold(regions, universe, "region", "regions")


def _on(resources, count=None):
    resources = sorted(set(resources))
    if len(resources) == 1:
        return " on %s" % _code(resources[0])
    return " on %d resources" % (count or len(resources))


def _account_key(account):
    return account.get("account_id") or account["host"]


def _labels(report):
    """{(host, account id): how report.md names the account}: its id, '<id> (<host>)' when
    several hosts have that id, the host when the id is unknown."""
    ids = [a.get("account_id") for a in report["accounts"]]
    return dict(((a["host"], a.get("account_id")),
                 account_label(a) if a.get("account_id") and ids.count(a["account_id"]) > 1 else _account_key(a))
                for a in report["accounts"])


def _universes(report):
    """{account id (else host): the regions of every finding of that account}, without the
    pseudo-regions global (IAM, the account) and all (a finding about every region at once)."""
    out = {}
    for account in report["accounts"]:
        out.setdefault(_account_key(account), set()).update(
            f["region"] for f in account["findings"] if f["region"] not in ("global", "all"))
    return out


def _without_remediation(message, control):
    """The message, without the control's remediation when it repeats it word for word (the
    control's line says it)."""
    remediation = catalogue.get(control).remediation.rstrip(".")
    if len(remediation) >= 40 and remediation in message:
        return message.replace(remediation, "see the control's remediation")
    return message


def _by_region(findings, account_id):
    """[(control, resource, name, message, [regions], message words)]: the findings (of one control
    and status) that differ only in their region, once, in first-seen order; ``name`` is the
    resource as report.md shows it (_short: the same rule's ARN in each region is one name)."""
    entries, order = {}, []
    for f in findings:
        name = _short(f["resource"], account_id, [f["region"]])
        message = _without_remediation(f["message"], f["control"])
        if (name, message) not in entries:
            entries[(name, message)] = (f["control"], f["resource"], name, message, [], _WORDS.split(message))
            order.append((name, message))
        entries[(name, message)][4].append(f["region"])
    return [entries[key] for key in order]


def _differ(first, entry, slots):
    """``slots`` and the word positions in which the message of ``entry`` differs from that of
    ``first``, or None when it differs in anything else (separators, length) or in too many words."""
    a, b = first[5], entry[5]
    if len(a) != len(b) or a[0::2] != b[0::2]:
        return None
    slots = slots | set(i for i in range(1, len(a), 2) if a[i] != b[i])
    if len(slots) > _MAX_SLOTS or 3 * len(slots) > len(a) // 2:
        return None
    return slots


def _own_words(entries, slots):
    """Of ``slots``, the positions where some message says more than its own resource's name (or
    ARN, or the last part of it) or its one region."""
    out = []
    for i in sorted(slots):
        for _control, resource, name, _message, regions, words in entries:
            own = set([resource, name, resource.rsplit("/", 1)[-1], resource.rsplit(":", 1)[-1]])
            own.update(regions[:1] if len(regions) == 1 else [])
            if words[i] not in own:
                out.append(i)
                break
    return out


def _lines_of(groups):
    """[(entries, slots)] of (entries, slots) groups: each group whose one line is clear (a
    single finding; messages that differ only in each one's resource name or region; other words
    only on a line of _MIN_FOR_WORDS or more), else each of its entries alone."""
    out = []
    for entries, slots in groups:
        if len(entries) == 1 or len(entries) >= _MIN_FOR_WORDS or not _own_words(entries, slots):
            out.append((entries, slots))
        else:
            out += [([entry], set()) for entry in entries]
    return out


def _same_message(entries):
    """[(entries, slots)]: the entries of one control and status whose messages differ in a few
    words at most, together, in first-seen order (_lines_of)."""
    groups = []
    for entry in entries:
        for group in groups:
            slots = _differ(group[0][0], entry, group[1])
            if slots is not None:
                group[0].append(entry)
                group[1] = slots
                break
        else:
            groups.append([[entry], set()])
    return _lines_of(groups)


def _same_resource(groups):
    """[(entries, slots)]: runs of single findings of consecutive controls on the same resource and
    regions whose messages differ in a few words (the fifteen CIS metric filters of one log
    group), together (_lines_of); the other groups as they are."""
    out, run = [], [[], set()]
    for entries, slots in groups + [(None, None)]:
        if entries is not None and len(entries) == 1 and run[0]:
            first, entry = run[0][0], entries[0]
            together = _differ(first, entry, run[1]) if (entry[2], sorted(entry[4])) == (first[2], sorted(first[4])) \
                else None
            if together is not None:
                run[0].append(entry)
                run[1] = together
                continue
        if run[0]:
            out += _lines_of([run])
            run = [[], set()]
        if entries is not None and len(entries) == 1:
            run = [list(entries), set()]
        elif entries is not None:
            out.append((entries, slots))
    return out


def _finding_lines(status, entries, slots, universe):
    """A line of findings of one status: one finding, its regions folded, its message; or several
    (resources of one control, or controls on one resource), the message once with a gap where
    they differ, then each resource (or control), its region and its own words."""
    if len(entries) == 1:
        control, _resource, name, message, regions, _words = entries[0]
        return ["- **%s** %s on %s%s: %s" % (status, _code(control), _code(name), _where(regions, universe),
                                             _md(message))]
    own = _own_words(entries, slots)
    template = list(entries[0][5])
    for i in slots:
        template[i] = _GAP
    words = [[e[5][i] for i in own] for e in entries]
    # a gap that says in every message what an earlier gap says (put metric filter X, put alarm X): once
    keep = [k for k in range(len(own)) if not any(all(w[j] == w[k] for w in words) for j in range(k))]
    words = [[w[k] for k in keep] for w in words]
    where = _where([r for e in entries for r in e[4]], universe)
    controls = list(dict.fromkeys(e[0] for e in entries))
    if len(controls) == 1:
        line = "- **%s** %s%s%s: %s" % (status, _code(controls[0]), _on([e[2] for e in entries]), where,
                                        _md("".join(template)))
        items = [_code(e[2]) + _where(e[4], universe) for e in entries]
    else:
        line = "- **%s** %d controls on %s%s: %s" % (status, len(controls), _code(entries[0][2]), where,
                                                     _md("".join(template)))
        items = [_code(e[0]) for e in entries]
    return [line, "  - " + "; ".join(item + (": " + ", ".join(_md(x) for x in w) if w else "")
                                     for item, w in zip(items, words))]


def _detail_lines(account, universe):
    """The findings of an account that are not pass, worst first, folded (_DETAIL_NOTE)."""
    by_control, order = {}, []
    for f in account["findings"]:
        if f["status"] != "pass":
            if (f["status"], f["control"]) not in by_control:
                order.append((f["status"], f["control"]))
            by_control.setdefault((f["status"], f["control"]), []).append(f)
    lines = []
    for status in dict.fromkeys(s for s, _c in order):
        groups = []
        for _s, control in [key for key in order if key[0] == status]:
            groups += _same_message(_by_region(by_control[(status, control)], account.get("account_id")))
        for entries, slots in _same_resource(groups):
            lines += _finding_lines(status, entries, slots, universe)
    return lines


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


def _change_lines(entries, limit, universes):
    """One line per account, control and status of change entries, their resources and regions folded."""
    groups = {}
    for e in entries:
        account = e.get("account_id") or e["host"]
        group = groups.setdefault((account, e["control"], e["status"]), ({}, {}))
        group[0][_short(e["resource"], e.get("account_id"), [e["region"]])] = True
        group[1][e["region"]] = True
    lines = ["- %s %s %s%s%s" % (_md(account), _code(control), status, _on(resources),
                                 _where(regions, universes.get(account) or regions))
             for (account, control, status), (resources, regions) in groups.items()]
    if len(lines) > limit:
        lines = lines[:limit] + ["- ... and %d more (report.json has them all)" % (len(lines) - limit)]
    return lines


def _changes_lines(report, universes, limit=20):
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
            lines += _change_lines(changes[name], limit, universes)
    return lines


def _control_lines(report, universes):
    """One line per control that is not pass, over every account, worst first then catalogue
    order: its worst status, the accounts (when several) with it, its resources and regions
    folded, its title, how many findings have a lesser status; then its remediation."""
    by_control, order = {}, []
    for c in report.get("controls") or []:
        if c["status"] != "pass":
            if c["control"] not in by_control:
                order.append(c["control"])
            by_control.setdefault(c["control"], []).append(c)
    lines = ["", "## Controls that are not pass, worst first", ""]
    if not order:
        return lines + ["Every control passes."]
    labels = _labels(report)
    for control in order:
        entries = by_control[control]
        worst = entries[0]["status"]  # the controls view is worst first
        at_worst = [e for e in entries if e["status"] == worst]
        accounts = ""
        if len(report["accounts"]) > 1:
            accounts = " in %s" % _fold([labels.get((e["host"], e["account_id"]), e["account_id"] or e["host"])
                                         for e in at_worst], labels.values(), "account", "accounts", say_noun=True)
        resources = [_short(r, e["account_id"], e["regions"][worst]) for e in at_worst for r in e["resources"][worst]]
        universe = set()
        for e in at_worst:
            universe |= universes.get(e["account_id"] or e["host"], set())
        others = {}
        for e in entries:
            for status, n in e["counts"].items():
                if status not in ("pass", worst):
                    others[status] = others.get(status, 0) + n
        also = " (also %s)" % ", ".join("%d %s" % (others[s], s) for s in STATUSES if s in others) if others else ""
        lines.append("- **%s** %s (%s)%s%s%s%s: %s. Remediation: %s" % (
            worst, _code(control), entries[0]["severity"], accounts, _on(resources, len(resources)),
            _where([r for e in at_worst for r in e["regions"][worst]], universe), also, _md(entries[0]["title"]),
            _md(catalogue.get(control).remediation)))
    return lines


def render_markdown(report):
    """report.md (text): the totals, the framework scores, the changes since the last report, one
    line per control that is not pass over every account (regions and accounts folded, worst
    first, with its remediation), then per account its task errors and the findings that are
    not pass, worst first, folded (_DETAIL_NOTE)."""
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
    universes = _universes(report)
    lines += _framework_lines(report) + _changes_lines(report, universes) + _control_lines(report, universes)
    lines += ["", "## Detail per account", "", _DETAIL_NOTE]
    for account in report["accounts"]:
        c = counts(account["findings"])
        lines += ["", "### %s" % _md(account_label(account)), ""]
        summary = ", ".join("%d %s" % (c[s], s) for s in STATUSES if c[s])
        lines.append("%d finding(s)%s." % (len(account["findings"]), ": " + summary if summary else ""))
        if account["errors"]:
            lines += ["", "#### Task errors", ""]
            for error in account["errors"]:
                lines.append("- **error** in task %s: %s" % (_code(error["task"]), _md(error["message"])))
        detail = _detail_lines(account, universes.get(_account_key(account), set()))
        if detail:
            lines += ["", "#### Findings that are not pass, worst first", ""] + detail
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

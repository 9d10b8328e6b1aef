# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summary: the lines a person reads at the end of a run (the report role prints them).

    bulwark.aws drift report (check)
    prod-123456789012: 4 pass, 143 drift, 21 fail, 3 manual, 20 error
      iam.access_analyzer error in 20 regions: access-analyzer ListAnalyzers failed: AccessDenied
      root.mfa fail: the root user has no MFA device
      iam.user_mfa fail: 3 users
      guardduty.enabled drift in 17 regions
      ... and 31 more controls (12 fail, 19 drift), see report.md
    reports: /home/ops/bulwark-reports/20261206T040000Z (report.md, report.html, report.json, report.junit.xml);
    BULWARK_FAIL_ON=drift: the run fails, 184 finding(s) or task error(s) are drift or worse

(The last two lines are one.) Per account one line of counts, then one line per control that is not pass, its findings
folded (regions, users, keys: counted, not listed), worst first and at most
``MAX_CONTROL_LINES``; the files have the rest (every message, every resource). Built from the
report document only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import gate as gate_mod
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.collect import control_rank, counts
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.render import SUMMARY_STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.text import ELLIPSIS, one_line

# The order of the per-control lines. error first: the control was not checked at all, so its
# verdict is unknown and may hide anything below it. Then fail (a person has to act: bulwark
# cannot or may not fix it) and drift (the next apply fixes it). fixed follows the open ones:
# it is what this run changed in the accounts, the thing to review after an apply. manual and
# waived come last: they are the same every run until a person acts or the waiver expires.
# The cap cuts from the end of this order, so what it hides is the least urgent.
LINE_ORDER = ("error", "fail", "drift", "fixed", "manual", "waived")
# Lines under an account's count line, so 100 accounts print at most ~1,700 lines.
MAX_CONTROL_LINES = 15
# How much of a finding's or task error's message a line shows; report.md has all of it.
MESSAGE_LIMIT = 72
_LINE_RANK = dict((s, i) for i, s in enumerate(LINE_ORDER))
# Controls whose findings name a user by its bare name (no "user/" or ARN before it).
_USER_CONTROLS = ("iam.user_mfa", "iam.no_keys_at_setup", "iam.unused_credentials", "iam.one_active_key",
                  "iam.key_rotation", "iam.permissions_via_groups")
# What a resource is, by the type in its ARN or its "<type>/" prefix.
_NOUNS = {"user": "user", "group": "group", "role": "role", "policy": "policy", "key": "key",
          "server-certificate": "certificate", "trail": "trail", "log-group": "log group", "alias": "alias"}
_PLURALS = {"policy": "policies", "alias": "aliases"}


def _n(count, noun):
    return "%d %s" % (count, noun if count == 1 else _PLURALS.get(noun, noun + "s"))


def _short(text, limit=MESSAGE_LIMIT):
    return one_line(text, limit)


def _noun(control, resource):
    """What one resource of a finding is: user, key, policy, bucket ..., else resource."""
    if resource.startswith("arn:"):
        parts = resource.split(":", 5)
        if len(parts) == 6:
            if parts[2] == "s3" and "/" not in parts[5]:
                return "bucket"
            return _NOUNS.get(re.split(r"[/:]", parts[5], maxsplit=1)[0], "resource")
    kind, slash, _name = resource.partition("/")
    if slash and kind in _NOUNS:
        return _NOUNS[kind]
    return "user" if control in _USER_CONTROLS else "resource"


def _distinct(values):
    return list(dict.fromkeys(values))


def _fold(control, findings):
    """Where the findings of one control and status are, counted: " in 17 regions",
    ": 3 users", ": 5 keys in 3 regions", " in eu-west-1", or "" for one global finding."""
    regions = _distinct(f["region"] for f in findings if f["region"] != "global")
    in_regions = " in %s" % _short(regions[0], 30) if len(regions) == 1 else (
        " in %d regions" % len(regions) if regions else "")
    if len(findings) == 1:
        return in_regions
    resources = _distinct(f["resource"] for f in findings)
    if len(resources) > max(len(regions), 1):  # more resources than regions: count the resources
        nouns = _distinct(_noun(control, r) for r in resources)
        return ": %s%s" % (_n(len(resources), nouns[0] if len(nouns) == 1 else "resource"), in_regions)
    if regions:
        return in_regions
    return ": %s" % _n(len(findings), "finding")


def control_line(control, findings):
    """One line for the findings of one control that are not pass (worst first, as the report
    document holds them): its worst status folded, then the other statuses counted. The first
    message is shown where a person needs it: always for an error (why it could not be checked),
    for a single fail or manual finding (what to do); drift (the next apply fixes it), fixed and
    waived need no more than the control id on this screen."""
    by_status = {}
    for f in findings:
        by_status.setdefault(f["status"], []).append(f)
    worst = min(by_status, key=_LINE_RANK.get)
    fold = _fold(control, by_status[worst])
    line = "%s %s%s" % (control, worst, fold)
    if worst == "error" or (worst in ("fail", "manual") and len(by_status[worst]) == 1):
        line += "%s%s" % ("; " if ":" in fold else ": ", _short(by_status[worst][0]["message"]))
    others = ["%d %s" % (len(by_status[s]), s) for s in LINE_ORDER if s in by_status and s != worst]
    if others:
        line += " (also %s)" % ", ".join(others)
    return line


def _counts_text(findings, task_errors):
    c = counts(findings)
    parts = ["%d %s" % (c[s], s) for s in SUMMARY_STATUSES if c[s]]
    if task_errors:
        parts.append(_n(task_errors, "task error"))
    return ", ".join(parts) or "no finding"


def account_name(account):
    """The host (an organization inventory names it <name>-<account id>), with the account id
    when the host name does not hold it."""
    host, account_id = account["host"], account.get("account_id")
    return "%s (%s)" % (host, account_id) if account_id and account_id not in host else host


def _hidden(kinds):
    """"… and 2 more task errors and 31 more controls (12 fail, 19 drift)" for the lines the cap
    left out; ``kinds`` is None for a task error, else the worst status of the control."""
    errors = kinds.count(None)
    controls = [k for k in kinds if k is not None]
    what = [_n(errors, "more task error")] if errors else []
    if controls:
        what.append("%s (%s)" % (_n(len(controls), "more control"), ", ".join(
            "%d %s" % (controls.count(s), s) for s in LINE_ORDER if s in controls)))
    return "%s and %s, see report.md" % (ELLIPSIS, " and ".join(what))


def account_lines(account, max_lines=MAX_CONTROL_LINES):
    """The count line of one account, then its task errors and one line per control that is not
    pass, worst first, at most ``max_lines`` of them (then how many more, by worst status),
    indented."""
    details = [(None, "task error in %s: %s" % (_short(e["task"], 60), _short(e["message"])))
               for e in account["errors"]]
    by_control = {}
    for f in account["findings"]:
        if f["status"] != "pass":
            by_control.setdefault(f["control"], []).append(f)
    worst = dict((c, min(by_control[c], key=lambda f: _LINE_RANK[f["status"]])["status"]) for c in by_control)
    controls = sorted(by_control, key=lambda c: (_LINE_RANK[worst[c]], control_rank(c), c))
    details += [(worst[c], control_line(c, by_control[c])) for c in controls]
    lines = [line for _kind, line in details[:max_lines]]
    if len(details) > max_lines:
        lines.append(_hidden([kind for kind, _line in details[max_lines:]]))
    return ["%s: %s" % (account_name(account), _counts_text(account["findings"], len(account["errors"])))] + [
        "  " + line for line in lines]


def summary_lines(report, where=None, gate_result=None, max_lines=MAX_CONTROL_LINES, notes=None):
    """Every line of the summary: "bulwark.aws drift report (<mode>)", each account worst first
    (account_lines, then its ``notes`` {host: [line]}, indented), a total line when there are
    several accounts, and a last line saying where the files are and whether BULWARK_FAIL_ON
    fails the run (``gate_result``: gate.gate())."""
    lines = ["bulwark.aws drift report (%s)" % report["mode"]]
    for account in report["accounts"]:
        lines += account_lines(account, max_lines)
        lines += ["  " + one_line(note) for note in (notes or {}).get(account["host"], [])]
    if len(report["accounts"]) > 1:
        lines.append("%d accounts in all: %s" % (len(report["accounts"]), _counts_text(
            [f for a in report["accounts"] for f in a["findings"]], sum(len(a["errors"]) for a in report["accounts"]))))
    last = []
    if where:
        last.append("reports: %s (report.md, report.html, report.json, report.junit.xml)" % where)
    if gate_result:
        last.append(gate_mod.outcome(gate_result))
    if last:
        lines.append("; ".join(last))
    return lines

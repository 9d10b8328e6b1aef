# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render: the report document (schema v2; a v1 document renders too) as report.html.

One self-contained file: the style and the one small script are inline, nothing is fetched
(a Content-Security-Policy allows only that style and that script, by hash). Without
JavaScript every section and the whole findings table are there to read; the script adds
sorting (click a column header) and filters (account, control, status, severity, region) to
the findings table. Every value from the document (names, messages, ids: anything an account
could set) goes through html.escape. Writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
from html import escape

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.collect import account_label

SEVERITIES = ("critical", "high", "medium", "low", "informational")
REQUIREMENT_STATUSES = ("fail", "error", "manual", "pass", "not_evaluated")
_STATUS_RANK = dict((s, i) for i, s in enumerate(STATUSES))
_SEVERITY_RANK = dict((s, i) for i, s in enumerate(SEVERITIES))
_REQUIREMENT_RANK = dict((s, i) for i, s in enumerate(REQUIREMENT_STATUSES))
# The columns of the findings table: (heading, the row attribute a filter reads or None).
FINDING_COLUMNS = (("account", "account"), ("control", "control"), ("status", "status"),
                   ("severity", "severity"), ("region", "region"), ("resource", None), ("message", None))

_STYLE = u"""
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;
padding:1em 2em;color:#1b1f24;background:#fff;box-sizing:border-box}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}th button{font:inherit;font-weight:bold;border:0;background:none;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
td.msg{overflow-wrap:anywhere;min-width:18em}
.st{font-weight:bold;padding:0 .35em;border-radius:3px;white-space:nowrap}
.st-error{background:#8250df;color:#fff}.st-fail{background:#cf222e;color:#fff}.st-drift{background:#fb8f44}
.st-manual{background:#eac54f}.st-waived{background:#d0d7de}.st-fixed{background:#54aeff}.st-pass{background:#4ac26b}
.st-not_evaluated{background:#eaeef2}
.sev-critical{color:#a40e26;font-weight:bold}.sev-high{color:#cf222e}.sev-medium{color:#9a6700}
dl.totals{display:flex;flex-wrap:wrap;gap:.3em 1.5em;margin:.5em 0}dl.totals div{display:flex;gap:.3em}
dl.totals dt{font-weight:bold}dl.totals dd{margin:0}
details{margin:.4em 0}summary{cursor:pointer}
form#filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;margin:.5em 0}
form#filters[hidden]{display:none}form#filters label{display:flex;flex-direction:column;font-size:.9em}
.muted{color:#59636e}
"""

_SCRIPT = u"""
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var form = document.getElementById("filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var shown = document.getElementById("findings-shown");
  var fields = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var visible = fields.every(function (field) {
        var want = field.value.trim().toLowerCase();
        if (!want) { return true; }
        var have = (row.getAttribute("data-" + field.getAttribute("data-filter")) || "").toLowerCase();
        return field.tagName === "SELECT" ? have === want : have.indexOf(want) !== -1;
      });
      row.hidden = !visible;
      if (visible) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " findings shown";
  }
  fields.forEach(function (field) {
    field.addEventListener("input", apply);
    field.addEventListener("change", apply);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, column) {
    var cell = row.cells[column];
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim().toLowerCase();
  }
  heads.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var order = rows.map(function (row, i) { return [key(row, column), i, row]; });
      order.sort(function (a, b) {
        var x = a[0], y = b[0], c = 0;
        if (x !== "" && y !== "" && !isNaN(x) && !isNaN(y)) { c = Number(x) - Number(y); }
        else { c = x < y ? -1 : (x > y ? 1 : 0); }
        return (ascending ? c : -c) || a[1] - b[1];
      });
      order.forEach(function (item) { body.appendChild(item[2]); });
    });
  });
  form.hidden = false;
  apply();
})();
"""


def _csp_hash(text):
    return "'sha256-%s'" % to_text(base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()))


# Nothing but this style and this script: no fetch of any kind, no form posts, no <base>.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; "
                           "form-action 'none'" % (_csp_hash(_STYLE), _csp_hash(_SCRIPT)))


def _e(value):
    """Text for HTML, element content or a quoted attribute value: & < > " ' escaped."""
    return escape(to_text(value if value is not None else ""), quote=True)


def _status(status):
    """A status badge; the class is one of a fixed set, whatever the document says."""
    status = to_text(status or "")
    known = status if status in _STATUS_RANK or status in _REQUIREMENT_RANK else "unknown"
    return u'<span class="st st-%s">%s</span>' % (known, _e(status))


def _severity(severity):
    severity = to_text(severity or "")
    known = severity if severity in _SEVERITY_RANK else "unknown"
    return u'<span class="sev-%s">%s</span>' % (known, _e(severity))


def _finding_severity(finding):
    """The v2 severity, else (a v1 document) the catalogue's."""
    if finding.get("severity"):
        return finding["severity"]
    if finding.get("control") in catalogue.CONTROLS:
        return catalogue.get(finding["control"]).severity
    return ""


def _catalogue_title(control):
    return catalogue.get(control).title if control in catalogue.CONTROLS else ""


def _percent(score):
    if score is None:
        return u"n/a"
    return u"%d%%" % int(round(float(score) * 100))


def _counts(counts, order):
    """ "2 drift, 1 pass" of a {status: n}, zero counts left out, in ``order`` then the rest."""
    counts = counts or {}
    names = [s for s in order if s in counts] + sorted(s for s in counts if s not in order)
    parts = [u"%s %s" % (_e(counts[s]), _e(s)) for s in names if counts[s]]
    return u", ".join(parts) or u"none"


def _account(report):
    """{account_id or host: label} to show an account id with its host."""
    labels = {}
    for account in report.get("accounts") or []:
        if account.get("account_id"):
            labels.setdefault(account["account_id"], account_label(account))
    return labels


# --- sections ---------------------------------------------------------------------------------

def _header(report):
    totals = report.get("totals") or {}
    items = u"".join(u'<div><dt>%s</dt><dd>%s</dd></div>' % (_status(s), _e(totals.get(s, 0))) for s in STATUSES)
    n_findings = sum(int(v or 0) for v in totals.values())
    return [
        u'<header>',
        u'<h1>bulwark.aws drift report</h1>',
        u'<p>Generated <time>%s</time>, mode <strong>%s</strong>, %d account(s), %d finding(s), schema <code>%s</code>.</p>'
        % (_e(report.get("generated_at")), _e(report.get("mode")), len(report.get("accounts") or []), n_findings,
           _e(report.get("schema"))),
        u'<dl class="totals" aria-label="findings by status">%s</dl>' % items,
        u'<nav><a href="#frameworks">Frameworks</a> \u00b7 <a href="#changes">Changes</a> \u00b7 '
        u'<a href="#controls">Controls</a> \u00b7 <a href="#findings">Findings</a></nav>',
        u'</header>',
    ]


def _task_errors(report):
    rows = []
    for account in report.get("accounts") or []:
        for error in account.get("errors") or []:
            rows.append(u"<tr><td>%s</td><td><code>%s</code></td><td class=\"msg\">%s</td></tr>" % (
                _e(account_label(account)), _e(error.get("task")), _e(error.get("message"))))
    if not rows:
        return []
    head = [u'<section id="task-errors"><h2>Task errors</h2>',
            u"<p>Tasks that failed without a finding (for example a role that cannot be assumed).</p>",
            u"<table><thead><tr><th>account</th><th>task</th><th>message</th></tr></thead><tbody>"]
    return head + rows + [u"</tbody></table></section>"]


def _code(value):
    return u"<code>%s</code>" % _e(value)


def _table(headers, rows):
    """A table: ``headers`` (plain text) over ``rows``, each a sequence of cells in HTML, escaped already."""
    return ([u"<table><thead><tr>%s</tr></thead><tbody>" % u"".join(u"<th>%s</th>" % h for h in headers)]
            + [u"<tr>%s</tr>" % u"".join(u"<td>%s</td>" % cell for cell in row) for row in rows]
            + [u"</tbody></table>"])


def _frameworks(report, labels):
    out = [u'<section id="frameworks"><h2>Frameworks</h2>']
    frameworks = report.get("frameworks")
    if not frameworks:
        out.append(u'<p class="muted">This report has no framework view (a v1 report).</p></section>')
        return out
    for key in sorted(frameworks):
        framework = frameworks[key] or {}
        score = framework.get("score") or {}
        requirements = framework.get("requirements") or []
        out.append(u'<section class="framework" id="framework-%s"><h3>%s <span class="muted">(<code>%s</code>)</span></h3>'
                   % (_e(key), _e(framework.get("name") or key), _e(key)))
        out.append(u"<p>Score <strong>%s</strong>%s; requirements: %s.</p>" % (
            _percent(score.get("overall")),
            u"" if score.get("overall") is not None else u" (no requirement passed or failed)",
            _counts(framework.get("counts"), REQUIREMENT_STATUSES)))
        accounts = score.get("accounts") or {}
        if accounts:
            out += _table(("account", "score"), [(_e(labels.get(a, a)), _percent(accounts[a])) for a in sorted(accounts)])
        failing = sum(1 for r in requirements if r.get("status") in ("fail", "error"))
        out.append(u"<details%s><summary>%d requirement(s), %d failing or in error (failing first)</summary>" % (
            u" open" if failing else u"", len(requirements), failing))
        if requirements:
            rows = []
            ranked = sorted(requirements, key=lambda r: _REQUIREMENT_RANK.get(r.get("status"), len(_REQUIREMENT_RANK)))
            for requirement in ranked:  # failing first, then the document's (catalogue) order
                per_account = requirement.get("accounts") or {}
                rows.append((
                    _e(requirement.get("id")), _status(requirement.get("status")),
                    u" ".join(u"<code>%s</code>" % _e(c) for c in requirement.get("controls") or []),
                    u", ".join(u"%s: %s" % (_e(labels.get(a, a)), _status(per_account[a])) for a in sorted(per_account))))
            out += _table(("requirement", "status", "controls", "accounts"), rows)
        out.append(u"</details></section>")
    out.append(u"</section>")
    return out


def _changes(report, labels):
    out = [u'<section id="changes"><h2>Changes</h2>']
    changes = report.get("changes")
    if not changes or not changes.get("baseline"):
        out.append(u'<p class="muted">No baseline: there is no earlier report to compare this one with '
                   u'(set BULWARK_BASELINE, or keep the earlier run directories).</p></section>')
        return out
    out.append(u"<p>Compared with <code>%s</code>%s.</p>" % (
        _e(changes.get("baseline")),
        u", generated <time>%s</time>" % _e(changes["baseline_generated_at"]) if changes.get("baseline_generated_at") else u""))
    for name, what in (("new", "bad now, not bad in the baseline"), ("resolved", "bad in the baseline, not bad now"),
                       ("persisting", "bad in both")):
        keys = changes.get(name) or []
        out.append(u'<h3 id="changes-%s">%s: %d <span class="muted">(%s)</span></h3>' % (
            name, name.capitalize(), len(keys), what))
        if not keys:
            out.append(u'<p class="muted">None.</p>')
            continue
        out += _table(("account", "control", "resource", "region", "status"), [(
            _e(labels.get(k.get("account_id"), k.get("account_id") or k.get("host"))), _code(k.get("control")),
            _code(k.get("resource")), _e(k.get("region")), _status(k.get("status"))) for k in keys])
    out.append(u"</section>")
    return out


def _controls(report, labels):
    out = [u'<section id="controls"><h2>Controls, worst first</h2>']
    controls = report.get("controls")
    if controls is None:
        out.append(u'<p class="muted">This report has no control view (a v1 report).</p></section>')
        return out
    if not controls:
        out.append(u'<p class="muted">No control was evaluated.</p></section>')
        return out
    rows = []
    for c in controls:
        resources = c.get("resources") or {}
        regions = c.get("regions") or {}
        bad = []
        for status in [s for s in STATUSES if s != "pass" and (resources.get(s) or regions.get(s))]:
            bad.append(u"%s %s%s" % (
                _status(status), u", ".join(u"<code>%s</code>" % _e(r) for r in resources.get(status) or []),
                u" in %s" % _e(", ".join(regions[status])) if regions.get(status) else u""))
        rows.append((
            _e(labels.get(c.get("account_id"), c.get("account_id") or c.get("host"))), _code(c.get("control")),
            _e(c.get("title")), _severity(c.get("severity")), _status(c.get("status")),
            _counts(c.get("counts"), STATUSES), u"<br>".join(bad)))
    out += _table(("account", "control", "title", "severity", "status", "findings", "not pass"), rows)
    out[-1] += u"</section>"
    return out


def _select(name, values, rank=None):
    values = sorted(set(values), key=lambda v: (rank.get(v, len(rank)), v) if rank else v)
    options = u"".join(u'<option value="%s">%s</option>' % (_e(v), _e(v)) for v in values)
    return (u'<label>%s<select name="%s" data-filter="%s"><option value="">(all)</option>%s</select></label>'
            % (name, name, name, options))


def _findings(report):
    rows = []
    for account in report.get("accounts") or []:
        label = account_label(account)
        for f in account.get("findings") or []:
            severity = _finding_severity(f)
            status = f.get("status")
            refs = f.get("refs") or {}
            ref_text = u", ".join(u"%s %s" % (_e(k), _e(refs[k])) for k in sorted(refs))
            rows.append({
                "account": label, "control": to_text(f.get("control") or ""), "status": to_text(status or ""),
                "severity": to_text(severity), "region": to_text(f.get("region") or ""),
                "html": u"<td>%s</td><td><code title=\"%s\">%s</code>%s</td><td data-sort=\"%d\">%s</td><td data-sort=\"%d\">%s</td>"
                        u"<td>%s</td><td><code>%s</code></td><td class=\"msg\">%s%s</td>" % (
                            _e(label), _e(f.get("title") or _catalogue_title(f.get("control"))), _e(f.get("control")),
                            u'<br><span class="muted">%s</span>' % ref_text if ref_text else u"",
                            _STATUS_RANK.get(status, len(_STATUS_RANK)), _status(status),
                            _SEVERITY_RANK.get(severity, len(_SEVERITY_RANK)), _severity(severity),
                            _e(f.get("region")), _e(f.get("resource")), _e(f.get("message")),
                            u"<details><summary>Remediation</summary>%s</details>" % _e(f["remediation"])
                            if f.get("remediation") else u""),
            })
    out = [u'<section id="findings"><h2>Findings</h2>']
    if not rows:
        out.append(u'<p class="muted">No findings.</p></section>')
        return out
    out.append(u'<form id="filters" hidden>%s<label>control<input type="search" name="control" data-filter="control" '
               u'placeholder="part of a control id"></label>%s%s%s<button type="reset">clear</button>'
               u'<output id="findings-shown" aria-live="polite"></output></form>' % (
                   _select("account", [r["account"] for r in rows]),
                   _select("status", [r["status"] for r in rows], _STATUS_RANK),
                   _select("severity", [r["severity"] for r in rows], _SEVERITY_RANK),
                   _select("region", [r["region"] for r in rows])))
    out.append(u'<p class="muted">%d finding(s), worst first in each account.</p>' % len(rows))
    out.append(u'<table id="findings-table"><thead><tr>%s</tr></thead><tbody>' % u"".join(
        u"<th>%s</th>" % column[0] for column in FINDING_COLUMNS))
    for row in rows:
        out.append(u'<tr data-account="%s" data-control="%s" data-status="%s" data-severity="%s" data-region="%s">%s</tr>'
                   % (_e(row["account"]), _e(row["control"]), _e(row["status"]), _e(row["severity"]),
                      _e(row["region"]), row["html"]))
    out.append(u"</tbody></table></section>")
    return out


def render_html(report):
    """report.html (text): header and totals, task errors, framework scores and requirements,
    changes since the baseline, controls worst first, then every finding in one table."""
    labels = _account(report)
    lines = [
        u"<!DOCTYPE html>",
        u'<html lang="en"><head><meta charset="utf-8">',
        u'<meta http-equiv="Content-Security-Policy" content="%s">' % _e(CONTENT_SECURITY_POLICY),
        u'<meta name="referrer" content="no-referrer">',
        u'<meta name="viewport" content="width=device-width, initial-scale=1">',
        u"<title>bulwark.aws drift report %s</title>" % _e(report.get("generated_at")),
        u"<style>%s</style>" % _STYLE,
        u"</head><body>",
    ]
    lines += _header(report)
    lines.append(u"<main>")
    lines += _task_errors(report)
    lines += _frameworks(report, labels)
    lines += _changes(report, labels)
    lines += _controls(report, labels)
    lines += _findings(report)
    lines.append(u"</main>")
    lines.append(u"<script>%s</script>" % _SCRIPT)
    lines.append(u"</body></html>")
    return u"\n".join(lines) + u"\n"

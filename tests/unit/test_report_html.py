"""report.html (plugins/plugin_utils/report/html.py): every value escaped, nothing fetched, every
finding a row, the sections there, and the edge cases (no baseline, null scores, no findings, a
v1 document). Parsed with the standard library's html.parser; the browser test opens it for real."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect
from ansible_collections.bulwark.aws.plugins.plugin_utils.report.html import CONTENT_SECURITY_POLICY, render_html
from tests.support.report_v2 import NOW, QUOTES, XSS, sample_report, to_v2


class Page(HTMLParser):
    """The elements of a page as (tag, attrs), the text of each, and every script/style body."""

    def __init__(self, text):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.elements, self.scripts, self.styles, self.text = [], [], [], []
        self._in = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def all(self, tag, **attrs):
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, element_id):
        return [(t, a) for t, a in self.elements if a.get("id") == element_id]


def findings_rows(page):
    return [a for a in page.all("tr") if "data-status" in a]


@pytest.fixture
def report():
    return sample_report()


def test_values_from_aws_are_escaped(report):
    text = render_html(report)
    # the resource, the message and the task error message hold markup; none of it is live
    assert XSS not in text
    assert "<b>assume</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "AccessDenied &lt;b&gt;assume&lt;/b&gt;" in text
    # quotes are escaped in text and attributes: the bucket name cannot close an attribute
    assert QUOTES not in text
    assert "bucket-&quot;quoted&quot;-and-&#x27;single&#x27;&amp;amp" in text
    page = Page(text)
    # parsed back, the values are exactly the account's (escaping lost nothing)
    assert XSS in "".join(page.text)
    assert "AccessDenied <b>assume</b>" in "".join(page.text)
    # exactly one script element: the report's own, and no element named b came from a message
    assert len(page.all("script")) == 1
    assert page.all("b") == []
    assert all(not name.startswith("on") for element in page.elements for name in element[1])


def test_nothing_is_fetched(report):
    text = render_html(report)
    page = Page(text)
    urls = [v for element in page.elements for k, v in element[1].items()
            if k in ("src", "href", "action", "srcset", "data", "poster")]
    assert urls and not re.search(r"(?i)\b(https?:)?//", " ".join(urls))
    assert not re.search(r"(?i)https?://", text)
    assert not re.search(r"(?i)(src|href|action)\s*=\s*[\"']?\s*//", text)
    assert not re.search(r"(?i)url\(|@import", "".join(page.styles))
    assert page.all("link") == [] and page.all("img") == [] and page.all("iframe") == []
    assert all("src" not in a for a in page.all("script"))  # the one script is inline
    # every href is a fragment of this page, pointing at an element that exists
    for a in page.all("a"):
        assert a["href"].startswith("#") and page.by_id(a["href"][1:]), a


def test_content_security_policy_allows_only_the_inline_style_and_script(report):
    page = Page(render_html(report))
    metas = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert [m["content"] for m in metas] == [CONTENT_SECURITY_POLICY]
    policy = dict((d.split()[0], d.split()[1:]) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert policy["default-src"] == ["'none'"]

    def sha(text):
        return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    assert policy["script-src"] == [sha(s) for s in page.scripts]
    assert policy["style-src"] == [sha(s) for s in page.styles]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert all("style" not in element[1] for element in page.elements)  # an inline style attribute would be blocked


def test_every_finding_is_a_row_with_its_filter_values(report):
    page = Page(render_html(report))
    rows = findings_rows(page)
    expected = [(collect.account_label(a), f["control"], f["status"], f["severity"], f["region"])
                for a in report["accounts"] for f in a["findings"]]
    assert len(expected) == 12
    assert [(r["data-account"], r["data-control"], r["data-status"], r["data-severity"], r["data-region"])
            for r in rows] == expected
    # the filters: a select per account, status, severity, region with the values present, and a control search
    selects = dict((a["name"], a) for a in page.all("select"))
    assert sorted(selects) == ["account", "region", "severity", "status"]
    assert page.all("input", name="control", **{"data-filter": "control"})
    options = [a["value"] for a in page.all("option")]
    for account, control, status, severity, region in expected:
        assert account in options and status in options and severity in options and region in options
    # hidden until the script shows it: without JavaScript nothing is hidden but the useless form
    assert "hidden" in page.by_id("filters")[0][1]
    assert [a for t, a in page.elements if "hidden" in a and a.get("id") != "filters"] == []
    # the control's title is the tooltip of its id
    assert '<code title="Every IAM user with a console password has MFA">iam.user_mfa</code>' in render_html(report)
    headings = re.findall(r"<th>([a-z]+)</th>", render_html(report))
    for column in ("account", "control", "status", "severity", "region"):
        assert column in headings


def test_sections_present(report):
    text = render_html(report)
    page = Page(text)
    for section in ("frameworks", "changes", "controls", "findings", "task-errors"):
        assert page.by_id(section), section
    body = "".join(page.text)
    assert "Generated 2026-03-01T12:00:00Z, mode check, 2 account(s), 12 finding(s)" in body
    assert "CIS AWS Foundations Benchmark v3.0.0" in body and "AWS Foundational Security Best Practices" in body
    # the framework scores, each account's, and the requirements in details/summary, failing open
    cis = report["frameworks"]["cis_v3"]
    assert "Score 33%" in body
    assert "111111111111 (prod)" in body
    summaries = [s for s in re.findall(r"<summary>([^<]*)</summary>", text) if "requirement" in s]
    assert summaries[0] == "%d requirement(s), 3 failing or in error (failing first)" % len(cis["requirements"])
    assert len([a for a in page.all("details") if "open" in a]) == 2  # both frameworks have a failing requirement
    # changes: new / resolved / persisting with their counts
    assert "Compared with bulwark-reports/20260228T120000Z/report.json" in body
    changes = report["changes"]
    assert (len(changes["new"]), len(changes["resolved"]), len(changes["persisting"])) == (4, 1, 1)
    assert "New: 4" in body and "Resolved: 1" in body and "Persisting: 1" in body
    resolved = text.split('id="changes-resolved"')[1].split("</table>")[0]
    assert "222222222222 (staging)" in resolved and "iam.password_policy.min_length" in resolved
    # controls worst first: the first control row is the error one
    controls_table = text.split('id="controls"')[1].split("</table>")[0]
    first_row = controls_table.split("<tbody>")[1].split("</tr>")[0]
    assert "root.mfa" in first_row and "st-error" in first_row
    assert controls_table.count("<tr>") == len(report["controls"]) + 1


def test_no_baseline_and_null_scores_render_sensibly():
    # only manual and error findings: no requirement passes or fails, every score is null
    accounts = [collect.account_section("a", "111111111111", [
        {"control": "root.mfa", "status": "error", "message": "AccessDenied"},
        {"control": "account.security_questions", "status": "manual", "message": "no API"}])]
    report = to_v2(collect.build_report(accounts, "audit", NOW), baseline_findings=None)
    assert report["frameworks"]["cis_v3"]["score"] == {"overall": None, "accounts": {"111111111111": None}}
    assert report["changes"]["baseline"] is None
    page = Page(render_html(report))
    body = "".join(page.text)
    assert "Score n/a (no requirement passed or failed)" in body
    assert "None%" not in body and "null" not in body
    assert "No baseline: there is no earlier report" in body
    assert "New:" not in body
    assert len(findings_rows(page)) == 2


def test_empty_changes_with_a_baseline():
    accounts = [collect.account_section("a", "111111111111", [
        {"control": "root.mfa", "status": "pass", "message": "MFA on"}])]
    report = to_v2(collect.build_report(accounts, "check", NOW), baseline_findings=[])
    body = "".join(Page(render_html(report)).text)
    assert "New: 0" in body and "Resolved: 0" in body and "Persisting: 0" in body
    assert body.count("None.") == 3


def test_a_report_with_no_findings():
    report = to_v2(collect.build_report([collect.account_section("a", "111111111111", [])], "check", NOW))
    text = render_html(report)
    page = Page(text)
    assert findings_rows(page) == []
    body = "".join(page.text)
    assert "No findings." in body and "No control was evaluated." in body
    assert "0 finding(s)" in body
    assert not page.by_id("findings-table") and not page.by_id("filters")
    assert len(page.all("script")) == 1  # the script copes with no table


def test_a_v1_report_renders_with_catalogue_severities():
    report = collect.build_report(sample_report_v1_accounts(), "check", NOW)
    # What a v1 writer made: no v2 sections, no v2 finding fields.
    report["schema"] = "bulwark.aws/report/v1"
    for key in ("controls", "frameworks", "changes"):
        report.pop(key, None)
    for account in report["accounts"]:
        for item in account["findings"]:
            for key in ("severity", "title", "refs"):
                item.pop(key, None)
    page = Page(render_html(report))
    rows = findings_rows(page)
    assert len(rows) == 12
    assert rows[0]["data-severity"] in ("critical", "high", "medium", "low", "informational")
    body = "".join(page.text)
    assert "no framework view" in body and "No baseline" in body and "no control view" in body


def sample_report_v1_accounts():
    from tests.support.report_v2 import sample_accounts
    return sample_accounts()

"""report.html in a real browser: Debian's chromium, headless, driven over the DevTools protocol
(tests/support/cdp.py, standard library only). scripts/ensure_chromium.sh installs chromium when
it is missing (`make integration` runs it too); the tests skip, saying why, only when it cannot.

The page renders with no console error, exception or CSP violation; every finding is a row; the
status filter leaves exactly the matching rows; sorting works; without JavaScript everything is
visible. Screenshots go to tests/output/report_html/ (git-ignored); their paths are printed."""

import json
import os

import pytest

from ansible_collections.bulwark.aws.plugins.plugin_utils.report.html import render_html
from tests.support.cdp import REPO, Chromium, find_chromium
from tests.support.report_v2 import XSS, sample_report

OUTPUT = os.path.join(REPO, "tests", "output", "report_html")

VISIBLE_ROWS = """Array.prototype.filter.call(document.querySelectorAll('#findings-table tbody tr'),
  function (r) { return r.getClientRects().length > 0; }).map(function (r) {
  return [r.dataset.account, r.dataset.control, r.dataset.status, r.dataset.severity, r.dataset.region]; })"""


@pytest.fixture(scope="module")
def browser():
    executable, why_not = find_chromium()
    if not executable:
        pytest.skip(why_not)
    chromium = Chromium(executable)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    report = sample_report()
    path = tmp_path_factory.mktemp("report_html") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    expected = [[f"{a['account_id']} ({a['host']})", f["control"], f["status"], f["severity"], f["region"]]
                for a in report["accounts"] for f in a["findings"]]
    return path, expected


def _filter(browser, name, value):
    """Choose ``value`` in the filter ``name`` as a user would: set it, fire input and change."""
    browser.evaluate("""(function () {
      var field = document.querySelector('#filters [data-filter=%s]');
      field.value = %s;
      field.dispatchEvent(new Event('input', {bubbles: true}));
      field.dispatchEvent(new Event('change', {bubbles: true}));
    })()""" % (json.dumps(name), json.dumps(value)))


def test_renders_and_filters_in_chromium(browser, report_file):
    path, expected = report_file
    browser.navigate(path.as_uri())
    assert browser.evaluate("document.title").startswith("bulwark.aws drift report")
    assert browser.evaluate("document.getElementById('filters').hidden") is False  # the script ran
    assert browser.evaluate(VISIBLE_ROWS) == expected and len(expected) == 12
    assert browser.evaluate("document.getElementById('findings-shown').textContent") == "12 of 12 findings shown"
    # the account's markup is text in the page, and no second script came from it
    assert XSS in browser.evaluate("document.body.textContent")
    assert browser.evaluate("document.scripts.length") == 1
    full = browser.screenshot(os.path.join(OUTPUT, "report.png"))

    _filter(browser, "status", "drift")
    drift = [row for row in expected if row[2] == "drift"]
    assert len(drift) == 3
    assert browser.evaluate(VISIBLE_ROWS) == drift
    assert browser.evaluate("document.getElementById('findings-shown').textContent") == "3 of 12 findings shown"
    filtered = browser.screenshot(os.path.join(OUTPUT, "report-status-drift.png"), selector="#findings")

    _filter(browser, "region", "us-east-1")  # filters combine
    assert browser.evaluate(VISIBLE_ROWS) == [row for row in drift if row[4] == "us-east-1"] != []
    _filter(browser, "region", "")
    _filter(browser, "control", "password")  # the control filter matches part of an id
    assert browser.evaluate(VISIBLE_ROWS) == [row for row in drift if "password" in row[1]] != []
    browser.evaluate("document.querySelector('#filters button[type=reset]').click()")
    browser.evaluate("new Promise(function (done) { window.setTimeout(done, 50); })")
    assert browser.evaluate(VISIBLE_ROWS) == expected

    # sorting: severity ascending puts critical first; a second click reverses
    browser.evaluate("document.querySelectorAll('#findings-table thead th button')[3].click()")
    severities = [row[3] for row in browser.evaluate(VISIBLE_ROWS)]
    rank = ["critical", "high", "medium", "low", "informational"]
    assert severities == sorted(severities, key=rank.index) and severities[0] == "critical"
    assert browser.evaluate("document.querySelectorAll('#findings-table thead th')[3].getAttribute('aria-sort')") \
        == "ascending"
    browser.evaluate("document.querySelectorAll('#findings-table thead th button')[3].click()")
    assert [row[3] for row in browser.evaluate(VISIBLE_ROWS)] == sorted(severities, key=rank.index, reverse=True)

    assert browser.problems() == []
    print("report.html screenshots: %s %s" % (full, filtered))
    assert os.path.getsize(full) > 10000 and os.path.getsize(filtered) > 10000


def test_readable_without_javascript(browser, report_file):
    path, expected = report_file
    browser.call("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.navigate(path.as_uri())
        rows = browser.evaluate(VISIBLE_ROWS)
        assert rows == expected  # every finding visible
        assert browser.evaluate("document.getElementById('filters').hidden") is True  # no dead controls
        for section in ("frameworks", "changes", "controls", "findings"):
            assert browser.evaluate("document.getElementById(%s).getClientRects().length > 0" % json.dumps(section))
        print("report.html without JavaScript: %s" % browser.screenshot(os.path.join(OUTPUT, "report-no-js.png")))
        assert browser.problems() == []
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", value=False)


def test_problems_are_seen_a_tampered_script_is_blocked_by_the_policy(browser, report_file, tmp_path):
    """The console check is not blind: a script that is not the one the policy names is refused,
    and that refusal is reported."""
    path = report_file[0]
    tampered = tmp_path / "tampered.html"
    tampered.write_text(path.read_text(encoding="utf-8").replace('"use strict";', '"use strict"; var x = 1;'),
                        encoding="utf-8")
    browser.navigate(tampered.as_uri())
    browser.evaluate("1")  # a round trip: events sent before it are kept
    assert browser.evaluate("document.getElementById('filters').hidden") is True  # the script did not run
    problems = browser.problems()
    assert problems and any("Content Security Policy" in p for p in problems), problems

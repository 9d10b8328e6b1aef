"""The drift report (plugins/plugin_utils/report/) and the two actions around it: the three
report files, ordering, totals, Markdown and JUnit structure (collect, render), account_section
(what one account host kept), BULWARK_FAIL_ON (gate), the report directory and the atomic 0600
writes (write); the end-of-run summary is in test_report_summary.py; then bulwark.aws.report and bulwark.aws.preflight run in-process as Ansible runs an
action plugin (ActionModule(task, connection, play_context, loader, templar, shared_loader_obj))."""

import datetime
import errno
import json
import os
import re
import xml.etree.ElementTree as ET
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.bulwark.aws.plugins.action import preflight as preflight_action
from ansible_collections.bulwark.aws.plugins.action import report as report_action
from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect, gate, render, write
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES, Findings, finding

PP = "account-password-policy"
NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
MIN_LENGTH = "iam.password_policy.min_length"
MAX_AGE = "iam.password_policy.max_age"
SYMBOLS = "iam.password_policy.symbols"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


def f(control, status, message="m", resource=PP, region=None):
    return finding(control, status, message, resource=resource, region=region)


def mixed():
    """acct-a: passes and drift; acct-b: every status, two users for iam.user_mfa."""
    a = collect.account_section("acct-a", "111111111111", [
        f(MIN_LENGTH, "drift", "MinimumPasswordLength is 8"),
        f(SYMBOLS, "pass", "RequireSymbols is True"),
        f(MAX_AGE, "pass", "MaxPasswordAge is 90"),
    ])
    b = collect.account_section("acct-b", "222222222222", [
        f(MIN_LENGTH, "fixed", "set to 14"),
        f(SYMBOLS, "pass", "RequireSymbols is True"),
        f("iam.user_mfa", "pass", "has MFA", resource="bob"),
        f("iam.user_mfa", "fail", "console password, no MFA", resource="alice"),
        f("root.mfa", "error", "AccessDenied on iam:GetAccountSummary"),
        f("account.security_questions", "manual", "not readable through the API"),
        f("root.hardware_mfa", "waived", "waived until 2999-01-01: break glass"),
    ])
    return [a, b]


def write_files(accounts, directory, mode="check"):
    document = collect.build_report(accounts, mode, NOW)
    paths = write.write_report(document, str(directory))
    return document, paths


def read(directory):
    with open(os.path.join(str(directory), "report.json")) as fh:
        document = json.load(fh)
    with open(os.path.join(str(directory), "report.md")) as fh:
        md = fh.read()
    junit = ET.parse(os.path.join(str(directory), "report.junit.xml")).getroot()
    return document, md, junit


def file_texts(directory):
    out = {}
    for name in write.FILES:
        with open(os.path.join(str(directory), name), encoding="utf-8") as fh:
            out[name] = fh.read()
    return out


# --- rendering --------------------------------------------------------------------------------

def test_three_files_same_content(tmp_path):
    document, paths = write_files(mixed(), tmp_path)
    assert paths == [str(tmp_path / n) for n in ("report.json", "report.md", "report.html", "report.junit.xml")]
    on_disk, md, junit = read(tmp_path)
    assert on_disk == document
    # v2 keeps every v1 field and adds controls, frameworks and changes.
    assert set(document) == {"schema", "generated_at", "mode", "accounts", "totals", "controls", "frameworks", "changes"}
    assert document["schema"] == "bulwark.aws/report/v2" and document["mode"] == "check"
    assert document["generated_at"] == "2026-03-01T12:00:00Z"
    assert document["totals"] == {"pass": 4, "drift": 1, "fixed": 1, "fail": 1, "manual": 1, "error": 1, "waived": 1}
    for account in document["accounts"]:
        assert set(account) == {"host", "account_id", "findings", "errors"}
        for item in account["findings"]:
            assert set(item) == {"control", "status", "resource", "region", "message", "remediation",
                                 "severity", "title", "refs"}
            assert item["remediation"] == controls.get(item["control"]).remediation
            c = controls.get(item["control"])
            assert (item["severity"], item["title"]) == (c.severity, c.title)
            assert item["refs"] == {k: v for k, v in (("cis_v3", c.cis), ("securityhub", c.securityhub),
                                                      ("config_rule", c.config_rule)) if v}
    # The Markdown: the totals table and every finding that is not pass, with its remediation.
    assert "Generated 2026-03-01T12:00:00Z, mode **check**, 2 account(s), schema `bulwark.aws/report/v2`." in md
    assert "| 222222222222 | `acct-b` | 2 | 0 | 1 | 1 | 1 | 1 | 1 | 0 |" in md
    assert "| 111111111111 | `acct-a` | 2 | 1 | 0 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "| **total** | | 4 | 1 | 1 | 1 | 1 | 1 | 1 | 0 |" in md
    for account in document["accounts"]:
        for item in account["findings"]:
            line = "**%s** `%s` on `%s`" % (item["status"], item["control"], item["resource"])
            assert (line in md) == (item["status"] != "pass"), line
    assert ". Remediation: " + controls.get("root.mfa").remediation + "\n" in md
    assert "### 222222222222 (acct-b)" in md and "### 111111111111 (acct-a)" in md
    # The JUnit file holds the same findings.
    cases = junit.findall("testsuite/testcase")
    assert {c.get("name") for c in cases} == {x["control"] for a in document["accounts"] for x in a["findings"]}


def test_every_pass_account_says_so(tmp_path):
    clean = collect.account_section("clean", "333333333333", [f(MIN_LENGTH, "pass")])
    write_files([clean], tmp_path)
    md = read(tmp_path)[1]
    assert "1 finding(s): 1 pass." in md and "Every finding is `pass`." in md
    assert "Findings that are not pass" not in md


def test_accounts_and_findings_worst_first():
    accounts = [
        collect.account_section("clean", "333333333333", [f(MIN_LENGTH, "pass")]),
        collect.account_section("drifty", "444444444444", [f(MIN_LENGTH, "drift"), f(MAX_AGE, "drift")]),
        collect.account_section("failing", "555555555555", [f(MIN_LENGTH, "pass"), f(MAX_AGE, "fail")]),
    ] + mixed()
    document = collect.build_report(accounts, "check", NOW)
    assert [a["host"] for a in document["accounts"]] == ["acct-b", "failing", "drifty", "acct-a", "clean"]
    for account in document["accounts"]:
        ranks = [STATUSES.index(x["status"]) for x in account["findings"]]
        assert ranks == sorted(ranks), account["host"]
    statuses = [x["status"] for x in document["accounts"][0]["findings"]]
    assert statuses == ["error", "fail", "manual", "waived", "fixed", "pass", "pass"]
    # Same status: catalogue order, then resource.
    same = collect.build_report([collect.account_section("h", None, [
        f("iam.user_mfa", "fail", resource="zed"), f("iam.user_mfa", "fail", resource="amy"),
        f(MIN_LENGTH, "fail")])], "check", NOW)
    assert [(x["control"], x["resource"]) for x in same["accounts"][0]["findings"]] == [
        (MIN_LENGTH, PP), ("iam.user_mfa", "amy"), ("iam.user_mfa", "zed")]


def test_task_errors_rank_an_account_first_and_count_in_the_totals_row(tmp_path):
    broken = collect.account_section("broken", "666666666666", failures=[{"task": "Assume", "message": "denied"}])
    accounts = mixed() + [broken]
    document, _paths = write_files(accounts, tmp_path)
    # A task error weighs like an error finding: broken ties with acct-b, whose fail decides.
    assert [a["host"] for a in document["accounts"]] == ["acct-b", "broken", "acct-a"]
    md = read(tmp_path)[1]
    assert "| **total** | | 4 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |" in md


def test_junit_one_case_per_control_worst_status_decides(tmp_path):
    write_files(mixed(), tmp_path)
    junit = read(tmp_path)[2]
    assert junit.tag == "testsuites"
    suites = junit.findall("testsuite")
    assert [s.get("name") for s in suites] == ["222222222222 (acct-b)", "111111111111 (acct-a)"]
    b = suites[0]
    cases = dict((c.get("name"), c) for c in b.findall("testcase"))
    assert set(c.get("classname") for c in cases.values()) == {"222222222222"}
    assert len(b.findall("testcase")) == len(cases) == 6  # iam.user_mfa: two users, one testcase
    mfa = cases["iam.user_mfa"]
    assert [child.tag for child in mfa] == ["failure"]
    assert mfa.find("failure").get("type") == "fail"
    assert mfa.find("failure").get("message") == "fail: console password, no MFA"
    assert "alice" in mfa.find("failure").text and "bob" in mfa.find("failure").text
    assert "Remediation: " + controls.get("iam.user_mfa").remediation in mfa.find("failure").text
    assert cases["root.mfa"].find("error").get("type") == "error"
    assert cases["account.security_questions"].find("skipped") is not None
    # "waived until ...": the message as is, no "waived: " before it.
    assert cases["root.hardware_mfa"].find("skipped").get("message") == "waived until 2999-01-01: break glass"
    assert len(cases[MIN_LENGTH]) == 1  # fixed: a passing case with output
    assert cases[MIN_LENGTH].find("system-out").text.startswith("fixed:")
    assert list(cases[SYMBOLS])[0].tag == "system-out"
    expected = {"tests": "6", "failures": "1", "errors": "1", "skipped": "2"}
    assert dict((k, b.get(k)) for k in expected) == expected
    a = suites[1]
    assert (a.get("tests"), a.get("failures"), a.get("errors"), a.get("skipped")) == ("3", "1", "0", "0")
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors"), junit.get("skipped")) == (
        "9", "2", "1", "2")
    for suite in suites:
        props = dict((p.get("name"), p.get("value")) for p in suite.findall("properties/property"))
        assert props["host"] == suite.get("hostname") and props["mode"] == "check"
        assert props["schema"] == collect.SCHEMA
        assert suite.get("timestamp") == "2026-03-01T12:00:00"


def test_junit_several_worst_findings_name_the_control_title():
    account = collect.account_section("h", "111111111111", [
        f("iam.user_mfa", "fail", "no MFA", resource="alice"), f("iam.user_mfa", "fail", "no MFA", resource="bob")])
    junit = ET.fromstring(render.render_junit(collect.build_report([account], "check", NOW)))
    failure = junit.find("testsuite/testcase/failure")
    assert failure.get("message") == "fail: " + controls.get("iam.user_mfa").title


def test_same_account_id_on_several_hosts_gets_distinct_classnames(tmp_path):
    accounts = [collect.account_section(host, "123456789012", [f(MIN_LENGTH, "drift")]) for host in ("one", "two")]
    accounts.append(collect.account_section("no-id", None, [f(MIN_LENGTH, "drift")]))
    write_files(accounts, tmp_path)
    junit = read(tmp_path)[2]
    classnames = {c.get("classname") for c in junit.iter("testcase")}
    assert classnames == {"123456789012.one", "123456789012.two", "no-id"}
    assert "no-id" in [s.get("name") for s in junit.findall("testsuite")]  # no id: the host alone


def test_failed_account_without_findings_is_a_task_error(tmp_path):
    """issue 9: a host whose role cannot be assumed yields one error for that account."""
    member = collect.account_section("member", "888888888888", failures=[{
        "task": "Password policy", "message": "sts:AssumeRole: AccessDenied for arn:aws:iam::888888888888:role/Audit"}])
    good = collect.account_section("good", "999999999999", [f(MIN_LENGTH, "pass")])
    document, _paths = write_files([good, member], tmp_path)
    first = document["accounts"][0]
    assert first["host"] == "member" and first["account_id"] == "888888888888"
    assert first["findings"] == []
    assert first["errors"] == [{"task": "Password policy",
                                "message": "sts:AssumeRole: AccessDenied for arn:aws:iam::888888888888:role/Audit"}]
    _document, md, junit = read(tmp_path)
    assert "- **error** in task `Password policy`: sts:AssumeRole: AccessDenied" in md
    assert "| 888888888888 | `member` | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |" in md
    error_cases = [c for c in junit.iter("testcase") if c.find("error") is not None]
    assert len(error_cases) == 1 and error_cases[0].get("classname") == "888888888888"
    assert error_cases[0].get("name") == "task error 1: Password policy"
    assert error_cases[0].find("error").get("type") == "task_error"
    assert "AccessDenied" in error_cases[0].find("error").text
    suite = junit.find("testsuite")
    assert (suite.get("tests"), suite.get("errors")) == ("1", "1")


def test_findings_kept_before_a_failure_stay_next_to_it():
    """A module that failed part way (loop item, credential report): its findings and its error."""
    account = collect.account_section(
        "partial", "777777777777", findings=[f("root.no_access_keys", "pass", resource="root")],
        selected=["root.no_access_keys"],
        failures=[{"task": "Root keys", "message": "the credential report could not be generated"}])
    assert [(x["control"], x["status"]) for x in account["findings"]] == [("root.no_access_keys", "pass")]
    assert account["errors"] == [{"task": "Root keys", "message": "the credential report could not be generated"}]


def test_only_catalogue_controls_and_statuses(tmp_path):
    account = collect.account_section("h", "111111111111", [
        f(MIN_LENGTH, "drift"),
        {"control": "iam.made_up", "status": "fail", "resource": "x", "region": "global", "message": "m"},
        {"control": "iam.user_mfa", "status": "catastrophic", "resource": "x", "region": "global", "message": "m"},
        "not a finding",
    ])
    assert [x["control"] for x in account["findings"]] == [MIN_LENGTH]
    assert [e["task"] for e in account["errors"]] == ["(findings)"] * 3
    problems = " ".join(e["message"] for e in account["errors"])
    assert "'iam.made_up'" in problems and "'catastrophic'" in problems and "not a dict" in problems
    document, _paths = write_files([account], tmp_path)
    assert all(x["control"] in controls.CONTROLS for a in document["accounts"] for x in a["findings"])
    junit = read(tmp_path)[2]
    assert "iam.made_up" not in [c.get("name") for c in junit.iter("testcase")]
    # The three left-out findings are task errors: the run fails on them by default.
    assert gate.gate(document, "")["count"] == 3


def test_waived_and_expired_waivers(tmp_path):
    today = datetime.date(2026, 6, 1)
    waivers = [
        {"control": "iam.user_mfa", "resource": "alice-*", "reason": "break-glass user", "expires": "2026-12-31"},
        {"control": "iam.user_mfa", "resource": "bob", "reason": "left the company", "expires": "2026-01-31"},
    ]
    found = Findings(["iam.user_mfa"], waivers, today=today)
    found.add("iam.user_mfa", "fail", "console password, no MFA", resource="alice-console")
    found.add("iam.user_mfa", "fail", "console password, no MFA", resource="bob")
    account = collect.account_section("h", "111111111111", found.items, ["iam.user_mfa"])
    document, _paths = write_files([account], tmp_path)
    items = dict((x["resource"], x) for x in document["accounts"][0]["findings"])
    assert items["alice-console"]["status"] == "waived" and "break-glass user" in items["alice-console"]["message"]
    assert items["bob"]["status"] == "fail"
    assert "[waiver expired on 2026-01-31: left the company]" in items["bob"]["message"]
    _document, md, junit = read(tmp_path)
    assert "**waived** `iam.user_mfa` on `alice-console`" in md
    assert "waiver expired on 2026-01-31" in md
    case = next(junit.iter("testcase"))
    assert case.find("failure") is not None  # the expired waiver no longer waives: the worst is fail
    assert "waived" in case.find("failure").text
    assert gate.gate(document, "fail")["count"] == 1  # the waived one never counts


def test_no_raw_module_result_in_the_report(tmp_path):
    raw = dict(f(MIN_LENGTH, "drift"), policy={"MinimumPasswordLength": 8},
               invocation={"module_args": {"secret_key": SECRET}}, diff={"before": {"x": SECRET}})
    failure = {"task": "Password policy", "message": "failed", "invocation": {"module_args": {"secret_key": SECRET}}}
    accounts = [collect.account_section("h", "111111111111", [raw]),
                collect.account_section("h2", "222222222222", failures=[failure])]
    write_files(accounts, tmp_path)
    for name, text in file_texts(tmp_path).items():
        assert SECRET not in text and "MinimumPasswordLength\": 8" not in text and "invocation" not in text, name
        assert '"policy"' not in text and '"diff"' not in text, name


def test_markdown_escapes_what_would_break_it(tmp_path):
    account = collect.account_section("h", "111111111111", [
        f("iam.user_mfa", "fail", "user *x* | <img> [a](b) has no_mfa _emph_\nsecond line", resource="weird`name")])
    write_files([account], tmp_path)
    md = read(tmp_path)[1]
    assert "user \\*x\\* \\| \\<img> \\[a\\](b) has no_mfa \\_emph\\_ second line" in md
    assert "`` weird`name ``" in md  # seen: the backtick silently became '
    assert "second line" not in md.split("user \\*x\\*")[0]  # one line: the list item is not broken
    assert md.count("\n- **fail**") == 2  # the control line and the finding's line, neither broken


def test_markdown_names_stay_text_and_table_cells_stay_whole(tmp_path):
    # seen: a host named prod|payments shifted the counts a column; www.example.com became a link
    account = collect.account_section("prod|payments", "111111111111", [
        f("iam.user_mfa", "fail", "www.example.com, https://evil.example/x and ops@example.com have no MFA",
          resource="www.example.com")])
    write_files([account], tmp_path)
    md = read(tmp_path)[1]
    row = [line for line in md.splitlines() if line.startswith("| 111111111111 |")][0]
    assert row.startswith("| 111111111111 | `prod\\|payments` | 0 | 0 | 0 | 1 |")
    assert len(re.split(r"(?<!\\)\|", row)) == len(re.split(r"(?<!\\)\|", md.splitlines()[4]))  # same cell count
    assert "www\\.example.com, https\\://evil.example/x and ops\\@example.com have no MFA" in md
    assert "`www.example.com`" in md  # a code span is never a link


@pytest.mark.parametrize("name,span", [("plain", "`plain`"), ("a`b", "`` a`b ``"), ("``x", "``` ``x ```")])
def test_code_spans_show_backticks_exactly(name, span):
    assert render._code(name) == span


def test_xml_invalid_characters_are_replaced(tmp_path):
    account = collect.account_section("h", "111111111111", [f("iam.user_mfa", "fail", "bell\x07 nul\x00 esc\x1b ok")],
                                      failures=[{"task": "Task\x01", "message": "vertical\x0btab"}])
    write_files([account], tmp_path)
    junit = read(tmp_path)[2]  # parses: no character XML 1.0 cannot carry
    failure = junit.find("testsuite/testcase/failure")
    assert failure.get("message") == u"fail: bell\ufffd nul\ufffd esc\ufffd ok"
    assert u"bell\ufffd nul\ufffd esc\ufffd ok" in failure.text
    error = [c for c in junit.iter("testcase") if c.find("error") is not None][0]
    assert error.get("name") == u"task error 1: Task\ufffd"
    assert error.find("error").get("message") == u"vertical\ufffdtab"
    # JSON carries them escaped, unchanged.
    assert read(tmp_path)[0]["accounts"][0]["findings"][0]["message"] == "bell\x07 nul\x00 esc\x1b ok"


def test_a_lone_surrogate_does_not_stop_the_report(tmp_path):
    account = collect.account_section("h", "111111111111", [f("iam.user_mfa", "fail", "name \udc80 undecodable")])
    write_files([account], tmp_path)
    assert sorted(os.listdir(str(tmp_path))) == sorted(write.FILES)
    read(tmp_path)


def test_long_text_is_truncated_and_one_line(tmp_path):
    account = collect.account_section("h", "111111111111", [
        f("iam.user_mfa", "fail", "x" * 5000, resource="r" * 600, region="g" * 200),
        f(MIN_LENGTH, "drift", "first\n   second\r\nthird")], failures=[{"task": "t" * 400, "message": "y" * 3000}])
    by_control = dict((x["control"], x) for x in account["findings"])
    message = by_control["iam.user_mfa"]["message"]
    assert len(message) == 2000 and message == "x" * 1999 + u"\u2026"
    assert by_control["iam.user_mfa"]["resource"] == "r" * 499 + u"\u2026"
    assert by_control["iam.user_mfa"]["region"] == "g" * 99 + u"\u2026"
    assert by_control[MIN_LENGTH]["message"] == "first second third"
    assert account["errors"] == [{"task": "t" * 299 + u"\u2026", "message": "y" * 1999 + u"\u2026"}]
    write_files([account], tmp_path)
    junit = read(tmp_path)[2]
    failure = junit.find("testsuite/testcase[@name='iam.user_mfa']/failure")
    assert len(failure.get("message")) == 500 and failure.get("message").startswith("fail: xxx")
    assert failure.get("message").endswith(u"\u2026")
    task_error = [c for c in junit.iter("testcase") if c.find("error") is not None][0].find("error")
    assert len(task_error.get("message")) == 500 and task_error.text == "y" * 1999 + u"\u2026"


def test_an_empty_report_is_still_three_files(tmp_path):
    document, _paths = write_files([], tmp_path / "ci" / "audit")
    assert sorted(os.listdir(str(tmp_path / "ci" / "audit"))) == sorted(write.FILES)
    assert document["accounts"] == [] and set(document["totals"].values()) == {0}
    junit = read(tmp_path / "ci" / "audit")[2]
    assert junit.get("tests") == "0" and junit.findall("testsuite") == []


def test_report_files_are_0600(tmp_path):
    write_files(mixed(), tmp_path)
    for name in write.FILES:
        assert oct(os.stat(str(tmp_path / name)).st_mode & 0o777) == "0o600", name


# --- account_section ---------------------------------------------------------------------------

def test_a_selected_control_without_finding_names_the_failure():
    account = collect.account_section(
        "h", "111111111111", findings=[f(MIN_LENGTH, "drift")],
        selected=[MIN_LENGTH, MAX_AGE, SYMBOLS, MAX_AGE],
        failures=[{"task": "Evaluate", "message": "iam:GetAccountPasswordPolicy: Throttling"}])
    statuses = [(x["control"], x["status"], x["message"]) for x in account["findings"]]
    assert statuses == [
        (MIN_LENGTH, "drift", "m"),
        (MAX_AGE, "error", "not evaluated: iam:GetAccountPasswordPolicy: Throttling"),
        (SYMBOLS, "error", "not evaluated: iam:GetAccountPasswordPolicy: Throttling"),
    ]
    assert all(x["resource"] == "account" and x["region"] == "global" for x in account["findings"][1:])
    assert account["errors"] == [{"task": "Evaluate", "message": "iam:GetAccountPasswordPolicy: Throttling"}]


def test_a_selected_control_names_the_last_failure():
    account = collect.account_section("h", None, selected=["root.mfa"], failures=[
        {"task": "One", "message": "first"}, {"task": "Two", "message": "second"}])
    assert [x["message"] for x in account["findings"]] == ["not evaluated: second"]
    assert len(account["errors"]) == 2


def test_a_selected_control_names_the_play_failure():
    account = collect.account_section("h", "111111111111", selected=["root.mfa", "iam.user_mfa"], play_failed=True)
    reason = "the play failed on this host before it finished; see the play output"
    assert account["errors"] == [{"task": "(play)", "message": reason}]
    assert [(x["control"], x["status"], x["message"]) for x in account["findings"]] == [
        ("root.mfa", "error", "not evaluated: " + reason), ("iam.user_mfa", "error", "not evaluated: " + reason)]


def test_a_failed_play_after_a_rescued_failure_names_the_failure():
    account = collect.account_section("h", None, selected=["root.mfa"], play_failed=True,
                                      failures=[{"task": "Evaluate", "message": "AccessDenied"}])
    assert account["errors"] == [{"task": "Evaluate", "message": "AccessDenied"}]
    assert account["findings"][0]["message"] == "not evaluated: AccessDenied"


def test_a_failed_play_with_a_malformed_finding_still_names_the_play_failure():
    account = collect.account_section("h", None, findings=["junk"], selected=["root.mfa"], play_failed=True)
    assert {"task": "(play)", "message": "the play failed on this host before it finished; see the play output"} \
        in account["errors"]
    assert account["findings"][0]["message"].startswith("not evaluated: the play failed")


def test_a_selected_control_without_any_reason_is_a_bulwark_bug():
    account = collect.account_section("h", None, findings=[f(MIN_LENGTH, "pass")], selected=[MIN_LENGTH, "root.mfa"])
    assert account["errors"] == []
    assert [(x["control"], x["status"]) for x in account["findings"]] == [(MIN_LENGTH, "pass"), ("root.mfa", "error")]
    assert account["findings"][1]["message"] == ("not evaluated: its evaluation did not report it "
                                                 "(please report this bulwark bug)")


def test_an_unknown_selected_control_never_breaks_the_report(tmp_path):
    account = collect.account_section("h", None, selected=["iam.made_up", "root.mfa"], failures=["denied"])
    assert [x["control"] for x in account["findings"]] == ["root.mfa"]
    write_files([account], tmp_path)  # every finding has a catalogue entry (its remediation, its JUnit title)
    assert [c.get("name") for c in read(tmp_path)[2].iter("testcase")] == ["root.mfa", "task error 1: (task)"]


def test_every_evaluated_control_adds_nothing():
    account = collect.account_section("h", None, findings=[f(MIN_LENGTH, "pass"), f(MAX_AGE, "drift")],
                                      selected=[MIN_LENGTH, MAX_AGE], play_failed=False)
    assert [x["status"] for x in account["findings"]] == ["pass", "drift"] and account["errors"] == []


def test_duplicate_findings_and_errors_are_one():
    """A finding kept twice (a role re-run, a rescue adding what was kept) is one finding."""
    account = collect.account_section(
        "h", None, findings=[f(MIN_LENGTH, "drift"), f(MIN_LENGTH, "drift"), f(MIN_LENGTH, "drift", resource="other"),
                             f(MIN_LENGTH, "drift", "another message"), "junk", "junk"],
        failures=[{"task": "T", "message": "boom"}, {"task": "T", "message": "boom"}])
    assert [(x["resource"], x["message"]) for x in account["findings"]] == [
        (PP, "m"), ("other", "m"), (PP, "another message")]
    assert account["errors"] == [{"task": "(findings)", "message": "a finding that is not a dict was left out of the "
                                                                   "report"},
                                 {"task": "T", "message": "boom"}]


def test_failure_entries_without_task_or_message():
    account = collect.account_section("h", None, failures=["plain text", {"task": "T"}, {"message": "no task"}])
    assert account["errors"] == [{"task": "(task)", "message": "plain text"},
                                 {"task": "T", "message": "the task failed (no message)"},
                                 {"task": "(task)", "message": "no task"}]


def test_finding_defaults_resource_and_region():
    account = collect.account_section("h", None, [{"control": "root.mfa", "status": "fail", "message": None}])
    assert account["findings"] == [{"control": "root.mfa", "status": "fail", "resource": "account",
                                    "region": "global", "message": ""}]


@pytest.mark.parametrize("account_id,expected", [
    ("111111111111", "111111111111"),
    (111111111111, "111111111111"),
    ("", None),
    (None, None),
    ("11111111111", None),
    ("arn:aws:iam::111111111111:root", None),
    ("{{ account_id }}", None),
])
def test_account_id_is_twelve_digits_or_none(account_id, expected):
    assert collect.account_section("h", account_id)["account_id"] == expected


# --- BULWARK_FAIL_ON -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("", ("error", None)),
    (None, ("error", None)),
    ("  ", ("error", None)),
    ("error", ("error", None)),
    ("FAIL", ("fail", None)),
    (" drift ", ("drift", None)),
    ("manual", ("manual", None)),
    ("none", (None, None)),
    ("Never", (None, None)),
    ("off", (None, None)),
])
def test_parse_fail_on(value, expected):
    assert gate.parse_fail_on(value) == expected


@pytest.mark.parametrize("value", ["drfit", "pass", "fixed", "waived", "true", "10"])
def test_parse_fail_on_names_the_setting_and_the_choices(value):
    threshold, problem = gate.parse_fail_on(value)
    assert threshold is None
    assert problem == ("BULWARK_FAIL_ON (or bulwark_fail_on) is %r: set it to one of error, fail, drift, manual, new, none"
                       % value)


def _one_account(statuses, failures=None):
    ids = controls.ids(prefix="iam.password_policy.")
    account = collect.account_section("h", "111111111111", [f(ids[n], s) for n, s in enumerate(statuses)],
                                      failures=failures)
    return collect.build_report([account], "check", NOW)


@pytest.mark.parametrize("fail_on,statuses,count", [
    ("drift", ["pass", "drift"], 1),
    ("drift", ["pass", "fixed", "waived", "manual"], 0),
    ("drift", ["drift", "fail", "error", "manual"], 3),
    ("fail", ["drift", "drift"], 0),
    ("fail", ["fail"], 1),
    ("FAIL", ["error"], 1),
    ("error", ["fail"], 0),
    ("error", ["error", "error"], 2),
    ("manual", ["manual"], 1),
    ("manual", ["pass", "fixed", "waived"] * 2, 0),
    ("never", ["error"], 0),
    ("none", ["error", "fail"], 0),
    ("", ["error"], 1),
    ("", ["fail", "drift", "manual"], 0),
])
def test_fail_on(fail_on, statuses, count):
    document = _one_account(statuses)
    verdict = gate.gate(document, fail_on)
    assert verdict["count"] == count and verdict["failed"] is bool(count)
    if verdict["fail_on"] != "none":
        assert gate.at_least(document, verdict["fail_on"]) == count


def test_gate_default_is_error_and_counts_task_errors(tmp_path):
    document = _one_account(["error", "fail"], failures=[{"task": "T", "message": "AssumeRole denied"}])
    verdict = gate.gate(document, "", str(tmp_path))
    assert verdict == {"fail_on": "error", "failed": True, "count": 2,
                       "message": "BULWARK_FAIL_ON=error: 2 finding(s) or task error(s) are error; read %s"
                                  % os.path.join(str(tmp_path), "report.md")}
    only_task_error = collect.build_report([collect.account_section("h", failures=["denied"])], "check", NOW)
    assert gate.gate(only_task_error, "manual")["count"] == 1  # a task error is at least as bad as any threshold


def test_gate_messages():
    drift = _one_account(["drift", "drift", "fail"])
    assert gate.gate(drift, "drift")["message"] == ("BULWARK_FAIL_ON=drift: 3 finding(s) or task error(s) are drift "
                                                    "or worse; read report.md")
    assert gate.gate(drift, "error") == {"fail_on": "error", "failed": False, "count": 0,
                                         "message": "BULWARK_FAIL_ON=error: no finding is error"}
    assert gate.gate(drift, "manual")["message"].startswith("BULWARK_FAIL_ON=manual: 3 finding(s)")


def test_gate_none_never_fails():
    verdict = gate.gate(_one_account(["error"], failures=["boom"]), "none")
    assert verdict == {"fail_on": "none", "failed": False, "count": 0,
                       "message": "BULWARK_FAIL_ON=none: the findings never fail the run"}


def test_gate_with_a_typo_fails_with_the_problem():
    verdict = gate.gate(_one_account(["pass"]), "drfit")
    assert verdict["failed"] is True and verdict["fail_on"] == "drfit" and verdict["count"] == 0
    assert "BULWARK_FAIL_ON" in verdict["message"] and "'drfit'" in verdict["message"]
    assert "error, fail, drift, manual, new, none" in verdict["message"]


@pytest.mark.parametrize("status", ["pass", "fixed", "waived"])
def test_pass_fixed_and_waived_never_count(status):
    document = _one_account([status] * 5)
    for threshold in ("error", "fail", "drift", "manual"):
        assert gate.at_least(document, threshold) == 0
        assert gate.gate(document, threshold)["failed"] is False
    # Not a BULWARK_FAIL_ON choice, but at_least never counts them, whatever the threshold.
    assert gate.at_least(document, status) == 0


# --- where the files go ----------------------------------------------------------------------

def test_timestamped_dir_never_reuses_a_directory(tmp_path):
    first = write.timestamped_dir(str(tmp_path), NOW)
    second = write.timestamped_dir(str(tmp_path), NOW)
    third = write.timestamped_dir(str(tmp_path), NOW)
    assert [os.path.basename(p) for p in (first, second, third)] == [
        "20260301T120000Z", "20260301T120000Z-2", "20260301T120000Z-3"]
    assert all(os.path.isdir(p) and oct(os.stat(p).st_mode & 0o777) == "0o700" for p in (first, second, third))
    latest = tmp_path / "latest"
    assert latest.is_symlink() and os.readlink(str(latest)) == "20260301T120000Z-3"  # relative: the tree can move
    assert not [n for n in os.listdir(str(tmp_path)) if ".tmp." in n]


def test_timestamped_dir_leaves_a_latest_that_is_not_a_link_alone(tmp_path):
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "keep").write_text("mine")
    path = write.timestamped_dir(str(tmp_path), NOW)
    assert os.path.isdir(path)
    assert not (tmp_path / "latest").is_symlink() and (tmp_path / "latest" / "keep").read_text() == "mine"
    assert sorted(os.listdir(str(tmp_path))) == ["20260301T120000Z", "latest"]  # no temporary link left


def test_run_directory_uses_an_absolute_dir_as_is(tmp_path):
    target = tmp_path / "ci" / "audit"
    assert write.run_directory(str(target), cwd="/nonexistent") == str(target)
    assert target.is_dir() and os.listdir(str(target)) == []
    (target / "old").write_text("x")
    assert write.run_directory(str(target)) == str(target)  # an existing directory is fine, kept as is
    assert os.listdir(str(target)) == ["old"]


def test_run_directory_relative_to_cwd(tmp_path, monkeypatch):
    assert write.run_directory("out/run", cwd=str(tmp_path)) == str(tmp_path / "out" / "run")
    assert (tmp_path / "out" / "run").is_dir()
    monkeypatch.chdir(tmp_path)
    assert write.run_directory("./other") == str(tmp_path / "other")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert write.run_directory("~/reports", cwd="/") == str(tmp_path / "home" / "reports")


def test_run_directory_default_is_a_new_timestamped_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dirs = [write.run_directory(), write.run_directory(""), write.run_directory(None, cwd=str(tmp_path))]
    assert len(set(dirs)) == 3
    for d in dirs:
        assert os.path.isabs(d) and os.path.dirname(d) == str(tmp_path / "bulwark-reports")
        assert os.listdir(d) == []
        datetime.datetime.strptime(os.path.basename(d)[:16], "%Y%m%dT%H%M%SZ")
    latest = tmp_path / "bulwark-reports" / "latest"
    assert latest.is_symlink() and os.path.realpath(str(latest)) == os.path.realpath(dirs[-1])
    write_files(mixed(), dirs[-1])
    assert sorted(os.listdir(str(latest))) == sorted(write.FILES)


def test_write_is_atomic_and_0600(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    os.chmod(str(target), 0o644)
    write._write(str(target), u"new \u2713")
    assert target.read_text(encoding="utf-8") == u"new \u2713"
    assert oct(os.stat(str(target)).st_mode & 0o777) == "0o600"
    write._write(str(target), b"bytes")
    assert target.read_bytes() == b"bytes" and os.listdir(str(tmp_path)) == ["report.json"]


def _replace_fails(monkeypatch):
    def boom(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")
    monkeypatch.setattr(write.os, "replace", boom)


def _write_fails(monkeypatch):
    real = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(write.os, "fdopen", lambda fd, mode: Full(real(fd, mode)))


@pytest.mark.parametrize("break_it", [_replace_fails, _write_fails], ids=["replace", "write"])
def test_a_failed_write_leaves_no_temporary_file_and_the_old_file(tmp_path, monkeypatch, break_it):
    target = tmp_path / "report.json"
    target.write_text("old")
    with monkeypatch.context() as m:
        break_it(m)
        with pytest.raises(OSError):
            write._write(str(target), "new")
    assert os.listdir(str(tmp_path)) == ["report.json"] and target.read_text() == "old"


def test_a_write_onto_a_directory_leaves_no_temporary_file(tmp_path):
    (tmp_path / "report.json").mkdir()
    with pytest.raises(OSError):
        write._write(str(tmp_path / "report.json"), "data")
    assert os.listdir(str(tmp_path)) == ["report.json"] and (tmp_path / "report.json").is_dir()


def test_a_write_into_a_read_only_directory_leaves_nothing(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(str(locked), 0o500)
    try:
        if os.access(str(locked), os.W_OK):
            pytest.skip("this user writes into a 0500 directory (root with CAP_DAC_OVERRIDE)")
        with pytest.raises(OSError):
            write._write(str(locked / "report.json"), "data")
        assert os.listdir(str(locked)) == []
    finally:
        os.chmod(str(locked), 0o700)


# --- the actions, in-process ---------------------------------------------------------------------

def _action(module, args, check_mode=False, name="bulwark.aws.report"):
    task = MagicMock()
    task.args = dict(args)
    task.action = name
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = False
    connection = MagicMock()
    connection._shell.tmpdir = None
    plugin = module.ActionModule(task, connection, MagicMock(), MagicMock(), MagicMock(), None)
    return plugin, connection


def _kept(account_id, findings=(), selected=(), failures=(), **extra):
    """A host's variables as the report action sees them: the account run keeps its facts."""
    out = {"ansible_facts": {"_bulwark_account_id": account_id, "_bulwark_findings": list(findings),
                             "_bulwark_selected": list(selected), "_bulwark_failures": list(failures)}}
    out.update(extra)
    return out


def _two_hosts(**play):
    """acct-a evaluated; acct-b failed the play (not in ansible_play_hosts) before any finding."""
    task_vars = {
        "hostvars": {
            "acct-a": _kept("111111111111", [f(MIN_LENGTH, "drift"), f(MAX_AGE, "pass")], [MIN_LENGTH, MAX_AGE],
                            aws_secret_access_key=SECRET),
            "acct-b": _kept("222222222222", [], [MIN_LENGTH, "root.mfa"]),
        },
        "ansible_play_hosts_all": ["acct-a", "acct-b"],
        "ansible_play_hosts": ["acct-a"],
        "ansible_check_mode": False,
    }
    task_vars.update(play)
    return task_vars


def test_report_action_writes_every_account_of_the_play(tmp_path):
    plugin, connection = _action(report_action, {"report_dir": str(tmp_path), "fail_on": ""})
    result = plugin.run(task_vars=_two_hosts(ansible_check_mode=True))
    assert connection.mock_calls == []  # runs on the controller: no connection, no remote tmp
    assert not result.get("failed") and result["changed"] is False
    assert result["files"] == [str(tmp_path / n) for n in ("report.json", "report.md", "report.html", "report.junit.xml")]
    assert result["report_dir"] == str(tmp_path) and result["mode"] == "check"
    document, md, junit = read(tmp_path)
    assert document["mode"] == "check" and result["totals"] == document["totals"]
    by_host = dict((a["host"], a) for a in document["accounts"])
    assert [a["host"] for a in document["accounts"]] == ["acct-b", "acct-a"]
    assert [(x["control"], x["status"]) for x in by_host["acct-a"]["findings"]] == [
        (MIN_LENGTH, "drift"), (MAX_AGE, "pass")]
    assert by_host["acct-a"]["errors"] == []
    reason = "not evaluated: the play failed on this host before it finished; see the play output"
    assert [(x["control"], x["status"], x["message"]) for x in by_host["acct-b"]["findings"]] == [
        ("root.mfa", "error", reason), (MIN_LENGTH, "error", reason)]
    assert [e["task"] for e in by_host["acct-b"]["errors"]] == ["(play)"]
    assert oct(os.stat(str(tmp_path / "report.json")).st_mode & 0o777) == "0o600"
    assert len(junit.findall("testsuite")) == 2 and "## 222222222222 (acct-b)" in md
    # The summary: the mode, acct-b (worst) first, one line per control not pass, files and gate last.
    assert result["summary"] == [
        "bulwark.aws drift report (check)",
        "acct-b (222222222222): 2 error, 1 task error",
        "  task error in (play): the play failed on this host before it finished; see the play output",
        "  root.mfa error: not evaluated: the play failed on this host before it finished; see the\u2026",
        "  iam.password_policy.min_length error: not evaluated: the play failed on this host before it finished; see the\u2026",
        "acct-a (111111111111): 1 pass, 1 drift",
        "  iam.password_policy.min_length drift",
        "2 accounts in all: 1 pass, 1 drift, 2 error, 1 task error",
        "reports: %s (report.md, report.html, report.json, report.junit.xml); BULWARK_FAIL_ON=error: the run fails, 3 finding(s) "
        "or task error(s) are error" % tmp_path,
    ]
    assert result["gate"] == {"fail_on": "error", "failed": True, "count": 3,
                              "message": "BULWARK_FAIL_ON=error: 3 finding(s) or task error(s) are error; read %s"
                                         % (tmp_path / "report.md")}
    for name, text in file_texts(tmp_path).items():
        assert SECRET not in text and "aws_secret_access_key" not in text, name


@pytest.mark.parametrize("play,host_a,host_b,mode", [
    ({"ansible_check_mode": True, "bulwark_audit_only": True}, {}, {}, "check"),
    ({"bulwark_audit_only": True}, {}, {}, "audit"),
    ({}, {"bulwark_audit_only": True}, {"bulwark_audit_only": "yes"}, "audit"),
    ({"bulwark_audit_only": True}, {}, {"bulwark_audit_only": False}, "apply"),
    ({}, {"bulwark_audit_only": True}, {}, "apply"),
    ({}, {}, {}, "apply"),
])
def test_report_action_mode(tmp_path, play, host_a, host_b, mode):
    task_vars = _two_hosts(ansible_play_hosts=["acct-a", "acct-b"], **play)
    task_vars["hostvars"]["acct-a"].update(host_a)
    task_vars["hostvars"]["acct-b"].update(host_b)
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path)}, check_mode=mode == "check")
    result = plugin.run(task_vars=task_vars)
    assert result["mode"] == mode and read(tmp_path)[0]["mode"] == mode
    assert read(tmp_path)[1].count("mode **%s**" % mode) == 1


def test_report_action_fail_on(tmp_path):
    task_vars = _two_hosts(ansible_play_hosts=["acct-a", "acct-b"])
    task_vars["hostvars"]["acct-b"]["ansible_facts"]["_bulwark_findings"] = [f(MIN_LENGTH, "pass"), f("root.mfa", "manual")]
    for fail_on, failed, count in (("", False, 0), ("drift", True, 1), ("manual", True, 2), ("none", False, 0)):
        plugin, _connection = _action(report_action, {"report_dir": str(tmp_path), "fail_on": fail_on})
        verdict = plugin.run(task_vars=task_vars)["gate"]
        assert (verdict["failed"], verdict["count"]) == (failed, count), fail_on
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path), "fail_on": "drfit"})
    result = plugin.run(task_vars=task_vars)
    assert not result.get("failed") and (tmp_path / "report.json").is_file()  # the files first, the gate after
    assert result["gate"]["failed"] is True and "BULWARK_FAIL_ON" in result["gate"]["message"]


def test_report_action_reads_the_host_it_runs_on_from_its_own_task_vars(tmp_path):
    """The implicit localhost (no inventory) is not in hostvars: its kept facts are the task's own."""
    task_vars = _kept("111111111111", [f(MIN_LENGTH, "drift")], [MIN_LENGTH, "root.mfa"],
                      failures=[{"task": "Evaluate", "message": "Throttling"}], bulwark_audit_only=True)
    task_vars.update({"hostvars": {}, "inventory_hostname": "localhost", "ansible_play_hosts_all": ["localhost"],
                      "ansible_play_hosts": ["localhost"]})
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path)})
    result = plugin.run(task_vars=task_vars)
    account = read(tmp_path)[0]["accounts"][0]
    assert account["host"] == "localhost" and account["account_id"] == "111111111111"
    assert [(x["control"], x["status"], x["message"]) for x in account["findings"]] == [
        ("root.mfa", "error", "not evaluated: Throttling"), (MIN_LENGTH, "drift", "m")]
    assert account["errors"] == [{"task": "Evaluate", "message": "Throttling"}]
    assert result["mode"] == "audit"


def test_report_action_nothing_selected_is_an_error_of_every_account(tmp_path):
    task_vars = _two_hosts(ansible_play_hosts=["acct-a", "acct-b"])
    task_vars["hostvars"] = {"acct-a": _kept("111111111111"), "acct-b": {}}
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path)})
    result = plugin.run(task_vars=task_vars)
    document = read(tmp_path)[0]
    assert sorted(a["host"] for a in document["accounts"]) == ["acct-a", "acct-b"]
    for account in document["accounts"]:
        assert account["findings"] == []
        assert account["errors"] == [{"task": "(selection)", "message": report_action.NOTHING_SELECTED}]
    assert report_action.NOTHING_SELECTED.startswith("no control was selected")
    assert result["gate"]["failed"] is True and result["gate"]["count"] == 2


def test_report_action_an_account_without_selection_next_to_findings_is_no_error(tmp_path):
    """One account without selection next to one with findings: no selection error."""
    task_vars = _two_hosts(ansible_play_hosts=["acct-a", "acct-b"])
    task_vars["hostvars"]["acct-b"] = _kept("222222222222")
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path)})
    plugin.run(task_vars=task_vars)
    assert all(a["errors"] == [] for a in read(tmp_path)[0]["accounts"])


def test_report_action_without_any_host(tmp_path):
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path)})
    result = plugin.run(task_vars={"hostvars": {}, "ansible_play_hosts_all": [], "ansible_play_hosts": []})
    document = read(tmp_path)[0]
    assert [a["host"] for a in document["accounts"]] == ["(no host)"]
    assert document["accounts"][0]["errors"][0]["message"] == report_action.NOTHING_SELECTED
    assert result["mode"] == "apply" and result["gate"]["count"] == 1


def test_report_action_hosts_option(tmp_path):
    plugin, _connection = _action(report_action, {"report_dir": str(tmp_path), "hosts": ["acct-a"]})
    result = plugin.run(task_vars=_two_hosts())
    assert [a["host"] for a in read(tmp_path)[0]["accounts"]] == ["acct-a"]
    assert result["gate"]["failed"] is False and result["totals"]["drift"] == 1


def test_report_action_reports_a_directory_it_cannot_write(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    plugin, _connection = _action(report_action, {"report_dir": str(blocker / "sub")})
    result = plugin.run(task_vars=_two_hosts())
    assert result["failed"] is True
    assert result["msg"].startswith("could not write the report to %s: " % (blocker / "sub"))
    assert "BULWARK_REPORT_DIR" in result["msg"] and "gate" not in result


def test_report_action_requires_report_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plugin, _connection = _action(report_action, {"fail_on": "drift"})
    with pytest.raises(AnsibleActionFail, match="missing required arguments: report_dir"):
        plugin.run(task_vars=_two_hosts())
    assert os.listdir(str(tmp_path)) == []


def _preflight_vars(**extra):
    task_vars = {
        "hostvars": {"acct-a": {"bulwark_audit_only": True}, "acct-b": {"bulwark_iam_password_min_length": 14}},
        "ansible_play_hosts_all": ["acct-a", "acct-b"],
        "groups": {"all": ["acct-a", "acct-b"]},
        "ansible_inventory_sources": [],
        "ansible_run_tags": ["all"],
        "ansible_skip_tags": [],
    }
    task_vars.update(extra)
    return task_vars


def test_preflight_an_unknown_variable_of_one_host_stops_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    task_vars = _preflight_vars()
    task_vars["hostvars"]["acct-b"]["bulwark_iam_password_min_lenght"] = 14
    plugin, _connection = _action(preflight_action, {"report_dir": "", "fail_on": ""}, name="bulwark.aws.preflight")
    result = plugin.run(task_vars=task_vars)
    assert result["failed"] is True
    assert len(result["problems"]) == 1
    assert result["problems"][0].startswith("unknown variable bulwark_iam_password_min_lenght (did you mean ")
    assert result["msg"] == "bulwark.aws stopped before any AWS call: " + result["problems"][0]
    assert "report_dir" not in result and os.listdir(str(tmp_path)) == []  # stopped before the directory


def test_preflight_creates_the_default_report_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plugin, _connection = _action(preflight_action, {"report_dir": "", "fail_on": ""}, name="bulwark.aws.preflight")
    result = plugin.run(task_vars=_preflight_vars())
    assert not result.get("failed"), result
    assert result["fail_on"] == "error" and result["cwd"] == str(tmp_path) and result["changed"] is False
    assert os.path.dirname(result["report_dir"]) == str(tmp_path / "bulwark-reports")
    assert os.path.isdir(result["report_dir"])
    assert os.path.realpath(str(tmp_path / "bulwark-reports" / "latest")) == os.path.realpath(result["report_dir"])


def test_preflight_explicit_report_dir_and_fail_on_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plugin, _connection = _action(preflight_action, {"report_dir": "ci/out", "fail_on": "Never"},
                                  name="bulwark.aws.preflight")
    result = plugin.run(task_vars=_preflight_vars())
    assert not result.get("failed"), result
    assert result["report_dir"] == str(tmp_path / "ci" / "out") and (tmp_path / "ci" / "out").is_dir()
    assert result["fail_on"] == "none"
    assert not (tmp_path / "bulwark-reports").exists()


def test_preflight_without_creating_the_report_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plugin, _connection = _action(preflight_action, {"fail_on": "drift", "create_report_dir": False},
                                  name="bulwark.aws.preflight")
    result = plugin.run(task_vars=_preflight_vars())
    assert result["fail_on"] == "drift" and "report_dir" not in result and os.listdir(str(tmp_path)) == []


def test_preflight_bad_fail_on_and_bad_waivers_are_each_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    task_vars = _preflight_vars()
    task_vars["hostvars"]["acct-b"]["bulwark_waivers"] = [{"control": "iam.user_mfa", "reason": "x",
                                                          "expires": "soon"}]
    plugin, _connection = _action(preflight_action, {"fail_on": "drfit"}, name="bulwark.aws.preflight")
    result = plugin.run(task_vars=task_vars)
    assert result["failed"] is True and len(result["problems"]) == 2
    assert result["problems"][0].startswith("host acct-b: bulwark_waivers[0].expires: 'soon' is not a date")
    assert result["problems"][1] == gate.parse_fail_on("drfit")[1]
    assert os.listdir(str(tmp_path)) == []


def test_preflight_cannot_create_the_report_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file")
    plugin, _connection = _action(preflight_action, {"report_dir": "taken"}, name="bulwark.aws.preflight")
    result = plugin.run(task_vars=_preflight_vars())
    assert result["failed"] is True and result["msg"].startswith("cannot create the report directory taken: ")
    assert "BULWARK_REPORT_DIR" in result["msg"]


def test_a_report_that_cannot_be_written_leaves_no_earlier_or_partial_file(tmp_path, monkeypatch):
    # seen: a full report directory left yesterday's green report.junit.xml and a report.json.tmp.<pid>
    write_files(mixed(), tmp_path)  # yesterday's report
    real = write._write

    def disk_full_at_markdown(path, data):
        if path.endswith("report.md"):
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(write, "_write", disk_full_at_markdown)
    with pytest.raises(OSError):
        write_files(mixed(), tmp_path)
    assert os.listdir(str(tmp_path)) == []


def test_a_waiver_never_hides_an_error():
    # seen: a wildcard waiver turned `error` into `waived`
    findings = Findings(["iam.user_mfa"], [{"control": "iam.user_mfa", "resource": "*", "reason": "accepted",
                                           "expires": "2999-01-01"}])
    error = findings.add("iam.user_mfa", "error", "iam:ListMFADevices denied", resource="alice")
    failed = findings.add("iam.user_mfa", "fail", "no MFA", resource="bob")
    assert error["status"] == "error" and error["message"] == "iam:ListMFADevices denied"
    assert failed["status"] == "waived"

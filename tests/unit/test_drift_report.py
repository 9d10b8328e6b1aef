"""The drift_report callback, fed fake task results and real AggregateStats: the three report
files, ordering, totals, JUnit structure, waivers, errors, BULWARK_FAIL_ON and the report
directory. The plugin is loaded by Ansible's plugin loader, so its options come from its
DOCUMENTATION the way ansible-playbook reads them."""

import datetime
import json
import os
import sys
import threading
import xml.etree.ElementTree as ET

import pytest

from ansible import context
from ansible.executor.stats import AggregateStats
from ansible.inventory.host import Host
from ansible.module_utils.common.collections import ImmutableDict
from ansible.plugins.loader import PluginLoader

from ansible_collections.bulwark.aws.plugins.module_utils import controls
from ansible_collections.bulwark.aws.plugins.module_utils.findings import STATUSES, Findings, finding

from tests.conftest import REPO

PLUGIN = "drift_report"
PP = "account-password-policy"


@pytest.fixture(scope="module", autouse=True)
def _plugin_loader():
    """The plugin as Ansible's plugin loader loads it (its options registered from its
    DOCUMENTATION). A loader of its own, reading plugins/callback/ as a callback_plugins
    directory: the collection loader cannot take over ansible_collections in a test process
    that has already imported it as a plain namespace package (conftest.py does)."""
    global LOADER, dr  # pylint: disable=global-statement
    LOADER = PluginLoader("CallbackModule", "ansible.plugins.callback", None, "callback_plugins",
                          required_base_class="CallbackBase")
    LOADER.add_directory(os.path.join(REPO, "plugins", "callback"))
    dr = sys.modules[type(LOADER.get(PLUGIN)).__module__]


LOADER = None
dr = None  # the plugin's module, as the loader imported it


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("BULWARK_REPORT_DIR", "BULWARK_FAIL_ON", "ANSIBLE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(check=True, args=("harden.yml",)))


class FakeDisplay:
    def __init__(self):
        self.lines = []
        self.warnings = []
        self.errors = []

    def display(self, msg, *args, **kwargs):
        self.lines.append(msg)

    def banner(self, msg, *args, **kwargs):
        self.lines.append("BANNER " + msg)

    def warning(self, msg, *args, **kwargs):
        self.warnings.append(msg)

    def error(self, msg, *args, **kwargs):
        self.errors.append(msg)

    @property
    def text(self):
        return "\n".join(self.lines + self.errors)


class FakeTask:
    def __init__(self, name, action):
        self.name = name
        self.action = action
        self.resolved_action = action

    def get_name(self):
        return self.name


class FakeResult:
    """What ansible-core 2.19 hands a callback: .host, .task, .result."""

    def __init__(self, host, task, result):
        self.host = host
        self.task = task
        self.result = result


class Run:
    """One ansible-playbook run as the callback sees it."""

    def __init__(self, report_dir=None, fail_on=None, monkeypatch=None):
        if report_dir is not None:
            monkeypatch.setenv("BULWARK_REPORT_DIR", str(report_dir))
        if fail_on is not None:
            monkeypatch.setenv("BULWARK_FAIL_ON", fail_on)
        self.cb = LOADER.get(PLUGIN)
        self.display = FakeDisplay()
        self.cb._display = self.display
        self.cb.set_options()
        self.stats = AggregateStats()
        self.hosts = {}
        self.cb.v2_playbook_on_start(None)

    def host(self, name):
        if name not in self.hosts:
            self.hosts[name] = Host(name)
        return self.hosts[name]

    def ok(self, host, result, action="bulwark.aws.iam_password_policy_check", task="Password policy"):
        self.stats.increment("ok", host)
        self.cb.v2_runner_on_ok(FakeResult(self.host(host), FakeTask(task, action), result))

    def failed(self, host, result, action="bulwark.aws.iam_password_policy_check", task="Password policy",
               ignore_errors=False):
        self.stats.increment("ok" if ignore_errors else "failures", host)
        self.cb.v2_runner_on_failed(FakeResult(self.host(host), FakeTask(task, action), dict(result, failed=True)),
                                    ignore_errors=ignore_errors)

    def unreachable(self, host, msg):
        self.stats.increment("dark", host)
        self.cb.v2_runner_on_unreachable(FakeResult(self.host(host), FakeTask("Password policy", "x"),
                                                    dict(unreachable=True, msg=msg)))

    def end(self):
        self.cb.v2_playbook_on_stats(self.stats)
        return self.cb.report


def result(account_id, *findings, **extra):
    out = dict(changed=False, findings=list(findings), actions=[], account_id=account_id)
    out.update(extra)
    return out


def f(control, status, message="m", resource=PP, region=None):
    return finding(control, status, message, resource=resource, region=region)


def read(directory):
    with open(os.path.join(directory, "report.json")) as fh:
        report = json.load(fh)
    with open(os.path.join(directory, "report.md")) as fh:
        md = fh.read()
    junit = ET.parse(os.path.join(directory, "report.junit.xml")).getroot()
    return report, md, junit


@pytest.fixture
def run(tmp_path, monkeypatch):
    return Run(report_dir=tmp_path, monkeypatch=monkeypatch)


def mixed(run):
    """acct-a: passes and drift; acct-b: every status, two users for iam.user_mfa."""
    run.ok("acct-a", result("111111111111",
                            f("iam.password_policy.min_length", "drift", "MinimumPasswordLength is 8"),
                            f("iam.password_policy.symbols", "pass", "RequireSymbols is True"),
                            f("iam.password_policy.max_age", "pass", "MaxPasswordAge is 90")))
    run.ok("acct-b", result("222222222222",
                            f("iam.password_policy.min_length", "fixed", "set to 14"),
                            f("iam.password_policy.symbols", "pass", "RequireSymbols is True")))
    run.ok("acct-b", result("222222222222",
                            f("iam.user_mfa", "pass", "has MFA", resource="bob"),
                            f("iam.user_mfa", "fail", "console password, no MFA", resource="alice"),
                            f("root.mfa", "error", "AccessDenied on iam:GetAccountSummary"),
                            f("account.security_questions", "manual", "not readable through the API"),
                            f("root.hardware_mfa", "waived", "waived until 2999-01-01: break glass")),
           action="bulwark.aws.mfa_status", task="MFA")


def test_three_files_same_content(run, tmp_path):
    mixed(run)
    report = run.end()
    on_disk, md, junit = read(tmp_path)
    assert on_disk == report
    assert set(report) == {"schema", "generated_at", "mode", "accounts", "totals"}
    assert report["schema"] == "bulwark.aws/report/v1" and report["mode"] == "check"
    datetime.datetime.strptime(report["generated_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert report["totals"] == {"pass": 4, "drift": 1, "fixed": 1, "fail": 1, "manual": 1, "error": 1, "waived": 1}
    for account in report["accounts"]:
        assert set(account) == {"host", "account_id", "findings", "errors"}
        for item in account["findings"]:
            assert set(item) == {"control", "status", "resource", "region", "message", "remediation"}
            assert item["remediation"] == controls.get(item["control"]).remediation
    # The Markdown: the totals table and every finding that is not pass, with its remediation.
    assert "| 222222222222 | `acct-b` | 2 | 0 | 1 | 1 | 1 | 1 | 1 | 0 |" in md
    assert "| 111111111111 | `acct-a` | 2 | 1 | 0 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "| **total** | | 4 | 1 | 1 | 1 | 1 | 1 | 1 | 0 |" in md
    for account in report["accounts"]:
        for item in account["findings"]:
            line = "**%s** `%s` on `%s`" % (item["status"], item["control"], item["resource"])
            assert (line in md) == (item["status"] != "pass"), line
    assert controls.get("root.mfa").remediation.split(".")[0] in md
    # The JUnit file holds the same findings.
    cases = junit.findall("testsuite/testcase")
    assert {c.get("name") for c in cases} == {x["control"] for a in report["accounts"] for x in a["findings"]}
    # The summary: one line per account, the totals and where the reports are.
    text = run.display.text
    assert "BANNER BULWARK DRIFT REPORT (check)" in text
    assert "222222222222  acct-b     2      0      1     1       1      1       1" in text
    assert "reports: %s (report.md, report.json, report.junit.xml)" % tmp_path in text


def test_accounts_and_findings_worst_first(run):
    run.ok("clean", result("333333333333", f("iam.password_policy.min_length", "pass")))
    run.ok("drifty", result("444444444444", f("iam.password_policy.min_length", "drift"),
                            f("iam.password_policy.max_age", "drift")))
    run.ok("failing", result("555555555555", f("iam.password_policy.min_length", "pass"),
                             f("iam.password_policy.max_age", "fail")))
    mixed(run)
    report = run.end()
    assert [a["host"] for a in report["accounts"]] == ["acct-b", "failing", "drifty", "acct-a", "clean"]
    for account in report["accounts"]:
        ranks = [STATUSES.index(x["status"]) for x in account["findings"]]
        assert ranks == sorted(ranks), account["host"]
    statuses = [x["status"] for x in report["accounts"][0]["findings"]]
    assert statuses == ["error", "fail", "manual", "waived", "fixed", "pass", "pass"]


def test_junit_one_case_per_control_worst_status_decides(run, tmp_path):
    mixed(run)
    run.end()
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
    assert "alice" in mfa.find("failure").text and "bob" in mfa.find("failure").text
    assert "Remediation: " + controls.get("iam.user_mfa").remediation in mfa.find("failure").text
    assert cases["root.mfa"].find("error").get("type") == "error"
    assert cases["account.security_questions"].find("skipped") is not None
    assert "break glass" in cases["root.hardware_mfa"].find("skipped").get("message")
    assert len(cases["iam.password_policy.min_length"]) == 1  # fixed: a passing case with output
    assert cases["iam.password_policy.min_length"].find("system-out").text.startswith("fixed:")
    assert list(cases["iam.password_policy.symbols"])[0].tag == "system-out"
    expected = {"tests": "6", "failures": "1", "errors": "1", "skipped": "2"}
    assert dict((k, b.get(k)) for k in expected) == expected
    a = suites[1]
    assert (a.get("tests"), a.get("failures"), a.get("errors"), a.get("skipped")) == ("3", "1", "0", "0")
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors"), junit.get("skipped")) == ("9", "2", "1", "2")
    for suite in suites:
        props = dict((p.get("name"), p.get("value")) for p in suite.findall("properties/property"))
        assert props["host"] == suite.get("hostname") and props["mode"] == "check"
        datetime.datetime.strptime(suite.get("timestamp"), "%Y-%m-%dT%H:%M:%S")


def test_same_account_id_on_several_hosts_gets_distinct_classnames(run, tmp_path):
    for host in ("one", "two"):
        run.ok(host, result("123456789012", f("iam.password_policy.min_length", "drift")))
    run.end()
    classnames = {c.get("classname") for c in read(tmp_path)[2].iter("testcase")}
    assert classnames == {"123456789012.one", "123456789012.two"}


def test_loop_items_and_failed_tasks_with_findings(run, tmp_path):
    loop = dict(changed=False, results=[
        dict(result("666666666666", f("iam.password_policy.min_length", "drift")), item="a", ansible_loop_var="item"),
        dict(skipped=True, item="b"),
        dict(result("666666666666", f("iam.password_policy.max_age", "error", "Throttling")),
             failed=True, msg="iam:GetAccountPasswordPolicy: Throttling", item="c"),
    ])
    run.failed("looped", loop, task="Per requirement")
    run.failed("partial", result("777777777777", f("root.no_access_keys", "pass", resource="root"),
                                 msg="the credential report could not be generated"),
               action="bulwark.aws.root_key_audit", task="Root keys")
    run.failed("ignored", result(None, msg="value of controls must be one or more of: ..."), ignore_errors=True)
    report = run.end()
    by_host = dict((a["host"], a) for a in report["accounts"])
    assert [(x["control"], x["status"]) for x in by_host["looped"]["findings"]] == [
        ("iam.password_policy.max_age", "error"), ("iam.password_policy.min_length", "drift")]
    assert by_host["looped"]["account_id"] == "666666666666"
    assert by_host["looped"]["errors"] == [{"task": "Per requirement (item 3)",
                                            "message": "iam:GetAccountPasswordPolicy: Throttling"}]
    assert [x["status"] for x in by_host["partial"]["findings"]] == ["pass"]
    assert by_host["partial"]["errors"][0]["message"] == "the credential report could not be generated"
    # An ignored failure of a bulwark task is still an account that was not evaluated.
    assert by_host["ignored"]["errors"][0]["message"].startswith("value of controls")
    assert by_host["ignored"]["account_id"] is None


def test_failed_host_without_findings_is_an_error_of_its_account(run, tmp_path):
    """issue 9: a host whose role cannot be assumed yields one error for that account."""
    run.host("member").set_variable("account_id", "888888888888")
    run.failed("member", {"findings": [], "msg": "sts:AssumeRole: AccessDenied for arn:aws:iam::888888888888:role/Audit"})
    run.ok("good", result("999999999999", f("iam.password_policy.min_length", "pass")))
    report = run.end()
    first = report["accounts"][0]
    assert first["host"] == "member" and first["account_id"] == "888888888888"
    assert first["findings"] == []
    assert first["errors"] == [{"task": "Password policy",
                                "message": "sts:AssumeRole: AccessDenied for arn:aws:iam::888888888888:role/Audit"}]
    _report, md, junit = read(tmp_path)
    assert "- **error** in task `Password policy`: sts:AssumeRole: AccessDenied" in md
    assert "| 888888888888 | `member` | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |" in md
    error_cases = [c for c in junit.iter("testcase") if c.find("error") is not None]
    assert len(error_cases) == 1 and error_cases[0].get("classname") == "888888888888"
    assert "AccessDenied" in error_cases[0].find("error").text


def test_non_bulwark_tasks(run):
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift")))
    # A debug of the registered result echoes the same findings: not counted twice.
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift")), action="ansible.builtin.debug",
           task="Show")
    run.ok("h", {"changed": False, "msg": "All assertions passed"}, action="ansible.builtin.assert", task="Check")
    # A role's argument validation fails the second host before any bulwark task.
    run.failed("early", {"msg": "Validation of arguments failed: bulwark_iam_password_min_length is not an int"},
               action="ansible.builtin.validate_argument_spec", task="Validating arguments against arg spec")
    # An ignored failure of some other task is nobody's error.
    run.failed("h", {"msg": "optional lookup failed"}, action="ansible.builtin.command", task="Optional",
               ignore_errors=True)
    report = run.end()
    by_host = dict((a["host"], a) for a in report["accounts"])
    assert len(by_host["h"]["findings"]) == 1 and by_host["h"]["errors"] == []
    assert by_host["early"]["errors"] == [{"task": "Validating arguments against arg spec",
                                           "message": "Validation of arguments failed: bulwark_iam_password_min_length"
                                                      " is not an int"}]


def test_rescued_failure_of_another_task_is_not_an_error(run):
    run.failed("h", {"msg": "first try"}, action="ansible.builtin.command", task="Try")
    run.stats.decrement("failures", "h")  # the strategy's bookkeeping for a rescued task
    run.stats.increment("rescued", "h")
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "pass")))
    report = run.end()
    assert report["accounts"][0]["errors"] == []


def test_no_log_bulwark_task_is_reported_as_missing(run):
    censored = {"changed": False, "_ansible_no_log": True,
                "censored": "the output has been hidden due to the fact that 'no_log: true' was specified"}
    run.ok("h", censored)
    report = run.end()
    assert report["accounts"][0]["findings"] == []
    assert "hidden (no_log)" in report["accounts"][0]["errors"][0]["message"]


def test_unreachable_host(run):
    run.unreachable("gone", "Failed to connect to the host via ssh")
    report = run.end()
    assert report["accounts"][0]["errors"][0]["message"] == "host unreachable: Failed to connect to the host via ssh"


def test_only_catalogue_controls_and_statuses(run, tmp_path):
    bad = result("111111111111", f("iam.password_policy.min_length", "drift"),
                 {"control": "iam.made_up", "status": "fail", "resource": "x", "region": "global", "message": "m"},
                 {"control": "iam.user_mfa", "status": "catastrophic", "resource": "x", "region": "global",
                  "message": "m"},
                 "not a finding")
    run.ok("h", bad)
    report = run.end()
    account = report["accounts"][0]
    assert [x["control"] for x in account["findings"]] == ["iam.password_policy.min_length"]
    assert all(x["control"] in controls.CONTROLS for a in report["accounts"] for x in a["findings"])
    problems = " ".join(e["message"] for e in account["errors"])
    assert "'iam.made_up'" in problems and "'catastrophic'" in problems and "not a dict" in problems
    _report, md, junit = read(tmp_path)
    assert "iam.made_up" not in [c.get("name") for c in junit.iter("testcase")]


def test_waived_and_expired_waivers(run, tmp_path):
    today = datetime.date(2026, 6, 1)
    waivers = [
        {"control": "iam.user_mfa", "resource": "alice-*", "reason": "break-glass user", "expires": "2026-12-31"},
        {"control": "iam.user_mfa", "resource": "bob", "reason": "left the company", "expires": "2026-01-31"},
    ]
    found = Findings(["iam.user_mfa"], waivers, today=today)
    found.add("iam.user_mfa", "fail", "console password, no MFA", resource="alice-console")
    found.add("iam.user_mfa", "fail", "console password, no MFA", resource="bob")
    run.ok("h", result("111111111111", *found.items), action="bulwark.aws.mfa_status")
    report = run.end()
    items = dict((x["resource"], x) for x in report["accounts"][0]["findings"])
    assert items["alice-console"]["status"] == "waived" and "break-glass user" in items["alice-console"]["message"]
    assert items["bob"]["status"] == "fail"
    assert "[waiver expired on 2026-01-31: left the company]" in items["bob"]["message"]
    _report, md, junit = read(tmp_path)
    assert "**waived** `iam.user_mfa` on `alice-console`" in md
    assert "waiver expired on 2026-01-31" in md
    case = next(junit.iter("testcase"))
    assert case.find("failure") is not None  # the expired waiver no longer waives: the worst is fail
    assert "waived" in case.find("failure").text


def test_no_raw_module_result_in_the_report(run, tmp_path):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift"),
                       policy={"MinimumPasswordLength": 8}, invocation={"module_args": {"secret_key": secret}},
                       diff={"before": {"x": secret}}))
    run.failed("h2", {"findings": [], "msg": "failed", "invocation": {"module_args": {"secret_key": secret}}})
    run.end()
    for name in dr.FILES:
        with open(os.path.join(tmp_path, name)) as fh:
            text = fh.read()
        assert secret not in text and "MinimumPasswordLength\": 8" not in text and "invocation" not in text, name


def test_apply_mode(run, monkeypatch):
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(check=False, args=("harden.yml",)))
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "fixed")))
    assert run.end()["mode"] == "apply"


def test_markdown_escapes_what_would_break_it(run, tmp_path):
    run.ok("h", result("111111111111", f("iam.user_mfa", "fail", "user *x* | <img> [a](b) has no_mfa\nsecond line",
                                         resource="weird`name")))
    run.end()
    md = read(tmp_path)[1]
    assert "user \\*x\\* \\| \\<img> \\[a\\](b) has no_mfa second line" in md
    assert "`weird'name`" in md


def test_threads_feeding_results_at_once(run):
    """Loop item events arrive on the strategy's results thread while task results arrive on the
    main thread; forks deliver many hosts' results in any order."""
    controls_ = controls.ids(prefix="iam.password_policy.")

    def feed(n):
        for control in controls_:
            run.ok("h%02d" % n, result("1000000000%02d" % n, f(control, "drift")))

    threads = [threading.Thread(target=feed, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = run.end()
    assert len(report["accounts"]) == 16
    assert report["totals"]["drift"] == 16 * len(controls_)


@pytest.mark.parametrize("fail_on,statuses,code", [
    ("drift", ["pass", "drift"], 10),
    ("drift", ["pass", "fixed", "waived", "manual"], None),
    ("fail", ["drift", "drift"], None),
    ("fail", ["fail"], 10),
    ("FAIL", ["error"], 10),
    ("error", ["fail"], None),
    ("manual", ["manual"], 10),
    ("pass", ["pass", "fixed", "waived"], None),
    ("pass", ["manual"], 10),
    ("never", ["error"], None),
    ("", ["error"], None),
    ("drfit", ["pass"], 5),
])
def test_fail_on(tmp_path, monkeypatch, fail_on, statuses, code):
    run = Run(report_dir=tmp_path, fail_on=fail_on, monkeypatch=monkeypatch)
    controls_ = controls.ids(prefix="iam.password_policy.")
    run.ok("h", result("111111111111", *[f(controls_[n], s) for n, s in enumerate(statuses)]))
    if code is None:
        run.end()
    else:
        with pytest.raises(SystemExit) as exc:
            run.end()
        assert exc.value.code == code
        assert run.display.errors
    assert (tmp_path / "report.json").is_file()  # written before the run ends
    if fail_on == "drfit":
        assert "BULWARK_FAIL_ON=drfit is not a status" in run.display.warnings[0]


def test_fail_on_counts_task_errors(tmp_path, monkeypatch):
    run = Run(report_dir=tmp_path, fail_on="error", monkeypatch=monkeypatch)
    run.failed("member", {"findings": [], "msg": "AssumeRole denied"}, ignore_errors=True)
    with pytest.raises(SystemExit) as exc:
        run.end()
    assert exc.value.code == 10


def test_fail_on_keeps_ansibles_own_failure(tmp_path, monkeypatch):
    run = Run(report_dir=tmp_path, fail_on="drift", monkeypatch=monkeypatch)
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift")))
    run.failed("other", {"findings": [], "msg": "boom"})
    run.end()  # no SystemExit: ansible-playbook exits 2 for the failed host by itself
    assert any("BULWARK_FAIL_ON=drift: 2 finding(s)" in e for e in run.display.errors)


def test_fail_on_waits_for_the_last_playbook(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(check=True, args=("one.yml", "two.yml")))
    run = Run(report_dir=tmp_path, fail_on="drift", monkeypatch=monkeypatch)
    run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift")))
    run.end()  # after one.yml: the reports are written, the run goes on
    assert read(tmp_path)[0]["totals"]["drift"] == 1
    run.cb.v2_playbook_on_start(None)
    run.ok("h", result("111111111111", f("iam.password_policy.max_age", "drift")))
    with pytest.raises(SystemExit):
        run.end()
    assert read(tmp_path)[0]["totals"]["drift"] == 2  # both playbooks in one report


def test_default_report_dir_is_a_new_timestamped_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dirs = []
    for n in range(2):
        run = Run(monkeypatch=monkeypatch)
        run.ok("h", result("111111111111", f("iam.password_policy.min_length", "drift")))
        run.end()
        dirs.append(run.cb.report_dir)
    assert dirs[0] != dirs[1]
    for d in dirs:
        assert os.path.dirname(d) == str(tmp_path / "reports")
        assert sorted(os.listdir(d)) == sorted(dr.FILES)
    latest = tmp_path / "reports" / "latest"
    assert latest.is_symlink() and os.path.realpath(str(latest)) == os.path.realpath(dirs[1])
    assert oct(os.stat(os.path.join(dirs[1], "report.json")).st_mode & 0o777) == "0o600"


def test_timestamped_dir_never_reuses_a_directory(tmp_path):
    now = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    first = dr.timestamped_dir(str(tmp_path), now)
    second = dr.timestamped_dir(str(tmp_path), now)
    assert os.path.basename(first) == "20260301T120000Z" and os.path.basename(second) == "20260301T120000Z-2"


def test_nothing_written_by_default_when_no_bulwark_task_ran(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = Run(monkeypatch=monkeypatch)
    run.ok("h", {"changed": False, "msg": "hello"}, action="ansible.builtin.debug", task="Hello")
    run.end()
    assert not (tmp_path / "reports").exists()
    assert run.display.lines == []


def test_explicit_report_dir_is_used_as_is(tmp_path, monkeypatch):
    target = tmp_path / "ci" / "audit"
    run = Run(report_dir=target, monkeypatch=monkeypatch)
    run.ok("h", {"changed": False, "msg": "hello"}, action="ansible.builtin.debug", task="Hello")
    report = run.end()
    assert sorted(os.listdir(target)) == sorted(dr.FILES)  # asked for: written even when empty
    assert report["accounts"] == [] and set(report["totals"].values()) == {0}

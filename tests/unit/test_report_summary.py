"""The summary printed at the end of a run (plugins/plugin_utils/report/summary.py): per account a
line of counts, then one line per control that is not pass with its regions and resources folded
into counts, worst first, capped; a total line for several accounts; where the files are and the
BULWARK_FAIL_ON outcome last."""

import datetime

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES, finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect, gate, summary

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
REGIONS = ["af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
           "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
           "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-2"]
GD = "guardduty.enabled"
KMS = "kms.key_rotation"
MFA = "iam.user_mfa"
TRAIL = "cloudtrail.multi_region"
KEY_ARN = "arn:aws:kms:%s:123456789012:key/%s"


def f(control, status, message="m", resource=None, region=None):
    return finding(control, status, message, resource=resource, region=region)


def document(*accounts, **kwargs):
    return collect.build_report(list(accounts), kwargs.get("mode", "check"), NOW)


def account(findings=(), host="prod-123456789012", account_id="123456789012", failures=None):
    return collect.account_section(host, account_id, list(findings), failures=failures)


def lines_of(*findings, **kwargs):
    """The lines under the count line of one account with these findings."""
    return summary.account_lines(document(account(findings, failures=kwargs.get("failures")))["accounts"][0],
                                 kwargs.get("max_lines", summary.MAX_CONTROL_LINES))[1:]


# --- folding -----------------------------------------------------------------------------------

def test_regions_fold_into_a_count():
    gd = [f(GD, "drift", "no GuardDuty detector", "guardduty-detector", r) for r in REGIONS]
    assert lines_of(*gd) == ["  guardduty.enabled drift in 17 regions"]


def test_one_region_is_named():
    assert lines_of(f(GD, "drift", "no GuardDuty detector", "guardduty-detector", "eu-west-1")) == [
        "  guardduty.enabled drift in eu-west-1"]
    assert lines_of(f(GD, "error", "AccessDenied", "guardduty-detector", "eu-west-1")) == [
        "  guardduty.enabled error in eu-west-1: AccessDenied"]


def test_users_fold_into_a_count():
    users = [f(MFA, "fail", "%s has no MFA" % u, u) for u in ("alice", "bob", "carol")]
    assert lines_of(*users) == ["  iam.user_mfa fail: 3 users"]


def test_one_fail_or_manual_finding_shows_what_to_do():
    assert lines_of(f(MFA, "fail", "alice has a console password and no MFA device", "alice")) == [
        "  iam.user_mfa fail: alice has a console password and no MFA device"]
    assert lines_of(f("account.security_questions", "manual", "no API reads them: sign in as root")) == [
        "  account.security_questions manual: no API reads them: sign in as root"]


@pytest.mark.parametrize("status", ["drift", "fixed", "waived"])
def test_drift_fixed_and_waived_need_only_the_control(status):
    message = "waived until 2999-01-01: x" if status == "waived" else "would set MinimumPasswordLength to 14"
    assert lines_of(f("iam.password_policy.min_length", status, message)) == [
        "  iam.password_policy.min_length %s" % status]


def test_more_resources_than_regions_count_both():
    keys = [f(KMS, "drift", "rotation off", KEY_ARN % (r, n), r) for r in REGIONS[:3] for n in range(2)]
    assert lines_of(*keys) == ["  kms.key_rotation drift: 6 keys in 3 regions"]
    two_in_one_region = [f(KMS, "drift", "rotation off", KEY_ARN % ("eu-west-1", n), "eu-west-1") for n in range(2)]
    assert lines_of(*two_in_one_region) == ["  kms.key_rotation drift: 2 keys in eu-west-1"]


def test_a_second_resource_in_one_region_still_folds_by_region():
    """securityhub.enabled: the hub in every region and the aggregator in the home region."""
    hubs = [f("securityhub.enabled", "drift", "off", "security-hub", r) for r in REGIONS]
    aggregator = f("securityhub.enabled", "drift", "not aggregated", "finding-aggregator", "us-east-1")
    assert lines_of(*(hubs + [aggregator])) == ["  securityhub.enabled drift in 17 regions"]


@pytest.mark.parametrize("control,resources,noun", [
    ("iam.no_full_admin_policies", ["arn:aws:iam::123456789012:policy/A", "arn:aws:iam::123456789012:policy/B"],
     "2 policies"),
    ("iam.expired_server_certificates", ["arn:aws:iam::123456789012:server-certificate/a",
                                         "arn:aws:iam::123456789012:server-certificate/b"], "2 certificates"),
    ("cloudtrail.bucket_versioning", ["arn:aws:s3:::one", "arn:aws:s3:::two"], "2 buckets"),
    ("iam.mfa_enforcement_policy", ["user/alice", "user/bob", "user/carol"], "3 users"),
    ("iam.no_cloudshell_full_access", ["group/a", "role/b"], "2 resources"),  # mixed: no one noun fits
    ("iam.key_rotation", ["alice", "bob"], "2 users"),  # bare user names
    ("account.budget_alert", ["one", "two"], "2 resources"),
])
def test_resource_nouns(control, resources, noun):
    assert lines_of(*[f(control, "fail", "x", r) for r in resources]) == ["  %s fail: %s" % (control, noun)]


def test_several_findings_on_one_global_resource_are_counted():
    assert lines_of(f("config.rules", "drift", "one"), f("config.rules", "drift", "two")) == [
        "  config.rules drift: 2 findings"]


def test_an_error_says_its_first_message_shortened():
    reason = "cloudtrail DescribeTrails failed: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/" \
             "audit/ops is not authorized to perform: cloudtrail:DescribeTrails"
    line = lines_of(f(TRAIL, "error", reason))[0]
    assert line == "  cloudtrail.multi_region error: " + reason[:summary.MESSAGE_LIMIT - 1] + u"\u2026"
    # Several errors: the count, then the first message (the report sorts them by resource, region).
    regional = [f(GD, "error", "%s: AccessDenied" % r, "guardduty-detector", r) for r in REGIONS]
    assert lines_of(*regional) == ["  guardduty.enabled error in 17 regions: af-south-1: AccessDenied"]
    users = [f(MFA, "error", "iam:ListMFADevices denied for %s" % u, u) for u in ("bob", "alice")]
    assert lines_of(*users) == ["  iam.user_mfa error: 2 users; iam:ListMFADevices denied for alice"]


def test_a_message_with_line_breaks_stays_one_line():
    line = lines_of(f(TRAIL, "error", "first\nsecond\r\nthird"))[0]
    assert line == "  cloudtrail.multi_region error: first second third"


def test_other_statuses_of_a_control_are_counted():
    findings = [f(MFA, "fail", "no MFA", "alice"), f(MFA, "waived", "waived until 2999-01-01", "bob"),
                f(MFA, "waived", "waived until 2999-01-01", "carol"), f(MFA, "pass", "has MFA", "dave")]
    assert lines_of(*findings) == ["  iam.user_mfa fail: no MFA (also 2 waived)"]


# --- order -----------------------------------------------------------------------------------------

def test_worst_first_then_catalogue_order_and_pass_is_left_out():
    findings = [
        f("account.alias", "waived", "waived until 2999-01-01: x"),
        f("account.security_questions", "manual", "no API"),
        f("iam.password_policy.min_length", "fixed", "set to 14"),
        f(GD, "drift", "off", "guardduty-detector", "eu-west-1"),
        f("root.hardware_mfa", "fail", "no hardware MFA"),
        f(MFA, "fail", "no MFA", "alice"),
        f("root.mfa", "fail", "no MFA"),
        f(TRAIL, "error", "denied"),
        f("root.no_access_keys", "pass", "no key"),
    ]
    statuses_and_controls = [[line.split()[0], line.split()[1].rstrip(":")] for line in lines_of(*findings)]
    assert statuses_and_controls == [
        [TRAIL, "error"], ["root.mfa", "fail"], ["root.hardware_mfa", "fail"], [MFA, "fail"],
        [GD, "drift"], ["iam.password_policy.min_length", "fixed"], ["account.security_questions", "manual"],
        ["account.alias", "waived"]]
    assert summary.LINE_ORDER == ("error", "fail", "drift", "fixed", "manual", "waived")
    assert set(summary.LINE_ORDER) == set(STATUSES) - {"pass"}


def test_a_control_sorts_by_its_worst_status():
    findings = [f(MFA, "drift", "x", "alice"), f(MFA, "error", "denied", "bob"), f("root.mfa", "fail", "no MFA")]
    assert [line.split()[0] for line in lines_of(*findings)] == [MFA, "root.mfa"]


def test_task_errors_come_first():
    lines = lines_of(f("root.mfa", "fail", "no MFA"),
                     failures=[{"task": "Assume the audit role", "message": "sts:AssumeRole: AccessDenied"}])
    assert lines == ["  task error in Assume the audit role: sts:AssumeRole: AccessDenied",
                     "  root.mfa fail: no MFA"]


# --- caps --------------------------------------------------------------------------------------------

def _many_controls(n):
    from ansible_collections.bulwark.aws.plugins.module_utils.core import controls
    return [f(c, "drift", "d") for c in controls.ids()[:n]]


def test_at_most_max_lines_then_how_many_more():
    lines = lines_of(*_many_controls(20), max_lines=15)
    assert len(lines) == 16
    assert lines[-1] == u"  \u2026 and 5 more controls (5 drift), see report.md"
    assert lines_of(*_many_controls(16), max_lines=15)[-1] == u"  \u2026 and 1 more control (1 drift), see report.md"


def test_exactly_max_lines_needs_no_more_line():
    lines = lines_of(*_many_controls(15), max_lines=15)
    assert len(lines) == 15 and not any(u"\u2026 and" in line for line in lines)


def test_the_cap_cuts_the_least_urgent_and_says_what_it_cut():
    findings = _many_controls(20) + [f("account.alias", "error", "denied"), f("account.budget_alert", "fail", "x"),
                                     f("account.security_questions", "manual", "x"),
                                     f("account.billing_contact", "fail", "y")]
    lines = lines_of(*findings, max_lines=3)
    assert lines[:3] == ["  account.alias error: denied", "  account.billing_contact fail: y",
                         "  account.budget_alert fail: x"]
    assert lines[-1] == u"  \u2026 and 21 more controls (20 drift, 1 manual), see report.md"


def test_task_errors_beyond_the_cap_are_counted_apart():
    failures = [{"task": "T%d" % n, "message": "boom"} for n in range(4)]
    lines = lines_of(f("root.mfa", "fail", "no MFA"), failures=failures, max_lines=2)
    assert lines == ["  task error in T0: boom", "  task error in T1: boom",
                     u"  \u2026 and 2 more task errors and 1 more control (1 fail), see report.md"]


def test_a_hundred_accounts_stay_short():
    findings = [f(GD, "drift", "off", "guardduty-detector", r) for r in REGIONS] + _many_controls(40)
    accounts = [account(findings, host="member-%03d" % n, account_id="%012d" % n) for n in range(100)]
    lines = summary.summary_lines(document(*accounts), "/r", gate.gate(document(*accounts), "drift"))
    assert len(lines) == 1 + 100 * (1 + summary.MAX_CONTROL_LINES + 1) + 2
    assert max(len(line) for line in lines) < 200


# --- account and run lines ------------------------------------------------------------------------------

def test_count_line_same_order_as_the_report_table_zeros_left_out():
    findings = [f("root.mfa", "pass", "ok"), f(MFA, "drift", "x", "a"), f(MFA, "drift", "x", "b"),
                f("root.hardware_mfa", "fail", "x"), f(TRAIL, "error", "x"), f("account.security_questions", "manual", "x")]
    first = summary.account_lines(document(account(findings))["accounts"][0])[0]
    assert first == "prod-123456789012: 1 pass, 2 drift, 1 fail, 1 manual, 1 error"


@pytest.mark.parametrize("host,account_id,failures,expected", [
    ("prod-123456789012", "123456789012", None, "prod-123456789012: no finding"),
    ("acct-a", "123456789012", None, "acct-a (123456789012): no finding"),
    ("localhost", None, ["denied"], "localhost: 1 task error"),
    ("localhost", None, ["denied", "again"], "localhost: 2 task errors"),
])
def test_account_names_and_empty_accounts(host, account_id, failures, expected):
    section = document(collect.account_section(host, account_id, failures=failures))["accounts"][0]
    assert summary.account_lines(section)[0] == expected


def test_first_line_accounts_worst_first_total_and_last_line():
    clean = account([f("root.mfa", "pass", "ok")], host="clean", account_id="111111111111")
    drifty = account([f(GD, "drift", "off", "guardduty-detector", r) for r in REGIONS], host="drifty",
                     account_id="222222222222")
    doc = document(clean, drifty, mode="audit")
    verdict = gate.gate(doc, "drift", "/reports/x")
    assert summary.summary_lines(doc, "/reports/x", verdict) == [
        "bulwark.aws drift report (audit)",
        "drifty (222222222222): 17 drift",
        "  guardduty.enabled drift in 17 regions",
        "clean (111111111111): 1 pass",
        "2 accounts in all: 1 pass, 17 drift",
        "reports: /reports/x (report.md, report.html, report.json, report.junit.xml); BULWARK_FAIL_ON=drift: the run fails, "
        "17 finding(s) or task error(s) are drift or worse",
    ]


def test_one_account_has_no_total_line():
    lines = summary.summary_lines(document(account([f("root.mfa", "fail", "no MFA")])))
    assert lines == ["bulwark.aws drift report (check)", "prod-123456789012: 1 fail", "  root.mfa fail: no MFA"]


@pytest.mark.parametrize("fail_on,outcome", [
    ("", "BULWARK_FAIL_ON=error: the run passes, no finding is error"),
    ("fail", "BULWARK_FAIL_ON=fail: the run fails, 1 finding(s) or task error(s) are fail or worse"),
    ("none", "BULWARK_FAIL_ON=none: the run passes whatever the findings"),
    ("drfit", "the run fails: BULWARK_FAIL_ON (or bulwark_fail_on) is 'drfit': set it to one of error, fail, "
              "drift, manual, new, none"),
    # no baseline: nothing is new, whatever the findings
    ("new", "BULWARK_FAIL_ON=new: the run passes, no drift, fail or error finding is new"),
])
def test_last_line_says_the_gate_outcome(fail_on, outcome):
    doc = document(account([f("root.mfa", "fail", "no MFA")]))
    last = summary.summary_lines(doc, "/r", gate.gate(doc, fail_on, "/r"))[-1]
    assert last == "reports: /r (report.md, report.html, report.json, report.junit.xml); " + outcome
    assert gate.outcome(gate.gate(doc, fail_on)) == outcome


def test_an_empty_report():
    assert summary.summary_lines(document(), "/r") == [
        "bulwark.aws drift report (check)", "reports: /r (report.md, report.html, report.json, report.junit.xml)"]

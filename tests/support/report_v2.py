"""report.json v2 documents for the renderer tests: collect.build_report over sample accounts,
with a baseline made of given findings."""

import datetime

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import changes, collect

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
XSS = '<script>alert(1)</script>'
QUOTES = 'bucket-"quoted"-and-\'single\'&amp'
BASELINE = "bulwark-reports/20260228T120000Z/report.json"


def to_v2(report, baseline_findings=None, baseline=BASELINE):
    """``report`` (collect.build_report) with its changes against a baseline holding
    ``baseline_findings`` [(account_id, control, resource, region, status)]; None: no baseline."""
    if baseline_findings is None:
        return dict(report, changes=changes.empty())
    hosts = dict((a["account_id"], a["host"]) for a in report["accounts"])
    accounts = {}
    for account_id, control, resource, region, status in baseline_findings:
        accounts.setdefault(account_id, []).append(
            {"control": control, "resource": resource, "region": region, "status": status, "message": "m"})
    previous = {"schema": collect.SCHEMA, "generated_at": "2026-02-28T12:00:00Z",
                "accounts": [{"host": hosts.get(a, "unknown"), "account_id": a, "findings": f}
                             for a, f in accounts.items()]}
    return dict(report, changes=changes.changes(report, previous, baseline))


def sample_accounts():
    """Two accounts: every status, several regions, and values an account could set that HTML
    must escape (a user named like a script tag, a bucket with quotes)."""
    def f(control, status, message="m", resource="account", region=None):
        return finding(control, status, message, resource=resource, region=region)
    a = collect.account_section("prod", "111111111111", [
        f("iam.password_policy.min_length", "drift", "MinimumPasswordLength is 8", "account-password-policy"),
        f("iam.password_policy.symbols", "pass", "RequireSymbols is True", "account-password-policy"),
        f("iam.user_mfa", "fail", "console password, no MFA: " + XSS, resource=XSS),
        f("iam.user_mfa", "pass", "has MFA", resource="bob"),
        f("root.mfa", "pass", "root has MFA"),
        f("s3.bucket_public_access_block", "drift", "BlockPublicAcls is False", resource=QUOTES, region="eu-west-1"),
        f("s3.bucket_public_access_block", "pass", "all four set", resource="logs", region="us-east-1"),
    ])
    b = collect.account_section("staging", "222222222222", [
        f("iam.password_policy.min_length", "fixed", "set to 14", "account-password-policy"),
        f("root.mfa", "error", "AccessDenied on iam:GetAccountSummary"),
        f("account.security_questions", "manual", "not readable through the API"),
        f("root.hardware_mfa", "waived", "waived until 2999-01-01: break glass"),
        f("s3.bucket_public_access_block", "drift", "IgnorePublicAcls is False", resource="assets", region="us-east-1"),
    ], failures=[{"task": "bulwark.aws.account_baseline", "message": "AccessDenied <b>assume</b>"}])
    return [a, b]


def sample_report(with_baseline=True):
    baseline = [("111111111111", "iam.password_policy.min_length", "account-password-policy", "global", "drift"),
                ("222222222222", "iam.password_policy.min_length", "account-password-policy", "global", "drift")]
    return to_v2(collect.build_report(sample_accounts(), "check", NOW), baseline if with_baseline else None)

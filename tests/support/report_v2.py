"""A report.json v2 document for renderer tests, built by hand from a v1 document of
collect.build_report, following the v2 contract (severity/title/refs on findings, controls,
frameworks, changes). It is a test fixture, not the v2 builder: that lives with the report
plugins; this only has to produce a document of the same shape with realistic values."""

import datetime

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES, finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
XSS = '<script>alert(1)</script>'
QUOTES = 'bucket-"quoted"-and-\'single\'&amp'
BAD = ("drift", "fail", "error")
FRAMEWORKS = (("cis_v3", "CIS AWS Foundations Benchmark v3.0.0", "cis"),
              ("fsbp", "AWS Foundational Security Best Practices", "securityhub"))


def _refs(control):
    c = catalogue.get(control)
    refs = {"cis_v3": c.cis, "securityhub": c.securityhub, "config_rule": c.config_rule}
    return dict((k, v) for k, v in refs.items() if v)


def _requirement_status(statuses):
    if not statuses:
        return "not_evaluated"
    if "error" in statuses:
        return "error"
    if set(statuses) & {"drift", "fail"}:
        return "fail"
    if "manual" in statuses:
        return "manual"
    return "pass"


def _score(statuses):
    passed, failed = statuses.count("pass"), statuses.count("fail")
    return None if passed + failed == 0 else passed / float(passed + failed)


def to_v2(report, baseline_findings=None, baseline="bulwark-reports/20260228T120000Z/report.json"):
    """``report`` (v1, from collect.build_report) with the v2 fields. ``baseline_findings``:
    [(account_id, control, resource, region, status)] of the baseline's bad findings, or None
    for a run without a baseline."""
    report = dict(report, schema="bulwark.aws/report/v2")
    rank = dict((s, i) for i, s in enumerate(STATUSES))
    controls = []
    for account in report["accounts"]:
        account["findings"] = [dict(f, severity=catalogue.get(f["control"]).severity,
                                    title=catalogue.get(f["control"]).title, refs=_refs(f["control"]))
                               for f in account["findings"]]
        per_control = {}
        for f in account["findings"]:
            per_control.setdefault(f["control"], []).append(f)
        for control, findings in per_control.items():
            counts, regions, resources = {}, {}, {}
            for f in findings:
                counts[f["status"]] = counts.get(f["status"], 0) + 1
                regions.setdefault(f["status"], set()).add(f["region"])
                resources.setdefault(f["status"], set()).add(f["resource"])
            controls.append({
                "host": account["host"], "account_id": account["account_id"], "control": control,
                "title": catalogue.get(control).title, "severity": catalogue.get(control).severity,
                "status": min((f["status"] for f in findings), key=rank.get), "counts": counts,
                "regions": dict((s, sorted(v)) for s, v in regions.items()),
                "resources": dict((s, sorted(v)) for s, v in resources.items()),
            })
    controls.sort(key=lambda c: (rank[c["status"]], collect.control_rank(c["control"])))
    report["controls"] = controls

    frameworks = {}
    for key, name, field in FRAMEWORKS:
        by_id = {}
        for c in catalogue.all_controls():
            if getattr(c, field):
                by_id.setdefault(getattr(c, field), []).append(c.id)
        requirements, per_account = [], {}
        for req_id, ids in by_id.items():
            every, accounts = [], {}
            for account in report["accounts"]:
                statuses = [f["status"] for f in account["findings"] if f["control"] in ids]
                every += statuses
                if statuses:
                    accounts[account["account_id"]] = _requirement_status(statuses)
                    per_account.setdefault(account["account_id"], []).append(accounts[account["account_id"]])
            requirements.append({"id": req_id, "controls": ids, "status": _requirement_status(every),
                                 "accounts": accounts})
        counts = {}
        for r in requirements:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        frameworks[key] = {
            "name": name, "requirements": requirements, "counts": counts,
            "score": {"overall": _score([r["status"] for r in requirements]),
                      "accounts": dict((a, _score(s)) for a, s in per_account.items())},
        }
    report["frameworks"] = frameworks

    changes = {"baseline": None, "baseline_generated_at": None, "new": [], "resolved": [], "persisting": []}
    if baseline_findings is not None:
        changes.update(baseline=baseline, baseline_generated_at="2026-02-28T12:00:00Z")
        hosts = dict((a["account_id"], a["host"]) for a in report["accounts"])
        now = {}
        for account in report["accounts"]:
            for f in account["findings"]:
                if f["status"] in BAD:
                    now[(account["account_id"], f["control"], f["resource"], f["region"])] = (account["host"], f["status"])
        before = dict(((a, c, res, reg), s) for a, c, res, reg, s in baseline_findings)

        def key(k, host, status):
            return {"host": host, "account_id": k[0], "control": k[1], "resource": k[2], "region": k[3],
                    "status": status}
        for k, (host, status) in now.items():
            changes["persisting" if k in before else "new"].append(key(k, host, status))
        for k, status in before.items():
            if k not in now:
                changes["resolved"].append(key(k, hosts.get(k[0], "unknown"), status))
    report["changes"] = changes
    return report


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

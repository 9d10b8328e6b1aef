"""report/merge.py (issue 21 item 5 core): several report.json documents, v1 or v2, into one."""

import copy

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import STATUSES
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect, frameworks, merge

MIN_LENGTH = "iam.password_policy.min_length"
USER_MFA = "iam.user_mfa"


def fd(control, status, resource="account-password-policy", region="global", **extra):
    return dict({"control": control, "status": status, "resource": resource, "region": region, "message": "m",
                 "remediation": "r"}, **extra)


def with_details(section_):
    """``section_`` as the merge keeps it: each v1 finding with its control's severity, title, refs."""
    return dict(section_, findings=[dict(frameworks.finding_details(f["control"]), **f) for f in section_["findings"]])


def section(host, account_id, findings, errors=()):
    return {"host": host, "account_id": account_id, "findings": findings, "errors": list(errors)}


def doc(generated_at, mode, *sections, schema="bulwark.aws/report/v1"):
    accounts = list(sections)
    return {"schema": schema, "generated_at": generated_at, "mode": mode, "accounts": accounts,
            "totals": collect.counts([f for s in accounts for f in s["findings"]])}


A = section("acct-a", "111111111111", [fd(MIN_LENGTH, "drift"), fd(USER_MFA, "pass", "user/x")])
B = section("acct-b", "222222222222", [fd(USER_MFA, "fail", "user/y")])
C = section("acct-c", "333333333333", [fd(MIN_LENGTH, "pass")])


def test_accounts_concatenated_and_totals_recomputed():
    m = merge.merge([doc("2026-03-01T10:00:00Z", "check", A), doc("2026-03-01T11:00:00Z", "check", B, C)])
    assert sorted(s["account_id"] for s in m["accounts"]) == ["111111111111", "222222222222", "333333333333"]
    # worst first, as one run's report orders them
    assert [s["host"] for s in m["accounts"]] == ["acct-b", "acct-a", "acct-c"]
    assert m["totals"] == dict(collect.counts([]), drift=1, fail=1, **{"pass": 2})
    assert set(m["totals"]) == set(STATUSES)
    assert m["schema"] == collect.SCHEMA
    assert m["changes"]["baseline"] is None and m["changes"]["new"] == []
    assert set(c["account_id"] for c in m["controls"]) == {"111111111111", "222222222222", "333333333333"}
    assert m["frameworks"]["cis_v3"]["score"]["accounts"]["333333333333"] == 1.0
    assert all(f["severity"] and f["title"] for s in m["accounts"] for f in s["findings"])
    assert m["generated_at"] == "2026-03-01T11:00:00Z"
    assert m["mode"] == "check"
    assert m["merged"]["notes"] == []
    assert [s["accounts"] for s in m["merged"]["slices"]] == [1, 2]


def test_the_same_account_in_two_slices_the_later_wins_with_a_note():
    newer_a = section("acct-a", "111111111111", [fd(MIN_LENGTH, "pass")])
    m = merge.merge([doc("2026-03-02T00:00:00Z", "apply", newer_a), doc("2026-03-01T00:00:00Z", "apply", A, B)])
    kept = [s for s in m["accounts"] if s["account_id"] == "111111111111"]
    assert kept == [with_details(newer_a)]
    assert m["totals"]["drift"] == 0 and m["totals"]["pass"] == 1 and m["totals"]["fail"] == 1
    assert len(m["merged"]["notes"]) == 1
    note = m["merged"]["notes"][0]
    assert "111111111111" in note and "kept report 1 (generated at 2026-03-02T00:00:00Z)" in note
    assert "left out report 2 (generated at 2026-03-01T00:00:00Z)" in note


def test_a_tie_goes_to_the_slice_given_later():
    other_a = section("acct-a", "111111111111", [fd(MIN_LENGTH, "fail")])
    m = merge.merge([doc("2026-03-01T00:00:00Z", "check", A), doc("2026-03-01T00:00:00Z", "check", other_a)])
    assert [s["findings"] for s in m["accounts"]] == [with_details(other_a)["findings"]]
    assert "kept report 2" in m["merged"]["notes"][0]


def test_two_sections_of_one_account_within_a_slice_are_both_kept():
    a2 = section("acct-a-2", "111111111111", [fd(USER_MFA, "fail", "user/z")])
    m = merge.merge([doc("2026-03-01T00:00:00Z", "check", A, a2), doc("2026-03-01T00:00:00Z", "check", B)])
    assert sorted(s["host"] for s in m["accounts"]) == ["acct-a", "acct-a-2", "acct-b"]
    assert m["merged"]["notes"] == []


def test_sections_without_account_id_match_on_host():
    unknown_old = section("lost", None, [], errors=["could not reach"])
    unknown_new = section("lost", None, [fd(MIN_LENGTH, "pass")])
    m = merge.merge([doc("2026-03-01T00:00:00Z", "check", unknown_old), doc("2026-03-03T00:00:00Z", "check", unknown_new)])
    assert m["accounts"] == [with_details(unknown_new)]
    assert "host lost" in m["merged"]["notes"][0]


def test_mode_is_common_or_mixed():
    assert merge.merge([doc("x", "audit", A), doc("y", "audit", B)])["mode"] == "audit"
    assert merge.merge([doc("x", "check", A), doc("y", "apply", B)])["mode"] == "mixed"


def test_v1_and_v2_slices_merge_and_v2_finding_fields_survive():
    v2_finding = fd(USER_MFA, "fail", "user/q", severity="high", title="MFA", refs={"cis_v3": "1.10"})
    v2 = doc("2026-03-01T00:00:00Z", "check", section("acct-d", "444444444444", [v2_finding]),
             schema="bulwark.aws/report/v2")
    v2.update(controls=[{"account_id": "444444444444"}], frameworks={}, changes={})
    m = merge.merge([doc("2026-03-01T00:00:00Z", "check", A), v2])
    d = [s for s in m["accounts"] if s["account_id"] == "444444444444"][0]
    assert d["findings"] == [v2_finding]  # a v2 finding keeps its own details
    assert set(c["account_id"] for c in m["controls"]) == {"111111111111", "444444444444"}
    assert m["changes"]["baseline"] is None
    assert [s["schema"] for s in m["merged"]["slices"]] == ["bulwark.aws/report/v1", "bulwark.aws/report/v2"]


def test_inputs_are_not_modified():
    r1, r2 = doc("2026-03-02T00:00:00Z", "check", A), doc("2026-03-01T00:00:00Z", "check", A, B)
    before = copy.deepcopy([r1, r2])
    m = merge.merge([r1, r2])
    m["accounts"][0]["findings"].append(fd(MIN_LENGTH, "error"))
    assert [r1, r2] == before


@pytest.mark.parametrize("bad,why", [
    ([], "no report"),
    (["x"], "not a report document"),
    ([{"schema": "other", "accounts": []}], "not a bulwark.aws report"),
    ([{"schema": "bulwark.aws/report/v1"}], "no accounts list"),
    ([{"schema": "bulwark.aws/report/v1", "accounts": [section("h", None, [fd(MIN_LENGTH, "bogus")])]}],
     "unknown status"),
])
def test_bad_input_is_refused(bad, why):
    with pytest.raises(ValueError, match=why):
        merge.merge(bad)


def test_a_control_this_version_does_not_know_is_refused():
    with pytest.raises(ValueError, match="control 'iam.from_the_future', which this version of bulwark.aws does not know"):
        merge.merge([doc("x", "check", section("h", "555555555555", [fd("iam.from_the_future", "pass")]))])

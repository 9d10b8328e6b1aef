"""module_utils/regions.py: region validation, the region plan, and the bounded per-region pool."""

import threading

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bulwark.aws.plugins.module_utils.core import regions
from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import WriteBlockedError
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import Findings

CONTROLS = ["ec2.ebs_default_encryption", "guardduty.enabled"]


def denied(operation="GetDetector"):
    return ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, operation)


class FakeConn:
    region = "us-east-1"

    def __init__(self, enabled=(), not_opted_in=(), fault=None):
        self.enabled, self.not_opted_in, self.fault = list(enabled), list(not_opted_in), fault
        self.clients = []

    def enabled_regions(self):
        if self.fault:
            raise self.fault
        return sorted(self.enabled), sorted(self.not_opted_in)

    def client(self, service, region):
        self.clients.append((service, region))
        return (service, region)


class FakeAnsible:
    def __init__(self):
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class FakeModule:
    """What regions.py uses of a BulwarkModule."""

    def __init__(self, conn=None, controls=tuple(CONTROLS), params=None, may_change=True):
        self.conn = conn or FakeConn(["eu-west-1", "us-east-1"])
        self.findings = Findings(controls)
        self.params = dict({"region_concurrency": 32}, **(params or {}))
        self.module = FakeAnsible()
        self.may_change = may_change
        self.check_mode = not may_change
        self.changes = []

    def client(self, service, region=None):
        return self.conn.client(service, region)

    def option(self, name):
        return (self.params.get("option_names") or {}).get(name, name)

    def wants(self, *ids):
        return any(self.findings.wants(c) for c in ids)

    def record_change(self, action):
        self.changes.append(action)


# --- validate_regions -------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"regions": None}, {"regions": ["eu-west-1", "us-east-1"]}, {"regions": ["ap-east-1"], "region": "us-east-1"},
    {"regions": ["cn-north-1"], "region": "cn-northwest-1"}, {"region_concurrency": 1}, {"region_concurrency": 64},
])
def test_valid_regions_pass(params):
    regions.validate_regions(params)


@pytest.mark.parametrize("params,message", [
    ({"regions": ["us-east-9"]}, "regions: 'us-east-9' is not an AWS region"),
    ({"regions": ["eu-west-1", "moon-1", "mars-2"]}, "regions: 'moon-1', 'mars-2' are not AWS regions"),
    ({"regions": ["EU-WEST-1"]}, "'EU-WEST-1' is not an AWS region"),
    ({"regions": []}, "regions: give at least one region"),
    ({"regions": ["cn-north-1"], "region": "us-east-1"}, "cn-north-1 is not in the aws partition"),
    ({"regions": ["eu-west-1", "eu-west-1"]}, "eu-west-1 listed more than once"),
    ({"region_concurrency": 0}, "region_concurrency: 0 is out of range"),
    ({"region_concurrency": 65}, "region_concurrency: 65 is out of range"),
])
def test_bad_regions_are_refused(params, message):
    with pytest.raises(ValueError) as e:
        regions.validate_regions(params)
    assert message in str(e.value)


# --- plan_regions ----------------------------------------------------------------------------

def test_plan_defaults_to_enabled_regions_and_lists_not_opted_in_as_skipped():
    m = FakeModule(FakeConn(["us-east-1", "eu-west-1"], ["ap-east-1", "me-south-1"]))
    plan = regions.plan_regions(m, None, CONTROLS)
    assert plan.regions == ["eu-west-1", "us-east-1"]
    assert [s["region"] for s in plan.skipped] == ["ap-east-1", "me-south-1"]
    assert "opt-in region not enabled" in plan.skipped[0]["reason"]
    assert m.module.warnings == [] and m.findings.items == []


def test_requested_region_not_enabled_is_skipped_with_a_warning_not_an_error():
    m = FakeModule(FakeConn(["us-east-1", "eu-west-1"], ["ap-east-1"]))
    plan = regions.plan_regions(m, ["eu-west-1", "ap-east-1", "eu-south-2"], CONTROLS)
    assert plan.regions == ["eu-west-1"]
    assert plan.as_result()["skipped"] == [
        {"region": "ap-east-1", "reason": regions.SKIP_NOT_OPTED_IN},
        {"region": "eu-south-2", "reason": regions.SKIP_NOT_OFFERED}]
    assert len(m.module.warnings) == 2 and "ap-east-1" in m.module.warnings[0]
    assert m.findings.items == []


def test_regions_that_cannot_be_listed_give_one_error_per_control():
    m = FakeModule(FakeConn(fault=denied("DescribeRegions")))
    plan = regions.plan_regions(m, None, CONTROLS)
    assert plan.regions == [] and "cannot list the enabled regions" in plan.error
    assert [(f["control"], f["status"], f["region"]) for f in m.findings.items] == [
        ("ec2.ebs_default_encryption", "error", "all"), ("guardduty.enabled", "error", "all")]
    assert "set regions to evaluate a fixed list" in m.findings.items[0]["message"]
    named = FakeModule(FakeConn(fault=denied("DescribeRegions")),
                       params={"option_names": {"regions": "bulwark_guardrails_regions"}})
    regions.plan_regions(named, None, CONTROLS)
    assert "set bulwark_guardrails_regions to evaluate a fixed list" in named.findings.items[0]["message"]


def test_regions_that_cannot_be_listed_fall_back_to_the_requested_ones():
    m = FakeModule(FakeConn(fault=denied("DescribeRegions")))
    plan = regions.plan_regions(m, ["eu-west-1"], CONTROLS)
    assert plan.regions == ["eu-west-1"] and m.findings.items == []


# --- for_each_region -----------------------------------------------------------------------------

def test_each_region_gets_its_own_clients_and_findings_come_out_in_region_order():
    m = FakeModule()
    first_done = threading.Event()

    def check(run):
        if run.region == "ap-south-1":
            assert first_done.wait(10), "the last region never finished"  # finish after the others
        run.client("ec2")
        run.add("ec2.ebs_default_encryption", "pass", "on in %s" % run.region)
        if run.region == "us-east-1":
            first_done.set()
        return run.region.upper()

    result = regions.for_each_region(m, ["ap-south-1", "eu-west-1", "us-east-1"], check, CONTROLS)
    assert result == {"ap-south-1": "AP-SOUTH-1", "eu-west-1": "EU-WEST-1", "us-east-1": "US-EAST-1"}
    assert [f["region"] for f in m.findings.items] == ["ap-south-1", "eu-west-1", "us-east-1"]
    assert sorted(m.conn.clients) == [("ec2", "ap-south-1"), ("ec2", "eu-west-1"), ("ec2", "us-east-1")]


def test_a_failing_region_gets_error_findings_and_the_others_finish():
    m = FakeModule()

    def check(run):
        if run.region == "eu-west-2":
            raise denied()
        run.add("guardduty.enabled", "pass", "ok")

    regions.for_each_region(m, ["eu-west-1", "eu-west-2", "us-east-1"], check, CONTROLS)
    got = [(f["region"], f["control"], f["status"]) for f in m.findings.items]
    assert got == [("eu-west-1", "guardduty.enabled", "pass"),
                   ("eu-west-2", "ec2.ebs_default_encryption", "error"),
                   ("eu-west-2", "guardduty.enabled", "error"),
                   ("us-east-1", "guardduty.enabled", "pass")]
    assert "AccessDenied" in m.findings.items[1]["message"]


def test_guard_limits_a_fault_to_the_controls_of_one_service():
    m = FakeModule()

    def check(run):
        run.guard(["guardduty.enabled"], "guardduty", lambda: (x for x in ()).throw(denied()))
        run.guard(["ec2.ebs_default_encryption"], "ec2", run.add, "ec2.ebs_default_encryption", "pass", "on")

    regions.for_each_region(m, ["eu-west-1"], check, CONTROLS)
    assert [(f["control"], f["status"]) for f in m.findings.items] == [
        ("guardduty.enabled", "error"), ("ec2.ebs_default_encryption", "pass")]
    assert m.findings.items[0]["message"].startswith("guardduty GetDetector failed: AccessDenied")


def test_guard_skips_controls_not_selected():
    m = FakeModule(controls=["ec2.ebs_default_encryption"])
    calls = []
    regions.for_each_region(m, ["eu-west-1"],
                            lambda run: run.guard(["guardduty.enabled"], "guardduty", calls.append, 1), CONTROLS)
    assert calls == [] and m.findings.items == []


def test_pool_is_bounded_by_region_concurrency():
    m = FakeModule(params={"region_concurrency": 2})
    lock, state = threading.Lock(), {"active": 0, "peak": 0}
    barrier = threading.Barrier(2)

    def check(run):
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        barrier.wait(10)  # two regions at a time meet here: proves two ran together
        with lock:
            state["active"] -= 1

    regions.for_each_region(m, ["r%d" % n for n in range(6)], check, CONTROLS)
    assert state["peak"] == 2


def test_a_bug_in_one_region_is_raised_after_every_region_finished():
    m = FakeModule()
    done = []

    def check(run):
        if run.region == "eu-west-1":
            raise WriteBlockedError("refused ec2 EnableEbsEncryptionByDefault")
        done.append(run.region)
        run.add("guardduty.enabled", "pass", "ok")

    with pytest.raises(WriteBlockedError):
        regions.for_each_region(m, ["eu-west-1", "us-east-1", "us-west-2"], check, CONTROLS)
    assert sorted(done) == ["us-east-1", "us-west-2"]
    assert [f["region"] for f in m.findings.items] == ["us-east-1", "us-west-2"]


def test_changes_are_recorded_with_their_region():
    m = FakeModule()
    regions.for_each_region(m, ["eu-west-1"], lambda run: run.record_change("ec2:Enable"))
    assert m.changes == ["ec2:Enable (eu-west-1)"]


def test_no_region_no_work():
    m = FakeModule()
    assert regions.for_each_region(m, [], lambda run: 1 / 0) == {}

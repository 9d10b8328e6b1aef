"""What moto (the emulator the tests run against) does not implement, in one place.

Against moto these calls fail (404 from moto, or 501 from tests/support/moto_server.py for a
service moto lacks entirely), so the controls behind them end as `error`
findings naming the operation, never `drift` or `pass`. Their logic is tested with botocore's
Stubber in tests/unit/test_account_guardrails.py. A test allows an `error` finding only when
its message names one of these operations: any other error still fails the test.

CloudTrail LookupEvents is missing from moto too (moto_server answers it with HTTP 500). No
control calls it; investigate.yml does. Tests EMULATE it (tests/support/cloudtrail_events.py,
answered by tests/support/moto_server.py once a test seeds an event history; the tests that rely
on it say "emulated" in their names), and tests/unit/test_investigate_principal.py stubs it with
botocore's Stubber. Unseeded, it stays the gap it is.

Security Hub BatchUpdateFindings is missing from moto too (404). bulwark.aws.securityhub_export
calls it; tests EMULATE it (tests/support/securityhub_workflow.py, installed into mock_aws and
moto_server), and tests/unit/test_securityhub_export.py holds its request shape with Stubber.
"""

MOTO_LACKS_OPERATIONS = frozenset([
    # IAM Access Analyzer: not implemented at all (iam.access_analyzer).
    "ListAnalyzers", "CreateAnalyzer",
    # Security Hub standards and cross-region aggregation (securityhub.standards, and the
    # aggregator finding of securityhub.enabled in the home region).
    "GetEnabledStandards", "BatchEnableStandards", "DescribeStandards",
    "ListFindingAggregators", "GetFindingAggregator", "CreateFindingAggregator", "UpdateFindingAggregator",
    # EC2 instance metadata defaults of the account, per region (network.imdsv2, resource
    # instance-metadata-defaults); tested with Stubber in tests/unit/test_network_security.py.
    "GetInstanceMetadataDefaults", "ModifyInstanceMetadataDefaults",
])


def is_moto_gap(finding):
    """True for an `error` finding caused by a call moto does not implement."""
    if finding.get("status") != "error":
        return False
    words = finding.get("message", "").replace("(", " ").replace(":", " ").split()
    return any(word in MOTO_LACKS_OPERATIONS for word in words)


def real_errors(findings):
    """The `error` findings that are not explained by a gap in moto."""
    return [f for f in findings if f.get("status") == "error" and not is_moto_gap(f)]

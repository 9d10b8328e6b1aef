"""The network and storage roles in harden.yml with every opt-in on (as `make demo` runs them):
the insecure seed's open rules, bucket and database found in an audit that writes nothing,
fixed by an apply that changes only the offending rule or statement and shows it in --diff,
and a second apply that changes nothing. Two regions keep it quick; test_harden runs every
enabled region with the defaults."""

import json

import boto3
import pytest

from tests.support import seed
from tests.support.moto_gaps import real_errors
from tests.support.playbook import run_playbook
from tests.support.recorder import Recorder
from tests.support.seeds import network as network_seed
from tests.support.seeds import storage as storage_seed

REGIONS = ["us-east-1", "eu-west-1"]
SETTINGS = dict(seed.demo_vars(), bulwark_network_regions=REGIONS, bulwark_storage_regions=REGIONS)


@pytest.fixture
def insecure(moto_server):
    seed.seed("insecure", moto_server.url)
    return moto_server


def harden(moto_server, tmp_path, name, *args):
    return run_playbook("harden.yml", moto_server.env(), "--tags", "network,storage", "-e", json.dumps(SETTINGS),
                        *args, report_dir=tmp_path / name, extra_env={"BULWARK_FAIL_ON": "none"})


def by_resource(run, control):
    return dict(((f["resource"], f["region"]), f) for f in run.findings() if f["control"] == control)


def client(moto_server, service, region="us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=moto_server.url)


def test_opt_ins_fix_only_the_offending_rule_or_statement_once(insecure, tmp_path):
    ec2, s3 = client(insecure, "ec2"), client(insecure, "s3")
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [network_seed.ADMIN_GROUP]}])[
        "SecurityGroups"]
    bucket = seed.bucket_name(storage_seed.INSECURE_BUCKET)
    with Recorder(insecure.url) as rec:
        audit = harden(insecure, tmp_path, "audit", "--check")
    assert audit.returncode == 0, audit
    assert rec.writes() == [], "check mode wrote to AWS"
    assert set(c.split(".")[0] for c in audit.statuses()) == {"network", "s3", "rds", "efs"}
    open_v4 = by_resource(audit, "network.admin_ports_ipv4")[(group["GroupId"], "us-east-1")]
    assert open_v4["status"] == "drift" and "tcp 22 from 0.0.0.0/0" in open_v4["message"], open_v4
    assert by_resource(audit, "network.admin_ports_ipv6")[(group["GroupId"], "us-east-1")]["status"] == "drift"
    assert by_resource(audit, "s3.bucket_tls_only")[(bucket, "us-east-1")]["status"] == "drift"
    assert by_resource(audit, "rds.no_public_access")[(storage_seed.INSECURE_DB, "us-east-1")]["status"] == "drift"
    # Encryption is never changed in place: a finding with the steps, opt-ins or not.
    assert by_resource(audit, "rds.storage_encrypted")[(storage_seed.INSECURE_DB, "us-east-1")]["status"] == "fail"
    assert audit.statuses()["efs.encrypted"] == {"fail", "pass"}  # fails in us-east-1, none in eu-west-1

    apply = harden(insecure, tmp_path, "apply", "--diff")
    assert apply.returncode == 0, apply
    assert by_resource(apply, "network.admin_ports_ipv4")[(group["GroupId"], "us-east-1")]["status"] == "fixed"
    assert "network.admin_ports_ipv4 %s" % group["GroupId"] in apply.stdout, apply  # --diff names the rule's group
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group["GroupId"]]}])[
        "SecurityGroupRules"]
    assert [(r["IsEgress"], r.get("CidrIpv4")) for r in rules] == [(True, "0.0.0.0/0")]  # its egress rule stays
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert len(statements) == 2 and statements[0]["Effect"] == "Allow", statements  # merged, never replaced
    db = client(insecure, "rds").describe_db_instances(DBInstanceIdentifier=storage_seed.INSECURE_DB)["DBInstances"][0]
    assert db["PubliclyAccessible"] is False and db["AutoMinorVersionUpgrade"] is True

    again = harden(insecure, tmp_path, "again")
    assert again.returncode == 0, again
    assert again.recap["localhost"]["changed"] == 0, again
    left = [f for f in again.findings() if f["status"] not in ("pass", "fail", "error")]
    assert left == [], left
    assert real_errors(again.findings()) == [], real_errors(again.findings())  # moto's IMDS defaults gap only
    failing = set(f["control"] for f in again.findings() if f["status"] == "fail")
    assert failing == {"rds.storage_encrypted", "efs.encrypted"}, failing

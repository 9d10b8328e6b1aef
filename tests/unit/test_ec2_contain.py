"""ec2_contain against moto (mock_aws; moto_server with the recorder for check mode and bad input).

moto implements every call the module makes: DescribeInstances/Vpcs/SecurityGroups/Snapshots/
NetworkAcls with the filters used, CreateSecurityGroup and CreateSnapshot with TagSpecifications,
RevokeSecurityGroupEgress, ModifyNetworkInterfaceAttribute (Groups replaced), CreateTags,
StopInstances and CreateNetworkAclEntry with CidrBlock or Ipv6CidrBlock. (moto's
ModifyInstanceAttribute Groups adds the group to every interface instead of replacing the primary
one's groups; the module does not use it.) So no Stubber here."""

import hashlib
import ipaddress
import json
import os
import stat

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.contain import addresses
from ansible_collections.bulwark.aws.plugins.module_utils.contain import ec2 as logic
from ansible_collections.bulwark.aws.plugins.modules import ec2_contain as mod

from tests.support import seed
from tests.support.recorder import Recorder

AMI = "ami-12c6146b"  # in every moto region
HOME, AWAY = "us-east-1", "eu-west-1"
REGIONS = [HOME, AWAY, "eu-central-1"]


@pytest.fixture(autouse=True)
def _lean_moto(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def launch(ec2, extra_interface=True, extra_volume=True):
    """An instance in the default VPC with a web security group, a second network interface in
    another group and a second EBS volume. (instance id, vpc id, [eni ids], [volume ids])."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    other = ec2.create_security_group(GroupName="admin", Description="admin", VpcId=vpc)["GroupId"]
    instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 SubnetId=subnet["SubnetId"], SecurityGroupIds=[web])["Instances"][0]
    iid = instance["InstanceId"]
    if extra_interface:
        eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"], Groups=[other])["NetworkInterface"]
        ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"], InstanceId=iid, DeviceIndex=1)
    if extra_volume:
        volume = ec2.create_volume(Size=4, AvailabilityZone=subnet["AvailabilityZone"])["VolumeId"]
        ec2.attach_volume(VolumeId=volume, InstanceId=iid, Device="/dev/sdf")
    described = describe(ec2, iid)
    return (iid, vpc, [n["NetworkInterfaceId"] for n in described["NetworkInterfaces"]],
            [b["Ebs"]["VolumeId"] for b in described["BlockDeviceMappings"]])


def describe(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]


def quarantine_groups(ec2):
    return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["bulwark-quarantine"]}])[
        "SecurityGroups"]


def snapshots(ec2, iid):
    return ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:bulwark:instance", "Values": [iid]}])[
        "Snapshots"]


def statuses(result, step=None):
    return [(s["step"], s["status"]) for s in result["steps"] if step in (None, s["step"])]


@pytest.fixture
def away():
    """One network interface: moto shows an instance's launch groups on its interfaces whatever
    ModifyNetworkInterfaceAttribute set (see test_every_interface_of_an_instance_with_several)."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=AWAY)
        yield ec2, launch(ec2, extra_interface=False)


def test_quarantine_in_another_region_then_a_second_run_changes_nothing(away, run_module, tmp_path):
    ec2, (iid, vpc, enis, volumes) = away
    assert len(enis) == 1 and len(volumes) == 2
    args = {"instance_id": iid, "regions": REGIONS, "evidence_dir": str(tmp_path / "ev")}
    result = run_module(mod.main, args)
    assert "failed" not in result, result.get("msg")
    assert result["changed"] is True and result["findings"] == []
    # The quarantine group: made once in the instance's VPC, no inbound and no outbound rule, tagged.
    [group] = quarantine_groups(ec2)
    assert group["VpcId"] == vpc and group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []
    assert {"Key": "bulwark:case", "Value": iid} in group["Tags"]
    assert quarantine_groups(boto3.client("ec2", region_name=HOME)) == []       # only where the instance is
    # Every interface in that group alone.
    instance = describe(ec2, iid)
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [group["GroupId"]]
    assert "ec2:ModifyInstanceAttribute %s Groups=[%s]" % (iid, group["GroupId"]) in result["actions"]
    # One snapshot per volume, tagged with the case, the instance and the volume.
    taken = snapshots(ec2, iid)
    assert sorted(dict((t["Key"], t["Value"]) for t in s["Tags"])["bulwark:volume"] for s in taken) == sorted(volumes)
    assert all(dict((t["Key"], t["Value"]) for t in s["Tags"])["bulwark:case"] == iid for s in taken)
    # Tagged, and left running: never stopped without stop_instance, never terminated.
    tags = dict((t["Key"], t["Value"]) for t in instance.get("Tags", []))
    assert tags["bulwark:case"] == iid and tags["bulwark:quarantined"].endswith("Z")
    assert instance["State"]["Name"] == "running"
    assert ("stop_instance", "skipped") in statuses(result)
    assert all(s["region"] == AWAY for s in result["steps"] if s["step"] != "evidence")
    assert statuses(result, "isolate_interface") == [("isolate_interface", "changed")]
    assert statuses(result, "snapshot_volume") == [("snapshot_volume", "changed")] * 2
    # The evidence file lists every id touched, with the groups the interfaces were in before.
    evidence = result["evidence"]
    data = open(evidence["path"], "rb").read()
    assert hashlib.sha256(data).hexdigest() == evidence["sha256"]
    checksum_line = "%s  %s\n" % (evidence["sha256"], os.path.basename(evidence["path"]))
    assert open(evidence["checksum_file"]).read() == checksum_line
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in (evidence["path"], evidence["checksum_file"]))
    payload = json.loads(data)
    assert payload["resources"]["instance"]["instance_id"] == iid
    assert [g["group_id"] for g in payload["resources"]["security_groups"]] == [group["GroupId"]]
    assert sorted(n["network_interface_id"] for n in payload["resources"]["network_interfaces"]) == sorted(enis)
    assert all(n["previous_groups"] and group["GroupId"] not in n["previous_groups"]
               for n in payload["resources"]["network_interfaces"])
    assert sorted(s["snapshot_id"] for s in payload["resources"]["snapshots"]) == sorted(s["SnapshotId"] for s in taken)

    again = run_module(mod.main, args)
    assert "failed" not in again, again.get("msg")
    assert again["changed"] is False and again["actions"] == []
    assert set(s["status"] for s in again["steps"]) == {"unchanged", "skipped", "written"}
    assert len(quarantine_groups(ec2)) == 1 and len(snapshots(ec2, iid)) == 2     # reused, not duplicated
    second = json.loads(open(again["evidence"]["path"]).read())
    assert sorted(s["snapshot_id"] for s in second["resources"]["snapshots"]) == \
        sorted(s["snapshot_id"] for s in payload["resources"]["snapshots"])
    assert [g["group_id"] for g in second["resources"]["security_groups"]] == [group["GroupId"]]


def test_every_interface_of_an_instance_with_several(run_module, tmp_path):
    """AWS refuses ModifyInstanceAttribute Groups for an instance with several interfaces: each
    one is moved with ModifyNetworkInterfaceAttribute. (moto then still shows the instance's
    launch group on every interface, a union AWS does not make: read back, each interface has
    lost its own groups and holds the quarantine group.)"""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=AWAY)
        iid, _vpc, enis, _volumes = launch(ec2)
        assert len(enis) == 2
        result = run_module(mod.main, {"instance_id": iid, "regions": [AWAY], "evidence_dir": str(tmp_path)})
        assert "failed" not in result, result.get("msg")
        [group] = quarantine_groups(ec2)
        assert [a for a in result["actions"] if "Attribute" in a] == [
            "ec2:ModifyNetworkInterfaceAttribute %s Groups=[%s]" % (eni, group["GroupId"]) for eni in enis]
        launch_group = describe(ec2, iid)["SecurityGroups"][0]["GroupId"]
        for eni in ec2.describe_network_interfaces(NetworkInterfaceIds=enis)["NetworkInterfaces"]:
            assert set(g["GroupId"] for g in eni["Groups"]) - {launch_group} == {group["GroupId"]}
        assert [(s["target"], s["status"]) for s in result["steps"] if s["step"] == "isolate_interface"] == [
            (eni, "changed") for eni in enis]


def test_rules_someone_added_to_the_quarantine_group_are_revoked(away, run_module, tmp_path):
    ec2, (iid, _vpc, _enis, _volumes) = away
    args = {"instance_id": iid, "regions": [AWAY], "evidence_dir": str(tmp_path)}
    run_module(mod.main, args)
    [group] = quarantine_groups(ec2)
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    result = run_module(mod.main, args)
    assert result["changed"] is True
    assert quarantine_groups(ec2)[0]["IpPermissions"] == []
    assert ("quarantine_group", "changed") in statuses(result)


def test_stopped_only_with_stop_instance(away, run_module, tmp_path):
    ec2, (iid, _vpc, _enis, _volumes) = away
    args = {"instance_id": iid, "regions": [AWAY], "evidence_dir": str(tmp_path), "stop_instance": True}
    result = run_module(mod.main, args)
    assert "failed" not in result, result.get("msg")
    assert ("stop_instance", "changed") in statuses(result)
    assert describe(ec2, iid)["State"]["Name"] in ("stopping", "stopped")
    assert result["actions"][-1] == "ec2:StopInstances %s" % iid
    again = run_module(mod.main, args)
    assert again["changed"] is False and ("stop_instance", "unchanged") in statuses(again)
    assert describe(ec2, iid)["State"]["Name"] != "terminated"


def test_an_instance_found_nowhere_is_one_line_naming_the_regions(away, run_module, tmp_path):
    ec2, _launched = away
    result = run_module(mod.main, {"instance_id": "i-0123456789abcdef0", "regions": REGIONS,
                                   "evidence_dir": str(tmp_path), "option_names": {"instance_id": "-e instance_id"}})
    assert result["failed"] is True
    assert result["msg"] == ("-e instance_id: i-0123456789abcdef0 was not found (3 regions searched: us-east-1, "
                             "eu-west-1, eu-central-1); nothing was changed")
    assert quarantine_groups(ec2) == [] and os.listdir(str(tmp_path)) == []


def test_check_mode_makes_no_write_and_reports_every_step(moto_server, run_module, tmp_path):
    sess = seed.session(moto_server.url)
    ec2 = seed.client(sess, "ec2", AWAY)
    iid, vpc, enis, volumes = launch(ec2)
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"instance_id": iid, "block_ips": ["203.0.113.7"], "regions": REGIONS,
                                       "evidence_dir": str(tmp_path / "ev")}, check_mode=True)
    assert "failed" not in result, result.get("msg")
    assert rec.calls() and rec.writes() == []
    assert result["changed"] is True
    assert set(s["status"] for s in result["steps"]) == {"would_change", "skipped"}
    assert [s["target"] for s in result["steps"] if s["step"] == "isolate_interface"] == enis
    assert [s["target"] for s in result["steps"] if s["step"] == "snapshot_volume"] == volumes
    assert "ec2:CreateSecurityGroup bulwark-quarantine %s" % vpc in result["actions"]
    assert "would add rule 99: deny all inbound from 203.0.113.7/32 (ahead of allow rule 100)" in [
        s["detail"] for s in result["steps"]]
    assert not (tmp_path / "ev").exists()
    assert quarantine_groups(ec2) == [] and snapshots(ec2, iid) == []


# --- block_ips ---------------------------------------------------------------------------------------

@pytest.fixture
def home():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=HOME)
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        [acl] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
        # What AWS gives a VPC with IPv6: rule 101 allows ::/0, each way.
        for egress in (False, True):
            ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=101, Protocol="-1",
                                         RuleAction="allow", Egress=egress, Ipv6CidrBlock="::/0")
        yield ec2, vpc, acl["NetworkAclId"]


def entries(ec2, acl):
    return sorted((e["RuleNumber"], e["Egress"], e["RuleAction"], e.get("CidrBlock") or e.get("Ipv6CidrBlock"))
                  for e in ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"])


def test_deny_entries_ahead_of_the_allows_for_ipv4_and_ipv6(home, run_module, tmp_path):
    ec2, vpc, acl = home
    args = {"block_ips": ["203.0.113.7", "2001:db8::/64", "198.51.100.0/24"], "vpc_ids": [vpc],
            "regions": [HOME], "evidence_dir": str(tmp_path)}
    result = run_module(mod.main, args)
    assert "failed" not in result, result.get("msg")
    denies = [e for e in entries(ec2, acl) if e[2] == "deny" and e[0] < 32767]
    # Counting down from below each allow: IPv4 below 100 (99, then 97 after the IPv6 took 98);
    # IPv6 below its allow 101: 100 is the IPv4 allow, 99 taken, so 98.
    assert denies == [(97, False, "deny", "198.51.100.0/24"), (97, True, "deny", "198.51.100.0/24"),
                      (98, False, "deny", "2001:db8::/64"), (98, True, "deny", "2001:db8::/64"),
                      (99, False, "deny", "203.0.113.7/32"), (99, True, "deny", "203.0.113.7/32")]
    assert len(result["actions"]) == 6
    assert result["actions"][0] == "ec2:CreateNetworkAclEntry %s 99 ingress deny 203.0.113.7/32" % acl
    recorded = json.loads(open(result["evidence"]["path"]).read())["resources"]["network_acl_entries"]
    assert sorted((e["network_acl_id"], e["rule_number"], e["egress"]) for e in recorded) == sorted(
        (acl, n, egress) for n in (97, 98, 99) for egress in (False, True))

    again = run_module(mod.main, args)
    assert again["changed"] is False and again["actions"] == []
    assert set(statuses(again, "block_address")) == {("block_address", "unchanged")}
    assert entries(ec2, acl) == entries(ec2, acl)


def test_an_existing_deny_ahead_of_the_allows_is_left_as_is(home, run_module, tmp_path):
    ec2, vpc, acl = home
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=50, Protocol="-1", RuleAction="deny", Egress=False,
                                 CidrBlock="203.0.113.0/24")
    # A deny behind the allow does not block anything: it does not count.
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="deny", Egress=True,
                                 CidrBlock="203.0.113.7/32")
    result = run_module(mod.main, {"block_ips": ["203.0.113.7"], "vpc_ids": [vpc], "regions": [HOME],
                                   "evidence_dir": str(tmp_path)})
    assert "failed" not in result, result.get("msg")
    assert [(s["status"], s["detail"]) for s in result["steps"] if s["step"] == "block_address"] == [
        ("unchanged", "rule 50 denies all inbound from 203.0.113.7/32 already, ahead of allow rule 100"),
        ("changed", "rule 99: deny all outbound to 203.0.113.7/32 (ahead of allow rule 100)")]
    assert (50, False, "deny", "203.0.113.0/24") in entries(ec2, acl)


def test_no_free_rule_number_is_an_error_for_that_acl_only(home, run_module, tmp_path):
    ec2, vpc, acl = home
    crowded = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, action in ((1, "deny"), (2, "deny"), (3, "allow")):
        ec2.create_network_acl_entry(NetworkAclId=crowded, RuleNumber=number, Protocol="6", RuleAction=action,
                                     Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22})
    result = run_module(mod.main, {"block_ips": ["203.0.113.7"], "vpc_ids": [vpc], "regions": [HOME],
                                   "evidence_dir": str(tmp_path)})
    assert result["failed"] is True
    assert "containment of addresses 203.0.113.7/32 is incomplete: block_address %s: no free rule number below " \
           "allow rule 3" % crowded in result["msg"]
    errors = [s for s in result["steps"] if s["status"] == "error"]
    assert [(s["target"], "inbound" in s["detail"]) for s in errors] == [(crowded, True)]
    # The other network ACL got both entries; the crowded one has no egress allow for it: nothing to add.
    assert (99, False, "deny", "203.0.113.7/32") in entries(ec2, acl)
    assert (99, True, "deny", "203.0.113.7/32") in entries(ec2, acl)
    assert [e for e in entries(ec2, crowded) if e[2] == "deny" and e[3] == "203.0.113.7/32"] == []
    assert os.listdir(str(tmp_path))                              # the evidence still lists what was done


def test_block_ips_with_an_instance_go_into_its_vpc(away, run_module, tmp_path):
    ec2, (iid, vpc, _enis, _volumes) = away
    result = run_module(mod.main, {"instance_id": iid, "block_ips": ["203.0.113.7"], "regions": [HOME, AWAY],
                                   "evidence_dir": str(tmp_path)})
    assert "failed" not in result, result.get("msg")
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    assert acls and all(any(e["RuleAction"] == "deny" and e.get("CidrBlock") == "203.0.113.7/32"
                            for e in a["Entries"]) for a in acls)


@pytest.mark.parametrize("entries_,network,egress,expected", [
    ([], "203.0.113.7/32", False, ("no_allow", None, None)),
    ([dict(RuleNumber=100, Egress=False, RuleAction="allow", Protocol="-1", CidrBlock="0.0.0.0/0")],
     "203.0.113.7/32", False, ("add", 99, 100)),
    ([dict(RuleNumber=100, Egress=False, RuleAction="allow", Protocol="-1", CidrBlock="0.0.0.0/0")],
     "203.0.113.7/32", True, ("no_allow", None, None)),
    # Only an allow that admits the address counts: 10.0.0.0/8 at 10 does not.
    ([dict(RuleNumber=10, Egress=False, RuleAction="allow", Protocol="6", CidrBlock="10.0.0.0/8"),
      dict(RuleNumber=100, Egress=False, RuleAction="allow", Protocol="-1", CidrBlock="0.0.0.0/0"),
      dict(RuleNumber=99, Egress=False, RuleAction="deny", Protocol="6", CidrBlock="203.0.113.7/32")],
     "203.0.113.7/32", False, ("add", 98, 100)),
    # A deny of one protocol does not block the address.
    ([dict(RuleNumber=5, Egress=False, RuleAction="allow", Protocol="-1", Ipv6CidrBlock="::/0"),
      dict(RuleNumber=4, Egress=False, RuleAction="deny", Protocol="-1", Ipv6CidrBlock="2001:db8::/32")],
     "2001:db8::1/128", False, ("exists", 4, 5)),
    ([dict(RuleNumber=1, Egress=False, RuleAction="allow", Protocol="-1", CidrBlock="0.0.0.0/0")],
     "203.0.113.7/32", False, ("full", None, 1)),
])
def test_deny_rule(entries_, network, egress, expected):
    assert logic.deny_rule(entries_, ipaddress.ip_network(network), egress) == expected


# --- bad input: one line, before any call -------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    ({}, "instance_id: give an instance to quarantine (instance_id) or addresses to block (block_ips)"),
    ({"instance_id": "i-123"}, "instance_id: 'i-123' is not an EC2 instance id"),
    ({"instance_id": "I-0123456789ABCDEF0"}, "is not an EC2 instance id"),
    ({"block_ips": ["203.0.113.300"], "vpc_ids": ["vpc-0123456789abcdef0"]},
     "block_ips: '203.0.113.300' is not an IPv4 or IPv6 address or CIDR block"),
    ({"block_ips": ["203.0.113.7/24"], "vpc_ids": ["vpc-0123456789abcdef0"]},
     "block_ips: '203.0.113.7/24' has host bits set: did you mean 203.0.113.0/24?"),
    ({"block_ips": ["0.0.0.0/0"], "vpc_ids": ["vpc-0123456789abcdef0"]}, "block_ips: '0.0.0.0/0' is every address"),
    ({"block_ips": ["203.0.113.7"]}, "block_ips: no VPC to put the deny entries in: add vpc_ids=[vpc-...]"),
    ({"block_ips": ["203.0.113.7"], "vpc_ids": ["vpc-12"]}, "vpc_ids: 'vpc-12' is not a VPC id"),
    ({"instance_id": "i-0123456789abcdef0", "vpc_ids": ["vpc-0123456789abcdef0"]}, "vpc_ids: only used with block_ips"),
    ({"block_ips": ["203.0.113.7"], "vpc_ids": ["vpc-0123456789abcdef0"], "stop_instance": True},
     "stop_instance: give the instance to stop"),
    ({"instance_id": "i-0123456789abcdef0", "case": "INC 42"}, "case: 'INC 42' is not a case label"),
    ({"instance_id": "i-0123456789abcdef0", "regions": ["mars-north-1"]}, "regions: 'mars-north-1'"),
])
def test_bad_input_fails_before_any_call(moto_server, run_module, tmp_path, args, message):
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, dict({"evidence_dir": str(tmp_path)}, **args))
    assert result["failed"] is True
    assert message in result["msg"] and "\n" not in result["msg"]
    assert rec.calls() == []


def test_messages_name_what_the_operator_types(moto_server, run_module, tmp_path):
    names = {"block_ips": "-e block_ips", "vpc_ids": "-e vpc_ids", "instance_id": "-e instance_id"}
    with Recorder(moto_server.url) as rec:
        result = run_module(mod.main, {"block_ips": ["203.0.113.7"], "evidence_dir": str(tmp_path),
                                       "option_names": names})
    assert result["msg"].startswith("-e block_ips: no VPC to put the deny entries in: add -e vpc_ids=[vpc-...]")
    assert rec.calls() == []


def test_addresses_bare_ones_are_hosts_and_given_once():
    assert [str(n) for n in addresses.networks(["203.0.113.7", "203.0.113.7/32", "2001:db8::1", " 10.0.0.0/8 "])] \
        == ["203.0.113.7/32", "2001:db8::1/128", "10.0.0.0/8"]
    assert addresses.problems(["203.0.113.7", "nope"]) == [
        "'nope' is not an IPv4 or IPv6 address or CIDR block (e.g. 203.0.113.7, 198.51.100.0/24, 2001:db8::1)"]

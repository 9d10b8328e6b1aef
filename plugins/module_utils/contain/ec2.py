# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of bulwark.aws.ec2_contain (its file holds the documentation).

Quarantine an EC2 instance (every network interface into a security group without rules, a
snapshot of every EBS volume, tags; stopped only on request, never terminated) and block
attacker addresses with network ACL deny entries ahead of the allows. Nothing is deleted.
Every read comes first: the instance and the VPCs are found in every enabled region before
the first write, and an unknown one fails the module with one line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

from ansible_collections.bulwark.aws.plugins.module_utils.contain import addresses
from ansible_collections.bulwark.aws.plugins.module_utils.contain.steps import Steps
from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import files
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.core.times import TIME_FORMAT, utc_now

INSTANCE_ID = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
# Also part of the evidence file's name: no slash, no space.
CASE = re.compile(r"^[A-Za-z0-9_.:=+@-]{1,100}$")
QUARANTINE_GROUP = "bulwark-quarantine"
TAG_QUARANTINED = "bulwark:quarantined"
TAG_CASE = "bulwark:case"
TAG_INSTANCE = "bulwark:instance"
TAG_VOLUME = "bulwark:volume"
SCHEMA = "bulwark.aws/ec2-containment/v1"
# Rule numbers AWS accepts for a network ACL entry (32767 is the final deny *).
MAX_RULE_NUMBER = 32766
GONE = ("shutting-down", "terminated")
TRACKED_CONNECTIONS = ("connections already open to the instance can survive the security group change (tracked "
                       "connections); a network ACL deny cuts them: run again with %s=[the attacker's addresses]")


def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        instance_id=dict(type="str"),
        stop_instance=dict(type="bool", default=False),
        block_ips=dict(type="list", elements="str", default=[]),
        vpc_ids=dict(type="list", elements="str", default=[]),
        case=dict(type="str"),
        quarantine_group_name=dict(type="str", default=QUARANTINE_GROUP),
        evidence_dir=dict(type="path"),
    )
    return spec


def validate(params, named):
    instance, blocks, vpcs = params.get("instance_id"), params.get("block_ips") or [], params.get("vpc_ids") or []
    if instance is not None and not INSTANCE_ID.match(instance):
        raise ValueError("instance_id: %r is not an EC2 instance id (i- and 8 or 17 lowercase hex digits, e.g. "
                         "i-0123456789abcdef0)" % instance)
    if not instance and not blocks:
        raise ValueError("instance_id: give an instance to quarantine (%s) or addresses to block (%s)"
                         % (named("instance_id"), named("block_ips")))
    bad = addresses.problems(blocks)
    if bad:
        raise ValueError("block_ips: %s" % "; ".join(bad))
    wrong = [v for v in vpcs if not VPC_ID.match(str(v))]
    if wrong:
        raise ValueError("vpc_ids: %s %s (vpc- and 8 or 17 lowercase hex digits, e.g. vpc-0123456789abcdef0)"
                         % (", ".join(repr(v) for v in wrong), "is not a VPC id" if len(wrong) == 1 else "are not VPC ids"))
    if vpcs and not blocks:
        raise ValueError("vpc_ids: only used with %s (the VPCs whose network ACLs get the deny entries)"
                         % named("block_ips"))
    if blocks and not vpcs and not instance:
        raise ValueError("block_ips: no VPC to put the deny entries in: add %s=[vpc-...] (investigate.yml's summary "
                         "prints the VPC ids), or give %s to use its VPC" % (named("vpc_ids"), named("instance_id")))
    if params.get("stop_instance") and not instance:
        raise ValueError("stop_instance: give the instance to stop (%s)" % named("instance_id"))
    case = params.get("case")
    if case is not None and not CASE.match(case):
        raise ValueError("case: %r is not a case label (1 to 100 letters, digits and _.:=+@-)" % case)
    if not re.match(r"^[\w .:/()#,@\[\]+=&;{}!$*-]{1,255}$", params.get("quarantine_group_name") or "") \
            or params["quarantine_group_name"].startswith("sg-"):
        raise ValueError("quarantine_group_name: %r is not a security group name" % params.get("quarantine_group_name"))
    regions_util.validate_regions(params)
    path = params.get("evidence_dir")
    if not path:
        raise ValueError("evidence_dir: give a directory for the evidence file")
    problem = files.evidence_dir_problem(path)
    if problem:
        raise ValueError(problem)


# --- finding the instance and the VPCs ------------------------------------------------------------

def search(m, regions):
    """{region: {instance, vpcs} or {error}}: the instance and the named VPCs, in every region at once."""
    instance_id, vpc_ids = m.params["instance_id"], m.params["vpc_ids"]

    def look(run):
        ec2 = run.client("ec2")
        found = {"instance": None, "vpcs": []}
        if instance_id:
            # A filter, not InstanceIds: the regions without it answer with nothing, not an error.
            reservations = aws.paginate(ec2, "describe_instances", "Reservations",
                                        Filters=[{"Name": "instance-id", "Values": [instance_id]}])
            instances = [i for r in reservations for i in r.get("Instances", [])]
            found["instance"] = instances[0] if instances else None
        if vpc_ids:
            found["vpcs"] = [v["VpcId"] for v in aws.paginate(ec2, "describe_vpcs", "Vpcs",
                                                              Filters=[{"Name": "vpc-id", "Values": vpc_ids}])]
        return found

    def on_fault(run, e):
        return {"error": aws.describe_error(e, "ec2")}

    m.conn  # pylint: disable=pointless-statement  # connect (and fail cleanly) before any thread starts
    runs = dict((r, regions_util.RegionRun(m, r)) for r in regions)
    return regions_util.run_in_pool(runs, regions, look, on_fault, m.params["region_concurrency"])


def locate(m):
    """(region of the instance or None, the instance or None, [(region, vpc id)] for block_ips);
    fails the module with one line, before any write, when something named is nowhere."""
    p = m.params
    plan = regions_util.plan_regions(m, p["regions"])
    if not plan.regions:
        m.fail("%s; set %s to search a fixed list of regions; nothing was changed"
               % (plan.error or "no region to search", m.option("regions")))
    found = search(m, plan.regions)
    unread = ["%s (%s)" % (r, v["error"]) for r, v in sorted(found.items()) if v.get("error")]
    searched = "%d regions searched: %s" % (len(plan.regions), ", ".join(plan.regions))
    if unread:
        searched += "; could not read " + "; ".join(unread)
    region = instance = None
    if p["instance_id"]:
        hits = [r for r in plan.regions if (found.get(r) or {}).get("instance")]
        if not hits:
            m.fail("%s: %s was not found (%s); nothing was changed" % (m.option("instance_id"), p["instance_id"],
                                                                       searched))
        region, instance = hits[0], found[hits[0]]["instance"]
        if instance["State"]["Name"] in GONE:
            m.fail("%s: %s in %s is %s: nothing to quarantine; nothing was changed"
                   % (m.option("instance_id"), p["instance_id"], region, instance["State"]["Name"]))
    targets = []
    if p["vpc_ids"]:
        where = dict((v, r) for r in plan.regions for v in (found.get(r) or {}).get("vpcs", []))
        missing = [v for v in p["vpc_ids"] if v not in where]
        if missing:
            m.fail("%s: %s not found (%s); nothing was changed" % (m.option("vpc_ids"), ", ".join(missing), searched))
        targets = [(where[v], v) for v in p["vpc_ids"]]
    elif p["block_ips"] and instance:
        targets = [(region, v) for v in instance_vpcs(instance)]
    return region, instance, list(dict.fromkeys(targets))


def interfaces(instance):
    return sorted(instance.get("NetworkInterfaces") or [], key=lambda n: (n.get("Attachment") or {}).get("DeviceIndex", 0))


def instance_vpcs(instance):
    """The VPCs of the instance's network interfaces (one, unless interfaces of other VPCs are attached)."""
    return list(dict.fromkeys([n["VpcId"] for n in interfaces(instance) if n.get("VpcId")] or
                              ([instance["VpcId"]] if instance.get("VpcId") else [])))


# --- the quarantine ----------------------------------------------------------------------------------

class Containment(Steps):
    """The steps of an EC2 containment, each with its region, and the resource ids they touched."""

    def __init__(self, m):
        # A file that could not be written is a note (the containment happened; the result lists the ids).
        super(Containment, self).__init__(m, service="ec2", notes_only=("evidence",))
        self.resources = {"instance": None, "security_groups": [], "network_interfaces": [], "snapshots": [],
                          "network_acl_entries": []}


def quarantine_group(m, c, ec2, region, vpc):
    """The id of the VPC's quarantine group, without any rule: found (its rules revoked, if someone
    added some) or made. In check mode a group still to be made is None; None too when it failed."""
    name = m.params["quarantine_group_name"]
    where = dict(region=region)
    try:
        groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                       {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    except regions_util.AWS_FAULTS as e:
        c.step("quarantine_group", vpc, "error", aws.describe_error(e, "ec2"), **where)
        return None, False
    if groups:
        group = groups[0]
        gid = group["GroupId"]
        c.resources["security_groups"].append(dict(group_id=gid, vpc_id=vpc, region=region, created=False))
        if not group.get("IpPermissions") and not group.get("IpPermissionsEgress"):
            c.step("quarantine_group", gid, "unchanged", "%s in %s has no inbound and no outbound rule" % (name, vpc),
                   **where)
        revoke_rules(c, ec2, region, gid, group)
        return gid, True
    tags = [{"Key": TAG_CASE, "Value": m.params["case"]}, {"Key": "Name", "Value": name}]
    created = c.write("quarantine_group", lambda r: r["GroupId"] if r else "%s in %s" % (name, vpc),
                      "ec2:CreateSecurityGroup %s %s" % (name, vpc), "create_security_group",
                      lambda r: "created %s in %s for quarantined instances (no inbound rule)" % (name, vpc),
                      "would create %s in %s with no inbound rule" % (name, vpc), client=ec2, extra=where,
                      GroupName=name, VpcId=vpc,
                      Description="bulwark.aws quarantine: no inbound, no outbound traffic",
                      TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])
    if created is None:
        if m.may_change:
            return None, False                 # the error step says why
        # Check mode: a new group gets the default outbound allow-all rule, which would go.
        c.write("quarantine_group", "%s in %s" % (name, vpc), "ec2:RevokeSecurityGroupEgress (%s in %s, all)" % (name, vpc),
                "revoke_security_group_egress", "", "would revoke its default outbound rule", client=ec2, extra=where)
        return None, True
    gid = created["GroupId"]
    c.resources["security_groups"].append(dict(group_id=gid, vpc_id=vpc, region=region, created=True))
    try:
        group = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    except regions_util.AWS_FAULTS as e:
        c.step("quarantine_group", gid, "error", "its default outbound rule may remain: %s"
               % aws.describe_error(e, "ec2"), **where)
        return gid, True
    revoke_rules(c, ec2, region, gid, group)
    return gid, True


def revoke_rules(c, ec2, region, gid, group):
    for key, call, direction in (("IpPermissions", "revoke_security_group_ingress", "inbound"),
                                 ("IpPermissionsEgress", "revoke_security_group_egress", "outbound")):
        rules = group.get(key) or []
        if rules:
            api = "ec2:RevokeSecurityGroup%s" % ("Ingress" if key == "IpPermissions" else "Egress")
            c.write("quarantine_group", gid, "%s %s (%d rules)" % (api, gid, len(rules)), call,
                    "revoked its %d %s rules" % (len(rules), direction),
                    "would revoke its %d %s rules" % (len(rules), direction),
                    client=ec2, extra=dict(region=region), GroupId=gid, IpPermissions=rules)


def quarantine(m, c, region, instance):
    p = m.params
    ec2 = m.client("ec2", region)
    iid = instance["InstanceId"]
    where = dict(region=region)
    c.resources["instance"] = dict(instance_id=iid, region=region, state=instance["State"]["Name"],
                                   vpc_id=instance.get("VpcId"), image_id=instance.get("ImageId"),
                                   launch_time=str(instance.get("LaunchTime")),
                                   private_ip=instance.get("PrivateIpAddress"), public_ip=instance.get("PublicIpAddress"),
                                   tags=dict((t["Key"], t["Value"]) for t in instance.get("Tags") or []))
    # 1. Network: every interface into its VPC's quarantine group, alone. One interface: the
    # instance's groups (ModifyInstanceAttribute, which on AWS are its interface's). Several: one
    # ModifyNetworkInterfaceAttribute each, since AWS refuses ModifyInstanceAttribute Groups then.
    # (moto keeps an instance's launch groups apart from its interfaces' and shows their union on
    # each interface: there the one-interface case is judged by the instance's groups, as here.)
    groups = dict((vpc, quarantine_group(m, c, ec2, region, vpc)) for vpc in instance_vpcs(instance))
    enis = interfaces(instance)
    for eni in enis:
        eni_id = eni["NetworkInterfaceId"]
        alone = len(enis) == 1
        before = sorted(g["GroupId"] for g in (instance if alone else eni).get("SecurityGroups" if alone else "Groups")
                        or [])
        gid, usable = groups.get(eni.get("VpcId") or instance.get("VpcId"), (None, False))
        label = gid or "%s (new)" % p["quarantine_group_name"]
        c.resources["network_interfaces"].append(dict(network_interface_id=eni_id, previous_groups=before,
                                                      quarantine_group=gid))
        if alone:
            action, call, api = ("ec2:ModifyInstanceAttribute %s Groups=[%s]" % (iid, label), "modify_instance_attribute",
                                 dict(InstanceId=iid, Groups=[gid]))
        else:
            action, call, api = ("ec2:ModifyNetworkInterfaceAttribute %s Groups=[%s]" % (eni_id, label),
                                 "modify_network_interface_attribute", dict(NetworkInterfaceId=eni_id, Groups=[gid]))
        if not usable:
            c.step("isolate_interface", eni_id, "error", "not moved: its VPC has no quarantine group (see above)",
                   **where)
        elif before == [gid]:
            c.step("isolate_interface", eni_id, "unchanged", "in %s only" % gid, **where)
        else:
            c.write("isolate_interface", eni_id, action, call,
                    "moved to %s only (was in %s)" % (label, ", ".join(before) or "no group"),
                    "would move it to %s only (now in %s)" % (label, ", ".join(before) or "no group"),
                    client=ec2, extra=where, **api)
    # 2. Evidence: a snapshot of every EBS volume, once per case.
    snapshot_volumes(m, c, ec2, region, instance)
    # 3. The instance's tags say it is quarantined, since when and for which case.
    tags = dict((t["Key"], t["Value"]) for t in instance.get("Tags") or [])
    if TAG_QUARANTINED in tags:
        c.step("tag_instance", iid, "unchanged", "tagged %s=%s already" % (TAG_QUARANTINED, tags[TAG_QUARANTINED]),
               **where)
    else:
        now = utc_now().strftime(TIME_FORMAT)
        c.write("tag_instance", iid, "ec2:CreateTags %s %s=%s %s=%s" % (iid, TAG_QUARANTINED, now, TAG_CASE, p["case"]),
                "create_tags", "tagged %s=%s, %s=%s" % (TAG_QUARANTINED, now, TAG_CASE, p["case"]),
                "would tag %s=<now>, %s=%s" % (TAG_QUARANTINED, TAG_CASE, p["case"]), client=ec2, extra=where,
                Resources=[iid], Tags=[{"Key": TAG_QUARANTINED, "Value": now}, {"Key": TAG_CASE, "Value": p["case"]}])
    # 4. Stopped only on request: its memory is evidence. Never terminated.
    state = instance["State"]["Name"]
    if not p["stop_instance"]:
        c.step("stop_instance", iid, "skipped", "left %s: its memory is evidence (%s=true stops it; it is never "
               "terminated)" % (state, m.option("stop_instance")), **where)
    elif state in ("stopped", "stopping"):
        c.step("stop_instance", iid, "unchanged", "already %s" % state, **where)
    else:
        c.write("stop_instance", iid, "ec2:StopInstances %s" % iid, "stop_instances",
                "stopping (after the snapshots were started; never terminated)", "would stop it (never terminate)",
                client=ec2, extra=where, InstanceIds=[iid])


def snapshot_volumes(m, c, ec2, region, instance):
    case, iid = m.params["case"], instance["InstanceId"]
    where = dict(region=region)
    volumes = [(b.get("DeviceName"), b["Ebs"]["VolumeId"]) for b in instance.get("BlockDeviceMappings") or []
               if (b.get("Ebs") or {}).get("VolumeId")]
    if not volumes:
        c.step("snapshot_volume", iid, "unchanged", "no EBS volume attached (instance store is lost on stop)", **where)
        return
    try:
        taken = aws.paginate(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"],
                             Filters=[{"Name": "tag:%s" % TAG_INSTANCE, "Values": [iid]},
                                      {"Name": "tag:%s" % TAG_CASE, "Values": [case]}])
    except regions_util.AWS_FAULTS as e:
        c.step("snapshot_volume", iid, "error", aws.describe_error(e, "ec2"), **where)
        return
    by_volume = {}
    for snap in taken:
        if snap.get("State") != "error":
            by_volume.setdefault(dict((t["Key"], t["Value"]) for t in snap.get("Tags") or []).get(TAG_VOLUME), snap)
    for device, volume in volumes:
        snap = by_volume.get(volume)
        if snap:
            c.resources["snapshots"].append(dict(snapshot_id=snap["SnapshotId"], volume_id=volume, device=device,
                                                 created=False))
            c.step("snapshot_volume", volume, "unchanged", "snapshot %s (%s) taken for case %s already"
                   % (snap["SnapshotId"], snap.get("State"), case), **where)
            continue
        tags = [{"Key": TAG_CASE, "Value": case}, {"Key": TAG_INSTANCE, "Value": iid},
                {"Key": TAG_VOLUME, "Value": volume}, {"Key": "Name", "Value": "evidence %s %s" % (case, volume)}]
        made = c.write("snapshot_volume", volume, "ec2:CreateSnapshot %s" % volume, "create_snapshot",
                       lambda r: "snapshot %s started (%s of %s)" % (r["SnapshotId"], device, iid),
                       "would snapshot it (%s of %s), tagged with the case" % (device, iid), client=ec2, extra=where,
                       VolumeId=volume, Description="bulwark.aws evidence: case %s, %s %s of %s" % (case, volume, device, iid),
                       TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}])
        if made:
            c.resources["snapshots"].append(dict(snapshot_id=made["SnapshotId"], volume_id=volume, device=device,
                                                 created=True))


# --- blocking addresses --------------------------------------------------------------------------------

def _network(entry):
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    return ipaddress.ip_network(cidr, strict=False) if cidr else None


def deny_rule(entries, network, egress):
    """Where a deny of ``network`` goes among a network ACL's ``entries`` (one direction):

    - ("exists", number, allow): a deny of every protocol for it (or a block holding it) is already
      ahead of ``allow``, the lowest-numbered allow entry that would admit it;
    - ("add", number, allow): the highest free number below ``allow`` (counting down from it);
    - ("full", None, allow): no free number below ``allow``;
    - ("no_allow", None, None): no allow entry admits it: the final deny * drops it already."""
    same = [(e, _network(e)) for e in entries if bool(e.get("Egress")) == egress]
    same = [(e, n) for e, n in same if n is not None and n.version == network.version]
    allows = [e["RuleNumber"] for e, n in same if e["RuleAction"] == "allow" and n.overlaps(network)]
    if not allows:
        return "no_allow", None, None
    allow = min(allows)
    covering = [e["RuleNumber"] for e, n in same if e["RuleAction"] == "deny" and str(e.get("Protocol")) == "-1"
                and e["RuleNumber"] < allow and network.subnet_of(n)]
    if covering:
        return "exists", min(covering), allow
    taken = set(e["RuleNumber"] for e in entries if bool(e.get("Egress")) == egress)
    for number in range(min(allow - 1, MAX_RULE_NUMBER), 0, -1):
        if number not in taken:
            return "add", number, allow
    return "full", None, allow


def block(m, c, targets, networks):
    """Deny entries (inbound from, outbound to each network) in every network ACL of the target VPCs."""
    for region, vpc in targets:
        ec2 = m.client("ec2", region)
        where = dict(region=region)
        try:
            acls = aws.paginate(ec2, "describe_network_acls", "NetworkAcls",
                                Filters=[{"Name": "vpc-id", "Values": [vpc]}])
        except regions_util.AWS_FAULTS as e:
            c.step("block_address", vpc, "error", aws.describe_error(e, "ec2"), **where)
            continue
        for acl in sorted(acls, key=lambda a: a["NetworkAclId"]):
            acl_id = acl["NetworkAclId"]
            entries = list(acl.get("Entries") or [])
            for network in networks:
                for egress in (False, True):
                    block_one(c, ec2, where, vpc, acl_id, entries, network, egress)


def block_one(c, ec2, where, vpc, acl_id, entries, network, egress):
    cidr = str(network)
    direction = "outbound to" if egress else "inbound from"
    status, number, allow = deny_rule(entries, network, egress)
    record = dict(network_acl_id=acl_id, vpc_id=vpc, region=where["region"], egress=egress, cidr=cidr,
                  rule_number=number)
    if status == "no_allow":
        c.step("block_address", acl_id, "unchanged", "no allow entry admits %s %s: its final deny * drops it already"
               % (direction, cidr), **where)
        return
    if status == "exists":
        c.resources["network_acl_entries"].append(dict(record, created=False))
        c.step("block_address", acl_id, "unchanged", "rule %d denies all %s %s already, ahead of allow rule %d"
               % (number, direction, cidr, allow), **where)
        return
    if status == "full":
        c.step("block_address", acl_id, "error", "no free rule number below allow rule %d for a deny %s %s: renumber "
               "the entries of %s and run again" % (allow, direction, cidr, acl_id), **where)
        return
    api = dict(NetworkAclId=acl_id, RuleNumber=number, Protocol="-1", RuleAction="deny", Egress=egress)
    api["Ipv6CidrBlock" if network.version == 6 else "CidrBlock"] = cidr
    made = c.write("block_address", acl_id, "ec2:CreateNetworkAclEntry %s %d %s deny %s"
                   % (acl_id, number, "egress" if egress else "ingress", cidr), "create_network_acl_entry",
                   "rule %d: deny all %s %s (ahead of allow rule %d)" % (number, direction, cidr, allow),
                   "would add rule %d: deny all %s %s (ahead of allow rule %d)" % (number, direction, cidr, allow),
                   client=ec2, extra=where, **api)
    if made is not None or not c.m.may_change:
        # Taken now (or in check mode, would be): the next address counts down from below it.
        entries.append(dict(api, CidrBlock=api.get("CidrBlock"), Ipv6CidrBlock=api.get("Ipv6CidrBlock")))
    if made is not None:
        c.resources["network_acl_entries"].append(dict(record, created=True))


# --- the module ------------------------------------------------------------------------------------------

def write_evidence(m, c, region, targets, networks):
    """The evidence file: every resource id the run touched (or found done), and the steps."""
    now = utc_now()
    payload = {"schema": SCHEMA, "account_id": m.identity()["account_id"], "case": m.params["case"],
               "time": now.strftime(TIME_FORMAT), "instance_region": region,
               "block_ips": [str(n) for n in networks], "vpcs": [dict(region=r, vpc_id=v) for r, v in targets],
               "resources": c.resources, "steps": [dict(s) for s in c.steps], "actions": list(m.actions)}
    name = "ec2-contain-%s-%s.json" % (m.params["case"], now.strftime("%Y%m%dT%H%M%SZ"))
    return files.write_with_checksum(m.params["evidence_dir"], name,
                                     json.dumps(payload, indent=1, sort_keys=True, default=str) + "\n")


def body(m):
    p = m.params
    networks = addresses.networks(p["block_ips"])
    if not p.get("case"):
        # One case per instance by default: a later run finds that case's snapshots.
        p["case"] = p["instance_id"] or "block-%s" % utc_now().strftime("%Y%m%d")
    region, instance, targets = locate(m)          # reads only; fails before any write
    c = Containment(m)
    if instance:
        quarantine(m, c, region, instance)
    if networks:
        block(m, c, targets, networks)
    result = dict(steps=c.steps, resources=c.resources)
    if instance and not networks and any(s["step"] == "isolate_interface" and s["status"] in ("changed", "would_change")
                                         for s in c.steps):
        m.module.warn(TRACKED_CONNECTIONS % m.option("block_ips"))
    if m.check_mode or not p["enforce"]:
        c.step("evidence", p["evidence_dir"], "would_change", "would write the evidence file (ids and steps) there")
    else:
        try:
            result["evidence"] = write_evidence(m, c, region, targets, networks)
            c.step("evidence", result["evidence"]["path"], "written", "sha256 %s" % result["evidence"]["sha256"])
        except (OSError, IOError) as e:
            m.module.warn("evidence file not written, containment went on: %s" % e)
            c.step("evidence", p["evidence_dir"], "error", "could not write the evidence file: %s" % e)
    if c.failed:
        what = " and ".join(x for x in ("instance %s" % p["instance_id"] if p["instance_id"] else "",
                                        "addresses %s" % ", ".join(str(n) for n in networks) if networks else "") if x)
        m.fail("containment of %s is incomplete: %s" % (what, "; ".join(c.failed)), actions=m.actions, **result)
    m.exit(**result)


DEFINITION = Definition("ec2_contain", argument_spec, [], body, validate)

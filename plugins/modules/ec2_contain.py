#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ec2_contain
short_description: Quarantine a compromised EC2 instance and block attacker addresses in network ACLs
version_added: 0.1.0
description:
  - Incident response for an EC2 instance and the addresses attacking from or calling back to.
  - With O(instance_id), the instance is found in whichever searched region holds it. Every network interface
    of it is put into the quarantine security group of its VPC, alone (C(ModifyNetworkInterfaceAttribute)
    per interface). That group, O(quarantine_group_name), has no inbound and no outbound rule. It is made
    once per VPC, tagged, and reused by later runs; rules someone added to it are revoked.
  - Every attached EBS volume gets a snapshot tagged C(bulwark:case), C(bulwark:instance) and C(bulwark:volume).
    A later run of the same case finds it and makes no other. The instance is tagged C(bulwark:quarantined)
    (the UTC time) and C(bulwark:case).
  - The instance is B(never terminated), and stopped only with O(stop_instance=true). Its disk and memory are
    evidence.
  - Connections already open can survive a security group change (tracked connections). A network ACL deny
    cuts them, so give the attacker's addresses in O(block_ips) too. A warning says so when interfaces are
    moved without O(block_ips).
  - With O(block_ips), every network ACL of the O(vpc_ids) (by default the VPC of O(instance_id)) gets a deny
    entry for each address, inbound from it and outbound to it. The entry is numbered below the lowest-numbered
    allow entry that would admit the address, at the highest free number counting down from it. A deny of
    every protocol for that address (or a block holding it) already ahead of that allow is left as it is.
    When no allow entry admits the address, the final deny C(*) already drops it and nothing is added.
    When no number is free below the allow, that network ACL gets an error step; the others go on.
  - Every step is idempotent. A second run reports each one V(unchanged) and C(changed=false).
  - In check mode it reads only (its AWS clients refuse every write) and reports what it would do. It writes
    no evidence file then.
  - Everything named is looked up first, in every searched region at once. An instance or VPC found nowhere
    fails the module with one line, naming the regions searched, before any write.
  - A failed step fails the module after every other step was tried. Nothing is deleted.
  - Writes an evidence JSON file (with a C(.sha256) file beside it) listing every resource id the run touched
    or found done, the instance's previous security groups, and the steps.
  - Returns no findings. Containment is an action, so it reports RV(steps) and RV(actions).
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  instance_id:
    description:
      - The instance to quarantine, C(i-) and 8 or 17 lowercase hex digits.
      - One of O(instance_id) and O(block_ips) is required. Both may be given.
    type: str
  stop_instance:
    description:
      - Stop the instance after its snapshots were started. Its memory (running processes, keys in memory) is
        lost, so the default leaves it running, isolated. It is never terminated.
    type: bool
    default: false
  block_ips:
    description:
      - IPv4 or IPv6 addresses or CIDR blocks to deny in the network ACLs. A bare address is its C(/32) or
        C(/128). A block with host bits set, or C(/0), is refused.
    type: list
    elements: str
    default: []
  vpc_ids:
    description:
      - The VPCs whose network ACLs get the O(block_ips) entries (C(vpc-) and 8 or 17 lowercase hex digits),
        found in whichever searched region holds them.
      - By default the VPC of O(instance_id). With O(block_ips) and no O(instance_id) it is required.
    type: list
    elements: str
    default: []
  case:
    description:
      - The incident's label, in the tags, the snapshots' description and the evidence file's name
        (1 to 100 letters, digits and C(_.:=+@-)).
      - Default the O(instance_id), so that every run for the instance is one case and its snapshots are
        taken once. Without O(instance_id), C(block-<UTC date>).
    type: str
  quarantine_group_name:
    description: Name of the quarantine security group made in each VPC.
    type: str
    default: bulwark-quarantine
  regions:
    description: The regions to search for O(instance_id) and O(vpc_ids). By default every enabled region.
  evidence_dir:
    description:
      - Directory for the evidence file C(ec2-contain-<case>-<UTC time>.json) and its C(.sha256) file
        (created with mode 0700 when missing; files are 0600, each written to a new exclusive temporary
        file beside it and renamed onto its name). Required.
      - Written where the module runs. With the usual C(localhost) and local connection that is the controller.
    type: path
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
notes:
  - Permissions it needs are listed in docs/incident-response.md.
  - Snapshots are started, not waited for. Their state is in the evidence file and in C(DescribeSnapshots).
"""

EXAMPLES = r"""
- name: What would quarantining the instance do (nothing is changed)
  bulwark.aws.ec2_contain:
    instance_id: i-0123456789abcdef0
    evidence_dir: /srv/incidents/2026-11-23
  check_mode: true

- name: Quarantine it and cut the attacker's open connections
  bulwark.aws.ec2_contain:
    instance_id: i-0123456789abcdef0
    block_ips: [203.0.113.7, 2001:db8::/64]
    case: INC-4711
    evidence_dir: /srv/incidents/2026-11-23

- name: Block addresses in two VPCs
  bulwark.aws.ec2_contain:
    block_ips: [198.51.100.0/24]
    vpc_ids: [vpc-0123456789abcdef0, vpc-0fedcba9876543210]
    evidence_dir: /srv/incidents/2026-11-23
"""

RETURN = r"""
findings:
  description: Always empty. Containment reports RV(steps), not control findings.
  returned: always
  type: list
  elements: dict
  sample: []
steps:
  description:
    - One entry per step, in the order they ran. C(step) is one of V(quarantine_group), V(isolate_interface),
      V(snapshot_volume), V(tag_instance), V(stop_instance), V(block_address), V(evidence). C(target) is the
      resource id. C(status) is V(changed), V(would_change), V(unchanged), V(skipped), V(written) or V(error).
  returned: always
  type: list
  elements: dict
  sample:
    - step: isolate_interface
      target: eni-0a1b2c3d4e5f60718
      status: changed
      detail: "moved to sg-0123456789abcdef0 only (was in sg-0fedcba9876543210)"
      region: eu-west-1
    - step: block_address
      target: acl-0123456789abcdef0
      status: changed
      detail: "rule 99: deny all inbound from 203.0.113.7/32 (ahead of allow rule 100)"
      region: eu-west-1
resources:
  description:
    - What the run touched or found done. C(instance), C(security_groups) (C(group_id), C(vpc_id), C(created)),
      C(network_interfaces) (C(network_interface_id), C(previous_groups) to undo, C(quarantine_group)),
      C(snapshots) (C(snapshot_id), C(volume_id), C(created)), C(network_acl_entries) (C(network_acl_id),
      C(rule_number), C(egress), C(cidr), C(created)).
  returned: always
  type: dict
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["ec2:CreateSnapshot vol-0123456789abcdef0", "ec2:CreateNetworkAclEntry acl-0123456789abcdef0 99 ingress deny 203.0.113.7/32"]
evidence:
  description: The evidence file.
  returned: when it was written (not in check mode)
  type: dict
  sample:
    path: /srv/incidents/2026-11-23/ec2-contain-i-0123456789abcdef0-20261123T101500Z.json
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    checksum_file: /srv/incidents/2026-11-23/ec2-contain-i-0123456789abcdef0-20261123T101500Z.json.sha256
"""

from ansible_collections.bulwark.aws.plugins.module_utils.contain.ec2 import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

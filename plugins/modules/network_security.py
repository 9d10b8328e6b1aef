#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: network_security
short_description: Audit and enforce security groups, network ACLs, IMDSv2 and VPC flow logs in every enabled region
version_added: 0.1.0
description:
  - Evaluates the controls of the C(network) role in one run, every region in parallel (a
    bounded thread pool, one client per service and region).
  - C(network.default_security_group) (CIS 5.4) every default security group has no inbound and
    no outbound rule; C(network.admin_ports_ipv4) (CIS 5.2) and C(network.admin_ports_ipv6)
    (CIS 5.3) no inbound rule admits V(0.0.0.0/0) (V(::/0)) to an O(admin_ports) port over TCP
    or all traffic; C(network.nacl_admin_ports) (CIS 5.1) no network ACL lets the internet reach
    those ports; C(network.imdsv2) (CIS 5.6) the account's default for new instances and every
    instance not terminated require IMDSv2; C(network.vpc_flow_logs) (CIS 3.7) every VPC has an
    active flow log of rejected (or all) traffic.
  - A network ACL admits the internet to a port when, walking its inbound entries by rule number,
    the first entry for V(0.0.0.0/0) (and, apart, V(::/0)) covering the port over TCP (protocol
    V(6) with the port in its range, or V(-1)) allows.
  - One finding per non-compliant resource (security group, network ACL, instance, VPC, whose id
    is the finding's resource, so waivers can name it), naming what is wrong (each rule or entry
    by id or number); the resources that pass are counted in one V(pass) finding per control and
    region (resource V(security-groups), V(network-acls), V(instances) or V(vpcs)).
  - Every read is one paginated call per kind and region, whatever the number of resources; the
    security groups and their rules are read once for the three security group controls.
  - The regions are the account's enabled regions (C(ec2:DescribeRegions)) unless O(regions) is
    given. An opt-in region that is not enabled is skipped and listed in RV(regions.skipped).
  - A region or concern that fails (AccessDenied, throttling after botocore's retries, an API
    the endpoint does not implement) gives an V(error) finding for its controls in that region;
    every other concern and region is still evaluated.
  - Nothing is deleted, and only two things change by default. The account default for new
    instances is set to require IMDSv2 (no running instance changes). Each VPC without a flow
    log gets one to the CloudWatch Logs group O(flow_logs_log_group) of its region (created
    with O(flow_logs_retention_days); an existing group's retention is only ever raised) through
    the IAM role O(flow_logs_role_name), created once per run when missing (trusting
    C(vpc-flow-logs.amazonaws.com) for this account only, allowed to write to that group); an
    existing role of that name is used as it is. Flow logs are billed per GB ingested.
  - Everything else is opt-in, and without the option the finding is V(fail), naming the option
    to set. A waived resource is never changed.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  admin_ports:
    description:
      - The remote administration ports no security group or network ACL may open to the
        internet (1 to 65535). CIS names SSH (V(22)) and RDP (V(3389)).
    type: list
    elements: int
    default: [22, 3389]
  restrict_default_security_groups:
    description:
      - Revoke every inbound and outbound rule of a default security group that has rules and
        that no network interface uses.
      - A default security group in use is V(fail) whatever this says, naming the interfaces;
        move them to a security group of their own first (revoking the rules would cut them off).
    type: bool
    default: false
  revoke_open_admin_ports:
    description:
      - Revoke the inbound rules that admit V(0.0.0.0/0) or V(::/0) to an O(admin_ports) port,
        and only those; the group's other rules are kept. Admit known addresses, or use Session
        Manager, instead.
    type: bool
    default: false
  block_nacl_admin_ports:
    description:
      - Add inbound TCP deny entries, one per port and source (V(0.0.0.0/0), V(::/0)) the
        network ACL admits, at the highest free rule number below the entry that allows it, so
        that the walk meets the deny first. No entry is replaced or deleted.
      - When no rule number is free below the allowing entry the finding is V(fail); renumber
        the entries to leave room.
    type: bool
    default: false
  require_imdsv2_on_instances:
    description:
      - Require IMDSv2 on every instance (pending, running, stopping or stopped) that allows
        IMDSv1 and has its metadata endpoint on. Software on the instance still using IMDSv1
        stops getting credentials, so check it first.
      - The account default for new instances is set to require IMDSv2 whatever this says.
    type: bool
    default: false
  flow_logs_traffic_type:
    description:
      - The traffic the flow logs this module creates log. CIS 3.7 asks for rejected traffic at
        least; V(ALL) costs more. An existing flow log of V(REJECT) or V(ALL) traffic counts.
    type: str
    choices: [REJECT, ALL]
    default: REJECT
  flow_logs_log_group:
    description:
      - The CloudWatch Logs group, in each region, of the flow logs this module creates. A flow
        log of any destination counts.
    type: str
    default: /bulwark/vpc-flow-logs
  flow_logs_retention_days:
    description:
      - Retention of O(flow_logs_log_group) when this module creates it, and the least it keeps
        an existing one to (a shorter retention is raised, a longer one kept). One of the values
        CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
        1096, 1827, 2192, 2557, 2922, 3288, 3653).
    type: int
    default: 365
  flow_logs_role_name:
    description:
      - The IAM role VPC flow logs deliver to O(flow_logs_log_group) with. Created when missing;
        an existing role of this name is used as it is.
    type: str
    default: bulwark-vpc-flow-logs
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
notes:
  - "moto (the test emulator) has no EC2 instance metadata defaults API
    (C(ec2:GetInstanceMetadataDefaults), C(ec2:ModifyInstanceMetadataDefaults)): against it the
    C(network.imdsv2) finding of resource C(instance-metadata-defaults) is V(error) in every
    region; the unit tests cover it with botocore's Stubber."
  - An account default managed by a declarative policy of the organization is V(fail); change it
    in the policy.
  - A new flow log may report a delivery error for a few minutes after its role is created.
"""

EXAMPLES = r"""
- name: Audit every enabled region
  bulwark.aws.network_security:
    enforce: false
  register: network

- name: Enforce in two regions, emptying unused default security groups and revoking open admin ports
  bulwark.aws.network_security:
    region: eu-west-1
    regions: [eu-west-1, eu-central-1]
    restrict_default_security_groups: true
    revoke_open_admin_ports: true

- name: Flow logs of all traffic, kept two years
  bulwark.aws.network_security:
    controls: [network.vpc_flow_logs]
    flow_logs_traffic_type: ALL
    flow_logs_retention_days: 731

- name: A bastion that must stay reachable on port 22 is waived, not revoked
  bulwark.aws.network_security:
    controls: [network.admin_ports_ipv4]
    revoke_open_admin_ports: true
    waivers:
      - control: network.admin_ports_ipv4
        resource: sg-0123456789abcdef0
        reason: bastion host, reviewed by the security team
        expires: "2026-12-31"
"""

RETURN = r"""
findings:
  description:
    - One finding per non-compliant resource (its id as resource), and per control and region one
      V(pass) finding counting the resources that pass.
    - C(network.imdsv2) also has one finding per region for the account default, resource
      C(instance-metadata-defaults).
  returned: always
  type: list
  elements: dict
  sample:
    - control: network.admin_ports_ipv4
      status: fail
      resource: sg-0a1b2c3d4e5f67890
      region: eu-west-1
      message: "security group sg-0a1b2c3d4e5f67890 (web-admin, vpc-0f1e2d3c) admits 0.0.0.0/0 to port 22:
        sgr-0123456789abcdef0 tcp 22 from 0.0.0.0/0; set revoke_open_admin_ports: true to revoke this rule
        (admit known addresses, or use Session Manager)"
    - control: network.vpc_flow_logs
      status: pass
      resource: vpcs
      region: eu-west-1
      message: "2 VPCs: an active flow log of rejected traffic"
regions:
  description: The regions evaluated, and those skipped with the reason.
  returned: always
  type: dict
  sample:
    evaluated: [eu-west-1, us-east-1]
    skipped:
      - region: ap-east-1
        reason: "opt-in region not enabled for this account: skipped (...)"
  contains:
    evaluated:
      description: The regions evaluated.
      type: list
      elements: str
    skipped:
      description: The regions skipped, each a dict with C(region) and C(reason).
      type: list
      elements: dict
flow_logs_role:
  description:
    - The IAM role of the flow logs this run created (or, in check mode, would create).
      C(created) is true when this run created it.
  returned: when a VPC needed a flow log
  type: dict
  sample:
    name: bulwark-vpc-flow-logs
    arn: arn:aws:iam::123456789012:role/bulwark-vpc-flow-logs
    created: true
actions:
  description: The writes made (or, in check mode, that would be made), with their region.
  returned: always
  type: list
  elements: str
  sample: ["iam:CreateRole bulwark-vpc-flow-logs", "ec2:CreateFlowLogs vpc-0f1e2d3c (eu-west-1)"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.network_security import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

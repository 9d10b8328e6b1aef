#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: investigate_principal
short_description: Read-only investigation of an IAM user, access key or role; writes an evidence directory
version_added: 0.1.0
description:
  - Incident investigation before (or after) containment. For one principal (O(user), O(access_key_id) or
    O(role)) it reads the CloudTrail events of the last O(since) in every enabled region (C(LookupEvents)),
    and what exists in the account, and writes an evidence directory.
  - C(timeline.json) and C(timeline.md), the principal's events merged newest first (time, region, event,
    source IP, user agent, resources) with a summary of source IPs, regions and user agents.
  - C(inventory.json) and C(inventory.md), per region the EC2 instances, security groups open to
    C(0.0.0.0/0) or C(::/0) and Lambda functions; account-wide the IAM users, roles, customer managed
    policies and access keys created in the window and the S3 buckets a policy or ACL makes public.
    An item the timeline says the principal created is marked C(created_by_principal).
  - C(summary.md), who, when, from where, what was created or changed, and the
    C(ansible-playbook bulwark.aws.contain) commands to run next, one target each, C(--check) first (the
    principal; each instance it launched, C(-e instance_id); per region of those instances its source IPs
    to block in their VPCs, C(-e block_ips) C(-e vpc_ids)). C(SHA256SUMS) over the other files.
  - For a role, the events that name the role, by ARN (C(AssumeRole)) or by name (IAM's changes to it),
    and then those of the temporary access keys those C(AssumeRole) calls issued.
  - It B(never writes to AWS), in check mode and apply mode alike. Its connection refuses every write call.
    It evaluates no control and returns no findings. It writes the evidence files in check mode too, since
    the investigation itself is a read.
  - C(LookupEvents) is paged at most 2 requests per second per region, CloudTrail's limit.
  - A region or service that cannot be read is an error line in the files, a warning and an entry of
    RV(errors). The other regions go on.
  - No secret is written. Values of keys that look secret (secret, password, token, private key) in the
    events' request and response are replaced with C((redacted)).
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  user:
    description: The IAM user to investigate (its events are looked up by C(Username)). One of O(user),
      O(access_key_id) and O(role).
    type: str
  access_key_id:
    description:
      - The access key to investigate (C(AKIA...) or a session key C(ASIA...)), looked up by C(AccessKeyId).
      - A long-term key's user is found with C(iam:GetAccessKeyLastUsed) and named in the summary.
    type: str
  role:
    description: The IAM role to investigate (role name).
    type: str
  since:
    description: How far back to look, in hours or days (V(72h), V(30d)), at most 90 days.
    type: str
    default: 72h
  regions:
    description: The regions to read. By default every enabled region.
  evidence_dir:
    description:
      - The directory of the evidence files (created with mode 0700 when missing). It must not hold
        evidence files already. Files are created exclusively (C(O_EXCL|O_NOFOLLOW)), mode 0600.
      - Written where the module runs. With the usual C(localhost) and local connection that is the controller.
    type: path
    required: true
extends_documentation_fragment:
  - bulwark.aws.connection
  - bulwark.aws.regions
"""

EXAMPLES = r"""
- name: What did the CI user do in the last three days
  bulwark.aws.investigate_principal:
    user: ci-deploy
    evidence_dir: /srv/incidents/2026-11-23/investigation

- name: A leaked key, the last two weeks, two regions
  bulwark.aws.investigate_principal:
    access_key_id: AKIAIOSFODNN7EXAMPLE
    since: 14d
    regions: [us-east-1, eu-west-1]
    evidence_dir: /srv/incidents/2026-11-23/key
"""

RETURN = r"""
evidence_dir:
  description: The evidence directory (absolute path).
  returned: success
  type: str
  sample: /srv/incidents/2026-11-23/investigation
files:
  description: The files written there.
  returned: success
  type: list
  elements: str
  sample: [SHA256SUMS, inventory.json, inventory.md, summary.md, timeline.json, timeline.md]
principal:
  description: The principal investigated.
  returned: success
  type: dict
  sample: {kind: access_key, name: AKIAIOSFODNN7EXAMPLE, label: access key AKIAIOSFODNN7EXAMPLE, owner: ci-deploy}
events:
  description: How many CloudTrail events the timeline holds.
  returned: success
  type: int
resources:
  description: How many inventory items were listed.
  returned: success
  type: int
created_by_principal:
  description: How many resources the timeline says the principal created.
  returned: success
  type: int
timeline_regions_read:
  description:
    - How many regions' CloudTrail event history was read. V(0) means the timeline is empty because
      nothing could be read, not because the principal did nothing (C(investigate.yml) then fails
      after writing the evidence).
  returned: success
  type: int
errors:
  description: What could not be read (a region, a service), one line each.
  returned: success
  type: list
  elements: str
  sample: ["eu-west-2 cloudtrail LookupEvents Username=ci-deploy: AccessDenied: ..."]
containment:
  description: The contain.yml commands to run next.
  returned: success
  type: list
  elements: str
findings:
  description: Always empty. An investigation evaluates no control.
  returned: always
  type: list
  elements: dict
  sample: []
"""

from ansible_collections.bulwark.aws.plugins.module_utils.investigate.run import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

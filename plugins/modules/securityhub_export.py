#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: securityhub_export
short_description: Send an account's bulwark.aws findings to its own AWS Security Hub
version_added: 0.1.0
description:
  - Imports the findings of a bulwark.aws run into the account's own AWS Security Hub, in the connection's region
    (the home region), as AWS Security Finding Format (ASFF) with C(BatchImportFindings).
  - The report role runs it for every account of the play when C(bulwark_securityhub_export) is true (or
    C(BULWARK_SECURITYHUB_EXPORT=1)), with the findings of that account. A failure becomes an error of that
    account's report.
  - Each finding is a finding of the account's own product (C(arn:<partition>:securityhub:<region>:<account>:product/<account>/default)),
    with company and product name C(bulwark.aws). C(GeneratorId) is C(bulwark.aws/<control>). Severity, title and
    C(Compliance.RelatedRequirements) (CIS v3.0.0 and AWS Foundational Security Best Practices) come from the
    control catalogue. The description is the finding's status and message.
  - The C(Id) is C(bulwark.aws/<control>/<region>/<sha256 of account and resource>), so a later run updates the same
    finding. V(drift) and V(fail) are C(FAILED), V(manual) is C(WARNING), V(error) is C(NOT_AVAILABLE), all
    C(ACTIVE). V(pass), V(fixed) and V(waived) are C(PASSED) and C(ARCHIVED), and are sent only when Security Hub
    has a finding of that id, since a pass is news only when it resolves something there (and Security Hub
    bills every finding it ingests).
  - A finding that was C(ACTIVE) and passes now, or is waived, is resolved. Its workflow is set to C(RESOLVED)
    (C(SUPPRESSED) when waived) with C(BatchUpdateFindings). With O(resolve_absent), so is a previously
    C(ACTIVE) finding that the run no longer has, but only when the run has findings of its control in its
    region. A run of fewer controls or regions resolves nothing it did not check.
  - A finding is sent when it is new or when what a reader sees changed (status, severity, title, description,
    resource, remediation). One that stayed the same is sent again only when Security Hub last got it more
    than 7 days ago, since Security Hub deletes a finding 90 days after its last update. That refresh is not
    reported as a change, so a second run right after the first reports C(changed=false). A finding resolved
    before that still passes is not sent again.
  - In check mode it only reads (C(GetFindings)) and reports what it would send.
  - With O(enforce=false) it only reads, as in check mode. The report role sets O(enforce=true) on it, since the
    export is the report's delivery and not a change to the account. So C(bulwark_audit_only) does not stop it,
    and C(--check) does.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  findings:
    description:
      - The account's findings, each a dict with C(control), C(status), C(resource), C(region) and C(message),
        as the bulwark.aws modules return them and report.json lists them. C(remediation), C(severity),
        C(title) and C(refs) are used when present; the catalogue fills in those missing.
      - The report role passes the findings the run kept for the host.
    type: list
    elements: dict
    required: true
  resolve_absent:
    description:
      - Resolve a previously C(ACTIVE) finding that O(findings) no longer has (its user or bucket is gone), when
        O(findings) has findings of its control in its region.
    type: bool
    default: true
extends_documentation_fragment:
  - bulwark.aws.connection
notes:
  - Security Hub must be enabled in the region. When it is not, the module fails naming the region and the
    account; the guardrails role's C(securityhub.enabled) control enables it.
  - "Permissions: C(securityhub:GetFindings), C(securityhub:BatchImportFindings), C(securityhub:BatchUpdateFindings)."
  - O(controls) and O(waivers) are accepted for C(module_defaults) and do nothing here. The findings carry their
    waived status.
"""

EXAMPLES = r"""
- name: Send the findings of this account's run to its Security Hub
  bulwark.aws.securityhub_export:
    findings: "{{ ansible_facts._bulwark_findings }}"
    region: eu-west-1

- name: What would be sent (reads only)
  bulwark.aws.securityhub_export:
    findings: "{{ (lookup('ansible.builtin.file', 'bulwark-reports/20261206T020000Z/report.json') | from_json).accounts[0].findings }}"
  check_mode: true
"""

RETURN = r"""
counts:
  description:
    - How many findings were sent (in check mode, would be sent), by kind. V(new) had no finding of its id yet,
      V(updated) changed, V(refreshed) stayed the same but was last sent more than 7 days ago, V(resolved) were
      archived. Not sent were V(unchanged) (Security Hub has them as they are) and V(passing) (they pass, and
      Security Hub has no finding of their id to resolve).
  returned: always
  type: dict
  sample: {new: 12, updated: 3, refreshed: 0, resolved: 5, unchanged: 210, passing: 130}
errors:
  description: What Security Hub refused or could not be called. The module fails when there is any.
  returned: always
  type: list
  elements: dict
  sample:
    - id: bulwark.aws/iam.user_mfa/global/4f1c0c0e9d6a1e2f3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2
      code: InvalidInput
      message: Title is too long
product_arn:
  description: The product the findings belong to, the account's own default product.
  returned: always
  type: str
  sample: arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default
region:
  description: The region the findings went to.
  returned: always
  type: str
  sample: eu-west-1
findings:
  description: Always empty. The export evaluates no control.
  returned: always
  type: list
  elements: dict
  sample: []
actions:
  description: What was sent, or in check mode would be sent, when it is a change.
  returned: always
  type: list
  elements: str
  sample: ["sent 12 new, 3 updated, 0 refreshed, 5 resolved finding(s) to Security Hub in eu-west-1; not sent: 210 unchanged, 130 passing"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.securityhub.export import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

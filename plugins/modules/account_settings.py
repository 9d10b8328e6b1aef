#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: account_settings
short_description: Audit and enforce the account settings (CIS 1.1-1.3, alias, opt-in regions, budget)
version_added: 0.1.0
description:
  - Evaluates the controls of the C(account) role in one run, one finding per control.
  - C(account.security_contact) (CIS 1.2, SH Account.1), C(account.billing_contact) and
    C(account.operations_contact) compare the alternate contacts with O(security_contact),
    O(billing_contact) and O(operations_contact) and set them when given. Without a value a
    missing contact is V(fail) and an existing one V(pass).
  - C(account.contact_details) (CIS 1.1) and C(account.security_questions) (CIS 1.3) are
    V(manual) with the console steps, as no API can tell whether contact details are current,
    and none reads security questions. Contact details are only checked for presence; no
    personal data is returned.
  - C(account.alias) sets O(alias) when the account has none; an existing different alias is
    renamed only with O(force_alias).
  - C(account.opt_in_regions) lists the enabled opt-in regions against O(allowed_opt_in_regions).
    Enabling the allowed ones (O(enable_allowed_opt_in_regions)) and disabling the others
    (O(disable_unlisted_opt_in_regions)) are each opt-in; both are asynchronous on AWS' side.
  - C(account.budget_alert) is opt-in. With O(budget_amount) and O(budget_emails) a monthly cost
    budget with an email notification at O(budget_threshold_percent) is created when missing.
  - Every input (emails, phone numbers, alias, regions, amount) is validated before any AWS call.
author:
  - bulwark.aws contributors (@bulwark-aws)
options:
  security_contact:
    description: The security alternate contact. All four fields are required when given.
    type: dict
    suboptions:
      name:
        description: Full name, 1 to 64 characters.
        type: str
        required: true
      title:
        description: Title or role, 1 to 50 characters.
        type: str
        required: true
      email:
        description: Email address (a team mailbox is best).
        type: str
        required: true
      phone:
        description: Phone number, digits, spaces and C(+-()), up to 25 characters.
        type: str
        required: true
  billing_contact:
    description: The billing alternate contact, as O(security_contact).
    type: dict
    suboptions:
      name:
        description: Full name, 1 to 64 characters.
        type: str
        required: true
      title:
        description: Title or role, 1 to 50 characters.
        type: str
        required: true
      email:
        description: Email address (a team mailbox is best).
        type: str
        required: true
      phone:
        description: Phone number, digits, spaces and C(+-()), up to 25 characters.
        type: str
        required: true
  operations_contact:
    description: The operations alternate contact, as O(security_contact).
    type: dict
    suboptions:
      name:
        description: Full name, 1 to 64 characters.
        type: str
        required: true
      title:
        description: Title or role, 1 to 50 characters.
        type: str
        required: true
      email:
        description: Email address (a team mailbox is best).
        type: str
        required: true
      phone:
        description: Phone number, digits, spaces and C(+-()), up to 25 characters.
        type: str
        required: true
  alias:
    description: The account alias (3 to 63 lowercase letters, digits and hyphens; globally unique).
    type: str
  force_alias:
    description: Replace an existing alias that differs from O(alias).
    type: bool
    default: false
  allowed_opt_in_regions:
    description: Opt-in regions (launched after March 2019) that may be enabled.
    type: list
    elements: str
    default: []
  enable_allowed_opt_in_regions:
    description: Enable the O(allowed_opt_in_regions) that are not enabled.
    type: bool
    default: false
  disable_unlisted_opt_in_regions:
    description:
      - Disable enabled opt-in regions missing from O(allowed_opt_in_regions).
      - Destructive for whatever runs there; check the region is unused first.
    type: bool
    default: false
  budget_amount:
    description: Monthly cost budget, in O(budget_currency). With O(budget_emails) it is created when missing.
    type: float
  budget_currency:
    description: Currency of O(budget_amount).
    type: str
    default: USD
  budget_threshold_percent:
    description: Notify when actual spend passes this percentage of the budget (1 to 1000).
    type: float
    default: 80
  budget_emails:
    description: Addresses notified by email (1 to 10).
    type: list
    elements: str
    default: []
  budget_name:
    description: Name of the budget this module creates and looks for.
    type: str
    default: bulwark-monthly-cost
extends_documentation_fragment:
  - bulwark.aws.connection
notes:
  - "moto (the test emulator) lacks account:GetContactInformation, account:ListRegions and the
    region opt-in calls, and budgets:UpdateBudget: against it C(account.contact_details) says the
    details could not be read, opt-in regions come from ec2:DescribeRegions, and the unit tests
    cover region opt-in with botocore's Stubber."
"""

EXAMPLES = r"""
- name: Audit the account settings
  bulwark.aws.account_settings:
    enforce: false

- name: Register the security contact and name the account
  bulwark.aws.account_settings:
    security_contact:
      name: Security Team
      title: CISO
      email: security@example.com
      phone: "+1 555 0100"
    alias: example-prod

- name: A 500 USD monthly budget, alert at 80 percent
  bulwark.aws.account_settings:
    controls: [account.budget_alert]
    budget_amount: 500
    budget_emails: [finance@example.com]
"""

RETURN = r"""
findings:
  description: One finding per selected control.
  returned: always
  type: list
  elements: dict
  sample:
    - control: account.security_contact
      status: fixed
      resource: alternate-contact/SECURITY
      region: global
      message: "no security alternate contact: set (account:PutAlternateContact)"
opt_in_regions:
  description: Opt-in regions by state, as read (enabled, not_enabled).
  returned: when account.opt_in_regions is evaluated
  type: dict
  sample: {enabled: [af-south-1], not_enabled: [ap-east-1, me-south-1]}
actions:
  description: The writes made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["account:PutAlternateContact (SECURITY)", "iam:CreateAccountAlias"]
"""

from ansible_collections.bulwark.aws.plugins.module_utils.checks.account_settings import DEFINITION


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()

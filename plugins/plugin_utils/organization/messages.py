# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text of the organization inventory's warnings and errors: names from the Organization (untrusted)
quoted on one line, lists in words, and an AWS fault while reading the Organization in one line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws


def shown(text):
    """Untrusted text (an account or OU name) quoted for one line of a message."""
    text = to_native(text)
    return "'%s'" % text if text.isprintable() and "'" not in text else repr(text)


def listed(items):
    items = list(items)
    return items[0] if len(items) == 1 else "%s and %s" % (", ".join(items[:-1]), items[-1])


def both_or_all(items):
    return "both" if len(items) == 2 else "all"


def org_error(exc, operation=None):
    """One line for an AWS fault while reading the Organization."""
    code = aws.error_code(exc)
    if code == "AWSOrganizationsNotInUseException":
        return ("the account of these credentials is not in an AWS Organization: run with credentials of the "
                "Organization's management account (or a delegated administrator), or use inventory/localhost.yml "
                "to audit this one account")
    if code in ("AccessDeniedException", "AccessDenied"):
        op = getattr(exc, "operation_name", operation or "?")
        return ("organizations:%s was denied: use credentials of the management account or of a delegated "
                "administrator for AWS Organizations, with the read permissions listed in docs/multi-account.md"
                % op)
    return aws.describe_error(exc, "organizations")

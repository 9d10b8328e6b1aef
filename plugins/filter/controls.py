# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the control catalogue: a role's control ids, their toggle variables, the selection
the roles' module tasks make from toggles and tags."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run
from ansible_collections.bulwark.aws.plugins.plugin_utils.account_run import toggle_name


# Toggles live in their own namespace, so that no toggle can be mistaken for a parameter
# (bulwark_control_iam_password_policy_min_length switches a control on or off,
# bulwark_iam_password_min_length is its parameter).
def toggle_names(ids):
    """The toggle variable of each control, in the order of ``ids``."""
    return [toggle_name(i) for i in ids]


def control_ids(role):
    """All control ids of a role, in catalogue order."""
    if role not in catalogue.ROLES:
        raise AnsibleFilterError("control_ids: unknown role %r (one of %s)" % (role, ", ".join(catalogue.ROLES)))
    return catalogue.ids(role=role)


def select_controls(ids, toggles, run_tags=None, skip_tags=None):
    """The controls to evaluate: toggled on, selected by --tags, not excluded by --skip-tags
    (the rule the roles' module tasks apply, plugin_utils/account_run.py)."""
    try:
        return account_run.select_controls(ids, toggles, run_tags, skip_tags)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {
            "control_ids": control_ids,
            "toggle_names": toggle_names,
            "select_controls": select_controls,
        }

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the roles use to turn toggles and tags into the modules' ``controls`` option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue


def control_ids(role):
    """All control ids of a role, in catalogue order."""
    if role not in catalogue.ROLES:
        raise AnsibleFilterError("control_ids: unknown role %r (one of %s)" % (role, ", ".join(catalogue.ROLES)))
    return catalogue.ids(role=role)


def toggle_names(ids):
    """The toggle variable of each control: iam.user_mfa -> bulwark_iam_user_mfa."""
    return ["bulwark_" + i.replace(".", "_") for i in ids]


def select_controls(ids, toggles, run_tags=None, skip_tags=None):
    """The controls to evaluate: toggled on, selected by --tags, not excluded by --skip-tags.

    This is the one place tags select controls: the roles' tasks run whatever the tags
    (tag always). ``toggles`` are the toggle values in the order of ``ids``. A tag names a
    control when it is the control id, a dotted prefix of it (iam.password_policy) or its role.
    --tags selects the controls its tags name; when none of them names a control ('all',
    Ansible's default, or a playbook's own tags) every control is selected. --skip-tags
    excludes the controls its tags name.
    """
    ids = list(ids)
    toggles = list(toggles)
    if len(toggles) != len(ids):
        raise AnsibleFilterError("select_controls: %d toggles for %d controls" % (len(toggles), len(ids)))
    known = catalogue.all_scopes()
    run = set(run_tags or ()) & known
    skip = set(skip_tags or ())
    selected = []
    for control_id, enabled in zip(ids, toggles):
        scopes = catalogue.scopes(control_id)
        # -e bulwark_iam_user_mfa=false arrives as the string "false"
        if not boolean(enabled, strict=False) or scopes & skip:
            continue
        if not run or scopes & run:
            selected.append(control_id)
    return selected


class FilterModule(object):
    def filters(self):
        return {
            "control_ids": control_ids,
            "toggle_names": toggle_names,
            "select_controls": select_controls,
        }

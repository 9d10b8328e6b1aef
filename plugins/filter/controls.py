# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the roles use to turn toggles and tags into the modules' ``controls`` option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.bulwark.aws.plugins.module_utils import controls as catalogue
from ansible_collections.bulwark.aws.plugins.module_utils.findings import validate_waivers


def _tag_scopes(control_id):
    """Tags that select a control: its id, every dotted prefix of it, and its role."""
    parts = control_id.split(".")
    scopes = set(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    scopes.add(catalogue.get(control_id).role)
    return scopes


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

    ``toggles`` are the toggle values in the order of ``ids``. With --tags, a control runs
    when a tag names the control, a dotted prefix of it (iam.password_policy) or its role;
    'all' (Ansible's default) selects everything.
    """
    ids = list(ids)
    toggles = list(toggles)
    if len(toggles) != len(ids):
        raise AnsibleFilterError("select_controls: %d toggles for %d controls" % (len(toggles), len(ids)))
    run = set(run_tags or ["all"])
    skip = set(skip_tags or [])
    selected = []
    for control_id, enabled in zip(ids, toggles):
        scopes = _tag_scopes(control_id)
        # -e bulwark_iam_user_mfa=false arrives as the string "false"
        if not boolean(enabled, strict=False) or scopes & skip:
            continue
        if "all" in run or "always" in run or scopes & run:
            selected.append(control_id)
    return selected


def waiver_errors(waivers):
    """[] when every waiver is well formed, else the messages (for an assert at play start)."""
    try:
        validate_waivers(waivers, option="bulwark_waivers")
    except ValueError as e:
        return [str(e)]
    return []


class FilterModule(object):
    def filters(self):
        return {
            "control_ids": control_ids,
            "toggle_names": toggle_names,
            "select_controls": select_controls,
            "waiver_errors": waiver_errors,
        }

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the bulwark.aws.preflight action checks before any AWS call: the bulwark_* variables
(a typo would silently keep a default), the tags (a typo would silently select nothing), the
waivers, BULWARK_FAIL_ON and the inventory (one that parsed to no host would audit nothing).
Controller side only: it reads the roles' argument specs from the installed collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import glob
import os

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls as catalogue
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
# Variables that are not role options: the harden playbook's host pattern, and the results the
# account run keeps (bulwark_<module>_result).
# Variables of the playbooks themselves, not of a role: investigate.yml's regions are named like
# the roles' bulwark_<role>_regions.
PLAYBOOK_VARIABLES = ("bulwark_hosts", "bulwark_investigate_regions")
RESULT_VARIABLES = tuple(account_run.result_names())
# Ansible's own tags: never a control selection.
SPECIAL_TAGS = ("all", "always", "never", "tagged", "untagged")

_known = None
_specs = None


def role_options(roles_dir=ROLES_DIR):
    """{variable: its argument spec} over the main entry point of every role."""
    global _specs  # pylint: disable=global-statement
    if _specs is None or roles_dir != ROLES_DIR:
        options = {}
        for path in sorted(glob.glob(os.path.join(roles_dir, "*", "meta", "argument_specs.yml"))):
            with open(path) as f:
                specs = (yaml.safe_load(f) or {}).get("argument_specs") or {}
            options.update(((specs.get("main") or {}).get("options")) or {})
        if roles_dir != ROLES_DIR:
            return options
        _specs = options
    return _specs


def type_problems(values, options=None):
    """Messages for the role variables in ``values`` ({name: value}) whose value does not fit
    the role's argument spec: what the roles' own validation says, for every role at once
    (bulwark.aws.harden imports the roles' checks without their validation task)."""
    options = role_options() if options is None else options
    spec = dict((name, options[name]) for name in values if name in options)
    checked = ArgumentSpecValidator(spec).validate(dict((name, values[name]) for name in spec))
    return list(checked.error_messages)


def known_variables(roles_dir=ROLES_DIR):
    """Every bulwark_* variable a user may set: the options of every role's argument specs."""
    global _known  # pylint: disable=global-statement
    if _known is None or roles_dir != ROLES_DIR:
        names = set(PLAYBOOK_VARIABLES) | set(RESULT_VARIABLES)
        for path in sorted(glob.glob(os.path.join(roles_dir, "*", "meta", "argument_specs.yml"))):
            with open(path) as f:
                specs = (yaml.safe_load(f) or {}).get("argument_specs") or {}
            for entry_point in specs.values():
                names.update((entry_point or {}).get("options") or {})
        if roles_dir != ROLES_DIR:
            return names
        _known = names
    return _known


def host_variables(task_vars, host):
    """The variables of a host of the play as an action sees them: its own task_vars for the host
    the task runs on, else hostvars (which also finds the implicit localhost, not in `in`)."""
    if host == task_vars.get("inventory_hostname"):
        return task_vars
    try:
        return task_vars["hostvars"][host]
    except KeyError:
        return {}


def _did_you_mean(name, candidates):
    close = difflib.get_close_matches(name, sorted(candidates), n=2, cutoff=0.8)
    return " (did you mean %s?)" % " or ".join(close) if close else ""


def _toggle_without_its_prefix(name, known):
    """The toggle a name means when it is a control toggle written without the control_ part
    (bulwark_iam_user_mfa for bulwark_control_iam_user_mfa, the toggles' names before they got
    a namespace of their own), else None."""
    toggle = account_run.TOGGLE_PREFIX + name[len("bulwark_"):]
    return toggle if toggle in known else None


def unknown_variables(names, known=None):
    """Messages for the bulwark_* names that no role knows, each with the closest known names."""
    known = known_variables() if known is None else known
    unknown = sorted(set(n for n in names if n.startswith("bulwark_") and n not in known))
    problems = []
    for name in unknown:
        toggle = _toggle_without_its_prefix(name, known)
        hint = " (did you mean %s?)" % toggle if toggle else _did_you_mean(name, known)
        problems.append("unknown variable %s%s" % (name, hint))
    return problems


def _looks_like_a_control(tag):
    """True for a tag meant to name controls: it starts with a catalogue prefix or role, or is
    close to one (iam.user_mfaa, cloudtrial)."""
    scopes = sorted(catalogue.all_scopes())
    first = set(scope.split(".")[0] for scope in scopes)
    return tag.split(".")[0] in first or bool(difflib.get_close_matches(tag, scopes, n=1, cutoff=0.8))


def tag_problems(run_tags, skip_tags):
    """Messages for tags that look like control ids, prefixes or roles but name none."""
    scopes = catalogue.all_scopes()
    problems = []
    for option, tags in (("--tags", run_tags), ("--skip-tags", skip_tags)):
        for tag in tags or ():
            if tag in SPECIAL_TAGS or tag in scopes or not _looks_like_a_control(tag):
                continue
            problems.append("%s %s names no control, prefix or role of bulwark.aws%s (docs/controls.md)"
                            % (option, tag, _did_you_mean(tag, scopes)))
    return problems


def empty_inventory_problem(groups, sources, default_sources):
    """A message when an inventory was given (-i, ANSIBLE_INVENTORY, ansible.cfg) but produced no
    host: without ansible.cfg's unparsed_is_failed, a broken organization inventory would
    otherwise leave the run on the implicit localhost, auditing the wrong account."""
    if (groups or {}).get("all"):
        return None
    given = [s for s in sources or () if s not in (default_sources or ()) and os.path.exists(s)]
    if not given:
        return None
    return ("the inventory %s gave no host (it failed to parse, see the warnings above, or lists no account); "
            "fix it, or run without -i to audit the account your credentials reach" % ", ".join(given))

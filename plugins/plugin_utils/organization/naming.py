# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the organization inventory names things: an OU's path (exact, / and \\ inside a name
escaped), the group of each OU path and the host of each account, never two the same: names that
clash get a suffix (the SHA-256 of the OU path, the account id)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

_HOST_CHARS = re.compile(r"[^a-z0-9._-]+")
_GROUP_CHARS = re.compile(r"[^A-Za-z0-9_]+")
PLUGIN_GROUPS = ("aws_accounts", "management_account", "member_accounts")
# No OU group takes these names; no host takes these or any other group name.
RESERVED_GROUPS = ("all", "ungrouped") + PLUGIN_GROUPS
OU_HASH_DIGITS = 8


def safe_group_name(name):
    """A valid Ansible group name: letters, digits and _ only, never starting with a digit."""
    name = _GROUP_CHARS.sub("_", str(name))
    return "_" + name if name[:1].isdigit() else name


def ou_path_text(names):
    """The ``ou_path`` of an OU: its names from the root joined by /, a \\ or / inside a name
    written \\\\ or \\/, so two different OUs never have the same path."""
    return "/".join(name.replace("\\", "\\\\").replace("/", "\\/") for name in names)


def ou_group_name(prefix, ou_path):
    """The sanitized group name of an OU path (before any clash suffix)."""
    return safe_group_name(prefix + _GROUP_CHARS.sub("_", ou_path.lower()).strip("_"))


def ou_digest(ou_path, digits=OU_HASH_DIGITS):
    return hashlib.sha256(ou_path.encode("utf-8")).hexdigest()[:digits]


def ou_group_names(prefix, ou_paths, reserved=RESERVED_GROUPS):
    """({OU path: group name}, clashes) for the OU paths (ou_path_text) ``ou_paths``.

    A group is named by ou_group_name. When several different paths would get the same name, each
    of them gets "_" and the first 8 hex digits of the SHA-256 of its path; so does a path whose
    name is reserved or is the suffixed name of another path; when 8 digits do not tell two paths
    apart, they get all 64. ``clashes`` is [(name, [paths that would have had it])]."""
    paths = sorted(set(ou_paths))
    base = dict((p, ou_group_name(prefix, p)) for p in paths)
    shared = {}
    for p in paths:
        shared.setdefault(base[p], []).append(p)
    clashes = [(name, ps) for name, ps in sorted(shared.items()) if len(ps) > 1 or name in reserved]
    digits = dict((p, OU_HASH_DIGITS) for _name, ps in clashes for p in ps)
    while True:
        names = dict((p, "%s_%s" % (base[p], ou_digest(p, digits[p])) if p in digits else base[p]) for p in paths)
        suffixed = {}
        for p in digits:
            suffixed.setdefault(names[p], []).append(p)
        longer = [p for ps in suffixed.values() if len(ps) > 1 for p in ps if digits[p] < 64]
        taken = [p for p in paths if p not in digits and names[p] in suffixed]
        if not longer and not taken:
            return names, clashes
        for p in longer:
            digits[p] = 64
        for p in taken:
            clashes.append((names[p], suffixed[names[p]] + [p]))
            digits[p] = OU_HASH_DIGITS


def host_name(account_name):
    return _HOST_CHARS.sub("-", (account_name or "").lower()).strip("-._")


def assign_host_names(accounts, why_not=None):
    """({account id: host name}, clashes) for ``accounts`` (dicts with account_id, account_name).

    A host is named host_name(account name), or the account id when that is empty. It is named
    "<that>-<account id>" instead when other accounts would get the same name (each of them
    is, except an account whose name is its own id), when ``why_not(account id, name)`` gives a
    reason (a group name, localhost...), or when the name is the suffixed name of another account.
    Suffixed names end with "-" and a 12-digit account id, so no two of them are the same.
    ``clashes`` is [(name, [account ids that would have had it], reason)]."""
    why_not = why_not or (lambda account_id, name: None)
    base = dict((a["account_id"], host_name(a["account_name"]) or a["account_id"]) for a in accounts)
    shared = {}
    for account_id, name in base.items():
        shared.setdefault(name, []).append(account_id)
    suffixed, clashes = set(), []
    for name, ids in shared.items():
        if len(ids) > 1:
            suffixed.update(i for i in ids if i != name)
            clashes.append((name, ids, None))
    for account_id, name in base.items():
        reason = None if account_id in suffixed else why_not(account_id, name)
        if reason:
            suffixed.add(account_id)
            clashes.append((name, [account_id], reason))
    while True:
        owner = dict(("%s-%s" % (base[i], i), i) for i in suffixed)
        taken = [i for i in base if i not in suffixed and base[i] in owner]
        if not taken:
            break
        for account_id in taken:
            suffixed.add(account_id)
            clashes.append((base[account_id], [owner[base[account_id]], account_id], None))
    names = dict((i, "%s-%s" % (name, i) if i in suffixed else name) for i, name in base.items())
    return names, clashes

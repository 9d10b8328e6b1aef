# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters and exclude_filters of the organization inventory: checked, and applied to the
accounts (shell-style globs on account_id, account_name, ou_path and tag:<key>)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible.errors import AnsibleError

FILTER_KEYS = ("account_id", "account_name", "ou_path")


def _globs(value):
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _matches(account, criteria):
    """True when the account matches every key of ``criteria`` (a filters dict).

    Tag criteria are skipped when the account's tags are not known yet (``tags`` is None):
    the caller filters twice, before and after reading tags."""
    for key, value in criteria.items():
        if key.startswith("tag:"):
            tags = account.get("tags")
            if tags is None:
                continue
            tag_key = key[4:]
            if tag_key not in tags:
                return False
            actual = tags[tag_key]
        else:
            actual = account[key]
        if not any(fnmatch.fnmatchcase(actual, g) for g in _globs(value)):
            return False
    return True


def select(accounts, filters, exclude_filters):
    """The accounts matching ``filters`` and no entry of ``exclude_filters``.

    Before tags are read (an account's ``tags`` is None), tag criteria of ``filters`` pass and an
    exclude entry with a tag criterion excludes nothing yet."""
    def excluded(account):
        return any(_matches(account, entry) for entry in exclude_filters
                   if entry and not (account.get("tags") is None and has_tag_keys(entry)))

    return [a for a in accounts if _matches(a, filters) and not excluded(a)]


def has_tag_keys(criteria):
    return any(k.startswith("tag:") for k in criteria)


def validate_filters(filters, exclude_filters):
    """Raise AnsibleError naming the first bad key or value."""
    if not isinstance(filters, dict):
        raise AnsibleError("filters must be a dict of {key: glob or list of globs}")
    entries = [("filters", filters)]
    for n, entry in enumerate(exclude_filters or []):
        if not isinstance(entry, dict):
            raise AnsibleError("exclude_filters[%d] must be a dict of {key: glob or list of globs}" % n)
        entries.append(("exclude_filters[%d]" % n, entry))
    for where, criteria in entries:
        for key, value in criteria.items():
            if key not in FILTER_KEYS and not (isinstance(key, str) and key.startswith("tag:") and len(key) > 4):
                raise AnsibleError("%s: unknown key %r (use account_id, account_name, ou_path or tag:<tag key>)"
                                   % (where, key))
            if value is None or isinstance(value, dict) or (isinstance(value, (list, tuple)) and not value):
                raise AnsibleError("%s: %s must be a string or a non-empty list of strings" % (where, key))

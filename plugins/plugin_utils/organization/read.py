# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the Organization for the organization inventory, in few calls however many accounts
it has: the OU tree walked once from the root, one level at a time in parallel; the ACTIVE
accounts, filtered; their tags, read only for the accounts the id and OU filters keep."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.cache import CACHE_FORMAT
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.filters import has_tag_keys, select
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.naming import ou_path_text

MAX_WORKERS = 8


def account_state(account):
    """ACTIVE, SUSPENDED, PENDING_CLOSURE...: the newer ``State`` field first, then ``Status``."""
    return account.get("State") or account.get("Status") or "ACTIVE"


def read_organization(conn, identity, filters, exclude, include_tags):
    """The Organization as a JSON-able dict, what the cache holds: its ids, the caller's account
    and partition, the accounts kept (sorted by name), how many were ``skipped`` per state, and
    the path of every OU (as lists of names)."""
    org = conn.client("organizations")
    organization = org.describe_organization()["Organization"]
    roots = aws.paginate(org, "list_roots", "Roots")

    def children(node):
        parent_id, names = node
        ous = [(ou["Id"], names + [ou["Name"]])
               for ou in aws.paginate(org, "list_organizational_units_for_parent", "OrganizationalUnits",
                                      ParentId=parent_id)]
        accounts = aws.paginate(org, "list_accounts_for_parent", "Accounts", ParentId=parent_id)
        return node, ous, accounts

    # An OU is its list of names from the root (a name may hold a /): ou_path is its exact text.
    accounts, skipped, ou_paths = [], {}, []
    level = [(r["Id"], [r.get("Name") or "Root"]) for r in roots]
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        while level:
            next_level = []
            for (parent_id, names), ous, found in pool.map(children, level):
                next_level.extend(ous)
                ou_paths.append(names)
                for a in found:
                    state = account_state(a)
                    if state != "ACTIVE":
                        skipped[state] = skipped.get(state, 0) + 1
                        continue
                    accounts.append(dict(account_id=a["Id"], account_name=a.get("Name") or a["Id"],
                                         email=a.get("Email"), arn=a.get("Arn"), ou_id=parent_id,
                                         ou_path=ou_path_text(names), ou_names=names, tags=None))
            level = next_level

        # First without tags (tag criteria pass), so accounts left out by id or OU cost no call.
        accounts = select(accounts, filters, exclude)
        if include_tags or has_tag_keys(filters) or any(has_tag_keys(e) for e in exclude if e):
            def tags_of(account):
                return dict((t["Key"], t["Value"])
                            for t in aws.paginate(org, "list_tags_for_resource", "Tags", ResourceId=account["account_id"]))

            for account, tags in zip(accounts, pool.map(tags_of, accounts)):
                account["tags"] = tags
            accounts = select(accounts, filters, exclude)
    accounts.sort(key=lambda a: (a["account_name"].lower(), a["account_id"]))
    return dict(format=CACHE_FORMAT, organization_id=organization["Id"],
                management_account_id=organization.get("MasterAccountId"),
                caller_account_id=identity["account_id"], partition=identity["partition"],
                accounts=accounts, skipped=skipped, ou_paths=sorted(ou_paths))

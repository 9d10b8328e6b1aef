# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: organization
short_description: Every ACTIVE account of an AWS Organization, one host per account
version_added: 0.1.0
description:
  - Lists the ACTIVE accounts of the AWS Organization that the caller's credentials can read
    (the management account, or a delegated administrator for AWS Organizations) and makes one
    host per account, so C(ansible-playbook bulwark.aws.harden) audits or hardens every account
    in one run. Suspended accounts and accounts being closed are left out.
  - Each member account's host gets C(bulwark_aws_assume_role_arn), the role the bulwark.aws
    modules assume in that account (see O(assume_role_name)). The account the credentials
    belong to (normally the management account) is a host too and gets no role (its modules
    use the credentials as they are).
  - "Host variables: C(account_id), C(account_name), C(account_email), C(account_arn),
    C(ou_id), C(ou_path) (for example V(Root/Workloads/Prod)), C(account_tags) (a dict, when
    O(include_tags=true)), C(organization_id), C(management_account_id),
    C(is_management_account), C(bulwark_aws_assume_role_arn), C(bulwark_aws_external_id) (when
    O(external_id) is set), C(ansible_connection=local) and
    C(ansible_python_interpreter={{ ansible_playbook_python }}) (the modules run on the
    controller and call AWS from there; O(compose) overrides any of these)."
  - 'C(ou_path) is exact: the OU names from the root joined by C(/), where a C(/) or C(\) inside
    an OU name is written C(\/) or C(\\). The OU named V(Prod/EU) in the root is
    C(Root/Prod\/EU), not C(Root/Prod/EU) (the OU V(EU) inside the OU V(Prod)); O(filters),
    O(exclude_filters) and templates compare that text.'
  - When O(profile), O(region) or O(endpoint_url) are set in the configuration file (not from
    the environment), the hosts also get C(bulwark_aws_profile), C(bulwark_aws_region) and
    C(bulwark_aws_endpoint_url), so the modules reach AWS the way the inventory did. Keys given
    with O(access_key) and O(secret_key) are used only to list the accounts; they are never
    copied into host variables.
  - The Organization is read in few calls however many accounts it has. The OU tree is walked
    once from the root (C(ListOrganizationalUnitsForParent) and C(ListAccountsForParent) per
    OU, paginated, one tree level at a time in parallel); tags take one
    C(ListTagsForResource) call per account that passes the id and OU filters. With
    O(cache=true) a later run makes no call at all until the cache expires.
  - "The configuration file name must end with C(organization.yml) or C(organization.yaml),
    for example C(organization.yml), C(prod.organization.yml) or C(bulwark_organization.yml). A
    file holding only C(plugin: bulwark.aws.organization) works with the caller's credentials
    from the environment."
author:
  - bulwark.aws contributors (@bulwark-aws)
requirements:
  - python >= 3.8
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
extends_documentation_fragment:
  - inventory_cache
  - constructed
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    required: true
    type: str
    choices: [bulwark.aws.organization]
  profile:
    description:
      - The AWS profile (from C(~/.aws/config) / C(~/.aws/credentials)) used to list the accounts.
      - Ignored when O(access_key) and O(secret_key) are given.
    type: str
    aliases: [aws_profile]
    env:
      - name: AWS_PROFILE
  region:
    description:
      - The region whose endpoints are called (AWS Organizations itself is global).
      - Defaults to the profile's region, then V(us-east-1).
    type: str
    aliases: [aws_region]
    env:
      - name: AWS_DEFAULT_REGION
      - name: AWS_REGION
  endpoint_url:
    description:
      - Send every AWS call to this URL instead of the public endpoints, for example a local
        emulator such as moto (V(http://127.0.0.1:5000)).
      - Must include the scheme (C(http://) or C(https://)).
    type: str
    aliases: [aws_endpoint_url]
    env:
      - name: AWS_ENDPOINT_URL
  access_key:
    description:
      - AWS access key id used to list the accounts. Prefer a profile, instance role or SSO session.
    type: str
    aliases: [aws_access_key_id, aws_access_key]
    env:
      - name: AWS_ACCESS_KEY_ID
  secret_key:
    description:
      - AWS secret access key, required with O(access_key). A secret; the plugin never shows it.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
    env:
      - name: AWS_SECRET_ACCESS_KEY
  session_token:
    description:
      - AWS session token for temporary credentials. A secret; the plugin never shows it.
      - E(AWS_SESSION_TOKEN) wins over the older name E(AWS_SECURITY_TOKEN) (which AWX's
        Amazon Web Services credential sets too).
    type: str
    aliases: [aws_session_token]
    env:
      - name: AWS_SECURITY_TOKEN
      - name: AWS_SESSION_TOKEN
  validate_certs:
    description: Verify TLS certificates of the AWS endpoints. Turn off only for a local emulator.
    type: bool
    default: true
  hostnames:
    description:
      - What names a host.
      - V(account_name) is the account name in lower case with every run of characters other
        than letters, digits, C(.), C(_) and C(-) replaced by C(-) (V(Prod Payments) becomes
        V(prod-payments)); the account id when nothing is left.
      - 'Names that clash (the account id decides): a host is named C(<name>-<account id>)
        instead when another account would get the same name (then each of them is, except an
        account whose name is its own id: two accounts named V(Shared) are
        V(shared-111122223333) and V(shared-444455556666)); when the name is a group name
        (V(all), V(ungrouped), V(aws_accounts), V(management_account), V(member_accounts), an
        OU, tag, O(groups) or O(keyed_groups) group, or a group of an inventory source read
        before this one); when it is V(localhost) or V(127.0.0.1); when an inventory source read
        before this one has a host of that name for something else than this account; or when
        it is the C(<name>-<account id>) of another account (an account named
        V(Payments-111122223333) next to two accounts named V(Payments) is
        V(payments-111122223333-777788889999)). So every account is a host of its own and no
        host has the name of a group. Each clash is shown as a warning naming the accounts;
        ordinary names do not change.'
      - V(account_id) is the 12-digit account id (stable when accounts are renamed, never clashes).
    type: str
    choices: [account_name, account_id]
    default: account_name
  assume_role_name:
    description:
      - The role the bulwark.aws modules assume in each member account. Sets the host variable
        C(bulwark_aws_assume_role_arn) to C(arn:<partition>:iam::<account id>:role/<name>).
      - A plain name (V(OrganizationAccountAccessRole), the role AWS Organizations creates in
        the accounts it creates; or a dedicated role such as V(BulwarkAudit), see
        docs/multi-account.md), a name with a path (V(security/BulwarkAudit)), or a full role ARN.
      - May be a Jinja2 template rendered with the host's variables (C(account_id),
        C(account_name), C(ou_path), C(account_tags), ...), for example
        V({{ 'BulwarkAudit' if ou_path is match('Root/Workloads'\) else 'OrganizationAccountAccessRole' }}).
        An empty result means no role for that host.
      - The account of the caller's own credentials never gets a role.
    type: str
    default: OrganizationAccountAccessRole
  external_id:
    description:
      - The external id the roles' trust policy requires. Set as the host variable
        C(bulwark_aws_external_id) of every host that has a role to assume; the modules send it
        with C(sts:AssumeRole) and never log it. It shows in C(ansible-inventory --list) output
        like any host variable (AWS does not treat external ids as secrets).
    type: str
  include_tags:
    description:
      - Read each account's tags (one C(organizations:ListTagsForResource) call per account)
        into the host variable C(account_tags), for groups by tag and for tag filters.
      - With V(false) and no tag filter, tags are not read.
    type: bool
    default: true
  filters:
    description:
      - Only accounts matching B(every) key are hosts. Keys are V(account_id), V(account_name),
        V(ou_path) and V(tag:<tag key>); each value is a string or a list of strings (any may
        match), compared as case-sensitive shell-style globs (C(*) also matches C(/)).
      - "For example C({ou_path: 'Root/Workloads/*', 'tag:env': [prod, staging]})."
      - An account lacking the tag of a V(tag:<key>) filter does not match it.
    type: dict
    default: {}
  exclude_filters:
    description:
      - Accounts matching every key of B(any) entry are left out (applied after O(filters)).
        Same keys and globs as O(filters).
      - "For example C([{account_id: '111111111111'}, {ou_path: 'Root/Sandbox*'}, {'tag:bulwark': skip}])."
    type: list
    elements: dict
    default: []
  ou_groups:
    description:
      - Make a group per OU and put each account in the group of its OU. Group names are
        O(ou_group_prefix) followed by the OU path in lower case with every run of characters
        other than letters and digits replaced by C(_) (V(Root/Workloads/Prod) is group
        V(ou_root_workloads_prod)).
      - Groups nest like the OUs (V(ou_root_workloads_prod) is a child of V(ou_root_workloads)),
        so C(--limit ou_root_workloads) takes every account below that OU.
      - 'Two OUs never share a group. When different OU paths would get the same name
        (V(Root/Dev-Test) and V(Root/dev test); the OU named V(Prod/EU) in the root and the OU
        V(EU) inside V(Prod)), each of them gets C(_) and the first 8 hex digits of the SHA-256
        of its C(ou_path) (UTF-8) appended, with a warning: V(ou_root_dev_test_58b02c66) and
        V(ou_root_dev_test_8a86c760). So does a path whose name would be V(all),
        V(ungrouped), V(aws_accounts), V(management_account), V(member_accounts) or the suffixed
        name of another path; all 64 hex digits when 8 do not tell two paths apart. Every OU of
        the Organization counts, whether its accounts are in the inventory or not, so a group
        name does not change with O(filters). C(--limit) with the plain name then matches no host.'
    type: bool
    default: true
  ou_group_prefix:
    description: Prefix of the OU group names.
    type: str
    default: ou_
  keyed_groups:
    description:
      - Add hosts to groups based on the values of a variable (see the C(constructed) plugin).
      - The default makes a group per tag key and value, V(tag_<key>_<value>), from
        C(account_tags); invalid characters in group names become C(_).
    type: list
    elements: dict
    default:
      - key: account_tags
        prefix: tag
notes:
  - Besides the OU groups and keyed groups, every host is in C(aws_accounts), and in
    C(management_account) or C(member_accounts).
  - Only reads; the credentials need C(organizations:DescribeOrganization),
    C(organizations:ListRoots), C(organizations:ListOrganizationalUnitsForParent),
    C(organizations:ListAccountsForParent), C(organizations:ListTagsForResource) (when tags are
    read) and C(sts:GetCallerIdentity). docs/multi-account.md has the policies and trust policy.
  - Retries use botocore's V(adaptive) retry mode; the E(AWS_RETRY_MODE) and
    E(AWS_MAX_ATTEMPTS) environment variables override it.
  - Set E(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) (or C([inventory] unparsed_is_failed = true)) in
    scheduled runs, so a run whose inventory could not be read fails instead of running on no host.
"""

EXAMPLES = r"""
# organization.yml: every ACTIVE account, the caller's credentials from the environment.
plugin: bulwark.aws.organization

---
# prod.organization.yml: only production workloads, a dedicated audit role, cached for an hour.
plugin: bulwark.aws.organization
profile: org-management
assume_role_name: BulwarkAudit
external_id: bulwark-audit-7f3c
filters:
  ou_path: "Root/Workloads/Prod*"
exclude_filters:
  - tag:bulwark: skip
  - account_id: "210987654321"
hostnames: account_name
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/bulwark-inventory
cache_timeout: 3600

---
# A different role per OU, and extra groups.
plugin: bulwark.aws.organization
assume_role_name: >-
  {{ 'OrganizationAccountAccessRole' if ou_path is match('Root/Legacy') else 'BulwarkAudit' }}
keyed_groups:
  - key: account_tags
    prefix: tag
  - key: account_tags.owner | default('unowned')
    prefix: owner
groups:
  sandboxes: "'Sandbox' in ou_path"
compose:
  bulwark_aws_region: account_tags.home_region | default('eu-west-1')

# Use it:
#   ansible-inventory -i organization.yml --graph
#   ansible-playbook bulwark.aws.harden -i organization.yml --check --forks 10
#   ansible-playbook bulwark.aws.harden -i organization.yml --check --limit ou_root_workloads
"""

import re

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every inventory string is a template already
    def trust_as_template(value):
        return value

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.cache import cache_key, cached
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.filters import validate_filters
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.messages import (
    both_or_all,
    listed,
    org_error,
    shown,
)
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.naming import (
    PLUGIN_GROUPS,
    RESERVED_GROUPS,
    assign_host_names,
    host_name,
    ou_group_names,
    ou_path_text,
    safe_group_name,
)
from ansible_collections.bulwark.aws.plugins.plugin_utils.organization.read import read_organization

# Connection options passed to module_utils/core/aws.py as they are.
CONNECTION_OPTIONS = ("profile", "region", "endpoint_url", "access_key", "secret_key", "session_token",
                      "validate_certs")
# Connection options copied into host variables when the configuration file sets them.
PROPAGATED_OPTIONS = ("profile", "region", "endpoint_url")
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "bulwark.aws.organization"

    # Group names are made valid here (the base class would only warn about invalid ones).
    _sanitize_group_name = staticmethod(safe_group_name)

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(("organization.yml", "organization.yaml")):
            return True
        self.display.vvv("bulwark.aws.organization: %s is not a *organization.yml / *organization.yaml file" % path)
        return False

    # --- parse -----------------------------------------------------------------------------
    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._path = path
        self._read_config_data(path)
        validate_filters(self.get_option("filters"), self.get_option("exclude_filters"))

        key = self._cache_key(path)
        use_cache = self.get_option("cache")
        data = cached(self._cache, key) if use_cache and cache else None
        if data is None:
            data = self._fetch()
            if use_cache:
                self._cache[key] = data
        self._populate(data)

    def _fail(self, msg):
        raise AnsibleError("bulwark.aws.organization (%s): %s" % (self._path, msg))

    def _connection_params(self):
        params = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        params.update(assume_role_arn=None, external_id=None, role_session_name=None)
        return params

    def _cache_key(self, path):
        """The path's key, plus everything that changes what is fetched (never a secret itself)."""
        return cache_key(self.get_cache_key(path), self._connection_params(), self.get_option("include_tags"),
                         self.get_option("filters"), self.get_option("exclude_filters"))

    # --- AWS -------------------------------------------------------------------------------
    def _fetch(self):
        """Read the Organization: a JSON-able dict, what the cache holds."""
        if not aws.HAS_BOTO3:
            self._fail("boto3 and botocore are required on the controller (pip install -r requirements.txt): %s"
                       % aws.BOTO3_IMPORT_ERROR)
        try:
            conn = aws.AwsConnection(self._connection_params(), read_only=True)
        except aws.AwsOptionError as e:
            self._fail(to_native(e))
        except (aws.ClientError, aws.BotoCoreError) as e:
            self._fail(aws.describe_error(e, "sts"))
        try:
            identity = conn.identity()
        except (aws.ClientError, aws.BotoCoreError) as e:
            self._fail(aws.describe_error(e, "sts"))
        try:
            data = read_organization(conn, identity, self.get_option("filters") or {},
                                     self.get_option("exclude_filters") or [], self.get_option("include_tags"))
        except (aws.ClientError, aws.BotoCoreError) as e:
            self._fail(org_error(e))
        if data["skipped"]:
            self.display.vvv("bulwark.aws.organization: left out %s" % ", ".join(
                "%d %s" % (n, state) for state, n in sorted(data["skipped"].items())))
        return data

    # --- inventory -------------------------------------------------------------------------
    def _ou_groups(self, data):
        """{OU path: group name} of every OU of the Organization (whether its accounts are in the
        inventory or not, so the names do not change with the filters)."""
        used = set()
        for account in data["accounts"]:
            names = account["ou_names"]
            used.update(ou_path_text(names[:depth]) for depth in range(1, len(names) + 1))
        paths = used | set(ou_path_text(names) for names in data["ou_paths"])
        groups, clashes = ou_group_names(self.get_option("ou_group_prefix") or "", paths)
        for name, clashing in clashes:
            if used & set(clashing):
                self.display.warning(
                    "bulwark.aws.organization: OU paths %s would %s be group %s; they are groups %s"
                    % (listed(shown(p) for p in clashing), both_or_all(clashing), name,
                       listed(groups[p] for p in clashing))
                    if len(clashing) > 1 else
                    "bulwark.aws.organization: OU path %s would be group %s, a group name the inventory keeps; "
                    "it is group %s" % (shown(clashing[0]), name, groups[clashing[0]]))
        if len(set(groups.values())) != len(groups):  # only with two OU paths of the same SHA-256
            self._fail("two OU paths would share a group: %s" % ", ".join(sorted(groups)))
        return groups

    def _host_names(self, accounts, groups):
        """{account id: host name}: unique per account, never a group name (``groups``, the groups of
        this inventory, and those of other sources), never localhost, never a host another source
        made for another account."""
        groups = set(groups) | set(self.inventory.groups) | set(RESERVED_GROUPS)
        others = dict((name, host.vars.get("account_id")) for name, host in self.inventory.hosts.items())

        def why_not(account_id, name):
            if name in groups:
                return "a group name"
            if name in C.LOCALHOST:
                return "a name Ansible keeps for the controller"
            if name in others and others[name] != account_id:
                return "a host of another inventory source"
            return None

        if self.get_option("hostnames") == "account_id":
            names, clashes = dict((a["account_id"], a["account_id"]) for a in accounts), []
        else:
            names, clashes = assign_host_names(accounts, why_not)
        account_names = dict((a["account_id"], a["account_name"]) for a in accounts)

        def who(ids):
            return listed("%s (%s)" % (i, shown(account_names[i])) for i in ids)

        for name, ids, reason in clashes:
            if reason:
                self.display.warning("bulwark.aws.organization: account %s would be host %s, %s; it is host %s"
                                     % (who(ids), shown(name), reason, names[ids[0]]))
            else:
                self.display.warning("bulwark.aws.organization: accounts %s would %s be host %s; the account id "
                                     "tells them apart: they are hosts %s"
                                     % (who(ids), both_or_all(ids), shown(name), listed(names[i] for i in ids)))
        for account_id, name in names.items():
            reason = why_not(account_id, name)
            if reason:
                self._fail("account %s cannot be host %s, %s" % (account_id, shown(name), reason))
        if len(set(names.values())) != len(names):  # cannot happen: a guard, not a rule
            self._fail("two accounts would share a host name")
        return names

    def _render(self, template, variables):
        if self.get_option("use_extra_vars"):
            variables = combine_vars(variables, self._vars)
        self.templar.available_variables = variables
        return self.templar.template(template)

    def _role_arn(self, host, hostvars, data):
        """The role ARN of a host (``host`` names it in errors)."""
        if hostvars["account_id"] == data["caller_account_id"]:
            return ""
        template = self.get_option("assume_role_name") or ""
        try:
            name = self._render(template, hostvars) if template else ""
        except Exception as e:  # a template error names the host and the option
            self._fail("assume_role_name for host %s: %s" % (host, to_native(e)))
        name = to_native(name if name is not None else "").strip()
        if not name:
            return ""
        if name.startswith("arn:"):
            arn = name
        elif _ROLE_NAME.match(name):
            arn = "arn:%s:iam::%s:role/%s" % (data["partition"], hostvars["account_id"], name.strip("/"))
        else:
            self._fail("assume_role_name for host %s rendered to %r, which is not an IAM role name" % (host, name))
        try:
            aws.validate_connection_params(dict(assume_role_arn=arn))
        except aws.AwsOptionError as e:
            self._fail("assume_role_name for host %s: %s" % (host, e))
        return arn

    def _populate(self, data):
        accounts = data["accounts"]
        ou_groups = self._ou_groups(data) if self.get_option("ou_groups") else None
        # Everything is built first in a scratch inventory where each host is named by its account
        # id (which no group name can be: a group name never starts with a digit). The host names
        # are chosen once every group name is known, and the scratch inventory is copied over.
        inventory, scratch = self.inventory, InventoryData()
        scratch.current_source = getattr(inventory, "current_source", None)
        self.inventory = scratch
        try:
            for group in PLUGIN_GROUPS:
                scratch.add_group(group)
            for account in accounts:
                self._add_account(account, data, ou_groups)
        finally:
            self.inventory = inventory
        names = self._host_names(accounts, scratch.groups)
        self._copy(scratch, names)

    def _add_account(self, account, data, ou_groups):
        host = account["account_id"]
        label = "%s (account %s)" % (host_name(account["account_name"]) or host, host)
        strict = self.get_option("strict")
        hostvars = dict(account_id=account["account_id"], account_name=account["account_name"],
                        account_email=account["email"], account_arn=account["arn"], ou_id=account["ou_id"],
                        ou_path=account["ou_path"], organization_id=data["organization_id"],
                        management_account_id=data["management_account_id"],
                        is_management_account=account["account_id"] == data["management_account_id"])
        if self.get_option("include_tags"):
            hostvars["account_tags"] = account["tags"] or {}
        role_arn = self._role_arn(label, hostvars, data)
        hostvars["bulwark_aws_assume_role_arn"] = role_arn
        external_id = self.get_option("external_id")
        if external_id and role_arn:
            hostvars["bulwark_aws_external_id"] = external_id
        for option in PROPAGATED_OPTIONS:
            value, origin = self.get_option_and_origin(option)
            if value and origin == "Direct":
                hostvars["bulwark_aws_%s" % option] = value
        hostvars["ansible_connection"] = "local"
        hostvars["ansible_python_interpreter"] = trust_as_template("{{ ansible_playbook_python }}")

        self.inventory.add_host(host, group="aws_accounts")
        self.inventory.add_child(
            "management_account" if hostvars["is_management_account"] else "member_accounts", host)
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)
        if ou_groups is not None:
            self._add_ou_groups(host, account["ou_names"], ou_groups)

        # compose may override any variable above; groups and keyed_groups see the result.
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

    def _add_ou_groups(self, host, ou_names, ou_groups):
        child = None
        for depth in range(len(ou_names), 0, -1):
            group = self.inventory.add_group(ou_groups[ou_path_text(ou_names[:depth])])
            self.inventory.add_child(group, host if child is None else child)
            child = group

    def _copy(self, scratch, names):
        """Copy the scratch inventory (hosts named by account id) into the inventory, the hosts
        named ``names``; group membership is copied as it is (direct members only)."""
        composed = self.get_option("compose") or {}
        for group in scratch.groups:
            self.inventory.add_group(group)
        for group in scratch.groups.values():
            for child in group.child_groups:
                self.inventory.add_child(group.name, child.name)
        for account_id, host in names.items():
            self.inventory.add_host(host)
            for name, value in scratch.hosts[account_id].vars.items():
                # add_host set these for this inventory source already, unless compose set them.
                if name not in ("inventory_file", "inventory_dir") or name in composed:
                    self.inventory.set_variable(host, name, value)
        for group in scratch.groups.values():
            for member in group.hosts:
                self.inventory.add_child(group.name, names[member.name])

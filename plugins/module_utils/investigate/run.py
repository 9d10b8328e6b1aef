# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of bulwark.aws.investigate_principal (its file holds the documentation).

Read-only whatever the mode: the connection refuses every write (AwsConnection(read_only=True)),
in check mode and apply mode alike. It evaluates no control (like iam_contain): the result is
the evidence directory and its counts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import os
import re

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core import regions as regions_util
from ansible_collections.bulwark.aws.plugins.module_utils.core.module import Definition
from ansible_collections.bulwark.aws.plugins.module_utils.core.times import TIME_FORMAT, utc_now
from ansible_collections.bulwark.aws.plugins.module_utils.investigate import evidence, inventory, timeline

KEY_ID = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")
NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
SINCE = re.compile(r"^([1-9][0-9]{0,4})([hd])$")
MAX_HOURS = 90 * 24  # LookupEvents keeps 90 days
PRINCIPALS = ("user", "access_key_id", "role")


def since_hours(text):
    """Hours of a window like 72h or 30d; ValueError (one line) when malformed or over 90 days."""
    match = SINCE.match(str(text or "").strip())
    if not match:
        raise ValueError("since: %r is not a window like 72h or 30d (hours or days)" % (text,))
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
    if hours > MAX_HOURS:
        raise ValueError("since: %s is over 90 days, as far back as CloudTrail's event history goes" % text)
    return hours


def validate(params, named):
    given = [p for p in PRINCIPALS if params.get(p)]
    if len(given) != 1:
        raise ValueError("user: give exactly one principal to investigate: %s, %s or %s (%s)" % (
            named("user"), named("access_key_id"), named("role"),
            "none given" if not given else "got " + ", ".join(named(p) for p in given)))
    for option in ("user", "role"):
        value = params.get(option)
        if value and not NAME.match(value):
            raise ValueError("%s: %r is not a valid IAM name (letters, digits and +=,.@_-, no spaces)"
                             % (option, value))
    key = params.get("access_key_id")
    if key and not KEY_ID.match(key):
        raise ValueError("access_key_id: %r is not an access key id (AKIA or ASIA and 16 capital letters or digits)"
                         % key)
    since_hours(params.get("since"))
    regions_util.validate_regions(params)
    path = params.get("evidence_dir")
    if not path:
        raise ValueError("evidence_dir: give a directory for the evidence files")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError("evidence_dir: %s exists and is not a directory" % path)
    there = [f for f in evidence.FILES if os.path.lexists(os.path.join(path, f))]
    if there:
        raise ValueError("evidence_dir: %s already holds %s; give a new directory (evidence is never overwritten)"
                         % (path, ", ".join(there)))


def argument_spec():
    spec = dict(regions_util.REGIONS_ARGUMENT_SPEC)
    spec.update(
        user=dict(type="str"),
        access_key_id=dict(type="str", no_log=False),
        role=dict(type="str"),
        since=dict(type="str", default="72h"),
        evidence_dir=dict(type="path", required=True),
    )
    return spec


def read_only_connection(m):
    """The module's connection, refusing writes in apply mode too."""
    try:
        conn = aws.AwsConnection(m.params, read_only=True)
        conn.identity()
    except aws.AwsOptionError as e:
        m.fail(str(e))
    except (aws.ClientError, aws.BotoCoreError) as e:
        m.fail(aws.describe_error(e, "sts"))
    m.share_connection(conn)
    return conn


def resolve(m):
    """{kind, name, label, arn, owner, lookups: [(attribute, value)]}; an unknown principal fails
    the module with one line."""
    p, iam, account = m.params, m.client("iam"), m.identity()["account_id"]

    def unknown(option, value, what):
        m.fail("%s: %s %s in account %s; nothing was read beyond that" % (m.option(option), value, what, account))

    try:
        if p["user"]:
            arn = iam.get_user(UserName=p["user"])["User"]["Arn"]
            return dict(kind="user", name=p["user"], label="user " + p["user"], arn=arn,
                        lookups=[("Username", p["user"])])
        if p["role"]:
            arn = iam.get_role(RoleName=p["role"])["Role"]["Arn"]
            # AssumeRole events name the role by ARN, IAM's changes to it (AttachRolePolicy...) by name.
            return dict(kind="role", name=p["role"], label="role " + p["role"], arn=arn,
                        lookups=[("ResourceName", arn), ("ResourceName", p["role"])])
        key = p["access_key_id"]
        owner = None
        if key.startswith("AKIA"):  # a long-term key: IAM names its user; a session key (ASIA) has none
            owner = iam.get_access_key_last_used(AccessKeyId=key).get("UserName")
        return dict(kind="access_key", name=key, label="access key " + key, arn=None, owner=owner,
                    lookups=[("AccessKeyId", key)])
    except aws.ClientError as e:
        if aws.error_code(e) == "NoSuchEntity":
            option = [o for o in PRINCIPALS if p[o]][0]
            unknown(option, p[option], "does not exist" if option != "access_key_id" else "is no access key")
        raise


def _principal_args(principal, events):
    """contain.yml's -e for the principal ([] for a session key, which only its issuer's containment ends)."""
    if principal["kind"] == "user":
        return ["-e user=%s" % principal["name"]]
    if principal["kind"] == "access_key" and principal.get("owner"):
        return ["-e access_key_id=%s" % principal["name"]]     # contain.yml finds the owner (one principal a run)
    if principal["kind"] == "role":
        users = sorted(set(e["principal_arn"].split(":user/", 1)[1].split("/")[-1] for e in events
                           if e.get("event") == "AssumeRole" and ":user/" in (e.get("principal_arn") or "")))
        return ["-e role=%s" % principal["name"]] + ["-e user=%s" % u for u in users]
    return []


def source_ips(events):
    """The IP addresses the events came from (not the service names AWS puts there for its own calls)."""
    found = set()
    for event in events:
        try:
            found.add(str(ipaddress.ip_address(event.get("source_ip") or "")))
        except ValueError:
            pass
    return sorted(found)


def contain_commands(principal, events, items):
    """The contain.yml commands to run next, each first with --check, one target a run as contain.yml
    requires: the principal, each instance the principal launched, and per region of those
    instances the source IPs to block in their VPCs. Instances and VPCs are regional: the
    commands name their region."""
    args = _principal_args(principal, events)
    instances = [i for i in items if i["kind"] == "ec2_instance" and i.get("created_by_principal")]
    args += ["-e instance_id=%s -e bulwark_aws_region=%s" % (i["id"], i["region"]) for i in instances]
    ips = source_ips(events)
    for region in sorted(set(i["region"] for i in instances)) if ips else []:
        vpcs = sorted(set(i["vpc"] for i in instances if i["region"] == region and i.get("vpc")))
        if vpcs:
            args.append("-e 'block_ips=[%s]' -e 'vpc_ids=[%s]' -e bulwark_aws_region=%s"
                        % (",".join(ips), ",".join(vpcs), region))
    base = "ansible-playbook bulwark.aws.contain"
    commands = ["%s %s --check   # what it would do" % (base, a) for a in args] + ["%s %s" % (base, a) for a in args]
    if principal["kind"] == "access_key" and not principal.get("owner"):
        commands.insert(0, "# %s is a session key: contain the role or user that issued it (see timeline.md)"
                        % principal["name"])
    return commands


def body(m):
    p = m.params
    read_only_connection(m)
    principal = resolve(m)
    end = utc_now()
    start = end - datetime.timedelta(hours=since_hours(p["since"]))
    plan = regions_util.plan_regions(m, p["regions"], warn=True)
    errors = []
    regions = plan.regions
    if plan.error and not regions:
        errors.append("%s: the home region only is read" % plan.error)
        regions = [m.conn.region]
    limiters = dict((r, timeline.RateLimiter()) for r in regions)

    def lookups(run, pairs):
        found = []
        for attribute, value in pairs:
            try:
                raw = timeline.lookup(run.client("cloudtrail"), attribute, value, start, end, limiters[run.region])
            except regions_util.AWS_FAULTS as e:
                return found, ["%s cloudtrail LookupEvents %s=%s: %s" % (
                    run.region, attribute, value, aws.describe_error(e, "cloudtrail"))]
            found += [timeline.record(event, run.region) for event in raw]
        return found, []

    def region_work(run):
        events, event_errors = lookups(run, principal["lookups"])
        items, item_errors = inventory.regional(run.client, run.region)
        return dict(events=events, event_errors=event_errors, items=items, item_errors=item_errors)

    per_region = regions_util.for_each_region(m, regions, region_work)
    per_region = dict((r, v or dict(events=[], event_errors=["%s: not read" % r], items=[], item_errors=[]))
                      for r, v in per_region.items())
    events = dict((r, v["events"]) for r, v in per_region.items())
    event_errors = errors + [e for r in regions for e in per_region[r]["event_errors"]]
    unread = set(r for r in regions if per_region[r]["event_errors"])
    if principal["kind"] == "role":  # what the role's sessions did: their temporary keys' events
        keys = timeline.session_keys(timeline.merge(events))
        if keys:
            pairs = [("AccessKeyId", k) for k in keys]
            more = regions_util.for_each_region(m, regions, lambda run: lookups(run, pairs))
            for r in regions:
                found, errs = more.get(r) or ([], [])
                events[r] = events[r] + found
                event_errors += errs
                if errs or r not in more:
                    unread.add(r)
    merged = timeline.merge(events)
    items = [i for r in regions for i in per_region[r]["items"]]
    item_errors = [e for r in regions for e in per_region[r]["item_errors"]]
    global_items, global_errors = inventory.account_wide(m.client("iam"), m.client("s3"), start)
    items += global_items
    item_errors += global_errors
    elsewhere = inventory.mark(items, timeline.created(merged))
    public = dict((k, principal.get(k)) for k in ("kind", "name", "label", "arn", "owner"))
    case = dict(schema=evidence.SCHEMA, account_id=m.identity()["account_id"], principal=public,
                start=start.strftime(TIME_FORMAT), end=end.strftime(TIME_FORMAT), regions=list(regions),
                skipped=plan.skipped,
                timeline=dict(events=merged, summary=timeline.summarize(merged), changes=timeline.changes(merged),
                              errors=event_errors),
                inventory=dict(items=items, created_elsewhere=elsewhere, errors=item_errors))
    commands = contain_commands(principal, merged, items)
    try:
        sums = evidence.write(p["evidence_dir"], case, commands)
    except (OSError, IOError) as e:
        m.fail("%s: could not write the evidence: %s" % (m.option("evidence_dir"), e))
    for line in event_errors + item_errors:
        m.module.warn(line)
    m.exit(evidence_dir=os.path.abspath(p["evidence_dir"]), files=sorted(list(sums) + ["SHA256SUMS"]),
           principal=public, start=case["start"], end=case["end"], regions=plan.as_result(),
           events=len(merged), resources=len(items),
           created_by_principal=sum(1 for i in items if i.get("created_by_principal")) + len(elsewhere),
           timeline_regions_read=len([r for r in regions if r not in unread]),
           errors=event_errors + item_errors, containment=commands)


DEFINITION = Definition("investigate_principal", argument_spec, [], body, validate)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The evidence directory of an investigation: timeline.json/.md, inventory.json/.md,
summary.md and SHA256SUMS over them. Every file is created exclusively, mode 0600
(module_utils/core/files.py): nothing already there is overwritten or followed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os

from ansible_collections.bulwark.aws.plugins.module_utils.core import files

FILES = ("timeline.json", "timeline.md", "inventory.json", "inventory.md", "summary.md", "SHA256SUMS")
SCHEMA = "bulwark.aws/investigation/v1"


def _cell(value):
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return ("" if value is None else str(value)).replace("|", "\\|").replace("\n", " ")


def _table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _span(summary):
    """'3 events (first ..., last ...)', or '0 events' without the times they do not have."""
    if not summary["events"]:
        return "0 events"
    return "%d events (first %s, last %s)" % (summary["events"], summary["first"], summary["last"])


def _counts(title, counts):
    return ["", "### " + title, ""] + _table(["", "events"], list(counts.items()))


def timeline_md(case):
    t = case["timeline"]
    lines = ["# Timeline of %s" % case["principal"]["label"], "",
             "Account %s, %s to %s, regions: %s. Newest first." % (
                 case["account_id"], case["start"], case["end"], ", ".join(case["regions"]) or "none")]
    lines += ["", "## Summary", "", "%s, %d failed calls." % (_span(t["summary"]), t["summary"]["errors"])]
    lines += _counts("Source IPs", t["summary"]["source_ips"]) + _counts("Regions", t["summary"]["regions"])
    lines += _counts("User agents", t["summary"]["user_agents"])
    if t["errors"]:
        lines += ["", "## Regions that could not be read", ""] + ["- " + e for e in t["errors"]]
    lines += ["", "## Events", ""] + _table(
        ["time", "region", "event", "source IP", "user agent", "resources", "error"],
        [(e["time"], e["region"], e["event"], e["source_ip"], e["user_agent"], e["resources"], e["error"])
         for e in t["events"]])
    return "\n".join(lines) + "\n"


def inventory_md(case):
    inv = case["inventory"]
    lines = ["# Inventory", "", "Account %s, regions: %s; IAM items created since %s." % (
        case["account_id"], ", ".join(case["regions"]) or "none", case["start"])]
    lines += ["", "## Resources", ""] + _table(
        ["kind", "region", "id", "created", "created by the principal", "detail"],
        [(i["kind"], i["region"], i["id"], i.get("created"), "yes (%s)" % i["created_by_event"]
          if i.get("created_by_principal") else "", _detail(i)) for i in inv["items"]])
    if inv["created_elsewhere"]:
        lines += ["", "## Also created by the principal (from the timeline)", ""] + _table(
            ["name", "event", "time", "region"],
            [(c["name"], c["event"], c["time"], c["region"]) for c in inv["created_elsewhere"]])
    if inv["errors"]:
        lines += ["", "## Could not be read", ""] + ["- " + e for e in inv["errors"]]
    return "\n".join(lines) + "\n"


def _detail(item):
    keys = ("state", "type", "public_ip", "open_ingress", "public", "runtime", "user", "status", "name")
    return "; ".join("%s %s" % (k.replace("_", " "), _cell(item[k])) for k in keys if item.get(k))


def summary_md(case, commands):
    t, inv = case["timeline"], case["inventory"]
    principal = case["principal"]
    made = [i for i in inv["items"] if i.get("created_by_principal")]
    lines = ["# Investigation of %s" % principal["label"], "",
             "- Who: %s%s" % (principal["label"], " (%s)" % principal["arn"] if principal.get("arn") else ""),
             "- Account: %s" % case["account_id"],
             "- Window: %s to %s" % (case["start"], case["end"]),
             "- When: %s" % _span(t["summary"]),
             "- From where: %s" % (", ".join("%s (%d)" % kv for kv in t["summary"]["source_ips"].items()) or "none"),
             "- Regions used: %s" % (", ".join("%s (%d)" % kv for kv in t["summary"]["regions"].items()) or "none")]
    if principal.get("owner"):
        lines.append("- The access key belongs to user %s" % principal["owner"])
    lines += ["", "## Created by the principal", ""]
    lines += ["- %s %s (%s) by %s" % (i["kind"], i["id"], i["region"], i["created_by_event"]) for i in made]
    lines += ["- %s by %s %s %s" % (c["name"], c["time"], c["region"], c["event"]) for c in inv["created_elsewhere"]]
    if not made and not inv["created_elsewhere"]:
        lines.append("Nothing the timeline shows.")
    lines += ["", "## Changes made (calls that are not reads)", ""]
    lines += ["- %s %s %s %s" % (e["time"], e["region"], e["event"], _cell(e["resources"]))
              for e in t["changes"]] or ["None in the timeline."]
    errors = t["errors"] + inv["errors"]
    if errors:
        lines += ["", "## Not read (the evidence is incomplete there)", ""] + ["- " + e for e in errors]
    lines += ["", "## Containment: run next", "", "```"] + commands + ["```"]
    lines += ["", "Check SHA256SUMS before relying on these files: `sha256sum -c SHA256SUMS`."]
    return "\n".join(lines) + "\n"


def _json(value):
    return json.dumps(value, indent=1, sort_keys=True, default=str) + "\n"


def write(directory, case, commands):
    """Write the evidence files into ``directory`` (made 0700 when missing). Returns
    {file: sha256}. Raises FileExistsError when one of them is there already."""
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    header = dict((k, case[k]) for k in ("schema", "account_id", "principal", "start", "end", "regions", "skipped"))
    contents = [("timeline.json", _json(dict(header, **case["timeline"]))), ("timeline.md", timeline_md(case)),
                ("inventory.json", _json(dict(header, **case["inventory"]))), ("inventory.md", inventory_md(case)),
                ("summary.md", summary_md(case, commands))]
    sums = {}
    for name, text in contents:
        data = text.encode("utf-8")
        files.create_exclusive(os.path.join(directory, name), data)
        sums[name] = hashlib.sha256(data).hexdigest()
    files.create_exclusive(os.path.join(directory, "SHA256SUMS"),
                           "".join("%s  %s\n" % (sums[name], name) for name, _text in contents))
    return sums

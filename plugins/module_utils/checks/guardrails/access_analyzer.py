# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iam.access_analyzer of account_guardrails, per region: an active account or organization
analyzer, else one made (an analyzer that failed is reported, never replaced)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import ANALYZER, report


def check_analyzer(run):
    aa = run.client("accessanalyzer")
    name = run.params["access_analyzer_name"]
    analyzers = [a for a in aws.paginate(aa, "list_analyzers", "analyzers") if a.get("type") in ("ACCOUNT", "ORGANIZATION")]
    usable = [a for a in analyzers if a.get("status") in ("ACTIVE", "CREATING")]
    if usable:
        a = usable[0]
        run.add(ANALYZER, "pass", "%s analyzer %s is %s" % (a["type"].lower(), a["name"], a["status"]),
                resource=a.get("arn") or a["name"])
        return
    same_name = [a for a in analyzers if a.get("name") == name]
    if same_name:
        reason = (same_name[0].get("statusReason") or {}).get("code") or "no reason given"
        run.noncompliant(ANALYZER, False, False, "analyzer %s is %s (%s)" % (name, same_name[0].get("status"), reason),
                         resource=same_name[0].get("arn") or name)
        return
    report(run, ANALYZER, name, ["no account or organization analyzer"],
           ["access-analyzer:CreateAnalyzer"],
           lambda: aa.create_analyzer(analyzerName=name, type="ACCOUNT"))

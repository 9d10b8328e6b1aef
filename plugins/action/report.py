# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of bulwark.aws.report (documentation in plugins/modules/report.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run
from ansible_collections.bulwark.aws.plugins.plugin_utils.preflight import host_variables
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import baseline, collect, gate, summary, write

ARGUMENT_SPEC = dict(
    report_dir=dict(type="path", required=True),
    fail_on=dict(type="str", default=""),
    hosts=dict(type="list", elements="str"),
    baseline=dict(type="str"),
)
NOTHING_SELECTED = ("no control was selected: the toggles, --tags and --skip-tags left nothing to evaluate "
                    "(or no bulwark.aws role ran before bulwark.aws.report)")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        hosts = args["hosts"] if args["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or [])
        alive = set(task_vars.get("ansible_play_hosts") or hosts)

        accounts, audit_only, notes = [], bool(hosts), {}
        for host in hosts:
            kept = host_variables(task_vars, host)
            run = account_run.run_facts(kept)
            section = collect.account_section(
                # the account the module runs reached, else the organization inventory's account_id
                host, account_id=run[account_run.ACCOUNT_ID] or kept.get("account_id"),
                findings=run[account_run.FINDINGS], selected=run[account_run.SELECTED],
                failures=run[account_run.FAILURES], play_failed=host not in alive)
            # after the verdicts: a failed export is no reason a control was not evaluated
            export_errors, notes[host] = account_run.export_outcome(kept)
            section["errors"].extend(collect.task_error(e["task"], e["message"]) for e in export_errors)
            accounts.append(section)
            audit_only = audit_only and boolean(kept.get("bulwark_audit_only", task_vars.get("bulwark_audit_only", False)),
                                                strict=False)
        if not any(a["findings"] for a in accounts):
            for account in accounts or [collect.account_section("(no host)")]:
                account["errors"].append({"task": "(selection)", "message": NOTHING_SELECTED})
                if account not in accounts:
                    accounts.append(account)

        mode = "check" if task_vars.get("ansible_check_mode") else ("audit" if audit_only else "apply")
        explicit = args["baseline"] if args["baseline"] is not None else os.environ.get("BULWARK_BASELINE", "")
        previous, note, baseline_path = None, None, baseline.find(args["report_dir"], explicit)
        if baseline_path:
            previous, note = baseline.load(baseline_path)
        document = collect.build_report(accounts, mode, previous=previous, baseline_path=baseline_path,
                                        baseline_note=note)
        try:
            files = write.write_report(document, args["report_dir"])
        except (OSError, IOError) as e:
            result.update(failed=True, msg="could not write the report to %s: %s; set BULWARK_REPORT_DIR (or "
                                           "bulwark_report_dir) to a writable directory" % (args["report_dir"], e))
            return result
        verdict = gate.gate(document, args["fail_on"], args["report_dir"])
        result.update(
            changed=False,
            report_dir=args["report_dir"],
            files=files,
            mode=mode,
            totals=document["totals"],
            summary=summary.summary_lines(document, args["report_dir"], verdict, notes=notes),
            gate=verdict,
        )
        return result

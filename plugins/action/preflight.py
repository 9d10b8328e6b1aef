# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of bulwark.aws.preflight (documentation in plugins/modules/preflight.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.bulwark.aws.plugins.plugin_utils.report import gate, write
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import validate_waivers
from ansible_collections.bulwark.aws.plugins.plugin_utils import account_run, preflight

ARGUMENT_SPEC = dict(
    report_dir=dict(type="str", default=""),
    fail_on=dict(type="str", default=""),
    create_report_dir=dict(type="bool", default=True),
)


def _default_inventory():
    value = C.config.get_configuration_definition("DEFAULT_HOST_LIST").get("default")
    return [value] if isinstance(value, str) else list(value or [])


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        earlier = task_vars.get("_bulwark_run")
        if isinstance(earlier, dict) and earlier.get("report_dir"):
            # Every role imports the preflight; the first one of the run did the work.
            result.update(changed=False, report_dir=earlier["report_dir"], fail_on=earlier.get("fail_on"),
                          cwd=earlier.get("cwd"))
            return result
        hosts = list(task_vars.get("ansible_play_hosts_all") or [task_vars.get("inventory_hostname")])
        problems = []

        inventory = preflight.empty_inventory_problem(task_vars.get("groups"), task_vars.get("ansible_inventory_sources"),
                                                      _default_inventory())
        if inventory:
            problems.append(inventory)
        problems += preflight.tag_problems(task_vars.get("ansible_run_tags"), task_vars.get("ansible_skip_tags"))

        # Play and extra variables are the same for every host; inventory variables may differ.
        names = set(task_vars)
        per_host = {}
        for host in hosts:
            per_host[host] = preflight.host_variables(task_vars, host)
            names.update(per_host[host])
        problems += preflight.unknown_variables(to_text(n) for n in names)
        for host in hosts:
            own = host == task_vars.get("inventory_hostname")
            values = dict((name, self._templar.template(per_host[host][name]) if own else per_host[host][name])
                          for name in preflight.role_options() if name in per_host[host])
            problems += [("" if len(hosts) == 1 else "host %s: " % host) + p for p in preflight.type_problems(values)]

        waivers_seen = []
        for host in hosts:
            waivers = per_host[host].get("bulwark_waivers", task_vars.get("bulwark_waivers")) or []
            if waivers in waivers_seen:
                continue
            waivers_seen.append(waivers)
            try:
                validate_waivers(waivers, option="bulwark_waivers")
            except ValueError as e:
                problems.append("%s%s" % ("" if len(hosts) == 1 else "host %s: " % host, e))

        threshold, problem = gate.parse_fail_on(args["fail_on"])
        if problem:
            problems.append(problem)

        if problems:
            result.update(failed=True, problems=problems,
                          msg="bulwark.aws stopped before any AWS call: " + "; ".join(problems))
            return result
        # A fact cache may hold an earlier run's plan and findings: every host starts empty.
        result.update(changed=False, fail_on=threshold or "none", cwd=os.getcwd(),
                      ansible_facts=dict(account_run.RUN_FACTS))
        if args["create_report_dir"]:
            try:
                result["report_dir"] = write.run_directory(args["report_dir"])
            except OSError as e:
                result.update(failed=True, msg="cannot create the report directory %s: %s; set BULWARK_REPORT_DIR "
                                               "(or bulwark_report_dir) to a writable directory"
                                               % (args["report_dir"] or write.DEFAULT_REPORT_BASE, e))
        return result

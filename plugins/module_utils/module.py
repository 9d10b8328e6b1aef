# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BulwarkModule: the base every bulwark.aws module is built on.

It owns what the module contract says every module does, so a module body is only about
its controls: connection options and their validation, the ``controls`` and ``enforce``
options, check mode (clients that refuse writes), findings, ``--diff`` and error exits.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.bulwark.aws.plugins.module_utils import aws
from ansible_collections.bulwark.aws.plugins.module_utils.findings import Findings


class BulwarkModule:
    """Wraps AnsibleModule. ``control_ids`` are the controls this module can evaluate."""

    def __init__(self, argument_spec, control_ids, validate=None, **kwargs):
        spec = dict(aws.AWS_ARGUMENT_SPEC)
        spec.update(argument_spec)
        # No choices/default in the spec: they differ per module while the option is documented
        # once (doc fragment bulwark.aws.connection); validated below, None means all.
        spec["controls"] = dict(type="list", elements="str")
        spec["enforce"] = dict(type="bool", default=True)
        spec["waivers"] = dict(type="list", elements="dict", default=[])
        kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if not aws.HAS_BOTO3:
            self.module.fail_json(msg=missing_required_lib("boto3 and botocore"),
                                  exception=str(aws.BOTO3_IMPORT_ERROR))
        self.params = self.module.params
        # Everything below runs before the first AWS call: bad input never reaches AWS.
        control_ids = list(control_ids)
        if self.params["controls"] is None:
            self.params["controls"] = control_ids
        unknown = [c for c in self.params["controls"] if c not in control_ids]
        if unknown:
            self.fail("value of controls must be one or more of: %s. Got no match for: %s (see docs/controls.md)"
                      % (", ".join(control_ids), ", ".join(unknown)))
        try:
            aws.validate_connection_params(self.params)
            if validate:
                validate(self.params)
        except ValueError as e:
            self.fail(str(e))
        try:
            self.findings = Findings(self.params["controls"], self.params["waivers"])
        except ValueError as e:
            self.fail(str(e))
        self.changed = False
        self.actions = []
        self.diff = {"before": {}, "after": {}}
        self._conn = None

    # --- state ----------------------------------------------------------------------------
    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def may_change(self):
        """True when this run may write: not check mode and enforce is on."""
        return not self.module.check_mode and self.params["enforce"]

    @property
    def conn(self):
        """The connection. Made on first use, with one sts:GetCallerIdentity that proves the
        endpoint answers and the credentials work before anything else is called."""
        if self._conn is None:
            try:
                conn = aws.AwsConnection(self.params, read_only=not self.may_change)
                conn.identity()
            except aws.AwsOptionError as e:
                self.fail(str(e))
            except (aws.ClientError, aws.BotoCoreError) as e:
                self.fail(aws.describe_error(e, "sts"))
            self._conn = conn
        return self._conn

    def client(self, service, region=None):
        return self.conn.client(service, region)

    def identity(self):
        """{account_id, arn, user_id, partition, is_root} of the caller."""
        return self.conn.identity()

    def wants(self, *control_ids):
        return any(self.findings.wants(c) for c in control_ids)

    def record_change(self, action, before=None, after=None, key=None):
        """Note a write that happened or, in check mode, would happen (Ansible reports
        changed=true for it). With enforce=false nothing would ever change: changed stays false."""
        self.actions.append(action)
        if self.params["enforce"]:
            self.changed = True
        if key is not None:
            self.diff["before"][key] = before
            self.diff["after"][key] = after

    # --- exits ----------------------------------------------------------------------------
    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, findings=self.findings.items if hasattr(self, "findings") else [],
                              **kwargs)

    def exit(self, **result):
        result.setdefault("findings", self.findings.items)
        result.setdefault("actions", self.actions)
        if self._conn is not None:
            # The drift report groups findings by account.
            result.setdefault("account_id", self._conn.identity()["account_id"])
        if self.module._diff:
            result["diff"] = self.diff
        self.module.exit_json(changed=self.changed, **result)

    def run(self, body):
        """Run the module body; an AWS fault that escapes it ends the module with one line."""
        try:
            body(self)
        except aws.WriteBlockedError as e:
            self.fail(str(e))
        except (aws.ClientError, aws.BotoCoreError, NotImplementedError) as e:
            self.fail(aws.describe_error(e), exception=traceback.format_exc())

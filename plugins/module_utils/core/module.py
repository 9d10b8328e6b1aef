# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BulwarkModule: the base every bulwark.aws module is built on.

It owns what the module contract says every module does, so a module body is only about
its controls: connection options and their validation, the ``controls`` and ``enforce``
options, check mode (clients that refuse writes), findings, ``--diff`` and error exits.

A module's logic is a Definition (options, controls, input check, body). The module runs it
alone; bulwark.aws.account_baseline runs several as steps of one module process, where a step's
exit or failure ends the step, not the process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import Findings, diff

# Options every module has besides its own: the connection, and these.
COMMON_SPEC = dict(
    # No choices/default: they differ per module while the option is documented once (doc
    # fragment bulwark.aws.connection); validated in BulwarkModule, None means all.
    controls=dict(type="list", elements="str"),
    enforce=dict(type="bool", default=True),
    waivers=dict(type="list", elements="dict", default=[]),
    # {option: what the user sets}: messages name that instead of the option (see option()).
    option_names=dict(type="dict", default={}, no_log=False),
)
# What a step takes from the process it runs in rather than from its own options (module_defaults
# for group/bulwark.aws.aws give them to a role's module tasks too: the process's win).
SHARED_OPTIONS = tuple(aws.AWS_ARGUMENT_SPEC) + ("enforce", "waivers")
_SHARED_NAMES = frozenset(SHARED_OPTIONS).union(*(spec.get("aliases") or () for spec in aws.AWS_ARGUMENT_SPEC.values()))
# A validation message starts with the option it is about: "min_length: 200 is out of range",
# "mfa_policy_groups[1]: ...", "lifecycle.expiration_days: ..." (module_utils' validators too).
_SUBJECT = re.compile(r"^[a-z][a-z0-9_]*(?=[\[.:])")


def option_name(params, option):
    """What messages call ``option``: what the user sets (the option_names option, given by the
    roles and contain.yml), else the option itself (the module called directly)."""
    return (params.get("option_names") or {}).get(option) or option


def name_subject(params, message):
    """``message`` (a validation message) with its leading option named as the user sets it."""
    return _SUBJECT.sub(lambda match: option_name(params, match.group(0)), message, count=1)


def _renaming(spec, names):
    """{option: name} for the options of ``spec`` that option_names names, when every name is
    one option's (else {}): validated under these names, Ansible's own input errors name what
    the user sets."""
    renamed = dict((k, str(names[k])) for k in spec if isinstance(names, dict) and names.get(k))
    keys = [renamed.get(k, k) for k in spec]
    return renamed if len(set(keys)) == len(keys) else {}


class StepExit(BaseException):
    """exit() of a step: its result. BaseException, like the SystemExit a module exit raises,
    so that a body's ``except Exception`` cannot swallow it."""

    def __init__(self, result):
        super(StepExit, self).__init__("step exit")
        self.result = result


class StepFailure(BaseException):
    """fail() of a step: the message and the findings made before it."""

    def __init__(self, msg, findings):
        super(StepFailure, self).__init__(msg)
        self.msg = msg
        self.findings = findings


class Definition:
    """A module's logic apart from its documentation: its name, options (a function returning
    the argument spec), the controls it can evaluate, its input check and its body.

    The input check is ``validate(params, option)``: it raises ValueError with a message that
    starts with the option it is about, and names any other option as ``option(name)``, so that
    messages name what the user sets (see BulwarkModule.option)."""

    def __init__(self, name, argument_spec, control_ids, body, validate=None):
        self.name = name
        self.argument_spec = argument_spec
        self.control_ids = list(control_ids)
        self.body = body
        self.validate = validate

    def main(self):
        """Run as the module bulwark.aws.<name>."""
        BulwarkModule(self.argument_spec(), self.control_ids, validate=self.validate).run(self.body)

    def step(self, process, options):
        """A BulwarkModule for this definition inside ``process`` (the BulwarkModule of the module
        process): ``options`` are this module's own options; connection, enforce and waivers are
        the process's. Bad input raises StepFailure, before any AWS call."""
        spec = dict(self.argument_spec(), controls=COMMON_SPEC["controls"], option_names=COMMON_SPEC["option_names"])
        options = dict((k, v) for k, v in (options or {}).items() if k not in _SHARED_NAMES)
        named = _renaming(spec, options.get("option_names"))
        option_of = dict((name, option) for option, name in named.items())
        checked = ArgumentSpecValidator(dict((named.get(k, k), v) for k, v in spec.items())).validate(
            dict((named.get(k, k), v) for k, v in options.items()))
        # A step's secret options are hidden in the process's output, as AnsibleModule hides its own.
        process.module.no_log_values.update(
            str(options[k]) for k, v in spec.items() if v.get("no_log") and options.get(k) is not None)
        if checked.error_messages:
            raise StepFailure("; ".join(("unsupported parameters: " if isinstance(e, UnsupportedError) else "") + e.error_message
                                        for e in checked.errors.errors), [])
        params = dict((option_of.get(k, k), v) for k, v in checked.validated_parameters.items())
        params.update((k, process.params.get(k)) for k in SHARED_OPTIONS)
        step = BulwarkModule(None, self.control_ids, validate=self.validate, module=process.module, params=params)
        # The process's own controls option narrows every step.
        params["controls"] = [c for c in params["controls"] if c in process.params["controls"]]
        step.findings.selected = list(params["controls"])
        return step


class BulwarkModule:
    """Wraps AnsibleModule. ``control_ids`` are the controls this module can evaluate.

    With ``module`` and ``params`` (Definition.step) it is one step of a module process: it
    shares that process's AnsibleModule, and exit() and fail() raise StepExit and StepFailure.
    """

    def __init__(self, argument_spec, control_ids, validate=None, module=None, params=None, **kwargs):
        self._step = module is not None
        self._would_change = False
        self._writes_before = 0
        self._conn = None
        self.actions = []
        if self._step:
            self.module = module
            self.params = params
        else:
            spec = dict(aws.AWS_ARGUMENT_SPEC)
            spec.update(argument_spec)
            spec.update(COMMON_SPEC)
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
            self.fail("value of %s must be one or more of: %s. Got no match for: %s (see docs/controls.md)"
                      % (self.option("controls"), ", ".join(control_ids), ", ".join(unknown)))
        try:
            if not self._step:  # a step's connection options are its process's, checked there
                aws.validate_connection_params(self.params)
            if validate:
                # A validator's message starts with the option it is about (named here); it names
                # any other option with the function it is given.
                validate(self.params, self.option)
        except ValueError as e:
            self.fail(name_subject(self.params, str(e)))
        try:
            self.findings = Findings(self.params["controls"], self.params["waivers"])
        except ValueError as e:
            self.fail(name_subject(self.params, str(e)))

    def option(self, name):
        """How messages name the option ``name``: what the user sets when a role (or contain.yml)
        runs the module, the option itself when the module is called directly (option_names)."""
        return option_name(self.params, name)

    # --- state ----------------------------------------------------------------------------
    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def may_change(self):
        """True when this run may write: not check mode and enforce is on."""
        return not self.module.check_mode and self.params["enforce"]

    @property
    def changed(self):
        """What Ansible reports: after an apply, whether AWS accepted a write of this module
        (a write that failed changed nothing); in check mode, whether one would be made."""
        if self.may_change:
            return self._conn is not None and self._conn.writes > self._writes_before
        return self._would_change

    def connect(self):
        """(connection, None), or (None, why not): made once, with one sts:GetCallerIdentity that
        proves the endpoint answers and the credentials work before anything else is called."""
        if self._conn is None:
            try:
                conn = aws.AwsConnection(self.params, read_only=not self.may_change)
                conn.identity()
            except aws.AwsOptionError as e:
                return None, str(e)
            except (aws.ClientError, aws.BotoCoreError) as e:
                return None, aws.describe_error(e, "sts")
            self._attach(conn)
        return self._conn, None

    @property
    def conn(self):
        """The connection (see connect); a module that cannot connect fails with the reason.
        A step gets its process's connection (share_connection)."""
        conn, problem = self.connect()
        if problem:
            self.fail(problem)
        return conn

    def _attach(self, conn):
        self._conn = conn
        self._writes_before = conn.writes

    def share_connection(self, conn):
        """Use the process's connection: one session, one identity call, one client per service
        and region for every step of a module process."""
        self._attach(conn)

    def client(self, service, region=None):
        return self.conn.client(service, region)

    def shared(self, key, read):
        """An account-wide read made once per account run, whichever module asks first (see
        AwsConnection.shared)."""
        return self.conn.shared(key, read)

    def identity(self):
        """{account_id, arn, user_id, partition, is_root} of the caller."""
        return self.conn.identity()

    def wants(self, *control_ids):
        return any(self.findings.wants(c) for c in control_ids)

    def record_change(self, action):
        """Note a write that this run makes or, in check mode, would make (RV(actions); in check
        mode Ansible reports changed=true for it). With enforce=false nothing would ever change:
        changed stays false. --diff comes from the findings (findings.diff)."""
        self.actions.append(action)
        if self.params["enforce"]:
            self._would_change = True

    # --- exits ----------------------------------------------------------------------------
    def fail(self, msg, **kwargs):
        findings = self.findings.items if hasattr(self, "findings") else []
        if self._step:
            raise StepFailure(msg, findings)
        kwargs.setdefault("changed", self.changed)
        self.module.fail_json(msg=msg, findings=findings, **kwargs)

    def exit(self, **result):
        result.setdefault("findings", self.findings.items)
        result.setdefault("actions", self.actions)
        if self._conn is not None:
            # The drift report groups findings by account.
            result.setdefault("account_id", self._conn.identity()["account_id"])
        if self.module._diff:  # AnsibleModule's diff mode flag, as amazon.aws modules read it
            result.setdefault("diff", diff(result["findings"]))
        result.setdefault("changed", self.changed)
        if self._step:
            raise StepExit(result)
        self.module.exit_json(**result)

    def run(self, body):
        """Run the module body; an AWS fault that escapes it ends the module with one line."""
        try:
            body(self)
        except aws.WriteBlockedError as e:
            self.fail(str(e))
        except (aws.ClientError, aws.BotoCoreError, NotImplementedError) as e:
            self.fail(aws.describe_error(e), exception=traceback.format_exc())

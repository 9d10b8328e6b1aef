# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The steps of a containment: what was done, found done already, would be done, or failed.

    c = Steps(m, client, "iam")
    c.step("remove_login_profile", user, "unchanged", "the user has no console password")
    c.write("deactivate_key", key, "iam:UpdateAccessKey ...", "update_access_key", done, would, **api_args)

A write is recorded (RV(actions); changed in check mode) and made only when the module may change
(not check mode, enforce on). A write AWS refuses is an ``error`` step: the containment goes on
with its other steps and the module fails at the end listing what is incomplete (``failed``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.core.regions import AWS_FAULTS


class Steps:
    """``client`` and ``service``: the default client of write() and the service its errors name.
    Errors of the steps in ``notes_only`` (an evidence export) are notes, not failures."""

    def __init__(self, m, client=None, service=None, notes_only=("export_evidence",)):
        self.m = m
        self.client = client
        self.service = service
        self.notes_only = tuple(notes_only)
        self.steps = []
        self.failed = []

    def step(self, name, target, status, detail, **extra):
        """One entry {step, target, status, detail} (and ``extra`` fields, e.g. region)."""
        entry = dict(step=name, target=target, status=status, detail=detail)
        entry.update(extra)
        self.steps.append(entry)
        if status == "error" and name not in self.notes_only:
            self.failed.append("%s %s: %s" % (name, target, detail))
        return entry

    def write(self, name, target, action, call, done, would, client=None, extra=None, **kwargs):
        """Record and (when allowed) make one write; one step entry either way. ``done`` may be a
        function of the response (a created resource's id); so may ``target``. Returns the
        response, or None (check mode, enforce=false, or an error)."""
        self.m.record_change(action)
        extra = extra or {}
        if not self.m.may_change:
            self.step(name, target if not callable(target) else target(None), "would_change", would, **extra)
            return None
        try:
            response = getattr(client or self.client, call)(**kwargs)
        except AWS_FAULTS as e:
            self.step(name, target if not callable(target) else target(None), "error",
                      aws.describe_error(e, self.service), **extra)
            return None
        self.step(name, target(response) if callable(target) else target, "changed",
                  done(response) if callable(done) else done, **extra)
        return response

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regional work: which regions to evaluate, and one function per region in a bounded pool.

    REGIONS_ARGUMENT_SPEC                        # regions + region_concurrency options
    validate_regions(params)                     # in the module's validate(): before any call
    plan = plan_regions(m, m.params["regions"], controls)   # enabled regions, skipped ones said
    for_each_region(m, plan.regions, check_region, controls)

``check_region(run)`` receives a RegionRun: ``run.client(service)`` is that region's cached
client, ``run.add`` / ``run.noncompliant`` / ``run.error_for`` / ``run.record_change`` are the
module's, buffered per region and replayed in region order once every region has finished,
so findings come out in a stable order whatever order the threads finish in.
``run.guard(controls, service, fn)`` runs one service's checks: an AWS fault there (AccessDenied,
throttling after botocore's retries, a call the endpoint does not implement) becomes one
``error`` finding per control for that region, and the other services and regions go on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

try:
    from botocore.parsers import ResponseParserError
except ImportError:  # pragma: no cover - reported by the module with missing_required_lib
    ResponseParserError = aws.BotoCoreError

DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 64

REGIONS_ARGUMENT_SPEC = dict(
    regions=dict(type="list", elements="str"),
    region_concurrency=dict(type="int", default=DEFAULT_CONCURRENCY),
)

# Faults of one region or service: they become `error` findings, never a traceback. An endpoint
# that answers a call it does not implement with a non-AWS body (an emulator) raises
# ResponseParserError, which is not a BotoCoreError.
AWS_FAULTS = (aws.ClientError, aws.BotoCoreError, NotImplementedError, ResponseParserError)

SKIP_NOT_OPTED_IN = "opt-in region not enabled for this account: skipped (enable it in Account > AWS Regions to evaluate it)"
SKIP_NOT_OFFERED = "region not offered to this account (ec2:DescribeRegions does not list it): skipped"


def validate_regions(params, option="regions"):
    """Raise ValueError for a bad ``regions`` / ``region_concurrency`` value. No AWS call.

    Every name must be a region botocore knows, in the partition of the home region (a
    session reaches one partition only)."""
    concurrency = params.get("region_concurrency")
    if concurrency is not None and not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError("region_concurrency: %d is out of range; give 1 to %d" % (concurrency, MAX_CONCURRENCY))
    names = params.get(option)
    if names is None:
        return
    if not names:
        raise ValueError("%s: give at least one region, or leave it out to evaluate every enabled region" % option)
    known = aws.known_regions()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError("%s: %s %s (expected names such as us-east-1 or eu-west-1)"
                         % (option, ", ".join(repr(n) for n in unknown),
                            "is not an AWS region" if len(unknown) == 1 else "are not AWS regions"))
    home = params.get("region")
    if home and home in known:
        partition = known[home]
        other = [n for n in names if known[n] != partition]
        if other:
            raise ValueError("%s: %s %s not in the %s partition of the home region %s; run once per partition"
                             % (option, ", ".join(other), "is" if len(other) == 1 else "are", partition, home))
    dupes = sorted(set(n for n in names if names.count(n) > 1))
    if dupes:
        raise ValueError("%s: %s listed more than once" % (option, ", ".join(dupes)))


class RegionPlan:
    """The regions to evaluate and those skipped, each with the reason."""

    def __init__(self, regions, skipped=None, error=None):
        self.regions = list(regions)
        self.skipped = list(skipped or [])  # [{"region", "reason"}]
        self.error = error  # why the enabled regions could not be listed, or None

    def as_result(self):
        return {"evaluated": list(self.regions), "skipped": list(self.skipped)}


def plan_regions(m, requested=None, controls=(), warn=True):
    """Which regions to evaluate: the account's enabled regions, or those of ``requested`` that
    are enabled. One ec2:DescribeRegions call in the home region.

    A requested opt-in region that is not enabled is skipped, not an error: it is listed in
    the plan's ``skipped`` with the reason and, since the caller asked for it, a warning says
    so. When the regions cannot be listed, the requested ones are evaluated as given (their
    own calls tell whether they answer); with none requested, every selected control in
    ``controls`` gets one ``error`` finding saying so and no region is evaluated.
    """
    try:
        enabled, not_opted_in = m.conn.enabled_regions()
    except AWS_FAULTS as e:
        message = "cannot list the enabled regions: %s" % aws.describe_error(e, "ec2")
        if requested:
            return RegionPlan(requested, error=message)
        m.findings.error_for([c for c in controls if m.findings.wants(c)],
                             message + "; set %s to evaluate a fixed list" % m.option("regions"), region="all")
        return RegionPlan([], error=message)
    if requested is None:
        return RegionPlan(enabled, [dict(region=r, reason=SKIP_NOT_OPTED_IN) for r in not_opted_in])
    regions, skipped = [], []
    for name in requested:
        if name in enabled:
            regions.append(name)
        else:
            skipped.append(dict(region=name, reason=SKIP_NOT_OPTED_IN if name in not_opted_in else SKIP_NOT_OFFERED))
    if warn:
        for item in skipped:
            m.module.warn("%s: %s: %s" % (m.option("regions"), item["region"], item["reason"]))
    return RegionPlan(regions, skipped)


class RegionRun:
    """One region's view of the module: its clients, and findings/changes buffered for replay."""

    def __init__(self, m, region):
        self.m = m
        self.region = region
        self.params = m.params
        self.events = []

    # --- reads of the module's state (thread-safe: nothing here changes it) ---------------
    @property
    def may_change(self):
        return self.m.may_change

    @property
    def check_mode(self):
        return self.m.check_mode

    def wants(self, *control_ids):
        return self.m.wants(*control_ids)

    def is_waived(self, control, resource=None):
        return self.m.findings.is_waived(control, resource)

    def client(self, service):
        return self.m.client(service, self.region)

    # --- buffered writes to the module's state --------------------------------------------
    def add(self, control, status, message, resource=None):
        self.events.append(("add", (control, status, message), dict(resource=resource, region=self.region)))

    def noncompliant(self, control, can_fix, fixed, message, resource=None):
        self.events.append(("noncompliant", (control, can_fix, fixed, message),
                            dict(resource=resource, region=self.region)))

    def error_for(self, control_ids, message, resource=None):
        self.events.append(("error_for", (list(control_ids), message), dict(resource=resource, region=self.region)))

    def record_change(self, action):
        """Like BulwarkModule.record_change; the action names the region."""
        self.events.append(("record_change", ("%s (%s)" % (action, self.region),), {}))

    def remediate(self, control, resource, problem, actions, change, opt_in=None, todo=None, detail=None,
                  service=None):
        """One non-compliant ``resource``: its finding and, when allowed, its fix ``change()``.

        - waived: nothing is changed (the finding says waived);
        - ``opt_in`` (an option name) not set: ``fail``, naming the variable to set and ``todo``;
        - else ``actions`` (API action and what it acts on) are recorded as changes and, when this
          run may change, ``change()`` makes them: ``fixed``, else ``drift`` ("would call ...");
          ``detail`` follows the API actions. A write AWS refuses is an ``error`` for this control
          and resource only.
        Returns True when the resource was changed."""
        if self.is_waived(control, resource):
            self.add(control, "drift", problem, resource=resource)  # Findings.add makes it `waived`
            return False
        if opt_in and not self.params.get(opt_in):
            self.noncompliant(control, False, False, "%s; set %s: true to %s" % (problem, self.m.option(opt_in), todo),
                              resource=resource)
            return False
        calls = []
        for action in actions:
            self.record_change(action)
            if action.split(" ")[0] not in calls:
                calls.append(action.split(" ")[0])
        calls = ", ".join(calls) + (" (%s)" % detail if detail else "")
        if not self.may_change:
            self.noncompliant(control, True, False, "%s: would call %s" % (problem, calls), resource=resource)
            return False
        try:
            change()
        except AWS_FAULTS as e:
            self.error_for([control], "%s: %s" % (problem, aws.describe_error(e, service)), resource=resource)
            return False
        self.noncompliant(control, True, True, "%s: fixed with %s" % (problem, calls), resource=resource)
        return True

    def replay(self):
        for kind, args, kwargs in self.events:
            if kind == "record_change":
                self.m.record_change(*args, **kwargs)
            else:
                getattr(self.m.findings, kind)(*args, **kwargs)
        self.events = []

    def guard(self, controls, service, fn, *args, **kwargs):
        """fn(*args, **kwargs); an AWS fault becomes one `error` finding per selected control of
        ``controls`` in this region, the other checks of the region go on. Returns fn's value or None."""
        controls = [c for c in controls if self.m.findings.wants(c)]
        if not controls:
            return None
        try:
            return fn(*args, **kwargs)
        except AWS_FAULTS as e:
            self.error_for(controls, aws.describe_error(e, service))
            return None


def for_each_region(m, regions, fn, controls=(), max_workers=None):
    """Run ``fn(run)`` for every region in a pool of at most ``max_workers`` threads (default:
    the module's region_concurrency option, else 32), one RegionRun per region.

    An AWS fault escaping ``fn`` gives that region an `error` finding per selected control of
    ``controls`` and the other regions still finish. A programming error (or a write refused in
    check mode) is re-raised once every region has finished. Findings and changes are added to
    the module in the order of ``regions``. Returns {region: fn's return value or None}.
    """
    regions = list(regions)
    if not regions:
        return {}
    if max_workers is None:
        max_workers = m.params.get("region_concurrency") or DEFAULT_CONCURRENCY
    m.conn  # pylint: disable=pointless-statement  # connect (and fail cleanly) before any thread starts

    def on_fault(run, e):
        run.error_for([c for c in controls if m.findings.wants(c)], aws.describe_error(e))

    return run_in_pool(dict((region, RegionRun(m, region)) for region in regions), regions, fn, on_fault, max_workers)


def run_in_pool(runs, order, fn, on_fault, max_workers):
    """``fn(run)`` for each of ``runs`` ({key: RegionRun or a subclass}) in a pool of at most
    ``max_workers`` threads. An AWS fault escaping fn goes to ``on_fault(run, fault)``, whose
    return is that key's value; a programming error is re-raised once every run has finished.
    The runs' findings and changes are replayed in ``order``. Returns {key: value}."""
    results, failures = {}, {}
    lock = threading.Lock()

    def work(key):
        run = runs[key]
        try:
            value = fn(run)
        except AWS_FAULTS as e:
            value = on_fault(run, e)
        except Exception as e:  # a bug, or a write refused under check mode: re-raised below
            with lock:
                failures[key] = e
            value = None
        with lock:
            results[key] = value

    if len(order) <= 1 or max_workers == 1:
        for key in order:
            work(key)
    else:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(order))) as pool:
            list(pool.map(work, order))
    for key in order:
        runs[key].replay()
    if failures:
        raise next(failures[k] for k in order if k in failures)
    return results

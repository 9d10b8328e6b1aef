# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A principal's CloudTrail events: LookupEvents per region, paged within its rate limit
(2 requests per second per account and region), reduced to what an investigator reads and
merged newest first. Nothing secret is kept (see scrub)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time

from ansible_collections.bulwark.aws.plugins.module_utils.core.times import utc_text

RATE_PER_SECOND = 2.0
PAGE_SIZE = 50  # LookupEvents' MaxResults ceiling
# Keys whose values are secret wherever they appear in a record's parameters or response.
_SECRET_WORDS = ("secret", "password", "token", "privatekey", "private_key", "credentialsblob")
REDACTED = "(redacted)"
# Events that make something: their resources are "created by the principal".
CREATE_PREFIXES = ("Create", "Run", "Put", "Import", "Allocate", "Register", "Copy", "Publish")
# Names in a record's request or response that identify what it touched.
_ID_KEYS = ("instanceId", "groupId", "groupName", "userName", "roleName", "policyName", "policyArn", "accessKeyId",
            "functionName", "functionArn", "bucketName", "arn", "keyName", "imageId", "snapshotId", "volumeId",
            "instanceProfileName", "topicArn", "queueUrl", "trailName", "name")
# Names in a create event's response (or, for S3, its request) that name what it made.
_MADE_KEYS = ("instanceId", "groupId", "userName", "roleName", "policyArn", "policyName", "accessKeyId",
              "functionName", "functionArn", "snapshotId", "volumeId", "instanceProfileName", "arn")


class RateLimiter:
    """A token bucket: at most ``rate`` acquisitions per second on average, bursts of ``burst``.
    One per region (LookupEvents' limit is per account and region). ``clock`` and ``sleep`` are
    time.monotonic and time.sleep unless a test gives its own."""

    def __init__(self, rate=RATE_PER_SECOND, burst=1, clock=None, sleep=None):
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.tokens = self.burst
        self.stamp = self.clock()
        self.lock = threading.Lock()

    def acquire(self):
        with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                self.sleep((1 - self.tokens) / self.rate)


def lookup(client, attribute, value, start, end, limiter):
    """Every raw event of one LookupAttribute in the client's region, newest first."""
    kwargs = dict(LookupAttributes=[{"AttributeKey": attribute, "AttributeValue": value}],
                  StartTime=start, EndTime=end, MaxResults=PAGE_SIZE)
    events = []
    while True:
        limiter.acquire()
        page = client.lookup_events(**kwargs)
        events.extend(page.get("Events") or [])
        token = page.get("NextToken")
        if not token:
            return events
        kwargs["NextToken"] = token


def scrub(value):
    """``value`` with every secret-looking key's value replaced (recursively)."""
    if isinstance(value, dict):
        return dict((k, REDACTED if any(w in str(k).lower().replace("-", "") for w in _SECRET_WORDS) and v
                     else scrub(v)) for k, v in value.items())
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _ids(value, found, keys=_ID_KEYS):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys and isinstance(v, str) and v:
                if v not in found:
                    found.append(v)
            else:
                _ids(v, found, keys)
    elif isinstance(value, list):
        for v in value:
            _ids(v, found, keys)
    return found


def record(raw, region):
    """One event as the timeline keeps it: time, region, event, source IP, user agent, the
    resources touched; the request and response with secrets redacted."""
    try:
        detail = json.loads(raw.get("CloudTrailEvent") or "{}")
    except ValueError:
        detail = {}
    identity = detail.get("userIdentity") or {}
    resources = []
    for item in raw.get("Resources") or []:
        if item.get("ResourceName") and item["ResourceName"] not in resources:
            resources.append(item["ResourceName"])
    request = scrub(detail.get("requestParameters"))
    response = scrub(detail.get("responseElements"))
    for name in _ids(request, []) + _ids(response, []):
        if name not in resources:
            resources.append(name)
    made = []
    if str(raw.get("EventName") or "").startswith(CREATE_PREFIXES) and not detail.get("errorCode"):
        made = _ids(response, [], _MADE_KEYS)
        if raw.get("EventName") == "CreateBucket":
            made = _ids(request, made, ("bucketName",))
    event = dict(time=utc_text(raw.get("EventTime")), region=detail.get("awsRegion") or region,
                 event=raw.get("EventName"), source=raw.get("EventSource"),
                 source_ip=detail.get("sourceIPAddress"), user_agent=detail.get("userAgent"),
                 username=raw.get("Username"), access_key_id=raw.get("AccessKeyId") or identity.get("accessKeyId"),
                 principal_arn=identity.get("arn"), error=detail.get("errorCode"), event_id=raw.get("EventId"),
                 read_only=raw.get("ReadOnly") == "true" if raw.get("ReadOnly") is not None else None,
                 resources=resources, created=made, request=request, response=response)
    return event


def merge(per_region):
    """[event] of every region, newest first (then region and id, for a stable order); an event
    seen twice (two lookups) once."""
    seen, events = set(), []
    for region in sorted(per_region):
        for event in per_region[region]:
            key = event.get("event_id") or id(event)
            if key in seen:
                continue
            seen.add(key)
            events.append(event)
    events.sort(key=lambda e: (e.get("region") or "", e.get("event_id") or ""))
    events.sort(key=lambda e: e.get("time") or "", reverse=True)
    return events


def summarize(events):
    """Counts by source IP, region, user agent and event name; first and last event time."""
    def count(key):
        counts = {}
        for event in events:
            value = event.get(key) or "(none)"
            counts[value] = counts.get(value, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    times = [e["time"] for e in events if e.get("time")]
    return dict(events=len(events), first=min(times) if times else None, last=max(times) if times else None,
                source_ips=count("source_ip"), regions=count("region"), user_agents=count("user_agent"),
                event_names=count("event"), errors=sum(1 for e in events if e.get("error")))


def created(events):
    """{name: the event that created it} from the successful Create*, Run*, Put*... events
    (the names their responses give; a bucket's from CreateBucket's request). The earliest event
    naming it: CreateUser made the user, not the CreateAccessKey whose response names it later."""
    names = {}
    for event in sorted(events, key=lambda e: e.get("time") or ""):
        for name in event.get("created") or []:
            names.setdefault(name, event)
    return names


def changes(events):
    """The successful events that are not reads, newest first."""
    return [e for e in events if not e.get("error") and e.get("read_only") is not True
            and not str(e.get("event") or "").startswith(("Get", "List", "Describe", "Head", "Lookup"))]


def session_keys(events):
    """Temporary access key ids issued by the AssumeRole events of ``events`` (a role's sessions)."""
    keys = []
    for event in events:
        if event.get("event") in ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"):
            creds = (event.get("response") or {}).get("credentials") or {}
            key = creds.get("accessKeyId")
            if key and key not in keys:
                keys.append(key)
    return keys

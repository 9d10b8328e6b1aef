"""EMULATION for tests: CloudTrail LookupEvents, which moto does not implement.

moto_server has no LookupEvents (it answers HTTP 500). Tests of investigate.yml need a timeline,
so tests/support/moto_server.py answers ``CloudTrail_20131101.LookupEvents`` from this emulated
event history once a test has seeded it. Nothing in plugins/ knows of it: the product calls
the real API, which AWS answers; this is test support only, and every test that relies on it
says "emulated" in its name.

    POST /bulwark-test/cloudtrail-events   {"events": {region: [entry, ...]},
                                            "failures": {region: {"code": ..., "message": ...}}}

An entry is what AWS's event history holds for one call: the CloudTrail record (the JSON that
LookupEvents returns as CloudTrailEvent) and the resources LookupEvents lists for it
(``{"record": {...}, "resources": [{"ResourceType": ..., "ResourceName": ...}]}``; AWS works
those out on its side, so the seed says them). EventId, EventName, EventTime, EventSource,
ReadOnly, AccessKeyId and Username are taken from the record as AWS does. A region listed in
"failures" answers that error (HTTP 400) to every LookupEvents. Seeding adds to what is there;
moto's POST /moto-api/reset empties it. Until something is seeded, LookupEvents goes to moto
as before (the gap stays visible).

What is emulated, as AWS documents it: exactly one LookupAttribute (EventId, EventName, ReadOnly,
Username, ResourceType, ResourceName, EventSource, AccessKeyId), StartTime and EndTime
(inclusive), MaxResults 1 to 50 (default 50), NextToken paging, newest first, and AWS's 400
errors for bad input (InvalidLookupAttributesException, InvalidTimeRangeException,
InvalidMaxResultsException, InvalidNextTokenException). Not emulated: EventCategory insight.
"""

import base64
import datetime
import json
import threading
import uuid

SEED_PATH = "/bulwark-test/cloudtrail-events"
# The X-Amz-Target; botocore puts the service's namespace before it in newer releases
# (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents).
TARGET = "CloudTrail_20131101.LookupEvents"
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource",
                  "AccessKeyId")
MAX_RESULTS = 50


class LookupError400(Exception):
    """An error LookupEvents answers with HTTP 400, named as AWS names it."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def epoch(iso_time):
    """Seconds since the epoch of a record's eventTime (2026-12-06T10:00:00Z)."""
    return datetime.datetime.strptime(iso_time, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def _username(identity):
    """LookupEvents' Username: the user's name, a role session's name, root for the root user."""
    kind = identity.get("type")
    if kind == "IAMUser":
        return identity.get("userName")
    if kind == "AssumedRole":
        return (identity.get("arn") or "").rsplit("/", 1)[-1] or None
    if kind == "Root":
        return "root"
    return identity.get("userName")


def lookup_event(entry):
    """The LookupEvents Event of one seeded entry."""
    record = entry["record"]
    identity = record.get("userIdentity") or {}
    event = {"EventId": record["eventID"], "EventName": record["eventName"], "EventTime": epoch(record["eventTime"]),
             "EventSource": record["eventSource"], "ReadOnly": "true" if record.get("readOnly") else "false",
             "Resources": [dict(r) for r in entry.get("resources") or []], "CloudTrailEvent": json.dumps(record)}
    for key, value in (("AccessKeyId", identity.get("accessKeyId")), ("Username", _username(identity))):
        if value:
            event[key] = value
    return event


def entry(when, name, source, region, identity, ip, request=None, response=None, error=None, read_only=False,
          resources=(), user_agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.1", event_id=None):
    """A seed entry: the CloudTrail record of one call at ``when`` (a datetime) by ``identity``
    (a record's userIdentity) from ``ip``, and the (ResourceType, ResourceName) pairs
    LookupEvents lists for it."""
    record = {"eventVersion": "1.09", "userIdentity": identity, "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": ip,
              "userAgent": user_agent, "requestParameters": request, "responseElements": response,
              "eventID": event_id or str(uuid.uuid4()), "readOnly": read_only, "eventType": "AwsApiCall",
              "managementEvent": True, "recipientAccountId": identity.get("accountId"), "eventCategory": "Management"}
    if error:
        record["errorCode"], record["errorMessage"] = error
    return {"record": record, "resources": [{"ResourceType": t, "ResourceName": n} for t, n in resources]}


def is_lookup(target):
    return bool(target) and (target == TARGET or target.endswith("." + TARGET))


def _matches(event, key, value):
    if key in ("ResourceType", "ResourceName"):
        return any(r.get(key) == value for r in event["Resources"])
    return event.get(key) == value


class EventHistory:
    """The emulated event history of one moto_server: {region: [Event]} and injected failures."""

    def __init__(self):
        self._lock = threading.Lock()
        self._events = {}
        self._failures = {}
        self.seeded = False

    def seed(self, events=None, failures=None):
        with self._lock:
            for region, entries in (events or {}).items():
                self._events.setdefault(region, []).extend(lookup_event(e) for e in entries)
            self._failures.update(failures or {})
            self.seeded = True

    def clear(self):
        with self._lock:
            self._events, self._failures, self.seeded = {}, {}, False

    def lookup(self, region, request):
        """The response of LookupEvents ``request`` (its JSON body) in ``region``; raises
        LookupError400 for what AWS refuses."""
        with self._lock:
            failure = self._failures.get(region)
            events = list(self._events.get(region, []))
        if failure:
            raise LookupError400(failure["code"], failure.get("message") or "injected by the test")
        attributes = request.get("LookupAttributes") or []
        if len(attributes) > 1:
            raise LookupError400("InvalidLookupAttributesException",
                                 "You can only specify one LookupAttribute at a time.")
        for attribute in attributes:
            if attribute.get("AttributeKey") not in ATTRIBUTE_KEYS:
                raise LookupError400("InvalidLookupAttributesException",
                                     "Invalid AttributeKey: %s" % attribute.get("AttributeKey"))
            if not 1 <= len(attribute.get("AttributeValue") or "") <= 2000:
                raise LookupError400("InvalidLookupAttributesException", "AttributeValue must be 1 to 2000 characters")
        start, end = request.get("StartTime"), request.get("EndTime")
        if start is not None and end is not None and float(start) > float(end):
            raise LookupError400("InvalidTimeRangeException", "StartTime must be before EndTime")
        size = request.get("MaxResults", MAX_RESULTS)
        if not isinstance(size, int) or not 1 <= size <= MAX_RESULTS:
            raise LookupError400("InvalidMaxResultsException", "MaxResults must be 1 to %d" % MAX_RESULTS)
        query = json.dumps([attributes, start, end], sort_keys=True)
        offset = _offset(request.get("NextToken"), query)
        found = [e for e in events
                 if (start is None or e["EventTime"] >= float(start)) and (end is None or e["EventTime"] <= float(end))
                 and all(_matches(e, a["AttributeKey"], a["AttributeValue"]) for a in attributes)]
        found.sort(key=lambda e: (e["EventTime"], e["EventId"]), reverse=True)
        page = found[offset:offset + size]
        response = {"Events": page}
        if offset + size < len(found):
            response["NextToken"] = _token(offset + size, query)
        return response


def _token(offset, query):
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "query": query}).encode()).decode()


def _offset(token, query):
    """The offset a NextToken carries; AWS refuses a token of another query or a made-up one."""
    if token is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        if data["query"] == query and isinstance(data["offset"], int) and data["offset"] >= 0:
            return data["offset"]
    except (ValueError, KeyError, TypeError):
        pass
    raise LookupError400("InvalidNextTokenException", "Invalid NextToken")


def _json_response(start_response, status, payload, error_type=None):
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body))),
               ("x-amzn-RequestId", "bulwark-emulated-lookup-events")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(status, headers)
    return [body]


def answer_seed(history, environ, start_response):
    """POST /bulwark-test/cloudtrail-events: add to the emulated history."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    data = json.loads(body or b"{}")
    history.seed(data.get("events"), data.get("failures"))
    return _json_response(start_response, "200 OK", {"seeded": True})


def answer_lookup(history, region, body, start_response):
    """LookupEvents in ``region`` from the emulated history (body: the request's JSON)."""
    try:
        response = history.lookup(region, json.loads(body or b"{}"))
    except LookupError400 as e:
        return _json_response(start_response, "400 Bad Request", {"__type": e.code, "message": e.message}, e.code)
    return _json_response(start_response, "200 OK", response)


def seed(url, events=None, failures=None):
    """Seed the emulated event history of the moto_server at ``url`` (a test's helper)."""
    import urllib.request

    data = json.dumps({"events": events or {}, "failures": failures or {}}).encode()
    req = urllib.request.Request(url.rstrip("/") + SEED_PATH, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())

"""moto's request recorder, and which recorded requests were writes.

    with Recorder(url) as rec:
        ...                       # anything that calls moto
    rec.writes()                  # [(service, operation, region), ...] that change state

A request is matched to its AWS operation through botocore's own service models (the
Action parameter, the X-Amz-Target header, or the REST method and URI), so REST services
whose reads are POSTs are classified right too.
"""

import base64
import json
import re
import threading
import urllib.parse
import urllib.request

import botocore.session

# Operation names that never change state (same rule module_utils/aws.py enforces).
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Select", "GenerateCredentialReport",
                 "GenerateServiceLastAccessedDetails", "Search", "BatchGet")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_models = {}
_models_lock = threading.Lock()
# Signing names whose services are not simply the service of the same name. Anything else is
# looked up by name first; only an unknown signing name scans every model (once, cached).
# Never load every model per request: the fault proxy identifies requests from dozens of
# threads at once, and each full scan holds ~400 service models in memory.
_SERVICES_BY_SIGNING_NAME = {
    "s3": ("s3", "s3control"),
    "monitoring": ("cloudwatch",),
    "access-analyzer": ("accessanalyzer",),
}


def _services_for(session, signing_name):
    available = session.get_available_services()
    known = _SERVICES_BY_SIGNING_NAME.get(signing_name)
    if known:
        return known
    if signing_name in available:
        return (signing_name,)
    return tuple(service for service in available
                 if (session.get_service_model(service).signing_name or "") == signing_name)


def _rest_routes(signing_name):
    """[(method, compiled uri regex, operation name)] of every service with this signing name."""
    with _models_lock:
        if signing_name not in _models:
            _models[signing_name] = _build_routes(signing_name) if signing_name else []
        return _models[signing_name]


def _build_routes(signing_name):
    session = botocore.session.get_session()
    routes = []
    for service in _services_for(session, signing_name):
        model = session.get_service_model(service)
        if (model.signing_name or model.endpoint_prefix) != signing_name:
            continue
        for op_name in model.operation_names:
            http = model.operation_model(op_name).http
            path = http["requestUri"].split("?")[0]
            pattern = "".join((".+" if part.endswith("+}") else "[^/]+") if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[^}]+\})", path))
            query = http["requestUri"].split("?")[1] if "?" in http["requestUri"] else ""
            routes.append((http["method"], re.compile("^" + pattern.rstrip("/") + "/?$"), query, op_name))
    # Literal paths before templated ones, and routes that need a query key first.
    routes.sort(key=lambda r: (-len(r[2]), r[1].pattern.count("[^/]+") + r[1].pattern.count(".+")))
    return routes


def identify(entry):
    """(service, operation, region) of one recorded request; operation may be None."""
    headers = dict((k.lower(), v) for k, v in entry.get("headers", {}).items())
    scope = _SCOPE.search(headers.get("authorization", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else (None, None)
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    target = headers.get("x-amz-target")
    if target:
        return service, target.split(".")[-1], region
    parsed = urllib.parse.urlparse(entry["url"])
    form = urllib.parse.parse_qs(body) if "x-www-form-urlencoded" in headers.get("content-type", "") else {}
    action = (form.get("Action") or urllib.parse.parse_qs(parsed.query).get("Action") or [None])[0]
    if action:
        return service, action, region
    query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
    for method, pattern, needs_query, op_name in _rest_routes(service):
        if method != entry["method"] or not pattern.match(parsed.path or "/"):
            continue
        if needs_query and needs_query.split("=")[0] not in query:
            continue
        return service, op_name, region
    return service, None, region


def is_write(operation, method):
    if operation is None:
        return method not in ("GET", "HEAD")
    return not operation.startswith(READ_PREFIXES)


class Recorder:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.entries = []

    def _call(self, path, method="POST"):
        req = urllib.request.Request(self.url + "/moto-api/recorder/" + path, method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read().decode("utf-8")

    def start(self):
        self._call("reset-recording")
        self._call("start-recording")
        return self

    def stop(self):
        self._call("stop-recording")
        text = self._call("download-recording", method="GET")
        self.entries = [json.loads(line) for line in text.splitlines() if line.strip()]
        return self.entries

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def calls(self):
        """[(service, operation, region)] of every recorded request, moto-api calls left out."""
        return [identify(e) for e in self.entries if "/moto-api/" not in e["url"]]

    def writes(self):
        return [c for c, e in zip(self.calls(), [e for e in self.entries if "/moto-api/" not in e["url"]])
                if is_write(c[1], e["method"])]


def main(argv=None):
    """For molecule and shell use:
    python -m tests.support.recorder start --endpoint URL
    python -m tests.support.recorder stop --endpoint URL --out calls.json   # {calls, writes}
    """
    import argparse

    parser = argparse.ArgumentParser(description="moto request recorder")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    rec = Recorder(args.endpoint)
    if args.action == "start":
        rec.start()
        return 0
    rec.stop()
    result = {"calls": rec.calls(), "writes": rec.writes()}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    print("%d calls, %d writes" % (len(result["calls"]), len(result["writes"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

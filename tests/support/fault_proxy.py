"""A fault-injecting HTTP proxy between AWS clients and a local moto_server.

    with FaultProxy(moto.url, Rule("throttle", share=0.3), seed=7) as proxy:
        env = dict(moto.env(), AWS_ENDPOINT_URL=proxy.url)   # modules reach moto through it
        ...
    proxy.injected            # Counter {(fault, service, operation, region): n}

Clients talk to the proxy on 127.0.0.1 (a free port); it forwards every request, unchanged
(the Host header too, so SigV4 signatures still verify when moto enforces IAM), to the one
moto URL it was given, and only there: the target must be http://127.0.0.1:PORT.

A ``Rule`` selects requests by service (the SigV4 signing name: iam, sts, ec2, guardduty,
monitoring ...), operation and region, identified the way tests/support/recorder.py does
(its ``identify``), and answers a share of them (seeded random, reproducible) with a fault
instead of forwarding them:

    throttle   the service's own throttling error       deny   its AccessDenied error
    500 / 503  InternalError / ServiceUnavailable       drop   the connection is closed, no answer

Error bodies take the shape of the service's protocol, the codes are the ones AWS sends:

    protocol               throttle                        deny
    query (IAM, STS, SNS)  400 Throttling, XML ErrorResponse   403 AccessDenied
    ec2                    503 RequestLimitExceeded, XML       403 UnauthorizedOperation
    json (x-amz-target)    400 ThrottlingException, JSON       400 AccessDeniedException
    rest-json              429 ThrottlingException, JSON       403 AccessDeniedException
    rest-xml (S3)          503 SlowDown, XML Error             403 AccessDenied

JSON bodies are ``{"__type": code, "message": ...}`` with an ``x-amzn-ErrorType`` header. The
deny message names the IAM action, like AWS does. moto-api calls (/moto-api/...) are never
faulted. Python standard library only; the server runs in daemon threads and stops when the
``with`` block ends.
"""

import collections
import http.client
import http.server
import json
import os
import random
import re
import socket
import sys
import threading
import urllib.parse
import uuid

from tests.support.recorder import identify, is_write

_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            ".collections")
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)

from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import iam_action  # noqa: E402

FAULTS = ("throttle", "500", "503", "drop", "deny")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
               "transfer-encoding", "upgrade", "content-length", "expect"}
# rpc-v2-cbor requests name their operation in the path (recorder.identify does not know them).
_RPC_V2_PATH = re.compile(r"/service/[^/]+/operation/([^/?]+)")
# Services whose REST protocol is XML (everything else without Action= or X-Amz-Target is rest-json).
_REST_XML = {"s3", "s3-control", "route53", "cloudfront"}
_TEST_ACCOUNT = "123456789012"


class Rule:
    """Which requests get which fault. ``None`` selects any service / operation / region.

    share: the probability (0..1) that a matching request is faulted; limit: at most this many
    faults from this rule (None: no limit).
    """

    def __init__(self, fault, share=1.0, service=None, operation=None, region=None, limit=None):
        if fault not in FAULTS:
            raise ValueError("fault must be one of %s, not %r" % (", ".join(FAULTS), fault))
        if not 0.0 <= share <= 1.0:
            raise ValueError("share must be between 0 and 1, not %r" % share)
        self.fault, self.share, self.limit = fault, share, limit
        self.service, self.operation, self.region = service, operation, region
        self.count = 0

    def matches(self, service, operation, region):
        return ((self.service is None or self.service == service)
                and (self.operation is None or self.operation == operation)
                and (self.region is None or self.region == region))

    def __repr__(self):
        return "Rule(%r, share=%s, service=%s, operation=%s, region=%s, limit=%s)" % (
            self.fault, self.share, self.service, self.operation, self.region, self.limit)


def protocol_of(service, headers, operation_from_form):
    """The wire protocol of a request: query, ec2, json, rpc-v2-cbor, rest-json or rest-xml."""
    if headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "rpc-v2-cbor"
    if headers.get("x-amz-target"):
        return "json"
    if operation_from_form:
        return "ec2" if service == "ec2" else "query"
    return "rest-xml" if service in _REST_XML else "rest-json"


def _codes(fault, protocol):
    """(HTTP status, error code, message) of a fault in a protocol."""
    if fault == "throttle":
        return {"query": (400, "Throttling", "Rate exceeded"),
                "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
                "rest-json": (429, "ThrottlingException", "Rate exceeded"),
                "rest-xml": (503, "SlowDown", "Please reduce your request rate.")}.get(
                    protocol, (400, "ThrottlingException", "Rate exceeded"))
    if fault == "deny":
        return {"query": (403, "AccessDenied", None), "ec2": (403, "UnauthorizedOperation", None),
                "rest-json": (403, "AccessDeniedException", None), "rest-xml": (403, "AccessDenied", None)}.get(
                    protocol, (400, "AccessDeniedException", None))
    if fault == "500":
        return 500, "InternalFailure" if protocol != "rest-xml" else "InternalError", \
            "The request processing has failed because of an unknown error."
    return 503, "ServiceUnavailable", "Service is unavailable. Please try again."


def _cbor_text(value):
    data = value.encode("utf-8")
    return _cbor_head(3, len(data)) + data


def _cbor_head(major, length):
    if length < 24:
        return bytes([major << 5 | length])
    if length < 256:
        return bytes([major << 5 | 24, length])
    return bytes([major << 5 | 25]) + length.to_bytes(2, "big")


def error_response(fault, protocol, service, operation, region):
    """(status, headers, body bytes) of the fault, shaped for the protocol."""
    status, code, message = _codes(fault, protocol)
    if message is None:
        action = iam_action(service or "?", operation or "?")
        message = ("User: arn:aws:iam::%s:user/testing is not authorized to perform: %s on resource: * "
                   "because no identity-based policy allows the %s action" % (_TEST_ACCOUNT, action, action))
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if protocol in ("query", "ec2", "rest-xml"):
        esc = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if protocol == "ec2":
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code>"
                    "<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>"
                    % (code, esc, request_id))
        elif protocol == "rest-xml":
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                    "<RequestId>%s</RequestId></Error>" % (code, esc, request_id))
        else:
            body = ("<ErrorResponse xmlns=\"https://%s.amazonaws.com/doc/\"><Error><Type>%s</Type>"
                    "<Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>"
                    % (service, "Sender" if status < 500 else "Receiver", code, esc, request_id))
        headers["Content-Type"] = "text/xml"
        return status, headers, body.encode("utf-8")
    headers["x-amzn-ErrorType"] = code
    if protocol == "rpc-v2-cbor":
        headers["Content-Type"] = "application/cbor"
        headers["smithy-protocol"] = "rpc-v2-cbor"
        body = _cbor_head(5, 2) + _cbor_text("__type") + _cbor_text(code) + _cbor_text("message") + \
            _cbor_text(message)
        return status, headers, body
    headers["Content-Type"] = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
    return status, headers, json.dumps({"__type": code, "message": message}).encode("utf-8")


def _check_target(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "http" or parsed.hostname != "127.0.0.1" or not parsed.port:
        raise ValueError("the fault proxy forwards only to a local moto_server (http://127.0.0.1:PORT), not %r"
                         % url)
    return parsed.hostname, parsed.port


class FaultProxy:
    """A proxy on 127.0.0.1 and a free port that forwards to ``target`` (moto) or injects faults.

    Attributes, safe to read while it runs: ``url``; ``injected``, a Counter of
    (fault, service, operation, region); ``seen``, every request as (service, operation,
    region, method) in arrival order (faulted ones included); ``forwarded_writes``, the
    number of write calls forwarded to moto; ``answered``, every forwarded request as (service,
    operation, region, method, HTTP status of moto's answer). With ``hold_after_writes=N`` every request after
    the N-th forwarded write is held unanswered (``held`` counts them) until the proxy stops.
    """

    def __init__(self, target, *rules, seed=0, timeout=60, hold_after_writes=None):
        self.target = target.rstrip("/")
        self._host, self._port = _check_target(self.target)
        self.rules = list(rules)
        self.timeout = timeout
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._writes = threading.Condition(self._lock)
        self.injected = collections.Counter()
        self.seen = []
        self.answered = []
        self.forwarded_writes = 0
        # After this many forwarded writes every further request is held unanswered until the
        # proxy stops: the caller looks frozen right after a write, ready to be killed.
        self.hold_after_writes = hold_after_writes
        self.held = 0
        self._release = threading.Event()
        self._server = None
        self._thread = None
        self.url = None

    # --- decisions ---------------------------------------------------------------------------
    def set_rules(self, *rules):
        with self._lock:
            self.rules = list(rules)

    def _hold(self):
        """True when this request is held (and then dropped unanswered)."""
        with self._lock:
            if self.hold_after_writes is None or self.forwarded_writes < self.hold_after_writes:
                return False
            self.held += 1
        self._release.wait(self.timeout)
        return True

    def _choose(self, service, operation, region, method):
        """The fault for this request, or None; records it in ``seen`` / ``injected``."""
        with self._lock:
            self.seen.append((service, operation, region, method))
            for rule in self.rules:
                if not rule.matches(service, operation, region):
                    continue
                if rule.limit is not None and rule.count >= rule.limit:
                    continue
                if rule.share < 1.0 and self._random.random() >= rule.share:
                    continue
                rule.count += 1
                self.injected[(rule.fault, service, operation, region)] += 1
                return rule.fault
            return None

    def _forwarded(self, service, operation, region, method, status):
        with self._lock:
            self.answered.append((service, operation, region, method, status))
        if status < 400 and is_write(operation, method):
            with self._writes:
                self.forwarded_writes += 1
                self._writes.notify_all()

    def wait_for_writes(self, count, timeout):
        """Block until ``count`` write calls were forwarded (True) or ``timeout`` seconds pass (False)."""
        with self._writes:
            return self._writes.wait_for(lambda: self.forwarded_writes >= count, timeout=timeout)

    def total(self, fault=None):
        """How many faults were injected (of one kind when given)."""
        with self._lock:
            return sum(n for key, n in self.injected.items() if fault in (None, key[0]))

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self):
        proxy = self

        class Handler(_Handler):
            owner = proxy
            timeout = proxy.timeout

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    owner = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: one line per request otherwise

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path)
        # Only the path and query of the request line: the destination is always the target.
        path = (path.path or "/") + ("?" + path.query if path.query else "")
        headers = dict((k.lower(), v) for k, v in self.headers.items())
        fault = None
        operation = service = region = None
        if not path.startswith("/moto-api/"):
            service, operation, region = identify({
                "headers": headers, "body": body.decode("utf-8", "replace"), "method": self.command,
                "url": self.owner.target + path})
            rpc = _RPC_V2_PATH.search(path)
            if operation is None and rpc:
                operation = rpc.group(1)
            fault = "drop" if self.owner._hold() else self.owner._choose(service, operation, region, self.command)
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault:
            form_action = "x-www-form-urlencoded" in headers.get("content-type", "") or "Action=" in path
            status, out_headers, out_body = error_response(
                fault, protocol_of(service, headers, form_action), service, operation, region)
            self._reply(status, out_headers, out_body)
            return
        status, out_headers, out_body = self._forward(path, headers, body)
        if not path.startswith("/moto-api/"):
            self.owner._forwarded(service, operation, region, self.command, status)
        self._reply(status, out_headers, out_body)

    def _forward(self, path, headers, body):
        conn = http.client.HTTPConnection(self.owner._host, self.owner._port, timeout=self.owner.timeout)
        try:
            send = dict((k, v) for k, v in headers.items() if k not in _HOP_BY_HOP)
            conn.request(self.command, path, body=body if (body or self.command in ("POST", "PUT")) else None,
                         headers=send)
            resp = conn.getresponse()
            data = resp.read()
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP]
            if self.command == "HEAD" and resp.getheader("Content-Length"):
                out.append(("Content-Length", resp.getheader("Content-Length")))  # the object's size
            return resp.status, out, data
        finally:
            conn.close()

    def _reply(self, status, headers, body):
        self.send_response(status)
        items = headers.items() if isinstance(headers, dict) else headers
        has_length = False
        for name, value in items:
            if name.lower() not in ("server", "date"):
                self.send_header(name, value)
                has_length = has_length or name.lower() == "content-length"
        if not has_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

"""A moto_server on 127.0.0.1 and a free port, for tests, molecule, the demo and benchmarks.

Never any other address: tests talk to moto only.

    python -m tests.support.moto_server --state-file .demo/moto.json   # runs until killed
"""

import argparse
import json
import os
import re
import signal
import sys
import tempfile
import time
import urllib.request

from tests.support import cloudtrail_events, securityhub_workflow

# AWS managed policies (AdministratorAccess, AWSSupportAccess, ...) exist only with this set,
# and it is read when moto's IAM backend is first built: set it before moto is imported.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# moto's request recorder appends to one file, ./moto_recording unless told otherwise, read
# when moto is imported. Parallel test workers (pytest -n) would record into, and reset, each
# other's file: one file per process.
os.environ["MOTO_RECORDER_FILEPATH"] = os.path.join(tempfile.gettempdir(), "bulwark-moto-recording-%d" % os.getpid())

# moto accepts any credentials. The secret is distinctive on purpose: modules mark it no_log,
# so Ansible masks every occurrence of its value in output; a common word would be masked
# all over the place.
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "bulwark-moto-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
ACCOUNT_ID = "123456789012"  # moto's default account


# Services moto does not implement at all. moto answers their requests with an HTTP 500 from
# its own crash (no backend for the signing name); botocore retries a 500 with backoff, so every
# run waited ~20 s on them. They get 501 NotImplemented instead, which is not retried, and the
# module's finding says the endpoint does not implement the call. Nothing is faked: the call
# still fails, only sooner. tests/support/moto_gaps.py lists the operations.
NOT_IN_MOTO = {"access-analyzer": "IAM Access Analyzer"}
# Operations of query-protocol services (the Action parameter) that moto lacks: moto crashes on
# them with a traceback on its stderr, once per region and run. They get 501 too, in the
# service's XML error form (answered here, so moto's recorder does not see them).
NOT_IN_MOTO_ACTIONS = {"ec2": ("GetInstanceMetadataDefaults", "ModifyInstanceMetadataDefaults")}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")  # region, service
_ACTION = re.compile(rb"(?:^|&)Action=([A-Za-z]+)")


def _missing_action(environ, service):
    """The Action of a request to ``service`` when moto lacks it, else None. The body is read
    and put back for moto."""
    import io

    if service not in NOT_IN_MOTO_ACTIONS:
        return None
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    match = _ACTION.search(body)
    action = match.group(1).decode() if match else None
    return action if action in NOT_IN_MOTO_ACTIONS[service] else None


def _record(environ, body):
    """Put a request answered here into moto's request recorder, as moto would have, so the
    Recorder's counts of calls and writes include it."""
    from moto.core.request import Request
    from moto.moto_api import recorder

    recorder._record_request(Request(environ), body)


def not_implemented_answers(app, event_history=None):
    """WSGI middleware: a 501 for the services in NOT_IN_MOTO and the operations in
    NOT_IN_MOTO_ACTIONS; CloudTrail LookupEvents from ``event_history`` (EMULATION, see
    tests/support/cloudtrail_events.py) once a test seeded it; everything else to moto."""
    import io

    history = event_history if event_history is not None else cloudtrail_events.EventHistory()

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == cloudtrail_events.SEED_PATH and environ.get("REQUEST_METHOD") == "POST":
            return cloudtrail_events.answer_seed(history, environ, start_response)
        if path == "/moto-api/reset":  # moto's reset empties the emulated history too
            history.clear()
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope and history.seeded and cloudtrail_events.is_lookup(environ.get("HTTP_X_AMZ_TARGET")):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            _record(environ, body)
            return cloudtrail_events.answer_lookup(history, scope.group(1), body, start_response)
        action = _missing_action(environ, scope.group(2)) if scope else None
        if action:
            body = ("<Response><Errors><Error><Code>NotImplemented</Code><Message>moto does not implement %s"
                    "</Message></Error></Errors><RequestID>moto-gap</RequestID></Response>" % action).encode()
            start_response("501 Not Implemented", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
            return [body]
        if scope and scope.group(2) in NOT_IN_MOTO:
            body = json.dumps({"__type": "NotImplemented",
                               "message": "moto does not implement %s" % NOT_IN_MOTO[scope.group(2)]}).encode()
            start_response("501 Not Implemented", [("Content-Type", "application/x-amz-json-1.1"),
                                                   ("x-amzn-ErrorType", "NotImplemented"),
                                                   ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)
    return wrapped


def _threaded_server_class():
    securityhub_workflow.install()  # EMULATION: BatchUpdateFindings (see that module)
    from moto.server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    class Server(ThreadedMotoServer):
        # moto's own _server_entry, with the middleware around its application.
        def _server_entry(self):
            app = not_implemented_answers(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True)
            self._server_ready_event.set()
            self._server.serve_forever()

    return Server


class MotoServer:
    """Start with ``start()``; ``url`` is the endpoint; ``env()`` the variables for subprocesses."""

    def __init__(self):
        self._server = None
        self.url = None

    def start(self):
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self._server = _threaded_server_class()(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = "http://%s:%d" % (host, port)
        return self

    def stop(self):
        if self._server:
            self._server.stop()
            self._server = None

    def env(self, base=None):
        """Environment for a subprocess (ansible-playbook) that must reach this server only."""
        env = dict(os.environ if base is None else base)
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_SESSION_TOKEN",
                     "AWS_SECURITY_TOKEN"):
            env.pop(name, None)
        env.update(TEST_CREDENTIALS)
        env["AWS_ENDPOINT_URL"] = self.url
        # Keep botocore from looking for instance metadata credentials off this machine.
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        return env

    def _post(self, path, data=b"", timeout=30):
        req = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()

    def reset(self):
        # Resetting 50 accounts' backends in 20 regions (benchmarks/org_scale.py) took over 30 s.
        self._post("/moto-api/reset", timeout=600)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-file", required=True,
                        help="where to write {url, pid} for the caller (removed on exit)")
    args = parser.parse_args(argv)
    server = MotoServer().start()
    os.makedirs(os.path.dirname(os.path.abspath(args.state_file)), exist_ok=True)
    with open(args.state_file, "w") as f:
        json.dump({"url": server.url, "pid": os.getpid()}, f)

    def stop(*_):
        server.stop()
        try:
            os.remove(args.state_file)
        except OSError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(3600)


def wait_for_state_file(path, timeout=30):
    """For a parent that started ``main`` in the background: returns {url, pid}."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                try:
                    return json.load(f)
                except ValueError:
                    pass
        time.sleep(0.1)
    raise RuntimeError("moto_server did not start within %d s (state file %s)" % (timeout, path))


if __name__ == "__main__":
    main()

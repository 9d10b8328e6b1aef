"""Faults and stand-ins for the clients a module makes, in unit tests.

    on_new_clients(monkeypatch, hook, ...)   # hook(service, region, client) for each new client
    deny_region("eu-west-2")                 # a hook: every call there answers AccessDenied
    StubbedService("accessanalyzer", script) # a hook: botocore Stubber for an API moto lacks

Hooks see every client made after on_new_clients, the module's and the test's own: seed the
account first. A denied or stubbed call never reaches moto.
"""

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber


def on_new_clients(monkeypatch, *hooks):
    # Every client, boto3's or the modules' own botocore sessions', is made by create_client.
    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        made = original(self, *args, **kwargs)
        for hook in hooks:
            hook(made.meta.service_model.service_name, made.meta.region_name, made)
        return made

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)


def error_response(code, message, status=403):
    """What a before-call handler returns to make botocore raise ClientError(code)."""
    return (AWSResponse("https://denied.invalid/", status, {}, None),
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}})


class deny_region:  # noqa: N801 - used like a function
    """Every call of ``services`` (default: all but sts) in ``region`` answers AccessDenied."""

    def __init__(self, region, services=None, code="AccessDenied", message="User is not authorized (injected by the test)"):
        self.region = region
        self.services = services
        self.code = code
        self.message = message
        self.denied = []  # (service, operation) seen

    def __call__(self, service, region, client):
        if region != self.region or service == "sts" or (self.services and service not in self.services):
            return

        def handler(model, **_kwargs):
            self.denied.append((service, model.name))
            return error_response(self.code, self.message)

        # First among the most specific handlers, so it answers before a Stubber would.
        client.meta.events.register_first("before-call.*.*", handler)


class StubbedService:
    """A botocore Stubber on every client of ``service``: ``script(region, stubber)`` queues the
    responses that client will give, in order, when it is made. ``assert_done()`` checks that
    each stubbed client got exactly the calls queued."""

    def __init__(self, service, script):
        self.service = service
        self.script = script
        self.stubbers = []

    def __call__(self, service, region, client):
        if service != self.service:
            return
        stubber = Stubber(client)
        self.script(region, stubber)
        stubber.activate()
        self.stubbers.append((region, stubber))

    def regions(self):
        return sorted(set(r for r, _s in self.stubbers))

    def assert_done(self):
        for _region, stubber in self.stubbers:
            stubber.assert_no_pending_responses()

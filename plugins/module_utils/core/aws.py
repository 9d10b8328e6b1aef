# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connections to AWS: the one place that builds botocore sessions and clients.

Options follow amazon.aws (profile, region, endpoint_url, access_key, secret_key,
session_token, assume_role_arn, external_id, validate_certs) and fall back to the standard
AWS environment variables. Retries are botocore's own (adaptive mode by default; the
standard AWS_RETRY_MODE / AWS_MAX_ATTEMPTS variables override it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import threading
import time

try:
    from urllib.parse import urlparse
except ImportError:  # pragma: no cover - Python 2 is not supported, keeps sanity's compile test quiet
    from urlparse import urlparse

try:
    # botocore only: boto3 adds resources and s3transfer (about 0.1 s of CPU to import in every
    # module run, for every account of an Organization) and nothing these modules use.
    import botocore
    import botocore.client
    import botocore.parsers
    import botocore.session
    from botocore.config import Config
    # BotoCoreError is re-exported: modules catch aws.BotoCoreError.
    from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=unused-import
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as e:  # pragma: no cover - reported by the module with missing_required_lib
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = e
    # Stand-ins, so that `except aws.ClientError` and tuples of faults built at import time still
    # work (the module then stops with missing_required_lib). Bound through globals() so that
    # static analysis (pylint's catching-non-exception) sees botocore's classes only.
    globals().update(BotoCoreError=Exception, ClientError=Exception)

from ansible.module_utils.basic import env_fallback

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "bulwark.aws/%s" % COLLECTION_VERSION
DEFAULT_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 10

AWS_ARGUMENT_SPEC = dict(
    profile=dict(type="str", aliases=["aws_profile"], fallback=(env_fallback, ["AWS_PROFILE"])),
    region=dict(type="str", aliases=["aws_region"],
                fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"], fallback=(env_fallback, ["AWS_ENDPOINT_URL"])),
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=False,
                    fallback=(env_fallback, ["AWS_ACCESS_KEY_ID"])),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True,
                    fallback=(env_fallback, ["AWS_SECRET_ACCESS_KEY"])),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True,
                       fallback=(env_fallback, ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"])),
    assume_role_arn=dict(type="str"),
    external_id=dict(type="str", no_log=True),
    role_session_name=dict(type="str"),
    validate_certs=dict(type="bool", default=True),
)

_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# Operation name prefixes that never change anything. Under check mode (or enforce=false) a
# client refuses every other operation: a second line of defence behind the modules' own
# `if module.may_change` guards, so an audit cannot write even through a bug.
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Select", "GenerateCredentialReport",
                      "GenerateServiceLastAccessedDetails", "Search", "BatchGet")

# IAM action prefixes where botocore's service name differs from the IAM policy prefix.
_IAM_PREFIX = {"monitoring": "cloudwatch", "accessanalyzer": "access-analyzer", "s3control": "s3",
               "cloudwatch": "cloudwatch", "logs": "logs", "efs": "elasticfilesystem"}


class AwsOptionError(ValueError):
    """A connection option is wrong: the message names the option and what to fix."""


class WriteBlockedError(RuntimeError):
    """A write call was attempted in check mode / audit mode."""


_KNOWN_REGIONS = {}


def known_regions():
    """Every region botocore knows, in every partition, as {region: partition}.

    From botocore's partitions data (what its endpoint rules resolve against; 5 ms of CPU), not
    get_available_regions(), which loads a whole service model (~0.1 s) in every module run.
    Its "<partition>-global" pseudo regions are not regions. Computed once per process."""
    if not _KNOWN_REGIONS:
        loader = botocore.session.get_session().get_component("data_loader")
        for partition in loader.load_data("partitions")["partitions"]:
            for region in partition["regions"]:
                if not region.endswith("-global"):
                    _KNOWN_REGIONS[region] = partition["id"]
    return dict(_KNOWN_REGIONS)


def validate_region(name, option="region"):
    if name not in known_regions():
        raise AwsOptionError(
            "%s: %r is not an AWS region (expected e.g. us-east-1 or eu-west-1; a brand-new region may "
            "need a newer botocore)" % (option, name))
    return name


def validate_connection_params(params):
    """Check the connection options before any AWS call. Raises AwsOptionError."""
    if params.get("region"):
        validate_region(params["region"])
    endpoint = params.get("endpoint_url")
    if endpoint:
        parsed = urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise AwsOptionError(
                "endpoint_url: %r is not a URL; give scheme and host, e.g. https://sts.eu-west-1.amazonaws.com "
                "or http://127.0.0.1:5000 (also read from AWS_ENDPOINT_URL)" % endpoint)
    if bool(params.get("access_key")) != bool(params.get("secret_key")):
        raise AwsOptionError(
            "access_key and secret_key go together: give both (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
            "or neither and use a profile")
    role = params.get("assume_role_arn")
    if role and not _ROLE_ARN.match(role):
        raise AwsOptionError(
            "assume_role_arn: %r is not an IAM role ARN (expected arn:aws:iam::123456789012:role/NAME)" % role)
    if params.get("external_id") and not role:
        raise AwsOptionError("external_id is only used with assume_role_arn: give the role to assume")
    name = params.get("role_session_name")
    if name and not _SESSION_NAME.match(name):
        raise AwsOptionError("role_session_name: %r must be 2-64 characters of letters, digits and +=,.@_-" % name)


def default_session_name(environ=None):
    """``bulwark-aws-<run id>``: the role session name that shows in the target account's CloudTrail.

    The run id is BULWARK_RUN_ID when set (every module run of one playbook run then uses the
    same name), else ``job-<JOB_ID>`` under AWX / Automation Platform (which sets JOB_ID), else
    the unix time of this module run.
    """
    environ = os.environ if environ is None else environ
    run_id = environ.get("BULWARK_RUN_ID") or ("job-" + environ["JOB_ID"] if environ.get("JOB_ID") else "")
    run_id = re.sub(r"[^\w+=,.@-]+", "-", run_id).strip("-") or str(int(time.time()))
    return ("bulwark-aws-" + run_id)[:64]


def is_loopback(endpoint_url):
    return bool(endpoint_url) and urlparse(endpoint_url).hostname in _LOOPBACK_HOSTS


def iam_action(service_name, operation):
    return "%s:%s" % (_IAM_PREFIX.get(service_name, service_name), operation)


def _plain(text, code):
    """An error message as one short line: an HTML error page (a proxy, an emulator) is
    reduced to its title, and a title repeating the status code loses it."""
    text = " ".join(text.split()).rstrip(".")
    if text.startswith("<"):
        title = re.search(r"<title>(.*?)</title>", text, re.I)
        text = title.group(1).strip() if title else ""
        if text.startswith(code + " "):
            text = text[len(code) + 1:]
    return text


def describe_error(exc, service=None):
    """One line a tired operator understands: what failed, why, what to do."""
    if isinstance(exc, WriteBlockedError):
        return str(exc)
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code") or str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?"))
        text = _plain(err.get("Message") or "", code)
        op = getattr(exc, "operation_name", "?")
        what = "%s %s" % (service or "AWS", op)
        line = "%s failed: %s%s" % (what, code, (" (%s)" % text) if text else "")
        low = code.lower()
        if op == "AssumeRole" and ("accessdenied" in low or code in ("NoSuchEntity", "403")):
            hint = ("the role may not exist in that account, or its trust policy does not let the identity running "
                    "bulwark assume it (with this external id); see docs/multi-account.md")
        elif "accessdenied" in low or "unauthorized" in low or code in ("AuthorizationError", "403"):
            hint = "grant %s to the identity running bulwark (see docs/policies/)" % iam_action(service or "?", op)
        elif "throttl" in low or code in ("RequestLimitExceeded", "TooManyRequestsException", "SlowDown"):
            hint = "still throttled after botocore's retries; run again later or with fewer forks"
        elif code in ("OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"):
            hint = "the region may not be enabled for this account, or the credentials are not valid there"
        elif code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
            hint = "the credentials have expired; refresh them (aws sso login, or new session tokens)"
        elif code in ("404", "500", "501", "NotImplemented") or "not yet implemented" in low + text.lower():
            hint = "this endpoint does not implement the call"
        else:
            hint = None
        return line + ("; " + hint if hint else "")
    if isinstance(exc, NotImplementedError):
        return "%s: the endpoint does not implement this call (%s)" % (service or "AWS", exc)
    if HAS_BOTO3 and isinstance(exc, botocore.parsers.ResponseParserError):
        # An emulator's HTML error page: not quoted, it fills a report with markup.
        return "%s: the endpoint's answer is not an AWS response; it may not implement this call" % (service or "AWS")
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.NoCredentialsError):
        return ("no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or the profile / access_key + secret_key options")
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.ProfileNotFound):
        return "profile: %s; check ~/.aws/config or AWS_PROFILE" % exc
    # ConnectionError: refused, unresolvable, connect timeout, TLS; HTTPClientError: the
    # connection was closed or the read timed out before an answer.
    if HAS_BOTO3 and isinstance(exc, (botocore.exceptions.ConnectionError,
                                      botocore.exceptions.HTTPClientError)):
        return "%s: cannot reach the endpoint (%s); check endpoint_url / AWS_ENDPOINT_URL and the network" % (
            service or "AWS", exc)
    return "%s: %s: %s" % (service or "AWS", type(exc).__name__, exc)


def is_transient(exc):
    """A throttling or 5xx ClientError: retrying later may succeed."""
    if not isinstance(exc, ClientError):
        return False
    code = error_code(exc) or ""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return ("throttl" in code.lower() or code in ("RequestLimitExceeded", "TooManyRequestsException", "SlowDown")
            or status >= 500)


def paginate(client, operation, key, **kwargs):
    """Every item under ``key`` of every page of a paginated operation (snake_case name)."""
    items = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key) or [])
    return items


def error_code(exc):
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code")
    return None


def _block_writes(model, **kwargs):
    name = model.name
    if not name.startswith(READ_ONLY_PREFIXES):
        raise WriteBlockedError(
            "refused %s %s: check mode / enforce=false only reads (this is a bulwark bug, please report it)"
            % (model.service_model.service_name, name))


def _strip_account_host_prefix(request, **kwargs):
    request.url = _ACCOUNT_HOST_PREFIX.sub(r"\1", request.url)


_ACCOUNT_HOST_PREFIX = re.compile(r"^(https?://)\d{12}\.")

# botocore builds a new client class and service model for every client: one method per API
# operation (EC2 has about 600) and, for the docstrings alone, a full model of every operation;
# against AWS, endpoint discovery then reads every operation of the new model too. A run makes
# one client per service and region (guardrails: five services in every enabled region, for every
# account of an Organization), so sessions made here build each service's class and model once
# and reuse them, and the class's docstrings without operation models (_ModelForClassBuilding):
# about 0.4 s of CPU less per module run. The class and model hold nothing region- or
# credential-specific (clients keep those); sessions made elsewhere in the process (another
# collection's inventory plugin) are left exactly as botocore makes them.
# botocore offers no public hook for this: _install_client_class_cache is the one place that
# touches its internals, and tests/unit/test_aws_clients.py fails when an upgrade changes them.
_CLASS_CACHE_ATTR = "_bulwark_client_classes"


class _Undocumented:
    """What a client method's docstring is made from, without an OperationModel."""

    documentation = ""


class _ModelForClassBuilding:
    """The service model as botocore's class builder reads it, with stand-ins for the docstrings."""

    def __init__(self, model):
        self._model = model

    def operation_model(self, _name):
        return _Undocumented()

    def __getattr__(self, name):
        return getattr(self._model, name)


def _install_client_class_cache():
    if not HAS_BOTO3:
        return
    creator = botocore.client.ClientCreator
    build = getattr(creator, "_create_client_class", None)
    load = getattr(creator, "_load_service_model", None)
    if build is None or load is None or getattr(build, "_bulwark_cached", False):
        return  # a botocore without these internals builds clients as usual; installed once

    def cache_of(self):
        return getattr(getattr(self, "_event_emitter", None), _CLASS_CACHE_ATTR, None)

    def create_client_class(self, service_name, service_model):
        cache = cache_of(self)
        if cache is None:
            return build(self, service_name, service_model)
        key = ("class", service_name, service_model.api_version)
        if key not in cache:
            cache[key] = build(self, service_name, _ModelForClassBuilding(service_model))
        return cache[key]

    def load_service_model(self, service_name, api_version=None):
        # One model per service: what it works out once (endpoint discovery looks at every
        # operation of it for each new client against AWS) serves every region's client.
        cache = cache_of(self)
        if cache is None:
            return load(self, service_name, api_version)
        key = ("model", service_name, api_version)
        if key not in cache:
            cache[key] = load(self, service_name, api_version)
        return cache[key]

    create_client_class._bulwark_cached = True
    creator._create_client_class = create_client_class
    creator._load_service_model = load_service_model


def new_session(profile=None, access_key=None, secret_key=None, session_token=None):
    """A botocore session, as boto3.session.Session(...) would make it, with the client class
    cache on (see _install_client_class_cache)."""
    session = botocore.session.Session(profile=profile)
    if access_key or secret_key or session_token:
        session.set_credentials(access_key, secret_key, session_token)
    setattr(session.get_component("event_emitter"), _CLASS_CACHE_ATTR, {})
    return session


_install_client_class_cache()


class AwsConnection:
    """A botocore session for one module run: clients per (service, region), identity, regions."""

    def __init__(self, params, read_only=False):
        validate_connection_params(params)
        self.params = params
        self.read_only = read_only
        self.endpoint_url = params.get("endpoint_url")
        self._clients = {}
        self._lock = threading.Lock()
        self._identity = None
        self._shared = {}
        self._writes_lock = threading.Lock()
        self.writes = 0  # write calls AWS accepted: what Ansible's `changed` reports after an apply
        session = new_session(profile=params.get("profile") if not params.get("access_key") else None,
                              access_key=params.get("access_key"), secret_key=params.get("secret_key"),
                              session_token=params.get("session_token"))
        try:
            self.region = params.get("region") or session.get_config_variable("region") or DEFAULT_REGION
            credentials = session.get_credentials()
        except botocore.exceptions.ProfileNotFound as e:
            raise AwsOptionError(describe_error(e))
        validate_region(self.region, option="region (from the AWS profile)")
        if credentials is None:
            raise AwsOptionError(describe_error(botocore.exceptions.NoCredentialsError()))
        if params.get("assume_role_arn"):
            session = self._assume_role(session)
        self.session = session

    def _config(self, service):
        # total_max_attempts counts the first call, like AWS_MAX_ATTEMPTS (Config's
        # "max_attempts" would count retries only: one attempt more than asked for).
        retries = {"mode": os.environ.get("AWS_RETRY_MODE") or "adaptive",
                   "total_max_attempts": int(os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)}
        return Config(retries=retries, user_agent_extra=USER_AGENT, connect_timeout=10, read_timeout=60)

    def _assume_role(self, base):
        name = self.params.get("role_session_name") or default_session_name()
        kwargs = dict(RoleArn=self.params["assume_role_arn"], RoleSessionName=name)
        if self.params.get("external_id"):
            kwargs["ExternalId"] = self.params["external_id"]
        sts = base.create_client("sts", region_name=self.region, endpoint_url=self.endpoint_url,
                                 verify=self.params.get("validate_certs", True), config=self._config("sts"))
        creds = sts.assume_role(**kwargs)["Credentials"]
        return new_session(access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"],
                           session_token=creds["SessionToken"])

    def shared(self, key, read):
        """``read()``'s value, read once per connection: the account-wide reads several modules
        of an account run need (the credential report, the account summary, MFA devices) are
        made once and shared. A read that raised raises the same exception again."""
        if key not in self._shared:
            try:
                self._shared[key] = (read(), None)
            except Exception as e:  # pylint: disable=broad-exception-caught
                self._shared[key] = (None, e)
        value, error = self._shared[key]
        if error is not None:
            raise error
        return value

    def set_shared(self, key, value):
        """Share a value a module of the account run has worked out (the trail's log group, in
        check mode the group it would get) with the modules after it (see shared)."""
        self._shared[key] = (value, None)

    def client(self, service, region=None):
        """A cached client; thread-safe so regions can be evaluated in parallel."""
        region = region or self.region
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                client = self.session.create_client(
                    service, region_name=region, endpoint_url=self.endpoint_url,
                    verify=self.params.get("validate_certs", True), config=self._config(service))
                self.watch(client)
                if service == "s3control" and is_loopback(self.endpoint_url):
                    # s3control's endpoint rules put the account id in front of the host
                    # (123456789012.127.0.0.1): a local emulator has no such name and the call
                    # would leave for DNS. Send it to the endpoint as given.
                    client.meta.events.register("before-sign.s3-control", _strip_account_host_prefix)
                self._clients[key] = client
            return self._clients[key]

    def watch(self, client):
        """Check mode / enforce=false: the client refuses writes. Else it counts the writes AWS accepted."""
        if self.read_only:
            client.meta.events.register_first("before-call", _block_writes)
        else:
            client.meta.events.register("after-call", self._count_write)

    def _count_write(self, http_response=None, model=None, **kwargs):
        """after-call: count a write the endpoint accepted (after botocore's retries); a refused
        one raises in the caller and is not counted."""
        if model is not None and not model.name.startswith(READ_ONLY_PREFIXES) \
                and http_response is not None and http_response.status_code < 300:
            with self._writes_lock:
                self.writes += 1

    def identity(self):
        """sts:GetCallerIdentity, once per run: {account_id, arn, user_id, partition, is_root}."""
        if self._identity is None:
            # Few attempts: an endpoint that does not answer should fail in seconds, not minutes.
            sts = self.session.create_client(
                "sts", region_name=self.region, endpoint_url=self.endpoint_url,
                verify=self.params.get("validate_certs", True),
                config=self._config("sts").merge(Config(retries={"mode": "standard", "total_max_attempts": 2})))
            try:
                ident = sts.get_caller_identity()
            except ClientError as e:
                # The endpoint answered: throttling or a server error is no reason to give up
                # after two attempts. Ask again with the full retry budget.
                if not is_transient(e):
                    raise
                ident = self.client("sts").get_caller_identity()
            arn = ident["Arn"]
            self._identity = {
                "account_id": ident["Account"],
                "arn": arn,
                "user_id": ident["UserId"],
                "partition": arn.split(":")[1],
                "is_root": arn.endswith(":root"),
            }
        return self._identity

    def current_access_key_id(self):
        creds = self.session.get_credentials()
        return creds.access_key if creds else None

    def enabled_regions(self):
        """Regions this account can use, and the opt-in ones it has not enabled.

        Returns (enabled, skipped), both sorted. ec2:DescribeRegions lists only enabled regions on
        AWS; an emulator may list other partitions and not-opted-in regions, so both are filtered.
        """
        partition = known_regions().get(self.region, "aws")
        same_partition = set(r for r, p in known_regions().items() if p == partition)
        enabled, skipped = [], []
        for entry in self.client("ec2").describe_regions(AllRegions=True)["Regions"]:
            name = entry["RegionName"]
            if name not in same_partition:
                continue
            if entry.get("OptInStatus") == "not-opted-in":
                skipped.append(name)
            else:
                enabled.append(name)
        return sorted(enabled), sorted(skipped)

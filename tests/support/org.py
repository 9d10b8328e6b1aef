"""AWS Organizations in moto: an Organization with OUs and member accounts, sessions inside a
member account (sts:AssumeRole, as the modules do), and a proxy that refuses AssumeRole into
chosen accounts. Shared by the organization tests and benchmarks/org_scale.py.

moto keeps one backend per account id: credentials from sts:AssumeRole into
arn:aws:iam::<id>:role/<name> act in account <id> (the role need not exist; moto's
create_account does create OrganizationAccountAccessRole). So a member account seeded through
``member_session`` is a separate account for every service, as on AWS.

    python -m tests.support.org --endpoint http://127.0.0.1:5000 --members 20 --insecure-every 2

Each member's seed names its own account (ARNs, policies) and buckets of its own (bucket names
are global: seed.bucket_name); seed.playbook_vars(account id) are its owner's values. The
hardened state attaches AWS managed policies, which moto has only when the moto_server runs
with MOTO_IAM_LOAD_MANAGED_POLICIES=true.
"""

import argparse
import http.client
import http.server
import os
import sys
import urllib.parse

import boto3

from tests.support import loopback, seed

ROLE = "OrganizationAccountAccessRole"
# OU paths members are spread over, in turn (the management account stays in Root).
DEFAULT_OUS = ("Root/Workloads/Prod", "Root/Workloads/Dev", "Root/Sandbox")


def _ou_ids(org, root_id, paths):
    """Create the OUs of ``paths`` (parents first); {path: id}, Root included."""
    ids = {"Root": root_id}
    for path in paths:
        parts = path.split("/")
        for depth in range(2, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if sub not in ids:
                ids[sub] = org.create_organizational_unit(ParentId=ids["/".join(parts[:depth - 1])],
                                                          Name=parts[depth - 1])["OrganizationalUnit"]["Id"]
    return ids


def create_organization(org, members=0, ous=DEFAULT_OUS, name="member-%02d", tags=None):
    """An Organization (the caller is its management account) with ``members`` member accounts.

    ``org`` is an organizations client. Member n is named ``name % n``, placed in
    ``ous[n % len(ous)]`` (no OU when ``ous`` is empty) and tagged ``tags(n)`` when given
    ({key: value}). Returns {"management": id, "root": id, "ous": {path: id},
    "members": [{"id", "name", "ou_path", "tags"}]}.
    """
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    ou_ids = _ou_ids(org, root_id, ous)
    out = {"management": organization["MasterAccountId"], "root": root_id, "ous": ou_ids, "members": []}
    for n in range(members):
        account_tags = dict(tags(n)) if tags else {}
        kwargs = dict(AccountName=name % n, Email="member-%03d@example.com" % n)
        if account_tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(account_tags.items())]
        account_id = org.create_account(**kwargs)["CreateAccountStatus"]["AccountId"]
        ou_path = ous[n % len(ous)] if ous else "Root"
        if ou_path != "Root":
            org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_ids[ou_path])
        out["members"].append({"id": account_id, "name": name % n, "ou_path": ou_path, "tags": account_tags})
    return out


def member_session(endpoint, account_id, role=ROLE, region="us-east-1"):
    """A seed.session-like boto3 session acting inside member account ``account_id``."""
    sts = seed.client(seed.session(endpoint, region), "sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (account_id, role),
                            RoleSessionName="bulwark-test-seed")["Credentials"]
    sess = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=region)
    sess.endpoint_url = endpoint
    return sess


def seed_account(endpoint, account_id, state, domains=None, region="us-east-1"):
    """Give one member account a named state of tests/support/seed.py (insecure, hardened),
    of every domain or only of ``domains`` (names under tests/support/seeds/, e.g. ["iam"])."""
    import importlib

    if state not in seed.STATES:
        raise ValueError("unknown state %r (one of %s)" % (state, ", ".join(seed.STATES)))
    sess = member_session(endpoint, account_id, region=region)
    for name in domains or seed.DOMAINS:
        getattr(importlib.import_module("tests.support.seeds." + name), state)(sess)
    return sess


def reset(moto, timeout=900):
    """POST /moto-api/reset with room to finish. A reset rebuilds the backends of every account
    and region a run touched: after harden.yml over 21 accounts that takes minutes on a busy
    machine, longer than MotoServer.reset waits."""
    import urllib.request

    req = urllib.request.Request(moto.url + "/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        resp.read()


def write_inventory(path, **options):
    """An organization inventory config at ``path`` (name it *.organization.yml)."""
    import yaml

    config = {"plugin": "bulwark.aws.organization"}
    config.update(options)
    with open(str(path), "w") as f:
        yaml.safe_dump(config, f, default_flow_style=False)
    return str(path)


class DenyAssumeRoleProxy:
    """An HTTP proxy in front of moto_server on 127.0.0.1 that answers sts:AssumeRole into the
    given accounts with AccessDenied, as AWS does when the role's trust policy refuses the
    caller; every other request goes to moto unchanged. ``url`` is its endpoint."""

    DENIED = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
              b'<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/bulwark-test is not '
              b'authorized to perform: sts:AssumeRole on resource: %s</Message></Error>'
              b'<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>')

    def __init__(self, upstream, denied_account_ids):
        self.upstream = urllib.parse.urlparse(upstream)
        self.denied = set(denied_account_ids)
        self.url = None
        self._server = None

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                role = (form.get("RoleArn") or [""])[0]
                if form.get("Action") == ["AssumeRole"] and role.split(":")[4:5] and role.split(":")[4] in proxy.denied:
                    payload = self.DENIED_BODY % role.encode("utf-8")
                    self.send_response(403)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in ("connection",))
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _relay

        Handler.DENIED_BODY = self.DENIED
        return Handler

    def start(self):
        self._server, self.url = loopback.serve(self._handler())
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Create an Organization with member accounts in moto_server.")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"),
                        help="moto_server URL (http://127.0.0.1:PORT; default: AWS_ENDPOINT_URL)")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--insecure-every", type=int, default=0,
                        help="seed every Nth member insecure and the others hardened (0: no seeding)")
    args = parser.parse_args(argv)
    if not args.endpoint or not args.endpoint.startswith("http://127.0.0.1"):
        parser.error("--endpoint must be a local moto_server (http://127.0.0.1:PORT): seeders never touch AWS")
    states = [None] * args.members
    if args.insecure_every:
        states = ["insecure" if n % args.insecure_every == 0 else "hardened" for n in range(args.members)]
    if "hardened" in states:
        # Refused before anything is made, rather than half way through the first hardened member.
        try:
            seed.aws_managed_policy(seed.session(args.endpoint), "AdministratorAccess")
        except RuntimeError as exc:
            parser.error(str(exc))
    org = create_organization(seed.client(seed.session(args.endpoint), "organizations"), members=args.members)
    for member, state in zip(org["members"], states):
        if state:
            seed_account(args.endpoint, member["id"], state)
        print("%s  %-10s %-20s %s" % (member["id"], member["name"], member["ou_path"], state or "as created"))
    print("organization with %d members at %s" % (len(org["members"]), args.endpoint))
    return 0


if __name__ == "__main__":
    sys.exit(main())

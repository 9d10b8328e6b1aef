"""Two applies at once on one fresh account, then one more: no duplicate resource, no drift.

Two people (or a scheduled job and a person) may apply harden.yml to the same account at the
same time. Every create-if-missing then races: both runs read "missing", both create. Seen: the
run that came second got 17-21 `error` findings (the Config service-linked role in every
region, the KMS alias, the CloudTrail log group, the support role, the MFA policy, the budget:
"already exists") and left an orphan KMS key. After the fix the loser of each race takes what
the winner made: the two concurrent runs end without real errors, a third apply has nothing
left to do that the first two did not, and the account holds one of everything. (moto answers
a second CreateTrail, and CreateBucket in us-east-1, with success: the loser's side of those
races, TrailAlreadyExistsException and BucketAlreadyOwnedByYou in AWS, is in the unit tests.)

moto serves both runs from one in-process server, the way two ansible-playbook processes reach
one AWS account; the runs are real ansible-playbook subprocesses started together. Started
together is not enough to race: one run soon leads and the other finds its work done. So each
run reaches moto through its own LockstepProxy, and the proxies hold every create call (Create*,
Subscribe) until the other run makes the same call (same service, operation, region and
ordinal) or PATIENCE runs out: both runs have read "missing" before either creates, the worst
interleaving, every time.
"""

import collections
import http.client
import http.server
import json
import threading
import urllib.parse

from tests.support import loopback, seed
from tests.support.moto_gaps import is_moto_gap, real_errors
from tests.support.playbook import run_playbook
from tests.support.recorder import identify

PATIENCE = 2.0  # seconds a create waits for the other run's


class Gate:
    """Pairs the runs' create calls: the n-th (service, operation, region) create of one run waits
    for the n-th of the other, then both go on."""

    def __init__(self, runs):
        self.cond = threading.Condition()
        self.made = dict((run, collections.Counter()) for run in runs)
        self.arrived = collections.Counter()
        self.paired = 0
        self.alone = []

    def wait(self, run, key):
        with self.cond:
            slot = key + (self.made[run][key],)
            self.made[run][key] += 1
            self.arrived[slot] += 1
            self.cond.notify_all()
            if self.cond.wait_for(lambda: self.arrived[slot] >= 2, timeout=PATIENCE):
                self.paired += 1
            else:
                self.alone.append((run,) + slot)


class LockstepProxy:
    """An HTTP proxy on 127.0.0.1 for one run, forwarding everything to moto; create calls first
    pass the gate."""

    def __init__(self, target, gate, run):
        self.target = urllib.parse.urlsplit(target)
        self.gate, self.run = gate, run
        self.url = self._server = None

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict((k.lower(), v) for k, v in self.headers.items())
                if not self.path.startswith("/moto-api/"):
                    service, operation, region = identify({
                        "headers": headers, "body": body.decode("utf-8", "replace"), "method": self.command,
                        "url": "http://%s%s" % (proxy.target.netloc, self.path)})
                    if operation and (operation.startswith("Create") or operation == "Subscribe"):
                        proxy.gate.wait(proxy.run, (service, operation, region))
                conn = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=120)
                send = dict((k, v) for k, v in self.headers.items()
                            if k.lower() not in ("connection", "keep-alive", "transfer-encoding"))
                conn.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT") else None,
                             headers=send)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _relay

        return Handler

    def __enter__(self):
        self._server, self.url = loopback.serve(self._handler())
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


ALIAS = "alias/bulwark-cloudtrail"
KEY_DESCRIPTION = "CloudTrail log encryption for "  # what cloudtrail_trail_ensure names its key


def harden(moto_server, report_dir, *args, endpoint=None):
    owner = ["-e", json.dumps(seed.playbook_vars())]
    env = dict(moto_server.env(), AWS_ENDPOINT_URL=endpoint or moto_server.url)
    return run_playbook("harden.yml", env, *owner, *args, report_dir=report_dir, timeout=600)


def duplicates(names):
    return sorted(name for name, count in collections.Counter(names).items() if count > 1)


def inventory(url):
    """What the applies build, counted from the account through plain API calls."""
    sess = seed.session(url)
    kms, ct, sns, logs, cloudwatch, iam = (seed.client(sess, name) for name in
                                           ("kms", "cloudtrail", "sns", "logs", "cloudwatch", "iam"))
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    ours = [k for k in keys if k.get("Description", "").startswith(KEY_DESCRIPTION)]
    aliases = kms.list_aliases()["Aliases"]
    trails = ct.describe_trails(includeShadowTrails=False)["trailList"]
    groups = logs.describe_log_groups()["logGroups"]
    # moto keeps a second filter of the same name where PutMetricFilter replaces it (AWS): filters
    # count by name, and a duplicate is one pattern under two names.
    filters = sorted(set((f["logGroupName"], f["filterPattern"], f["filterName"]) for g in groups
                         for f in logs.describe_metric_filters(logGroupName=g["logGroupName"])["metricFilters"]))
    alarms = cloudwatch.describe_alarms()["MetricAlarms"]
    return {
        "live keys": [k["Arn"] for k in ours if k["KeyState"] != "PendingDeletion"],
        "retired keys": [k for k in ours if k["KeyState"] == "PendingDeletion"],
        "alias targets": [a.get("TargetKeyId") for a in aliases if a["AliasName"] == ALIAS],
        "trails": trails,
        "topics": [t["TopicArn"].rsplit(":", 1)[-1] for t in sns.list_topics()["Topics"]],
        "subscriptions": [(s["TopicArn"], s["Endpoint"]) for s in sns.list_subscriptions()["Subscriptions"]],
        "log groups": [g["logGroupName"] for g in groups],
        "filters": [(group, pattern) for group, pattern, _name in filters],
        "alarms": [(a["Namespace"], a["MetricName"]) for a in alarms],
        "groups": [g["GroupName"] for g in iam.list_groups()["Groups"]],
        "roles": [r["RoleName"] for r in iam.list_roles()["Roles"]],
        "policies": [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]],
    }


def test_two_applies_at_once_then_one_more_leave_one_of_everything_and_no_drift(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)
    runs = {}
    gate = Gate(["first", "second"])

    def apply(name):
        with LockstepProxy(moto_server.url, gate, name) as proxy:
            runs[name] = harden(moto_server, tmp_path / name, endpoint=proxy.url)

    threads = [threading.Thread(target=apply, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gate.paired >= 10, "the runs never raced: the test would prove nothing (%s)" % gate.alone
    for name, run in sorted(runs.items()):
        assert run.returncode == 0, run
        # The run that lost a race takes what the winner made: no AlreadyExists, no orphan.
        assert real_errors(run.findings()) == [], (name, real_errors(run.findings()))

    third = harden(moto_server, tmp_path / "third")
    assert third.returncode == 0, third
    assert real_errors(third.findings()) == [], real_errors(third.findings())

    found = inventory(moto_server.url)
    assert len(found["trails"]) == 1, [t["Name"] for t in found["trails"]]
    assert len(found["live keys"]) == 1, found["live keys"]
    key = found["live keys"][0]
    assert found["alias targets"] == [key.rsplit("/", 1)[-1]]
    assert found["trails"][0]["KmsKeyId"] == key
    # A key made by the run that lost the alias race is retired (7 days, cancellable), never used.
    for retired in found["retired keys"]:
        assert retired["Arn"] != found["trails"][0]["KmsKeyId"]
        assert retired["KeyId"] not in found["alias targets"]
    assert len(found["retired keys"]) <= 1, found["retired keys"]
    for what in ("topics", "subscriptions", "log groups", "filters", "alarms", "groups", "roles", "policies"):
        assert duplicates(found[what]) == [], (what, duplicates(found[what]))
    assert len(found["topics"]) == 1 and len(found["subscriptions"]) == 1, (found["topics"], found["subscriptions"])

    verify = harden(moto_server, tmp_path / "verify", "--check")
    assert verify.returncode == 0, verify
    left = [f for f in verify.findings() if f["status"] in ("drift", "error") and not is_moto_gap(f)]
    assert left == [], left

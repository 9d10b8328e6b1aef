"""What investigate.yml finds in a compromised account, and what it costs: prints figures,
asserts nothing.

    python -m benchmarks.investigate                     # from the repository root
    python -m benchmarks.investigate --regions us-east-1 eu-west-1

A moto_server (127.0.0.1, started here; nothing reaches AWS) is seeded with
tests/support/seeds/compromise.py: mallory-ci's key used in 3 regions, and the matching
CloudTrail records in the EMULATED LookupEvents of tests/support/cloudtrail_events.py (moto has
no LookupEvents; against AWS the event history is CloudTrail's own). Then
``ansible-playbook playbooks/investigate.yml -e user=mallory-ci`` runs the way an operator runs
it, while moto's recorder counts its requests (the emulated LookupEvents included).

Printed: events found (and how many the seed made), regions with events, regions read and
failed, inventory items and how many are marked created by the principal, requests made (by
operation), write requests (0 is the rule), wall time of the playbook run. LookupEvents is paced
at 2 requests per second per region, as CloudTrail's limit wants; regions are read in parallel.
"""

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.support import seed  # noqa: E402
from tests.support.moto_server import MotoServer  # noqa: E402
from tests.support.playbook import run_playbook  # noqa: E402
from tests.support.recorder import Recorder  # noqa: E402
from tests.support.seeds import compromise  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", nargs="+", help="-e bulwark_investigate_regions (default: every enabled region)")
    args = parser.parse_args(argv)
    with MotoServer() as server, tempfile.TemporaryDirectory(prefix="bulwark-investigate-") as work:
        start = time.monotonic()
        made = compromise.compromised(seed.session(server.url))
        seeded = time.monotonic() - start
        extra = ["-e", "bulwark_investigate_regions=%s" % ",".join(args.regions)] if args.regions else []
        with Recorder(server.url) as rec:
            start = time.monotonic()
            run = run_playbook("playbooks/investigate.yml", server.env(), "-e", "user=%s" % compromise.ATTACKER,
                               *extra, report_dir=os.path.join(work, "report"))
            wall = time.monotonic() - start
        if run.returncode != 0:
            raise SystemExit("investigate.yml failed (rc %d):\n%s\n%s"
                             % (run.returncode, run.stdout[-3000:], run.stderr[-2000:]))
        directory = re.search(r"Evidence: (/\S+) \(", run.stdout).group(1)
        with open(os.path.join(directory, "timeline.json")) as f:
            timeline = json.load(f)
        with open(os.path.join(directory, "inventory.json")) as f:
            inventory = json.load(f)
    failed = sorted(set(e.split(" ", 1)[0] for e in timeline["errors"]))
    items = inventory["items"]
    calls = collections.Counter("%s:%s" % (service, op) for service, op, _region in rec.calls())
    writes = rec.writes()
    print("investigate.yml -e user=%s on the compromised seed (moto_server, emulated LookupEvents)" % compromise.ATTACKER)
    print("seeded in %.1f s: %d attacker events in %d regions (%s)" % (
        seeded, sum(made["attacker_events"].values()), len(made["regions"]), ", ".join(made["regions"])))
    print("events found: %d" % len(timeline["events"]))
    print("regions with events: %d (%s)" % (len(timeline["summary"]["regions"]), ", ".join(
        "%s %d" % kv for kv in timeline["summary"]["regions"].items())))
    unread = " (%s)" % ", ".join(failed) if failed else ""
    print("regions read: %d, failed: %d%s" % (len(timeline["regions"]) - len(failed), len(failed), unread))
    print("source IPs: %s" % ", ".join("%s %d" % kv for kv in timeline["summary"]["source_ips"].items()))
    print("inventory items: %d, created by the principal: %d (+%d only in the timeline)" % (
        len(items), sum(1 for i in items if i.get("created_by_principal")), len(inventory["created_elsewhere"])))
    print("requests: %d (%s)" % (sum(calls.values()), ", ".join("%s %d" % kv for kv in calls.most_common())))
    print("write requests: %d%s" % (len(writes), " %s" % writes if writes else ""))
    print("wall time of the playbook run: %.1f s" % wall)
    return 0


if __name__ == "__main__":
    sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM credential report: one account-wide read that covers every user.

``fetch`` asks IAM to generate the report and waits (with backoff) while it is in
progress; ``parse`` turns its CSV into typed records. A module fetches it once per run,
never per user, so the number of API calls does not grow with the number of users.
The report holds no secrets (no passwords, no secret keys): keep it so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import time
from collections import namedtuple
from datetime import datetime, timezone

from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import BotoCoreError, ClientError, describe_error, error_code

ROOT_USER = "<root_account>"
# The resource name of root findings (root_key_audit, mfa_status): waivers match it.
ROOT_RESOURCE = "root"
# Values the report uses where there is no date or boolean.
NOT_APPLICABLE = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"

AccessKey = namedtuple("AccessKey", ["number", "active", "last_rotated", "last_used", "last_used_region",
                                     "last_used_service"])
Certificate = namedtuple("Certificate", ["number", "active", "last_rotated"])


def iso(value):
    """A datetime as ISO 8601 text, anything else unchanged (for module results)."""
    return value.isoformat() if isinstance(value, datetime) else value


class CredentialRecord(namedtuple("CredentialRecord", [
        "user", "arn", "created", "password_enabled", "password_last_used", "password_last_changed",
        "password_next_rotation", "mfa_active", "access_keys", "certificates"])):
    """One row. Dates are timezone-aware datetimes or None; ``password_enabled`` is None for the
    root row, where the report says ``not_supported``."""

    __slots__ = ()

    @property
    def is_root(self):
        return self.user == ROOT_USER

    @property
    def active_keys(self):
        return [k for k in self.access_keys if k.active]

    @property
    def present_keys(self):
        """Keys that exist, active or not (an absent key has no last_rotated date)."""
        return [k for k in self.access_keys if k.active or k.last_rotated is not None]

    @property
    def present_certificates(self):
        return [c for c in self.certificates if c.active or c.last_rotated is not None]

    def last_activity(self):
        """The most recent password or key use, or None when never used."""
        dates = [self.password_last_used] + [k.last_used for k in self.access_keys]
        dates = [d for d in dates if d is not None]
        return max(dates) if dates else None

    def to_dict(self):
        """JSON-friendly form for module results and the exported report (no secrets in it)."""
        out = dict((k, iso(v)) for k, v in self._asdict().items() if k not in ("access_keys", "certificates"))
        out["access_keys"] = [dict((k, iso(v)) for k, v in key._asdict().items()) for key in self.access_keys]
        out["certificates"] = [dict((k, iso(v)) for k, v in c._asdict().items()) for c in self.certificates]
        return out


class CredentialReportError(Exception):
    pass


def _date(value):
    if value in (None, "", NOT_APPLICABLE, NO_INFORMATION, NOT_SUPPORTED):
        return None
    # 2024-01-02T03:04:05+00:00 ; Python < 3.11 does not read a trailing Z
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _bool(value):
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _text(value):
    return None if value in (None, "", NOT_APPLICABLE, NO_INFORMATION, NOT_SUPPORTED) else value


def _rows(content):
    """The report's rows as dicts. IAM user names may contain a comma, which a report that does not
    quote it splits over several columns, in the user and in the ARN that ends with it: the ARN,
    the first field that starts with arn:, puts both back together."""
    rows = csv.reader(io.StringIO(content))
    header = next(rows, [])
    for fields in rows:
        if len(fields) > len(header):
            arn_at = next((i for i, value in enumerate(fields) if i and value.startswith("arn:")), None)
            if arn_at is not None:
                fields = [",".join(fields[:arn_at])] + fields[arn_at:]
                extra = len(fields) - len(header)  # the ARN ends with the same name, split the same way
                if extra > 0:
                    fields = fields[:1] + [",".join(fields[1:2 + extra])] + fields[2 + extra:]
        if len(fields) != len(header):
            raise ValueError("a row has %d fields, the header %d" % (len(fields), len(header)))
        yield dict(zip(header, fields))


def parse(content):
    """Parse the report's CSV (bytes or str) into a list of CredentialRecord, root row included."""
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    records = []
    for row in _rows(content):
        keys = [AccessKey(n, bool(_bool(row.get("access_key_%d_active" % n))),
                          _date(row.get("access_key_%d_last_rotated" % n)),
                          _date(row.get("access_key_%d_last_used_date" % n)),
                          _text(row.get("access_key_%d_last_used_region" % n)),
                          _text(row.get("access_key_%d_last_used_service" % n)))
                for n in (1, 2)]
        certs = [Certificate(n, bool(_bool(row.get("cert_%d_active" % n))), _date(row.get("cert_%d_last_rotated" % n)))
                 for n in (1, 2)]
        records.append(CredentialRecord(
            user=row["user"], arn=row["arn"], created=_date(row.get("user_creation_time")),
            password_enabled=_bool(row.get("password_enabled")),
            password_last_used=_date(row.get("password_last_used")),
            password_last_changed=_date(row.get("password_last_changed")),
            password_next_rotation=_date(row.get("password_next_rotation")),
            mfa_active=bool(_bool(row.get("mfa_active"))),
            access_keys=keys, certificates=certs))
    return records


def fetch(iam, max_wait=120, sleep=time.sleep, clock=time.monotonic):
    """Generate (or reuse, as IAM does for 4 h) the report and return (records, csv_text).

    Polls GenerateCredentialReport with exponential backoff while it is in progress and gives
    up with a clear error after ``max_wait`` seconds. Throttling is botocore's to retry.
    """
    deadline = clock() + max_wait
    delay = 0.5
    while True:
        state = iam.generate_credential_report().get("State")
        if state == "COMPLETE":
            try:
                content = iam.get_credential_report()["Content"]
            except ClientError as e:
                # Expired or not yet visible between the two calls: generate again.
                if error_code(e) not in ("ReportNotPresent", "ReportExpired", "ReportInProgress"):
                    raise
            else:
                text = content.decode("utf-8") if isinstance(content, bytes) else content
                return parse(text), text
        if clock() + delay > deadline:
            raise CredentialReportError(
                "the IAM credential report was still being generated after %d seconds; run again in a minute "
                "(IAM builds it asynchronously, slower for accounts with many users)" % max_wait)
        sleep(delay)
        delay = min(delay * 2, 8)


def by_user(records):
    """(root record or None, {user name: record} for IAM users)."""
    root = None
    users = {}
    for record in records:
        if record.is_root:
            root = record
        else:
            users[record.user] = record
    return root, users


def age(when, now=None):
    """'2 days ago (2024-05-01)', or 'never' for None."""
    if when is None:
        return "never"
    now = now or datetime.now(timezone.utc)
    return "%d days ago (%s)" % ((now - when).days, when.date().isoformat())


def root_has_no_credentials(summary):
    """True when the account summary says the root user has neither a password nor an access
    key (AWS Organizations centralised root access removes both): root cannot sign in.
    False when unknown: some endpoints leave AccountPasswordPresent out."""
    summary = summary or {}
    return summary.get("AccountPasswordPresent") == 0 and summary.get("AccountAccessKeysPresent") == 0


AccountCredentials = namedtuple("AccountCredentials", ["summary", "summary_error", "root", "users", "report_error"])


def unshared(_key, read):
    """The ``shared`` of a caller that shares nothing: read every time."""
    return read()


def report(iam, shared=unshared, **fetch_kwargs):
    """(records, csv_text) of the credential report, fetched once per account run when ``shared``
    is the run's (BulwarkModule.shared): root, MFA and user audits read the same report."""
    return shared("iam:credential_report", lambda: fetch(iam, **fetch_kwargs))


def account_summary(iam, shared=unshared):
    """iam:GetAccountSummary's SummaryMap, read once per account run (see report)."""
    return shared("iam:GetAccountSummary", lambda: iam.get_account_summary()["SummaryMap"])


def read_account(iam, summary=True, report_rows=True, shared=unshared, **fetch_kwargs):
    """The account-wide reads of the root and MFA audits.

    ``summary`` is iam:GetAccountSummary's SummaryMap; ``root`` the report's ``<root_account>``
    record (None when the report has none) and ``users`` {name: record}. A read that fails
    leaves its part None and puts a one-line reason in ``summary_error`` / ``report_error``,
    so the caller still evaluates what the other read covers.
    """
    summary_map = summary_error = root = users = report_error = None
    if summary:
        try:
            summary_map = account_summary(iam, shared)
        except (ClientError, BotoCoreError, NotImplementedError) as e:
            summary_error = describe_error(e, "iam")
    if report_rows:
        try:
            root, users = by_user(report(iam, shared, **fetch_kwargs)[0])
        except CredentialReportError as e:
            report_error = str(e)
        except (KeyError, ValueError) as e:
            report_error = "the IAM credential report is not the CSV IAM documents (%s: %s)" % (type(e).__name__, e)
        except (ClientError, BotoCoreError, NotImplementedError) as e:
            report_error = describe_error(e, "iam")
    return AccountCredentials(summary_map, summary_error, root, users, report_error)

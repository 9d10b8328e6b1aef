# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource-based policies (S3 bucket, KMS key, SNS topic, role trust) as data.

Policies are parsed and compared statement by statement, never as strings: key order, a
single string versus a one-element list, the order of values in a list, an account id
versus its root ARN as principal do not matter.

What this module answers:

- ``same(a, b)``, ``same_statement(a, b)``: equal as data (Sid ignored for statements);
- ``allows(doc, principal, action, resource, context)``: would this policy let the
  principal do it, given the request context (a small evaluator of the common condition
  operators; an unknown operator makes an Allow not count and a Deny count);
- ``public_statements(doc)`` / ``grants_public(doc)``: Allow statements open to every
  principal without a condition that pins the caller (account, source ARN, org, VPC, IP);
- ``grants_statement(doc, statement)``: the document already allows what the statement allows;
- ``has_tls_deny(doc, bucket_arn)``: the S3 "deny non-TLS requests" statement (CIS 2.1.1);
- ``merge_statements(doc, statements)``: add or replace (by Sid) statements, keep the rest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import fnmatch
import json
import re

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import unquote

VERSION = "2012-10-17"
_LIST_FIELDS = ("Action", "NotAction", "Resource", "NotResource")
_ACCOUNT_ID = re.compile(r"^\d{12}$")

# Condition keys that pin who may call (or on whose behalf a service calls): an Allow to "*"
# restricted by one of these, with a value that is not a wildcard, is not public. The list
# follows what S3 and KMS themselves treat as non-public.
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceVpc", "aws:SourceVpce",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:userid", "aws:SourceIp",
    "kms:CallerAccount", "kms:ViaService"))


# --- parsing and normalising ----------------------------------------------------------------

def load(document):
    """A policy document as a dict, from a dict, JSON text or URL-encoded JSON (as IAM returns it)."""
    if isinstance(document, dict):
        return document
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    text = (document or "").strip()
    if text and not text.startswith("{"):
        text = unquote(text)
    return json.loads(text) if text else {}


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def statements(document):
    """The document's statements as a list of dicts (a single statement may be a bare dict)."""
    return [s for s in as_list(load(document).get("Statement")) if isinstance(s, dict)]


def _principal_value(value):
    """Principal types as {type: sorted list}; "*" is {"AWS": ["*"]} (AWS treats both alike),
    a bare account id is its root ARN."""
    if value == "*":
        return {"AWS": ["*"]}
    out = {}
    for kind, ids in (value or {}).items():
        names = []
        for name in as_list(ids):
            name = str(name)
            if kind == "AWS" and _ACCOUNT_ID.match(name):
                name = "arn:aws:iam::%s:root" % name
            names.append(name)
        out[kind] = sorted(set(names))
    return out


def normalise_statement(statement):
    """A canonical form of one statement: lists sorted, principals canonical, condition values lists."""
    out = {}
    for key, value in statement.items():
        if key in _LIST_FIELDS:
            out[key] = sorted(set(str(v) for v in as_list(value)))
        elif key in ("Principal", "NotPrincipal"):
            out[key] = _principal_value(value)
        elif key == "Condition" and isinstance(value, dict):
            out[key] = dict((op, dict((k, sorted(str(v).lower() if op.startswith("Bool") else str(v)
                                                 for v in as_list(vals)))
                                      for k, vals in (block or {}).items()))
                            for op, block in value.items())
        elif key == "Effect":
            out[key] = str(value).capitalize()
        else:
            out[key] = value
    return out


def _sort_key(statement):
    return json.dumps(statement, sort_keys=True)


def normalise(document):
    """A canonical form of a document; two documents that mean the same compare equal."""
    doc = load(document)
    out = dict((k, v) for k, v in doc.items() if k not in ("Statement", "Version"))
    out["Version"] = doc.get("Version", VERSION)
    out["Statement"] = sorted((normalise_statement(s) for s in statements(doc)), key=_sort_key)
    return out


def same(a, b):
    """True when two policy documents mean the same (compared as data, Id ignored)."""
    na, nb = normalise(a), normalise(b)
    na.pop("Id", None)
    nb.pop("Id", None)
    return na == nb


def _without_sid(statement):
    s = normalise_statement(statement)
    s.pop("Sid", None)
    return s


def same_statement(a, b):
    """True when two statements mean the same; the Sid is only a label."""
    return _without_sid(a) == _without_sid(b)


def dumps(document):
    """Compact, stable JSON for API calls."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


# --- matching a request ---------------------------------------------------------------------

def _glob(pattern, value, ignore_case=False):
    """IAM wildcards: * any run of characters, ? one character."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def action_matches(statement, action):
    if "NotAction" in statement:
        return not any(_glob(p, action, True) for p in as_list(statement["NotAction"]))
    return any(_glob(p, action, True) for p in as_list(statement.get("Action")))


def resource_matches(statement, resource):
    """A statement without Resource or NotResource (a role trust policy) applies to its resource."""
    if "Resource" not in statement and "NotResource" not in statement:
        return True
    if "NotResource" in statement:
        return not any(_glob(p, resource) for p in as_list(statement["NotResource"]))
    return any(_glob(p, resource) for p in as_list(statement.get("Resource")))


def is_wildcard_principal(statement):
    """True when the statement's Principal is everyone ("*" or {"AWS": "*"})."""
    return "*" in _principal_value(statement.get("Principal")).get("AWS", [])


def principal_matches(statement, principal):
    """``principal`` is (type, id), e.g. ("Service", "cloudtrail.amazonaws.com") or ("AWS", arn);
    None matches the statements of an identity policy (they name no principal)."""
    if principal is None:
        return "Principal" not in statement and "NotPrincipal" not in statement
    kind, name = principal
    if kind == "AWS" and _ACCOUNT_ID.match(name):
        name = "arn:aws:iam::%s:root" % name
    if "NotPrincipal" in statement:
        listed = _principal_value(statement["NotPrincipal"]).get(kind, [])
        return name not in listed
    value = _principal_value(statement.get("Principal"))
    if "*" in value.get("AWS", []):
        return True
    return any(_glob(p, name, kind == "Service") for p in value.get(kind, []))


_STRING_OPS = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (_glob, False),
    "StringNotLike": (_glob, True),
    "ArnEquals": (_glob, False),  # IAM's ArnEquals accepts wildcards too
    "ArnLike": (_glob, False),
    "ArnNotEquals": (_glob, True),
    "ArnNotLike": (_glob, True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
}


def _lookup(context, key):
    for k, v in context.items():
        if k.lower() == key.lower():
            return as_list(v)
    return None


def condition_holds(condition, context):
    """True / False, or None when an operator is not understood.

    ``context`` maps condition keys (case-insensitive) to a value or a list of values; a key
    missing from it is absent from the request."""
    verdict = True
    for op, block in (condition or {}).items():
        qualifier, _sep, base = op.rpartition(":")
        if_exists = base.endswith("IfExists")
        base = base[:-len("IfExists")] if if_exists else base
        for key, wanted in (block or {}).items():
            wanted = [str(w) for w in as_list(wanted)]
            present = _lookup(context, key)
            if base == "Null":
                is_null = present is None
                verdict = verdict and any((w.lower() == "true") == is_null for w in wanted)
                continue
            if base not in _STRING_OPS:
                return None
            if present is None:
                verdict = verdict and (if_exists or _STRING_OPS[base][1])
                continue
            match, negated = _STRING_OPS[base]
            hits = [any(match(w, str(v)) for w in wanted) for v in present]
            if qualifier == "ForAllValues":
                ok = all(hits) if not negated else not any(hits)
            else:
                ok = any(hits) if not negated else not any(hits)
            verdict = verdict and ok
    return verdict


def _applies(statement, principal, action, resource, context, unknown):
    if not (principal_matches(statement, principal) and action_matches(statement, action)
            and resource_matches(statement, resource)):
        return False
    holds = condition_holds(statement.get("Condition"), context or {})
    return unknown if holds is None else holds


def allows(document, principal, action, resource, context=None):
    """True when an Allow statement grants the request and no Deny statement refuses it."""
    items = statements(document)
    denied = any(_applies(s, principal, action, resource, context, True)
                 for s in items if str(s.get("Effect")).lower() == "deny")
    allowed = any(_applies(s, principal, action, resource, context, False)
                  for s in items if str(s.get("Effect")).lower() == "allow")
    return allowed and not denied


def _sample(value):
    """A concrete value a wildcard pattern matches ("arn:aws:s3:::b/*" -> "arn:aws:s3:::b/sample")."""
    return str(value).replace("*", "sample").replace("?", "s")


def sample_context(statement):
    """A request context that satisfies the statement's own (positive) conditions."""
    context = {"aws:SecureTransport": "true"}
    for op, block in (statement.get("Condition") or {}).items():
        base = op.rpartition(":")[2].replace("IfExists", "")
        if "Not" in base or base == "Null":
            continue
        for key, values in (block or {}).items():
            values = as_list(values)
            if values:
                context[key] = _sample(values[0]) if base in ("StringLike", "ArnLike", "ArnEquals") else str(values[0])
    return context


def grants_statement(document, statement):
    """True when the document already allows every request the Allow ``statement`` allows
    (each principal x action x resource, in a context meeting the statement's conditions).
    An equivalent statement under another Sid, or a broader one, counts."""
    principals = [(kind, name) for kind, names in _principal_value(statement.get("Principal")).items()
                  for name in names] if "Principal" in statement else [None]
    context = sample_context(statement)
    return all(allows(document, principal, _sample(action), _sample(resource), context)
               for principal in principals
               for action in as_list(statement.get("Action"))
               for resource in as_list(statement.get("Resource")))


# --- public grants and TLS ------------------------------------------------------------------

def _pins_caller(statement):
    """True when a condition restricts the statement to known callers (see RESTRICTING_KEYS)."""
    for op, block in (statement.get("Condition") or {}).items():
        if "Not" in op or op.startswith("ForAllValues") or op.endswith("IfExists"):
            continue
        for key, values in (block or {}).items():
            values = [str(v) for v in as_list(values)]
            if key.lower() in RESTRICTING_KEYS and values and not any(v.strip("*?") == "" for v in values):
                if key.lower() == "aws:sourceip" and any(v.endswith("/0") for v in values):
                    continue
                return True
    return False


def public_statements(document):
    """[(index, statement)] of Allow statements open to everyone without a pinning condition."""
    return [(n, s) for n, s in enumerate(statements(document))
            if str(s.get("Effect")).lower() == "allow"
            and (is_wildcard_principal(s) or "NotPrincipal" in s) and not _pins_caller(s)]


def grants_public(document):
    return bool(public_statements(document))


def describe_statement(statement):
    """A short, readable summary for findings: 'Allow s3:* to * on arn:aws:s3:::b/*'."""
    actions = as_list(statement.get("Action") or statement.get("NotAction"))
    principal = statement.get("Principal")
    who = "*" if is_wildcard_principal(statement) else json.dumps(principal, sort_keys=True)
    sid = " (Sid %s)" % statement["Sid"] if statement.get("Sid") else ""
    return "%s %s to %s on %s%s" % (statement.get("Effect"), ",".join(str(a) for a in actions), who,
                                    ",".join(str(r) for r in as_list(statement.get("Resource"))), sid)


def tls_deny_statement(bucket_arn, sid="DenyInsecureTransport"):
    """Deny every S3 action on the bucket and its objects to requests made without TLS."""
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, bucket_arn + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _covers_every_action(statement, service):
    return any(_glob(p, service + ":*", True) and p.split(":")[-1].strip("*") == ""
               for p in as_list(statement.get("Action")))


def has_tls_deny(document, bucket_arn):
    """True when a Deny statement refuses every S3 action on the bucket and its objects to
    everyone when aws:SecureTransport is false, and is narrowed by nothing else."""
    for s in statements(document):
        if str(s.get("Effect")).lower() != "deny" or not is_wildcard_principal(s):
            continue
        if not _covers_every_action(s, "s3") or "NotResource" in s:
            continue
        if not (resource_matches(s, bucket_arn) and resource_matches(s, bucket_arn + "/any/key")):
            continue
        condition = s.get("Condition") or {}
        if len(condition) != 1:
            continue
        op, block = list(condition.items())[0]
        if op not in ("Bool", "BoolIfExists") or len(block) != 1:
            continue
        key, values = list(block.items())[0]
        if key.lower() == "aws:securetransport" and [str(v).lower() for v in as_list(values)] == ["false"]:
            return True
    return False


# --- changing a document --------------------------------------------------------------------

def merge_statements(document, new_statements):
    """(document, changed): each new statement is kept when an equal one exists (Sid aside),
    replaces a statement with its Sid, or is appended. Every other statement stays."""
    doc = copy.deepcopy(load(document)) or {}
    doc.setdefault("Version", VERSION)
    current = statements(doc)
    changed = False
    for new in new_statements:
        if any(same_statement(new, s) for s in current):
            continue
        changed = True
        sid = new.get("Sid")
        index = next((n for n, s in enumerate(current) if sid and s.get("Sid") == sid), None)
        if index is None:
            current.append(copy.deepcopy(new))
        else:
            current[index] = copy.deepcopy(new)
    doc["Statement"] = current
    return doc, changed


def remove_statements(document, indexes):
    """A copy of the document without the statements at these indexes (from public_statements)."""
    doc = copy.deepcopy(load(document))
    drop = set(indexes)
    doc["Statement"] = [s for n, s in enumerate(statements(doc)) if n not in drop]
    return doc

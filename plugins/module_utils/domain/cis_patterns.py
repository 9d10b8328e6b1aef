# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIS AWS Foundations v3.0 (section 4) metric filter patterns, keyed by control id, and
how a filter written differently is recognised as the same one.

``PATTERNS[control]`` is the pattern bulwark.aws writes; ``ACCEPTED[control]`` every pattern
that counts for that control: the written one, the CIS text where it differs, and the
variants CIS itself documents, each of them one that Prowler's check for the control
(prowler/providers/aws/services/cloudwatch/<check>/<check>.py) also recognises. A filter
CIS would accept but Prowler would not (an older form) does not count: an account bulwark.aws
hardened must pass both. ``matches(control, pattern)`` parses both patterns and compares them
as expressions: whitespace, quotes around simple values, redundant parentheses and the order of
the terms of an all-``||`` or all-``&&`` group do not matter, except for 4.1 and 4.3, whose
Prowler checks still read the terms in the order CIS prints them (``IN_ORDER``). A group mixing
``&&`` and ``||`` without parentheses (CloudWatch does not document their precedence) is
compared term by term in its written order. A pattern that does not parse is compared as text
with the whitespace outside quotes removed.

``monitoring.security_services_tampering`` is not a CIS control (no Prowler check reads it): its
pattern is bulwark.aws's own and is recognised by the same comparison.

Where bulwark.aws writes something else than the CIS v3.0 text:

- 4.1: the printed text does not group its error codes; bulwark.aws writes the intended form,
  ``{ ((... ) || (...)) && ... }``, and accepts both.
- 4.13: the v3.0 audit limits the filter to ``$.eventSource = ec2.amazonaws.com`` but does not
  group the event names (its remediation text has no event source at all); Prowler requires the
  event source. bulwark.aws writes ``{ (source) && ((name) || ...) }`` and accepts the printed
  audit text; the form without the event source (bulwark.aws's earlier one) no longer counts.
- 4.15: Prowler also requires CancelHandshake, CreateOrganization and EnableAllFeatures, which
  the v3.0 text does not list; bulwark.aws writes all 21 events, the 18-event form no longer counts.

Event names are written in the order Prowler releases before June 2026 read them (their
regular expressions were order-dependent), so older Prowler versions recognise them too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.bulwark.aws.plugins.module_utils.core.controls import MONITORING_ALARMS

NAMESPACE = "CISBenchmark"


def _any_name(names, quoted=False, spaced=True):
    """(($.eventName = A) || ($.eventName = B) ...), the way CIS writes these lists."""
    fmt = '($.eventName = "%s")' if quoted else "($.eventName = %s)"
    if not spaced:
        fmt = fmt.replace(" = ", "=")
    return (" || " if spaced else "||").join(fmt % n for n in names)


_IAM_POLICY_EVENTS = ("DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy PutUserPolicy "
                      "CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion AttachRolePolicy "
                      "DetachRolePolicy AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy").split()
_TRAIL_EVENTS = "CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging".split()
_S3_POLICY_EVENTS = ("PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication "
                     "DeleteBucketPolicy DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication").split()
_SG_EVENTS = ("AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress "
              "RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup").split()
_NACL_EVENTS = ("CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry ReplaceNetworkAclEntry "
                "ReplaceNetworkAclAssociation").split()
_GATEWAY_EVENTS = ("CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway CreateInternetGateway "
                   "DeleteInternetGateway DetachInternetGateway").split()
_ROUTE_EVENTS = ("CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation DeleteRouteTable DeleteRoute "
                 "DisassociateRouteTable").split()
_VPC_EVENTS = ("CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection CreateVpcPeeringConnection "
               "DeleteVpcPeeringConnection RejectVpcPeeringConnection AttachClassicLinkVpc DetachClassicLinkVpc "
               "DisableVpcClassicLink EnableVpcClassicLink").split()
# CIS v3.0's 18 events plus CancelHandshake, CreateOrganization and EnableAllFeatures, which
# Prowler's check requires too, in the order its releases before June 2026 read them.
_ORG_EVENTS = ("AcceptHandshake AttachPolicy CancelHandshake CreateAccount CreateOrganization CreateOrganizationalUnit "
               "CreatePolicy DeclineHandshake DeleteOrganization DeleteOrganizationalUnit DeletePolicy "
               "EnableAllFeatures EnablePolicyType InviteAccountToOrganization LeaveOrganization DetachPolicy "
               "DisablePolicyType MoveAccount RemoveAccountFromOrganization UpdateOrganizationalUnit "
               "UpdatePolicy").split()

# Switching off the security services that detect an intruder (not a CIS control; AWS Config
# and CloudTrail being stopped are CIS 4.9 and 4.5 already). UpdateDetector counts only when it
# disables the detector: CloudTrail logs its request as requestParameters.enable = false.
_GUARDDUTY_EVENTS = "DeleteDetector DisassociateFromMasterAccount DisassociateFromAdministratorAccount".split()
_SECURITYHUB_EVENTS = "DisableSecurityHub BatchDisableStandards".split()

_M = "monitoring."

# What bulwark.aws writes, CIS v3.0 section 4 (4.1 and 4.13 in their intended, grouped form).
PATTERNS = {
    _M + "unauthorized_api_calls":
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    _M + "console_signin_without_mfa":
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    _M + "root_usage":
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    _M + "iam_policy_changes": "{%s}" % _any_name(_IAM_POLICY_EVENTS, spaced=False),
    _M + "cloudtrail_changes": "{ %s }" % _any_name(_TRAIL_EVENTS),
    _M + "console_auth_failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    _M + "cmk_disable_or_deletion":
        "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    _M + "s3_bucket_policy_changes": "{ ($.eventSource = s3.amazonaws.com) && (%s) }" % _any_name(_S3_POLICY_EVENTS),
    _M + "config_changes":
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
        "($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    _M + "security_group_changes": "{ %s }" % _any_name(_SG_EVENTS),
    _M + "nacl_changes": "{ %s }" % _any_name(_NACL_EVENTS),
    _M + "network_gateway_changes": "{ %s }" % _any_name(_GATEWAY_EVENTS),
    _M + "route_table_changes": "{ ($.eventSource = ec2.amazonaws.com) && (%s) }" % _any_name(_ROUTE_EVENTS),
    _M + "vpc_changes": "{ %s }" % _any_name(_VPC_EVENTS),
    _M + "organizations_changes":
        "{ ($.eventSource = organizations.amazonaws.com) && (%s) }" % _any_name(_ORG_EVENTS, quoted=True),
    _M + "security_services_tampering":
        "{ (($.eventSource = guardduty.amazonaws.com) && (%s || "
        "(($.eventName = UpdateDetector) && ($.requestParameters.enable IS FALSE)))) || "
        "(($.eventSource = securityhub.amazonaws.com) && (%s)) || "
        "(($.eventSource = access-analyzer.amazonaws.com) && ($.eventName = DeleteAnalyzer)) }"
        % (_any_name(_GUARDDUTY_EVENTS), _any_name(_SECURITYHUB_EVENTS)),
}

# Other forms CIS prints or documents for the same control.
VARIANTS = {
    # The v3.0 text as printed (the error codes not grouped).
    _M + "unauthorized_api_calls": [
        '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
        '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'],
    # The variant excluding SSO sign-ins.
    _M + "console_signin_without_mfa": [
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'],
    # The v3.0 audit text as printed (the event names not grouped).
    _M + "route_table_changes": [
        "{($.eventSource = ec2.amazonaws.com) && ($.eventName =CreateRoute) || ($.eventName = CreateRouteTable) || "
        "($.eventName =ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName= DeleteRouteTable) "
        "|| ($.eventName = DeleteRoute) || ($.eventName =DisassociateRouteTable) }"],
}

# Controls whose Prowler check reads the terms in the order CIS prints them (a regular
# expression with ".+" between them): their filters are compared in the written order.
IN_ORDER = (_M + "unauthorized_api_calls", _M + "root_usage")

ACCEPTED = dict((control, [pattern] + VARIANTS.get(control, [])) for control, pattern in PATTERNS.items())


def _metric(suffix):
    return "".join(part.capitalize() for part in suffix.split("_"))


# The CIS 4.x controls, in catalogue order.
CIS_CONTROLS = tuple(_M + suffix for suffix, _cis, _sh, _title in MONITORING_ALARMS)

# (control, CIS number or None, metric name, title) in catalogue order: the CIS 4.x alarms, then
# the ones bulwark.aws adds (no CIS number; their filters are not CIS patterns).
ALARMS = tuple((_M + suffix, cis, _metric(suffix), title) for suffix, cis, _sh, title in MONITORING_ALARMS) + (
    (_M + "security_services_tampering", None, _metric("security_services_tampering"),
     "security services switched off (GuardDuty, Security Hub, IAM Access Analyzer)"),
)


# --- comparing patterns -----------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>&&|\|\||!=|<=|>=|=|<|>|[{}()])|'
                    r'(?P<word>[^\s(){}&|=!<>"]+))')


class PatternError(ValueError):
    pass


def _tokens(text):
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise PatternError("cannot read %r" % text[pos:pos + 20])
        pos = match.end()
        if match.group("str") is not None:
            out.append(("value", match.group("str")[1:-1]))
        elif match.group("op") is not None:
            out.append(("op", match.group("op")))
        else:
            out.append(("word", match.group("word")))
    return out


class _Parser:
    def __init__(self, tokens, in_order=False):
        self.tokens = tokens
        self.pos = 0
        self.in_order = in_order

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise PatternError("unexpected %r" % (token[1],))
        self.pos += 1
        return token

    def pattern(self):
        self.take("op", "{")
        expr = self.expr()
        self.take("op", "}")
        if self.peek()[0] is not None:
            raise PatternError("text after the closing brace")
        return expr

    def expr(self):
        terms, ops = [self.term()], []
        while self.peek() in (("op", "&&"), ("op", "||")):
            ops.append(self.take()[1])
            terms.append(self.term())
        if not ops:
            return terms[0]
        if len(set(ops)) == 1:
            flat = []
            for term in terms:  # (a || b) || c is a || b || c
                flat.extend(term[1] if term[0] == ops[0] else [term])
            return (ops[0], tuple(flat) if self.in_order else tuple(sorted(set(flat), key=repr)))
        chain = [terms[0]]
        for op, term in zip(ops, terms[1:]):
            chain.extend([op, term])
        return ("chain", tuple(chain))

    def term(self):
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expr()
            self.take("op", ")")
            return inner
        selector = self.take("word")[1]
        if not selector.startswith("$."):
            raise PatternError("expected a $.selector, got %r" % selector)
        kind, value = self.peek()
        if kind == "word" and value.upper() in ("NOT", "IS"):
            self.take()
            word = self.take("word")[1].upper()
            return ("test", selector, value.upper() + " " + word)
        op = self.take("op")[1]
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise PatternError("expected a comparison after %s" % selector)
        kind, value = self.take()
        if kind == "op":
            raise PatternError("expected a value after %s %s" % (selector, op))
        return ("cmp", selector, op, value)


def canonical(pattern, in_order=False):
    """A comparable form of a filter pattern (see the module docstring); with ``in_order`` the
    terms of an all-``||`` or all-``&&`` group keep their written order."""
    try:
        return ("parsed", _Parser(_tokens(pattern or ""), in_order).pattern())
    except PatternError:
        return ("text", re.sub(r'\s+(?=(?:[^"]*"[^"]*")*[^"]*$)', "", pattern or ""))


def equivalent(a, b, in_order=False):
    return canonical(a, in_order) == canonical(b, in_order)


def matches(control, pattern):
    """True when ``pattern`` is one of the forms that count for ``control``."""
    in_order = control in IN_ORDER
    return any(equivalent(pattern, p, in_order) for p in ACCEPTED[control])


def control_for(pattern):
    """The control whose accepted patterns include ``pattern``, or None."""
    for control in ACCEPTED:
        if matches(control, pattern):
            return control
    return None

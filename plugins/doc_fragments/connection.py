# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every bulwark.aws module (module_utils/core/aws.py implements them)."""

    DOCUMENTATION = r"""
options:
  profile:
    description:
      - The AWS profile (from C(~/.aws/config) / C(~/.aws/credentials)) to use.
      - Ignored when O(access_key) and O(secret_key) are given.
      - The E(AWS_PROFILE) environment variable is used when this is not set.
    type: str
    aliases: [aws_profile]
  region:
    description:
      - The home region. Account-wide services (IAM, Organizations) are called here; modules
        that cover every region use it to list the enabled regions.
      - The E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variables are used when this is
        not set, then the profile's region, then V(us-east-1).
      - Must be a region botocore knows, for example V(eu-west-1).
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - Send every AWS call to this URL instead of the public endpoints, for example a local
        emulator such as moto (V(http://127.0.0.1:5000)) or a VPC interface endpoint.
      - The E(AWS_ENDPOINT_URL) environment variable is used when this is not set.
      - Must include the scheme (C(http://) or C(https://)).
    type: str
    aliases: [aws_endpoint_url]
  access_key:
    description:
      - AWS access key id. The E(AWS_ACCESS_KEY_ID) environment variable is used when this is not set.
      - Prefer a profile, instance role or SSO session to long-term keys.
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key, required with O(access_key). Never logged.
      - The E(AWS_SECRET_ACCESS_KEY) environment variable is used when this is not set.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token for temporary credentials. Never logged.
      - The E(AWS_SESSION_TOKEN) environment variable is used when this is not set, else its
        older name E(AWS_SECURITY_TOKEN) (which AWX's Amazon Web Services credential sets).
    type: str
    aliases: [aws_session_token]
  assume_role_arn:
    description:
      - Assume this IAM role (once per module run) and make every call with its credentials,
        for example V(arn:aws:iam::123456789012:role/OrganizationAccountAccessRole) to audit a
        member account of an AWS Organization.
    type: str
  external_id:
    description:
      - External id required by the trust policy of O(assume_role_arn). Never logged.
    type: str
  role_session_name:
    description:
      - Session name used with O(assume_role_arn); it shows in the target account's CloudTrail.
      - Defaults to V(bulwark-aws-<run id>), the run id being the E(BULWARK_RUN_ID) environment
        variable when set (one name for every module run of a playbook run), else
        V(job-<JOB_ID>) under AWX / Automation Platform, else the unix time of the module run.
    type: str
  validate_certs:
    description:
      - Verify TLS certificates of the AWS endpoints. Turn off only for a local emulator.
    type: bool
    default: true
  controls:
    description:
      - The control ids to evaluate, from the module's own controls (see docs/controls.md).
        Controls not listed are neither read nor changed and produce no finding.
      - Defaults to every control of the module.
    type: list
    elements: str
  enforce:
    description:
      - When V(false), the module only audits. It reports what would change as V(drift) and
        never writes, even outside check mode (the roles set it from C(bulwark_audit_only)).
      - In check mode the module never writes, whatever this says.
    type: bool
    default: true
  waivers:
    description:
      - Accepted exceptions. A finding whose control matches and whose resource matches the
        glob O(waivers[].resource) becomes V(waived) (with the reason) and is not changed.
      - An expired waiver no longer waives; the finding says it expired.
      - Waivers naming other modules' controls are ignored here; an unknown control id is an error.
    type: list
    elements: dict
    default: []
    suboptions:
      control:
        description: The control id, as in docs/controls.md.
        type: str
        required: true
      resource:
        description: Glob matched against the finding's resource (user name, bucket, ARN...).
        type: str
        default: "*"
      reason:
        description: Why the exception is accepted; shown in the report.
        type: str
        required: true
      expires:
        description: Last day the waiver applies, V(YYYY-MM-DD). Every waiver expires.
        type: str
        required: true
  option_names:
    description:
      - "How messages name this module's options: C({option: what the user sets}). The bulwark.aws
        roles set it to their variables; empty names the options themselves."
      - "For example, with V({min_length: bulwark_iam_password_min_length}) an out-of-range value says
        C(bulwark_iam_password_min_length: 200 is out of range) where the module alone says C(min_length: 200 ...)."
    type: dict
    default: {}
notes:
  - Retries use botocore's V(adaptive) retry mode with 10 attempts; the standard
    E(AWS_RETRY_MODE) and E(AWS_MAX_ATTEMPTS) environment variables override both.
  - In check mode, and with O(enforce=false), the module's AWS clients refuse every call that
    is not a read, so an audit cannot change the account.
  - Every finding is a dict with C(control), C(status) (V(pass), V(drift), V(fixed), V(fail),
    V(manual), V(error) or V(waived)), C(resource), C(region) and C(message).
requirements:
  - python >= 3.8
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
"""

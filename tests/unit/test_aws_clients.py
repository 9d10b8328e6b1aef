"""Clients of module_utils/aws.py: one client class per service and session, per-region state kept."""

import boto3
import pytest
from moto import mock_aws

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

PARAMS = dict(region="us-east-1", validate_certs=True)


@mock_aws
def test_regional_clients_share_one_class_and_keep_their_own_region():
    conn = aws.AwsConnection(dict(PARAMS))
    east, west = conn.client("ec2", "us-east-1"), conn.client("ec2", "eu-west-1")
    assert type(east) is type(west)
    assert (east.meta.region_name, west.meta.region_name) == ("us-east-1", "eu-west-1")
    assert east.meta.endpoint_url != west.meta.endpoint_url

    west.enable_ebs_encryption_by_default()
    assert west.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    assert east.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False


@mock_aws
def test_other_services_get_their_own_class():
    conn = aws.AwsConnection(dict(PARAMS))
    assert type(conn.client("ec2")) is not type(conn.client("iam"))
    assert hasattr(conn.client("iam"), "get_account_summary")
    assert not hasattr(conn.client("ec2"), "get_account_summary")


@mock_aws
def test_sessions_made_elsewhere_are_left_as_botocore_makes_them():
    session = boto3.session.Session(region_name="us-east-1")
    assert type(session.client("ec2")) is not type(session.client("ec2", region_name="eu-west-1"))


@mock_aws
def test_read_only_applies_to_each_client_of_a_shared_class():
    reader = aws.AwsConnection(dict(PARAMS), read_only=True)
    writer = aws.AwsConnection(dict(PARAMS))
    with pytest.raises(aws.WriteBlockedError, match="EnableEbsEncryptionByDefault"):
        reader.client("ec2", "eu-west-1").enable_ebs_encryption_by_default()
    writer.client("ec2", "eu-west-1").enable_ebs_encryption_by_default()
    assert reader.client("ec2", "eu-west-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True

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


@mock_aws
def test_client_classes_are_built_without_an_operation_model_per_operation():
    # botocore builds every operation's model for docstrings only; a run calls a handful.
    def models_built(client):  # botocore's instance cache of ServiceModel.operation_model
        return [key for key in client.meta.service_model._instance_cache if key[0] == "operation_model"]

    conn = aws.AwsConnection(dict(PARAMS))
    ec2 = conn.client("ec2")
    west = conn.client("ec2", "eu-west-1")
    assert type(west) is type(ec2) and west.meta.service_model is ec2.meta.service_model
    assert ec2.describe_regions()["Regions"]
    # against AWS, endpoint discovery reads every operation once per service (not per client);
    # the class itself built none
    assert len(models_built(ec2)) == len(ec2.meta.service_model.operation_names)
    elsewhere = boto3.session.Session(region_name="us-east-1").client("ec2")
    assert len(models_built(elsewhere)) > 500  # botocore's own way, left alone


def test_a_client_class_is_built_without_a_model_per_operation(monkeypatch):
    # With an endpoint given, botocore skips endpoint discovery: what is left is the class.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    conn = aws.AwsConnection(dict(PARAMS, endpoint_url="http://127.0.0.1:9"))
    ec2 = conn.client("ec2")
    assert [key for key in ec2.meta.service_model._instance_cache if key[0] == "operation_model"] == []
    assert callable(ec2.describe_regions) and ec2.describe_regions.__name__ == "describe_regions"

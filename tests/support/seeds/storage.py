"""Storage seed steps (role storage: S3 bucket policies and Block Public Access, RDS, EFS).

insecure: in the home region, a bucket "insecure-app-data" whose policy has one harmless Allow
for the account root and no TLS deny (so the TLS statement a fix merges in is seen next to it),
without a bucket Public Access Block (the guardrails insecure seed leaves the account's off too);
an RDS instance "insecure-db" (postgres) unencrypted, publicly accessible and without auto minor
version upgrade; an EFS file system "insecure-share" unencrypted.
hardened: what a careful team set up by hand: a bucket "hardened-app-data" with a TLS-only deny
statement and all four bucket Block Public Access settings; an RDS instance "hardened-db"
encrypted, private and upgrading minor versions automatically; an EFS file system
"hardened-share" encrypted.

Bucket names are global: another account's are seed.bucket_name(NAME, account). The database
password is a test value for moto, in seed.SECRETS like every secret a seed makes.

Plain API calls only: nothing here uses the module code it seeds for.
"""

import json

from tests.support.seed import SECRETS, account_id, bucket_name, client

HOME = "us-east-1"
# Bucket names in moto's default account.
INSECURE_BUCKET = "insecure-app-data"
HARDENED_BUCKET = "hardened-app-data"
INSECURE_DB = "insecure-db"
HARDENED_DB = "hardened-db"
INSECURE_SHARE = "insecure-share"
HARDENED_SHARE = "hardened-share"
DB_USER = "appadmin"
DB_PASSWORD = "Fake-Seed-Db-Passw0rd!"  # a test value for moto; never a real credential
# The role's opt-ins (all default false), on for `make demo` only (seed.demo_vars): never in
# PLAYBOOK_VARS, which other tests pass and which must keep the roles' default behaviour.
DEMO_OPT_INS = {
    "bulwark_storage_enforce_bucket_tls": True,
    "bulwark_storage_block_bucket_public_access": True,
    "bulwark_storage_rds_enable_auto_minor_version_upgrade": True,
    "bulwark_storage_rds_remove_public_access": True,
}


def _db(sess, name, secure):
    SECRETS.add(DB_PASSWORD)
    client(sess, "rds", HOME).create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
        MasterUsername=DB_USER, MasterUserPassword=DB_PASSWORD,
        StorageEncrypted=secure, PubliclyAccessible=not secure, AutoMinorVersionUpgrade=secure)


def insecure(sess):
    """A bucket without TLS deny or bucket Block Public Access; an open, unencrypted database; an
    unencrypted file system."""
    account = account_id(sess)
    s3 = client(sess, "s3", HOME)
    bucket = bucket_name(INSECURE_BUCKET, account)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % bucket}]}))
    _db(sess, INSECURE_DB, secure=False)
    client(sess, "efs", HOME).create_file_system(CreationToken=INSECURE_SHARE, Encrypted=False)


def tls_only_statement(bucket):
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def hardened(sess):
    """A TLS-only bucket with all four Block Public Access settings; an encrypted private database
    upgrading minor versions; an encrypted file system."""
    s3 = client(sess, "s3", HOME)
    bucket = bucket_name(HARDENED_BUCKET, account_id(sess))
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(
        BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17",
                                                           "Statement": [tls_only_statement(bucket)]}))
    _db(sess, HARDENED_DB, secure=True)
    client(sess, "efs", HOME).create_file_system(CreationToken=HARDENED_SHARE, Encrypted=True)
